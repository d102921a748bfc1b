# Signals and pipes through `clipseg segment` (sourced by Tools/reliability.sh).
#   SIGINT / SIGTERM   a 120 s clip, the signal at a random point of the run: exit 130 / 143
#   SIGKILL            --fragmented MP4 / Matroska killed at a random point: the file plays up to the last fragment
#   closed stdout      --masks - | head -c BYTES: exit 0, the video and statistics finalised

declare -A ended_first early
signal_trial() { # SWEEP SIGNAL EXPECTED-STATUS TRIAL
    local sweep=$1 sig=$2 expected=$3 dir=$work/run status problem realtime=() at pid
    rm -rf "$dir"; mkdir -p "$dir"
    # Half the trials live (--realtime, frames dropped before the model), half lossless (the fixture
    # model reads the 1200 frames in about three seconds): the signal after a random delay within the run.
    if (( $4 % 4 >= 2 )); then realtime=(--realtime); at=$(( 300 + RANDOM % 12000 )); else at=$(( 50 + RANDOM % 2500 )); fi
    "$binary" segment "$work/clips/long.mp4" --model "$model" --prompt "a red circle" --threads 1 "${realtime[@]}" \
        -o "$dir/out.mp4" --masks "$dir/masks.y4m" --stats "$dir/stats.ndjson" </dev/null >/dev/null 2>"$dir/err" &
    pid=$!
    sleep "$(ms_to_seconds "$at")"
    at="${at} ms${realtime[*]:+ (realtime)}"
    kill "-$sig" "$pid" 2>/dev/null
    count[$sweep]=$(( count[$sweep] + 1 ))
    if ! wait_exit "$pid" 30; then
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        hangs[$sweep]=$(( hangs[$sweep] + 1 )); problem "$sweep" "hang after $sig at $at"; return
    fi
    wait "$pid"; status=$?
    if [ "$status" = 0 ]; then ended_first[$sweep]=$(( ${ended_first[$sweep]:-0} + 1 )); expected=0; fi
    if [ "$status" -gt 128 ] && [ "$status" != "$expected" ]; then
        crashes[$sweep]=$(( crashes[$sweep] + 1 )); problem "$sweep" "status $status after $sig at $at"; return
    fi
    if [ "$status" = "$expected" ] && [ ! -s "$dir/err" ]; then
        # Killed by the signal's default action before the handler was installed (during setup).
        if [ -e "$dir/out.mp4" ] || [ -e "$dir/masks.y4m" ]; then
            invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "killed during setup with outputs open ($sig at $at)"
        else
            early[$sweep]=$(( ${early[$sweep]:-0} + 1 ))
        fi
        return
    fi
    problem=""
    [ "$status" = "$expected" ] || problem="exit $status, expected $expected"
    if [ -z "$problem" ] && [ "$status" != 0 ] && [ -z "$(written_count "$dir/err")" ] && [ -z "$(trap_text "$dir/err")" ]; then
        # Interrupted during setup, after the handler was installed and before the pipeline started: one
        # line `clipseg: interrupted while <step>`, and no output left behind.
        if [[ "$(last_line "$dir/err")" == "clipseg: interrupted while "* ]] && [ "$(grep -c . "$dir/err")" = 1 ] \
            && [ ! -e "$dir/out.mp4" ] && [ ! -e "$dir/masks.y4m" ] && [ ! -e "$dir/stats.ndjson" ]; then
            early[$sweep]=$(( ${early[$sweep]:-0} + 1 )); return
        fi
        problem="no counts line; stderr ends: $(last_line "$dir/err" | cut -c1-100)"
    fi
    [ -z "$problem" ] && problem=$(stderr_problem "$status" "$dir/err")
    [ -z "$problem" ] && [ "$status" != 0 ] && ! grep -q 'interrupted' "$dir/err" && problem="no 'interrupted' summary"
    [ -z "$problem" ] && problem=$(outputs_problem "$dir/err" "$dir/out.mp4" "$dir/masks.y4m" "$dir/stats.ndjson")
    if [ -n "$problem" ]; then
        invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$problem ($sig at $at)"
        cp "$dir/err" "$work/failures/$sweep-$4.stderr"
    fi
}

sweep_signals() {
    local t sweep extension at pid lines_at_kill frames decode_errors bad lost most_lost=0 bytes status problem dir
    tally_init SIGINT
    tally_init SIGTERM
    for (( t = 0; t < signal_trials; t++ )); do
        if (( t % 2 )); then signal_trial SIGTERM TERM 143 "$t"; else signal_trial SIGINT INT 130 "$t"; fi
    done
    for sweep in SIGINT SIGTERM; do
        [ "${count[$sweep]}" -gt 0 ] && note "$sweep" "${ended_first[$sweep]:-0} ended before the signal (exit 0), ${early[$sweep]:-0} signalled during setup (no outputs, no counts)"
    done

    # SIGKILL with --fragmented: what was written plays (no decode errors) and holds the frames up to two
    # fragments (1 s each, a keyframe per second) plus the encoder's delay (x264 veryfast: 10 frames of
    # lookahead, frame threads) before the last statistics line written at the kill.
    sweep="SIGKILL --fragmented"
    tally_init "$sweep"
    for (( t = 0; t < kill_trials; t++ )); do
        dir=$work/run
        rm -rf "$dir"; mkdir -p "$dir"
        extension=$( (( t % 2 )) && echo mkv || echo mp4 ); at=$(( 20 + RANDOM % 200 ))
        "$binary" segment "$work/clips/long.mp4" --model "$model" --prompt "a red circle" --threads 1 --fragmented \
            -o "$dir/out.$extension" --stats "$dir/stats.ndjson" </dev/null >/dev/null 2>"$dir/err" &
        pid=$!
        wait_lines "$dir/stats.ndjson" "$at" "$pid"
        lines_at_kill=$(wc -l < "$dir/stats.ndjson" 2>/dev/null || echo 0)
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        count[$sweep]=$(( count[$sweep] + 1 ))
        frames=$(probe_frames "$dir/out.$extension")
        decode_errors=$(ffmpeg -v error -i "$dir/out.$extension" -f null - 2>&1 | head -n 3)
        bad=""
        if [ -z "$frames" ] || [ "$frames" = 0 ]; then
            if [ "$lines_at_kill" -ge $(( 2 * rate + 10 )) ]; then bad=".$extension does not play after $lines_at_kill frames"
            else note "$sweep" "killed before the first fragment"; fi
        elif [ -n "$decode_errors" ]; then bad=".$extension decode errors: ${decode_errors:0:80}"
        elif [ "$frames" -lt $(( lines_at_kill - 2 * rate - 40 )) ]; then bad=".$extension has $frames of $lines_at_kill frames"
        else
            lost=$(( lines_at_kill > frames ? lines_at_kill - frames : 0 ))
            [ "$lost" -gt "$most_lost" ] && most_lost=$lost
        fi
        if [ -n "$bad" ]; then
            invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$bad (kill $t)"
            cp "$dir/out.$extension" "$work/failures/kill-$t.$extension" 2>/dev/null
            echo "$bad" > "$work/failures/kill-$t.reason"
        fi
    done
    [ "${count[$sweep]}" -gt 0 ] && note "$sweep" "at most $most_lost frames lost after the last fragment"

    # Closed standard output: the mask stream's reader stops after a few bytes.
    sweep="closed stdout"
    tally_init "$sweep"
    for (( t = 0; t < pipe_trials; t++ )); do
        dir=$work/run
        rm -rf "$dir"; mkdir -p "$dir"
        bytes=$(( 1000 + RANDOM % 200000 ))
        timeout -k 5 300 bash -c '"$0" segment "$1" --model "$2" --prompt "a red circle" --threads 1 --masks - \
            -o "$3" --stats "$4" 2>"$5" </dev/null | head -c "$6" > /dev/null; exit ${PIPESTATUS[0]}' \
            "$binary" "$work/clips/long.mp4" "$model" "$dir/out.mp4" "$dir/stats.ndjson" "$dir/err" "$bytes"
        status=$?
        problem=""
        [ "$status" = 0 ] || problem="exit $status"
        [ -z "$problem" ] && problem=$(stderr_problem "$status" "$dir/err")
        [ -z "$problem" ] && problem=$(outputs_problem "$dir/err" "$dir/out.mp4" "" "$dir/stats.ndjson")
        judge "$sweep" "$status" "$problem" "head -c $bytes" "$dir/err"
    done
}

#!/usr/bin/env bash
# Reliability sweeps for `clipseg segment` (issue 5): damaged media, truncated media, signals and pipes.
#
#   Tools/reliability.sh [--trials N] [--truncations N] [--signal-trials N] [--kill-trials N] [--pipe-trials N]
#                        [--seed S] [--binary PATH] [--model DIR] [--work DIR] [--keep]
#
# Generates short clips with the ffmpeg CLI (2 s, 160x120, 10 fps: H.264 MP4, VP9 WebM, MJPEG AVI), then:
#   damaged    N copies of each clip with random byte overwrites at random offsets (seeded)
#   truncated  each clip cut at N points spread over its length
#   SIGINT / SIGTERM   a 120 s clip, the signal at a random point of the run: exit 130 / 143
#   SIGKILL    --fragmented MP4 / Matroska killed at a random point: the file plays up to the last fragment
#   closed stdout      --masks - | head -c BYTES: exit 0, the video and statistics finalised
# Every run has a timeout of 10x the clip's duration (at least 20 s). A run counts as
#   crash    killed by a signal (status > 128) other than the one a trial sends
#   hang     still running at its timeout
#   invalid  an output that does not probe with ffprobe, whose frame count differs from the summary's
#            "written" count (video, masks, statistics lines), or a standard error that does not end in a
#            one-line "Error: ..." (failure) or the summary's counts line (success); the wrong exit status.
# Prints one table; with --keep the work folder (reproducers in failures/) is left in place.
# Not part of `make test`: a full run (200 damaged copies per clip) takes a long time.
set -u -o pipefail

trials=200 truncations=10 signal_trials=20 kill_trials=6 pipe_trials=3 seed=1 keep=0
root=$(cd "$(dirname "$0")/.." && pwd)
binary="" model="" work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --trials) trials=$2; shift ;;
        --truncations) truncations=$2; shift ;;
        --signal-trials) signal_trials=$2; shift ;;
        --kill-trials) kill_trials=$2; shift ;;
        --pipe-trials) pipe_trials=$2; shift ;;
        --seed) seed=$2; shift ;;
        --binary) binary=$2; shift ;;
        --model) model=$2; shift ;;
        --work) work=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "reliability.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for value in "$trials" "$truncations" "$signal_trials" "$kill_trials" "$pipe_trials" "$seed"; do
    [[ "$value" =~ ^[0-9]+$ ]] || { echo "reliability.sh: counts and --seed are whole numbers, got '$value'" >&2; exit 2; }
done
for tool in ffmpeg ffprobe timeout; do
    command -v "$tool" >/dev/null || { echo "reliability.sh: $tool is needed" >&2; exit 2; }
done

if [ -z "$binary" ]; then
    for candidate in "$root"/.build-rel/release/clipseg "$root"/.build/release/clipseg "$root"/.build/debug/clipseg; do
        [ -x "$candidate" ] && { binary=$candidate; break; }
    done
fi
[ -n "$binary" ] && [ -x "$binary" ] || { echo "reliability.sh: no clipseg binary; build it or pass --binary" >&2; exit 2; }

work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/clipseg-reliability.XXXXXX")}
mkdir -p "$work/clips" "$work/run" "$work/failures"
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT

if [ -z "$model" ]; then
    model=$work/model
    mkdir -p "$model"
    fixture=$root/Tests/Fixtures/clipseg/p16-refined-bf16-clipvocab
    cp "$fixture"/{config.json,preprocessor_config.json,model.safetensors} "$model"/
    cp "$root"/Samples/models/shapes/{vocab.json,merges.txt} "$model"/
fi

RANDOM=$seed
# A random number in 0..<$1 (30 bits from bash's seeded generator).
random_below() { echo $(( ((RANDOM << 15) | RANDOM) % $1 )); }

# --- clips -------------------------------------------------------------------------------------------------
rate=10 seconds=2
make_clip() { # name seconds codec-args...
    local name=$1 length=$2; shift 2
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x120:rate=$rate:duration=$length" "$@" "$work/clips/$name" \
        || { echo "reliability.sh: ffmpeg could not make $name" >&2; exit 2; }
}
make_clip h264.mp4 $seconds -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 10
make_clip vp9.webm $seconds -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 200k -g 10
make_clip mjpeg.avi $seconds -c:v mjpeg -q:v 5
make_clip long.mp4 120 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 10
clips=(h264.mp4 vp9.webm mjpeg.avi)

# --- checks ------------------------------------------------------------------------------------------------
# Frames ffprobe counts in a file's first video stream (0 for a file with no video stream or none decoded);
# empty when the file does not probe.
probe_frames() {
    local frames
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1" \
        2>/dev/null) || return 0
    frames=$(head -n 1 <<< "$frames" | tr -d '[:space:],')
    [[ "$frames" =~ ^[0-9]+$ ]] && echo "$frames" || echo 0
}
# The summary's "written" count from a standard error file; empty when there is no counts line.
written_count() { sed -n 's/^frames: read [0-9]*, processed [0-9]*, dropped [0-9]*, written \([0-9]*\);.*/\1/p' "$1" | tail -n 1; }
last_line() { tr '\r' '\n' < "$1" | sed '/^[[:space:]]*$/d' | tail -n 1; }

# Checks the outputs of a finished run against its summary; prints a reason when something is wrong.
# outputs_problem STDERR VIDEO MASKS STATS
outputs_problem() {
    local err=$1 video=$2 masks=$3 stats=$4 written frames lines
    written=$(written_count "$err")
    if [ -z "$written" ]; then # No summary: the run failed before the pipeline; nothing may have been started.
        for file in "$video" "$masks"; do
            if [ -s "$file" ] && [ -z "$(probe_frames "$file")" ]; then echo "$(basename "$file") left unplayable"; return; fi
        done
        return
    fi
    if [ -n "$video" ]; then
        frames=$(probe_frames "$video")
        if [ "$written" = 0 ] && [ ! -s "$video" ]; then :
        elif [ -z "$frames" ]; then echo "video does not probe (summary: written $written)"; return
        elif [ "$frames" != "$written" ]; then echo "video has $frames frames, summary written $written"; return; fi
    fi
    if [ -n "$masks" ]; then
        frames=$(probe_frames "$masks")
        if [ "$written" = 0 ] && [ ! -s "$masks" ]; then :
        elif [ -z "$frames" ]; then echo "masks do not probe (summary: written $written)"; return
        elif [ "$frames" != "$written" ]; then echo "masks have $frames frames, summary written $written"; return; fi
    fi
    if [ -n "$stats" ]; then
        lines=$( [ -f "$stats" ] && wc -l < "$stats" | tr -d ' ' || echo 0)
        [ "$lines" = "$written" ] || { echo "stats has $lines lines, summary written $written"; return; }
    fi
}

# Checks the end of standard error: a one-line error on failure, the counts line on success.
stderr_problem() { # STATUS STDERR
    local status=$1 err=$2 last
    last=$(last_line "$err")
    if grep -qE 'Fatal error|Current stack trace|Sanitizer|Segmentation fault|Illegal instruction' "$err"; then
        echo "trap text on stderr: $(grep -m1 -E 'Fatal error|Sanitizer|Segmentation' "$err" | cut -c1-120)"
    elif [ "$status" = 0 ] || [ "$status" = 130 ] || [ "$status" = 143 ]; then # finished or interrupted
        [[ "$last" == "frames: read "* || "$last" == *"was closed by its reader; stopped early" ]] \
            || echo "exit $status but stderr ends: ${last:0:120}"
    elif [[ "$last" != "Error: "* ]]; then
        echo "exit $status but stderr ends: ${last:0:120}"
    fi
}

# --- tallies -----------------------------------------------------------------------------------------------
declare -A count crashes hangs invalid warned failed notes
sweeps=()
tally_init() { sweeps+=("$1"); count[$1]=0; crashes[$1]=0; hangs[$1]=0; invalid[$1]=0; warned[$1]=0; failed[$1]=0; notes[$1]=""; }
declare -A problems
note() { # SWEEP TEXT: an observation; the first two distinct ones are kept
    local existing=${notes[$1]}
    [[ "$existing" == *"$2"* ]] && return
    [ "$(grep -o ' | ' <<< "$existing" | wc -l)" -ge 1 ] && return
    notes[$1]="${existing:+$existing | }$2"
}
problem() { # SWEEP TEXT: a failure; the first three distinct ones are kept, listed before observations
    local existing=${problems[$1]:-}
    [[ "$existing" == *"$2"* ]] && return
    [ "$(grep -o ' | ' <<< "$existing" | wc -l)" -ge 2 ] && return
    problems[$1]="${existing:+$existing | }$2"
}
keep_reproducer() { # SWEEP INPUT STDERR REASON
    local dest; dest=$work/failures/$1-$(basename "$2")
    cp "$2" "$dest" 2>/dev/null; cp "$3" "$dest.stderr" 2>/dev/null; echo "$4" > "$dest.reason"
}

# Runs `clipseg segment` on INPUT with a timeout and checks it; used by the damaged and truncated sweeps.
media_trial() { # SWEEP INPUT
    local sweep=$1 input=$2 dir=$work/run status problem limit=$(( seconds * 10 > 20 ? seconds * 10 : 20 ))
    rm -rf "$dir"; mkdir -p "$dir"
    timeout -k 5 "$limit" "$binary" segment "$input" --model "$model" --prompt "a red circle" --threads 1 \
        -o "$dir/out.mp4" --masks "$dir/masks.y4m" --stats "$dir/stats.ndjson" </dev/null >/dev/null 2>"$dir/err"
    status=$?
    count[$sweep]=$(( count[$sweep] + 1 ))
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        hangs[$sweep]=$(( hangs[$sweep] + 1 )); problem "$sweep" "hang"; keep_reproducer "$sweep" "$input" "$dir/err" hang; return
    fi
    if [ "$status" -gt 128 ]; then
        crashes[$sweep]=$(( crashes[$sweep] + 1 )); problem "$sweep" "crash: signal $(( status - 128 ))"
        keep_reproducer "$sweep" "$input" "$dir/err" "status $status"; return
    fi
    [ "$status" = 0 ] || failed[$sweep]=$(( failed[$sweep] + 1 ))
    if [ "$(written_count "$dir/err")" = 0 ] && [ -s "$dir/out.mp4" ]; then
        note "$sweep" "0 frames written leaves a $(stat -c %s "$dir/out.mp4")-byte MP4 with $(ffprobe -v error \
            -show_entries format=nb_streams -of csv=p=0 "$dir/out.mp4" 2>/dev/null || echo '?') streams"
    fi
    grep -q '^warning: ' "$dir/err" && warned[$sweep]=$(( warned[$sweep] + 1 ))
    problem=$(stderr_problem "$status" "$dir/err")
    [ -z "$problem" ] && [ "$status" != 0 ] && [ "$status" != 1 ] && problem="unexpected exit status $status"
    [ -z "$problem" ] && problem=$(outputs_problem "$dir/err" "$dir/out.mp4" "$dir/masks.y4m" "$dir/stats.ndjson")
    if [ -n "$problem" ]; then
        invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$problem"
        keep_reproducer "$sweep" "$input" "$dir/err" "$problem"
    fi
}

# Overwrites 1-16 runs of 1-8 random bytes at random offsets of a copy of a clip (bash's seeded RANDOM).
damage() { # SOURCE DEST
    local size offset length bytes i j
    cp "$1" "$2"; size=$(stat -c %s "$2")
    for (( i = 0; i < 1 + RANDOM % 16; i++ )); do
        offset=$(random_below "$size"); length=$(( 1 + RANDOM % 8 )); bytes=""
        for (( j = 0; j < length; j++ )); do bytes+=$(printf '\\x%02x' $(( RANDOM % 256 ))); done
        printf "$bytes" | dd of="$2" bs=1 seek="$offset" conv=notrunc status=none
    done
}

tally_init damaged
tally_init truncated
for clip in "${clips[@]}"; do
    for (( t = 0; t < trials; t++ )); do
        damaged_copy=$work/clips/damaged-$t-$clip
        damage "$work/clips/$clip" "$damaged_copy"
        media_trial damaged "$damaged_copy"
        rm -f "$damaged_copy"
    done
    size=$(stat -c %s "$work/clips/$clip")
    for (( t = 1; t <= truncations; t++ )); do
        cut_copy=$work/clips/cut-$t-$clip
        head -c $(( size * t / (truncations + 1) + RANDOM % 97 )) "$work/clips/$clip" > "$cut_copy"
        media_trial truncated "$cut_copy"
        rm -f "$cut_copy"
    done
done

# --- signals -----------------------------------------------------------------------------------------------
# Waits up to $2 seconds for process $1 to end; 0 when it did.
wait_exit() { local i; for (( i = 0; i < $2 * 10; i++ )); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
# Sleeps until FILE has at least N lines or the process ends.
wait_lines() { # FILE N PID
    while kill -0 "$3" 2>/dev/null; do
        [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
}

signal_trial() { # SWEEP SIGNAL EXPECTED-STATUS TRIAL
    local sweep=$1 sig=$2 expected=$3 dir=$work/run status problem realtime=() at pid
    rm -rf "$dir"; mkdir -p "$dir"
    # Half the trials live (--realtime, frames dropped before the model), half lossless (the fixture
    # model reads the 1200 frames in about three seconds): the signal after a random delay within the run.
    if (( $4 % 4 >= 2 )); then realtime=(--realtime); at=$(( 300 + RANDOM % 12000 )); else at=$(( 50 + RANDOM % 2500 )); fi
    "$binary" segment "$work/clips/long.mp4" --model "$model" --prompt "a red circle" --threads 1 "${realtime[@]}" \
        -o "$dir/out.mp4" --masks "$dir/masks.y4m" --stats "$dir/stats.ndjson" </dev/null >/dev/null 2>"$dir/err" &
    pid=$!
    sleep "$(( at / 1000 )).$(printf '%03d' $(( at % 1000 )))"
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
    [ -z "$problem" ] && problem=$(stderr_problem "$status" "$dir/err")
    [ -z "$problem" ] && [ "$status" != 0 ] && ! grep -q 'interrupted' "$dir/err" && problem="no 'interrupted' summary"
    [ -z "$problem" ] && [ -z "$(written_count "$dir/err")" ] && problem="no counts line"
    [ -z "$problem" ] && problem=$(outputs_problem "$dir/err" "$dir/out.mp4" "$dir/masks.y4m" "$dir/stats.ndjson")
    if [ -n "$problem" ]; then
        invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$problem ($sig at $at)"
        cp "$dir/err" "$work/failures/$sweep-$4.stderr"
    fi
}

declare -A ended_first early
tally_init SIGINT
tally_init SIGTERM
for (( t = 0; t < signal_trials; t++ )); do
    if (( t % 2 )); then signal_trial SIGTERM TERM 143 "$t"; else signal_trial SIGINT INT 130 "$t"; fi
done
for sweep in SIGINT SIGTERM; do
    [ "${count[$sweep]}" -gt 0 ] && note "$sweep" "${ended_first[$sweep]:-0} ended before the signal (exit 0), ${early[$sweep]:-0} signalled during setup (no outputs yet, no summary)"
done

# SIGKILL with --fragmented: what was written plays (no decode errors) and holds the frames up to two
# fragments (1 s each, a keyframe per second) plus the encoder's delay (x264 veryfast: 10 frames of
# lookahead, frame threads) before the last statistics line written at the kill.
tally_init "SIGKILL --fragmented"
most_lost=0
for (( t = 0; t < kill_trials; t++ )); do
    sweep="SIGKILL --fragmented" dir=$work/run
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
[ "${count[SIGKILL --fragmented]}" -gt 0 ] && note "SIGKILL --fragmented" "at most $most_lost frames lost after the last fragment"

# Closed standard output: the mask stream's reader stops after a few bytes.
tally_init "closed stdout"
for (( t = 0; t < pipe_trials; t++ )); do
    sweep="closed stdout" dir=$work/run
    rm -rf "$dir"; mkdir -p "$dir"
    bytes=$(( 1000 + RANDOM % 200000 ))
    timeout -k 5 300 bash -c '"$0" segment "$1" --model "$2" --prompt "a red circle" --threads 1 --masks - \
        -o "$3" --stats "$4" 2>"$5" </dev/null | head -c "$6" > /dev/null; exit ${PIPESTATUS[0]}' \
        "$binary" "$work/clips/long.mp4" "$model" "$dir/out.mp4" "$dir/stats.ndjson" "$dir/err" "$bytes"
    status=$?
    count[$sweep]=$(( count[$sweep] + 1 ))
    if [ "$status" = 124 ]; then hangs[$sweep]=$(( hangs[$sweep] + 1 )); problem "$sweep" "hang (head -c $bytes)"; continue; fi
    if [ "$status" -gt 128 ]; then
        crashes[$sweep]=$(( crashes[$sweep] + 1 )); problem "$sweep" "status $status (head -c $bytes)"; continue
    fi
    problem=""
    [ "$status" = 0 ] || problem="exit $status"
    [ -z "$problem" ] && problem=$(stderr_problem "$status" "$dir/err")
    [ -z "$problem" ] && problem=$(outputs_problem "$dir/err" "$dir/out.mp4" "" "$dir/stats.ndjson")
    if [ -n "$problem" ]; then invalid[$sweep]=$(( invalid[$sweep] + 1 )); problem "$sweep" "$problem (head -c $bytes)"; fi
done

# --- table -------------------------------------------------------------------------------------------------
printf '%-22s %7s %8s %6s %8s  %s\n' sweep trials crashes hangs invalid notes
total_bad=0
for sweep in "${sweeps[@]}"; do
    extra=""
    case "$sweep" in damaged|truncated) extra="exit 1: ${failed[$sweep]}, with warning: ${warned[$sweep]}" ;; esac
    text=${problems[$sweep]:-}
    for part in "$extra" "${notes[$sweep]}"; do [ -n "$part" ] && text="${text:+$text | }$part"; done
    printf '%-22s %7d %8d %6d %8d  %s\n' "$sweep" "${count[$sweep]}" "${crashes[$sweep]}" "${hangs[$sweep]}" \
        "${invalid[$sweep]}" "${text:--}"
    total_bad=$(( total_bad + crashes[$sweep] + hangs[$sweep] + invalid[$sweep] ))
done
echo "seed $seed; clips: ${clips[*]} (${seconds} s, 160x120, ${rate} fps); binary $binary"
[ "$keep" = 1 ] && echo "work folder: $work (reproducers in failures/)"
[ "$total_bad" = 0 ]

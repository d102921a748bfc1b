# Overload soak (sourced by Tools/reliability.sh): `clipseg segment --realtime` replays a 30 fps 640x480
# clip of $soak_minutes minutes with the model in $soak_model (the full-size random checkpoint from
# `Tools/make_fixtures.py --full` is far slower than real time, so most frames are dropped before the
# model; keep-frames writes every one). Resident memory (VmRSS of /proc/PID/status) is sampled every
# $soak_interval seconds; the trial passes when
#   - the run ends by itself (exit 0) with the counts line, no later than 2 minutes after the clip's end;
#   - the video and the statistics hold the summary's "written" frames, every frame read (keep-frames);
#   - resident memory after the first minute stays within ±5% of its value at the first minute
#     (drift = the largest deviation, signed, in the table's drift column).
# Reported: drops, latency p50/p99 (the summary's, over the last 300 processed frames), RSS at 1 min and
# at the end, frames processed. The samples are kept in $work/soak/rss.tsv (seconds, kB).

soak_interval=5

sweep_soak() {
    local sweep="soak ${soak_minutes} min realtime" dir=$work/soak seconds=$(( soak_minutes * 60 )) pid status start
    local now rss reason="" base="" low="" high="" last="" worst=0 worst_signed=0 read written dropped processed
    tally_init "$sweep"
    mkdir -p "$dir"
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=640x480:rate=30:duration=$seconds" -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -g 30 "$dir/clip.mp4" || { judge "$sweep" 0 "ffmpeg could not make the clip" clip; return; }
    : > "$dir/rss.tsv"
    start=$(date +%s)
    timeout -k 10 $(( seconds + 120 )) "$binary" segment "$dir/clip.mp4" --model "$soak_model" --prompt "a red circle" \
        --realtime -o "$dir/out.mp4" --stats "$dir/stats.ndjson" </dev/null >/dev/null 2>"$dir/err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        # timeout's child is clipseg (the relaunch for BLAS kernels keeps the process id: exec).
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$(pgrep -P "$pid" | head -n 1)/status" 2>/dev/null)
        now=$(( $(date +%s) - start ))
        [ -n "$rss" ] && printf '%d\t%d\n' "$now" "$rss" >> "$dir/rss.tsv"
        sleep "$soak_interval"
    done
    wait "$pid"; status=$?

    # Drift after the first minute, relative to the first sample at or after 60 s.
    read -r base low high last <<< "$(awk '$1 >= 60 { if (base == "") base = $2; if (low == "" || $2 < low) low = $2
        if ($2 > high) high = $2; last = $2 } END { print base, low, high, last }' "$dir/rss.tsv")"
    if [ -n "$base" ] && [ "$base" -gt 0 ]; then
        worst_signed=$(awk -v b="$base" -v l="$low" -v h="$high" 'BEGIN { up = (h - b) / b * 100; down = (l - b) / b * 100
            printf "%+.1f", (up >= -down ? up : down) }')
        worst=${worst_signed#[+-]}
        drift[$sweep]="${worst_signed}%"
    fi
    [ "$status" = 0 ] || reason="exit $status"
    [ -z "$reason" ] && reason=$(stderr_problem "$status" "$dir/err")
    [ -z "$reason" ] && reason=$(outputs_problem "$dir/err" "$dir/out.mp4" "" "$dir/stats.ndjson")
    read=$(read_count "$dir/err"); written=$(written_count "$dir/err")
    dropped=$(dropped_count "$dir/err"); processed=$(processed_count "$dir/err")
    [ -z "$reason" ] && [ "$written" != "$read" ] && reason="written $written of $read frames read (keep-frames)"
    [ -z "$reason" ] && [ -z "$base" ] && reason="no memory sample after the first minute"
    [ -z "$reason" ] && awk -v w="$worst" 'BEGIN { exit !(w > 5) }' && reason="memory drift ${worst_signed}% after the first minute"
    judge "$sweep" "$status" "$reason" "soak" "$dir/err"
    note "$sweep" "read $read, processed $processed, dropped $dropped, written $written; latency $(latency_text "$dir/err")" 3
    [ -n "$base" ] && note "$sweep" "RSS $(( base / 1024 )) MiB at 1 min, $(( low / 1024 ))-$(( high / 1024 )) MiB after, $(( last / 1024 )) MiB at the end ($(wc -l < "$dir/rss.tsv") samples)" 3
}

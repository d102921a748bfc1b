# Camera faults through the fake V4L2 device of Tests/FakeCamera (LD_PRELOAD), sourced by Tools/reliability.sh.
#
# Each case runs `clipseg segment` on the fake camera (160x120, 30 fps) with a video, a y4m mask stream
# and statistics, under a fault the fake injects, $camera_rounds times. A case passes when the exit status
# is the expected one, standard error holds the expected one-line message, every line of it is a one-line
# message (warning:, Error:, clipseg:, the progress and summary lines: no stray library output), and
# the outputs agree with the summary: the video and the masks probe with ffprobe and hold exactly the
# "written" count of frames, the statistics one line per written frame; a run that failed before the
# pipeline started leaves no unplayable file.

camera_device=/tmp/clipseg-reliability-cam0

# Builds the fake camera library into the work folder (a second or two with cc).
build_fake_camera() {
    fakecam=$work/libclipseg-fakecam.so
    cc -O2 -Wall -shared -fPIC -o "$fakecam" "$root"/Tests/FakeCamera/*.c -ldl -lpthread 2>"$work/fakecam.log" \
        || { echo "reliability.sh: cannot build the fake camera (see $work/fakecam.log)" >&2; return 1; }
}

# Periods the camera skipped, from the statistics' frame times (30 fps): gaps longer than one period.
skipped_periods() { # STATS
    awk -F'"time":' 'NF > 1 { split($2, a, /[,}]/); t = a[1] + 0
        if (n++) { gap = int((t - last) * 30 + 0.5); if (gap > 1) skipped += gap - 1 } last = t }
        END { print skipped + 0 }' "$1"
}

# camera_case NAME EXPECTED-STATUS PATTERN EXTENSION [VAR=VALUE...] -- [clipseg options...]
# PATTERN: an extended regular expression one line of stderr must match. EXTENSION: of the video (mkv, mp4).
# A case named "SIGINT..." sends SIGINT to clipseg once 30 frames are written instead of waiting for the end.
camera_case() {
    local name=$1 expected=$2 pattern=$3 extension=$4 dir=$work/run envs=() status pid reason="" extra=""
    shift 4
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    rm -rf "$dir"; mkdir -p "$dir"
    local video=$dir/v.$extension masks=$dir/m.y4m stats=$dir/s.ndjson
    local command=(env LD_PRELOAD="$fakecam" CLIPSEG_FAKECAM_PATH="$camera_device" CLIPSEG_FAKECAM_SIZES=160x120
        CLIPSEG_FAKECAM_FPS=30 "${envs[@]}" timeout -k 5 60 "$binary" segment "$camera_device" --model "$model"
        --prompt "a red circle" --threads 1 --camera-size 160x120 --fps 30 -o "$video" --masks "$masks" --stats "$stats" "$@")
    if [[ "$name" == SIGINT* ]]; then
        "${command[@]}" </dev/null >/dev/null 2>"$dir/err" &
        pid=$!
        wait_lines "$stats" 30 "$pid"
        signal_child "$pid" INT
        wait "$pid"; status=$?
    else
        "${command[@]}" </dev/null >/dev/null 2>"$dir/err"; status=$?
    fi
    [[ "$status" =~ ^($expected)$ ]] || reason="exit $status, expected $expected ($(last_line "$dir/err" | cut -c1-80))"
    [ -z "$reason" ] && reason=$(stderr_problem "$status" "$dir/err")
    [ -z "$reason" ] && ! tr '\r' '\n' < "$dir/err" | grep -q -E "$pattern" && reason="no line matching '$pattern' on stderr"
    [ -z "$reason" ] && extra=$(stray_stderr "$dir/err") && [ -n "$extra" ] && reason="stray stderr line: $extra"
    [ -z "$reason" ] && reason=$(outputs_problem "$dir/err" "$video" "$masks" "$stats")
    if [ -z "$reason" ]; then # What each case is about, beyond the generic checks.
        local read written dropped processed skipped
        read=$(read_count "$dir/err"); written=$(written_count "$dir/err")
        dropped=$(dropped_count "$dir/err"); processed=$(processed_count "$dir/err")
        case "$name" in
            "disconnect, slow model"*keep*)
                [ "${dropped:-0}" -gt 0 ] && [ "$written" = "$read" ] || reason="dropped $dropped, written $written of $read"
                [ -z "$reason" ] && note "$sweep" "slow model: $dropped of $read dropped before the model, all written" 3 ;;
            "disconnect, slow model"*processed*)
                [ "${dropped:-0}" -gt 0 ] && [ "$written" = "$processed" ] || reason="dropped $dropped, written $written, processed $processed" ;;
            "dropped buffers"*)
                skipped=$(skipped_periods "$stats")
                [ "$skipped" -gt 0 ] || reason="no gap in the frame times"
                [ -z "$reason" ] && note "$sweep" "30% dropped buffers: $skipped periods skipped over $written frames, times keep the gaps" 3 ;;
        esac
    fi
    judge "$sweep" "$status" "$reason" "$name" "$dir/err"
}

sweep_camera() {
    local round sweep="camera faults"
    tally_init "$sweep"
    build_fake_camera || { problem "$sweep" "fake camera not built"; invalid[$sweep]=1; return; }
    for (( round = 0; round < camera_rounds; round++ )); do
        camera_case "disconnect (mkv)" 0 'warning: camera .* disconnected after 45 frames$' mkv \
            CLIPSEG_FAKECAM_DISCONNECT_AFTER=45 --
        camera_case "disconnect (mp4 faststart)" 0 'disconnected after 45 frames$' mp4 CLIPSEG_FAKECAM_DISCONNECT_AFTER=45 --
        camera_case "disconnect (fragmented mp4)" 0 'disconnected after 45 frames$' mp4 \
            CLIPSEG_FAKECAM_DISCONNECT_AFTER=45 -- --fragmented
        camera_case "disconnect (MJPEG camera)" 0 'disconnected after 40 frames$' mkv \
            CLIPSEG_FAKECAM_FORMATS=MJPG CLIPSEG_FAKECAM_DISCONNECT_AFTER=40 --
        camera_case "unplugged before a frame" 1 '^Error: camera .* was unplugged before its first frame$' mkv \
            CLIPSEG_FAKECAM_DISCONNECT_AFTER=0 --
        camera_case "disconnect, slow model, keep-frames" 0 'disconnected after 60 frames$' mkv \
            CLIPSEG_FAKECAM_DISCONNECT_AFTER=60 -- --size 1024
        camera_case "disconnect, slow model, processed-only" 0 'disconnected after 60 frames$' mkv \
            CLIPSEG_FAKECAM_DISCONNECT_AFTER=60 -- --size 1024 --processed-only
        camera_case "stall 2 s" 0 'frames resumed after' mkv \
            CLIPSEG_FAKECAM_STALL_AFTER=15 CLIPSEG_FAKECAM_STALL_SECONDS=2 CLIPSEG_FAKECAM_DISCONNECT_AFTER=40 --
        camera_case "stall past the 10 s limit" 1 '^Error: camera .*: no frame for 10 s, giving up$' mp4 \
            CLIPSEG_FAKECAM_STALL_AFTER=20 CLIPSEG_FAKECAM_STALL_SECONDS=30 --
        camera_case "dropped buffers 30%" 0 'disconnected after 60 frames$' mkv \
            CLIPSEG_FAKECAM_DROP_PERCENT=30 CLIPSEG_FAKECAM_DISCONNECT_AFTER=60 --
        camera_case "refused format (EINVAL)" 1 '^Error: camera .*: format RGB24 160x120 refused \(Invalid argument\)$' mp4 \
            CLIPSEG_FAKECAM_REFUSE_FORMAT=einval --
        camera_case "refused size" 1 '^Error: camera .*: format RGB24 160x120 refused \(the driver set YUYV 320x240\)$' mp4 \
            CLIPSEG_FAKECAM_SIZES=320x240,160x120 CLIPSEG_FAKECAM_REFUSE_FORMAT=size --
        camera_case "busy at open" 1 '^Error: camera .* is busy \(another program is using it\)$' mp4 CLIPSEG_FAKECAM_BUSY=open --
        camera_case "busy at stream-on" 1 '^Error: camera .* is busy' mp4 CLIPSEG_FAKECAM_BUSY=stream --
        camera_case "not a capture device" 1 '^Error: .*: not a video capture device' mp4 CLIPSEG_FAKECAM_NOT_CAPTURE=1 --
        camera_case "no such camera" 1 '^Error: ' mp4 CLIPSEG_FAKECAM_PATH=/tmp/clipseg-reliability-elsewhere --
        camera_case "SIGINT while capturing" 130 '^interrupted: ' mkv --
    done
}

#!/usr/bin/env bash
# Reliability sweeps for `clipseg segment` (issue 5), one table for all of them.
#
#   Tools/reliability.sh [--sweeps LIST] [--trials N] [--truncations N] [--signal-trials N] [--kill-trials N]
#                        [--pipe-trials N] [--camera-rounds N] [--soak-minutes N --soak-model DIR]
#                        [--sanitizers] [--asan-binary PATH] [--tsan-binary PATH]
#                        [--seed S] [--binary PATH] [--model DIR] [--work DIR] [--keep]
#
# Sweeps (--sweeps, comma-separated; default media,signals,camera,options, plus soak with --soak-minutes
# and sanitizers with --sanitizers), each in Tools/reliability/:
#   media       damaged (N random byte overwrites of each 2 s clip: H.264 MP4, VP9 WebM, MJPEG AVI) and
#               truncated copies (N cut points each)                                          media.sh
#   signals     SIGINT/SIGTERM at random points of a 120 s clip; SIGKILL with --fragmented output;
#               closed standard output (--masks - | head -c BYTES)                             signals.sh
#   camera      faults of the fake V4L2 camera (Tests/FakeCamera): disconnects, stalls, dropped
#               buffers, refused formats, busy device, SIGINT while capturing                  camera.sh
#   options     bad prompts (empty, over 77 tokens), bad --control input (invalid UTF-8, unknown
#               commands), contradictory and out-of-range options                              options.sh
#   soak        --realtime replay of a 30 fps clip for N minutes with a big model (--soak-model,
#               e.g. the full-size random checkpoint): resident memory drift after the first
#               minute (±5%), drops, latency p50/p99                                           soak.sh
#   sanitizers  clipseg built with --sanitize=address and --sanitize=thread (debug, .build-asan and
#               .build-tsan; or --asan-binary/--tsan-binary) on a few runs of the tiny models  sanitizers.sh
# Every run has a timeout. A trial counts as
#   crash    killed by a signal (status > 128) other than the one the trial sends
#   hang     still running at its timeout
#   invalid  an output that does not probe with ffprobe, or whose frame count differs from the summary's
#            "written" count (video, masks, statistics lines); a standard error that does not end in a
#            one-line "Error: ..." (failure) or the summary's counts line (success), or lacks the message
#            the trial expects; a sanitizer report; the wrong exit status; memory drift over 5% (soak).
# The model is the fixture p16-refined-bf16-clipvocab with the CLIP tokenizer unless --model is given.
# Prints one table; exit status 0 when every trial passed. With --keep the work folder (reproducers in
# failures/) is left in place. Not part of `make test`: a full run takes hours (see Tools/RELIABILITY.md).
set -u -o pipefail

trials=200 truncations=10 signal_trials=20 kill_trials=6 pipe_trials=3 camera_rounds=1 seed=1 keep=0
soak_minutes=0 soak_model="" sanitizers=0 asan_binary="" tsan_binary="" sweep_list=""
root=$(cd "$(dirname "$0")/.." && pwd)
binary="" model="" work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --sweeps) sweep_list=$2; shift ;;
        --trials) trials=$2; shift ;;
        --truncations) truncations=$2; shift ;;
        --signal-trials) signal_trials=$2; shift ;;
        --kill-trials) kill_trials=$2; shift ;;
        --pipe-trials) pipe_trials=$2; shift ;;
        --camera-rounds) camera_rounds=$2; shift ;;
        --soak-minutes) soak_minutes=$2; shift ;;
        --soak-model) soak_model=$2; shift ;;
        --sanitizers) sanitizers=1 ;;
        --asan-binary) asan_binary=$2; shift ;;
        --tsan-binary) tsan_binary=$2; shift ;;
        --seed) seed=$2; shift ;;
        --binary) binary=$2; shift ;;
        --model) model=$2; shift ;;
        --work) work=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "reliability.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for value in "$trials" "$truncations" "$signal_trials" "$kill_trials" "$pipe_trials" "$camera_rounds" "$seed" "$soak_minutes"; do
    [[ "$value" =~ ^[0-9]+$ ]] || { echo "reliability.sh: counts and --seed are whole numbers, got '$value'" >&2; exit 2; }
done
if [ -z "$sweep_list" ]; then
    sweep_list=media,signals,camera,options
    [ "$soak_minutes" -gt 0 ] && sweep_list+=,soak
    [ "$sanitizers" = 1 ] && sweep_list+=,sanitizers
fi
IFS=, read -r -a selected <<< "$sweep_list"
for name in "${selected[@]}"; do
    case "$name" in media|signals|camera|options|soak|sanitizers) ;;
        *) echo "reliability.sh: unknown sweep '$name' (media, signals, camera, options, soak, sanitizers)" >&2; exit 2 ;;
    esac
done
if [[ ",$sweep_list," == *,soak,* ]]; then
    [ "$soak_minutes" -gt 0 ] && [ -n "$soak_model" ] && [ -f "$soak_model/config.json" ] \
        || { echo "reliability.sh: the soak needs --soak-minutes N (N > 0) and --soak-model DIR (a model folder)" >&2; exit 2; }
fi
for tool in ffmpeg ffprobe timeout cc awk; do
    command -v "$tool" >/dev/null || { echo "reliability.sh: $tool is needed" >&2; exit 2; }
done

if [ -z "$binary" ]; then
    for candidate in "$root"/.build-rel/release/clipseg "$root"/.build/release/clipseg "$root"/.build/debug/clipseg; do
        [ -x "$candidate" ] && { binary=$candidate; break; }
    done
fi
[ -n "$binary" ] && [ -x "$binary" ] || { echo "reliability.sh: no clipseg binary; build it or pass --binary" >&2; exit 2; }
absolute() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
binary=$(absolute "$binary")
[ -n "$model" ] && model=$(absolute "$model")
[ -n "$soak_model" ] && soak_model=$(absolute "$soak_model")
for value in asan_binary tsan_binary; do [ -n "${!value}" ] && printf -v "$value" '%s' "$(absolute "${!value}")"; done

work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/clipseg-reliability.XXXXXX")}
mkdir -p "$work/clips" "$work/run" "$work/failures"
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT

if [ -z "$model" ]; then
    model=$work/model
    mkdir -p "$model"
    cp "$root"/Tests/Fixtures/clipseg/p16-refined-bf16-clipvocab/{config.json,preprocessor_config.json,model.safetensors} "$model"/
    cp "$root"/Samples/models/shapes/{vocab.json,merges.txt} "$model"/
fi

for part in common media signals camera options soak sanitizers; do
    # shellcheck source=/dev/null
    source "$root/Tools/reliability/$part.sh"
done
RANDOM=$seed

# --- clips -------------------------------------------------------------------------------------------------
rate=10 seconds=2
make_clip() { # name seconds codec-args...
    local name=$1 length=$2; shift 2
    [ -f "$work/clips/$name" ] && return
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x120:rate=$rate:duration=$length" "$@" "$work/clips/$name" \
        || { echo "reliability.sh: ffmpeg could not make $name" >&2; exit 2; }
}
make_clip h264.mp4 $seconds -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 10
make_clip vp9.webm $seconds -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 200k -g 10
make_clip mjpeg.avi $seconds -c:v mjpeg -q:v 5
make_clip long.mp4 120 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 10
clips=(h264.mp4 vp9.webm mjpeg.avi)

started=$(date +%s)
for name in "${selected[@]}"; do
    "sweep_$name"
done

minutes=$(( ($(date +%s) - started + 59) / 60 ))
trailer=("$(date -u +%F) seed $seed; $minutes min; clips: ${clips[*]} (${seconds} s, 160x120, ${rate} fps); binary $binary")
[ "$keep" = 1 ] && trailer+=("work folder: $work (reproducers in failures/)")
print_table "${trailer[@]}"

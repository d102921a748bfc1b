#!/usr/bin/env bash
# Builds one libFuzzer target (or all) with AddressSanitizer + LeakSanitizer and fuzzes it for a
# bounded time. Exit status 0 only when every target ran its time with no crash, hang, leak or
# out-of-memory; otherwise libFuzzer's report is in the output and the input under artifacts/.
#
#   Tests/Fuzz/run.sh TARGET SECONDS [libFuzzer options...]
#   TARGET: safetensors | torch-checkpoint | prompt | tokenizer-files | config | media | all (each for SECONDS)
#
# Environment:
#   FUZZ_WORK          corpora, seeds and artifacts (default: .build-fuzz/work in the checkout;
#                      the corpus grows across runs, seeds are rewritten every run)
#   FUZZ_SCRATCH_PATH  SwiftPM build folder (default: .build-fuzz in the checkout)
#   FUZZ_SKIP_BUILD=1  use the binaries already in FUZZ_SCRATCH_PATH
# Per-input limits: -timeout=10 (a hang), -rss_limit_mb=2048 (4096 for media), plus any options given.
set -euo pipefail

usage() { echo "usage: $0 safetensors|torch-checkpoint|prompt|tokenizer-files|config|media|all SECONDS [libFuzzer options...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
target=$1 seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || usage
targets=(safetensors torch-checkpoint prompt tokenizer-files config media)
if [ "$target" = all ]; then selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $target "* ]]; then selected=("$target")
else usage
fi

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$fuzz_dir/../.." && pwd)
scratch=${FUZZ_SCRATCH_PATH:-$repo/.build-fuzz}
work=${FUZZ_WORK:-$repo/.build-fuzz/work}

export SWIFT_BACKTRACE=enable=no          # let libFuzzer/ASan report crashes, not Swift's backtracer
export CLIPSEG_FUZZ_REPOSITORY=$repo      # fixtures and the sample tokenizer
export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0}

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    for name in "${selected[@]}"; do
        # Release (-O) for speed; -enable-testing for the @testable imports of internal parsers.
        swift build -c release --package-path "$fuzz_dir" --scratch-path "$scratch" --product "fuzz-$name" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing 2>&1 | grep -v "Cannot export local symbol" || true
        [ -x "$scratch/release/fuzz-$name" ] || { echo "run.sh: building fuzz-$name failed" >&2; exit 1; }
    done
fi

# Small media files of many containers and codecs, made by the ffmpeg tool (a few KB each). Every
# source is finite and each ffmpeg run is bounded in time and memory.
make_media_seeds() (
    ulimit -v 4000000
    local out=$1 src="testsrc2=size=48x32:rate=10:duration=1"
    local ff=(timeout 60 ffmpeg -nostdin -hide_banner -loglevel error -y)
    "${ff[@]}" -f lavfi -i "$src" -frames:v 5 -c:v libx264 -preset ultrafast -g 3 -bf 1 -pix_fmt yuv420p "$out/h264.mp4"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 4 -c:v libx264 -preset ultrafast -pix_fmt yuv444p "$out/h264-444.mkv"
    "${ff[@]}" -i "$out/h264.mp4" -c copy -metadata:s:v rotate=90 "$out/h264-rotated.mov"   # display matrix
    "${ff[@]}" -f lavfi -i "testsrc2=size=31x17:rate=25:duration=1" -frames:v 4 -c:v libx264 -preset ultrafast -pix_fmt yuv444p "$out/h264-odd.mkv"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 4 -c:v libx264 -preset ultrafast -f mpegts "$out/h264.ts"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 4 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 "$out/vp9.webm"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 4 -c:v libvpx -deadline realtime -cpu-used 8 "$out/vp8.webm"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 3 -c:v ffv1 -level 3 -slices 4 "$out/ffv1.mkv"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 3 -c:v mjpeg -q:v 8 "$out/mjpeg.avi"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 3 -c:v mpeg4 -q:v 8 "$out/mpeg4.avi"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 2 -pix_fmt yuv420p -f yuv4mpegpipe "$out/raw.y4m"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 3 -vf "split[a][b];[a]palettegen[p];[b][p]paletteuse" "$out/anim.gif"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 1 "$out/still.png"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 1 -pix_fmt rgba "$out/still-alpha.png"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 1 -q:v 5 "$out/still.jpg"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 1 "$out/still.bmp"
    "${ff[@]}" -f lavfi -i "$src" -frames:v 1 "$out/still.tiff"
    "${ff[@]}" -i "$repo/Samples/videos/shapes.mp4" -frames:v 4 -vf scale=64:36 -c:v libx264 -preset ultrafast "$out/shapes-sample.mp4"
    for png in "$repo"/Tests/Fixtures/clipseg/*/photo.png; do cp "$png" "$out/fixture-$(basename "$(dirname "$png")").png"; done
)

status=0
for name in "${selected[@]}"; do
    bin="$scratch/release/fuzz-$name"
    dir="$work/$name"
    rm -rf "$dir/seeds"
    mkdir -p "$dir/seeds" "$dir/corpus" "$dir/artifacts"
    "$bin" --write-seeds "$dir/seeds"
    [ "$name" = media ] && make_media_seeds "$dir/seeds"
    options=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
    [ "$name" = media ] && options+=(-rss_limit_mb=4096) || options+=(-rss_limit_mb=2048)
    [ -f "$fuzz_dir/Dictionaries/$name.dict" ] && options+=(-dict="$fuzz_dir/Dictionaries/$name.dict")
    echo "=== fuzz-$name: ${seconds}s, seeds $(ls "$dir/seeds" | wc -l), corpus $(ls "$dir/corpus" | wc -l) ==="
    log="$dir/last-run.log"
    if "$bin" "${options[@]}" "$@" "$dir/corpus" "$dir/seeds" >"$log" 2>&1; then result=ok; else result="FAILED (exit $?)"; status=1; fi
    # The last libFuzzer status line and the final statistics, then the report of a failure.
    grep -E '^#[0-9]+' "$log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    if [ "$result" != ok ]; then
        grep -E -A40 'ERROR: |FuzzCheck failed|Test unit written' "$log" | head -80 || true
    fi
    echo "=== fuzz-$name: $result (log: $log) ==="
done
exit $status

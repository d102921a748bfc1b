#!/usr/bin/env bash
# Side-by-side benchmark of our clipseg against transformers and ONNX Runtime, in one go on this machine.
#
#   Benchmarks/compare.sh [MODEL_DIR] [THREADS] [options for compare.py …]
#
# MODEL_DIR: the full-size random checkpoint from `Tools/make_fixtures.py --full DIR` (default
#            $CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64 in the repository).
# THREADS:   threads for every engine (default 2).
# Options:   --runs R --warmup W (default 10 / 2), --clipseg BIN (default $CLIPSEG_BIN, else
#            .build/release/clipseg), --precisions bf16,int8, --prompt TEXT, --json-out FILE,
#            --reference-json FILE (reuse a reference_benchmark.py result), --work DIR.
# Environment: CLIPSEG_BENCH_PYTHON (the Python with torch, transformers, …; default .bench/venv/bin/python),
#            CLIPSEG_BENCH_CACHE (default .bench/cache: ONNX files, the clip, outputs),
#            CLIP_SECONDS (default 10; a shorter clip for smoke tests).
#
# Makes the 640×480 30 fps clip with the ffmpeg CLI (once), then runs compare.py, which prints one table with
# the ratios and the issue-7 targets. Rows of ours that cannot run (no binary, no `bench` yet) read "n/a".
# See Benchmarks/README.md for the columns and the variables. Heavy: minutes of both cores; do not loop it on
# shared machines.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repository=$(dirname "$here")
if [ $# -gt 0 ] && [ "${1:0:1}" = "-" ]; then
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
fi
model=${CLIPSEG_FULL_CHECKPOINT:-$repository/.bench/full-rd64}
if [ $# -gt 0 ] && ! [[ $1 =~ ^[0-9]+$ ]]; then
  model=$1
  shift
fi
threads=2
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  threads=$1
  shift
fi
python=${CLIPSEG_BENCH_PYTHON:-$repository/.bench/venv/bin/python}
cache=${CLIPSEG_BENCH_CACHE:-$repository/.bench/cache}
seconds=${CLIP_SECONDS:-10}
[ -f "$model/model.safetensors" ] || {
  echo "error: $model/model.safetensors not found: make it with Tools/make_fixtures.py --full DIR, then pass DIR" \
       "or set CLIPSEG_FULL_CHECKPOINT=DIR" >&2
  exit 1
}
[ -x "$python" ] || command -v "$python" >/dev/null || {
  echo "error: no Python at $python: set CLIPSEG_BENCH_PYTHON to a Python with the reference packages" \
       "(torch transformers safetensors pillow numpy av onnx onnxruntime), or make .bench/venv" >&2
  exit 1
}
"$python" "$here/bench_paths.py"  # every reference package there, or one line saying what to install
clip=$("$here/make_clip.sh" "$cache/clip-640x480-30fps-${seconds}s.mp4" "$seconds" 640x480 30)
exec "$python" "$here/compare.py" --model "$model" --clip "$clip" --threads "$threads" \
  --work "$cache/compare" "$@"

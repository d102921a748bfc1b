#!/usr/bin/env bash
# Writes the benchmark clip with the ffmpeg CLI: 10 s, 640×480, 30 fps, H.264 (yuv420p), no audio.
# Photo-like rather than flat test patterns: slowly moving colour gradients with a moving testsrc2 inset and
# temporal film-grain noise, so the decoder, the model and the encoder all see natural-ish content.
#
# Usage: Benchmarks/make_clip.sh OUT.mp4 [SECONDS] [WIDTHxHEIGHT] [FPS]
# Prints OUT.mp4. An existing OUT.mp4 is kept (delete it to regenerate).
set -euo pipefail
out=${1:?usage: make_clip.sh OUT.mp4 [SECONDS] [WIDTHxHEIGHT] [FPS]}
seconds=${2:-10}
size=${3:-640x480}
fps=${4:-30}
if [ -s "$out" ]; then echo "$out"; exit 0; fi
command -v ffmpeg >/dev/null || { echo "error: ffmpeg not found (apt-get install ffmpeg)" >&2; exit 1; }
width=${size%x*}
height=${size#*x}
mkdir -p "$(dirname "$out")"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "gradients=s=${size}:r=${fps}:d=${seconds}:n=4:speed=0.015:seed=11" \
  -f lavfi -i "testsrc2=s=$((width / 2))x$((height / 2)):r=${fps}:d=${seconds}" \
  -filter_complex "[0][1]overlay=x='(W-w)/2+(W-w)/2*sin(t*0.7)':y='(H-h)/2+(H-h)/2*cos(t*0.5)',noise=alls=12:allf=t,format=yuv420p" \
  -c:v libx264 -crf 18 -preset fast -t "$seconds" "$out.partial.mp4"
mv "$out.partial.mp4" "$out"
echo "$out"

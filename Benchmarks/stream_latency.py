#!/usr/bin/env python3
"""Capture → mask latency of a loopback RTSP stream against the same clip replayed from its file, in one run.

The clip (H.264 640×480 @ 30, no B-frames, keyframe every second; made here with the ffmpeg CLI) is segmented
twice per round, alternating: read from its file at its own rate (`--realtime`, frames stamped as captured when
a camera would have delivered them), and served by GStreamer's RTSP server (Tests/NetworkServers/rtsp_server.py
--file, at its own pace, over RTSP/TCP by default) to `clipseg segment rtsp://127.0.0.1:PORT/live`, which ends
when the stream does (exit 1, "stream lost (the stream ended)"). Both runs keep every frame (the live
default), write masks and statistics, and report capture → mask latency p50/p95 in their summary.

Prints one table (medians over the rounds) and the ratio RTSP p50 ÷ file p50; the target (issue 18) is ≤ 1.2.

Usage: stream_latency.py [--model DIR] [--rounds N] [--threads N] [--seconds S] [--transport tcp|udp]
Needs Debian's /usr/bin/python3 with python3-gi and gir1.2-gst-rtsp-server-1.0 (`make test-deps`), the ffmpeg
CLI, and our binary from `swift build -c release` (or $CLIPSEG_BIN). Default model: $CLIPSEG_FULL_CHECKPOINT
(the full-size random checkpoint), else the sample model. Quote the CPU with the numbers.
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_paths  # noqa: E402
from machine_info import describe  # noqa: E402
from our_binary import find_binary  # noqa: E402
from text_table import format_table, number  # noqa: E402

SERVER = os.path.join(bench_paths.REPOSITORY, "Tests", "NetworkServers", "rtsp_server.py")
PROMPTS = ("a red circle", "a blue square")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_clip(path: str, seconds: float) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size=640x480:rate=30:duration={seconds}",
                    "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-bf", "0",
                    "-pix_fmt", "yuv420p", path], check=True)


def segment(binary, source, model, threads, work, label, extra=()):
    """One run; the summary's counts and latency, or an error."""
    command = [binary, "segment", source, "--model", model, "--threads", str(threads), "-y",
               "--masks", os.path.join(work, f"{label}.y4m"), "--stats", os.path.join(work, f"{label}.ndjson"), *extra]
    for prompt in PROMPTS:
        command += ["--prompt", prompt]
    run = subprocess.run(command, capture_output=True, text=True)
    summary = run.stderr
    ended = run.returncode == 0 or "stream lost (the stream ended)" in summary or "stream lost (no data" in summary
    counts = re.search(r"frames: read (\d+), processed (\d+), dropped (\d+)", summary)
    latency = re.search(r"latency p50 (\d+) ms p95 (\d+) ms", summary)
    if not ended or not counts or not latency:
        return {"error": (summary.strip().splitlines() or [f"exit {run.returncode}"])[-1]}
    return {"read": int(counts.group(1)), "processed": int(counts.group(2)), "dropped": int(counts.group(3)),
            "p50": float(latency.group(1)), "p95": float(latency.group(2))}


def rtsp_run(binary, clip, model, threads, work, label, transport):
    port = free_port()
    server = subprocess.Popen(["/usr/bin/python3", SERVER, str(port), "--file", clip], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            return {"error": "the RTSP server did not start (make test-deps)"}
        return segment(binary, f"rtsp://127.0.0.1:{port}/live", model, threads, work, label,
                       ["--rtsp-transport", transport, "--stall-timeout", "3"])
    finally:
        server.kill()
        server.wait()


def median(results, key):
    values = [result[key] for result in results if key in result]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--transport", choices=["tcp", "udp"], default="tcp")
    parser.add_argument("--binary")
    options = parser.parse_args()
    binary = find_binary(options.binary, bench_paths.REPOSITORY)
    if not binary:
        sys.exit("no clipseg binary: run `swift build -c release` or set CLIPSEG_BIN")
    model = options.model
    if not model:
        full = bench_paths.full_checkpoint()
        model = full if os.path.isfile(os.path.join(full, "model.safetensors")) else \
            os.path.join(bench_paths.REPOSITORY, "Samples", "models", "shapes")
    with tempfile.TemporaryDirectory(prefix="clipseg-stream-latency-") as work:
        clip = os.path.join(work, "clip.mp4")
        make_clip(clip, options.seconds)
        files, streams = [], []
        for round_number in range(options.rounds):
            files.append(segment(binary, clip, model, options.threads, work, f"file{round_number}", ["--realtime"]))
            streams.append(rtsp_run(binary, clip, model, options.threads, work, f"rtsp{round_number}", options.transport))
            time.sleep(0.5)
    rows = []
    for name, results in (("file --realtime", files), (f"rtsp ({options.transport})", streams)):
        errors = [result["error"] for result in results if "error" in result]
        rows.append([name, len(results) - len(errors), number(median(results, "read"), 0),
                     number(median(results, "processed"), 0), number(median(results, "p50"), 0, " ms"),
                     number(median(results, "p95"), 0, " ms"), "; ".join(errors)[:80]])
    file_p50, rtsp_p50 = median(files, "p50"), median(streams, "p50")
    machine = describe()
    print(f"{machine['date']}: {machine['cpu']} ({', '.join(machine['cpu_features'])}), {machine['cores']} cores, "
          f"load {machine['load_average_start']} at the start")
    print(f"model {model}, {options.threads} threads, clip 640x480 @ 30 for {options.seconds:g} s, "
          f"{options.rounds} rounds (medians)")
    print(format_table(["source", "runs", "frames read", "processed", "p50", "p95", "errors"], rows))
    if file_p50 and rtsp_p50:
        ratio = rtsp_p50 / file_p50
        print(f"RTSP p50 / file p50 = {ratio:.2f} (target <= 1.2: {'met' if ratio <= 1.2 else 'missed'})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What the live preview (`segment --preview`) costs: CPU and latency of a live run without it, with it and nobody
watching, and with one viewer reading the MJPEG stream as fast as it can.

Each configuration runs the same generated clip as a camera (`--realtime`, 640×480 @ 30 by default) with
`--stats` as the only file output, REPEATS times, alternating:

    clipseg segment CLIP --model M --prompt P --realtime --stats OUT.ndjson [--preview 127.0.0.1:0]

Measured per run:
- process CPU (user + system, from wait4) over the run's wall time, in % of one core;
- the preview's own threads (`clipseg-preview*`: JPEG encoder, accept, viewer connections), read from
  /proc/PID/task shortly before the clip ends, in % of one core and as a share of the process's CPU then;
- fresh masks/s and capture → mask latency p50/p95 (the run's summary line);
- the preview's delay: hand-over of a composed picture to its last byte sent to the viewer, p50 (`/status`);
- pictures the viewer received per second.

Usage: preview_benchmark.py [--clipseg BIN] [--model DIR] [--prompt P] [--seconds S] [--size WxH] [--rate R]
                            [--repeats N] [--threads T] [--work DIR]
Defaults: .build/release/clipseg (or $CLIPSEG_BIN), the sample model Samples/models/shapes, "a red circle",
20 s of testsrc2 at 640x480 and 30 fps, 2 repeats, all cores. Standard library only (plus the ffmpeg CLI).
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_paths  # noqa: E402
from text_table import format_table, number, ratio  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def make_clip(path: str, seconds: float, size: str, rate: int) -> None:
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", str(rate), path], check=True)


def thread_cpu(pid: int) -> tuple:
    """(CPU seconds of the threads named clipseg-preview*, CPU seconds of the whole process) now."""
    preview = 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        if name.startswith("clipseg-preview"):
            preview += (int(fields[11]) + int(fields[12])) / TICKS
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return preview, (int(fields[11]) + int(fields[12])) / TICKS


class Viewer(threading.Thread):
    """Reads /video.mjpg as fast as it can and counts the pictures."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.pictures = 0
        self.started_at = None
        self.ended_at = None

    def run(self):
        marker = b"--clipsegframe"
        with socket.create_connection(("127.0.0.1", self.port)) as connection:
            connection.sendall(b"GET /video.mjpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            tail = b""
            self.started_at = time.monotonic()
            while True:
                data = connection.recv(1 << 16)
                if not data:
                    break
                chunk = tail + data
                self.pictures += chunk.count(marker)
                tail = chunk[-(len(marker) - 1):]
        self.ended_at = time.monotonic()


def http_get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = b""
        while True:
            data = connection.recv(1 << 16)
            if not data:
                return answer.split(b"\r\n\r\n", 1)[1]
            answer += data


def one_run(args, clip: str, mode: str, index: int) -> dict:
    out = os.path.join(args.work, f"{mode}-{index}.ndjson")
    command = [args.clipseg, "segment", clip, "--model", args.model, "--prompt", args.prompt, "--realtime",
               "--stats", out, "-y"]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if mode != "none":
        command += ["--preview", "127.0.0.1:0"]
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = []
    url = threading.Event()

    def read_stderr():
        for raw in child.stderr:
            for line in re.split(r"[\r\n]", raw.decode(errors="replace")):
                lines.append(line)
                if line.startswith("clipseg: preview at "):
                    url.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    port = viewer = None
    if mode != "none":
        if not url.wait(60):
            child.kill()
            sys.exit("error: no preview address printed:\n" + "\n".join(lines[-20:]))
        address = next(line for line in lines if line.startswith("clipseg: preview at "))
        port = int(re.search(r":(\d+)/", address).group(1))
        if mode == "viewer":
            viewer = Viewer(port)
            viewer.start()
    # Sample the threads and the status shortly before the clip ends (the run is still going).
    time.sleep(max(0.0, args.seconds - 1.5 - (time.monotonic() - start)))
    preview_cpu, process_cpu = thread_cpu(child.pid)
    sampled_wall = time.monotonic() - start
    status = json.loads(http_get(port, "/status")) if port else None
    _, exit_status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    if exit_status != 0:
        sys.exit(f"error: {' '.join(command)} exited {exit_status}:\n" + "\n".join(lines[-20:]))
    summary = next((line for line in lines if line.startswith("frames: read ")), "")
    figures = {key: int(value) for key, value in re.findall(r"(read|processed|dropped|written) (\d+)", summary)}
    latency = re.search(r"latency p50 (\d+) ms p95 (\d+) ms", summary)
    if viewer:
        viewer.join(10)
    return {
        "cpu_percent": 100 * (usage.ru_utime + usage.ru_stime) / wall,
        "preview_percent": 100 * preview_cpu / sampled_wall,
        "preview_share": 100 * preview_cpu / process_cpu if process_cpu else None,
        "masks_per_second": figures.get("processed", 0) / wall,
        "written": figures.get("written"),
        "read": figures.get("read"),
        "p50": int(latency.group(1)) if latency else None,
        "p95": int(latency.group(2)) if latency else None,
        "delay_p50": status["preview"].get("delayP50Ms") if status else None,
        "encoded": status["preview"]["framesEncoded"] if status else None,
        "encode_p50": status["preview"].get("encodeP50Ms") if status else None,
        "viewer_fps": viewer.pictures / (viewer.ended_at - viewer.started_at) if viewer and viewer.ended_at else None,
    }


def median(values):
    values = sorted(value for value in values if value is not None)
    return values[len(values) // 2] if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    repository = os.path.dirname(HERE)
    parser.add_argument("--clipseg", default=os.environ.get("CLIPSEG_BIN") or os.path.join(repository, ".build/release/clipseg"))
    parser.add_argument("--model", default=os.path.join(repository, "Samples/models/shapes"))
    parser.add_argument("--prompt", default="a red circle")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--work", default=os.path.join(bench_paths.cache(), "preview"))
    args = parser.parse_args()
    if not os.access(args.clipseg, os.X_OK):
        sys.exit(f"error: no clipseg binary at {args.clipseg} (swift build -c release, or --clipseg BIN)")
    os.makedirs(args.work, exist_ok=True)
    clip = os.path.join(args.work, f"testsrc2-{args.size}-{args.rate}-{args.seconds:g}s.mp4")
    make_clip(clip, args.seconds, args.size, args.rate)
    modes = [("none", "no preview"), ("idle", "--preview, nobody watching"), ("viewer", "--preview, 1 viewer")]
    results = {mode: [] for mode, _ in modes}
    for index in range(args.repeats):
        for mode, _ in modes:
            results[mode].append(one_run(args, clip, mode, index))
            print(f"  run {index + 1}/{args.repeats} {mode}: {json.dumps(results[mode][-1])}", file=sys.stderr)
    frame_ms = 1000 / args.rate
    base = {key: median(run[key] for run in results["none"]) for key in results["none"][0]}
    rows = []
    for mode, title in modes:
        m = {key: median(run[key] for run in results[mode]) for key in results[mode][0]}
        rows.append([title, number(m["cpu_percent"], 0, " %"), ratio(m["cpu_percent"], base["cpu_percent"]),
                     number(m["preview_percent"], 1, " %"), number(m["preview_share"], 1, " %"),
                     number(m["masks_per_second"], 1), m["p50"], m["p95"],
                     number(m["delay_p50"], 0), number(m["encode_p50"], 1), number(m["viewer_fps"], 1), m["encoded"],
                     f"{m['written']}/{m['read']}"])
    print(f"{args.size} @ {args.rate} fps, {args.seconds:g} s, model {os.path.basename(args.model)}, "
          f"prompt {args.prompt!r}, median of {args.repeats} runs; CPU in % of one core; frame time {frame_ms:.1f} ms")
    print(format_table(["configuration", "process CPU", "÷ none", "preview threads", "share", "masks/s",
                        "p50 ms", "p95 ms", "preview delay p50 ms", "JPEG ms", "viewer fps", "JPEGs", "written/read"], rows))


if __name__ == "__main__":
    main()

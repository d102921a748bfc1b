#!/usr/bin/env python3
"""What `--follow-motion` gains: IoU of the masks written for frames DROPPED before the model in a live run,
against masks computed on those very frames, with and without motion following.

1. A file run with nothing dropped gives every frame its own masks:
       clipseg segment CLIP --model M --prompt P… --masks full.y4m --threads T
2. Live runs of the same clip (`--realtime --keep-frames`, the clip replayed as a camera), once with
   `--no-follow-motion` and once with `--follow-motion` (REPEATS times each, alternating):
       clipseg segment CLIP --realtime --keep-frames --masks live.y4m --stats live.ndjson --threads T
   The frames whose NDJSON line has "mask_frame" were dropped and written with an older frame's masks.
3. For those frames, the union mask (luma ≥ 128) is compared with full.y4m's: IoU per frame (both empty
   counts 1), its mean, and the pooled IoU (Σ intersections / Σ unions). Frames the model saw are reported
   too (they differ from full passes only by token reuse).

Live runs drop different frames each time, so each row says how many it dropped and how far (in frames)
their masks were from their own frame on average. Compare the rows of one invocation only.

Usage: motion_benchmark.py [--clip CLIP] [--model DIR] [--prompt P]… [--threads T] [--repeats R]
                           [--clipseg BIN] [--work DIR] [--extra "ARGS"] [--json-out FILE]
Defaults: the static-camera clip in $CLIPSEG_BENCH_CACHE (made with make_static_camera_clip.py when
missing), the sample model Samples/models/shapes with "a red circle" and "a blue square", 1 thread.
Needs numpy (and av + pillow to make the clip).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_paths  # noqa: E402
from y4m_gray import read_frames  # noqa: E402


def run(command: list, log: str) -> float:
    """Runs `command`, its stderr into `log`; exits with the tail of the log when it fails. Returns seconds."""
    start = time.monotonic()
    with open(log, "w") as err:
        status = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=err)
    if status != 0:
        with open(log) as err:
            tail = err.read()[-2000:]
        sys.exit(f"error: {shlex.join(command)} exited {status}:\n{tail}")
    return time.monotonic() - start


def masks(path: str) -> list:
    with open(path, "rb") as stream:
        return [frame >= 128 for frame in read_frames(stream)]


def stats_lines(path: str) -> list:
    with open(path) as stream:
        return [json.loads(line) for line in stream if line.strip()]


def summary_line(log: str) -> str:
    with open(log) as err:
        lines = [line.strip() for line in err if line.startswith("frames: read ")]
    return lines[-1] if lines else ""


def agreement(full: list, live: list, frames: list) -> dict:
    """IoU of `live` against `full` on the frame indices `frames`."""
    per_frame, inter, union = [], 0, 0
    for index in frames:
        if index >= len(full) or index >= len(live):
            continue
        both = int(np.logical_and(full[index], live[index]).sum())
        either = int(np.logical_or(full[index], live[index]).sum())
        inter, union = inter + both, union + either
        per_frame.append(1.0 if either == 0 else both / either)
    return {"frames": len(per_frame), "iou_mean": float(np.mean(per_frame)) if per_frame else None,
            "iou_pooled": inter / union if union else None}


def live_run(args, follow: bool, index: int, full: list) -> dict:
    tag = f"live-{'follow' if follow else 'still'}-{index}"
    mask_path, stats_path = os.path.join(args.work, tag + ".y4m"), os.path.join(args.work, tag + ".ndjson")
    log = os.path.join(args.work, tag + ".log")
    command = [args.clipseg, "segment", args.clip, "--model", args.model, "--threads", str(args.threads),
               "--realtime", "--keep-frames", "--masks", mask_path, "--stats", stats_path, "-y",
               "--follow-motion" if follow else "--no-follow-motion"]
    for prompt in args.prompt:
        command += ["--prompt", prompt]
    command += shlex.split(args.extra)
    seconds = run(command, log)
    lines, live = stats_lines(stats_path), masks(mask_path)
    dropped = [line["frame"] for line in lines if line.get("mask_frame") is not None]
    processed = [line["frame"] for line in lines if line.get("mask_frame") is None]
    gaps = [line["frame"] - line["mask_frame"] for line in lines if line.get("mask_frame") is not None]
    return {"follow_motion": follow, "run": index, "seconds": round(seconds, 1), "frames": len(lines),
            "dropped": len(dropped), "mean_gap": float(np.mean(gaps)) if gaps else None,
            "dropped_iou": agreement(full, live, dropped), "processed_iou": agreement(full, live, processed),
            "summary": summary_line(log)}


def fmt(value, digits=3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(rows: list) -> str:
    out = ["| follow motion | run | frames | dropped | mean gap (frames) | dropped: mean IoU | dropped: pooled IoU "
           "| processed: pooled IoU |", "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        out.append(f"| {'on' if row['follow_motion'] else 'off'} | {row['run']} | {row['frames']} | {row['dropped']} "
                   f"| {fmt(row['mean_gap'], 1)} | {fmt(row['dropped_iou']['iou_mean'])} "
                   f"| {fmt(row['dropped_iou']['iou_pooled'])} | {fmt(row['processed_iou']['iou_pooled'])} |")
    for follow in (False, True):
        mine = [row for row in rows if row["follow_motion"] == follow and row["dropped_iou"]["iou_mean"] is not None]
        if len(mine) > 1:
            out.append(f"| {'on' if follow else 'off'} | mean of {len(mine)} | | "
                       f"{fmt(np.mean([r['dropped'] for r in mine]), 0)} | "
                       f"{fmt(np.mean([r['mean_gap'] for r in mine]), 1)} | "
                       f"{fmt(np.mean([r['dropped_iou']['iou_mean'] for r in mine]))} | "
                       f"{fmt(np.mean([r['dropped_iou']['iou_pooled'] for r in mine]))} | |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clip", default=os.path.join(bench_paths.cache(), "static-camera.mp4"))
    parser.add_argument("--model", default=os.path.join(bench_paths.REPOSITORY, "Samples", "models", "shapes"))
    parser.add_argument("--prompt", action="append", help="repeatable (default: a red circle, a blue square)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1, help="live runs with and without motion following")
    parser.add_argument("--clipseg", default=os.environ.get("CLIPSEG_BIN")
                        or os.path.join(bench_paths.REPOSITORY, ".build", "release", "clipseg"))
    parser.add_argument("--work", default=os.path.join(bench_paths.cache(), "motion"))
    parser.add_argument("--extra", default="", help="more clipseg segment options for every run, e.g. '--precision int8'")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    args.prompt = args.prompt or ["a red circle", "a blue square"]
    if not os.path.isfile(args.clipseg):
        sys.exit(f"error: no clipseg binary at {args.clipseg}: swift build -c release, or pass --clipseg BIN")
    os.makedirs(args.work, exist_ok=True)
    if not os.path.isfile(args.clip):
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_static_camera_clip.py"), args.clip])

    full_path = os.path.join(args.work, "full.y4m")
    command = [args.clipseg, "segment", args.clip, "--model", args.model, "--threads", str(args.threads),
               "--masks", full_path, "-y"]
    for prompt in args.prompt:
        command += ["--prompt", prompt]
    command += shlex.split(args.extra)
    seconds = run(command, os.path.join(args.work, "full.log"))
    full = masks(full_path)
    print(f"file run (every frame its own masks): {len(full)} frames in {seconds:.1f} s", file=sys.stderr)

    rows = []
    for index in range(args.repeats):
        for follow in (False, True):
            row = live_run(args, follow, index, full)
            print(f"live run follow={'on' if follow else 'off'} #{index}: {row['summary']}", file=sys.stderr)
            rows.append(row)
    print(f"clip {args.clip}, model {args.model}, prompts {args.prompt}, {args.threads} thread(s) {args.extra}")
    print(table(rows))
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"clip": args.clip, "model": args.model, "prompts": args.prompt, "threads": args.threads,
                       "extra": args.extra, "file_run_seconds": seconds, "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()

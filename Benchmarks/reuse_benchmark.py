#!/usr/bin/env python3
"""Token reuse (`clipseg segment --reuse`) against full passes, on the static-camera clip, in one run.

For each model (the full-size checkpoint, the sample model) and each precision this CPU offers:

* file runs of the whole clip, full passes (`--no-reuse`) and `--reuse`: frames per second, their ratio, the mean
  fraction of token-layer updates done (`tokens_recomputed` of the NDJSON lines), and the pooled IoU of the two
  runs' masks (sigmoid > 0.4, every frame);
* live runs (`--realtime --keep-frames`, the clip read at its own rate as a camera would deliver it), without and
  with reuse: fresh masks per second (frames the model processed), their ratio, capture → mask latency p50, and
  that latency over the model's per-frame time with reuse (from the file run).

Prints one table (and `--json-out FILE`). Targets (issue 15): file fps ratio ≥ 2.0 on the full-size checkpoint in
every precision, pooled IoU ≥ 0.97, live fresh-mask ratio ≥ 2, latency p50 ≤ 1.2 × the per-frame time.

Usage: reuse_benchmark.py [--model DIR]... [--precisions fp32,int8] [--threads N] [--clip FILE]
Needs numpy (mask IoU); our binary from `swift build -c release` or $CLIPSEG_BIN. Quote the CPU with the numbers.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_paths  # noqa: E402
from machine_info import describe  # noqa: E402
from mask_iou import compare  # noqa: E402
from our_binary import find_binary  # noqa: E402

PROMPTS = ("a red circle", "a blue square")


def segment(binary, clip, model, precision, threads, reuse, live, work, label):
    """One `clipseg segment` run: masks and statistics written under `work`; returns what it measured."""
    masks, stats = os.path.join(work, f"{label}.y4m"), os.path.join(work, f"{label}.ndjson")
    command = [binary, "segment", clip, "--model", model, "--masks", masks, "--stats", stats, "-y",
               "--threads", str(threads), "--precision", precision, "--reuse" if reuse else "--no-reuse"]
    for prompt in PROMPTS:
        command += ["--prompt", prompt]
    if live:
        command += ["--realtime", "--keep-frames"]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    if run.returncode != 0:
        return {"error": (run.stderr.strip().splitlines() or [f"exit {run.returncode}"])[-1]}
    summary = run.stderr
    lines = [json.loads(line) for line in open(stats)]
    model_lines = [line for line in lines if "mask_frame" not in line]
    recomputed = [line["tokens_recomputed"] for line in model_lines if "tokens_recomputed" in line]
    latency = re.search(r"latency p50 (\d+) ms", summary)
    return {"wall_s": wall, "frames": len(lines), "processed": len(model_lines), "masks": masks,
            "tokens_recomputed": sum(recomputed) / len(recomputed) if recomputed else 1.0,
            "latency_p50_ms": float(latency.group(1)) if latency else None}


def measure(binary, clip, model, precision, threads, work):
    """The four runs of one model and precision, and the figures the table shows."""
    name = os.path.basename(os.path.normpath(model))
    runs = {}
    for live in (False, True):
        for reuse in (False, True):
            label = f"{name}-{precision}-{'live' if live else 'file'}-{'reuse' if reuse else 'full'}"
            runs[(live, reuse)] = segment(binary, clip, model, precision, threads, reuse, live, work, label)
            if "error" in runs[(live, reuse)]:
                return {"model": name, "precision": precision, "error": runs[(live, reuse)]["error"]}
    full, reused = runs[(False, False)], runs[(False, True)]
    live_full, live_reused = runs[(True, False)], runs[(True, True)]
    frame_seconds = reused["wall_s"] / max(reused["frames"], 1)
    fresh = lambda run: run["processed"] / max(run["wall_s"], 1e-9)  # noqa: E731
    return {
        "model": name, "precision": precision,
        "file_fps_full": full["frames"] / full["wall_s"], "file_fps_reuse": reused["frames"] / reused["wall_s"],
        "file_ratio": full["wall_s"] / reused["wall_s"],
        "tokens_recomputed": reused["tokens_recomputed"],
        "iou_pooled": compare(full["masks"], reused["masks"])["iou_pooled"],
        "live_fresh_full": fresh(live_full), "live_fresh_reuse": fresh(live_reused),
        "live_ratio": fresh(live_reused) / max(fresh(live_full), 1e-9),
        "live_tokens_recomputed": live_reused["tokens_recomputed"],
        "latency_p50_ms": live_reused["latency_p50_ms"], "frame_ms_reuse": 1000 * frame_seconds,
        "latency_over_frame": (live_reused["latency_p50_ms"] or 0) / (1000 * frame_seconds),
    }


def render(rows):
    header = ("model", "prec", "file fps full", "file fps reuse", "ratio", "tokens", "IoU",
              "live masks/s full", "live masks/s reuse", "ratio", "p50 ms", "p50 / frame")
    table = [header]
    for r in rows:
        if "error" in r:
            table.append((r["model"], r["precision"], "error: " + r["error"]) + ("",) * (len(header) - 3))
            continue
        table.append((r["model"], r["precision"], f"{r['file_fps_full']:.2f}", f"{r['file_fps_reuse']:.2f}",
                      f"{r['file_ratio']:.2f}x", f"{100 * r['tokens_recomputed']:.0f}%", f"{r['iou_pooled']:.3f}",
                      f"{r['live_fresh_full']:.2f}", f"{r['live_fresh_reuse']:.2f}", f"{r['live_ratio']:.2f}x",
                      f"{r['latency_p50_ms']:.0f}", f"{r['latency_over_frame']:.2f}"))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in table)


def main():
    parser = argparse.ArgumentParser(description="Token reuse against full passes on the static-camera clip.")
    parser.add_argument("--model", action="append", help="model folder (repeatable; default: the full-size "
                        "checkpoint and Samples/models/shapes)")
    parser.add_argument("--precisions", default="fp32", help="comma-separated: fp32,bf16,int8 (those offered)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--clip", help="default: $CLIPSEG_BENCH_CACHE/static-camera.mp4 (made when missing)")
    parser.add_argument("--clipseg", help="our binary (default $CLIPSEG_BIN or .build/release/clipseg)")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    binary = find_binary(args.clipseg, bench_paths.REPOSITORY)
    if binary is None:
        sys.exit("error: no clipseg binary: swift build -c release, or --clipseg PATH")
    models = args.model or [bench_paths.full_checkpoint(), os.path.join(bench_paths.REPOSITORY, "Samples/models/shapes")]
    for model in models:
        bench_paths.require_checkpoint(model)
    work = os.path.join(bench_paths.cache(), "reuse")
    os.makedirs(work, exist_ok=True)
    clip = args.clip or os.path.join(bench_paths.cache(), "static-camera.mp4")
    if not os.path.isfile(clip):
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "make_static_camera_clip.py"), clip], check=True)
    machine = describe()
    print(f"{machine['cpu']} ({', '.join(machine['cpu_features'])}), {machine['cores']} cores, "
          f"load {machine['load_average_start']}, {args.threads} threads, clip {clip}")
    rows = []
    for model in models:
        for precision in args.precisions.split(","):
            rows.append(measure(binary, clip, model, precision.strip(), args.threads, work))
            print(render(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(render(rows))
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"machine": machine, "clip": clip, "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()

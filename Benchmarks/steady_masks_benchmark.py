#!/usr/bin/env python3
"""Steady masks without lag: `--smooth auto` (motion-aware smoothing) against no smoothing and plain EMA
smoothing (`--smooth ALPHA`), on a clip with a still part and a moving part.

The clip (made here, deterministic): the sample model's scenes (Tools/synthetic_scenes.py, the renderer of
Tools/make_sample_video.py), 640×360 @ 30 fps, 4 s: a red circle that never moves on the left and a blue circle
sliding left and right on the right at a constant SPEED px/frame (turning at the ends), over a still textured
background, with fresh camera noise on every frame (Gaussian, sigma 6 levels, plus row noise) and H.264
(crf 20), so the raw masks flicker at the still circle's edge. Ground truth: each circle's visible coverage ≥ 0.5.

Each variant is one file run of the release binary (every frame processed, so the runs are deterministic):
    clipseg segment CLIP --model Samples/models/shapes --prompt "a red circle" --prompt "a blue circle"
        --mask-layout stack --masks OUT.y4m --threads T --smooth off|ALPHA|auto
and the measures are taken on the binary masks (luma ≥ 128):
  flicker  share of the still circle's mask pixels that flip between consecutive frames:
           Σ_t |M_t xor M_{t-1}| / Σ_t |M_t| on the red circle's mask (its region: the left half), in %
  lag      frames the moving circle's mask trails its true position: (true centroid − mask centroid) along the
           direction of motion / SPEED, mean over frames at least 6 frames from a turn (and after frame 8)
  IoU      mean IoU of the blue circle's mask with its ground truth over the same frames
The goal: lower flicker than no smoothing and every plain alpha's lag or less, i.e. better than every plain
EMA on both measures at once.

Usage: steady_masks_benchmark.py [--clipseg BIN] [--threads T] [--work DIR] [--alphas 0.3,0.5,0.7] [--speed PX]
Needs numpy, pillow and av (to make the clip); the binary from `swift build -c release`.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPOSITORY, "Tools"))
import bench_paths  # noqa: E402
import machine_info  # noqa: E402
from text_table import format_table  # noqa: E402
from y4m_gray import read_frames  # noqa: E402

WIDTH, HEIGHT, FPS, SECONDS = 640, 360, 30, 4
FRAMES = FPS * SECONDS
SPEED = 4.0  # the moving circle's speed, px per frame (--speed)
LEFT, RIGHT = 390.0, 570.0  # the moving circle's turning points (x of its centre)
PROMPTS = ("a red circle", "a blue circle")


def moving_x(index: int) -> tuple[float, int]:
    """The moving circle's centre x at frame `index` and its direction (+1 right, -1 left)."""
    span = RIGHT - LEFT
    travelled = (SPEED * index) % (2 * span)
    return (LEFT + travelled, 1) if travelled < span else (RIGHT - (travelled - span), -1)


def frames_from_turn(index: int) -> int:
    span_frames = (RIGHT - LEFT) / SPEED
    phase = index % (2 * span_frames)
    return int(min(phase % span_frames, span_frames - phase % span_frames))


def scene(index: int) -> list:
    from synthetic_scenes import SceneObject
    x, _ = moving_x(index)
    return [SceneObject("circle", "red", (170.0, 180.0), 56, 0.0, (212, 38, 36), (0.1, -0.08)),
            SceneObject("circle", "blue", (x, 190.0), 50, 0.0, (38, 72, 210), (-0.05, -0.1))]


def make_clip(path: str) -> np.ndarray:
    """Writes the clip (kept when present); returns the truth masks bool [FRAMES, 2, H, W]."""
    from synthetic_scenes import composite, make_background
    background = make_background(np.random.default_rng(2024), WIDTH, HEIGHT)
    truth = np.zeros((FRAMES, 2, HEIGHT, WIDTH), dtype=bool)
    exists = os.path.isfile(path) and os.path.getsize(path) > 0
    if not exists:
        import av
        container = av.open(path + ".partial.mp4", mode="w")
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "20", "preset": "fast"}
    noise = np.random.default_rng(20261205)
    for index in range(FRAMES):
        picture, visible = composite(background, scene(index), rng=None)
        truth[index] = np.stack([v >= 0.5 for v in visible])
        if exists:
            continue
        noisy = picture.astype(np.float32) + noise.normal(0, 6, picture.shape).astype(np.float32)
        noisy += noise.normal(0, 1.5, (HEIGHT, 1, 1)).astype(np.float32)
        frame = av.VideoFrame.from_ndarray(np.clip(noisy, 0, 255).astype(np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    if not exists:
        for packet in stream.encode():
            container.mux(packet)
        container.close()
        os.replace(path + ".partial.mp4", path)
    return truth


def run_variant(binary: str, clip: str, smooth: str, work: str, threads: int) -> np.ndarray:
    """Masks bool [FRAMES, 2, H, W] of one run with `--smooth smooth`."""
    out = os.path.join(work, f"masks-{SPEED:g}-{smooth}.y4m")
    command = [binary, "segment", clip, "--model", os.path.join(REPOSITORY, "Samples", "models", "shapes"),
               "--prompt", PROMPTS[0], "--prompt", PROMPTS[1], "--mask-layout", "stack", "--masks", out,
               "--threads", str(threads), "--smooth", smooth, "--quiet", "-y"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(command)} exited {result.returncode}: {result.stderr[-2000:]}")
    with open(out, "rb") as stream:
        planes = [frame >= 128 for frame in read_frames(stream)]
    if len(planes) != 2 * FRAMES:
        sys.exit(f"error: {out}: {len(planes)} planes, expected {2 * FRAMES}")
    return np.stack(planes).reshape(FRAMES, 2, HEIGHT, WIDTH)


def measures(masks: np.ndarray, truth: np.ndarray) -> dict:
    still = masks[:, 0, :, : WIDTH // 2]
    flips = np.logical_xor(still[1:], still[:-1]).sum()
    flicker = 100.0 * flips / max(1, still[1:].sum())
    lags, ious = [], []
    columns = np.arange(WIDTH, dtype=np.float64)
    for index in range(8, FRAMES):
        if frames_from_turn(index) < 6:
            continue
        mask, true = masks[index, 1], truth[index, 1]
        if mask.sum() == 0:
            lags.append(float("nan"))
            ious.append(0.0)
            continue
        _, direction = moving_x(index)
        centre = (mask.sum(axis=0) * columns).sum() / mask.sum()
        true_centre = (true.sum(axis=0) * columns).sum() / true.sum()
        lags.append((true_centre - centre) * direction / SPEED)
        ious.append(np.logical_and(mask, true).sum() / np.logical_or(mask, true).sum())
    return {"flicker_percent": float(flicker), "lag_frames": float(np.nanmean(lags)),
            "moving_iou": float(np.mean(ious)), "lag_frames_counted": len(lags)}


def main() -> None:
    global SPEED
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clipseg", default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", default=os.path.join(bench_paths.cache(), "steady-masks"))
    parser.add_argument("--alphas", default="0.3,0.5,0.7")
    parser.add_argument("--speed", type=float, default=SPEED, help="the moving circle's px per frame")
    parser.add_argument("--json-out", default=None)
    args = parser.parse_args()
    SPEED = args.speed
    binary = args.clipseg or os.environ.get("CLIPSEG_BIN") or os.path.join(REPOSITORY, ".build", "release", "clipseg")
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: no clipseg binary at {binary} (swift build -c release, or --clipseg BIN)")
    os.makedirs(args.work, exist_ok=True)
    clip = os.path.join(args.work, f"still-and-moving-{SPEED:g}.mp4")
    truth = make_clip(clip)
    variants = ["off"] + [a.strip() for a in args.alphas.split(",") if a.strip()] + ["auto"]
    results = {}
    for smooth in variants:
        results[smooth] = measures(run_variant(binary, clip, smooth, args.work, args.threads), truth)
        print(f"{smooth}: {results[smooth]}", file=sys.stderr)
    rows = []
    for smooth in variants:
        r = results[smooth]
        name = {"off": "no smoothing", "auto": "--smooth auto (motion-aware)"}.get(smooth, f"--smooth {smooth} (plain EMA)")
        rows.append([name, f"{r['flicker_percent']:.3f}", f"{r['lag_frames']:.2f}", f"{r['moving_iou']:.3f}"])
    print(f"machine: {machine_info.cpu_model()}; clip {WIDTH}x{HEIGHT}, {FRAMES} frames, moving circle "
          f"{SPEED:g} px/frame; {args.threads} threads")
    print(format_table(["variant", "flicker % (still)", "lag frames (moving)", "IoU (moving)"], rows))
    auto = results["auto"]
    plain = [results[v] for v in variants if v not in ("off", "auto")]
    beats = all(auto["flicker_percent"] < p["flicker_percent"] or auto["lag_frames"] < p["lag_frames"] for p in plain)
    dominates = all(auto["flicker_percent"] <= p["flicker_percent"] and auto["lag_frames"] <= p["lag_frames"]
                    for p in plain)
    print(f"auto vs no smoothing: flicker {auto['flicker_percent']:.2f} vs {results['off']['flicker_percent']:.2f} %, "
          f"lag {auto['lag_frames']:.2f} vs {results['off']['lag_frames']:.2f} frames; "
          f"at least as good as every plain alpha on both measures: {'yes' if dominates else 'no'}"
          + ("" if dominates or not beats else " (better on one measure than each)"))
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"machine": machine_info.describe(), "results": results}, out, indent=1)


if __name__ == "__main__":
    main()

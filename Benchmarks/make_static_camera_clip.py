#!/usr/bin/env python3
"""Writes the static-camera clip of the token-reuse benchmark: what a webcam on a desk sees.

A fixed textured background (Tools/synthetic_scenes.py, the scenes the sample model was trained on) that never
moves, fresh sensor noise on every frame (Gaussian, sigma 2.5 levels, plus a little row noise), and two objects
moving through part of the frame: a red circle crossing the left half and a blue square drifting in the lower
right; the rest of the frame only changes by noise. H.264 (libx264, crf 23, yuv420p), 640×480 @ 30 fps, so the
decoder's re-quantisation is in the frames too. Deterministic (fixed seed).

Usage: make_static_camera_clip.py OUT.mp4 [--seconds S]
An existing OUT.mp4 is kept (delete it to regenerate). Needs numpy, pillow and av (Benchmarks/README.md).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tools"))
from synthetic_scenes import SceneObject, composite, make_background  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 480, 30
PROMPTS = ("a red circle", "a blue square")


def objects_at(t: float, seconds: float) -> list:
    """The two moving objects at time `t` seconds (they cover part of the frame only)."""
    u = t / max(seconds, 1e-6)
    circle = SceneObject("circle", "red", (70 + 230 * u, 170 + 30 * np.sin(t * 1.7)), 46, 0.0, (214, 38, 36))
    square = SceneObject("square", "blue", (520 - 60 * u, 360 + 15 * np.cos(t * 1.1)), 40, 8 * t, (40, 70, 205))
    return [circle, square]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    if os.path.isfile(args.out) and os.path.getsize(args.out) > 0:
        print(args.out)
        return
    import av
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    rng = np.random.default_rng(20261204)
    background = make_background(np.random.default_rng(7), WIDTH, HEIGHT)
    partial = args.out + ".partial.mp4"
    container = av.open(partial, mode="w")
    stream = container.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    stream.options = {"crf": "23", "preset": "fast"}
    frames = int(round(args.seconds * FPS))
    for index in range(frames):
        t = index / FPS
        picture, _ = composite(background, objects_at(t, args.seconds), rng=np.random.default_rng(index))
        noisy = picture.astype(np.float32) + rng.normal(0, 2.5, picture.shape).astype(np.float32)
        noisy += rng.normal(0, 0.8, (HEIGHT, 1, 1)).astype(np.float32)  # row noise of a rolling shutter
        frame = av.VideoFrame.from_ndarray(np.clip(noisy, 0, 255).astype(np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    os.replace(partial, args.out)
    print(args.out)


if __name__ == "__main__":
    main()

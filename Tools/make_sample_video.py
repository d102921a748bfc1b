#!/usr/bin/env python3
"""Renders the sample video Samples/videos/shapes.mp4 and its ground-truth mask videos.

The frames come from the same renderer the sample model was trained on (Tools/synthetic_scenes.py):
shapes moving, appearing and disappearing over a static textured background, never more than four at a
time (as in training). A red circle and a blue circle are on screen, apart, in every frame (the
colour-swap check), a yellow square comes and goes, a green triangle leaves and a black triangle slides in
from the right edge.

Outputs (in --out-dir, default Samples/videos):
  shapes.mp4                      640x360, 30 fps, 8 s (240 frames), H.264 yuv420p, BT.601 limited range
  shapes-masks/truth-<slug>.mkv   one per prompt: lossless H.264 (qp 0) of a gray 640x360 mask, 255 where
                                  the prompt's objects cover at least half a pixel (anti-aliased coverage
                                  >= 0.5), else 0. FFmpeg decodes it as yuv420p with the mask in Y (chroma
                                  128); `ffmpeg -i F -f rawvideo -pix_fmt gray -` gives the exact bytes
  shapes-masks/truth.json         the prompts, their files and the rule above

Usage: Tools/make_sample_video.py [--out-dir Samples/videos]
Deterministic: rerunning rewrites identical frames (the encoders are deterministic given the same
PyAV/FFmpeg build).
"""
import argparse
import json
import math
import os

import av
import numpy as np
from PIL import Image, ImageFilter

import scene_prompts
import synthetic_scenes
from synthetic_scenes import SceneObject

WIDTH, HEIGHT, FPS, SECONDS = 640, 360, 30, 8
FRAMES = FPS * SECONDS
BACKGROUND_SEED = 2024

# (prompt, kind, colour, shape): what the ground truth and the reference masks are made for.
PROMPTS = (
    ("red circle", "colour+shape", "red", "circle"),
    ("blue circle", "colour+shape", "blue", "circle"),
    ("yellow square", "colour+shape", "yellow", "square"),
    ("all triangles", "shape", None, "triangle"),
    ("green star", "absent", "green", "star"),
)


def slug(prompt):
    return prompt.replace(" ", "-")


def _ease(u):
    return 0.5 - 0.5 * math.cos(math.pi * min(max(u, 0.0), 1.0))


def scene_at(t):
    """The objects on screen at time t (seconds), back to front."""
    objects = []
    # Green triangle, drifting up from the bottom-left corner, leaves at 4.5 s.
    if t < 4.5:
        objects.append(SceneObject("triangle", "green", (80 + 10 * t, 300 - 10 * t), 42, 10 * t,
                                   (45, 160, 62), (0.08, 0.05)))
    # Black triangle slides in from the right edge, bottom right, from 4.5 s.
    if t >= 4.5:
        u = _ease((t - 4.5) / 1.5)
        objects.append(SceneObject("triangle", "black", (700 - 180 * u, 285), 40, -15 * (t - 4.5),
                                   (24, 24, 26), (0.0, 0.1)))
    # Yellow square pops in at the top right at 1.5 s, turns, pops out at 6.5 s.
    if 1.5 <= t < 6.5:
        objects.append(SceneObject("square", "yellow", (572 - 8 * (t - 1.5), 72), 44, 20 * (t - 1.5),
                                   (238, 207, 44), (-0.06, 0.08)))
    # Red circle crosses left to right along the top half, blue circle right to left below it.
    objects.append(SceneObject("circle", "red", (110 + 52 * t, 120 + 25 * math.sin(t * 1.3)), 52, 0.0,
                               (212, 38, 36), (0.1, -0.08)))
    objects.append(SceneObject("circle", "blue", (540 - 50 * t, 250 + 15 * math.sin(t * 0.9 + 1)), 48, 0.0,
                               (38, 72, 210), (-0.05, -0.1)))
    return objects


def render_frame(background, t):
    """(frame uint8 [360, 640, 3], objects, visible masks float32 [360, 640])."""
    objects = scene_at(t)
    frame, visible = synthetic_scenes.composite(background, objects, rng=None)
    frame = np.asarray(Image.fromarray(frame).filter(ImageFilter.GaussianBlur(0.6)))
    return frame, objects, visible


def open_mask_writer(path):
    container = av.open(path, "w")
    stream = container.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "gray"
    stream.options = {"qp": "0", "preset": "veryslow"}  # lossless
    stream.codec_context.color_range = 2  # AVCOL_RANGE_JPEG: 0 and 255 mean themselves
    return container, stream


def write_frame(container, stream, frame):
    for packet in stream.encode(frame):
        container.mux(packet)


def close_writer(container, stream):
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default="Samples/videos")
    parser.add_argument("--crf", type=int, default=24)
    args = parser.parse_args()
    mask_dir = os.path.join(args.out_dir, "shapes-masks")
    os.makedirs(mask_dir, exist_ok=True)
    background = synthetic_scenes.make_background(np.random.default_rng(BACKGROUND_SEED), WIDTH, HEIGHT)

    video = av.open(os.path.join(args.out_dir, "shapes.mp4"), "w", options={"movflags": "+faststart"})
    stream = video.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    stream.options = {"crf": str(args.crf), "preset": "slow", "g": "60", "bf": "2",
                      "x264-params": "colorprim=smpte170m:transfer=smpte170m:colormatrix=smpte170m:range=tv"}
    stream.codec_context.color_range = 1  # AVCOL_RANGE_MPEG
    stream.codec_context.colorspace = 6  # AVCOL_SPC_SMPTE170M
    writers = {p[0]: open_mask_writer(os.path.join(mask_dir, f"truth-{slug(p[0])}.mkv")) for p in PROMPTS}
    covered = {p[0]: [] for p in PROMPTS}
    for index in range(FRAMES):
        t = index / FPS
        frame, objects, visible = render_frame(background, t)
        rgb = av.VideoFrame.from_ndarray(frame, format="rgb24")
        yuv = rgb.reformat(format="yuv420p", dst_colorspace="itu601", dst_color_range=1)
        yuv.pts = index
        write_frame(video, stream, yuv)
        for prompt, _kind, colour, shape in PROMPTS:
            mask = scene_prompts.target_mask(objects, visible, colour, shape, HEIGHT, WIDTH) >= 0.5
            covered[prompt].append(float(mask.mean()))
            gray = av.VideoFrame.from_ndarray(mask.astype(np.uint8) * 255, format="gray")
            gray.pts = index
            write_frame(*writers[prompt], gray)
    close_writer(video, stream)
    for writer in writers.values():
        close_writer(*writer)

    manifest = {
        "video": "../shapes.mp4",
        "width": WIDTH, "height": HEIGHT, "fps": FPS, "frames": FRAMES,
        "rule": "255 where the named objects' anti-aliased visible coverage >= 0.5, else 0; frame size",
        "format": "Matroska, lossless H.264 (qp 0) of 8-bit gray masks (0 or 255), full range; decoded by "
                  "FFmpeg as yuv420p with the mask in the Y plane; one frame per video frame",
        "prompts": [
            {"prompt": p, "kind": kind, "colour": colour, "shape": shape, "file": f"truth-{slug(p)}.mkv",
             "frames_with_target": sum(c > 0 for c in covered[p]),
             "mean_covered_fraction": round(float(np.mean(covered[p])), 5)}
            for p, kind, colour, shape in PROMPTS
        ],
    }
    with open(os.path.join(mask_dir, "truth.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    for entry in manifest["prompts"]:
        print(f"{entry['prompt']!r}: target in {entry['frames_with_target']}/{FRAMES} frames, "
              f"mean coverage {entry['mean_covered_fraction']:.4f}")


if __name__ == "__main__":
    main()

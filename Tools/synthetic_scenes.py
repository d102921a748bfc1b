#!/usr/bin/env python3
"""Synthetic scenes of coloured shapes on textured, noisy backgrounds, with the exact mask of every object.

The sample model (Tools/train_sample_model.py) is trained on these scenes and the sample video
(Tools/make_sample_video.py) is rendered by the same code, so what the model saw in training is what the
video shows.

A scene is a background (`make_background`) plus a list of `SceneObject`s drawn in order (later objects
occlude earlier ones). `render_scene` returns the RGB frame (uint8 [H, W, 3]) and each object's *visible*
mask (float32 [H, W] in 0...1, anti-aliased coverage after occlusion). Geometry is in frame pixels, so a
circle is round in the frame; squashing a 16:9 frame to the square model input turns it into an ellipse,
exactly as the CLIPSeg processor does at inference.

Vocabulary: shapes {circle, square, triangle, star}, colours {red, green, blue, yellow, white, black}.

Run directly to write a few example scenes: Tools/synthetic_scenes.py OUT_DIR [--count N] [--seed S]
"""
import argparse
import dataclasses
import io
import math
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHAPES = ("circle", "square", "triangle", "star")
COLOURS = {
    "red": (215, 35, 35),
    "green": (40, 165, 60),
    "blue": (35, 70, 215),
    "yellow": (240, 210, 40),
    "white": (245, 245, 245),
    "black": (22, 22, 22),
}
COLOUR_NAMES = tuple(COLOURS)

# Aspect ratios (width / height) scenes are rendered at: square, 4:3, 16:9 and portrait.
ASPECT_RATIOS = (1.0, 4.0 / 3.0, 16.0 / 9.0, 3.0 / 4.0, 9.0 / 16.0)

SUPERSAMPLING = 2  # object outlines are drawn at this multiple and box-filtered down (anti-aliasing)


@dataclasses.dataclass
class SceneObject:
    """One shape in a scene. `centre` and `radius` are in frame pixels; `angle` in degrees;
    `rgb` is the object's actual fill colour (the named colour with jitter)."""
    shape: str
    colour: str
    centre: tuple
    radius: float
    angle: float
    rgb: tuple
    shading: tuple = (0.0, 0.0)  # lighting gradient direction*strength, applied across the object


def shape_outline(obj, scale=1.0):
    """Polygon vertices (list of (x, y)) of a non-circle object, or the bounding box of a circle."""
    cx, cy = obj.centre[0] * scale, obj.centre[1] * scale
    r = obj.radius * scale
    if obj.shape == "circle":
        return [(cx - r, cy - r), (cx + r, cy + r)]
    if obj.shape == "square":
        radii, count = [r * 1.2], 4          # circumradius of a square of side 1.7 r
    elif obj.shape == "triangle":
        radii, count = [r * 1.35], 3
    elif obj.shape == "star":
        radii, count = [r * 1.4, r * 0.6], 10
    else:
        raise ValueError(f"unknown shape {obj.shape!r}")
    start = math.radians(obj.angle) - math.pi / 2 + (math.pi / 4 if obj.shape == "square" else 0.0)
    points = []
    for k in range(count):
        a = start + 2 * math.pi * k / count
        rk = radii[k % len(radii)]
        points.append((cx + rk * math.cos(a), cy + rk * math.sin(a)))
    return points


def object_bounds(obj, width, height):
    """Integer pixel box (x0, y0, x1, y1) holding the object, clipped to the frame (may be empty)."""
    reach = obj.radius * 1.45 + 2
    x0, y0 = max(0, int(math.floor(obj.centre[0] - reach))), max(0, int(math.floor(obj.centre[1] - reach)))
    x1 = min(width, int(math.ceil(obj.centre[0] + reach)))
    y1 = min(height, int(math.ceil(obj.centre[1] + reach)))
    return x0, y0, max(x0, x1), max(y0, y1)


def object_coverage(obj, width, height):
    """Anti-aliased coverage of `obj` alone: float32 [height, width] in 0...1."""
    coverage = np.zeros((height, width), dtype=np.float32)
    x0, y0, x1, y1 = object_bounds(obj, width, height)
    if x1 > x0 and y1 > y0:
        coverage[y0:y1, x0:x1] = _coverage_in_box(obj, x0, y0, x1, y1)
    return coverage


def _coverage_in_box(obj, x0, y0, x1, y1):
    s = SUPERSAMPLING
    canvas = Image.new("L", ((x1 - x0) * s, (y1 - y0) * s), 0)
    draw = ImageDraw.Draw(canvas)
    shifted = dataclasses.replace(obj, centre=(obj.centre[0] - x0, obj.centre[1] - y0))
    outline = shape_outline(shifted, scale=s)
    if obj.shape == "circle":
        draw.ellipse(outline, fill=255)
    else:
        draw.polygon(outline, fill=255)
    small = canvas.resize((x1 - x0, y1 - y0), Image.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def _muted_colour(rng):
    """A background colour: random hue, low saturation, mid luminance."""
    grey = rng.uniform(55, 205)
    tint = rng.normal(0, 1, 3)
    tint = tint / (np.linalg.norm(tint) + 1e-6) * rng.uniform(0, 40)
    return np.clip(grey + tint, 0, 255)


def _low_frequency_noise(rng, width, height, cells):
    grid = rng.uniform(-1, 1, (cells, max(2, int(cells * width / height)))).astype(np.float32)
    return np.asarray(Image.fromarray(grid, mode="F").resize((width, height), Image.BICUBIC))


def make_background(rng, width, height):
    """A textured background: uint8 [height, width, 3]. One of a gradient, clouds, stripes or a checker
    board, in muted colours, with per-pixel noise."""
    a, b = _muted_colour(rng), _muted_colour(rng)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    kind = rng.integers(4)
    if kind == 0:  # linear gradient
        angle = rng.uniform(0, 2 * math.pi)
        t = (x * math.cos(angle) + y * math.sin(angle)) / max(width, height)
        t = (t - t.min()) / (np.ptp(t) + 1e-6)
    elif kind == 1:  # clouds
        t = _low_frequency_noise(rng, width, height, int(rng.integers(2, 8)))
        t = (t - t.min()) / (np.ptp(t) + 1e-6)
    elif kind == 2:  # soft stripes
        angle = rng.uniform(0, math.pi)
        period = rng.uniform(0.04, 0.25) * max(width, height)
        t = 0.5 + 0.5 * np.sin(2 * math.pi * (x * math.cos(angle) + y * math.sin(angle)) / period)
    else:  # low-contrast checker board
        cell = rng.uniform(0.05, 0.2) * max(width, height)
        t = ((np.floor(x / cell) + np.floor(y / cell)) % 2).astype(np.float32)
    contrast = rng.uniform(0.2, 0.8)
    t = 0.5 + (t - 0.5) * contrast
    t = t.astype(np.float32)[..., None]
    image = a.astype(np.float32)[None, None, :] * (1 - t) + b.astype(np.float32)[None, None, :] * t
    image += _low_frequency_noise(rng, width, height, 24)[..., None] * rng.uniform(0, 14)
    image += rng.standard_normal((height, width, 1), dtype=np.float32) * rng.uniform(2, 10)
    return np.clip(image, 0, 255).astype(np.uint8)


def random_object(rng, width, height, shape=None, colour=None):
    """A random object fully or mostly inside the frame. Its size ranges from about 1/12 of the frame
    width to about 0.4 of the shorter side."""
    shape = shape or SHAPES[rng.integers(len(SHAPES))]
    colour = colour or COLOUR_NAMES[rng.integers(len(COLOUR_NAMES))]
    smallest = max(width / 24.0, 4.0)
    largest = max(smallest * 1.5, 0.2 * min(width, height))
    radius = float(math.exp(rng.uniform(math.log(smallest), math.log(largest))))
    margin = radius * 0.6
    centre = (float(rng.uniform(margin, width - margin)), float(rng.uniform(margin, height - margin)))
    base = np.array(COLOURS[colour], dtype=np.float64)
    rgb = np.clip(base * rng.uniform(0.82, 1.05) * rng.uniform(0.96, 1.03, 3) + rng.normal(0, 5, 3), 0, 255)
    shading_angle = rng.uniform(0, 2 * math.pi)
    strength = rng.uniform(0, 0.18)
    return SceneObject(shape, colour, centre, radius, float(rng.uniform(0, 360)), tuple(rgb.tolist()),
                       (strength * math.cos(shading_angle), strength * math.sin(shading_angle)))


def composite(background, objects, rng=None, texture_sigma=4.0):
    """Draws `objects` over `background` in order. Returns (frame uint8 [H, W, 3], visible masks)."""
    height, width = background.shape[:2]
    frame = background.astype(np.float32)
    coverages = []
    for obj in objects:
        alpha = object_coverage(obj, width, height)
        coverages.append(alpha)
        x0, y0, x1, y1 = object_bounds(obj, width, height)
        if x1 <= x0 or y1 <= y0:
            continue
        y, x = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        r = max(obj.radius, 1.0)
        light = 1.0 + (obj.shading[0] * (x - obj.centre[0]) + obj.shading[1] * (y - obj.centre[1])) / r
        colour = np.array(obj.rgb, dtype=np.float32)[None, None, :] * np.clip(light, 0.6, 1.4)[..., None]
        if rng is not None and texture_sigma > 0:
            colour = colour + rng.standard_normal((y1 - y0, x1 - x0, 1), dtype=np.float32) * texture_sigma
        a = alpha[y0:y1, x0:x1, None]
        frame[y0:y1, x0:x1] = frame[y0:y1, x0:x1] * (1 - a) + colour * a
    visible = []
    for i, alpha in enumerate(coverages):
        mask = alpha.copy()
        for later in coverages[i + 1:]:
            mask *= 1 - later
        visible.append(mask)
    return np.clip(frame, 0, 255).astype(np.uint8), visible


def degrade(frame, rng):
    """Mild blur, sensor noise and (sometimes) JPEG compression, as a camera or encoder would add."""
    image = Image.fromarray(frame)
    if rng.random() < 0.7:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.3)))
    array = np.asarray(image).astype(np.float32)
    array += rng.standard_normal(array.shape, dtype=np.float32) * rng.uniform(0, 6)
    image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=int(rng.integers(35, 95)))
        buffer.seek(0)
        image = Image.open(buffer).convert("RGB")
    return np.asarray(image)


def random_frame_size(rng, long_side_range=(192, 640)):
    """(width, height) at a random aspect ratio from ASPECT_RATIOS."""
    aspect = ASPECT_RATIOS[rng.integers(len(ASPECT_RATIOS))]
    long_side = int(rng.integers(*long_side_range))
    if aspect >= 1:
        return long_side, max(16, int(round(long_side / aspect)))
    return max(16, int(round(long_side * aspect))), long_side


def random_objects(rng, width, height, max_objects=4, min_visible=0.45, attempts=30):
    """1...max_objects objects; later objects often repeat an earlier colour or shape (distractors that
    share one attribute), and no object is hidden below `min_visible` of its area."""
    count = int(rng.integers(1, max_objects + 1))
    objects = []
    for _ in range(count):
        for _attempt in range(attempts):
            shape = colour = None
            if objects and rng.random() < 0.6:
                other = objects[rng.integers(len(objects))]
                if rng.random() < 0.5:
                    colour = other.colour
                else:
                    shape = other.shape
            candidate = random_object(rng, width, height, shape, colour)
            if _acceptable(objects + [candidate], width, height, min_visible):
                objects.append(candidate)
                break
    return objects


def _acceptable(objects, width, height, min_visible):
    """Cheap occlusion test on a coarse grid: every object keeps at least `min_visible` of its area."""
    scale = min(1.0, 96.0 / max(width, height))
    w, h = max(8, int(width * scale)), max(8, int(height * scale))
    small = [dataclasses.replace(o, centre=(o.centre[0] * scale, o.centre[1] * scale), radius=o.radius * scale)
             for o in objects]
    coverages = [object_coverage(o, w, h) for o in small]
    for i, alpha in enumerate(coverages):
        total = alpha.sum()
        if total < 1e-3:
            return False
        mask = alpha.copy()
        for later in coverages[i + 1:]:
            mask *= 1 - later
        if mask.sum() < min_visible * total:
            return False
    return True


def render_scene(rng, width=None, height=None):
    """A random scene: (frame uint8 [H, W, 3], objects, visible masks float32 [H, W] per object)."""
    if width is None or height is None:
        width, height = random_frame_size(rng)
    background = make_background(rng, width, height)
    objects = random_objects(rng, width, height)
    frame, visible = composite(background, objects, rng)
    return degrade(frame, rng), objects, visible


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for i in range(args.count):
        frame, objects, visible = render_scene(rng)
        Image.fromarray(frame).save(os.path.join(args.out_dir, f"scene{i:03d}.png"))
        for j, (obj, mask) in enumerate(zip(objects, visible)):
            name = f"scene{i:03d}_mask{j}_{obj.colour}_{obj.shape}.png"
            Image.fromarray((mask * 255).astype(np.uint8)).save(os.path.join(args.out_dir, name))
        print(f"scene{i:03d}: {frame.shape[1]}x{frame.shape[0]}",
              ", ".join(f"{o.colour} {o.shape}" for o in objects))


if __name__ == "__main__":
    main()

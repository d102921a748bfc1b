#!/usr/bin/env python3
"""Text prompts about synthetic scenes (Tools/synthetic_scenes.py) and the mask each one selects.

Prompt types (the evaluation reports each separately):
  colour+shape  "red circle", "a red circle", "the red circle", "a photo of a red circle", "circle that is red"
  colour        "everything yellow", "all red things", ...  every object of that colour
  shape         "all triangles", "every star", ...           every object of that shape
  absent        any of the above naming something the scene does not hold -> empty mask

`target_mask` is the union of the visible masks of the objects the prompt names.
"""
import numpy as np

from synthetic_scenes import COLOUR_NAMES, SHAPES

PROMPT_TYPES = ("colour+shape", "colour", "shape", "absent")

PLURALS = {"circle": "circles", "square": "squares", "triangle": "triangles", "star": "stars"}

COLOUR_SHAPE_TEMPLATES = (
    "{c} {s}", "a {c} {s}", "the {c} {s}", "a photo of a {c} {s}", "{s} that is {c}",
    "{c} {ss}", "all {c} {ss}", "the {c} {ss}", "a {s} that is {c}",
)
COLOUR_TEMPLATES = (
    "everything {c}", "all {c} things", "{c} objects", "{c} shapes", "something {c}", "{c}",
    "anything that is {c}", "all {c} objects",
)
SHAPE_TEMPLATES = (
    "all {ss}", "{ss}", "every {s}", "a {s}", "the {ss}", "a photo of a {s}", "{s}", "any {s}",
)


def choose_template(colour, shape, rng):
    """A phrasing template for a prompt naming `colour` and/or `shape` (either may be None, not both);
    placeholders {c} colour, {s} shape, {ss} plural shape."""
    if colour and shape:
        return COLOUR_SHAPE_TEMPLATES[rng.integers(len(COLOUR_SHAPE_TEMPLATES))]
    if colour:
        return COLOUR_TEMPLATES[rng.integers(len(COLOUR_TEMPLATES))]
    return SHAPE_TEMPLATES[rng.integers(len(SHAPE_TEMPLATES))]


def fill(template, colour, shape):
    return template.format(c=colour, s=shape, ss=PLURALS.get(shape, shape))


def phrase(colour, shape, rng):
    """One phrasing of a prompt naming `colour` and/or `shape` (either may be None, not both)."""
    return fill(choose_template(colour, shape, rng), colour, shape)


def matches(obj, colour, shape):
    return (colour is None or obj.colour == colour) and (shape is None or obj.shape == shape)


def target_mask(objects, visible, colour, shape, height, width):
    """Union (max) of the visible masks of the objects named: float32 [height, width]."""
    mask = np.zeros((height, width), dtype=np.float32)
    for obj, m in zip(objects, visible):
        if matches(obj, colour, shape):
            mask = np.maximum(mask, m)
    return mask


def random_query(rng, objects, weights=(0.45, 0.14, 0.14, 0.27)):
    """(prompt type, colour or None, shape or None) about a scene holding `objects`.

    Absent queries are mostly hard negatives: a colour and a shape that are both in the scene but never
    on the same object ("red circle" beside a red square and a blue circle)."""
    kind = PROMPT_TYPES[rng.choice(len(PROMPT_TYPES), p=np.asarray(weights) / sum(weights))]
    if kind == "colour+shape":
        obj = objects[rng.integers(len(objects))]
        return kind, obj.colour, obj.shape
    if kind == "colour":
        return kind, objects[rng.integers(len(objects))].colour, None
    if kind == "shape":
        return kind, None, objects[rng.integers(len(objects))].shape
    return ("absent",) + absent_query(rng, objects)


def absent_query(rng, objects):
    """(colour, shape) naming nothing in the scene; either may be None (a colour-only or shape-only query)."""
    present_colours = {o.colour for o in objects}
    present_shapes = {o.shape for o in objects}
    for _ in range(50):
        roll = rng.random()
        if roll < 0.55:  # both attributes present somewhere, never together
            colour = sorted(present_colours)[rng.integers(len(present_colours))] if rng.random() < 0.7 \
                else COLOUR_NAMES[rng.integers(len(COLOUR_NAMES))]
            shape = sorted(present_shapes)[rng.integers(len(present_shapes))] if rng.random() < 0.7 \
                else SHAPES[rng.integers(len(SHAPES))]
        elif roll < 0.8:
            colour, shape = COLOUR_NAMES[rng.integers(len(COLOUR_NAMES))], None
        else:
            colour, shape = None, SHAPES[rng.integers(len(SHAPES))]
        if not any(matches(o, colour, shape) for o in objects):
            return colour, shape
    # Every colour or shape is present (cannot happen with <= 4 objects and 6 colours, but stay total).
    return next(c for c in COLOUR_NAMES if c not in present_colours), None

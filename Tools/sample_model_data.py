#!/usr/bin/env python3
"""Batches of (scene, prompts, target masks) for training and evaluating the sample model, preprocessed
exactly as CLIPSegProcessor (ViTImageProcessor, PIL backend) preprocesses them.

A batch holds `images` scenes and `prompts_per_image` prompts per scene; pair p = image p // prompts_per_image.
  pixel_values   float32 [images, 3, size, size]   PIL bilinear squash to size x size, * 1/255, (x - mean) / std
  input_ids      int64   [pairs, tokens]           CLIPTokenizer, padded with <|endoftext|>
  attention_mask int64   [pairs, tokens]
  labels         float32 [pairs, label, label]     area coverage of the target mask (squashed like the image)
  kinds          list of prompt types (scene_prompts.PROMPT_TYPES), prompts: list of prompt strings
  prompt_colour, prompt_shape   int64 [pairs]  the attributes the prompt names (NO_COLOUR / NO_SHAPE if none)
  token_colour, token_shape     int64 [images, grid, grid]  per vision token: the attributes of the object
                                 covering most of its patch (at least 30%), else NO_COLOUR / NO_SHAPE
The attribute labels feed auxiliary training losses only (Tools/train_sample_model.py); the saved model
does not contain their heads. Every batch is a pure function of its seed.
"""
import numpy as np
import torch
from PIL import Image

import scene_prompts
import synthetic_scenes

NO_COLOUR = len(synthetic_scenes.COLOUR_NAMES)  # class index for "no colour named / background"
NO_SHAPE = len(synthetic_scenes.SHAPES)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def preprocess(frame, size, mean=IMAGENET_MEAN, std=IMAGENET_STD):
    """uint8 [H, W, 3] -> float32 [3, size, size], as the CLIPSeg processor does it."""
    resized = np.asarray(Image.fromarray(frame).resize((size, size), Image.BILINEAR))
    scaled = resized.astype(np.float64) * (1 / 255)
    normalised = (scaled.astype(np.float32) - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return normalised.transpose(2, 0, 1).astype(np.float32)


def squash_mask(mask, size):
    """float32 [H, W] coverage -> float32 [size, size] area coverage (box filter)."""
    return np.asarray(Image.fromarray(mask.astype(np.float32), mode="F").resize((size, size), Image.BOX))


class PromptTokenizer:
    """CLIPTokenizer with a cache (prompts repeat a lot)."""

    def __init__(self, folder):
        from transformers import CLIPTokenizer
        self.tokenizer = CLIPTokenizer.from_pretrained(folder)
        self.cache = {}
        self.pad_id = self.tokenizer.pad_token_id

    def ids(self, prompt):
        if prompt not in self.cache:
            self.cache[prompt] = self.tokenizer(prompt)["input_ids"]
        return self.cache[prompt]

    def batch(self, prompts):
        rows = [self.ids(p) for p in prompts]
        length = max(len(r) for r in rows)
        input_ids = np.full((len(rows), length), self.pad_id, dtype=np.int64)
        attention = np.zeros((len(rows), length), dtype=np.int64)
        for i, row in enumerate(rows):
            input_ids[i, :len(row)] = row
            attention[i, :len(row)] = 1
        return torch.from_numpy(input_ids), torch.from_numpy(attention)


def token_attributes(objects, visible, grid):
    """(colour, shape) class per grid cell: int64 [grid, grid] each."""
    colour = np.full((grid, grid), NO_COLOUR, dtype=np.int64)
    shape = np.full((grid, grid), NO_SHAPE, dtype=np.int64)
    if objects:
        coverage = np.stack([squash_mask(m, grid) for m in visible])
        best = coverage.argmax(0)
        covered = coverage.max(0) >= 0.3
        colours = np.array([synthetic_scenes.COLOUR_NAMES.index(o.colour) for o in objects])
        shapes = np.array([synthetic_scenes.SHAPES.index(o.shape) for o in objects])
        colour[covered] = colours[best[covered]]
        shape[covered] = shapes[best[covered]]
    return colour, shape


def make_batch(seed, tokenizer, images, prompts_per_image, size, label_size, grid=None):
    rng = np.random.default_rng(seed)
    pixels, labels, prompts, kinds = [], [], [], []
    prompt_colour, prompt_shape, token_colour, token_shape = [], [], [], []
    for _ in range(images):
        frame, objects, visible = synthetic_scenes.render_scene(rng)
        if rng.random() < 0.5:  # mirror: shapes and words are symmetric under a horizontal flip
            frame = frame[:, ::-1].copy()
            visible = [m[:, ::-1].copy() for m in visible]
        height, width = frame.shape[:2]
        pixels.append(preprocess(frame, size))
        cells = token_attributes(objects, visible, grid or size // 8)
        token_colour.append(cells[0])
        token_shape.append(cells[1])
        for _ in range(prompts_per_image):
            kind, colour, shape = scene_prompts.random_query(rng, objects)
            target = scene_prompts.target_mask(objects, visible, colour, shape, height, width)
            labels.append(squash_mask(target, label_size))
            prompts.append(scene_prompts.phrase(colour, shape, rng))
            kinds.append(kind)
            prompt_colour.append(synthetic_scenes.COLOUR_NAMES.index(colour) if colour else NO_COLOUR)
            prompt_shape.append(synthetic_scenes.SHAPES.index(shape) if shape else NO_SHAPE)
    input_ids, attention_mask = tokenizer.batch(prompts)
    return {
        "pixel_values": torch.from_numpy(np.stack(pixels)),
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "labels": torch.from_numpy(np.stack(labels)),
        "kinds": kinds,
        "prompts": prompts,
        "prompt_colour": torch.tensor(prompt_colour),
        "prompt_shape": torch.tensor(prompt_shape),
        "token_colour": torch.from_numpy(np.stack(token_colour)),
        "token_shape": torch.from_numpy(np.stack(token_shape)),
    }


class SceneBatches(torch.utils.data.IterableDataset):
    """Endless batches; batch k has seed base_seed * 1_000_003 + k, starting at `first`."""

    def __init__(self, tokenizer_folder, base_seed, first, images, prompts_per_image, size, label_size, grid):
        super().__init__()
        self.args = (tokenizer_folder, base_seed, first, images, prompts_per_image, size, label_size, grid)

    def __iter__(self):
        folder, base_seed, first, images, per_image, size, label_size, grid = self.args
        torch.set_num_threads(1)
        tokenizer = PromptTokenizer(folder)
        k = first
        while True:
            yield make_batch(base_seed * 1_000_003 + k, tokenizer, images, per_image, size, label_size, grid)
            k += 1

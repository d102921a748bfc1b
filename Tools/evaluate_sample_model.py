#!/usr/bin/env python3
"""Validation of the saved sample model on held-out synthetic scenes, per prompt type.

Loads the model folder as a user would (`CLIPSegForImageSegmentation.from_pretrained` in float32 from the
F16 weights, `CLIPSegProcessor`), renders `--scenes` scenes with seeds the training never used, and asks
one prompt of every type about each scene:
  colour+shape  IoU against the target (mean over scenes)
  colour        IoU
  shape         IoU
  absent        fraction of pixels marked (should be < 1%)
Masks are sigmoid(logits) > 0.4 on the model's output grid; targets are the renderer's coverage squashed
to that grid (box filter) and taken at > 0.5. Also breaks the figures down by phrasing and object size.

Usage: Tools/evaluate_sample_model.py [--model Samples/models/shapes] [--scenes 400] [--json OUT]
"""
import argparse
import collections
import json

import numpy as np
import torch
from transformers import CLIPSegForImageSegmentation, CLIPSegProcessor

import sample_model_data
import scene_prompts
import synthetic_scenes

THRESHOLD = 0.4
FIRST_SEED = 20_000_000  # training uses seeds 6 * 1_000_003 + k; its validation 10_000_000 + k


def one_hot(kind):
    return [1.0 if k == kind else 0.0 for k in scene_prompts.PROMPT_TYPES]


def evaluate(model, processor, scenes, batch_scenes=16):
    side = model.config.vision_config.image_size // 2
    records = []
    for first in range(0, scenes, batch_scenes):
        frames, prompts, targets, meta = [], [], [], []
        for index in range(first, min(scenes, first + batch_scenes)):
            rng = np.random.default_rng(FIRST_SEED + index)
            frame, objects, visible = synthetic_scenes.render_scene(rng)
            height, width = frame.shape[:2]
            for kind in scene_prompts.PROMPT_TYPES:
                kind, colour, shape = scene_prompts.random_query(rng, objects, weights=one_hot(kind))
                template = scene_prompts.choose_template(colour, shape, rng)
                prompt = scene_prompts.fill(template, colour, shape)
                target = scene_prompts.target_mask(objects, visible, colour, shape, height, width)
                frames.append(frame)
                prompts.append(prompt)
                targets.append(sample_model_data.squash_mask(target, side) > 0.5)
                named = [o for o in objects if scene_prompts.matches(o, colour, shape)]
                smallest = min((2 * o.radius / width for o in named), default=None)
                meta.append((kind, prompt, template, colour, shape, smallest))
        inputs = processor(text=prompts, images=frames, padding=True, return_tensors="pt")
        with torch.no_grad():
            predicted = (torch.sigmoid(model(**inputs).logits) > THRESHOLD).numpy()
        for p, t, (kind, prompt, template, colour, shape, smallest) in zip(predicted, targets, meta):
            if kind == "absent":
                score = float(p.mean())
            else:
                union = (p | t).sum()
                score = float((p & t).sum() / union) if union else 1.0
            records.append({"kind": kind, "prompt": prompt, "template": template, "colour": colour,
                            "shape": shape, "smallest_diameter_over_width": smallest, "score": score})
    return records


def summarise(records):
    by_kind = collections.defaultdict(list)
    for r in records:
        by_kind[r["kind"]].append(r["score"])
    summary = {"pairs": len(records)}
    for kind, scores in by_kind.items():
        scores = np.asarray(scores)
        if kind == "absent":
            summary["absent"] = {"count": len(scores), "mean_marked_fraction": round(float(scores.mean()), 5),
                                 "median_marked_fraction": round(float(np.median(scores)), 5),
                                 "p95_marked_fraction": round(float(np.percentile(scores, 95)), 5),
                                 "share_under_1pct": round(float((scores < 0.01).mean()), 4),
                                 "share_exactly_empty": round(float((scores == 0).mean()), 4)}
        else:
            summary[kind] = {"count": len(scores), "mean_iou": round(float(scores.mean()), 4),
                             "median_iou": round(float(np.median(scores)), 4),
                             "share_iou_over_0.75": round(float((scores > 0.75).mean()), 4)}
    absent_kinds = collections.defaultdict(list)
    for r in records:
        if r["kind"] == "absent":
            name = "colour+shape" if r["colour"] and r["shape"] else ("colour" if r["colour"] else "shape")
            absent_kinds[name].append(r["score"])
    summary["absent_by_query"] = {
        k: {"count": len(v), "share_under_1pct": round(float((np.asarray(v) < 0.01).mean()), 4)}
        for k, v in sorted(absent_kinds.items())}
    sizes = collections.defaultdict(list)
    for r in records:
        if r["kind"] == "colour+shape":
            size = r["smallest_diameter_over_width"]
            bucket = "diameter < 1/8 width" if size < 1 / 8 else \
                "diameter 1/8-1/5 width" if size < 1 / 5 else "diameter >= 1/5 width"
            sizes[bucket].append(r["score"])
    summary["colour+shape_by_size"] = {k: {"count": len(v), "mean_iou": round(float(np.mean(v)), 4)}
                                       for k, v in sorted(sizes.items())}
    templates = collections.defaultdict(list)
    for r in records:
        if r["kind"] == "colour+shape":
            templates[r["template"]].append(r["score"])
    summary["colour+shape_by_phrasing"] = {k: {"count": len(v), "mean_iou": round(float(np.mean(v)), 4)}
                                           for k, v in sorted(templates.items())}
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="Samples/models/shapes")
    parser.add_argument("--scenes", type=int, default=400)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = CLIPSegForImageSegmentation.from_pretrained(args.model, dtype=torch.float32).eval()
    processor = CLIPSegProcessor.from_pretrained(args.model)
    summary = summarise(evaluate(model, processor, args.scenes))
    text = json.dumps(summary, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()

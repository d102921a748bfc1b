#!/usr/bin/env python3
"""Reference numbers for the MaskRender target's mask shaping, written to Tests/Fixtures/pipeline/ (the folder keeps
its name from when mask shaping was part of the Pipeline target).

bilinear.json: torch.nn.functional.interpolate(mode="bilinear", align_corners=False) on small random float32
planes [P, h, w] -> [P, H, W] (an upscale with a non-integer factor, a non-square upscale, a downscale
without antialiasing), then torch.sigmoid of the upscaled logits. The Swift MaskShaper must reproduce
`resized` (upscaled logits) and `probabilities` (sigmoid of them).

Usage: "$CLIPSEG_BENCH_PYTHON" Tools/make_pipeline_fixtures.py   (rewrites Tests/Fixtures/pipeline/bilinear.json)
"""
import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "pipeline")


def case(name, generator, planes, source_hw, target_hw):
    h, w = source_hw
    logits = (torch.randn(planes, h, w, generator=generator, dtype=torch.float32) * 4.0)
    resized = torch.nn.functional.interpolate(logits[None], size=target_hw, mode="bilinear",
                                              align_corners=False)[0]
    return {
        "name": name,
        "planes": planes,
        "source_height": h, "source_width": w,
        "target_height": target_hw[0], "target_width": target_hw[1],
        "logits": [float(v) for v in logits.flatten()],
        "resized": [float(v) for v in resized.flatten()],
        "probabilities": [float(v) for v in torch.sigmoid(resized).flatten()],
    }


def main():
    generator = torch.Generator().manual_seed(20261129)
    cases = [
        case("square-upscale", generator, 2, (5, 5), (12, 17)),
        case("model-like", generator, 1, (8, 8), (27, 48)),
        case("downscale", generator, 1, (9, 7), (4, 3)),
    ]
    os.makedirs(OUT, exist_ok=True)
    document = {"generator": "Tools/make_pipeline_fixtures.py", "torch_version": torch.__version__,
                "cases": cases}
    with open(os.path.join(OUT, "bilinear.json"), "w") as f:
        json.dump(document, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Agreement of two binary mask streams (y4m, frame size): IoU per frame, pooled IoU, pixel agreement.

A pixel is "in" the mask when its luma is ≥ 128 (masks are written as 0 / 255). Pooled IoU is the sum of
intersections over the sum of unions across all frames; per-frame IoU counts a frame where both masks are empty
as 1. Frames are compared in order; if the streams have different frame counts, only the common prefix is
compared and `frames_a` / `frames_b` say so. Different frame sizes are an error (exit status 2).

Usage: python Benchmarks/mask_iou.py A.y4m B.y4m [--json]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from y4m_gray import Y4MFormatError, read_frames  # noqa: E402


def compare(path_a: str, path_b: str) -> dict:
    """Compares two y4m mask files; raises ValueError on unreadable files or mismatched frame sizes."""
    frames_a = frames_b = 0
    intersection = union = agree = pixels = 0
    per_frame = []
    with open(path_a, "rb") as file_a, open(path_b, "rb") as file_b:
        stream_a, stream_b = read_frames(file_a), read_frames(file_b)
        while True:
            a, b = next(stream_a, None), next(stream_b, None)
            frames_a += a is not None
            frames_b += b is not None
            if a is None or b is None:
                break
            if a.shape != b.shape:
                raise ValueError(f"frame sizes differ: {a.shape[1]}×{a.shape[0]} vs {b.shape[1]}×{b.shape[0]}")
            mask_a, mask_b = a >= 128, b >= 128
            both, either = int(np.logical_and(mask_a, mask_b).sum()), int(np.logical_or(mask_a, mask_b).sum())
            intersection, union = intersection + both, union + either
            agree += int((mask_a == mask_b).sum())
            pixels += mask_a.size
            per_frame.append(1.0 if either == 0 else both / either)
        frames_a += sum(1 for _ in stream_a)
        frames_b += sum(1 for _ in stream_b)
    compared = len(per_frame)
    return {"a": path_a, "b": path_b, "frames_a": frames_a, "frames_b": frames_b, "frames_compared": compared,
            "iou_pooled": intersection / union if union else (1.0 if compared else None),
            "iou_mean": float(np.mean(per_frame)) if compared else None,
            "iou_min": float(np.min(per_frame)) if compared else None,
            "pixel_agreement": agree / pixels if pixels else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        result = compare(args.a, args.b)
    except (OSError, ValueError, Y4MFormatError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    if args.json:
        print(json.dumps(result))
        return
    counts = (f"{result['frames_compared']} frames" if result["frames_a"] == result["frames_b"]
              else f"{result['frames_compared']} frames compared ({result['frames_a']} vs {result['frames_b']})")
    if not result["frames_compared"]:
        print(f"{counts}: nothing to compare")
        return
    print(f"{counts}: IoU pooled {result['iou_pooled']:.4f}, mean {result['iou_mean']:.4f}, "
          f"min {result['iou_min']:.4f}; pixel agreement {result['pixel_agreement']:.4f}")


if __name__ == "__main__":
    main()

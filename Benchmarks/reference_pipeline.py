#!/usr/bin/env python3
"""The Python video loop a CLIPSeg user would write, as the end-to-end reference for `clipseg segment`.

Per frame, in one thread of Python (torch computes with --threads threads):
  PyAV decode → RGB → `CLIPSegProcessor(text=prompts, images=[frame] * P)` → `CLIPSegForImageSegmentation`
  → logits [P, S, S] upscaled to the frame size (torch bilinear, align_corners=False) → sigmoid > threshold
  (union over prompts) → overlay (mask pixels blended 50 % with red) → PyAV encode (libx264, its default
  settings, yuv420p) into an mp4 at the input's frame rate.

Nothing is cached between frames (the text encoder runs every frame), as in the usual notebook code.
`--masks FILE.y4m` also writes the binary masks (0 / 255, frame size, y4m `Cmono`) so they can be compared
with ours by IoU (mask_iou.py). The mask recipe — upscale logits bilinearly, then sigmoid, then threshold —
is the order `clipseg segment` composes in.

Prints a summary (frames, frames/s of the loop and including model load, per-stage ms per frame, peak RSS
from VmHWM); `--json` prints it as one JSON object instead.

Usage:
  "$CLIPSEG_BENCH_PYTHON" Benchmarks/reference_pipeline.py INPUT [--model DIR] --prompt TEXT [--prompt TEXT …]
      -o OUT.mp4 [--masks OUT.y4m] [--threads 2] [--threshold 0.4] [--max-frames N] [--json]
--model defaults to $CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64 (bench_paths.py).
"""
import argparse
import json
import os
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_paths  # noqa: E402

bench_paths.require_packages("numpy")  # y4m_gray needs it; main() checks for the rest
from peak_memory import own_peak_rss_mib  # noqa: E402
from y4m_gray import Y4MWriter  # noqa: E402

OVERLAY_RGB = (255, 0, 0)
OVERLAY_ALPHA = 0.5
STAGES = ("decode", "preprocess", "model", "compose", "encode")


class StageClock:
    """Accumulates wall time per named stage."""

    def __init__(self):
        self.totals = {stage: 0.0 for stage in STAGES}
        self.started = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.totals[stage] += now - self.started
        self.started = now


def run(args) -> dict:
    import av
    import numpy as np
    import torch
    from PIL import Image
    from transformers import CLIPSegForImageSegmentation, CLIPSegProcessor

    torch.set_num_threads(args.threads)
    load_start = time.perf_counter()
    processor = CLIPSegProcessor.from_pretrained(args.model)
    model = CLIPSegForImageSegmentation.from_pretrained(args.model).eval()
    load_s = time.perf_counter() - load_start

    source = av.open(args.input)
    video = source.streams.video[0]
    rate = video.average_rate or video.guessed_rate or Fraction(30, 1)
    sink = av.open(args.output, "w")
    encoded = sink.add_stream("libx264", rate=rate)
    encoded.width, encoded.height, encoded.pix_fmt = video.codec_context.width, video.codec_context.height, "yuv420p"
    masks_file = open(args.masks, "wb") if args.masks else None
    masks = Y4MWriter(masks_file, encoded.width, encoded.height, rate.numerator, rate.denominator) \
        if masks_file else None
    colour = np.array(OVERLAY_RGB, dtype=np.float32)

    clock = StageClock()
    loop_start = time.perf_counter()
    frames = 0
    for frame in source.decode(video):
        if args.max_frames and frames >= args.max_frames:
            break
        rgb = frame.to_ndarray(format="rgb24")
        height, width = rgb.shape[:2]
        clock.lap("decode")
        inputs = processor(text=args.prompt, images=[Image.fromarray(rgb)] * len(args.prompt), padding=True,
                           return_tensors="pt")
        clock.lap("preprocess")
        with torch.inference_mode():
            logits = model(**inputs).logits
        clock.lap("model")
        with torch.inference_mode():
            upscaled = torch.nn.functional.interpolate(logits.reshape(len(args.prompt), 1, *logits.shape[-2:]),
                                                       size=(height, width), mode="bilinear", align_corners=False)
            mask = (torch.sigmoid(upscaled[:, 0]) > args.threshold).any(dim=0).numpy()
        weight = mask[..., None].astype(np.float32) * OVERLAY_ALPHA
        overlay = (rgb * (1.0 - weight) + colour * weight + 0.5).astype(np.uint8)
        if masks:
            masks.write(mask.astype(np.uint8) * 255)
        clock.lap("compose")
        out_frame = av.VideoFrame.from_ndarray(overlay, format="rgb24")
        out_frame.pts = frames
        out_frame.time_base = 1 / rate
        for packet in encoded.encode(out_frame):
            sink.mux(packet)
        frames += 1
        clock.lap("encode")
        if args.progress and frames % 10 == 0:
            print(f"\r{frames} frames, {frames / (time.perf_counter() - loop_start):.2f} fps",
                  end="", file=sys.stderr, flush=True)
    for packet in encoded.encode():
        sink.mux(packet)
    sink.close()
    source.close()
    if masks_file:
        masks_file.close()
    clock.lap("encode")
    loop_s = time.perf_counter() - loop_start
    if args.progress:
        print(file=sys.stderr)
    return {"input": args.input, "frames": frames, "width": int(encoded.width), "height": int(encoded.height),
            "prompts": args.prompt, "threads": args.threads, "threshold": args.threshold,
            "load_s": round(load_s, 2), "loop_s": round(loop_s, 2),
            "fps": round(frames / loop_s, 3) if loop_s > 0 else None,
            "fps_including_load": round(frames / (loop_s + load_s), 3),
            "stage_ms_per_frame": {stage: round(1000 * total / max(frames, 1), 1)
                                   for stage, total in clock.totals.items()},
            "peak_rss_mib": round(own_peak_rss_mib()),
            "torch_version": torch.__version__, "pyav_version": av.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("input")
    parser.add_argument("--model", default=bench_paths.full_checkpoint(),
                        help="checkpoint folder (default: $CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64)")
    parser.add_argument("--prompt", action="append", required=True, help="repeatable; masks are the union")
    parser.add_argument("-o", "--output", required=True, help="output video (.mp4, libx264)")
    parser.add_argument("--masks", help="write the binary masks here (y4m gray, frame size)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames (0: all)")
    parser.add_argument("--progress", action="store_true", help="frames and fps on stderr while running")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    args = parser.parse_args()
    if not os.path.exists(args.input):
        sys.exit(f"error: {args.input}: no such file")
    bench_paths.require_checkpoint(args.model)
    bench_paths.require_packages("av", "numpy", "torch", "PIL", "transformers")
    summary = run(args)
    if args.json:
        print(json.dumps(summary))
        return
    print(f"{summary['frames']} frames {summary['width']}×{summary['height']} in {summary['loop_s']} s: "
          f"{summary['fps']} frames/s ({summary['fps_including_load']} including {summary['load_s']} s load), "
          f"peak RSS {summary['peak_rss_mib']} MiB")
    print("ms per frame: " + ", ".join(f"{stage} {ms}" for stage, ms in summary["stage_ms_per_frame"].items()))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Expected masks of the trained sample model on the sample video, made with PyTorch (transformers).

For every prompt of Tools/make_sample_video.py (red circle, blue circle, yellow square, all triangles,
green star) this runs the stock `CLIPSegForImageSegmentation.forward` with `CLIPSegProcessor` (PIL-backend
ViT image processor: PIL bilinear squash to the model input, rescale 1/255, ImageNet mean/std) on every
frame of Samples/videos/shapes.mp4 and writes, into Samples/videos/shapes-masks/:

  torch-<slug>-64x64.mkv     model resolution: sigmoid(logits) > 0.4 on the model's output grid
  torch-<slug>-640x360.mkv   frame size: logits upscaled bilinearly (half-pixel centres, i.e. torch
                             interpolate align_corners=False) to 640x360, then sigmoid > 0.4
  reference.json             how they were made, per-prompt statistics (IoU against the ground truth
                             truth-<slug>.mkv, marked pixels), and the decode details

Masks are 0/255 gray frames stored losslessly (H.264 qp 0, full range) like the ground truth; read them with
`ffmpeg -i F -f rawvideo -pix_fmt gray -`.

Frames are decoded by the system `ffmpeg` command line (`-pix_fmt rgb24`: the system libswscale with
SWS_BICUBIC and the stream's BT.601 matrix), which is the conversion clipseg's MediaIO reproduces.
PyAV bundles a different FFmpeg build; the script reports how far its RGB frames and masks differ.

Usage: Tools/make_sample_references.py [--model Samples/models/shapes] [--videos Samples/videos]
"""
import argparse
import json
import os
import subprocess

import av
import numpy as np
import torch
from transformers import CLIPSegForImageSegmentation, CLIPSegProcessor

from make_sample_video import PROMPTS, slug

THRESHOLD = 0.4


def ffmpeg_frames(path, pix_fmt, channels):
    """uint8 [frames, height, width, channels] decoded by the system ffmpeg CLI."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", path], capture_output=True, text=True, check=True)
    width, height = (int(v) for v in probe.stdout.strip().split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, channels)


def decode_with_ffmpeg(path):
    """RGB frames uint8 [frames, height, width, 3] as the system FFmpeg converts them."""
    return ffmpeg_frames(path, "rgb24", 3)


def decode_with_pyav(path):
    with av.open(path) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def read_masks(path):
    """bool [frames, height, width] from a 0/255 gray mask video."""
    return ffmpeg_frames(path, "gray", 1)[..., 0] >= 128


def write_masks(path, masks, fps):
    """bool [frames, height, width] -> lossless H.264 gray (0/255), full range."""
    container = av.open(path, "w")
    stream = container.add_stream("libx264", rate=fps)
    stream.height, stream.width = masks.shape[1:]
    stream.pix_fmt = "gray"
    stream.options = {"qp": "0", "preset": "veryslow"}
    stream.codec_context.color_range = 2
    for index, mask in enumerate(masks):
        frame = av.VideoFrame.from_ndarray(mask.astype(np.uint8) * 255, format="gray")
        frame.pts = index
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


def model_logits(model, processor, frames, prompt, batch=48):
    """float32 [frames, out, out] from the stock forward."""
    out = []
    with torch.no_grad():
        for start in range(0, len(frames), batch):
            chunk = list(frames[start:start + batch])
            inputs = processor(text=[prompt] * len(chunk), images=chunk, padding=True, return_tensors="pt")
            out.append(model(**inputs).logits.reshape(len(chunk), *model_output_shape(model)))
    return torch.cat(out)


def model_output_shape(model):
    side = model.config.vision_config.image_size // model.config.vision_config.patch_size
    side *= (model.config.vision_config.patch_size // 4) ** 2
    return side, side


def upscale(logits, height, width):
    return torch.nn.functional.interpolate(logits[:, None], size=(height, width), mode="bilinear",
                                           align_corners=False)[:, 0]


def iou_stats(predicted, truth):
    """Mean per-frame IoU over frames with a target, pooled IoU, marked fraction on empty frames."""
    per_frame = []
    for p, t in zip(predicted, truth):
        if t.any():
            per_frame.append((p & t).sum() / (p | t).sum())
    empty = [p.mean() for p, t in zip(predicted, truth) if not t.any()]
    union = (predicted | truth).sum()
    return {
        "mean_frame_iou": round(float(np.mean(per_frame)), 4) if per_frame else None,
        "min_frame_iou": round(float(np.min(per_frame)), 4) if per_frame else None,
        "pooled_iou": round(float((predicted & truth).sum() / union), 4) if union else None,
        "frames_with_target": len(per_frame),
        "max_marked_fraction_on_empty_frames": round(float(np.max(empty)), 5) if empty else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="Samples/models/shapes")
    parser.add_argument("--videos", default="Samples/videos")
    args = parser.parse_args()
    torch.set_num_threads(1)
    video = os.path.join(args.videos, "shapes.mp4")
    mask_dir = os.path.join(args.videos, "shapes-masks")
    truth_manifest = json.load(open(os.path.join(mask_dir, "truth.json")))
    fps = truth_manifest["fps"]

    model = CLIPSegForImageSegmentation.from_pretrained(args.model, dtype=torch.float32).eval()
    processor = CLIPSegProcessor.from_pretrained(args.model)
    assert processor.image_processor.backend == "pil", "the reference must use the PIL (PIL-exact) processor"
    frames = decode_with_ffmpeg(video)
    height, width = frames.shape[1:3]
    pyav_frames = decode_with_pyav(video)
    pixel_difference = np.abs(frames.astype(int) - pyav_frames.astype(int))

    entries = []
    for prompt, kind, _colour, _shape in PROMPTS:
        logits = model_logits(model, processor, frames, prompt)
        small = (torch.sigmoid(logits) > THRESHOLD).numpy()
        large = (torch.sigmoid(upscale(logits, height, width)) > THRESHOLD).numpy()
        pyav_large = (torch.sigmoid(upscale(model_logits(model, processor, pyav_frames, prompt), height, width))
                      > THRESHOLD).numpy()
        truth = read_masks(os.path.join(mask_dir, f"truth-{slug(prompt)}.mkv"))
        files = {"model_resolution": f"torch-{slug(prompt)}-{small.shape[2]}x{small.shape[1]}.mkv",
                 "frame_size": f"torch-{slug(prompt)}-{width}x{height}.mkv"}
        write_masks(os.path.join(mask_dir, files["model_resolution"]), small, fps)
        write_masks(os.path.join(mask_dir, files["frame_size"]), large, fps)
        agreement = (pyav_large == large).mean()
        entry = {"prompt": prompt, "kind": kind, **files,
                 "versus_truth": iou_stats(large, truth),
                 "marked_pixels_model_resolution": [int(m.sum()) for m in small],
                 "pyav_decode_pixel_agreement": round(float(agreement), 6)}
        entries.append(entry)
        print(prompt, json.dumps(entry["versus_truth"]), f"pyav agreement {agreement:.6f}", flush=True)

    red = read_masks(os.path.join(mask_dir, entries[0]["frame_size"]))
    blue = read_masks(os.path.join(mask_dir, entries[1]["frame_size"]))
    overlap = [float((r & b).sum() / max(1, (r | b).sum())) for r, b in zip(red, blue)]
    manifest = {
        "model": os.path.relpath(args.model, mask_dir),
        "video": "../shapes.mp4",
        "frames": int(len(frames)), "width": int(width), "height": int(height),
        "forward": "transformers CLIPSegForImageSegmentation (stock forward, float32 from the F16 weights), "
                   "CLIPSegProcessor with the PIL-backend ViT image processor",
        "decode": "system ffmpeg CLI, -pix_fmt rgb24 (libswscale SWS_BICUBIC, BT.601 limited range from the "
                  "stream's tags)",
        "pyav_decode_max_channel_difference": int(pixel_difference.max()),
        "threshold": f"sigmoid(logits) > {THRESHOLD}",
        "model_resolution": "the logits grid as the model outputs it (no resize)",
        "frame_size": "logits upscaled bilinearly with half-pixel centres (torch interpolate, "
                      "align_corners=False) to the frame size, then thresholded",
        "format": "Matroska, lossless H.264 (qp 0) of gray masks, 0 or 255, full range; "
                  "`ffmpeg -i F -f rawvideo -pix_fmt gray -` gives the bytes",
        "red_versus_blue_circle_max_iou": round(max(overlap), 5),
        "prompts": entries,
    }
    with open(os.path.join(mask_dir, "reference.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("PyAV vs ffmpeg CLI max channel difference:", int(pixel_difference.max()),
          "; red/blue circle masks max IoU:", round(max(overlap), 5))


if __name__ == "__main__":
    main()

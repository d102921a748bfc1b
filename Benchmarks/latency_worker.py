"""One latency measurement of the reference CLIPSeg model, run in its own process (see reference_benchmark.py).

`--parts full` times the whole forward (what a user calls); `--parts split` times the three stages the way
`CLIPSegForImageSegmentation.forward` runs them, one after the other in each iteration:

- text:    conditional embeddings of the P prompts (`get_conditional_embeddings`, text encoder + projection);
- vision:  the vision encoder on the P copies of the frame (transformers runs all 12 layers; the ONNX graph
           holds the layers up to the deepest extracted one), returning the extracted layers' outputs;
- decoder: the decoder on those activations and embeddings, up to the logits.

Like a user's code, P prompts come with P copies of the image (`processor(text=prompts, images=[image] * P)`).
Inputs are the processor's output for a fixed synthetic 640×480 picture and the first P of PROMPTS.

Prints one JSON object on stdout: medians in milliseconds plus the raw samples. `--save-logits FILE` writes the
first run's logits (float32 .npy, [P, S, S]) so the caller can check that backends agree.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_paths  # noqa: E402

bench_paths.require_packages("numpy")  # torch / onnxruntime: checked by reference_benchmark.py
import numpy as np  # noqa: E402

PROMPTS = ["a red circle", "the small blue square on a white background", "cat",
           "a photograph of two dogs playing, near the river!"]


def synthetic_picture(width: int = 640, height: int = 480) -> np.ndarray:
    """A fixed photo-like RGB uint8 picture: smooth colour gradients, a few discs, mild noise."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    picture = np.stack([x / width, y / height, 0.5 + 0.5 * np.sin((x + y) / 90.0)], axis=-1) * 200.0
    for _ in range(5):
        cx, cy, radius = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(30, 120)
        picture[(x - cx) ** 2 + (y - cy) ** 2 < radius ** 2] = rng.uniform(0, 255, 3)
    picture += rng.normal(0.0, 6.0, picture.shape)
    return np.clip(picture, 0, 255).astype(np.uint8)


def model_inputs(model_dir: str, prompts: int) -> dict[str, np.ndarray]:
    """`CLIPSegProcessor` output for `prompts` prompts and as many copies of the synthetic picture (numpy)."""
    from PIL import Image
    from transformers import CLIPSegProcessor
    processor = CLIPSegProcessor.from_pretrained(model_dir)
    image = Image.fromarray(synthetic_picture())
    batch = processor(text=PROMPTS[:prompts], images=[image] * prompts, padding=True, return_tensors="np")
    return {"input_ids": batch["input_ids"].astype(np.int64),
            "attention_mask": batch["attention_mask"].astype(np.int64),
            "pixel_values": batch["pixel_values"].astype(np.float32)}


def time_iterations(steps: dict, runs: int, warmup: int) -> dict[str, list[float]]:
    """Runs the named steps in order `warmup + runs` times; returns each step's last `runs` durations (ms)."""
    samples = {name: [] for name in steps}
    for iteration in range(warmup + runs):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            elapsed = (time.perf_counter() - start) * 1000.0
            if iteration >= warmup:
                samples[name].append(elapsed)
    return samples


def torch_steps(args, inputs: dict, keep: dict) -> tuple[dict, dict]:
    """Steps for transformers (fp32 or bf16 weights and activations); `keep` receives the last logits."""
    import torch
    import transformers
    from transformers import CLIPSegForImageSegmentation
    torch.set_num_threads(args.threads)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.precision]
    model = CLIPSegForImageSegmentation.from_pretrained(args.model, dtype=dtype).eval()
    ids = torch.from_numpy(inputs["input_ids"])
    mask = torch.from_numpy(inputs["attention_mask"])
    pixels = torch.from_numpy(inputs["pixel_values"]).to(dtype)
    selected = [index + 1 for index in model.extract_layers]
    state = {}

    def full():
        with torch.inference_mode():
            keep["logits"] = model(input_ids=ids, attention_mask=mask, pixel_values=pixels).logits

    def text():
        with torch.inference_mode():
            state["conditional"] = model.get_conditional_embeddings(batch_size=ids.shape[0], input_ids=ids,
                                                                    attention_mask=mask)

    def vision():
        with torch.inference_mode():
            hidden = model.clip.get_image_features(pixel_values=pixels, output_hidden_states=selected)
            state["activations"] = [hidden.hidden_states[index] for index in selected]

    def decoder():
        with torch.inference_mode():
            keep["logits"] = model.decoder(state["activations"], state["conditional"]).logits

    info = {"torch_version": torch.__version__, "transformers_version": transformers.__version__,
            "attn_implementation": model.config._attn_implementation}
    steps = {"full": full} if args.parts == "full" else {"text": text, "vision": vision, "decoder": decoder}
    return steps, info


def onnxruntime_steps(args, inputs: dict, keep: dict) -> tuple[dict, dict]:
    """Steps for onnxruntime's CPU provider on the exported graphs (fp32 or dynamic int8)."""
    import onnxruntime as ort
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from onnx_export import graph_path
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1

    def session(name):
        return ort.InferenceSession(graph_path(args.onnx_dir, name, args.precision), options,
                                    providers=["CPUExecutionProvider"])

    text_inputs = {"input_ids": inputs["input_ids"], "attention_mask": inputs["attention_mask"]}
    state = {}
    if args.parts == "full":
        full_session = session("full")

        def full():
            keep["logits"] = full_session.run(["logits"], inputs)[0]
        steps = {"full": full}
    else:
        text_session, vision_session, decoder_session = session("text"), session("vision"), session("decoder")

        def text():
            state["conditional"] = text_session.run(None, text_inputs)[0]

        def vision():
            state["activations"] = vision_session.run(None, {"pixel_values": inputs["pixel_values"]})

        def decoder():
            feeds = {f"activation_{k}": state["activations"][k] for k in range(3)}
            feeds["conditional_embeddings"] = state["conditional"]
            keep["logits"] = decoder_session.run(["logits"], feeds)[0]
        steps = {"text": text, "vision": vision, "decoder": decoder}
    return steps, {"onnxruntime_version": ort.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["torch", "onnxruntime"], required=True)
    parser.add_argument("--precision", choices=["fp32", "bf16", "int8"], default="fp32")
    parser.add_argument("--parts", choices=["full", "split"], default="full")
    parser.add_argument("--model", required=True, help="checkpoint folder (processor, tokenizer, weights)")
    parser.add_argument("--onnx-dir", help="folder from onnx_export.py (onnxruntime only)")
    parser.add_argument("--prompts", type=int, default=1, choices=range(1, len(PROMPTS) + 1))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--save-logits")
    args = parser.parse_args()
    if args.backend == "onnxruntime" and (not args.onnx_dir or args.precision == "bf16"):
        parser.error("onnxruntime needs --onnx-dir and precision fp32 or int8")
    if args.backend == "torch" and args.precision == "int8":
        parser.error("torch runs fp32 or bf16")

    inputs = model_inputs(args.model, args.prompts)
    keep = {}
    load_start = time.perf_counter()
    build = torch_steps if args.backend == "torch" else onnxruntime_steps
    steps, info = build(args, inputs, keep)
    load_s = time.perf_counter() - load_start
    samples = time_iterations(steps, args.runs, args.warmup)
    if args.save_logits:
        logits = keep["logits"]
        logits = logits.float().numpy() if hasattr(logits, "float") else np.asarray(logits, dtype=np.float32)
        np.save(args.save_logits, logits)
    result = {"backend": args.backend, "precision": args.precision, "parts": args.parts,
              "prompts": args.prompts, "threads": args.threads, "runs": args.runs, "warmup": args.warmup,
              "padded_length": int(inputs["input_ids"].shape[1]),
              "image_size": int(inputs["pixel_values"].shape[-1]), "load_s": round(load_s, 3),
              **{f"{name}_ms": round(statistics.median(values), 2) for name, values in samples.items()},
              "samples_ms": {name: [round(v, 2) for v in values] for name, values in samples.items()},
              **info}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

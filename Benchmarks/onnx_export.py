"""Exports a CLIPSeg checkpoint to ONNX (opset 17) the way a speed-minded user would, plus dynamic-int8 copies.

Four graphs per checkpoint, all with a dynamic batch axis (and a dynamic sequence axis for token ids):

| file           | inputs                                              | outputs                                 |
|----------------|-----------------------------------------------------|-----------------------------------------|
| full.onnx      | input_ids I64 [B, L], attention_mask I64 [B, L], pixel_values F32 [B, 3, S, S] | logits [B, S, S] |
| text.onnx      | input_ids, attention_mask                           | conditional_embeddings [B, 512]         |
| vision.onnx    | pixel_values                                        | activation_0/1/2 [B, T, 768] (extract_layers) |
| decoder.onnx   | activation_0/1/2, conditional_embeddings            | logits [B, S, S]                        |

`full.onnx` is what a user benchmarks; the three parts give the text / vision / decoder split. Only the
extracted layers' outputs are graph outputs, so the exporter's dead-code elimination drops the vision layers
past the deepest extracted one (layers 11 and 12 of rd64), in full.onnx and vision.onnx alike.

`<name>.int8.onnx` is `onnxruntime.quantization.quantize_dynamic` with its defaults (int8 weights, dynamic
uint8 activations) — what a user gets from the one-line recipe.

Files are cached under CACHE/onnx-<key>/ where the key hashes config.json, the weights file's size and
modification time, and the torch/transformers versions; an existing complete folder is reused. The cache is
$CLIPSEG_BENCH_CACHE, else .bench/cache in the repository (ignored by git: never commit .onnx files).

Usage: "$CLIPSEG_BENCH_PYTHON" Benchmarks/onnx_export.py [MODEL_DIR] [--cache DIR]   (prints the folder)
MODEL_DIR defaults to $CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64 (bench_paths.py).
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_paths  # noqa: E402

EXPORT_OPSET = 17
GRAPH_NAMES = ("full", "text", "vision", "decoder")
DEFAULT_CACHE = bench_paths.cache()


def cache_folder(model_dir: str, cache_root: str) -> str:
    """The cache folder for this checkpoint and library versions (not created)."""
    import torch
    import transformers
    digest = hashlib.sha256()
    with open(os.path.join(model_dir, "config.json"), "rb") as config:
        digest.update(config.read())
    weights = os.stat(os.path.join(model_dir, "model.safetensors"))
    digest.update(f"{weights.st_size}:{weights.st_mtime_ns}:{torch.__version__}:{transformers.__version__}"
                  f":opset{EXPORT_OPSET}".encode())
    return os.path.join(cache_root, "onnx-" + digest.hexdigest()[:16])


def graph_path(folder: str, name: str, precision: str) -> str:
    """Path of one graph: `full.onnx`, `vision.int8.onnx`, …"""
    return os.path.join(folder, f"{name}.onnx" if precision == "fp32" else f"{name}.{precision}.onnx")


def is_complete(folder: str) -> bool:
    return all(os.path.exists(graph_path(folder, name, precision))
               for name in GRAPH_NAMES for precision in ("fp32", "int8"))


def _wrappers(model):
    """torch modules whose forward is exactly the corresponding slice of CLIPSegForImageSegmentation.forward."""
    import torch
    selected = [index + 1 for index in model.extract_layers]

    class Slice(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

    class Full(Slice):
        def forward(self, input_ids, attention_mask, pixel_values):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values).logits

    class Text(Slice):
        def forward(self, input_ids, attention_mask):
            return self.model.get_conditional_embeddings(batch_size=input_ids.shape[0], input_ids=input_ids,
                                                         attention_mask=attention_mask)

    class Vision(Slice):
        def forward(self, pixel_values):
            hidden = self.model.clip.get_image_features(pixel_values=pixel_values, output_hidden_states=selected)
            return tuple(hidden.hidden_states[index] for index in selected)

    class Decoder(Slice):
        def forward(self, activation_0, activation_1, activation_2, conditional_embeddings):
            return self.model.decoder([activation_0, activation_1, activation_2], conditional_embeddings).logits

    return {"full": Full(), "text": Text(), "vision": Vision(), "decoder": Decoder()}


def export(model_dir: str, folder: str) -> None:
    """Writes the four fp32 graphs and their int8 copies into `folder`."""
    import torch
    from onnxruntime.quantization import quantize_dynamic
    from transformers import CLIPSegForImageSegmentation

    model = CLIPSegForImageSegmentation.from_pretrained(model_dir, dtype=torch.float32).eval()
    model.requires_grad_(False)
    size = json.load(open(os.path.join(model_dir, "preprocessor_config.json")))["size"]["height"]
    batch, length = 2, 7
    ids = torch.randint(3, 400, (batch, length))
    ids[:, -1] = model.config.text_config.vocab_size - 1  # the argmax-pooled EOS position
    mask = torch.ones(batch, length, dtype=torch.int64)
    pixels = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        conditional = _wrappers(model)["text"](ids, mask)
        activations = _wrappers(model)["vision"](pixels)
    tokens = {0: "batch", 1: "sequence"}
    specs = {
        "full": ((ids, mask, pixels), ["input_ids", "attention_mask", "pixel_values"], ["logits"],
                 {"input_ids": tokens, "attention_mask": tokens, "pixel_values": {0: "batch"},
                  "logits": {0: "batch"}}),
        "text": ((ids, mask), ["input_ids", "attention_mask"], ["conditional_embeddings"],
                 {"input_ids": tokens, "attention_mask": tokens, "conditional_embeddings": {0: "batch"}}),
        "vision": ((pixels,), ["pixel_values"], ["activation_0", "activation_1", "activation_2"],
                   {"pixel_values": {0: "batch"}, **{f"activation_{k}": {0: "batch"} for k in range(3)}}),
        "decoder": ((*activations, conditional),
                    ["activation_0", "activation_1", "activation_2", "conditional_embeddings"], ["logits"],
                    {**{f"activation_{k}": {0: "batch"} for k in range(3)}, "conditional_embeddings": {0: "batch"},
                     "logits": {0: "batch"}}),
    }
    os.makedirs(folder, exist_ok=True)
    wrappers = _wrappers(model)
    for name in GRAPH_NAMES:
        arguments, inputs, outputs, axes = specs[name]
        target = graph_path(folder, name, "fp32")
        partial = target + ".partial"
        print(f"exporting {name} -> {target}", file=sys.stderr, flush=True)
        with torch.no_grad():
            torch.onnx.export(wrappers[name], arguments, partial, dynamo=False, opset_version=EXPORT_OPSET,
                              input_names=inputs, output_names=outputs, dynamic_axes=axes,
                              do_constant_folding=True)
        os.replace(partial, target)
    for name in GRAPH_NAMES:
        target = graph_path(folder, name, "int8")
        print(f"quantize_dynamic {name} -> {target}", file=sys.stderr, flush=True)
        quantize_dynamic(graph_path(folder, name, "fp32"), target + ".partial.onnx")
        os.replace(target + ".partial.onnx", target)


def ensure_exported(model_dir: str, cache_root: str = DEFAULT_CACHE) -> str:
    """Returns the cache folder for `model_dir`, exporting first if it is missing or incomplete."""
    folder = cache_folder(model_dir, cache_root)
    if not is_complete(folder):
        export(model_dir, folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", nargs="?", default=bench_paths.full_checkpoint())
    parser.add_argument("--cache", default=DEFAULT_CACHE)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    bench_paths.require_checkpoint(args.model_dir)
    bench_paths.require_packages("torch", "transformers", "onnx", "onnxruntime")
    import torch
    torch.set_num_threads(args.threads)
    print(ensure_exported(args.model_dir, args.cache))


if __name__ == "__main__":
    main()

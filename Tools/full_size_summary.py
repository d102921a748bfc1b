"""The full-size fixture that CI checks (Tests/Fixtures/clipseg-full-size/, read by FullSizeSeededTests).

The exact CIDAS/clipseg-rd64-refined architecture (its config.json and preprocessor_config.json byte for byte:
12+12 layers, 768/512 wide, 352 px, rd64 refined decoder) with weights from Tools/seeded_weights.py, so the
~600 MB checkpoint is never committed: the Swift test rebuilds it from `tensors.tsv` and the seed. transformers
records, in float32 (and float64 for the precision figure), statistics and fixed samples of the pixel values,
text embeddings, three hidden states of the vision encoder and the logits, for two prompts and one image.

Written by `Tools/make_fixtures.py --full-size-summary DIR` (see that script for the command line).
"""
import json
import os
import shutil

import numpy as np
import torch
import transformers
from PIL import Image
from transformers import AutoImageProcessor, CLIPSegConfig, CLIPSegForImageSegmentation, CLIPTokenizer

from seeded_weights import fill_model, values, write_manifest

SEED = 6402
PROMPTS = ["a cat", "the small blue square on a white background"]
CHECKED_TENSORS = ["clip.text_model.embeddings.token_embedding.weight",
                   "clip.vision_model.encoder.layers.11.mlp.fc2.weight",
                   "clip.vision_model.post_layernorm.weight",
                   "decoder.transposed_convolution.4.bias"]


def grid_indices(shape, rows, columns):
    """Flat indices of rows × columns positions of every leading slice of a [..., H, W] tensor."""
    plane = shape[-2] * shape[-1]
    leading = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return [lead * plane + r * shape[-1] + c for lead in range(leading) for r in rows for c in columns]


def sample_indices(name, shape):
    """The fixed positions recorded for each tensor (corners, the middle and a coarse grid)."""
    if name.startswith("logits"):
        side = shape[-1]
        block = list(range(4))
        return sorted(set(grid_indices(shape, range(0, side, 32), range(0, side, 32))
                          + grid_indices(shape, block, block)
                          + grid_indices(shape, [side // 2 + i for i in block], [side // 2 + i for i in block])
                          + grid_indices(shape, [side - 4 + i for i in block], [side - 4 + i for i in block])))
    rows, width = shape[-2], shape[-1]
    picked_rows = sorted({0, 1, rows // 2, rows - 1})
    picked_columns = sorted(set(range(8)) | set(range(width // 2, width // 2 + 4)) | set(range(width - 8, width)))
    leading = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return [lead * rows * width + r * width + c for lead in range(leading) for r in picked_rows for c in picked_columns]


def forward(model, dtype, input_ids, attention_mask, pixel_values, extract_layers):
    """{name: tensor} with the leading batch of one dropped where the Swift API has none."""
    with torch.no_grad():
        pixels = pixel_values.to(dtype)
        text_embeds = model.clip.get_text_features(input_ids, attention_mask=attention_mask).pooler_output
        states = model.clip.vision_model(pixels, output_hidden_states=True).hidden_states
        logits = model(input_ids=input_ids, attention_mask=attention_mask,
                       pixel_values=pixels.expand(input_ids.shape[0], -1, -1, -1)).logits
    out = {"pixel_values": pixels[0], "text_embeds": text_embeds, "logits": logits}
    for layer in extract_layers:
        out[f"vision_hidden.{layer}"] = states[layer + 1][0]
    return out


def statistics(tensor):
    values64 = tensor.double()
    return {"mean": values64.mean().item(), "std": values64.std(unbiased=False).item(),
            "min": values64.min().item(), "max": values64.max().item()}


def write_summary(folder, cidas_folder, repository, tokenizer_folder, image, log):
    """Writes config.json, preprocessor_config.json (copied from `cidas_folder`), tensors.tsv, photo.png and
    summary.json; `tokenizer_folder` is relative to `repository`."""
    os.makedirs(folder, exist_ok=True)
    for name in ["config.json", "preprocessor_config.json"]:
        shutil.copyfile(os.path.join(cidas_folder, name), os.path.join(folder, name))
    image.save(os.path.join(folder, "photo.png"))
    image = Image.open(os.path.join(folder, "photo.png")).convert("RGB")  # exactly the committed file

    config = CLIPSegConfig.from_pretrained(folder)
    model = CLIPSegForImageSegmentation(config).eval()
    model.set_attn_implementation("eager")
    buffers = {"clip.text_model.embeddings.position_ids": [1, config.text_config.max_position_embeddings],
               "clip.vision_model.embeddings.position_ids":
                   [1, (config.vision_config.image_size // config.vision_config.patch_size) ** 2 + 1]}
    log("  filling the weights from the seed")
    rows = fill_model(model, SEED, buffers)
    write_manifest(rows, os.path.join(folder, "tensors.tsv"))
    expected = os.path.join(cidas_folder, "tensors.tsv")
    if os.path.exists(expected):  # the real checkpoint's tensor list: the same names, dtypes and shapes
        with open(expected) as handle:
            real = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
        mine = [[name, dtype, str(shape)] for name, dtype, shape, _, _ in rows]
        if sorted(real) != sorted(mine):
            raise AssertionError("tensor list differs from the CIDAS checkpoint's tensors.tsv")

    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(repository, tokenizer_folder))
    unpadded = [tokenizer(p)["input_ids"] for p in PROMPTS]
    batch = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    processor = AutoImageProcessor.from_pretrained(folder)
    pixel_values = processor(images=image, return_tensors="pt")["pixel_values"].float()
    log(f"  float32 forward ({len(PROMPTS)} prompts, {pixel_values.shape[-1]} px)")
    refs32 = forward(model, torch.float32, batch["input_ids"], batch["attention_mask"], pixel_values,
                     config.extract_layers)
    log("  float64 forward for the precision figure")
    refs64 = forward(model.double(), torch.float64, batch["input_ids"], batch["attention_mask"], pixel_values,
                     config.extract_layers)

    parameters = dict(model.named_parameters())
    generator_check = {}
    for name in CHECKED_TENSORS:
        row = next(r for r in rows if r[0] == name)
        data = values(SEED, name, parameters[name].numel(), float(row[3]), float(row[4]))
        generator_check[name] = {"first": [float(v) for v in data[:8]], "sum": float(data.astype(np.float64).sum())}

    tensors = {}
    for name, tensor in refs32.items():
        flat = tensor.contiguous().reshape(-1)
        indices = sample_indices(name, list(tensor.shape))
        tensors[name] = {"shape": list(tensor.shape), "statistics": statistics(tensor),
                         "fp32_vs_fp64_max_abs_diff": (tensor.double() - refs64[name]).abs().max().item(),
                         "indices": indices, "values": [float(flat[i]) for i in indices]}
    summary = {"generator": "Tools/seeded_weights.py", "seed": SEED,
               "torch_version": torch.__version__, "transformers_version": transformers.__version__,
               "configuration": "config.json and preprocessor_config.json of CIDAS/clipseg-rd64-refined",
               "image": "photo.png", "image_size": list(image.size), "tokenizer": tokenizer_folder,
               "prompts": PROMPTS, "input_ids": unpadded, "generator_check": generator_check, "tensors": tensors}
    with open(os.path.join(folder, "summary.json"), "w") as handle:
        json.dump(summary, handle, indent=1)
        handle.write("\n")
    log(f"  logits fp32 vs fp64: {tensors['logits']['fp32_vs_fp64_max_abs_diff']:.3g}, "
        f"std {tensors['logits']['statistics']['std']:.3g}")

#!/usr/bin/env python3
"""Builds the CLIPSeg parity fixtures that the Swift tests read (format: Tests/Fixtures/README.md).

Small mode (default): three small random `CLIPSegForImageSegmentation` checkpoints that together move every
configuration knob off its default, each written as a Hugging Face model folder under
Tests/Fixtures/clipseg/<case>/ with input PNGs, reference.safetensors and reference.json.

Full-size summary (`--full-size-summary`): the CI fixture Tests/Fixtures/clipseg-full-size/ (see
Tools/full_size_summary.py): CIDAS/clipseg-rd64-refined's own configuration files, weights from a seed
(Tools/seeded_weights.py, rebuilt by the Swift test, never committed), statistics and samples of the references.

Full mode (`--full DIR`): one random checkpoint with the exact CIDAS/clipseg-rd64-refined architecture
(~600 MB F32, with the legacy `position_ids` buffers), the tokenizer files from Samples/models/shapes and
references for one image with 4 text prompts, 1 text prompt and one image prompt. Not committed.

References are computed by transformers from the weights AS STORED: the folder is saved in its storage dtype
and loaded back (float32 for the references, float64 for the precision figure).

Usage: "$CLIPSEG_BENCH_PYTHON" Tools/make_fixtures.py [--out Tests/Fixtures/clipseg] [--full DIR]
       "$CLIPSEG_BENCH_PYTHON" Tools/make_fixtures.py --full-size-summary [--cidas ../shared/fixtures/cidas-clipseg/rd64-refined]
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import torch
import transformers
from PIL import Image, ImageDraw
from safetensors.torch import load_file, save_file
from transformers import AutoImageProcessor, CLIPSegConfig, CLIPSegForImageSegmentation, CLIPTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clipseg_fixture_references import (compare_precisions, compute_references, pooled_positions,  # noqa: E402
                                        randomize_weights, unpadded_text_embeds)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZER_DIR = "Samples/models/shapes"
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
IMAGE_NAMES = ["photo.png", "structure.png"]
PROMPT_IMAGE = "prompt.png"

CLIP_PROMPTS = ["a red circle", "the small blue square on a white background", "cat",
                "a photograph of two dogs playing, near the river!"]

CASES = [
    dict(name="p16-refined-bf16-clipvocab", seed=1601, storage="bfloat16", processor_size=96,
         text=dict(vocab_size=49408, hidden_size=12, num_attention_heads=3, num_hidden_layers=2, intermediate_size=20,
                   max_position_embeddings=77, hidden_act="gelu", layer_norm_eps=1e-6,
                   bos_token_id=0, eos_token_id=2, pad_token_id=1),
         vision=dict(hidden_size=48, num_attention_heads=3, num_hidden_layers=4, intermediate_size=80,
                     image_size=64, patch_size=16, hidden_act="quick_gelu", layer_norm_eps=1e-5),
         model=dict(projection_dim=24, extract_layers=[0, 2, 3], conditional_layer=1, reduce_dim=16,
                    decoder_num_attention_heads=2, decoder_intermediate_size=24,
                    use_complex_transposed_convolution=True),
         prompts=CLIP_PROMPTS),
    dict(name="p8-plain-f32", seed=801, storage="float32", processor_size=40,
         text=dict(vocab_size=100, hidden_size=24, num_attention_heads=2, num_hidden_layers=2, intermediate_size=48,
                   max_position_embeddings=16, hidden_act="quick_gelu", layer_norm_eps=1e-5,
                   bos_token_id=98, eos_token_id=2, pad_token_id=1),
         vision=dict(hidden_size=40, num_attention_heads=5, num_hidden_layers=3, intermediate_size=56,
                     image_size=32, patch_size=8, hidden_act="quick_gelu", layer_norm_eps=1e-5),
         model=dict(projection_dim=16, extract_layers=[0, 2], conditional_layer=0, reduce_dim=8,
                    decoder_num_attention_heads=1, decoder_intermediate_size=12,
                    use_complex_transposed_convolution=False),
         prompt_lengths=[5, 9, 3, 7]),
    dict(name="p8-refined-f16-firsteos", seed=802, storage="float16", processor_size=48,
         text=dict(vocab_size=90, hidden_size=20, num_attention_heads=5, num_hidden_layers=3, intermediate_size=28,
                   max_position_embeddings=12, hidden_act="gelu", layer_norm_eps=1e-6,
                   bos_token_id=89, eos_token_id=7, pad_token_id=1),
         vision=dict(hidden_size=36, num_attention_heads=3, num_hidden_layers=3, intermediate_size=44,
                     image_size=48, patch_size=8, hidden_act="gelu", layer_norm_eps=1e-6),
         model=dict(projection_dim=20, extract_layers=[1, 2], conditional_layer=1, reduce_dim=12,
                    decoder_num_attention_heads=3, decoder_intermediate_size=20,
                    use_complex_transposed_convolution=True),
         prompt_lengths=[6, 4, 8]),
]

# CIDAS/clipseg-rd64-refined: config.json values (text/vision sub-configs are CLIP ViT-B/16 with a 512 text
# tower; the text config carries the legacy bos 0 / eos 2 / pad 1 ids) and its preprocessor (ViT, 352, ImageNet).
FULL_CASE = dict(name="full-rd64-refined", seed=6401, storage="float32", processor_size=352,
                 text=dict(vocab_size=49408, hidden_size=512, num_attention_heads=8, num_hidden_layers=12,
                           intermediate_size=2048, max_position_embeddings=77, hidden_act="quick_gelu",
                           layer_norm_eps=1e-5, bos_token_id=0, eos_token_id=2, pad_token_id=1),
                 vision=dict(hidden_size=768, num_attention_heads=12, num_hidden_layers=12, intermediate_size=3072,
                             image_size=224, patch_size=16, hidden_act="quick_gelu", layer_norm_eps=1e-5),
                 model=dict(projection_dim=512, extract_layers=[3, 6, 9], conditional_layer=0, reduce_dim=64,
                            decoder_num_attention_heads=4, decoder_intermediate_size=2048,
                            use_complex_transposed_convolution=True),
                 prompts=CLIP_PROMPTS)


def log(message):
    print(message, flush=True)


# ----- inputs -----------------------------------------------------------------------------------------------

def smooth_field(rng, width, height, cells=(5, 4), noise=12.0):
    """A photo-like RGB image: a random coarse colour grid upsampled bicubically, plus pixel noise."""
    coarse = Image.fromarray(rng.randint(0, 256, (cells[1], cells[0], 3), dtype=np.uint8))
    base = np.asarray(coarse.resize((width, height), Image.BICUBIC), dtype=np.float64)
    return Image.fromarray(np.clip(base + rng.normal(0, noise, base.shape), 0, 255).round().astype(np.uint8))


def structure_image(rng, width, height):
    """Flat shapes with hard edges over a vertical gradient."""
    gradient = np.linspace(30, 220, height)[:, None, None] * np.array([1.0, 0.8, 0.5])[None, None, :]
    image = Image.fromarray(np.broadcast_to(gradient, (height, width, 3)).round().astype(np.uint8))
    draw = ImageDraw.Draw(image)
    colours = [tuple(int(c) for c in rng.randint(0, 256, 3)) for _ in range(3)]
    draw.ellipse([2, 5, width - 4, 5 + width - 6], fill=colours[0])
    draw.rectangle([width // 3, height // 2, width - 2, height - 6], fill=colours[1])
    draw.line([0, height - 1, width - 1, height // 3], fill=colours[2], width=2)
    return image


def make_images(seed):
    rng = np.random.RandomState(seed)
    photo = smooth_field(rng, 50, 37)
    structure = structure_image(rng, 23, 61)
    prompt = smooth_field(rng, 31, 44, cells=(3, 4), noise=6.0)
    ImageDraw.Draw(prompt).ellipse([6, 10, 24, 34], fill=(240, 200, 40))
    return [photo, structure], prompt


def preprocessor_config(size):
    return {"do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": IMAGENET_MEAN,
            "image_processor_type": "ViTImageProcessor", "image_std": IMAGENET_STD,
            "processor_class": "CLIPSegProcessor", "resample": 2, "rescale_factor": 0.00392156862745098,
            "size": {"height": size, "width": size}}


def pixel_values_for(processor, image, size):
    """The processor's pixel values [1, 3, S, S], checked bit for bit against the README's recipe."""
    values = processor(images=image, return_tensors="pt")["pixel_values"]
    resized = np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR)).astype(np.float32) / np.float32(255)
    recipe = (resized - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    if not np.array_equal(values[0].numpy(), recipe.transpose(2, 0, 1)):
        raise AssertionError("processor output differs from the documented PIL-bilinear recipe")
    return values.float()


def random_prompt_ids(case, rng):
    """Explicit ids for a small-vocab case, built so the wrong pooling rule would pick the wrong token."""
    text = case["text"]
    vocab, eos = text["vocab_size"], text["eos_token_id"]
    prompts = []
    for length in case["prompt_lengths"]:
        if eos == 2:
            # argmax pooling: a unique largest id at the end, and a decoy id 2 in the middle.
            middle = list(rng.randint(3, vocab - 2, length - 2))
            middle[rng.randint(0, length - 2)] = 2
            ids = [text["bos_token_id"]] + middle + [vocab - 1]
        else:
            # first-eos pooling: BOS is the largest id (argmax would pick position 0), EOS is small.
            middle = [int(i) for i in rng.randint(eos + 1, vocab - 1, length - 2)]
            ids = [text["bos_token_id"]] + middle + [eos]
        prompts.append([int(i) for i in ids])
    return prompts


def pad_batch(unpadded, pad_id):
    length = max(len(ids) for ids in unpadded)
    ids = torch.full((len(unpadded), length), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(unpadded), length), dtype=torch.int64)
    for row, prompt in enumerate(unpadded):
        ids[row, :len(prompt)] = torch.tensor(prompt)
        mask[row, :len(prompt)] = 1
    return ids, mask


def text_inputs(case, rng, prompts=None):
    """(prompt strings or None, unpadded ids, padded ids [P, L], attention mask [P, L])."""
    if prompts is not None:
        tokenizer = CLIPTokenizer.from_pretrained(os.path.join(REPO, TOKENIZER_DIR))
        unpadded = [tokenizer(p)["input_ids"] for p in prompts]
        batch = tokenizer(prompts, padding=True, return_tensors="pt")
        return prompts, unpadded, batch["input_ids"].to(torch.int64), batch["attention_mask"].to(torch.int64)
    unpadded = random_prompt_ids(case, rng)
    ids, mask = pad_batch(unpadded, case["text"]["pad_token_id"])
    return None, unpadded, ids, mask


# ----- model folder and references ---------------------------------------------------------------------------

def build_and_save(case, folder):
    """Creates the random model, saves it in its storage dtype; returns nothing (references reload it)."""
    config = CLIPSegConfig(text_config=case["text"], vision_config=case["vision"], **case["model"])
    torch.manual_seed(case["seed"])
    model = CLIPSegForImageSegmentation(config).eval()
    randomize_weights(model, case["seed"])
    model.to(DTYPES[case["storage"]]).save_pretrained(folder)
    with open(os.path.join(folder, "preprocessor_config.json"), "w") as handle:
        json.dump(preprocessor_config(case["processor_size"]), handle, indent=2, sort_keys=True)
        handle.write("\n")


def load_back(folder, dtype):
    return CLIPSegForImageSegmentation.from_pretrained(folder, dtype=dtype, attn_implementation="eager").eval()


def write_references(case, folder, images, prompt_image, prompts, extra_runs=None):
    """Computes fp32 references (and the fp64 figure) from the saved folder; writes reference.*."""
    rng = np.random.RandomState(case["seed"])
    prompts, unpadded, input_ids, attention_mask = text_inputs(case, rng, prompts)
    processor = AutoImageProcessor.from_pretrained(folder)
    size = case["processor_size"]
    pixel_values = [pixel_values_for(processor, image, size) for image in images]
    conditional = pixel_values_for(processor, prompt_image, size)

    log(f"  float32 references ({len(unpadded)} prompts, {len(images)} images, S={size})")
    model32 = load_back(folder, torch.float32)
    refs32 = compute_references(model32, input_ids, attention_mask, pixel_values, conditional, torch.float32)
    padding_effect = (unpadded_text_embeds(model32, unpadded) - refs32["text_embeds"]).abs().max().item()
    extra32 = extra_runs(model32, torch.float32) if extra_runs else {}
    del model32
    log("  float64 run for the precision figure")
    model64 = load_back(folder, torch.float64)
    refs64 = compute_references(model64, input_ids, attention_mask, pixel_values, conditional, torch.float64)
    extra64 = extra_runs(model64, torch.float64) if extra_runs else {}
    del model64
    refs32.update(extra32)
    refs64.update(extra64)
    logits_figure, per_tensor = compare_precisions(refs32, refs64)

    tensors = {name: tensor.float() for name, tensor in refs32.items()}
    tensors["input_ids"] = input_ids
    tensors["attention_mask"] = attention_mask
    tensors["conditional_pixel_values"] = conditional
    for index, values in enumerate(pixel_values):
        tensors[f"pixel_values.{index}"] = values
    save_file({k: v.contiguous() for k, v in sorted(tensors.items())}, os.path.join(folder, "reference.safetensors"),
              metadata={"format": "pt"})
    os.chmod(os.path.join(folder, "reference.safetensors"), 0o644)

    patch = case["vision"]["patch_size"]
    grid = size // patch
    eos = case["text"]["eos_token_id"]
    summary = {
        "case": case["name"], "seed": case["seed"],
        "torch_version": torch.__version__, "transformers_version": transformers.__version__,
        "storage_dtype": case["storage"],
        "images": IMAGE_NAMES[:len(images)], "image_sizes": [list(image.size) for image in images],
        "image_prompt": PROMPT_IMAGE, "image_prompt_size": list(prompt_image.size),
        "processor_size": size, "grid": grid, "tokens": 1 + grid * grid,
        "position_interpolation": grid != case["vision"]["image_size"] // patch,
        "tokenizer": TOKENIZER_DIR if prompts is not None else None,
        "prompts": prompts, "input_ids": unpadded, "padded_length": int(input_ids.shape[1]),
        "eos_token_id": eos, "pooling": "argmax" if eos == 2 else "first_eos",
        "pooled_positions": pooled_positions(input_ids, eos).tolist(),
        "padded_vs_unpadded_text_embeds_max_abs_diff": padding_effect,
        "fp32_vs_fp64_max_abs_diff": logits_figure,
        "fp32_vs_fp64_max_abs_diff_per_tensor": per_tensor,
        "max_abs_per_tensor": {name: refs32[name].abs().max().item() for name in sorted(refs32)},
    }
    with open(os.path.join(folder, "reference.json"), "w") as handle:
        json.dump(summary, handle, indent=1)
        handle.write("\n")
    log(f"  fp32 vs fp64 max |diff| over logits: {logits_figure:.3g} "
        f"(logits max |value| {max(v for k, v in summary['max_abs_per_tensor'].items() if 'logits' in k):.3g}); "
        f"padded vs unpadded text_embeds: {padding_effect:.3g}")
    return summary


def write_case(case, folder):
    log(f"case {case['name']} -> {os.path.relpath(folder, REPO) if folder.startswith(REPO) else folder}")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    images, prompt_image = make_images(case["seed"])
    for name, image in zip(IMAGE_NAMES, images):
        image.save(os.path.join(folder, name))
    prompt_image.save(os.path.join(folder, PROMPT_IMAGE))
    # Re-read the PNGs so the references come from exactly the committed files.
    images = [Image.open(os.path.join(folder, name)).convert("RGB") for name in IMAGE_NAMES]
    prompt_image = Image.open(os.path.join(folder, PROMPT_IMAGE)).convert("RGB")
    log("  saving random model")
    build_and_save(case, folder)
    return write_references(case, folder, images, prompt_image, case.get("prompts"))


# ----- full-size mode ----------------------------------------------------------------------------------------

def add_position_id_buffers(folder, case):
    """Adds the int64 `position_ids` buffers that older checkpoints (transformers < 4.31) carry."""
    path = os.path.join(folder, "model.safetensors")
    tensors = load_file(path)
    positions = (case["vision"]["image_size"] // case["vision"]["patch_size"]) ** 2 + 1
    tensors["clip.text_model.embeddings.position_ids"] = torch.arange(case["text"]["max_position_embeddings"]).unsqueeze(0)
    tensors["clip.vision_model.embeddings.position_ids"] = torch.arange(positions).unsqueeze(0)
    save_file(tensors, path, metadata={"format": "pt"})
    os.chmod(path, 0o644)


def write_full(folder):
    case = FULL_CASE
    log(f"full-size rd64-refined random checkpoint -> {folder}")
    os.makedirs(folder, exist_ok=True)
    images, prompt_image = make_images(case["seed"])
    images[0].save(os.path.join(folder, IMAGE_NAMES[0]))
    prompt_image.save(os.path.join(folder, PROMPT_IMAGE))
    for name in ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "LICENSE-CLIP-BPE.txt"]:
        shutil.copy(os.path.join(REPO, TOKENIZER_DIR, name), os.path.join(folder, name))
    log("  building and saving the random model (about 600 MB)")
    build_and_save(case, folder)
    add_position_id_buffers(folder, case)

    tokenizer = CLIPTokenizer.from_pretrained(folder)
    single_ids = tokenizer(case["prompts"][:1], return_tensors="pt")["input_ids"].to(torch.int64)

    def one_prompt_run(model, dtype):
        processor = AutoImageProcessor.from_pretrained(folder)
        image = pixel_values_for(processor, images[0], case["processor_size"]).to(dtype)
        with torch.no_grad():
            logits = model(input_ids=single_ids, pixel_values=image,
                           attention_mask=torch.ones_like(single_ids)).logits
        return {"logits_one_prompt.0": logits.contiguous()}

    images = [Image.open(os.path.join(folder, IMAGE_NAMES[0])).convert("RGB")]
    prompt_image = Image.open(os.path.join(folder, PROMPT_IMAGE)).convert("RGB")
    summary = write_references(case, folder, images, prompt_image, case["prompts"], extra_runs=one_prompt_run)
    log(f"full checkpoint written; fp32 vs fp64 logits figure {summary['fp32_vs_fp64_max_abs_diff']:.3g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(REPO, "Tests", "Fixtures", "clipseg"),
                        help="folder for the small cases (default: Tests/Fixtures/clipseg)")
    parser.add_argument("--full", metavar="DIR", help="write the full-size rd64-refined random checkpoint to DIR instead")
    parser.add_argument("--full-size-summary", action="store_true",
                        help="rewrite Tests/Fixtures/clipseg-full-size (seeded full-size weights) instead")
    parser.add_argument("--cidas", default=os.path.join(REPO, "..", "shared", "fixtures", "cidas-clipseg", "rd64-refined"),
                        help="folder with CIDAS/clipseg-rd64-refined's config.json and preprocessor_config.json")
    arguments = parser.parse_args()
    torch.set_num_threads(2 if arguments.full or arguments.full_size_summary else 1)  # one thread: bit-reproducible small fixtures
    if arguments.full_size_summary:
        from full_size_summary import write_summary
        photo = make_images(FULL_CASE["seed"])[0][0]
        write_summary(os.path.join(REPO, "Tests", "Fixtures", "clipseg-full-size"), os.path.abspath(arguments.cidas), REPO,
                      TOKENIZER_DIR, photo, log)
        log("done")
        return
    if arguments.full:
        write_full(os.path.abspath(arguments.full))
        return
    for case in CASES:
        write_case(case, os.path.join(os.path.abspath(arguments.out), case["name"]))
    log("done")


if __name__ == "__main__":
    main()

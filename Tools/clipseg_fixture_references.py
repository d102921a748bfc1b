"""Reference tensors for the CLIPSeg parity fixtures (used by Tools/make_fixtures.py).

Two jobs, both on a `transformers.CLIPSegForImageSegmentation`:
- `randomize_weights` re-draws every parameter with O(1) scales from a seeded generator, so that random
  fixtures exercise every path (the library's own init gives near-constant outputs);
- `compute_references` runs the model on prepared inputs and returns the named tensors that
  Tests/Fixtures/README.md describes (`text_embeds`, `vision_hidden.<i>.<l>`, `logits.<i>`, ...), checking on
  the way that each captured tensor is what the library's own forward pass consumes.
"""
import math

import torch


def randomize_weights(model, seed):
    """Re-draws all parameters of `model` in place, in sorted-name order, from `torch.Generator(seed)`.

    Linear/conv weights ~ N(0, 1/fan_in); biases ~ N(0, 0.1²); layer-norm gains 1 + N(0, 0.1²);
    embeddings ~ N(0, 0.5²); class embedding ~ N(0, 1). `logit_scale` is left as configured.
    """
    generator = torch.Generator().manual_seed(seed)
    modules = dict(model.named_modules())
    with torch.no_grad():
        for name, parameter in sorted(model.named_parameters()):
            owner = modules[name.rsplit(".", 1)[0]] if "." in name else model
            leaf = name.rsplit(".", 1)[-1]
            shape = parameter.shape

            def normal(std, mean=0.0):
                return torch.randn(shape, generator=generator, dtype=torch.float64) * std + mean

            if name.endswith("logit_scale"):
                continue
            if isinstance(owner, torch.nn.LayerNorm):
                value = normal(0.1, 1.0) if leaf == "weight" else normal(0.1)
            elif leaf == "bias":
                value = normal(0.1)
            elif leaf == "class_embedding":
                value = normal(1.0)
            elif isinstance(owner, torch.nn.Embedding):
                value = normal(0.5)
            elif isinstance(owner, torch.nn.ConvTranspose2d):
                # weight [in, out, k, k] with stride == kernel: each output pixel sums `in` products.
                value = normal(1.0 / math.sqrt(shape[0]))
            elif isinstance(owner, (torch.nn.Linear, torch.nn.Conv2d)):
                fan_in = parameter[0].numel()
                value = normal(1.0 / math.sqrt(fan_in))
            else:
                raise ValueError(f"no randomization rule for parameter {name} {tuple(shape)}")
            parameter.copy_(value.to(parameter.dtype))


def pooled_positions(input_ids, eos_token_id):
    """The position transformers' CLIPSegTextModel pools for each row of a padded `input_ids` [P, L]."""
    if eos_token_id == 2:
        return input_ids.to(torch.int).argmax(dim=-1)
    return (input_ids.to(torch.int) == eos_token_id).int().argmax(dim=-1)


class _InputCapture:
    """Records the first positional input of a module on each call (a forward pre-hook)."""

    def __init__(self, module):
        self.inputs = []
        self.handle = module.register_forward_pre_hook(lambda _m, args: self.inputs.append(args[0].detach().clone()))

    def remove(self):
        self.handle.remove()


def _assert_close(name, actual, expected, relative=1e-5):
    """Raises unless max |actual - expected| <= relative * (1 + max |expected|) (batching changes rounding)."""
    difference = (actual - expected).abs().max().item()
    tolerance = relative * (1.0 + expected.abs().max().item())
    if difference > tolerance:
        raise AssertionError(f"self-check failed for {name}: max |diff| {difference} > {tolerance}")


def compute_references(model, input_ids, attention_mask, pixel_values, conditional_pixel_values, dtype):
    """Runs `model` (already in `dtype`) and returns {name: tensor} as listed in Tests/Fixtures/README.md.

    input_ids / attention_mask: I64 [P, L] padded batch; pixel_values: list of [1, 3, S, S] float32 (one per
    query image); conditional_pixel_values: [1, 3, S, S] float32. Inputs are cast to `dtype` here.
    """
    config = model.config
    clip = model.clip
    vision = clip.vision_model
    extract_layers = list(config.extract_layers)
    depth = len(extract_layers)
    prompts = input_ids.shape[0]
    out = {}
    with torch.no_grad():
        text = clip.text_model(input_ids=input_ids, attention_mask=attention_mask)
        positions = pooled_positions(input_ids, config.text_config.eos_token_id)
        _assert_close("text pooled position", text.pooler_output,
                      text.last_hidden_state[torch.arange(prompts), positions])
        out["text_pooled"] = text.pooler_output
        out["text_embeds"] = clip.text_projection(text.pooler_output)
        _assert_close("text_embeds vs get_text_features", out["text_embeds"],
                      clip.get_text_features(input_ids, attention_mask=attention_mask).pooler_output)

        prompt_image = conditional_pixel_values.to(dtype)
        prompt_vision = vision(prompt_image)
        out["image_prompt_pooled"] = prompt_vision.pooler_output
        out["image_prompt_embeds"] = clip.visual_projection(prompt_vision.pooler_output)

        size = pixel_values[0].shape[-1]
        for index, image in enumerate(pixel_values):
            image = image.to(dtype)
            embeddings = vision.embeddings(image)
            out[f"vision_embeddings_pre_norm.{index}"] = embeddings[0]
            if index == 0:
                out["position_embedding_used"] = vision.embeddings.interpolate_pos_encoding(embeddings, size, size)[0]
            states = vision(image, output_hidden_states=True).hidden_states
            out[f"vision_embeddings.{index}"] = states[0][0]
            _assert_close("hidden_states[0] is pre_layrnorm(embeddings)", states[0], vision.pre_layrnorm(embeddings),
                          relative=0.0)

            reduce_inputs = [_InputCapture(reduce) for reduce in model.decoder.reduces]
            deconv_input = _InputCapture(model.decoder.transposed_convolution)
            try:
                logits = model(input_ids=input_ids, attention_mask=attention_mask,
                               pixel_values=image.expand(prompts, -1, -1, -1)).logits
            finally:
                for capture in reduce_inputs + [deconv_input]:
                    capture.remove()
            for step, capture in enumerate(reduce_inputs):
                layer = extract_layers[depth - 1 - step]  # the decoder walks the layers in reverse
                consumed = capture.inputs[0]
                for row in range(prompts):
                    _assert_close(f"reduces[{step}] input row {row}", consumed[row], consumed[0])
                _assert_close(f"reduces[{step}] input is hidden_states[{layer + 1}]", consumed[0], states[layer + 1][0])
                out[f"vision_hidden.{index}.{layer}"] = states[layer + 1][0]
            out[f"decoder_features.{index}"] = deconv_input.inputs[0]
            out[f"logits.{index}"] = logits

            prompt_run = model(pixel_values=image, conditional_pixel_values=prompt_image)
            _assert_close("image prompt conditional embedding", prompt_run.conditional_embeddings,
                          out["image_prompt_embeds"])
            out[f"image_prompt_logits.{index}"] = prompt_run.logits
    return {name: tensor.contiguous() for name, tensor in out.items()}


def unpadded_text_embeds(model, unpadded_ids):
    """text_embeds [P, D] computed one prompt at a time without padding (what a per-prompt encoder sees)."""
    rows = []
    with torch.no_grad():
        for ids in unpadded_ids:
            batch = torch.tensor([ids], dtype=torch.int64)
            rows.append(model.clip.get_text_features(batch, attention_mask=torch.ones_like(batch)).pooler_output[0])
    return torch.stack(rows)


def compare_precisions(references32, references64):
    """Max |fp32 - fp64| per tensor, and over all logits tensors (logits.* and image_prompt_logits.*)."""
    per_tensor = {name: (references32[name].double() - references64[name]).abs().max().item()
                  for name in sorted(references32)}
    logits = max(value for name, value in per_tensor.items() if "logits" in name)
    return logits, per_tensor

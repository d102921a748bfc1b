"""Weights computed from a seed, the same in Python (here) and Swift (Tests/TestSupport/SeededWeights.swift).

A checkpoint of any size can then be checked in CI without committing it: the fixture commits only the tensor
list with each tensor's range (`tensors.tsv`) and the references transformers computed on those weights.

The generator, for a tensor `name` of `count` elements, `seed` a 64-bit integer:
  mix(z)     = SplitMix64's finaliser: z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
               z *= 0x94D049BB133111EB; z ^= z >> 31                    (all arithmetic modulo 2^64)
  stream     = mix(seed XOR fnv1a64(UTF-8 bytes of name))
  h_k        = mix(stream + (k + 1) * 0x9E3779B97F4A7C15)               k = 0, 1, ... (SplitMix64's sequence)
  bits       = h_k >> 40 for element 2k, h_k & 0xFFFFFF for element 2k+1 (two 24-bit halves of each hash)
  u          = float32(bits) * 2^-23 - 1                               exactly, a multiple of 2^-23 in [-1, 1)
  value      = float32(u * half_width) + centre                        float32 multiply, then float32 add
I64 tensors (the legacy `position_ids` buffers) are 0, 1, 2, ... instead.
"""
import math

import numpy as np
import torch

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


def fnv1a64(text):
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & MASK
    return value


def mix_scalar(z):
    z = ((z ^ (z >> 30)) * MIX1) & MASK
    z = ((z ^ (z >> 27)) * MIX2) & MASK
    return z ^ (z >> 31)


def mix_array(z):
    """`mix` over a uint64 array (numpy wraps uint64 arithmetic modulo 2^64)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def uniform(seed, name, count):
    """The `count` values u in [-1, 1) of tensor `name`, float32."""
    stream = mix_scalar((seed ^ fnv1a64(name)) & MASK)
    pairs = (count + 1) // 2
    steps = np.arange(1, pairs + 1, dtype=np.uint64) * np.uint64(GOLDEN)  # wraps like the Swift &*
    hashes = mix_array(steps + np.uint64(stream))
    bits = np.empty(2 * pairs, dtype=np.uint64)
    bits[0::2] = hashes >> np.uint64(40)
    bits[1::2] = hashes & np.uint64(0xFFFFFF)
    return bits[:count].astype(np.float32) * np.float32(2.0 ** -23) - np.float32(1)


def values(seed, name, count, centre, half_width):
    return uniform(seed, name, count) * np.float32(half_width) + np.float32(centre)


def rule(model, name, parameter):
    """(centre, half_width) for a parameter: a uniform with the standard deviation of the random init that
    Tools/clipseg_fixture_references.py uses (linear/conv weights 1/sqrt(fan_in), biases 0.1, layer-norm gains
    1 +- 0.1, embeddings 0.5, the class embedding 1); half_width = sqrt(3) * std. logit_scale keeps its value."""
    modules = dict(model.named_modules())
    owner = modules[name.rsplit(".", 1)[0]] if "." in name else model
    leaf = name.rsplit(".", 1)[-1]
    shape = parameter.shape
    if name.endswith("logit_scale"):
        return float(parameter.detach().float()), 0.0
    if isinstance(owner, torch.nn.LayerNorm):
        centre, std = (1.0, 0.1) if leaf == "weight" else (0.0, 0.1)
    elif leaf == "bias":
        centre, std = 0.0, 0.1
    elif leaf == "class_embedding":
        centre, std = 0.0, 1.0
    elif isinstance(owner, torch.nn.Embedding):
        centre, std = 0.0, 0.5
    elif isinstance(owner, torch.nn.ConvTranspose2d):
        centre, std = 0.0, 1.0 / math.sqrt(shape[0])
    elif isinstance(owner, (torch.nn.Linear, torch.nn.Conv2d)):
        centre, std = 0.0, 1.0 / math.sqrt(parameter[0].numel())
    else:
        raise ValueError(f"no rule for parameter {name} {tuple(shape)}")
    return centre, math.sqrt(3.0) * std


def float32_text(value):
    """The shortest decimal that reads back as the same float32."""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")


def fill_model(model, seed, buffers):
    """Sets every parameter of `model` from the generator; returns the manifest rows
    (name, dtype, shape, centre text, half-width text) in name order, `buffers` ({name: shape}, I64) included."""
    rows = []
    parameters = dict(model.named_parameters())
    with torch.no_grad():
        for name in sorted(list(parameters) + list(buffers)):
            if name in buffers:
                rows.append((name, "I64", list(buffers[name]), "0", "0"))
                continue
            parameter = parameters[name]
            centre, half_width = rule(model, name, parameter)
            centre_text, width_text = float32_text(centre), float32_text(half_width)
            data = values(seed, name, parameter.numel(), float(centre_text), float(width_text))
            parameter.copy_(torch.from_numpy(data.reshape(tuple(parameter.shape))))
            rows.append((name, "F32", list(parameter.shape), centre_text, width_text))
    return rows


def write_manifest(rows, path):
    with open(path, "w") as handle:
        handle.write("# name\tdtype\tshape\tcentre\thalf_width  (Tools/seeded_weights.py)\n")
        for name, dtype, shape, centre, width in rows:
            handle.write(f"{name}\t{dtype}\t[{', '.join(str(s) for s in shape)}]\t{centre}\t{width}\n")

#!/usr/bin/env python3
"""Writes Tests/Fixtures/torch-checkpoint/: PyTorch zip checkpoints saved by torch itself, and the values
they must read as, for TorchCheckpointTests.

  views.bin            a state dict (OrderedDict with _metadata, as nn.Module.state_dict() returns) holding
                       fp32, fp16, bf16, fp64, int64 and bool tensors, a transposed view, a slice with a
                       storage offset, a strided slice, two tensors sharing one storage, a scalar, an empty
                       tensor, and an nn.Parameter
  views-protocol4.bin  the same dict pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, ...)
  views.safetensors    every tensor of views.bin, made contiguous: what the reader must return
  legacy.bin           views.bin's dict saved in torch's pre-1.6 format (refused: not a zip archive)
  os-system.bin        a pickle whose object reduces to os.system (refused; never run)
  not-a-dict.bin       a list of tensors (refused: not a state dict)
  clipseg-p8/pytorch_model.bin
                       Tests/Fixtures/clipseg/p8-plain-f32 loaded by transformers and saved with
                       torch.save(model.state_dict()): what a hub model with only a .bin holds

Run with a Python that has torch, transformers and safetensors, from the repository root:
    python3 Tools/make_torch_checkpoint_fixtures.py
"""
import collections
import os
import pathlib

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "torch-checkpoint"


class RunsACommand:
    """An object whose unpickling would call os.system: the reader must refuse it without running it."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/clipseg-torch-checkpoint-was-executed",))


def state_dict():
    generator = torch.Generator().manual_seed(7)
    base = torch.randn(4, 6, generator=generator)
    shared = torch.arange(12, dtype=torch.float32)
    linear = torch.nn.Linear(3, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(2, 3, generator=generator))
        linear.bias.copy_(torch.randn(2, generator=generator))
    tensors = collections.OrderedDict()
    for key, value in linear.state_dict().items():   # an OrderedDict with _metadata, as models save
        tensors["linear." + key] = value
    tensors["f32.matrix"] = base
    tensors["f32.transposed"] = base.t()                         # strides (1, 6)
    tensors["f32.slice"] = base[1:, 2:]                          # offset 8, strides (6, 1)
    tensors["f32.every-other-column"] = base[:, ::2]             # strides (6, 2)
    tensors["shared.first"] = shared[:6].view(2, 3)              # one storage,
    tensors["shared.second"] = shared[6:]                        # two tensors
    tensors["f16.values"] = torch.randn(3, 5, generator=generator).half()
    tensors["bf16.values"] = torch.randn(2, 7, generator=generator).bfloat16()
    tensors["f64.values"] = torch.randn(5, generator=generator).double()
    tensors["i64.position_ids"] = torch.arange(10).unsqueeze(0)
    tensors["bool.mask"] = torch.tensor([True, False, True])
    tensors["f32.scalar"] = torch.tensor(2.5)
    tensors["f32.empty"] = torch.zeros(0, 3)
    tensors["f32.parameter"] = torch.nn.Parameter(torch.randn(2, 2, generator=generator))
    result = collections.OrderedDict(tensors)
    result._metadata = getattr(linear.state_dict(), "_metadata", None)
    return result


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tensors = state_dict()
    torch.save(tensors, OUT / "views.bin")
    torch.save(tensors, OUT / "views-protocol4.bin", pickle_protocol=4)
    save_file({name: value.detach().contiguous().clone() for name, value in tensors.items()},
              OUT / "views.safetensors")
    torch.save(tensors, OUT / "legacy.bin", _use_new_zipfile_serialization=False)
    torch.save({"weight": torch.ones(2), "payload": RunsACommand()}, OUT / "os-system.bin")
    torch.save([torch.ones(2), torch.zeros(3)], OUT / "not-a-dict.bin")

    from transformers import CLIPSegForImageSegmentation
    source = ROOT / "Tests" / "Fixtures" / "clipseg" / "p8-plain-f32"
    model = CLIPSegForImageSegmentation.from_pretrained(source)
    target = OUT / "clipseg-p8"
    target.mkdir(exist_ok=True)
    # What save_pretrained(safe_serialization=False) wrote before transformers 5 dropped it: torch.save of
    # the model's state dict (the hub's pytorch_model.bin files were made this way).
    torch.save(model.state_dict(), target / "pytorch_model.bin")
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()

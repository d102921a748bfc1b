#!/usr/bin/env python3
"""Builds the CLIP byte-level BPE tokenizer files (vocab.json, merges.txt, tokenizer configs) that a
Hugging Face CLIPSeg/CLIP model folder carries, from OpenAI's MIT-licensed `bpe_simple_vocab_16e6.txt.gz`.

The BPE file ships inside the `open-clip-torch` wheel (open_clip/bpe_simple_vocab_16e6.txt.gz); without
`--bpe` this script downloads that wheel with pip (no dependencies) into a temporary folder.

The vocabulary is built exactly as OpenAI's `simple_tokenizer.py` builds it: the 256 byte-to-unicode
characters, the same with `</w>`, one entry per merge (48,894 merges), then <|startoftext|> and
<|endoftext|> — 49,408 entries, ids identical to openai/clip-vit-base-patch32 and CIDAS/clipseg-rd64-refined.

Usage: Tools/make_clip_vocab.py OUT_DIR [--bpe PATH/bpe_simple_vocab_16e6.txt.gz]
"""
import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile
import zipfile

LICENSE_NOTE = """The files vocab.json and merges.txt in this folder are derived by Tools/make_clip_vocab.py from
bpe_simple_vocab_16e6.txt.gz of OpenAI's CLIP (https://github.com/openai/CLIP), distributed under the MIT License:

MIT License

Copyright (c) 2021 OpenAI

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def bytes_to_unicode():
    """CLIP's reversible byte → printable-unicode table (same as GPT-2's)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def fetch_bpe() -> str:
    tmp = tempfile.mkdtemp(prefix="clip-bpe-")
    subprocess.run([sys.executable, "-m", "pip", "download", "open_clip_torch", "--no-deps", "-q", "-d", tmp], check=True)
    wheel = glob.glob(os.path.join(tmp, "open_clip_torch-*.whl"))[0]
    with zipfile.ZipFile(wheel) as z:
        z.extract("open_clip/bpe_simple_vocab_16e6.txt.gz", tmp)
    return os.path.join(tmp, "open_clip/bpe_simple_vocab_16e6.txt.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--bpe", help="path to bpe_simple_vocab_16e6.txt.gz (default: fetched from the open-clip-torch wheel)")
    args = ap.parse_args()

    bpe_path = args.bpe or fetch_bpe()
    lines = gzip.open(bpe_path).read().decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1 : 49152 - 256 - 2 + 1]]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(vocab) == 49408, len(vocab)

    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({tok: i for i, tok in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(args.out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        f.write("\n".join(" ".join(m) for m in merges) + "\n")
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
               "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}
    with open(os.path.join(args.out_dir, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(args.out_dir, "tokenizer_config.json"), "w") as f:
        json.dump({**special, "model_max_length": 77, "do_lower_case": True,
                   "tokenizer_class": "CLIPTokenizer", "errors": "replace"}, f, indent=2)
    with open(os.path.join(args.out_dir, "LICENSE-CLIP-BPE.txt"), "w") as f:
        f.write(LICENSE_NOTE)
    print(f"wrote {len(vocab)} tokens and {len(merges)} merges to {args.out_dir}")


if __name__ == "__main__":
    main()

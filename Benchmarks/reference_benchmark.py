#!/usr/bin/env python3
"""Reference model latency of CLIPSeg on this machine: transformers vs ONNX Runtime (fp32, dynamic int8).

For every (backend, prompts) pair two fresh worker processes run (latency_worker.py): one times the full forward
(median of --runs after --warmup) and reports the process's peak resident memory; the other times the
text / vision / decoder split. Every backend runs with the same --threads (torch.set_num_threads,
onnxruntime intra_op_num_threads, OMP_NUM_THREADS). The ONNX graphs (opset 17) and their dynamic-int8 copies
are exported once and cached (onnx_export.py, --cache: $CLIPSEG_BENCH_CACHE, else .bench/cache).

Each row also says how far its logits are from transformers fp32 with the same prompts (max |Δ| and the IoU
of the masks sigmoid > 0.4 at model resolution), so a fast but wrong backend shows.

Writes a JSON document (--json-out, also the last line of stdout with --json) and prints a table.

Usage:
  "$CLIPSEG_BENCH_PYTHON" Benchmarks/reference_benchmark.py [--model DIR] [--threads 2] [--runs 10]
      [--warmup 2] [--prompts 1,4] [--backends torch,onnxruntime,onnxruntime-int8] [--json-out FILE]
--model defaults to $CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64 (bench_paths.py).
"""
import argparse
import json
import math
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_paths  # noqa: E402

bench_paths.require_packages("numpy")  # the workers check for the rest
import numpy as np  # noqa: E402
from machine_info import describe, load_average  # noqa: E402
from onnx_export import DEFAULT_CACHE, cache_folder, is_complete  # noqa: E402
from peak_memory import run_measured  # noqa: E402
from text_table import format_table, number, ratio  # noqa: E402

# backend name → (latency_worker --backend, --precision, label)
BACKENDS = {
    "torch": ("torch", "fp32", "transformers fp32"),
    "torch-bf16": ("torch", "bf16", "transformers bf16"),
    "onnxruntime": ("onnxruntime", "fp32", "onnxruntime fp32"),
    "onnxruntime-int8": ("onnxruntime", "int8", "onnxruntime int8 (dynamic)"),
}
MASK_LOGIT = math.log(0.4 / 0.6)  # sigmoid(x) > 0.4  ⇔  x > logit(0.4)


def thread_environment(threads: int) -> dict:
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(threads)
    return env


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two boolean masks; 1.0 when both are empty."""
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def ensure_onnx(args) -> tuple[str, dict | None]:
    """The ONNX cache folder, exporting in a child process first when needed (time and peak RSS reported)."""
    folder = cache_folder(args.model, args.cache)
    if is_complete(folder):
        return folder, None
    print(f"exporting ONNX graphs into {folder} (once) …", file=sys.stderr, flush=True)
    run = run_measured([sys.executable, os.path.join(HERE, "onnx_export.py"), args.model, "--cache", args.cache,
                        "--threads", str(args.threads)], env=thread_environment(args.threads))
    if run.returncode != 0 or not is_complete(folder):
        sys.exit(f"error: ONNX export failed: {run.first_error_line()}")
    return folder, {"export_wall_s": round(run.wall_s, 1), "export_peak_rss_mib": round(run.peak_rss_mib)}


def run_worker(args, backend: str, prompts: int, parts: str, onnx_dir: str | None, logits_path: str | None):
    worker_backend, precision, _ = BACKENDS[backend]
    command = [sys.executable, os.path.join(HERE, "latency_worker.py"), "--backend", worker_backend,
               "--precision", precision, "--parts", parts, "--model", args.model, "--prompts", str(prompts),
               "--threads", str(args.threads), "--runs", str(args.runs), "--warmup", str(args.warmup)]
    if onnx_dir:
        command += ["--onnx-dir", onnx_dir]
    if logits_path:
        command += ["--save-logits", logits_path]
    print(f"  {BACKENDS[backend][2]}, {prompts} prompt(s), {parts} …", file=sys.stderr, flush=True)
    run = run_measured(command, env=thread_environment(args.threads))
    if run.returncode != 0:
        return {"error": run.first_error_line()}, run
    return json.loads(run.stdout.strip().splitlines()[-1]), run


def measure(args) -> dict:
    backends = args.backends.split(",")
    unknown = [name for name in backends if name not in BACKENDS]
    if unknown:
        sys.exit(f"error: unknown backend {unknown[0]!r}; choose from {', '.join(BACKENDS)}")
    prompt_counts = [int(count) for count in args.prompts.split(",")]
    document = {"machine": describe(), "threads": args.threads, "runs": args.runs, "warmup": args.warmup,
                "model": os.path.abspath(args.model), "rows": []}
    onnx_dir = None
    if any(BACKENDS[name][0] == "onnxruntime" for name in backends):
        onnx_dir, export = ensure_onnx(args)
        document["onnx_dir"], document["onnx_export"] = onnx_dir, export
    scratch = tempfile.mkdtemp(prefix="clipseg-refbench-")
    # transformers fp32 first: the other rows' logits are compared with it.
    ordered = sorted(backends, key=lambda name: name != "torch")
    for backend in ordered:
        for prompts in prompt_counts:
            logits_path = os.path.join(scratch, f"{backend}-{prompts}.npy")
            full, full_run = run_worker(args, backend, prompts, "full", onnx_dir, logits_path)
            row = {"backend": backend, "label": BACKENDS[backend][2], "prompts": prompts,
                   "total_ms": full.get("full_ms"), "peak_rss_mib": round(full_run.peak_rss_mib),
                   "full": full}
            if not args.no_split:
                split, _ = run_worker(args, backend, prompts, "split", onnx_dir, None)
                row.update({key: split.get(key) for key in ("text_ms", "vision_ms", "decoder_ms")})
                row["split"] = split
            reference_path = os.path.join(scratch, f"torch-{prompts}.npy")
            if backend != "torch" and os.path.exists(reference_path) and os.path.exists(logits_path):
                ours, reference = np.load(logits_path), np.load(reference_path)
                row["max_abs_logit_diff_vs_torch"] = float(np.abs(ours - reference).max())
                row["mask_iou_vs_torch"] = mask_iou(ours > MASK_LOGIT, reference > MASK_LOGIT)
            document["rows"].append(row)
    document["machine"]["load_average_end"] = load_average()
    return document


def render(document: dict) -> str:
    rows = document["rows"]
    by_key = {(row["backend"], row["prompts"]): row for row in rows}
    headers = ["model latency (ms)", "prompts", "text", "vision", "decoder", "sum", "full fwd",
               "×1-prompt", "vs transformers", "peak RSS MiB", "max|Δlogit|", "IoU@0.4"]
    lines = []
    for row in rows:
        parts = [row.get(key) for key in ("text_ms", "vision_ms", "decoder_ms")]
        single = by_key.get((row["backend"], 1))
        torch_row = by_key.get(("torch", row["prompts"]))
        error = row["full"].get("error")
        lines.append([row["label"] + (f"  [failed: {error}]" if error else ""), row["prompts"],
                      *[number(value) for value in parts],
                      number(sum(parts)) if all(value is not None for value in parts) else "n/a",
                      number(row["total_ms"]),
                      ratio(row["total_ms"], single and single["total_ms"]),
                      ratio(row["total_ms"], torch_row and torch_row["total_ms"]),
                      row["peak_rss_mib"] if not error else "n/a",
                      number(row.get("max_abs_logit_diff_vs_torch"), 2 if row["backend"].endswith("int8") else 7)
                      if "max_abs_logit_diff_vs_torch" in row else "-",
                      number(row.get("mask_iou_vs_torch"), 4) if "mask_iou_vs_torch" in row else "-"])
    machine = document["machine"]
    header = (f"{machine['date']} · {machine['cpu']} · {machine['cores']} cores · {document['threads']} threads · "
              f"median of {document['runs']} after {document['warmup']} warm-up · load avg "
              f"{machine['load_average_start'][0]} → {machine.get('load_average_end', ['?'])[0]}")
    return header + "\n" + format_table(headers, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--model", default=bench_paths.full_checkpoint(),
                        help="full-size checkpoint folder (Tools/make_fixtures.py --full; default: "
                             "$CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--prompts", default="1,4", help="comma-separated prompt counts (1–4)")
    parser.add_argument("--backends", default="torch,onnxruntime,onnxruntime-int8",
                        help=f"comma-separated, from: {', '.join(BACKENDS)}")
    parser.add_argument("--no-split", action="store_true", help="skip the text/vision/decoder split")
    parser.add_argument("--cache", default=DEFAULT_CACHE, help="where the .onnx files are kept")
    parser.add_argument("--json-out", help="write the JSON document here")
    parser.add_argument("--json", action="store_true", help="print the JSON document as the last stdout line")
    args = parser.parse_args()
    bench_paths.require_checkpoint(args.model)
    bench_paths.require_packages("numpy", "torch", "transformers", "PIL",
                                 *(["onnx", "onnxruntime"] if "onnxruntime" in args.backends else []))
    document = measure(args)
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(document, out, indent=1)
    print(render(document))
    if args.json:
        print(json.dumps(document))


if __name__ == "__main__":
    main()

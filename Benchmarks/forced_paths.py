"""Forced kernel paths: `clipseg bench` on each dispatch path this CPU can be made to take, every precision.

A path is our kernel family (`CLIPSEG_ISA`) together with the instruction set oneDNN may use
(`DNNL_MAX_CPU_ISA`, which oneDNN reads itself), so an AVX-512 machine also measures what an AVX2-only
CPU or an AVX-512 CPU without VNNI/BF16 gets. For each path and precision (fp32, bf16, int8, auto) the
result is the bench JSON (total_ms, and the isa and precision that actually ran) or the one-line refusal.
A path above this CPU runs lowered (its JSON "isa" says so) and is marked as not this path.

    "$CLIPSEG_BENCH_PYTHON" Benchmarks/forced_paths.py [--model DIR] [--threads 2] [--runs 5] [--warmup 1]
"""
import argparse
import json
import os
import sys

import bench_paths
import our_binary
from text_table import format_table

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (label, our kernel family, oneDNN's ceiling or None for its own best)
PATHS = [("avx512", "avx512", None), ("avx512, no VNNI/BF16", "avx512", "AVX512_CORE"),
         ("avx2", "avx2", "AVX2"), ("portable (OpenBLAS)", "portable", "AVX2")]
PRECISIONS = ["fp32", "bf16", "int8", "auto"]


def measure(binary, model: str, runs: int, warmup: int, threads: int, base_env: dict) -> dict:
    """{label: {precision: bench result or {"error": line}}} for every path and precision."""
    results = {}
    for label, isa, onednn in PATHS:
        env = our_binary.environment(base_env)
        env["CLIPSEG_ISA"] = isa
        env.pop("CLIPSEG_PORTABLE_KERNELS", None)
        if onednn:
            env["DNNL_MAX_CPU_ISA"] = onednn
        else:
            env.pop("DNNL_MAX_CPU_ISA", None)
        for precision in PRECISIONS:
            print(f"forced path {label}: clipseg bench {precision} …", file=sys.stderr, flush=True)
            result = our_binary.bench(binary, model, 1, runs, warmup, threads, precision, env)
            if "error" not in result and result.get("isa") != isa:
                result["lowered"] = True
            results.setdefault(label, {})[precision] = result
    return results


def rows(results: dict) -> list[list]:
    """One row per path: ms/frame of each precision (÷ that path's fp32), or why it was refused."""
    table = []
    for label, by_precision in results.items():
        fp32 = by_precision.get("fp32", {}).get("total_ms")
        cells = [label + (" (lowered: CPU lacks it)" if by_precision.get("fp32", {}).get("lowered") else "")]
        for precision in PRECISIONS:
            result = by_precision.get(precision, {})
            if "error" in result:
                cells.append("refused" if "--precision" in result["error"] else "n/a")
                continue
            ms = result["total_ms"]
            ratio = f" ({ms / fp32:.2f}×)" if fp32 and precision != "fp32" else ""
            ran = f" → {result.get('precision')}" if precision == "auto" else ""
            cells.append(f"{ms:.0f}{ratio}{ran}")
        table.append(cells)
    return table


def render(results: dict) -> str:
    return ("forced paths: ms/frame, 1 prompt (÷ fp32 on the same path)\n"
            + format_table(["path"] + PRECISIONS, rows(results)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=bench_paths.full_checkpoint())
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--clipseg", help="our binary (default: $CLIPSEG_BIN, else .build/release/clipseg)")
    parser.add_argument("--json-out", help="write the results as JSON")
    args = parser.parse_args()
    bench_paths.require_checkpoint(args.model)
    binary = our_binary.find_binary(args.clipseg, REPOSITORY)
    results = measure(binary, args.model, args.runs, args.warmup, args.threads, dict(os.environ))
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(results, out, indent=1)
    print(render(results))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Side-by-side benchmark, one run on one machine: our `clipseg` vs transformers vs ONNX Runtime.

Runs, with the same thread count throughout:
  1. reference model latency (reference_benchmark.py: transformers fp32, ONNX Runtime fp32 and dynamic int8,
     1 and 4 prompts, text / vision / decoder split, peak RSS per process);
  2. our model latency (`clipseg bench`, fp32 and each --precisions entry, 1 and 4 prompts);
  3. end-to-end on the clip: reference_pipeline.py vs `clipseg segment` (fp32 and each reduced precision),
     throughput = frames written ÷ wall-clock seconds of the whole command (start-up and model load included
     on both sides), peak RSS of each process;
  4. mask agreement (IoU): our fp32 masks vs the Python pipeline's; each reduced precision vs our fp32;
  5. forced kernel paths (forced_paths.py): `clipseg bench` with CLIPSEG_ISA / DNNL_MAX_CPU_ISA set to each
     dispatch path (avx512, avx512 without VNNI/BF16, avx2, portable/OpenBLAS), every precision or its refusal;
and prints one table with the ratios, then the issue-7 targets (pass / MISS / n/a). Ours missing → "n/a".

Usually started by compare.sh, which also makes the clip. Usage:
  "$CLIPSEG_BENCH_PYTHON" Benchmarks/compare.py --clip CLIP.mp4 [--model DIR] [--threads 2] [--runs 10]
      [--warmup 2] [--clipseg BIN] [--precisions bf16,int8] [--work DIR] [--json-out FILE]
--model defaults to $CLIPSEG_FULL_CHECKPOINT, --work to $CLIPSEG_BENCH_CACHE/compare (bench_paths.py).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_paths  # noqa: E402
import forced_paths  # noqa: E402
import our_binary  # noqa: E402
import performance_targets  # noqa: E402
from machine_info import describe, load_average  # noqa: E402
from mask_iou import compare as compare_masks  # noqa: E402
from peak_memory import run_measured  # noqa: E402
from reference_benchmark import BACKENDS, thread_environment  # noqa: E402
from text_table import format_table, number, ratio  # noqa: E402

PROMPT_COUNTS = (1, 4)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def reference_latency(args) -> dict:
    if args.reference_json:
        with open(args.reference_json) as reused:
            return json.load(reused)
    path = os.path.join(args.work, "reference-latency.json")
    progress("reference model latency (transformers, ONNX Runtime) …")
    command = [sys.executable, os.path.join(HERE, "reference_benchmark.py"), "--model", args.model,
               "--threads", str(args.threads), "--runs", str(args.runs), "--warmup", str(args.warmup),
               "--prompts", ",".join(map(str, PROMPT_COUNTS)), "--backends", args.backends, "--json-out", path]
    if subprocess.run(command, stdout=subprocess.DEVNULL).returncode != 0 or not os.path.exists(path):
        return {"rows": [], "error": "reference_benchmark.py failed"}
    with open(path) as written:
        return json.load(written)


def our_latency(args, binary, precisions) -> dict:
    results = {}
    for precision in precisions:
        for prompts in PROMPT_COUNTS:
            progress(f"ours: clipseg bench {precision}, {prompts} prompt(s) …")
            results.setdefault(precision, {})[str(prompts)] = our_binary.bench(
                binary, args.model, prompts, args.runs, args.warmup, args.threads, precision,
                our_binary.environment(thread_environment(args.threads)))
    return results


def pipelines(args, binary, precisions) -> dict:
    python_mp4, python_masks = (os.path.join(args.work, name) for name in ("python.mp4", "python.y4m"))
    progress(f"Python reference pipeline on {os.path.basename(args.clip)} …")
    run = run_measured([sys.executable, os.path.join(HERE, "reference_pipeline.py"), args.clip, "--model",
                        args.model, "--prompt", args.prompt, "-o", python_mp4, "--masks", python_masks,
                        "--threads", str(args.threads), "--json"], env=thread_environment(args.threads))
    if run.returncode == 0:
        python = json.loads(run.stdout.strip().splitlines()[-1])
        python.update({"wall_s": round(run.wall_s, 2), "peak_rss_mib": round(run.peak_rss_mib),
                       "frames_out": our_binary.count_video_frames(python_mp4), "masks": python_masks})
        python["fps_wall"] = python["frames_out"] / run.wall_s if python["frames_out"] else None
    else:
        python = {"error": run.first_error_line()}
    ours = {}
    for precision in precisions:
        progress(f"ours: clipseg segment {precision} …")
        output, masks = (os.path.join(args.work, f"ours-{precision}.{ext}") for ext in ("mp4", "y4m"))
        result = our_binary.segment(binary, args.clip, args.model, args.prompt, output, masks, args.threads,
                                    precision, our_binary.environment(thread_environment(args.threads)))
        if "error" not in result:
            result["masks"] = masks
            result["fps_wall"] = result["frames_out"] / result["wall_s"] if result["wall_s"] else None
        ours[precision] = result
    return {"python": python, "ours": ours}


def raw_copy(clip: str, work: str) -> str | None:
    """The clip as uncompressed y4m (made once, beside the outputs): frames that cost nothing to read, as a
    YUYV webcam delivers them; None when ffmpeg fails."""
    path = os.path.join(work, os.path.splitext(os.path.basename(clip))[0] + ".y4m")
    if not os.path.isfile(path):
        command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", clip, "-pix_fmt", "yuv420p", path]
        if subprocess.run(command).returncode != 0:
            return None
    return path


def live_runs(args, binary, precisions) -> dict:
    runs = {}
    for precision in precisions:
        progress(f"ours: clipseg segment --realtime --keep-frames {precision} …")
        runs[precision] = our_binary.live(binary, args.clip, args.model, args.prompt,
                                          os.path.join(args.work, f"live-{precision}.mp4"), args.threads, precision,
                                          our_binary.environment(thread_environment(args.threads)))
    raw = raw_copy(args.clip, args.work)
    progress("ours: clipseg segment --realtime --keep-frames fp32, the clip as raw frames …")
    runs["fp32-raw"] = (our_binary.live(binary, raw, args.model, args.prompt, os.path.join(args.work, "live-fp32-raw.mp4"),
                                        args.threads, "fp32", our_binary.environment(thread_environment(args.threads)))
                        if raw else {"error": "ffmpeg could not write the y4m copy"})
    return runs


def live_rows(document: dict, precisions: list[str], notes: "Footnotes") -> list[list]:
    rows = []
    labelled = [(precision, precision, f"ours {precision} live (--realtime --keep-frames)") for precision in precisions]
    if "fp32-raw" in document.get("live", {}):
        labelled.append(("fp32-raw", "fp32", "ours fp32 live, raw y4m frames in"))
    for key, precision, label in labelled:
        row = document.get("live", {}).get(key, {})
        model_ms = document["ours_latency"].get(precision, {}).get("1", {}).get("total_ms")
        p50 = row.get("latency_p50_ms")
        counts = (f"{row['frames_out']} fr, {row['processed']} run, {row['dropped']} dropped"
                  if "frames_out" in row else "n/a")
        rows.append([notes.mark(label, row.get("error")), counts,
                     "", "", "", number(p50), "", "-", "-", "-", row.get("peak_rss_mib", "n/a"),
                     f"p50 ÷ model {p50 / model_ms:.2f}, p95 {row['latency_p95_ms']} ms" if p50 and model_ms else "-"])
    return rows


def mask_agreement(pipeline: dict, reduced: list[str]) -> dict:
    def masks_of(row):
        path = row.get("masks")
        return path if path and os.path.isfile(path) else None

    pairs = {"fp32_vs_python": (pipeline["python"], pipeline["ours"].get("fp32", {}))}
    for precision in reduced:
        pairs[f"{precision}_vs_fp32"] = (pipeline["ours"].get("fp32", {}), pipeline["ours"].get(precision, {}))
        pairs[f"{precision}_vs_python"] = (pipeline["python"], pipeline["ours"].get(precision, {}))
    agreement = {}
    for name, (first, second) in pairs.items():
        a, b = masks_of(first), masks_of(second)
        if a and b:
            try:
                agreement[name] = compare_masks(a, b)
            except ValueError as error:
                agreement[name] = {"error": str(error)}
    return agreement


class Footnotes:
    """Numbered notes (why a row is n/a) printed under the table, so long messages don't widen it."""

    def __init__(self):
        self.notes: list[str] = []

    def mark(self, label: str, error: str | None) -> str:
        if not error:
            return label
        if error not in self.notes:
            self.notes.append(error)
        return f"{label} (n/a [{self.notes.index(error) + 1}])"

    def render(self) -> str:
        return "\n".join(f"[{index}] {note}" for index, note in enumerate(self.notes, 1))


def latency_rows(document: dict, precisions: list[str], notes: Footnotes) -> list[list]:
    reference = {(row["backend"], row["prompts"]): row for row in document["reference_latency"].get("rows", [])}

    def total(row):
        return None if row is None or "error" in row.get("full", row) else row.get("total_ms")

    rows = []
    entries = [(BACKENDS[backend][2], reference.get((backend, prompts)), backend, prompts)
               for backend in BACKENDS for prompts in PROMPT_COUNTS if (backend, prompts) in reference]
    entries += [(f"ours {precision}", document["ours_latency"][precision][str(prompts)], f"ours-{precision}",
                 prompts) for precision in precisions for prompts in PROMPT_COUNTS]
    for label, row, key, prompts in entries:
        ms = total(row)
        single = next((total(r) for l, r, k, p in entries if k == key and p == 1), None)
        error = row.get("error") or row.get("full", {}).get("error")
        iou = row.get("mask_iou_vs_torch")
        rows.append([notes.mark(label, error), prompts,
                     *[number(row.get(f"{part}_ms")) for part in ("text", "vision", "decoder")],
                     number(ms), number(1000 / ms if ms else None, 2),
                     ratio(ms, total(reference.get(("torch", prompts)))),
                     ratio(ms, total(reference.get(("onnxruntime", prompts)))),
                     ratio(ms, single), row.get("peak_rss_mib", "n/a") if not error else "n/a",
                     f"{iou:.4f} vs transformers" if iou is not None else "-"])
    return rows


def pipeline_rows(document: dict, precisions: list[str], notes: Footnotes) -> list[list]:
    pipeline, agreement = document["pipeline"], document["mask_iou"]
    python_fps = pipeline["python"].get("fps_wall")
    entries = [("Python pipeline (transformers fp32)", pipeline["python"], None)]
    entries += [(f"ours {precision} (clipseg segment)", pipeline["ours"][precision],
                 "fp32_vs_python" if precision == "fp32" else f"{precision}_vs_fp32") for precision in precisions]
    rows = []
    for label, row, iou_key in entries:
        fps = row.get("fps_wall")
        pair = agreement.get(iou_key, {}) if iou_key else {}
        iou = pair.get("iou_pooled")
        versus = "" if not iou_key else (" vs Python" if iou_key.endswith("python") else " vs ours fp32")
        if pair.get("frames_a") != pair.get("frames_b"):
            versus += f" ({pair['frames_compared']} of {pair['frames_a']}/{pair['frames_b']} frames)"
        frames = row.get("frames_out")
        rows.append([notes.mark(label, row.get("error")),
                     f"{frames} fr" if frames is not None else "n/a", "", "", "",
                     number(1000 / fps if fps else None), number(fps, 2),
                     ratio(python_fps, fps) if fps else "n/a", "-", "-", row.get("peak_rss_mib", "n/a"),
                     f"{iou:.4f}{versus}" if iou is not None else "-"])
    return rows


def render(document: dict, precisions: list[str]) -> str:
    machine = document["machine"]
    headers = ["", "prompts", "text ms", "vision ms", "decoder ms", "ms/frame", "frames/s", "÷ transformers*",
               "÷ ORT fp32", "÷ 1 prompt", "peak RSS MiB", "mask IoU**"]
    separator = ("— end-to-end: " + os.path.basename(document["clip"]) + f" ({document['clip_frames']} frames in), "
                 f"prompt {document['prompt']!r}; prompts column = frames written —")
    notes = Footnotes()
    rows = latency_rows(document, precisions, notes) + [separator] + pipeline_rows(document, precisions, notes)
    if document.get("live"):
        raw = " (H.264; last row: the same frames uncompressed)" if "fp32-raw" in document["live"] else ""
        rows += [f"— live: the clip replayed at 30 fps as a camera{raw}; ms/frame column = capture→mask latency p50 —"]
        rows += live_rows(document, precisions, notes)
    legend = ("*  time ratio (ms/frame ÷ ms/frame; < 1 is faster): model rows ÷ transformers fp32 with the same "
              "prompts; end-to-end rows ÷ the Python pipeline.\n"
              "** model rows: masks (sigmoid > 0.4) at 352×352 vs transformers fp32; end-to-end rows: pooled IoU of "
              "the frame-size mask streams.")
    return (f"clipseg benchmark · {machine['date']} · {machine['cpu']} · {machine['cores']} cores · "
            f"{document['threads']} threads · model latency = median of {document['runs']} after "
            f"{document['warmup']} warm-up, 352×352 · load avg {machine['load_average_start'][0]} → "
            f"{machine['load_average_end'][0]}\n" + format_table(headers, rows) + "\n" + legend
            + ("\n" + notes.render() if notes.notes else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=bench_paths.full_checkpoint(),
                        help="full-size checkpoint folder (default: $CLIPSEG_FULL_CHECKPOINT, else .bench/full-rd64)")
    parser.add_argument("--clip", required=True, help="the end-to-end clip (compare.sh makes it)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--clipseg", help="our binary (default: $CLIPSEG_BIN, else .build/release/clipseg)")
    parser.add_argument("--prompt", default="a red circle")
    parser.add_argument("--precisions", default="bf16,int8", help="our reduced precisions ('' for none)")
    parser.add_argument("--backends", default="torch,onnxruntime,onnxruntime-int8")
    parser.add_argument("--reference-json", help="reuse a reference_benchmark.py --json-out file")
    parser.add_argument("--work", default=os.path.join(bench_paths.cache(), "compare"),
                        help="outputs and masks go here (default: $CLIPSEG_BENCH_CACHE/compare, else .bench/cache/compare)")
    parser.add_argument("--json-out", help="write the whole comparison as JSON")
    parser.add_argument("--render", metavar="JSON", help="only print the table of an earlier --json-out file")
    args = parser.parse_args()
    if args.render:
        with open(args.render) as earlier:
            document = json.load(earlier)
        print_report(document)
        return
    if not os.path.isfile(args.clip):
        sys.exit(f"error: {args.clip}: no such clip")
    bench_paths.require_checkpoint(args.model)
    bench_paths.require_packages(*bench_paths.REFERENCE_PACKAGES)
    os.makedirs(args.work, exist_ok=True)
    reduced = [precision for precision in args.precisions.split(",") if precision]
    precisions = ["fp32"] + reduced
    if args.clipseg and not (os.path.isfile(args.clipseg) and os.access(args.clipseg, os.X_OK)):
        sys.exit(f"error: --clipseg {args.clipseg}: not an executable file")
    binary = our_binary.find_binary(args.clipseg, REPOSITORY)
    document = {"machine": describe(), "precisions": precisions, "threads": args.threads, "runs": args.runs, "warmup": args.warmup,
                "model": os.path.abspath(args.model), "clip": os.path.abspath(args.clip), "prompt": args.prompt,
                "clip_frames": our_binary.count_video_frames(args.clip), "clipseg": binary}
    document["reference_latency"] = reference_latency(args)
    document["ours_latency"] = our_latency(args, binary, precisions)
    document["pipeline"] = pipelines(args, binary, precisions)
    document["mask_iou"] = mask_agreement(document["pipeline"], reduced)
    document["live"] = live_runs(args, binary, precisions)
    progress("ours: forced kernel paths (CLIPSEG_ISA, DNNL_MAX_CPU_ISA) …")
    document["forced_paths"] = forced_paths.measure(binary, args.model, args.runs, args.warmup, args.threads,
                                                    thread_environment(args.threads))
    document["machine"]["load_average_end"] = load_average()
    document["targets"] = performance_targets.evaluate(document, reduced)
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(document, out, indent=1)
    print_report(document)


def print_report(document: dict) -> None:
    print(render(document, document["precisions"]))
    print()
    if document.get("forced_paths"):
        print(forced_paths.render(document["forced_paths"]))
        print()
    print(performance_targets.render(document["targets"]))


if __name__ == "__main__":
    main()

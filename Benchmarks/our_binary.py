"""Runs our `clipseg` binary under the benchmark contracts and turns its answers into result dictionaries.

Contracts (implemented by the Swift side; see Benchmarks/README.md):

    clipseg bench --model DIR --prompts N --runs R --warmup W --threads T --json --precision fp32|bf16|int8|auto
        → one JSON object on stdout: {"text_ms", "vision_ms", "decoder_ms", "total_ms", "prompts", "threads",
          "precision", "blas_core", "isa"} (medians over R runs after W warm-up runs; precision as run, auto
          resolved; isa the kernel family, which CLIPSEG_ISA forces); a precision this CPU runs slower than fp32
          exits 64 with one line
    clipseg segment INPUT --model DIR --prompt TEXT -o OUT.mp4 --masks OUT.y4m --threads T --quiet
        --precision fp32|bf16|int8
        → OUT.mp4 and a y4m gray mask stream at frame size (threshold 0.4)

Anything else (no binary, unknown subcommand or option, non-zero exit, no JSON) becomes a result with an
"error" string, so the comparison prints "n/a" for that row instead of failing.
"""
import json
import os
import re
import subprocess

from peak_memory import run_measured


def find_binary(explicit: str | None, repository: str) -> str | None:
    """`explicit` if given, else $CLIPSEG_BIN, else the release build in the repository, else None."""
    for candidate in (explicit, os.environ.get("CLIPSEG_BIN"), os.path.join(repository, ".build", "release",
                                                                          "clipseg")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _last_json_object(text: str) -> dict | None:
    """The whole of stdout as one JSON object (pretty-printed or not), else its last line that starts with `{`."""
    try:
        whole = json.loads(text)
        if isinstance(whole, dict):
            return whole
    except json.JSONDecodeError:
        pass
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                return None
            return value if isinstance(value, dict) else None
    return None


def bench(binary: str | None, model: str, prompts: int, runs: int, warmup: int, threads: int,
          precision: str, env: dict) -> dict:
    """`clipseg bench …` → {"text_ms", …, "peak_rss_mib", "wall_s"} or {"error": reason}."""
    if binary is None:
        return {"error": "no clipseg binary (swift build -c release, or --clipseg PATH)"}
    command = [binary, "bench", "--model", model, "--prompts", str(prompts), "--runs", str(runs),
               "--warmup", str(warmup), "--threads", str(threads), "--json"]
    command += ["--precision", precision]  # fp32 too: the default is auto
    run = run_measured(command, env=env)
    if run.returncode != 0:
        return {"error": run.first_error_line()}
    result = _last_json_object(run.stdout)
    if result is None or not isinstance(result.get("total_ms"), (int, float)):
        return {"error": "no JSON object with total_ms on stdout"}
    result.update({"peak_rss_mib": round(run.peak_rss_mib), "wall_s": round(run.wall_s, 2)})
    return result


def segment(binary: str | None, clip: str, model: str, prompt: str, output: str, masks: str, threads: int,
            precision: str, env: dict) -> dict:
    """`clipseg segment …` → {"wall_s", "peak_rss_mib", "frames_out"} or {"error": reason}.

    Earlier outputs at `output` / `masks` are deleted first, so a failed run can never be scored on stale files.
    """
    for stale in (output, masks):
        if os.path.exists(stale):
            os.remove(stale)
    if binary is None:
        return {"error": "no clipseg binary (swift build -c release, or --clipseg PATH)"}
    command = [binary, "segment", clip, "--model", model, "--prompt", prompt, "-o", output, "--masks", masks,
               "--threads", str(threads), "--quiet"]
    command += ["--precision", precision]  # fp32 too: the default is auto
    run = run_measured(command, env=env)
    if run.returncode != 0:
        return {"error": run.first_error_line()}
    frames = count_video_frames(output)
    if frames is None:
        return {"error": f"{os.path.basename(output)} is missing or unreadable"}
    return {"wall_s": round(run.wall_s, 2), "peak_rss_mib": round(run.peak_rss_mib), "frames_out": frames}


def live(binary: str | None, clip: str, model: str, prompt: str, output: str, threads: int, precision: str,
         env: dict) -> dict:
    """`clipseg segment --realtime --keep-frames` (the clip replayed at its own frame rate, as a camera) →
    {"latency_p50_ms", "latency_p95_ms", "frames_read", "processed", "dropped", "written", "frames_out"} read
    from the run's summary line on stderr and ffprobe, or {"error": reason}."""
    if os.path.exists(output):
        os.remove(output)
    if binary is None:
        return {"error": "no clipseg binary (swift build -c release, or --clipseg PATH)"}
    command = [binary, "segment", clip, "--model", model, "--prompt", prompt, "-o", output, "--realtime",
               "--keep-frames", "--threads", str(threads)]
    command += ["--precision", precision]  # fp32 too: the default is auto
    run = run_measured(command, env=env)
    if run.returncode != 0:
        return {"error": run.first_error_line()}
    summary = re.search(r"frames: read (\d+), processed (\d+), dropped (\d+), written (\d+);.*"
                        r"latency p50 (\d+) ms p95 (\d+) ms", run.stderr)
    if summary is None:
        return {"error": "no summary line with latency on stderr"}
    read, processed, dropped, written, p50, p95 = map(int, summary.groups())
    return {"frames_read": read, "processed": processed, "dropped": dropped, "written": written,
            "latency_p50_ms": p50, "latency_p95_ms": p95, "frames_out": count_video_frames(output),
            "peak_rss_mib": round(run.peak_rss_mib)}


def environment(base: dict) -> dict:
    """The environment our binary runs in: `base` without OPENBLAS_CORETYPE, so OpenBLAS picks this CPU's own
    kernels (AVX-512 here) as it does on a machine whose environment does not force a core type. The
    references do not use OpenBLAS (torch: MKL/oneDNN, ONNX Runtime: MLAS), so this changes nothing for them."""
    env = dict(base)
    env.pop("OPENBLAS_CORETYPE", None)
    return env


def count_video_frames(path: str) -> int | None:
    """Decoded frame count of the first video stream (ffprobe -count_frames), or None."""
    if not os.path.isfile(path):
        return None
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path],
                           capture_output=True, text=True)
    try:
        return int(probe.stdout.strip().split(",")[0])
    except ValueError:
        return None

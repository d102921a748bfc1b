#!/usr/bin/env python3
"""Segment the jobs of a `clipseg batch` manifest on a Ray cluster.

    python Distributed/ray_segment.py MANIFEST.jsonl --clipseg /shared/bin/clipseg --model /shared/models/clipseg \
        [--address 127.0.0.1:6390] [--num-cpus 1] [--shard-seconds 60] [--resume] [--report report.ndjson]

The manifest is the one `clipseg batch` reads (one JSON object per line: input, prompts, output, masks, stats,
options, start, duration, id; see `clipseg batch --help`). Each job -- or, with --shard-seconds, each time
shard of a longer input -- is one Ray task asking for --num-cpus CPUs; the task runs
`clipseg segment ... --threads NUM_CPUS` on whichever node Ray picks, writing every output as
`.NAME.partial-<node>-<pid>.EXT` beside its final name and renaming it only when segment succeeded (a task
whose node dies is retried elsewhere, --max-retries times; its partial files are never trusted). The shards
of a job are joined with `clipseg concat` (videos remuxed, masks and statistics appended) into the job's
outputs, byte-identical to an unsharded run with the same --threads.

Nothing is copied through Ray's object store: the clipseg binary, the model folder, the inputs and the
outputs are paths every node sees the same way (an NFS or object-store mount, or one machine). Progress goes
to stderr; the summary table at the end is the one `clipseg batch` prints; exit status 0 when every job is
done or skipped, 1 when one failed, 64 for a bad manifest.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

FIELDS = {"input", "prompts", "output", "masks", "stats", "options", "start", "duration", "id"}
ROLES = (("output", "-o"), ("masks", "--masks"), ("stats", "--stats"))


class ManifestError(Exception):
    pass


def parse_time(value, line, key):
    """Seconds (number) or "[HH:]MM:SS[.ms]" as whole microseconds, like clipseg's --start."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ManifestError(f"line {line}: \"{key}\" must be seconds or \"[HH:]MM:SS[.ms]\"")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ManifestError(f"line {line}: \"{key}\" must be 0 or more seconds")
        return round(value * 1_000_000)
    total = 0
    parts = value.split(":")
    for part in parts[:-1]:
        total = total * 60 + int(part)
    whole, _, fraction = parts[-1].partition(".")
    return (total * 60 + int(whole or 0)) * 1_000_000 + int((fraction[:6] + "000000")[:6] or 0)


def seconds_text(micro):
    """Microseconds as exact decimal seconds (what `clipseg batch` passes to segment)."""
    whole, fraction = divmod(micro, 1_000_000)
    return str(whole) if fraction == 0 else f"{whole}.{fraction:06d}".rstrip("0")


def read_manifest(path):
    jobs = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                job = json.loads(text)
            except json.JSONDecodeError as error:
                raise ManifestError(f"line {number}: not a JSON object ({error.msg})")
            if not isinstance(job, dict):
                raise ManifestError(f"line {number}: a job is a JSON object")
            unknown = sorted(set(job) - FIELDS)
            if unknown:
                raise ManifestError(f"line {number}: unknown field \"{unknown[0]}\"")
            if "input" not in job:
                raise ManifestError(f"line {number}: \"input\" is missing")
            if not isinstance(job["input"], str) or not job["input"]:
                raise ManifestError(f"line {number}: \"input\" must be a non-empty string")
            if not isinstance(job.get("prompts", []), list) or not all(isinstance(p, str) for p in job.get("prompts", [])):
                raise ManifestError(f"line {number}: \"prompts\" must be a list of strings")
            if not isinstance(job.get("options", []), list) or not all(isinstance(o, str) for o in job.get("options", [])):
                raise ManifestError(f"line {number}: \"options\" must be a list of strings")
            outputs = [(role, job[key]) for key, role in ROLES if key in job]
            if not outputs:
                raise ManifestError(f"line {number}: nothing to write: give \"output\", \"masks\" or \"stats\"")
            start = parse_time(job["start"], number, "start") if "start" in job else None
            duration = parse_time(job["duration"], number, "duration") if "duration" in job else None
            jobs.append({"line": number, "id": job.get("id", f"line {number}"), "input": job["input"],
                         "prompts": job.get("prompts", []), "options": job.get("options", []),
                         "outputs": outputs, "start": start, "duration": duration})
    if not jobs:
        raise ManifestError("line 1: the manifest holds no job")
    return jobs


def hidden_name(path, label):
    """`out/clip.mp4`, "partial-x" -> `out/.clip.partial-x.mp4` (extension kept: it picks the container)."""
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    return os.path.join(folder, f".{stem}.{label}{ext}")


def remove_leftovers(path):
    """Removes the partial files of `path` that earlier or killed tasks left (`.NAME.partial-*.EXT`)."""
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    prefix = f".{stem}.partial-"
    for entry in os.listdir(folder or "."):
        if entry.startswith(prefix) and entry.endswith(ext):
            try:
                os.unlink(os.path.join(folder, entry))
            except FileNotFoundError:
                pass


def segment_arguments(job, outputs, threads, model, start, duration):
    arguments = ["segment", job["input"]]
    for prompt in job["prompts"]:
        arguments += ["--prompt", prompt]
    arguments += list(job["options"])
    for role, path in outputs:
        arguments += [role, path]
    if model and "--model" not in job["options"]:
        arguments += ["--model", model]
    if start is not None:
        arguments += ["--start", seconds_text(start)]
    if duration is not None:
        arguments += ["--duration", seconds_text(duration)]
    return arguments + ["--threads", str(threads), "-y"]


def run_segment(clipseg, arguments, outputs, tag):
    """Runs on a worker: segment into partial files, renamed when it succeeded. Returns the task's outcome."""
    partials = [(role, hidden_name(path, f"partial-{tag}-{os.getpid()}")) for role, path in outputs]
    command = [clipseg] + arguments
    for (role, final), (_, partial) in zip(outputs, partials):
        command[command.index(final)] = partial
    setpriv = shutil.which("setpriv")
    if setpriv:  # the segment child dies with this worker
        command = [setpriv, "--pdeathsig", "KILL", "--"] + command
    started = time.time()
    process = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, errors="replace")
    frames, error = 0, None
    for line in process.stderr.splitlines():
        if line.startswith("Error: "):
            error = line[len("Error: "):]
        elif line.startswith("done: ") and line.split()[1].isdigit():
            frames = int(line.split()[1])
    if process.returncode == 0 and not all(os.path.exists(p) for _, p in partials):
        error = "segment wrote no output"
    if process.returncode == 0 and error is None:
        for (_, final), (_, partial) in zip(outputs, partials):
            os.replace(partial, final)
    else:
        for _, partial in partials:
            if os.path.exists(partial):
                os.unlink(partial)
        error = error or f"segment ended with status {process.returncode}"
    return {"status": "done" if error is None else "failed", "frames": frames, "exit": process.returncode,
            "error": error, "started": started, "ended": time.time()}


def probe_duration(path):
    """The input's duration in microseconds (ffprobe on the driver), or None."""
    try:
        text = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                              capture_output=True, text=True, check=True).stdout.strip()
        return round(float(text) * 1_000_000)
    except (subprocess.CalledProcessError, ValueError, FileNotFoundError):
        return None


def plan_tasks(job, shard_micro):
    """The job's tasks: [(start, duration, outputs)] -- one, or one per shard with hidden shard outputs."""
    if not shard_micro or job["start"] is not None or job["duration"] is not None:
        return [(job["start"], job["duration"], job["outputs"])]
    total = probe_duration(job["input"])
    if total is None or total <= shard_micro:
        return [(None, None, job["outputs"])]
    tasks, start, index = [], 0, 0
    while start < total:
        last = start + shard_micro >= total
        outputs = [(role, hidden_name(path, f"shard-{index:04d}")) for role, path in job["outputs"]]
        tasks.append((start, None if last else shard_micro, outputs))
        start, index = start + shard_micro, index + 1
    return tasks


def summary(outcomes, elapsed):
    """The table `clipseg batch` prints (BatchOutcome.summary)."""
    width = min(40, max([3] + [len(o["job"]["id"]) for o in outcomes]))

    def pad(text, size, right=False):
        text = text if len(text) <= size else text[:size - 1] + "…"
        return text.rjust(size) if right else text.ljust(size)
    lines = [pad("job", width) + "  " + pad("status", 11) + pad("frames", 8, True) + pad("seconds", 9, True) + "  error"]
    for o in outcomes:
        ran = o["status"] in ("done", "failed")
        lines.append(pad(o["job"]["id"], width) + "  " + pad(o["status"], 11)
                     + pad(str(o["frames"]) if ran else "-", 8, True)
                     + pad(f"{o['seconds']:.1f}" if ran else "-", 9, True) + "  " + (o["error"] or ""))
    count = {s: sum(o["status"] == s for o in outcomes) for s in ("done", "failed", "skipped", "interrupted")}
    frames = sum(o["frames"] for o in outcomes)
    totals = f"batch: {len(outcomes)} jobs: {count['done']} done, {count['failed']} failed, {count['skipped']} skipped"
    if count["interrupted"]:
        totals += f", {count['interrupted']} interrupted"
    totals += f"; {frames} frames in {elapsed:.1f} s"
    if elapsed > 0 and frames > 0:
        totals += f" ({frames / elapsed:.2f} fps)"
    return "\n".join(lines + [totals])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest")
    parser.add_argument("--clipseg", required=True, help="the clipseg binary, at the same path on every node")
    parser.add_argument("--model", help="the model folder, at the same path on every node")
    parser.add_argument("--address", default="auto", help="the cluster (default: auto, the local `ray start` one)")
    parser.add_argument("--node-ip-address", help="this machine's address in the cluster (e.g. 127.0.0.1)")
    parser.add_argument("--num-cpus", type=int, default=1, help="CPUs per task (segment --threads); default 1")
    parser.add_argument("--shard-seconds", type=float, help="split inputs longer than this into time shards")
    parser.add_argument("--max-retries", type=int, default=3, help="retries of a task whose node died (default 3)")
    parser.add_argument("--resume", action="store_true", help="skip jobs whose outputs all exist")
    parser.add_argument("--report", help="one JSON line per job, as clipseg batch --report writes")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    try:
        jobs = read_manifest(args.manifest)
    except (ManifestError, OSError, ValueError) as error:
        print(f"Error: {args.manifest} {error}", file=sys.stderr)
        return 64
    clipseg = os.path.abspath(args.clipseg)
    model = os.path.abspath(args.model) if args.model else None

    import ray  # imported late: a bad manifest is reported without starting Ray
    extra = {"_node_ip_address": args.node_ip_address} if args.node_ip_address else {}
    ray.init(address=args.address, logging_level="ERROR", log_to_driver=False, **extra)
    remote = ray.remote(num_cpus=args.num_cpus, max_retries=args.max_retries)(run_segment)
    started = time.time()
    outcomes, pending = [], {}
    for job in jobs:
        outcome = {"job": job, "status": "done", "frames": 0, "seconds": 0.0, "exit": None, "error": None,
                   "started": None, "ended": None, "tasks": []}
        outcomes.append(outcome)
        if args.resume and all(os.path.isfile(path) for _, path in job["outputs"]):
            outcome["status"] = "skipped"
            continue
        for start, duration, outputs in plan_tasks(job, round(args.shard_seconds * 1_000_000) if args.shard_seconds else None):
            if args.resume and len(outputs) and outputs != job["outputs"] and all(os.path.isfile(p) for _, p in outputs):
                outcome["tasks"].append(outputs)  # a finished shard of an unfinished job
                continue
            for _, path in outputs:
                remove_leftovers(path)
            arguments = segment_arguments(job, outputs, args.num_cpus, model, start, duration)
            reference = remote.remote(clipseg, arguments, outputs, f"{job['line']}")
            pending[reference] = (outcome, outputs)
            outcome["tasks"].append(outputs)
    total_tasks, last_line = len(pending), 0.0
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
        for reference in ready:
            outcome, outputs = pending.pop(reference)
            try:
                result = ray.get(reference)
            except Exception as error:  # the task failed for good (retries spent)
                result = {"status": "failed", "frames": 0, "exit": None, "error": f"task failed: {type(error).__name__}",
                          "started": None, "ended": None}
            outcome["frames"] += result["frames"]
            outcome["seconds"] += (result["ended"] or 0) - (result["started"] or 0)
            outcome["started"] = min(filter(None, [outcome["started"], result["started"]]), default=None)
            outcome["ended"] = max(filter(None, [outcome["ended"], result["ended"]]), default=None)
            outcome["exit"] = result["exit"] if outcome["exit"] in (None, 0) else outcome["exit"]
            if result["status"] == "failed":
                outcome["status"], outcome["error"] = "failed", outcome["error"] or result["error"]
        if not args.quiet and time.time() - last_line >= 5:
            last_line = time.time()
            done = total_tasks - len(pending)
            frames = sum(o["frames"] for o in outcomes)
            print(f"ray: {done}/{total_tasks} tasks ended, {frames} frames, {int(time.time() - started)} s",
                  file=sys.stderr, flush=True)
    # Shards joined in time order into the job's outputs (concat writes a partial file and renames it).
    for outcome in outcomes:
        shards = outcome["tasks"]
        if outcome["status"] != "done" or len(shards) < 2:
            continue
        for index, (role, final) in enumerate(outcome["job"]["outputs"]):
            pieces = [outputs[index][1] for outputs in shards]
            joined = subprocess.run([clipseg, "concat", *pieces, "-o", final, "-y"], capture_output=True, text=True)
            if joined.returncode != 0:
                outcome["status"], outcome["error"] = "failed", joined.stderr.strip().removeprefix("Error: ")
                break
        else:
            for outputs in shards:
                for _, piece in outputs:
                    os.unlink(piece)
    # A task whose node died leaves its partial files behind (its retry wrote its own).
    for outcome in outcomes:
        for outputs in outcome["tasks"]:
            for _, path in outputs:
                remove_leftovers(path)
    elapsed = time.time() - started
    if not args.quiet:
        print(summary(outcomes, elapsed), file=sys.stderr)
    if args.report:
        partial = hidden_name(args.report, f"partial-{os.getpid()}")
        with open(partial, "w", encoding="utf-8") as handle:
            for o in outcomes:
                job = o["job"]
                handle.write(json.dumps({"id": job["id"], "line": job["line"], "input": job["input"],
                                         "status": o["status"], "frames": o["frames"], "seconds": round(o["seconds"], 3),
                                         "started": o["started"], "ended": o["ended"], "exit": o["exit"],
                                         "error": o["error"], "outputs": [p for _, p in job["outputs"]],
                                         "tasks": len(o["tasks"])}) + "\n")
        os.replace(partial, args.report)
    return 1 if any(o["status"] == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Tool test of Distributed/ray_segment.py on a local two-node Ray cluster (run by `make test-cluster`).

Starts a head and a second node on 127.0.0.1 (each `ray start --block`, 1 CPU, in a process group of its
own), segments a manifest of short clips plus one long clip split into time shards, kills the second node
with SIGKILL while one of its tasks runs, and checks that the run completes, every output exists once (no
partial or shard file left) and the masks and statistics are byte-identical to a single-machine
`clipseg batch` of the same manifest (same --threads). With --bench it prints throughput with one and two
nodes and the per-task overhead instead.

    python Distributed/test_cluster.py --clipseg .build/debug/clipseg [--bench]
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVER = os.path.join(ROOT, "Distributed", "ray_segment.py")
PORT = 6390  # below Ray's worker ports (10002-19999)
HEALTH = {"RAY_health_check_period_ms": "500", "RAY_health_check_failure_threshold": "4",
          "RAY_health_check_initial_delay_ms": "1000"}


def make_model(folder):
    model = os.path.join(folder, "model")
    os.makedirs(model)
    fixture = os.path.join(ROOT, "Tests/Fixtures/clipseg/p16-refined-bf16-clipvocab")
    for name in ("config.json", "preprocessor_config.json", "model.safetensors"):
        shutil.copy(os.path.join(fixture, name), model)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(ROOT, "Samples/models/shapes", name), model)
    return model


def make_clip(path, seconds, rate=10):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=160x120:rate={rate}:duration={seconds}", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", path], check=True)


def write_manifest(path, clips, out, video_for=()):
    with open(path, "w") as handle:
        for name, clip in clips:
            job = {"input": clip, "prompts": ["a circle"], "masks": f"{out}/{name}.y4m", "stats": f"{out}/{name}.ndjson",
                   "id": name}
            if name in video_for:
                job["output"] = f"{out}/{name}.mp4"
            handle.write(json.dumps(job) + "\n")


class Node:
    """`ray start --block` in a process group of its own, ended by killing that group."""

    def __init__(self, arguments, log):
        env = dict(os.environ, **HEALTH)
        self.log = open(log, "w")
        self.process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "ray"), "start", "--block",
                                         "--node-ip-address", "127.0.0.1", "--num-cpus", "1",
                                         "--disable-usage-stats"] + arguments,
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def kill(self, sig=signal.SIGKILL):
        """`sig` to the node's process group and to every process below it (in case one left the group)."""
        below = descendants(self.process.pid)
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        for pid in below:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def stop(self):
        self.kill(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.process.wait()
        self.kill(signal.SIGKILL)  # whatever the node left in its group
        self.log.close()


class Cluster:
    """A head on 127.0.0.1:PORT (its own Ray temp folder) and the nodes added to it; `stop` ends them all."""

    def __init__(self, work):
        self.work = work
        self.temp = tempfile.mkdtemp(prefix="rc-", dir="/tmp")
        self.nodes = [Node(["--head", "--port", str(PORT), "--include-dashboard", "false", "--temp-dir", self.temp],
                           os.path.join(work, "head.log"))]
        wait_for_nodes(1)

    def add_node(self):
        node = Node(["--address", f"127.0.0.1:{PORT}"], os.path.join(self.work, f"node{len(self.nodes)}.log"))
        self.nodes.append(node)
        wait_for_nodes(len(self.nodes))
        return node

    def stop(self):
        for node in reversed(self.nodes):
            node.stop()
        shutil.rmtree(self.temp, ignore_errors=True)


def wait_for_nodes(count, timeout=120):
    import ray
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            ray.init(address=f"127.0.0.1:{PORT}", _node_ip_address="127.0.0.1", logging_level="ERROR",
                     log_to_driver=False)
            while time.time() < deadline:
                if sum(1 for n in ray.nodes() if n["Alive"]) >= count:
                    return
                time.sleep(0.2)
        except Exception:
            time.sleep(0.5)
        finally:
            ray.shutdown()
    raise SystemExit(f"FAIL: the cluster did not reach {count} nodes in {timeout} s")


def parents():
    """{pid: parent pid} of every process now."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    table[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    return table


def descendants(pid):
    table, found, frontier = parents(), [], [pid]
    while frontier:
        children = [child for child, parent in table.items() if parent in frontier]
        found += children
        frontier = children
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def ancestors(pid):
    chain = []
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        chain.append(pid)
    return chain


def driver(manifest, clipseg, model, extra, log):
    return subprocess.Popen([sys.executable, DRIVER, manifest, "--clipseg", clipseg, "--model", model,
                             "--address", f"127.0.0.1:{PORT}", "--node-ip-address", "127.0.0.1", "--num-cpus", "1"] + extra,
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def check(condition, message):
    if not condition:
        raise SystemExit("FAIL: " + message)


def fault_test(work, clipseg, model):
    clips = [(f"short{i}", os.path.join(work, f"short{i}.mp4")) for i in range(3)] + [("long", os.path.join(work, "long.mp4"))]
    for name, clip in clips:
        make_clip(clip, 12 if name == "long" else 2)
    ref, out = os.path.join(work, "ref"), os.path.join(work, "out")
    os.makedirs(ref), os.makedirs(out)
    write_manifest(os.path.join(work, "ref.jsonl"), clips, ref, video_for={"long"})
    write_manifest(os.path.join(work, "jobs.jsonl"), clips, out, video_for={"long"})
    # A bad manifest is refused before Ray starts, naming the line (as clipseg batch does).
    with open(os.path.join(work, "bad.jsonl"), "w") as handle:
        handle.write(json.dumps({"input": clips[0][1], "prompts": ["a circle"], "masks": "x.y4m"}) + "\n{\"input\": 3}\n")
    bad = subprocess.run([sys.executable, DRIVER, os.path.join(work, "bad.jsonl"), "--clipseg", clipseg],
                         capture_output=True, text=True)
    check(bad.returncode == 64 and bad.stderr.startswith(f"Error: {os.path.join(work, 'bad.jsonl')} line 2: "),
          f"bad manifest: exit {bad.returncode}, {bad.stderr!r}")
    single = subprocess.run([clipseg, "batch", os.path.join(work, "ref.jsonl"), "--model", model, "--jobs", "1",
                             "--threads", "1", "--quiet"], capture_output=True, text=True)
    check(single.returncode == 0, "clipseg batch failed: " + single.stderr)

    cluster = Cluster(work)
    try:
        worker = cluster.add_node()
        started = time.time()
        run = driver(os.path.join(work, "jobs.jsonl"), clipseg, model,
                     ["--shard-seconds", "4", "--report", os.path.join(work, "report.ndjson")], os.path.join(work, "driver.log"))
        # Kill the second node (SIGKILL to its whole process group) while one of its tasks writes a partial file.
        killed_while = None
        deadline = time.time() + 300
        while killed_while is None and run.poll() is None and time.time() < deadline:
            for name in os.listdir(out):
                if ".partial-" not in name:
                    continue
                pid = int(name.split(".partial-")[1].split(".")[0].split("-")[-1])
                if worker.process.pid in ancestors(pid):
                    doomed = descendants(worker.process.pid)
                    worker.kill()
                    killed_while = name
                    break
            time.sleep(0.05)
        check(killed_while is not None, "no task ran on the second node before the run ended")
        deadline = time.time() + 30
        while any(alive(pid) for pid in doomed) and time.time() < deadline:
            time.sleep(0.1)
        check(not any(alive(pid) for pid in doomed), "processes of the killed node (or its segment child) still run")
        status = run.wait(600)
        elapsed = time.time() - started
        log = open(os.path.join(work, "driver.log")).read()
        check(status == 0, f"the driver exited {status}:\n{log}")
        names = sorted(os.listdir(out))
        expected = sorted([f"{n}.{e}" for n, _ in clips for e in ("y4m", "ndjson")] + ["long.mp4"])
        check(names == expected, f"outputs {names}, expected {expected}")
        for name in expected:
            if name.endswith(".mp4"):
                continue
            with open(os.path.join(out, name), "rb") as a, open(os.path.join(ref, name), "rb") as b:
                check(a.read() == b.read(), f"{name} differs from clipseg batch's")
        frames = [subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                  "stream=nb_read_frames", "-of", "csv=p=0", os.path.join(d, "long.mp4")],
                                 capture_output=True, text=True).stdout.strip() for d in (out, ref)]
        check(frames[0] == frames[1] == "120", f"long.mp4 frames {frames}, expected 120 as clipseg batch's")
        report = [json.loads(line) for line in open(os.path.join(work, "report.ndjson"))]
        check([r["status"] for r in report] == ["done"] * 4, f"report {report}")
        check([r["frames"] for r in report] == [20, 20, 20, 120], f"report frames {report}")
        check(report[3]["tasks"] == 3, "the long clip was not split into 3 shards")
        last = log.strip().splitlines()[-1]
        check(last.startswith("batch: 4 jobs: 4 done, 0 failed, 0 skipped; 180 frames in "), f"summary line {last!r}")
        print(f"PASS: 4 jobs (3 clips + 1 clip in 3 shards) on 2 nodes, second node killed while writing "
              f"{killed_while}; outputs complete and identical to clipseg batch; driver ran {elapsed:.1f} s")
        print(log.strip().splitlines()[-1])
    finally:
        cluster.stop()


def bench(work, clipseg, model, clips_count=8, seconds=10, tiny_jobs=16):
    clips = [(f"c{i}", os.path.join(work, f"c{i}.mp4")) for i in range(clips_count)]
    for _, clip in clips:
        make_clip(clip, seconds)
    tiny = os.path.join(work, "tiny.mp4")
    make_clip(tiny, 0.1)
    rows = []
    # Direct runs: the same segment per task without Ray (per-task cost of the binary itself).
    start = time.time()
    for i in range(4):
        subprocess.run([clipseg, "segment", tiny, "--model", model, "--prompt", "a circle", "--masks",
                        os.path.join(work, f"direct{i}.y4m"), "--threads", "1", "-y", "--quiet"], check=True)
    direct = (time.time() - start) / 4
    cluster = Cluster(work)
    try:
        for nodes in (1, 2):
            if nodes == 2:
                cluster.add_node()
            out = os.path.join(work, f"out{nodes}")
            os.makedirs(out)
            write_manifest(os.path.join(work, f"bench{nodes}.jsonl"), clips, out)
            start = time.time()
            run = driver(os.path.join(work, f"bench{nodes}.jsonl"), clipseg, model, ["--quiet"], os.path.join(work, "d.log"))
            check(run.wait(900) == 0, open(os.path.join(work, "d.log")).read())
            elapsed = time.time() - start
            rows.append((nodes, elapsed, round(clips_count * seconds * 10) / elapsed))
        out = os.path.join(work, "tiny-out")
        os.makedirs(out)
        write_manifest(os.path.join(work, "tiny.jsonl"), [(f"t{i}", tiny) for i in range(tiny_jobs)], out)
        start = time.time()
        run = driver(os.path.join(work, "tiny.jsonl"), clipseg, model, ["--quiet", "--report", os.path.join(work, "tiny.ndjson")],
                     os.path.join(work, "d.log"))
        check(run.wait(900) == 0, open(os.path.join(work, "d.log")).read())
        tiny_wall = time.time() - start
        report = [json.loads(line) for line in open(os.path.join(work, "tiny.ndjson"))]
        span = max(r["ended"] for r in report) - min(r["started"] for r in report)
        in_task = sum(r["seconds"] for r in report) / len(report)
    finally:
        cluster.stop()
    print(f"| nodes (1 CPU each) | jobs | frames | wall s | frames/s |")
    print(f"|---|---|---|---|---|")
    for nodes, elapsed, fps in rows:
        print(f"| {nodes} | {clips_count} | {round(clips_count * seconds * 10)} | {elapsed:.1f} | {fps:.2f} |")
    per_node = tiny_jobs / 2
    print(f"1-frame jobs: `clipseg segment` run directly {direct:.2f} s; as Ray tasks ({tiny_jobs} on 2 nodes) "
          f"{in_task:.2f} s inside the task, {span / per_node:.2f} s per task per node from the first start to the "
          f"last end: Ray's overhead ≈ {span / per_node - in_task:.2f} s per task (+ {in_task - direct:.2f} s "
          f"starting segment from the worker); the driver's start (ray.init) {tiny_wall - span:.1f} s once")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clipseg", default=os.path.join(ROOT, ".build/debug/clipseg"))
    parser.add_argument("--bench", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--model", help="--bench: a model folder (default: the small test fixture)")
    parser.add_argument("--clips", type=int, default=8, help="--bench: clips per run (default 8)")
    parser.add_argument("--clip-seconds", type=float, default=10, help="--bench: clip length at 10 fps (default 10)")
    args = parser.parse_args()
    clipseg = os.path.abspath(args.clipseg)
    check(os.access(clipseg, os.X_OK), f"no clipseg binary at {clipseg} (swift build first)")
    work = tempfile.mkdtemp(prefix="clipseg-cluster-")
    started = time.time()
    try:
        if args.bench:
            bench(work, clipseg, os.path.abspath(args.model) if args.model else make_model(work), args.clips, args.clip_seconds)
        else:
            fault_test(work, clipseg, make_model(work))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("work folder:", work)
    print(f"test-cluster: {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()

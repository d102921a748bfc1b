"""Runs one command in a child process and reports its wall time and peak resident memory.

Peak resident memory is the child's `ru_maxrss` as returned by `os.wait4` for exactly that child (Linux:
kilobytes; reported here in MiB). It is the high-water mark of the child's RSS over its whole life (the same
figure as `VmHWM` in /proc/PID/status just before exit), so every measured command runs in its own process and
numbers never contaminate each other. Grandchildren are not included unless the child waits for them.

Used by reference_benchmark.py (one worker process per measurement) and compare.py (our `clipseg` binary and
the Python pipeline).
"""
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class MeasuredRun:
    """Outcome of one child process: exit status, captured output, wall seconds, peak RSS in MiB."""
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mib: float

    def first_error_line(self) -> str:
        """The first stderr line starting with "error" (any case; how CLIs such as ArgumentParser's report),
        else the last non-empty line of stderr (where a Python traceback ends), else stdout's."""
        for text in (self.stderr, self.stdout):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            flagged = [line for line in lines if line.lower().startswith("error")]
            if flagged or lines:
                return f"{(flagged or lines[-1:])[0][:200]} (exit status {self.returncode})"
        return f"exit status {self.returncode}"


def run_measured(command: list[str], env: dict | None = None, cwd: str | None = None,
                 timeout_s: float | None = None) -> MeasuredRun:
    """Runs `command`, waits for it with `os.wait4` and returns its output, wall time and peak RSS.

    stdout/stderr go to temporary files (not pipes) so the child can never block on a full pipe while we wait.
    A command that runs past `timeout_s` is killed (its process only) and reported with returncode -9.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        except OSError as error:
            return MeasuredRun(127, "", f"{command[0]}: {error.strerror}", 0.0, 0.0)
        deadline = None if timeout_s is None else start + timeout_s
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG if deadline else 0)
            if pid == process.pid:
                break
            if deadline and time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; stop Popen from waiting again
        out.seek(0)
        err.seek(0)
        return MeasuredRun(process.returncode, out.read().decode(errors="replace"),
                           err.read().decode(errors="replace"), wall, usage.ru_maxrss / 1024.0)


def own_peak_rss_mib() -> float:
    """This process's peak resident memory so far (VmHWM from /proc/self/status), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")

"""Describes the machine and the moment a benchmark ran: date, CPU model, cores, memory, load averages.

Shared machines drift: the load averages at the start and end of a run are recorded next to the numbers so a
reader can tell a quiet run from a loaded one.
"""
import datetime
import os
import platform


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_features() -> list[str]:
    """The vector-instruction flags that matter for the GEMM paths (AVX2, AVX-512, BF16, VNNI, AMX)."""
    wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16", "amx_int8")
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("flags"):
                    present = set(line.split(":", 1)[1].split())
                    return [flag for flag in wanted if flag in present]
    except OSError:
        pass
    return []


def memory_gib() -> float:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return float("nan")


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def describe() -> dict:
    """A JSON-ready description of this machine now."""
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "host": platform.node(), "cpu": cpu_model(), "cpu_features": cpu_features(), "cores": os.cpu_count(), "memory_gib": memory_gib(),
            "os": platform.platform(), "load_average_start": load_average()}

"""Where a number came from: code commit, hardware, torch, and how much of the machine other work took."""

import os
import platform
import re
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import torch

from .paths import ROOT


def _git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


@lru_cache(maxsize=1)
def commit() -> str:
    """Short commit of the code, '+dirty' when lib/ or notebooks/ differ ($SOURCE_COMMIT in a copy without git)."""
    head = _git("rev-parse", "--short=10", "HEAD") or os.environ.get("SOURCE_COMMIT") or "unknown"
    dirty = _git("status", "--porcelain", "--", "lib", "notebooks", "run_all.sh")  # untracked code counts too
    return head + ("+dirty" if dirty else "")


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise ValueError(f"unknown device {device!r}; valid: auto, cpu, cuda")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu or auto")
    return torch.device(device)


def hardware(device) -> str:
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    cpu = re.search(r"^model name\s*:\s*(.*\S)", info, re.M)
    return f"{cpu[1] if cpu else platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def describe(device) -> dict:
    return {
        "device": torch.device(device).type,
        "hardware": hardware(device),
        "torch": torch.__version__,
        "commit": commit(),
        "tf32": torch.device(device).type == "cuda"
        and (torch.backends.cuda.matmul.allow_tf32 or torch.backends.cudnn.allow_tf32),
    }


def _system_busy_seconds() -> float | None:
    """CPU seconds all processes have spent busy since boot (Linux /proc/stat), or None elsewhere."""
    if not Path("/proc/stat").is_file():
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Wall time, CPU time, and the cores other processes kept busy meanwhile: a shared machine's timing says so."""

    def __enter__(self):
        self.wall, self.own, self.system = time.perf_counter(), time.process_time(), _system_busy_seconds()
        return self

    def __exit__(self, *exc):
        self.wall_seconds = time.perf_counter() - self.wall
        self.cpu_seconds = time.process_time() - self.own
        end = _system_busy_seconds()
        others = None if end is None or self.system is None else max(0.0, end - self.system - self.cpu_seconds)
        self.others_cores = None if others is None else others / max(self.wall_seconds, 1e-9)
        return False


def torch_pin() -> str:
    """The torch version requirements.txt pins."""
    return re.search(r"^torch==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)[1]

"""What every benchmark shares: its command line, timer, Markdown tables and record (docs/speed.md)."""

import argparse
import time
from pathlib import Path

import torch
from torch.utils import benchmark

from lib.infra import atomic, provenance
from lib.infra.paths import RES_DIR


def parser(doc: str, device: str = "cpu") -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring as the help, the device it runs on, where its record goes."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--device", default=device, type=provenance.resolve_device, help=f"cpu, cuda or auto (default {device})"
    )
    ap.add_argument("--out", type=Path, default=RES_DIR / "bench", help="folder of the record (default: res/bench)")
    return ap


def seconds(fn, calls: int) -> float:
    """Mean seconds of a call of `fn()` after warm-up; torch's timer syncs the GPU, told to use all threads."""
    timer = benchmark.Timer("fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
    return timer.timeit(max(1, calls)).mean


def table(head: list, rows: list) -> list:
    """Markdown lines of a table: the first column a name, the others numbers (right-aligned)."""
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    return lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows]


def write(args, name: str, title: str, result: dict, lines: list) -> dict:
    """Write the record atomically, print it, and return the JSON part."""
    with provenance.CpuMeter() as idle:  # whether other work shared the machine: measured right after
        time.sleep(2)
    result = {**provenance.describe(args.device), "others_cores_after": idle.others_cores, **result}
    shared = f"other processes kept {idle.others_cores or 0:.2f} cores busy right after (0 on a quiet machine)"
    text = [f"# {title}", "", f"{result['hardware']}, torch {result['torch']}, commit {result['commit']}; {shared}."]
    text += ["", *lines]
    out = Path(args.out) / name
    atomic.write_json(out.with_suffix(".json"), result)
    atomic.write_text(out.with_suffix(".md"), "\n".join(text).rstrip() + "\n")
    print("\n".join(text), f"\nwritten: {out.with_suffix('.md')}, {out.with_suffix('.json')}", sep="\n")
    return result

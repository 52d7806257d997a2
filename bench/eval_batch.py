"""Which batch size scores a fixed set fastest on this machine? Evaluation numbers/s by batch size.

Scoring the whole test set and its variants takes a finished digit-reader run minutes at profile `cpu`,
and an ensemble three times that. A large batch is not free on a CPU: each layer's activations for
1,000 numbers outgrow the caches. This times lib's own scoring (lib.study.evaluate.predict) on the same
fixed W test numbers at each batch size, against the current default (evaluate.BATCH) in the same run.
Results: stdout, res/bench/eval_batch_<device>.md and .json, with hardware and commit.
Run it on a quiet machine: stop the training queue first.

Usage: .venv/bin/python bench/eval_batch.py [--versions 7 21] [--batches 1000 256 64] [--numbers 3000]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import record  # noqa: E402
from lib.data import testsets  # noqa: E402
from lib.infra import provenance  # noqa: E402
from lib.study import evaluate, models, versions  # noqa: E402


def rate(model, test_set, spec, device, batch_size, repeat=2) -> float:
    """Best numbers/s of `repeat` timed passes after one warm-up pass."""
    evaluate.predict(model, test_set, spec.preprocessing, device, batch_size=batch_size, head=spec.head)
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        evaluate.predict(model, test_set, spec.preprocessing, device, batch_size=batch_size, head=spec.head)
        best = min(best, time.perf_counter() - began)
    return len(test_set) / best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--versions", type=int, nargs="+", default=[7, versions.BEST["W"]])
    ap.add_argument("--batches", type=int, nargs="+", default=[1000, 256, 64])
    ap.add_argument("--numbers", type=int, default=3000, help="a fixed subset of the W test set")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    args = ap.parse_args()

    device = provenance.resolve_device(args.device)
    test_set = testsets.load("W").subset(args.numbers)
    batches = [evaluate.BATCH] + [b for b in args.batches if b != evaluate.BATCH]
    rows = []
    for version in args.versions:
        spec = versions.get(version)
        model = models.build(version, "W").to(device)
        rates = {b: rate(model, test_set, spec, device, b) for b in batches}
        rows.append({"version": version, "params": models.count_params(model), "numbers_per_s": rates})
        print(f"v{version}: " + ", ".join(f"batch {b} {r:,.0f}/s" for b, r in rates.items()), flush=True)
    lines = [
        "lib.study.evaluate.predict (batch norms folded, "
        f"inference mode) on a fixed {len(test_set):,} W test numbers, best of 2 passes after a warm-up; "
        f"default batch {evaluate.BATCH} is the baseline.",
        "",
        "| version | params | " + " | ".join(f"batch {b} (numbers/s)" for b in batches) + " | best / default |",
        "|---:|---:|" + "---:|" * (len(batches) + 1),
    ]
    for row in rows:
        r = row["numbers_per_s"]
        lines.append(
            f"| v{row['version']} | {row['params']:,} | "
            + " | ".join(f"{r[b]:,.0f}" for b in batches)
            + f" | {max(r.values()) / r[evaluate.BATCH]:.2f}× at batch {max(r, key=r.get)} |"
        )
    result = {"default_batch": evaluate.BATCH, "rows": rows}
    record.write(f"eval_batch_{device.type}", device, "Evaluation speed by batch size", result, lines)


if __name__ == "__main__":
    main()

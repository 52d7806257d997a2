"""How long a version's single-digit reader takes to train its full recipe on this machine, and how well it reads.

The target (issue 14): at least 99.7% on the MNIST test set, as one model of at most 1M parameters, trained in
at most 20 minutes on 2 CPU cores. This trains the reader of a version (lib/digits/reader.py) at profile
`full` on the 55,000 training digits, validating on the 5,000 validation digits after each epoch and keeping
the best epoch, tests it once, and writes res/bench/digit_reader_v<N>_<device>.md and .json with the training
seconds (the CPU other processes took meanwhile is recorded: run it on a quiet machine). With --record the
run is the record itself (res/runs/full/reader-v<N>_s<seed>/), which notebook 32 shows; otherwise it trains
in a temporary folder.

Usage: .venv/bin/python bench/digit_reader.py [--version 21] [--seed 0] [--device cpu] [--record]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import record  # noqa: E402
from lib.digits import reader
from lib.digits.references import READER_TARGETS
from lib.infra import provenance
from lib.infra.paths import RECORD_DIR, RES_DIR

TARGET_ACC, TARGET_PARAMS, TARGET_SECONDS = (READER_TARGETS[k] for k in ("test_acc", "params", "train_seconds"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", type=int, default=21)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    ap.add_argument(
        "--record", action="store_true", help="train into the record (res/runs/full/) instead of a temp dir"
    )
    args = ap.parse_args()
    dev = provenance.resolve_device(args.device)
    with tempfile.TemporaryDirectory() as scratch:
        folder = {} if args.record else {"record_dir": Path(scratch), "runs_dir": Path(scratch)}
        run = reader.run_reader(args.version, "full", args.seed, dev.type, force=True, progress="lines", **folder)
    m = run.metrics
    others = [row.get("others_cores") for row in run.epochs if row.get("others_cores") is not None]
    shared = sum(others) / len(others) if others else None
    checks = {
        "accuracy": m["test_acc"] >= TARGET_ACC,
        "parameters": m["params"] <= TARGET_PARAMS,
        "time": m["train_seconds"] <= TARGET_SECONDS,
    }
    result = {
        **{k: m[k] for k in ("model", "params", "epochs", "test_acc", "best_val_acc", "best_epoch", "train_seconds")},
        "others_cores": shared,
        "targets": checks,
        "recorded_in": str(Path(RECORD_DIR, "full").relative_to(RES_DIR.parent)) if args.record else None,
    }
    lines = [
        f"Seed {args.seed}; {m['params']:,} parameters; "
        f"{m['epochs']} epochs of the 55,000 training digits, the best of them on the 5,000 validation digits "
        f"(epoch {m['best_epoch']}: {m['best_val_acc']:.2%}).",
        "",
        "| | measured | target | met |",
        "|---|---:|---:|---|",
        f"| MNIST test accuracy | {m['test_acc']:.2%} | ≥ {TARGET_ACC:.1%} | {'yes' if checks['accuracy'] else 'no'} |",
        f"| parameters | {m['params']:,} | ≤ {TARGET_PARAMS:,} | {'yes' if checks['parameters'] else 'no'} |",
        f"| training seconds | {m['train_seconds']:,.0f} | ≤ {TARGET_SECONDS:,} | {'yes' if checks['time'] else 'no'} |",
        "",
        f"Other processes kept {shared or 0:.2f} cores busy on average while it trained (0 on a quiet machine).",
    ]
    record.write(
        f"digit_reader_v{args.version}_{dev.type}", dev, f"Single-digit reader of version {args.version}", result, lines
    )


if __name__ == "__main__":
    main()

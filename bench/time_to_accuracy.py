"""How long the best small network trains to reach 99% on W, on this machine.

The target (issue 14): on 2 CPU cores, 99.0% on the whole fixed W test set within 5 minutes of training.
This trains a version (default: the kept one on W, BEST) with its own recipe on a short budget (its
schedule spanning that budget), tests it on the whole W test set after every epoch (outside the timed
training), and reports training seconds and accuracy per epoch, and when the target was first reached.
Results: stdout, res/bench/time_to_<target>_<device>.md and .json, with hardware and commit.

Usage: .venv/bin/python bench/time_to_accuracy.py [--version N] [--epochs 4] [--samples 30000] [--target 0.99]
"""

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.data import testsets
from lib.infra import atomic, provenance  # noqa: E402
from lib.infra.paths import RES_DIR  # noqa: E402
from lib.study import experiment, models, versions
from lib.study.evaluate import evaluate  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", type=int, default=versions.BEST["W"], help="default: the kept version on W")
    ap.add_argument("--dataset", default="W", choices=["W", "C"])
    ap.add_argument("--epochs", type=int, default=4, help="epochs of the short budget (the schedule spans them)")
    ap.add_argument("--samples", type=int, default=30_000, help="numbers per epoch")
    ap.add_argument("--target", type=float, default=0.99)
    ap.add_argument("--limit", type=float, default=300.0, help="training seconds allowed by the target")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    spec = versions.get(args.version)
    dev = provenance.resolve_device(args.device)
    test_set = testsets.load(args.dataset)
    torch.manual_seed(args.seed)
    model = models.build(args.version, args.dataset, channels_last=experiment.CHANNELS_LAST).to(dev)
    tested = []

    def test(epoch, model):
        metrics, _ = evaluate(model, test_set, spec.preprocessing, dev, head=spec.head)
        tested.append(
            {
                "epoch": epoch,
                "test_acc": metrics["test_acc"],
                **{f"acc_{n}digit": metrics[f"acc_{n}digit"] for n in (1, 2, 3)},
            }
        )
        print(f"epoch {epoch}: test accuracy {metrics['test_acc']:.2%}", flush=True)

    began = time.perf_counter()
    history = experiment.fit(
        model,
        spec,
        args.dataset,
        spec.preprocessing,
        args.epochs,
        args.samples,
        args.seed,
        dev,
        progress=False,
        after_epoch=test,
    )
    wall = time.perf_counter() - began
    elapsed = 0.0
    for row, epoch in zip(tested, history["epochs"]):
        elapsed += epoch["seconds"]
        row["train_seconds"] = elapsed
    reached = next((r for r in tested if r["test_acc"] >= args.target), None)
    info = provenance.describe(dev)
    result = {
        "version": args.version,
        "dataset": args.dataset,
        "params": models.count_params(model),
        "epochs": args.epochs,
        "samples_per_epoch": args.samples,
        "batch_size": spec.batch_size,
        "seed": args.seed,
        "target": args.target,
        "limit_seconds": args.limit,
        "per_epoch": tested,
        "reached_at_seconds": reached and reached["train_seconds"],
        "wall_seconds": wall,
        **info,
        "met": bool(reached and reached["train_seconds"] <= args.limit),
    }
    lines = [
        f"# Time to {args.target:.0%} on {args.dataset}: version {args.version} on {info['hardware']}",
        "",
        f"torch {info['torch']}, commit {info['commit']}, seed {args.seed}; {result['params']:,} parameters; "
        f"{args.epochs} epochs × {args.samples:,} numbers, batch {spec.batch_size}, its one-cycle schedule over "
        f"them. Tested on all {len(test_set):,} W test numbers after each epoch (not timed).",
        "",
        "| epoch | training seconds (cumulative) | test acc | 1/2/3-digit |",
        "|---:|---:|---:|---|",
    ]
    lines += [
        f"| {r['epoch']} | {r['train_seconds']:.0f} | {r['test_acc']:.2%} | {r['acc_1digit']:.2%} / "
        f"{r['acc_2digit']:.2%} / {r['acc_3digit']:.2%} |"
        for r in tested
    ]
    verdict = (
        f"reached {args.target:.0%} after {reached['train_seconds']:.0f} s of training "
        f"({'within' if result['met'] else 'over'} the {args.limit:.0f} s target)"
        if reached
        else f"did not reach {args.target:.0%} in {elapsed:.0f} s of training"
    )
    lines += ["", f"**Result:** {verdict}."]
    out = RES_DIR / "bench" / f"time_to_{round(args.target * 100)}_{dev.type}"
    atomic.write_json(out.with_suffix(".json"), result)
    atomic.write_text(out.with_suffix(".md"), "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""How long the best small network trains to reach 99% on W, on this machine.

The target (issue 14): on 2 CPU cores, 99.0% on the whole fixed W test set within 5 minutes of training.
This trains a version (default: the kept one on W, BEST) with its own recipe on a short budget (its
schedule spanning that budget), tests it on the whole W test set after every epoch (outside the timed
training), and reports training seconds and accuracy per epoch, and when the target was first reached.
Results: stdout, res/bench/time_to_<target>_<device>.md and .json, with hardware and commit.

The short budget may change training settings of the version's recipe (`--set lr=4e-3 'augment_layout=()'`:
the network stays the version's). Such choices are made on validation (`--on val`: the fixed W validation
numbers are read after each epoch and nothing is written but a line per trial in
res/bench/time_to_<target>_<device>_trials.md); the record itself reads the test set once per epoch.

Usage: .venv/bin/python bench/time_to_accuracy.py [--version N] [--epochs 4] [--samples 30000] [--target 0.99]
       [--set FIELD=VALUE ...] [--on test|val]
"""

import argparse
import ast
import dataclasses
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

# recipe fields a short budget may change: how the network is trained, never what it is
TRAINING_FIELDS = (
    "lr",
    "weight_decay",
    "label_smoothing",
    "schedule",
    "optimizer",
    "augment_digits",
    "augment_layout",
    "augment_elastic",
    "digit_probs",
    "ema",
    "batch_size",
)


DIGIT_KEYS = ("acc_1digit", "acc_2digit", "acc_3digit")
TRIALS_HEADER = (
    "# Short budgets tried on validation (bench/time_to_accuracy.py --on val)\n\n"
    "Each trial trains on this machine and reads the fixed validation numbers after each epoch (not timed); the "
    "settings of the record are chosen here, never on the test set, and its size is set from their timing. "
    "Cores: other processes' load while it trained.\n\n"
    "| commit | hardware | version | budget | per epoch: training seconds, validation acc | others' cores | verdict |\n"
    "|---|---|---|---|---|---:|---|\n"
)


def with_settings(spec, settings: list) -> tuple:
    """(the version's row with FIELD=VALUE settings applied, the settings as a dict); a clear error otherwise."""
    changes = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep or name not in TRAINING_FIELDS:
            raise SystemExit(f"--set {setting!r}: give FIELD=VALUE with FIELD one of {', '.join(TRAINING_FIELDS)}")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text  # a plain word, e.g. schedule=constant
        current = getattr(spec, name)
        as_float = isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool)
        if type(value) is not type(current) and not as_float:
            raise SystemExit(
                f"--set {setting!r}: {name} is a {type(current).__name__} (version {spec.version}: {current!r})"
            )
        changes[name] = value
    return dataclasses.replace(spec, **changes), changes


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
    ap.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="training settings of the budget")
    ap.add_argument("--on", default="test", choices=["test", "val"], help="val: choose settings, write no record")
    args = ap.parse_args()

    spec, settings = with_settings(versions.get(args.version), args.set)
    dev = provenance.resolve_device(args.device)
    test_set = testsets.load(args.dataset, part=args.on)
    torch.manual_seed(args.seed)
    model = models.build(args.version, args.dataset, channels_last=experiment.CHANNELS_LAST).to(dev)
    tested = []

    def score(epoch, model):
        metrics, _ = evaluate(model, test_set, spec.preprocessing, dev, head=spec.head)
        tested.append({"epoch": epoch, "acc": metrics["test_acc"], **{k: metrics[k] for k in DIGIT_KEYS}})
        print(f"epoch {epoch}: {args.on} accuracy {metrics['test_acc']:.2%}", flush=True)

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
        after_epoch=score,
    )
    wall = time.perf_counter() - began
    elapsed = 0.0
    for row, epoch in zip(tested, history["epochs"]):
        elapsed += epoch["seconds"]
        row["train_seconds"] = elapsed
    reached = next((r for r in tested if r["acc"] >= args.target), None)
    info = provenance.describe(dev)
    shown = ", ".join(f"{k}={v!r}" for k, v in settings.items() if k != "batch_size")  # the batch is named anyway
    budget = f"{args.epochs} epochs × {args.samples:,} numbers, batch {spec.batch_size}, "
    budget += f"settings {shown}" if shown else "its own recipe" + (" otherwise" if settings else "")
    others = history["others_cores"]
    verdict = (
        f"reached {args.target:.0%} after {reached['train_seconds']:.0f} s of training "
        f"({'within' if reached['train_seconds'] <= args.limit else 'over'} the {args.limit:.0f} s target)"
        if reached
        else f"did not reach {args.target:.0%} in {elapsed:.0f} s of training"
    )
    out = RES_DIR / "bench" / f"time_to_{round(args.target * 100)}_{dev.type}"
    if args.on == "val":
        trials = out.with_name(out.name + "_trials.md")
        old = trials.read_text() if trials.is_file() else TRIALS_HEADER
        per_epoch = "; ".join(f"{r['train_seconds']:.0f} s {r['acc']:.2%}" for r in tested)
        line = f"| {info['commit']} | {info['hardware']} | v{args.version} | {budget} | {per_epoch} | {others:.2f} | {verdict} |"
        atomic.write_text(trials, old + line + "\n")
        print(line)
        return
    result = {
        "version": args.version,
        "dataset": args.dataset,
        "params": models.count_params(model),
        "epochs": args.epochs,
        "samples_per_epoch": args.samples,
        "batch_size": spec.batch_size,
        "settings": settings,
        "seed": args.seed,
        "target": args.target,
        "limit_seconds": args.limit,
        "per_epoch": tested,
        "reached_at_seconds": reached and reached["train_seconds"],
        "wall_seconds": wall,
        "others_cores": others,
        **info,
        "met": bool(reached and reached["train_seconds"] <= args.limit),
    }
    lines = [
        f"# Time to {args.target:.0%} on {args.dataset}: version {args.version} on {info['hardware']}",
        "",
        f"torch {info['torch']}, commit {info['commit']}, seed {args.seed}; {result['params']:,} parameters; "
        f"{budget}; the schedule spans the budget. Tested on all {len(test_set):,} {args.dataset} test numbers "
        f"after each epoch (not timed). Other processes kept {others:.2f} cores busy while it trained.",
        "",
        "| epoch | training seconds (cumulative) | test acc | 1/2/3-digit |",
        "|---:|---:|---:|---|",
    ]
    lines += [
        f"| {r['epoch']} | {r['train_seconds']:.0f} | {r['acc']:.2%} | "
        + " / ".join(f"{r[k]:.2%}" for k in DIGIT_KEYS)
        + " |"
        for r in tested
    ]
    lines += ["", f"**Result:** {verdict}."]
    atomic.write_json(out.with_suffix(".json"), result)
    atomic.write_text(out.with_suffix(".md"), "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

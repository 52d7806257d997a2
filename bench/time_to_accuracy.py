"""Time to 99% on W on this machine, the airbench way: a budget chosen on validation, then seeds read once.

Target (issue 14): on 2 CPU cores, a mean of at least 99.0% of the fixed W test numbers over at least 5 seeds,
each trained for at most 300 s.

1. Choose on validation. `--on val` trains one seed of a budget (epochs x numbers per epoch; training settings with
   `--set lr=4e-3 batch_size=32`, never the network) and reads the fixed validation numbers after each epoch
   (outside the timed training). Nothing is written but a line in res/bench/time_to_<target>_<device>_trials.md.
2. Record. `--seeds 5` trains that budget with seeds 0..4; each run is read on the test set once, after its last
   epoch, and nothing else reads it. The record (res/bench/time_to_<target>_<device>.md and .json) states the mean
   ± sd over the seeds, the worst seed and the training seconds. A budget no validation trial tried is refused.

Usage: .venv/bin/python bench/time_to_accuracy.py [--version N] [--epochs 4] [--samples 12000]
       [--set FIELD=VALUE ...] (--on val [--seed S] | --seeds 5)
"""

import argparse
import ast
import dataclasses
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import record as bench_record  # noqa: E402
from lib.data import testsets  # noqa: E402
from lib.infra import atomic, provenance  # noqa: E402
from lib.infra.paths import RES_DIR  # noqa: E402
from lib.study import experiment, models, versions  # noqa: E402
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
    "Each trial trains one seed on this machine and reads the fixed validation numbers after each epoch (not "
    "timed). The record's budget is one of these lines; the test set plays no part here. Cores: other "
    "processes' load while it trained.\n\n"
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


def budget_text(epochs: int, samples: int, spec, settings: dict) -> str:
    """The budget as the trials and the record both write it: the record finds its trial by this text."""
    shown = ", ".join(f"{k}={v!r}" for k, v in settings.items() if k != "batch_size")  # the batch is named anyway
    text = f"{epochs} epochs × {samples:,} numbers, batch {spec.batch_size}, "
    return text + (f"settings {shown}" if shown else "its own recipe" + (" otherwise" if settings else ""))


def train_once(args, spec, seed: int, dev, after_epoch=None) -> tuple:
    """(model, history) of one seed of the budget; history's epochs carry their training seconds."""
    torch.manual_seed(seed)
    model = models.build(args.version, args.dataset, channels_last=experiment.CHANNELS_LAST).to(dev)
    history = experiment.fit(
        model, spec, args.dataset, spec.preprocessing, args.epochs, args.samples, seed, dev, progress=False,
        after_epoch=after_epoch,
    )  # fmt: skip
    return model, history


def choose_on_validation(args, spec, budget, out, dev) -> None:
    """One trial: validation accuracy after each epoch, appended as a line of the trials file."""
    val_set, read = testsets.load(args.dataset, part="val"), []

    def validate(epoch, model):
        read.append(evaluate(model, val_set, spec.preprocessing, dev, head=spec.head)[0]["test_acc"])
        print(f"epoch {epoch}: validation accuracy {read[-1]:.2%}", flush=True)

    _, history = train_once(args, spec, args.seed, dev, after_epoch=validate)
    seconds = [sum(e["seconds"] for e in history["epochs"][: i + 1]) for i in range(len(history["epochs"]))]
    per_epoch = "; ".join(f"{s:.0f} s {a:.2%}" for s, a in zip(seconds, read))
    verdict = (
        f"validation {read[-1]:.2%} after {seconds[-1]:.0f} s of training (seed {args.seed}): "
        + ("at or above" if read[-1] >= args.target else "below")
        + f" {args.target:.0%}"
    )
    info = provenance.describe(dev)
    line = f"| {info['commit']} | {info['hardware']} | v{args.version} | {budget} | {per_epoch} | "
    line += f"{history['others_cores']:.2f} | {verdict} |"
    trials = out.with_name(out.name + "_trials.md")
    atomic.write_text(trials, (trials.read_text() if trials.is_file() else TRIALS_HEADER) + line + "\n")
    print(line)


def record(args, spec, settings, budget, out, dev) -> None:
    """`--seeds` runs of the budget, each read on the test set once after its last epoch."""
    trials = out.with_name(out.name + "_trials.md")
    if f"| v{args.version} | {budget} |" not in (trials.read_text() if trials.is_file() else ""):
        raise SystemExit(
            f"the budget '{budget}' of version {args.version} has no trial on validation in {trials}: choose it "
            "there first (--on val), then record it"
        )
    test_set, seeds = testsets.load(args.dataset), []
    for seed in range(args.seeds):
        model, history = train_once(args, spec, seed, dev)
        metrics = evaluate(model, test_set, spec.preprocessing, dev, head=spec.head)[0]
        seeds.append(
            {
                "seed": seed,
                "test_acc": metrics["test_acc"],
                **{k: metrics[k] for k in DIGIT_KEYS},
                "train_seconds": history["train_seconds"],
                "others_cores": history["others_cores"],
            }
        )
        print(f"seed {seed}: test {metrics['test_acc']:.2%} after {history['train_seconds']:.0f} s", flush=True)
    accs = [s["test_acc"] for s in seeds]
    mean, sd = statistics.mean(accs), statistics.stdev(accs) if len(accs) > 1 else float("nan")
    worst, slowest = min(seeds, key=lambda s: s["test_acc"]), max(s["train_seconds"] for s in seeds)
    met = mean >= args.target and slowest <= args.limit and len(seeds) >= 5
    result = {
        "version": args.version,
        "dataset": args.dataset,
        "params": models.count_params(model),
        "epochs": args.epochs,
        "samples_per_epoch": args.samples,
        "batch_size": spec.batch_size,
        "settings": settings,
        "target": args.target,
        "limit_seconds": args.limit,
        "seeds": seeds,
        "mean_test_acc": mean,
        "sd_test_acc": sd,
        "worst_seed": worst,
        "slowest_train_seconds": slowest,
        "met": met,
    }
    verdict = (
        f"mean {mean:.2%} ± {sd:.2%} over {len(seeds)} seeds (worst: seed {worst['seed']}, "
        f"{worst['test_acc']:.2%}), each trained for at most {slowest:.0f} s: "
        + ("met" if met else "not met")
        + f" (target: mean ≥ {args.target:.0%} over ≥ 5 seeds, ≤ {args.limit:.0f} s each)"
    )
    lines = [
        f"{result['params']:,} parameters; {budget}; the schedule spans the budget, chosen on validation "
        f"({out.name}_trials.md). Each seed is read once on all {len(test_set):,} {args.dataset} test numbers after "
        "its last epoch.",
        "",
        "| seed | training seconds | others' cores | test acc | 1/2/3-digit |",
        "|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {s['seed']} | {s['train_seconds']:.0f} | {s['others_cores']:.2f} | {s['test_acc']:.2%} | "
        + " / ".join(f"{s[k]:.2%}" for k in DIGIT_KEYS)
        + " |"
        for s in seeds
    ]
    lines += ["", f"**Result:** {verdict}."]
    bench_record.write(
        out.name, dev, f"Time to {args.target:.0%} on {args.dataset}: version {args.version}", result, lines
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", type=int, default=versions.BEST["W"], help="default: the kept version on W")
    ap.add_argument("--dataset", default="W", choices=["W", "C"])
    ap.add_argument("--epochs", type=int, default=4, help="epochs of the short budget (the schedule spans them)")
    ap.add_argument("--samples", type=int, default=12_000, help="numbers per epoch")
    ap.add_argument("--target", type=float, default=0.99)
    ap.add_argument("--limit", type=float, default=300.0, help="training seconds allowed per seed by the target")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="training settings of the budget")
    ap.add_argument("--on", default="test", choices=["test", "val"], help="val: a trial on validation")
    ap.add_argument("--seed", type=int, default=0, help="the seed of a validation trial")
    ap.add_argument("--seeds", type=int, default=5, help="seeds of the record, 0..N-1 (at least 5 can meet it)")
    args = ap.parse_args()
    if args.seeds < 1:
        ap.error("--seeds takes a number of at least 1")

    spec, settings = with_settings(versions.get(args.version), args.set)
    dev = provenance.resolve_device(args.device)
    budget = budget_text(args.epochs, args.samples, spec, settings)
    out = RES_DIR / "bench" / f"time_to_{round(args.target * 100)}_{dev.type}"
    if args.on == "val":
        choose_on_validation(args, spec, budget, out, dev)
    else:
        record(args, spec, settings, budget, out, dev)


if __name__ == "__main__":
    main()

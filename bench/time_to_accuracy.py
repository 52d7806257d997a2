"""Time to 99% on W here, the airbench way: `--on val` tries a budget on validation (a line of the trials file),
then `--seeds 5` records a tried budget, each seed tested once. The target and workflow: docs/speed.md."""

import ast
import dataclasses
import statistics
from itertools import accumulate

import torch

from bench import record as bench_record
from lib.data import testsets
from lib.infra import atomic, provenance
from lib.study import experiment, models, train, versions
from lib.study.evaluate import evaluate

# recipe fields a short budget may change: how the network is trained, never what it is
TRAINING_FIELDS = ("lr", "weight_decay", "label_smoothing", "schedule", "optimizer", "digit_probs", "ema", "batch_size")
TRAINING_FIELDS += ("augment_digits", "augment_layout", "augment_elastic")
DIGIT_KEYS = ("acc_1digit", "acc_2digit", "acc_3digit")


def with_settings(spec, settings: list) -> tuple:
    """(the row with FIELD=VALUE settings applied, the settings); a value takes its field's type (lr=1 is 1.0)."""
    changes = {}
    for setting in settings:
        name, _, text = setting.partition("=")
        current = getattr(spec, name) if name in TRAINING_FIELDS else None
        try:
            value = ast.literal_eval(text) if isinstance(current, tuple) else type(current)(text)
        except (ValueError, SyntaxError, TypeError):
            value = None
        if value is None or type(value) is not type(current):
            fields = ", ".join(TRAINING_FIELDS)
            raise SystemExit(
                f"--set {setting!r}: give FIELD=VALUE, FIELD one of {fields}, VALUE of its type in the row"
            )
        changes[name] = value
    return dataclasses.replace(spec, **changes), changes


def budget_text(epochs: int, samples: int, spec, settings: dict) -> str:
    """The budget as the trials and the record both write it: the record finds its trial by this text."""
    shown = ", ".join(f"{k}={v!r}" for k, v in settings.items() if k != "batch_size")  # the batch is named anyway
    text = f"{epochs} epochs × {samples:,} numbers, batch {spec.batch_size}, "
    return text + (f"settings {shown}" if shown else "its own recipe" + (" otherwise" if settings else ""))


def train_once(args, spec, seed: int, after_epoch=None) -> tuple:
    """(model, history) of one seed of the budget; history's epochs carry their training seconds."""
    torch.manual_seed(seed)
    model = models.build(args.version, args.dataset, channels_last=experiment.CHANNELS_LAST).to(args.device)
    history = train.train(
        model, spec, experiment.train_bank(str(args.device)), dataset=args.dataset, preprocessing=spec.preprocessing,
        epochs=args.epochs, samples_per_epoch=args.samples, seed=seed, channels_last=experiment.CHANNELS_LAST,
        progress=False, after_epoch=after_epoch,
    )  # fmt: skip
    return model, history


def choose_on_validation(args, spec, budget, trials) -> None:
    """One trial: validation accuracy after each epoch, appended as a line of the trials file."""
    val_set, read = testsets.load(args.dataset, part="val"), []

    def validate(epoch, model):
        read.append(evaluate(model, val_set, spec.preprocessing, args.device, head=spec.head)[0]["test_acc"])
        print(f"epoch {epoch}: validation accuracy {read[-1]:.2%}", flush=True)

    _, history = train_once(args, spec, args.seed, after_epoch=validate)
    seconds = list(accumulate(e["seconds"] for e in history["epochs"]))
    per_epoch = "; ".join(f"{s:.0f} s {a:.2%}" for s, a in zip(seconds, read))
    reached = f"{'at or above' if read[-1] >= args.target else 'below'} {args.target:.0%}"
    info = provenance.describe(args.device)
    cells = [info["commit"], info["hardware"], f"v{args.version}", budget, per_epoch, f"{history['others_cores']:.2f}"]
    cells.append(f"validation {read[-1]:.2%} after {seconds[-1]:.0f} s of training (seed {args.seed}): {reached}")
    columns = ["commit", "hardware", "version", "budget", "per epoch: training seconds, validation acc"]
    head, rule, line = bench_record.table([*columns, "others' cores", "verdict"], [cells])
    title = f"# Short budgets tried on validation (time_to_accuracy.py --on val)\n\n{head}\n{rule}\n"
    atomic.write_text(trials, (trials.read_text() if trials.is_file() else title) + line + "\n")
    print(line)


def record(args, spec, settings, budget, trials) -> None:
    """`--seeds` runs of the budget, each read on the test set once after its last epoch."""
    if f"| v{args.version} | {budget} |" not in (trials.read_text() if trials.is_file() else ""):
        raise SystemExit(
            f"the budget '{budget}' of version {args.version} has no trial on validation in {trials}: choose it "
            "there first (--on val), then record it"
        )
    test_set, seeds = testsets.load(args.dataset), []
    for seed in range(args.seeds):
        model, history = train_once(args, spec, seed)
        metrics = evaluate(model, test_set, spec.preprocessing, args.device, head=spec.head)[0]
        seeds.append({"seed": seed} | {k: metrics[k] for k in ("test_acc", *DIGIT_KEYS)})
        seeds[-1] |= {"train_seconds": history["train_seconds"], "others_cores": history["others_cores"]}
        print(f"seed {seed}: test {metrics['test_acc']:.2%} after {history['train_seconds']:.0f} s", flush=True)
    accs = [s["test_acc"] for s in seeds]
    mean, sd = statistics.mean(accs), statistics.stdev(accs) if len(accs) > 1 else float("nan")
    worst, slowest = min(seeds, key=lambda s: s["test_acc"]), max(s["train_seconds"] for s in seeds)
    met = mean >= args.target and slowest <= args.limit and len(seeds) >= 5
    result = {k: getattr(args, k) for k in ("version", "dataset", "epochs", "target")}
    result |= {"params": models.count_params(model), "samples_per_epoch": args.samples, "batch_size": spec.batch_size}
    result |= {"settings": settings, "limit_seconds": args.limit, "seeds": seeds, "mean_test_acc": mean}
    result |= {"sd_test_acc": sd, "worst_seed": worst, "slowest_train_seconds": slowest, "met": met}
    rows = [
        [s["seed"], f"{s['train_seconds']:.0f}", f"{s['others_cores']:.2f}", f"{s['test_acc']:.2%}"]
        + [" / ".join(f"{s[k]:.2%}" for k in DIGIT_KEYS)]
        for s in seeds
    ]
    lines = [
        f"{result['params']:,} parameters; {budget}, chosen on validation ({trials.name}). Each seed is read once on "
        f"all {len(test_set):,} {args.dataset} test numbers after its last epoch.",
        "",
        *bench_record.table(["seed", "training seconds", "others' cores", "test acc", "1/2/3-digit"], rows),
        "",
        f"**Result:** mean {mean:.2%} ± {sd:.2%} over {len(seeds)} seeds (worst: seed {worst['seed']}, "
        f"{worst['test_acc']:.2%}), each trained for at most {slowest:.0f} s: {'met' if met else 'not met'} "
        f"(target: mean ≥ {args.target:.0%} over ≥ 5 seeds, ≤ {args.limit:.0f} s each).",
    ]
    title = f"Time to {args.target:.0%} on {args.dataset}: version {args.version}"
    bench_record.write(args, trials.name.removesuffix("_trials.md"), title, result, lines)


def main():
    ap = bench_record.parser(__doc__)
    ap.add_argument("--version", type=int, default=versions.BEST["W"], help="default: the kept version on W")
    ap.add_argument("--dataset", default="W", choices=["W", "C"])
    ap.add_argument("--epochs", type=int, default=4, help="epochs of the short budget (the schedule spans them)")
    ap.add_argument("--samples", type=int, default=12_000, help="numbers per epoch")
    ap.add_argument("--target", type=float, default=0.99)
    ap.add_argument("--limit", type=float, default=300.0, help="training seconds allowed per seed by the target")
    ap.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="training settings of the budget")
    ap.add_argument("--on", default="test", choices=["test", "val"], help="val: a trial on validation")
    ap.add_argument("--seed", type=int, default=0, help="the seed of a validation trial")
    ap.add_argument("--seeds", type=int, default=5, help="seeds of the record, 0..N-1 (at least 5 can meet it)")
    args = ap.parse_args()
    if args.seeds < 1:
        ap.error("--seeds takes a number of at least 1")
    spec, settings = with_settings(versions.get(args.version), args.set)
    budget = budget_text(args.epochs, args.samples, spec, settings)
    trials = args.out / f"time_to_{round(args.target * 100)}_{args.device.type}_trials.md"
    if args.on == "val":
        choose_on_validation(args, spec, budget, trials)
    else:
        record(args, spec, settings, budget, trials)


if __name__ == "__main__":
    main()

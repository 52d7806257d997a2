"""Does bf16 autocast train to the same accuracy as fp32? The same version, profile and seeds in both: bf16 may
stand for fp32 only within seed-to-seed noise. Without native bf16 (lib/study/train.py) oneDNN emulates it:
slow, but rounded the same way. The runs themselves go to the state folder (parity/<precision>)."""

import statistics

from bench import record
from lib.infra.paths import state_dir
from lib.study import experiment, train
from lib.study.run_key import RunKey

KEYS = ("val_acc", "test_acc", "seed", "train_seconds", "commit")


def verdict(fp32: list, bf16: list) -> dict:
    """The difference of means against the noise bound (the rule: docs/speed.md)."""
    n = min(len(fp32), len(bf16))
    pooled = ((statistics.variance(fp32) + statistics.variance(bf16)) / 2) ** 0.5 if n > 1 else float("nan")
    diff = statistics.mean(bf16) - statistics.mean(fp32)
    bound = 2 * pooled * (2 / n) ** 0.5
    return {"difference": diff, "seed_std": pooled, "bound": bound, "within_noise": abs(diff) <= bound}


def main():
    ap = record.parser(__doc__)
    ap.add_argument("--version", type=int, default=19)
    ap.add_argument("--dataset", default="W", choices=["W", "C"])
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = ap.parse_args()
    if len(args.seeds) < 2:
        ap.error("parity needs at least 2 seeds: the verdict compares the difference with seed noise")
    runs = {}
    for prec in ("fp32", "bf16"):
        folder = state_dir() / "parity" / prec  # these runs are inputs to this record, not results of the study
        keys = [RunKey(args.version, args.dataset, seed) for seed in args.seeds]
        options = dict(precision=prec, record_dir=folder, runs_dir=folder, progress="lines")
        runs[prec] = [experiment.run(key, args.profile, args.device.type, **options).metrics for key in keys]
    result = {k: getattr(args, k) for k in ("version", "dataset", "profile", "seeds")}
    result["bf16_native"] = train.bf16_native(args.device)
    result["runs"] = {p: [{k: m[k] for k in KEYS} for m in ms] for p, ms in runs.items()}
    result |= {k: verdict(*([m[k] for m in runs[p]] for p in ("fp32", "bf16"))) for k in ("test_acc", "val_acc")}
    t = result["test_acc"]
    rows = [
        [p, m["seed"], f"{m['val_acc']:.2%}", f"{m['test_acc']:.2%}", f"{m['train_seconds']:.0f}"]
        for p, ms in result["runs"].items()
        for m in ms
    ]
    verdict_text = "within seed noise: bf16 may stand for fp32" if t["within_noise"] else "outside seed noise: run fp32"
    lines = [
        f"bf16 native here: {'yes' if result['bf16_native'] else 'no (oneDNN emulates it: slow, same rounding)'}.",
        "",
        *record.table(["precision", "seed", "val acc", "test acc", "train s"], rows),
        "",
        f"Test accuracy, bf16 − fp32: {100 * t['difference']:+.2f} points; pooled seed std {100 * t['seed_std']:.2f}, "
        f"noise bound {100 * t['bound']:.2f} points (docs/speed.md): **{verdict_text}**.",
    ]
    seeds = ", ".join(map(str, args.seeds))
    title = f"bf16 vs fp32 parity: version {args.version} {args.dataset}, profile `{args.profile}`, seeds {seeds}"
    record.write(args, f"parity_{args.device.type}", title, result, lines)


if __name__ == "__main__":
    main()

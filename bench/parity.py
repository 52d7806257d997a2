"""Does bf16 autocast train to the same accuracy as fp32? The same version, profile and seeds in both.

A run's numbers may come from bf16 only if its accuracy differs from fp32 by no more than seed-to-seed
noise. This trains each seed in both precisions and writes res/bench/parity_<device>.md and .json:
validation and test accuracy per seed, the mean difference, and the verdict, with the rule it used.
Where the hardware has no native bf16 (lib/study/train.py) the bf16 runs are emulated by oneDNN: slow, but
rounded the same way, so the accuracy comparison still holds.

Usage: .venv/bin/python bench/parity.py [--version 19] [--dataset W] [--profile quick] [--seeds 0 1] [--device cpu]
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import record  # noqa: E402
from lib.infra import provenance  # noqa: E402
from lib.infra.paths import state_dir  # noqa: E402
from lib.study import experiment, train
from lib.study.run_key import RunKey  # noqa: E402

KEYS = ("val_acc", "test_acc")


def verdict(fp32: list, bf16: list) -> dict:
    """Mean difference of test accuracy against the seed noise: |mean bf16 - mean fp32| is 'within noise'
    when it is at most twice the standard error of a difference of means, from the pooled seed std."""
    n = min(len(fp32), len(bf16))
    pooled = ((statistics.variance(fp32) + statistics.variance(bf16)) / 2) ** 0.5 if n > 1 else float("nan")
    diff = statistics.mean(bf16) - statistics.mean(fp32)
    bound = 2 * pooled * (2 / n) ** 0.5
    return {"difference": diff, "seed_std": pooled, "bound": bound, "within_noise": abs(diff) <= bound}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", type=int, default=19)
    ap.add_argument("--dataset", default="W", choices=["W", "C"])
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    args = ap.parse_args()
    if len(args.seeds) < 2:
        ap.error("parity needs at least 2 seeds: the verdict compares the difference with seed noise")
    dev = provenance.resolve_device(args.device)
    runs = {}
    for prec in ("fp32", "bf16"):
        folder = state_dir() / "parity" / prec  # records of parity runs are inputs to this report, not results
        runs[prec] = [
            experiment.run(
                RunKey(args.version, args.dataset, seed),
                args.profile,
                dev.type,
                precision=prec,
                record_dir=folder,
                runs_dir=folder,
                progress="lines",
            ).metrics
            for seed in args.seeds
        ]
    result = {
        "version": args.version,
        "dataset": args.dataset,
        "profile": args.profile,
        "seeds": args.seeds,
        "bf16_native": train.bf16_native(dev),
        "runs": {
            p: [{k: m[k] for k in (*KEYS, "seed", "train_seconds", "commit")} for m in ms] for p, ms in runs.items()
        },
        "test_acc": verdict(*[[m["test_acc"] for m in runs[p]] for p in ("fp32", "bf16")]),
        "val_acc": verdict(*[[m["val_acc"] for m in runs[p]] for p in ("fp32", "bf16")]),
    }
    t = result["test_acc"]
    title = f"bf16 vs fp32 parity: version {args.version} {args.dataset}, profile `{args.profile}`, seeds " + ", ".join(
        map(str, args.seeds)
    )
    lines = [
        f"bf16 native here: {'yes' if result['bf16_native'] else 'no (oneDNN emulates it: slow, same rounding)'}.",
        "",
        "| precision | seed | val acc | test acc | train s |",
        "|---|---:|---:|---:|---:|",
    ]
    for p, ms in result["runs"].items():
        lines += [
            f"| {p} | {m['seed']} | {m['val_acc']:.2%} | {m['test_acc']:.2%} | {m['train_seconds']:.0f} |" for m in ms
        ]
    lines += [
        "",
        f"Test accuracy, bf16 − fp32: {100 * t['difference']:+.2f} points; pooled seed std "
        f"{100 * t['seed_std']:.2f} points; noise bound (2 standard errors of a difference of means) "
        f"{100 * t['bound']:.2f} points.",
        "",
        f"**Verdict:** {'within' if t['within_noise'] else 'outside'} seed-to-seed noise, so bf16 runs "
        + ("may stand for fp32 ones." if t["within_noise"] else "may not stand for fp32 ones: run fp32."),
    ]
    record.write(f"parity_{dev.type}", dev, title, result, lines)


if __name__ == "__main__":
    main()

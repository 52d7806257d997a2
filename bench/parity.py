"""Does bf16 autocast train to the same accuracy as fp32? The same version, profile and seeds (at least 3) in both;
bf16 may stand for fp32 only within seed noise (lib/report/compare.py). The runs go to the state folder."""

from bench import record
from lib.infra.paths import state_dir
from lib.report.compare import MIN_SEEDS, Difference
from lib.study import experiment, train
from lib.study.run_key import RunKey

KEYS = ("val_acc", "test_acc", "seed", "train_seconds", "commit")


def main():
    ap = record.parser(__doc__)
    ap.add_argument("--version", type=int, default=19)
    ap.add_argument("--dataset", default="W", choices=["W", "C"])
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    if len(args.seeds) < MIN_SEEDS:
        ap.error(f"parity needs at least {MIN_SEEDS} seeds: the verdict compares the difference with seed noise")
    runs = {}
    for prec in ("fp32", "bf16"):
        folder = state_dir() / "parity" / prec  # these runs are inputs to this record, not results of the study
        keys = [RunKey(args.version, args.dataset, seed) for seed in args.seeds]
        options = dict(precision=prec, record_dir=folder, runs_dir=folder, progress="lines")
        runs[prec] = [experiment.run(key, args.profile, args.device.type, **options).metrics for key in keys]
    result = {k: getattr(args, k) for k in ("version", "dataset", "profile", "seeds")}
    result["bf16_native"] = train.bf16_native(args.device)
    result["runs"] = {p: [{k: m[k] for k in KEYS} for m in ms] for p, ms in runs.items()}
    diffs = {k: Difference(*([m[k] for m in runs[p]] for p in ("bf16", "fp32"))) for k in ("test_acc", "val_acc")}
    result |= {k: {"difference": d.delta, "interval": d.interval, "verdict": d.verdict} for k, d in diffs.items()}
    rows = [
        [p, m["seed"], f"{m['val_acc']:.2%}", f"{m['test_acc']:.2%}", f"{m['train_seconds']:.0f}"]
        for p, ms in result["runs"].items()
        for m in ms
    ]
    same = diffs["test_acc"].verdict == "within seed noise"
    lines = [
        f"bf16 native here: {'yes' if result['bf16_native'] else 'no (oneDNN emulates it: slow, same rounding)'}.",
        "",
        *record.table(["precision", "seed", "val acc", "test acc", "train s"], rows),
        "",
        f"Test accuracy, bf16 − fp32: {diffs['test_acc'].text()}: **{'bf16 may stand for fp32' if same else 'run fp32'}**.",
    ]
    seeds = ", ".join(map(str, args.seeds))
    title = f"bf16 vs fp32 parity: version {args.version} {args.dataset}, profile `{args.profile}`, seeds {seeds}"
    record.write(args, f"parity_{args.device.type}", title, result, lines)


if __name__ == "__main__":
    main()

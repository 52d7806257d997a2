"""A version's single-digit reader trained at its full recipe here, against READER_TARGETS (lib/digits/runs.py).
With --record the run is the record itself (res/runs/full/, shown by notebook 32), else it trains in a temp folder."""

import tempfile
from pathlib import Path

from bench import record
from lib.digits import runs
from lib.infra.paths import RECORD_DIR, RES_DIR

T = runs.READER_TARGETS


def main():
    ap = record.parser(__doc__)
    ap.add_argument("--version", type=int, default=21)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--record", action="store_true", help="train into the record (res/runs/full/), not a temp dir")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = {} if args.record else {"record_dir": Path(scratch), "runs_dir": Path(scratch)}
        m = runs.run(f"reader-v{args.version}", "full", args.seed, args.device.type, True, "lines", **folder).metrics
    shared = m["train_others_cores"]
    met = {"accuracy": m["test_acc"] >= T["test_acc"], "parameters": m["params"] <= T["params"]}
    met["time"] = m["train_seconds"] <= T["train_seconds"]
    result = {k: m[k] for k in ("model", "params", "epochs", "test_acc", "best_val_acc", "best_epoch", "train_seconds")}
    result |= {"others_cores": shared, "targets": met}
    result["recorded_in"] = str(Path(RECORD_DIR, "full").relative_to(RES_DIR.parent)) if args.record else None
    rows = [
        ["MNIST test accuracy", f"{m['test_acc']:.2%}", f"≥ {T['test_acc']:.1%}", met["accuracy"]],
        ["parameters", f"{m['params']:,}", f"≤ {T['params']:,}", met["parameters"]],
        ["training seconds", f"{m['train_seconds']:,.0f}", f"≤ {T['train_seconds']:,}", met["time"]],
    ]
    lines = [
        f"Seed {args.seed}; {m['params']:,} parameters; {m['epochs']} epochs of the 55,000 training digits, the best "
        f"of them on the 5,000 validation digits (epoch {m['best_epoch']}: {m['best_val_acc']:.2%}).",
        "",
        *record.table(["", "measured", "target", "met"], [[*r[:3], "yes" if r[3] else "no"] for r in rows]),
        "",
        f"Other processes kept {shared or 0:.2f} cores busy on average while it trained (0 on a quiet machine).",
    ]
    name = f"digit_reader_v{args.version}_{args.device.type}"
    record.write(args, name, f"Single-digit reader of version {args.version}", result, lines)


if __name__ == "__main__":
    main()

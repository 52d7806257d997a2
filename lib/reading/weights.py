"""Small committed weights of the candidate networks for reading people's images (res/weights/)."""

import argparse
import json
from types import SimpleNamespace

from ..infra import checkpoint
from ..infra.paths import RES_DIR, relative
from ..report.compare import seed_records
from ..study import experiment, versions
from ..study.run_key import RunKey

WEIGHTS_DIR = RES_DIR / "weights"
CHOICE = WEIGHTS_DIR / "chosen.json"  # which candidate people's images are read with, and why
MAX_BYTES = 5_000_000  # committed weights stay small
EXPORTED_PROFILES = ("full", "cpu")  # run sizes tested on the whole test set
META = (  # what an exported checkpoint says of its run: what ran, its figures, where it ran
    ("version", "dataset", "preprocessing", "profile", "seed", "params")
    + ("test_acc", "acc_1digit", "acc_2digit", "acc_3digit", "robust_test_acc", "val_acc")
    + ("commit", "hardware", "notebook")
)
HELDOUT_META = ("split", "acc_heldout", "acc_heldout_per_number", "acc_seen")


def path_for(dataset: str, version: int | None = None):
    """Where a dataset's exported weights lie: best_<dataset>.pt for its kept version, else v<version>_<dataset>.pt."""
    if version is None or versions.BEST.get(dataset) == version:
        return WEIGHTS_DIR / f"best_{dataset}.pt"
    return WEIGHTS_DIR / f"v{version}_{dataset}.pt"


def default_weights():
    """The candidate recorded in chosen.json, or best_W.pt before any choice was made."""
    if CHOICE.exists():
        return WEIGHTS_DIR / json.loads(CHOICE.read_text())["weights"]
    return path_for("W")


def export_best(results, profile: str, version: int | None = None) -> list:
    """Export per dataset the seed of its kept version (or `version`) best on validation; returns what was written."""
    if profile not in EXPORTED_PROFILES:
        return []
    families = {}
    for r in results:
        if r.key.version == (versions.BEST.get(r.key.dataset) if version is None else version):
            families.setdefault(r.key.with_seed(0), []).append(r)
    chosen = [max(runs, key=lambda r: (r.metrics["val_acc"], -r.metrics["seed"])) for runs in families.values()]
    return [export(r) for r in chosen if r.model is not None]


def export(result) -> str:
    """Write a run's model (`result`: key, metrics, model) with its metadata where `path_for` says."""
    m = result.metrics
    if m["profile"] not in EXPORTED_PROFILES:
        raise ValueError(
            f"only {' or '.join(EXPORTED_PROFILES)} runs are exported as the best weights, not {m['profile']!r}"
        )
    keys = META + (HELDOUT_META if m.get("split") == "heldout" else ())  # only then are they unseen by it
    meta = {
        **{k: m.get(k) for k in keys},
        "config": {k: m[k] for k in ("epochs", "samples_per_epoch", "batch_size", "digit_probs")},
    }
    path = path_for(m["dataset"], m["version"])
    checkpoint.save(path, result.model, meta)
    size = path.stat().st_size
    if size > MAX_BYTES:
        path.unlink()
        raise ValueError(
            f"{path.name} would be {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit for committed weights"
        )
    return f"{relative(path)} ({size / 1e6:.2f} MB): {result.key.label}, test acc {m['test_acc']:.2%}, commit {m['commit']}"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export finished runs (their records and checkpoints) to res/weights/.")
    ap.add_argument("--version", type=int, help="default: each dataset's kept version (versions.BEST)")
    ap.add_argument("--profile", default="cpu", choices=EXPORTED_PROFILES)
    ap.add_argument("--datasets", nargs="+", default=["W", "C"])
    ap.add_argument("--seed", type=int, help="the seed to export (default: the one read best on validation)")
    args = ap.parse_args(argv)
    for dataset in args.datasets:
        key = RunKey(versions.BEST[dataset] if args.version is None else args.version, dataset)
        runs = []
        for m in seed_records(key, args.profile):
            if args.seed in (None, m["seed"]):
                found = experiment.trained_model(key.with_seed(m["seed"]), args.profile)
                runs.append(SimpleNamespace(key=key.with_seed(m["seed"]), metrics=m, model=found and found[0]))
        written = export_best(runs, args.profile, key.version)
        if not written:
            raise SystemExit(
                f"{key.family} ({args.profile}) has no finished run with its checkpoint on this machine: train it "
                f"first (its notebook, or tools/train_queue.py), with RUNS_DIR pointing where its state is"
            )
        print(*written)


if __name__ == "__main__":
    main()

"""Small committed weights of the candidate networks for reading people's images (res/weights/).

best_<dataset>.pt holds a dataset's kept version (versions.BEST), v<version>_<dataset>.pt any other candidate.
Only a `full` or `cpu` run is exported, of a version's seeds the one read best on validation; which candidate is
read with is chosen on validation pages by lib/reading/choose.py and recorded in res/weights/chosen.json.

    python -m lib.reading.weights [--version V] [--datasets W C]   export finished runs
"""

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
    """The weights people's images are read with: the candidate recorded in chosen.json, or best_W.pt before
    any choice was made."""
    if CHOICE.exists():
        return WEIGHTS_DIR / json.loads(CHOICE.read_text())["weights"]
    return path_for("W")


def best_on_validation(runs: list, metrics=lambda run: run, name="this version"):
    """Among seeds of one version and dataset, the run with the highest validation accuracy (the lowest seed on
    a tie); `metrics(run)` gives a run's metrics dict."""
    if not runs:
        raise ValueError(f"{name} has no finished run to choose from: train it first")
    return max(runs, key=lambda run: (metrics(run)["val_acc"], -metrics(run)["seed"]))


def export_best(results, profile: str) -> list:
    """Export, for each dataset whose kept version (versions.BEST) is among a notebook's results, the seed read
    best on validation, where it is a `full` or `cpu` run with its model at hand; returns what was written."""
    if profile not in EXPORTED_PROFILES:
        return []
    families = {}
    for r in results:
        if versions.BEST.get(r.key.dataset) == r.key.version:
            families.setdefault(r.key.with_seed(0), []).append(r)
    chosen = [best_on_validation(runs, lambda r: r.metrics) for runs in families.values()]
    return [export(r) for r in chosen if r.model is not None]


def export(result) -> str:
    """Write the run's model with its metadata and test figures where `path_for` says; returns what was written."""
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


def export_finished(key, profile: str = "cpu") -> str:
    """Export a finished run (the training queue's, a script's) from its checkpoint and committed record."""
    found = experiment.trained_model(key, profile)
    if found is None:
        raise FileNotFoundError(
            f"{key.name} ({profile}) has no checkpoint with its record's config on this machine: train it first "
            f"(its notebook, or tools/train_queue.py), with RUNS_DIR pointing where its state is"
        )
    metrics = json.loads(experiment.record_files(profile, key.name, experiment.RECORD_DIR)["metrics"].read_text())
    return export(SimpleNamespace(metrics=metrics, model=found[0], key=key))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Export finished runs to res/weights/; lib.reading.choose then chooses.")
    ap.add_argument("--version", type=int, help="default: each dataset's kept version (versions.BEST)")
    ap.add_argument("--profile", default="cpu", choices=EXPORTED_PROFILES)
    ap.add_argument("--datasets", nargs="+", default=["W", "C"])
    ap.add_argument("--seed", type=int, help="the seed to export (default: the one read best on validation)")
    args = ap.parse_args()
    for dataset in args.datasets:
        key = RunKey(versions.BEST[dataset] if args.version is None else args.version, dataset, 0)
        best = best_on_validation(seed_records(key, args.profile), name=key.name)["seed"]
        print(export_finished(key.with_seed(best if args.seed is None else args.seed), args.profile))

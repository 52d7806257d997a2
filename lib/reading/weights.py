"""Small committed weights of the best network: exported from a finished run, with its metadata.

res/weights/best_<dataset>.pt is what the predict API, its command line and the drawing
notebook load; only a `full` or `cpu` run (all test numbers) is exported, so a smoke or quick
run never replaces it.
"""

from ..infra import checkpoint
from ..infra.paths import RES_DIR, relative

WEIGHTS_DIR = RES_DIR / "weights"
MAX_BYTES = 5_000_000  # committed weights stay small
EXPORTED_PROFILES = ("full", "cpu")  # run sizes tested on the whole test set


def path_for(dataset: str):
    return WEIGHTS_DIR / f"best_{dataset}.pt"


def export(result) -> str:
    """Write the run's model with its checkpoint metadata and test figures to res/weights/best_<dataset>.pt."""
    m = result.metrics
    if m["profile"] not in EXPORTED_PROFILES:
        raise ValueError(
            f"only {' or '.join(EXPORTED_PROFILES)} runs are exported as the best weights, not {m['profile']!r}"
        )
    keys = (
        "version",
        "dataset",
        "preprocessing",
        "profile",
        "seed",
        "params",
        "test_acc",
        "acc_1digit",
        "acc_2digit",
        "acc_3digit",
        "robust_test_acc",
        "val_acc",
        "commit",
        "hardware",
        "notebook",
    )
    if m.get("split") == "heldout":  # only then are the held-out numbers unseen by this network
        keys += ("split", "acc_heldout", "acc_heldout_per_number", "acc_seen")
    meta = {
        **{k: m.get(k) for k in keys},
        "config": {k: m[k] for k in ("epochs", "samples_per_epoch", "batch_size", "digit_probs")},
    }
    path = path_for(m["dataset"])
    checkpoint.save(path, result.model, meta)
    size = path.stat().st_size
    if size > MAX_BYTES:
        path.unlink()
        raise ValueError(
            f"{path.name} would be {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit for committed weights"
        )
    return f"{relative(path)} ({size / 1e6:.2f} MB): {result.key.label}, test acc {m['test_acc']:.2%}, commit {m['commit']}"


def export_finished(key, profile: str = "cpu") -> str:
    """Export a finished run from its checkpoint and committed record, without evaluating it again: what the
    best version's notebook does after a run, for a run the training queue or a script finished."""
    import json
    from types import SimpleNamespace

    from ..study import experiment

    found = experiment.trained_model(key, profile)
    if found is None:
        raise FileNotFoundError(
            f"{key.name} ({profile}) has no checkpoint with its record's config on this machine: train it first "
            f"(its notebook, or tools/train_queue.py), with RUNS_DIR pointing where its state is"
        )
    metrics = json.loads(experiment.record_files(profile, key.name, experiment.RECORD_DIR)["metrics"].read_text())
    return export(SimpleNamespace(metrics=metrics, model=found[0], key=key))


if __name__ == "__main__":
    import argparse

    from ..study import versions
    from ..study.run_key import RunKey

    ap = argparse.ArgumentParser(description="Export the best version's finished runs as res/weights/best_<dataset>.pt")
    ap.add_argument("--version", type=int, default=versions.BEST)
    ap.add_argument("--profile", default="cpu", choices=EXPORTED_PROFILES)
    ap.add_argument("--datasets", nargs="+", default=["W", "C"])
    args = ap.parse_args()
    for dataset in args.datasets:
        print(export_finished(RunKey(args.version, dataset, 0), args.profile))

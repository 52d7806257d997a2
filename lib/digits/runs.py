"""One single-digit run end to end for any learner: sizes by profile, train or show its record, test, and its files.

Files are kept as a 0-999 run keeps them (lib/study/experiment.py). The *record* (small, committed) is
res/runs/<profile>/<model>_s<seed>/:
  metrics.json               config, provenance, test metrics (the results table reads these)
  epochs.csv                 per epoch: train and validation loss/accuracy, learning rate, seconds
  classification_report.csv  precision, recall, F1 and support per digit (scikit-learn)
  errors.json                the misread test digits (index, prediction, confidence)
The *state* (never committed) is $RUNS_DIR/<profile>/<model>_s<seed>/model.pt: the best-validation
weights with the run's config. A finished run (lib/infra/store.py: its record, of the same config) is shown from
its record, never trained again unless force=True.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..data import splits
from ..infra import atomic, checkpoint, provenance, store
from ..infra.choices import pick
from ..infra.paths import RECORD_DIR, relative
from ..study import profiles
from .data import N_TEST, N_TRAIN, N_VAL, load_digits
from .report import digit_test_report, misread_digits, score_digits
from .training import train_digit_model

WHOLE = {"train": N_TRAIN, "val": N_VAL, "test": N_TEST}
# Images used from each split, and epochs per model, by profile: smoke, a few batches to check that everything
# runs; quick, the whole split for a few epochs; full, the recipes (minutes per model on 2 cores: each record's
# seconds per epoch is in res/results_single_digit.csv). cpu is full: it fits a CPU.
IMAGES = {"smoke": {"train": 512, "val": 256, "test": 1000}, "quick": WHOLE, "full": WHOLE, "cpu": WHOLE}
EPOCHS = {
    "smoke": {"lenet5-classic": 1, "lenet5-modern": 1, "lenet5-numpy": 1, "reader": 1},
    "quick": {"lenet5-classic": 5, "lenet5-modern": 5, "lenet5-numpy": 3, "reader": 3},
    # reader: a version's digit reader (lib/digits/reader.py): 12 epochs, because an epoch of version 21's
    # reader takes about 94 s on 2 Zen 3 cores (res/bench/digit_reader_v21_cpu.md) and the budget is 20 minutes
    "full": {"lenet5-classic": 30, "lenet5-modern": 40, "lenet5-numpy": 12, "reader": 12},
}
EPOCHS["cpu"] = EPOCHS["full"]


@dataclass
class DigitRun:
    """A finished run: its record, and its weights and test logits when it was trained or its checkpoint read."""

    metrics: dict
    epochs: list  # rows of epochs.csv
    errors: dict  # the misread test digits: index, pred, confidence
    run_dir: Path  # the record's folder
    learner: object | None = None  # holds the best-validation weights; None when shown from the record
    test_logits: torch.Tensor | None = None  # [n_test, 10]; None when shown from the record
    from_record: bool = False


def digit_sizes(profile: str) -> dict:
    """A profile's images per split and epochs per model; unknown names fail as everywhere in the repository."""
    profiles.get(profile)
    return {**pick(IMAGES, profile, "profile"), "epochs": pick(EPOCHS, profile, "profile")}


def run_config(name: str, profile: str, seed: int, recipe: dict) -> dict:
    """Everything that decides a run's numbers, as JSON reads it back (device and commit are recorded only)."""
    size = digit_sizes(profile)
    config = {
        "model": name,
        "profile": profile,
        "seed": seed,
        "epochs": pick(size["epochs"], "reader" if name.startswith("reader-") else name, "model"),
        "sizes": {k: size[k] for k in ("train", "val", "test")},
        "validation_digits": N_VAL,
        "validation_seed": splits.VALIDATION_SEED,
        "recipe": recipe,
    }
    return json.loads(json.dumps(config))


def record_files(profile: str, run_name: str, record_dir=RECORD_DIR) -> dict:
    """The committed record's files, by kind (metrics, epochs, classification_report, errors)."""
    folder = store.record_folder(profile, run_name, record_dir)
    names = ("metrics.json", "epochs.csv", "classification_report.csv", "errors.json")
    return {name.split(".")[0]: folder / name for name in names}


def shown(name: str, profile: str, config: dict, record_dir=RECORD_DIR) -> DigitRun | None:
    """A finished run shown by reading its record, without its weights; None when it has no record of this config."""
    record = record_files(profile, name, record_dir)
    metrics = store.recorded(record["metrics"].parent, config)
    if metrics is None or not record["errors"].is_file():
        return None
    print(
        f"{name} ({profile}): shown from its record ({relative(record['metrics'].parent)}, trained at commit "
        f"{metrics['commit']} on {metrics['hardware']}); its weights are not on this machine (force=True retrains it)."
    )
    rows = pd.read_csv(record["epochs"]).to_dict("records")
    return DigitRun(metrics, rows, json.loads(record["errors"].read_text()), record["metrics"].parent, from_record=True)


def _run_metrics(config: dict, learner, rows: list, best: dict, tested: dict, n: dict, device) -> dict:
    """metrics.json: the run's config, training, best epoch, test metrics and provenance."""
    train_seconds = sum(r["seconds"] for r in rows)
    shared = [r["others_cores"] * r["seconds"] for r in rows if r["others_cores"] is not None]
    return {
        "model": config["model"],
        "profile": config["profile"],
        "seed": config["seed"],
        "params": learner.params(),
        "epochs": config["epochs"],
        "test_acc": tested.pop("test_acc"),
        "test_loss": tested.pop("test_loss"),
        "best_val_acc": best["val_acc"],
        "best_epoch": best["epoch"],
        "train_seconds": train_seconds,
        "train_cpu_seconds": sum(r["cpu_seconds"] for r in rows),
        "train_others_cores": sum(shared) / train_seconds if shared else None,  # CPU other processes took
        "seconds_per_epoch": train_seconds / config["epochs"],
        "n_train": n["train"],
        "n_val": n["val"],
        **tested,
        **provenance.describe(device),
        "numpy": np.__version__,
    }


def _write_record(record: dict, metrics: dict, rows: list, report_rows: list, errors: dict):
    """The record's files, metrics.json last: its presence marks the run finished."""
    atomic.write_text(record["epochs"], pd.DataFrame(rows).to_csv(index=False))
    atomic.write_text(record["classification_report"], pd.DataFrame(report_rows).to_csv(index=False))
    atomic.write_json(record["errors"], errors, compact=True)
    atomic.write_json(record["metrics"], metrics)


def run_digit_model(
    name: str,
    profile: str,
    seed: int,
    recipe: dict,
    make_learner,
    device,
    force=False,
    progress="bar",
    *,
    record_dir=RECORD_DIR,
    runs_dir=None,
    extra=None,
    train=True,
) -> DigitRun:
    """Show the model `name`'s record, else train it (a learner from make_learner()), test it once and write its
    record. `extra` joins metrics.json (e.g. the NumPy network's BLAS threads). With train=False a run that would
    have to be trained stops with an error."""
    config = run_config(name, profile, seed, recipe)
    run_name = f"{name}_s{seed}"
    record = record_files(profile, run_name, record_dir)
    weights = store.state_folder(profile, run_name, runs_dir) / "model.pt"
    found = None if force else shown(run_name, profile, config, record_dir)
    if found is not None:
        return found
    if not train:
        raise RuntimeError(
            f"{run_name} ({profile}) has no finished run with this config here (no checkpoint in $RUNS_DIR, no "
            "matching record), and train=False: run this notebook without --no-train to train it"
        )
    data, learner = load_digits(config["sizes"]), make_learner()
    n = {k: len(v[1]) for k, v in data.items()}
    print(
        f"Training {name}: {config['epochs']} epochs x {n['train']:,} images (validation {n['val']:,} of the digits "
        f"no 0-999 training draws, test {n['test']:,}), batch {recipe['batch_size']}, on {provenance.hardware(device)}."
    )
    record["metrics"].unlink(missing_ok=True)  # a half-finished retrain must not look finished
    rows = train_digit_model(learner, data, recipe, config["epochs"], seed, weights, {"config": config}, progress)
    best = checkpoint.read(weights)
    learner.load_state(best["state_dict"])
    _, _, logits = score_digits(learner, *data["test"])
    tested, report_rows = digit_test_report(data["test"][1], logits)
    metrics = {
        **_run_metrics(config, learner, rows, best["meta"], tested, n, device),
        **(extra or {}),
        "config": config,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    errors = misread_digits(data["test"][1], logits)
    _write_record(record, metrics, rows, report_rows, errors)
    return DigitRun(metrics, rows, errors, record["metrics"].parent, learner, logits)

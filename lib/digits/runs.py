"""One single-digit run end to end for any learner: sizes by profile, train or reuse, test, and its files.

Files are kept as a 0-999 run keeps them (lib/study/experiment.py). The *record* (small, committed) is
res/runs/<profile>/<model>_s<seed>/:
  metrics.json               config, provenance, test metrics (the results table reads these)
  epochs.csv                 per epoch: train and validation loss/accuracy, learning rate, seconds
  classification_report.csv  precision, recall, F1 and support per digit (scikit-learn)
  errors.json                the misread test digits (index, prediction, confidence)
  confusion.png              confusion-matrix heatmap on the test set
The *state* (never committed) is $RUNS_DIR/<profile>/<model>_s<seed>/model.pt: the best-validation
weights with metadata. A finished run with the same config is never trained again unless force=True:
with its checkpoint it is tested again; without it, a profile that keeps records (full, cpu) shows the
committed record and says so.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from ..data import splits
from ..infra import atomic, checkpoint, provenance
from ..infra.choices import pick
from ..infra.paths import RECORD_DIR, relative, state_dir
from ..report.digit_plots import plot_confusion
from ..study import profiles
from ..study.train import same_run
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
    """The committed record's files, by kind (metrics, epochs, classification_report, errors, confusion)."""
    folder = Path(record_dir) / profile / run_name
    names = ("metrics.json", "epochs.csv", "classification_report.csv", "errors.json", "confusion.png")
    return {name.split(".")[0]: folder / name for name in names}


def state_files(profile: str, run_name: str, runs_dir=None) -> dict:
    """The never-committed files: the best-validation weights, under $RUNS_DIR like the 0-999 checkpoints."""
    return {"model": Path(runs_dir or state_dir()) / profile / run_name / "model.pt"}


def _recorded(record: dict, config: dict) -> bool:
    """Whether the record holds a finished run of this config (metrics.json is written last)."""
    if not all(record[k].is_file() for k in ("metrics", "epochs", "errors")):
        return False
    return same_run(json.loads(record["metrics"].read_text()).get("config") or {}, config)


def _checkpointed(record: dict, state: dict, config: dict) -> bool:
    """Whether the run is finished and its weights, saved with the same config, can be tested again."""
    if not (state["model"].is_file() and _recorded(record, config)):
        return False
    return same_run(checkpoint.read(state["model"])["meta"].get("config") or {}, config)


def _read_record(record: dict) -> tuple:
    """(metrics, epoch rows, errors) of a finished run's record."""
    metrics, errors = (json.loads(record[k].read_text()) for k in ("metrics", "errors"))
    return metrics, pd.read_csv(record["epochs"]).to_dict("records"), errors


def _shown_from_record(name: str, profile: str, record: dict, state: dict) -> DigitRun:
    """A kept profile's finished run without its weights: its record as it is, never retrained."""
    metrics, rows, errors = _read_record(record)
    print(
        f"{name} ({profile}): shown from its committed record ({relative(record['metrics'].parent)}, trained at "
        f"commit {metrics['commit']} on {metrics['hardware']}); its checkpoint is not in "
        f"{relative(state['model'].parent)}, so it is not tested again (force=True retrains it)."
    )
    return DigitRun(metrics, rows, errors, record["metrics"].parent, from_record=True)


def _reused(name: str, profile: str, seed: int, learner, record: dict, state: dict, test: tuple) -> DigitRun:
    """A finished run with its weights: its record, and the weights tested again (logits for inspection)."""
    print(
        f"{name} ({profile}, seed {seed}) is already trained with this config: testing its checkpoint "
        "(force=True retrains)."
    )
    learner.load_state(checkpoint.read(state["model"])["state_dict"])
    metrics, rows, _ = _read_record(record)
    _, _, logits = score_digits(learner, *test)
    return DigitRun(metrics, rows, misread_digits(test[1], logits), record["metrics"].parent, learner, logits)


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
    fig = plot_confusion(metrics)
    atomic.write_with(record["confusion"], lambda f: fig.savefig(f, format="png", dpi=120))
    plt.close(fig)
    atomic.write_json(record["metrics"], metrics)


def _trained(config: dict, learner, data: dict, record: dict, state: dict, device, progress, extra) -> DigitRun:
    """Train, reload the best-validation weights, test once, and write the record."""
    record["metrics"].unlink(missing_ok=True)  # a half-finished retrain must not look finished
    n = {k: len(v[1]) for k, v in data.items()}
    print(
        f"Training {config['model']}: {config['epochs']} epochs x {n['train']:,} images (validation {n['val']:,} "
        f"of the digits no 0-999 training draws, test {n['test']:,}), batch {config['recipe']['batch_size']}, "
        f"on {provenance.hardware(device)}."
    )
    meta = {"model": config["model"], "config": config}
    rows = train_digit_model(
        learner, data, config["recipe"], config["epochs"], config["seed"], state["model"], meta, progress
    )
    best = checkpoint.read(state["model"])
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


def run_digit_model(
    name: str,
    profile: str,
    seed: int,
    recipe: dict,
    make_learner,
    device,
    *,
    force=False,
    progress="bar",
    record_dir=RECORD_DIR,
    runs_dir=None,
    extra=None,
    train=True,
) -> DigitRun:
    """Train and test the model `name` (a learner from make_learner()), or reuse its checkpoint, or show its
    committed record; `extra` joins metrics.json (e.g. the NumPy network's BLAS threads). With train=False a
    run that would have to be trained stops with an error instead, and its old record stays as it was."""
    config = run_config(name, profile, seed, recipe)
    record = record_files(profile, f"{name}_s{seed}", record_dir)
    state = state_files(profile, f"{name}_s{seed}", runs_dir)
    checkpointed = not force and _checkpointed(record, state, config)
    if not checkpointed and not force and profiles.get(profile).keeps_record and _recorded(record, config):
        return _shown_from_record(name, profile, record, state)
    if not checkpointed and not train:
        raise RuntimeError(
            f"{name}_s{seed} ({profile}) has no finished run with this config here (no checkpoint in $RUNS_DIR, no "
            "matching record), and train=False: run this notebook without --no-train to train it"
        )
    data, learner = load_digits(config["sizes"]), make_learner()
    if checkpointed:
        return _reused(name, profile, seed, learner, record, state, data["test"])
    return _trained(config, learner, data, record, state, device, progress, extra)

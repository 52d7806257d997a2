"""The single-digit models' runner, on the run store every run uses: shown from its record, else trained and tested once."""

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.metrics import classification_report, confusion_matrix
from threadpoolctl import threadpool_limits
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR, StepLR

from ..data import splits
from ..infra import atomic, checkpoint, provenance, store
from ..infra.choices import pick
from ..infra.paths import relative
from ..study import profiles
from ..study.train import check_progress, epoch_bar
from . import numpy_lenet, torch_lenet
from .data import N_TEST, N_TRAIN, N_VAL, load_digits

# Epochs at smoke, quick and full (and cpu); the reader's 12 fit its 20 minutes (res/bench/digit_reader_v21_cpu.md)
EPOCHS = {"lenet5-classic": (1, 5, 30), "lenet5-modern": (1, 5, 40), "lenet5-numpy": (1, 3, 12), "reader": (1, 3, 12)}
TARGETS = {"lenet5-classic": 0.989, "lenet5-modern": 0.995, "lenet5-numpy": 0.985}  # test accuracy, full profile
# issue 14's single-digit reader: MNIST test accuracy of one model, its parameters, its training on 2 CPU cores
READER_TARGETS = {"test_acc": 0.997, "params": 1_000_000, "train_seconds": 20 * 60}


@dataclass
class DigitRun:
    """A finished run: its record, and its learner (best epoch's weights) when it was trained here."""

    metrics: dict
    epochs: list  # rows of epochs.csv
    errors: dict  # the misread test digits: index, pred, confidence
    run_dir: Path  # the record's folder
    learner: object | None = None
    from_record: bool = False


def digit_sizes(profile: str) -> dict:
    """A profile's images per split and epochs per model; smoke takes a few batches, to check that it runs."""
    column = {"smoke": 0, "quick": 1}.get(profiles.get(profile).name, 2)
    sizes = {"train": 512, "val": 256, "test": 1000} if profile == "smoke" else {"train": N_TRAIN, "val": N_VAL}
    return {"test": N_TEST, **sizes, "epochs": {k: v[column] for k, v in EPOCHS.items()}}


def model_for(name: str, seed: int, device: str) -> tuple:
    """(recipe, a maker of the learner with fresh weights, device); the NumPy network runs on the CPU."""
    if name == numpy_lenet.NAME:
        return numpy_lenet.RECIPE, lambda: numpy_lenet.NumpyLeNet5(numpy_lenet.RECIPE, seed), torch.device("cpu")
    dev, version = provenance.resolve_device(device), name.removeprefix("reader-v")
    if name.startswith("reader-v") and version.isdigit():
        return torch_lenet.reader_recipe(int(version)), lambda: torch_lenet.reader_learner(int(version), seed, dev), dev
    models = [f"lenet5-{m}" for m in torch_lenet.RECIPES] + [numpy_lenet.NAME, "reader-v<version>"]
    model = pick(dict(zip(models, models)), name, "model").removeprefix("lenet5-")
    return torch_lenet.RECIPES[model], lambda: torch_lenet.learner(model, seed, dev), dev


def shown(folder: Path, config: dict) -> DigitRun | None:
    """The finished run of `config` read from its record folder, without weights; None when there is none."""
    metrics = store.recorded(folder, config)
    if metrics is None or not (folder / "errors.json").is_file():
        return None
    print(f"{folder.name} ({config['profile']}): shown from its record {relative(folder)} (force=True retrains it).")
    rows = pd.read_csv(folder / "epochs.csv").to_dict("records")
    return DigitRun(metrics, rows, json.loads((folder / "errors.json").read_text()), folder, from_record=True)


def lr_scheduler(optimizer, recipe: dict, total: int, per_epoch: int):
    """Per batch: "step" (times `decay` every `step` epochs) or "cosine" (warm-up from lr/25, then to zero)."""
    if pick(("step", "cosine"), recipe["schedule"], "schedule") == "step":
        return StepLR(optimizer, recipe["step"] * per_epoch, recipe["decay"])
    warm = round(recipe["warmup"] * total)
    cosine = CosineAnnealingLR(optimizer, total - warm)
    if not warm:
        return cosine
    return SequentialLR(optimizer, [LinearLR(optimizer, 0.04, total_iters=warm), cosine], [warm])


def train_digit_model(learner, data: dict, recipe: dict, epochs: int, seed: int, weights, meta: dict, progress="bar"):
    """Train, validate after each epoch and save the best epoch's weights with `meta` to `weights`; a row per epoch."""
    progress = check_progress(progress)
    (x, y), (vx, vy) = data["train"], data["val"]
    order = torch.Generator().manual_seed(seed)  # shuffling, apart from the weights' seed
    per_epoch = math.ceil(len(y) / recipe["batch_size"])
    scheduler = lr_scheduler(learner.optimizer, recipe, epochs * per_epoch, per_epoch)
    rows, best = [], -1.0
    for epoch in range(1, epochs + 1):
        lr, loss_sum, correct = learner.optimizer.param_groups[0]["lr"], 0.0, 0
        bar = epoch_bar(len(y), f"epoch {epoch}/{epochs}", "img", progress)
        with provenance.CpuMeter() as meter, bar:
            for idx in torch.randperm(len(y), generator=order).split(recipe["batch_size"]):
                loss, right = learner.train_batch(x[idx], y[idx])
                scheduler.step()
                loss_sum, correct = loss_sum + loss, correct + right
                bar.update(len(idx))
        began, logits = time.perf_counter(), learner.logits(vx)
        val_acc = (logits.argmax(1) == vy).sum().item() / len(vy)
        row = {"epoch": epoch, "lr": lr, "val_loss": F.cross_entropy(logits, vy).item(), "val_acc": val_acc}
        row |= {"train_loss": loss_sum / len(y), "train_acc": correct / len(y), "seconds": meter.wall_seconds}
        row |= {"cpu_seconds": meter.cpu_seconds, "others_cores": meter.others_cores}
        rows.append({**row, "val_seconds": time.perf_counter() - began})
        improved, best = val_acc > best, max(best, val_acc)
        if improved:
            atomic.torch_save(
                weights, {"meta": {**meta, "epoch": epoch, "val_acc": best}, "state_dict": learner.state()}
            )
        if progress != "off":
            print(
                f"epoch {epoch}/{epochs}: train loss {row['train_loss']:.4f} acc {row['train_acc']:.4f} | val loss "
                f"{row['val_loss']:.4f} acc {val_acc:.4f}{' (best)' if improved else ''} | {row['seconds']:.1f} s",
                flush=True,
            )
    return rows


def digit_test_report(labels: torch.Tensor, logits: torch.Tensor) -> tuple:
    """(metrics, rows of classification_report.csv, errors.json: the misread digits with the softmax confidence)."""
    confidence, pred = logits.softmax(1).max(1)
    cm = confusion_matrix(labels, pred, labels=range(10))
    report = classification_report(
        labels, pred, labels=range(10), target_names=list("0123456789"), output_dict=True, zero_division=0
    )
    metrics = {
        "test_acc": (pred == labels).sum().item() / len(labels),
        "test_loss": F.cross_entropy(logits, labels).item(),
        "n_test": len(labels),
        "per_class_acc": (cm.diagonal() / np.maximum(cm.sum(1), 1)).tolist(),
        "macro_f1": report["macro avg"]["f1-score"],
        "confusion": cm.tolist(),
    }
    bare = {"precision": "", "recall": "", "support": len(labels)}  # scikit-learn gives the accuracy as a number
    rows = [
        {"class": k, **v, "support": int(v["support"])} if isinstance(v, dict) else {"class": k, **bare, "f1-score": v}
        for k, v in report.items()
    ]
    wrong = (pred != labels).nonzero().squeeze(1)
    errors = {"index": wrong.tolist(), "pred": pred[wrong].tolist()}
    return metrics, rows, {**errors, "confidence": [round(c, 4) for c in confidence[wrong].tolist()]}


def run(name, profile="quick", seed=0, device="auto", force=False, progress="bar", *, train=True, **dirs) -> DigitRun:
    """Model `name`'s finished run from its record, else trained (unless train=False), tested once, recorded."""
    recipe, make_learner, dev = model_for(name, seed, device)
    size, run_name = digit_sizes(profile), f"{name}_s{seed}"
    config = {  # everything that decides a run's numbers, as JSON reads it back (device and commit: recorded only)
        "model": name,
        "profile": profile,
        "seed": seed,
        "epochs": pick(size["epochs"], "reader" if name.startswith("reader-") else name, "model"),
        "sizes": {k: size[k] for k in ("train", "val", "test")},
        "validation_digits": N_VAL,
        "validation_seed": splits.VALIDATION_SEED,
        "recipe": recipe,
    }
    config = json.loads(json.dumps(config))
    folder = store.record_folder(profile, run_name, dirs.get("record_dir"))
    if not force and (found := shown(folder, config)) is not None:
        return found
    if not train:
        raise RuntimeError(f"{run_name} ({profile}) has no matching record: run this notebook without --no-train")
    data = load_digits(config["sizes"])
    n = {k: len(v[1]) for k, v in data.items()}
    print(f"Training {name}: {config['epochs']} epochs x {n['train']:,} images on {provenance.hardware(dev)}.")
    (folder / "metrics.json").unlink(missing_ok=True)  # a half-finished retrain must not look finished
    weights = store.state_folder(profile, run_name, dirs.get("runs_dir")) / "model.pt"
    with threadpool_limits(recipe.get("blas_threads"), user_api="blas"):  # None (torch models): no limit
        learner = make_learner()
        rows = train_digit_model(learner, data, recipe, config["epochs"], seed, weights, {"config": config}, progress)
        best = checkpoint.read(weights)
        learner.load_state(best["state_dict"])
        tested, report_rows, errors = digit_test_report(data["test"][1], learner.logits(data["test"][0]))
    seconds = sum(r["seconds"] for r in rows)
    shared = [r["others_cores"] * r["seconds"] for r in rows if r["others_cores"] is not None]
    metrics = {
        **{k: config[k] for k in ("model", "profile", "seed")},
        "params": learner.params(),
        "epochs": config["epochs"],
        **{k: tested.pop(k) for k in ("test_acc", "test_loss")},
        "best_val_acc": best["meta"]["val_acc"],
        "best_epoch": best["meta"]["epoch"],
        "train_seconds": seconds,
        "train_cpu_seconds": sum(r["cpu_seconds"] for r in rows),
        "train_others_cores": sum(shared) / seconds if shared else None,  # CPU other processes took meanwhile
        "seconds_per_epoch": seconds / config["epochs"],
        "n_train": n["train"],
        "n_val": n["val"],
        **tested,
        **provenance.describe(dev),
        "numpy": np.__version__,
        "config": config,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    atomic.write_text(folder / "epochs.csv", pd.DataFrame(rows).to_csv(index=False))
    atomic.write_text(folder / "classification_report.csv", pd.DataFrame(report_rows).to_csv(index=False))
    atomic.write_json(folder / "errors.json", errors, compact=True)
    atomic.write_json(folder / "metrics.json", metrics)  # last: its presence marks the run finished
    return DigitRun(metrics, rows, errors, folder, learner)


def run_summary(metrics: dict) -> str:
    """One line with a run's measured numbers, for notebooks."""
    return (
        f"{metrics['model']} ({metrics['profile']}, seed {metrics['seed']}): test accuracy "
        f"{100 * metrics['test_acc']:.2f}% (loss {metrics['test_loss']:.4f}, {metrics['n_test']:,} images); "
        f"best validation {100 * metrics['best_val_acc']:.2f}% ({metrics['n_val']:,} images) "
        f"at epoch {metrics['best_epoch']}/{metrics['epochs']}; "
        f"{metrics['params']:,} parameters; {metrics['seconds_per_epoch']:.1f} s per training epoch "
        f"({metrics['n_train']:,} images) on {metrics['hardware']}"
    )


def target_check(metrics: dict) -> str:
    """Whether a run meets its model's test-accuracy target (targets are for the full profile)."""
    target = TARGETS[metrics["model"]]
    verdict = "met" if metrics["test_acc"] >= target else "NOT met"
    note = "" if metrics["profile"] == "full" else f" (a {metrics['profile']} run: the target is for full)"
    return f"{metrics['model']}: {100 * metrics['test_acc']:.2f}% vs target {100 * target:.1f}%: {verdict}{note}"

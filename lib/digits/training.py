"""The one training loop of the single-digit models, for any learner (PyTorch or NumPy).

A learner has train_batch(images, labels, lr) -> (summed loss, correct), logits(images), state() and
load_state(state). The loop sets the learning rate per step from the recipe's schedule, validates
after every epoch on the validation digits and keeps the best epoch's weights, so the NumPy and PyTorch
models are trained, timed and selected the same way. Progress is shown as the 0-999 loop shows it
(lib/study/train.py): "bar" (interactive), "lines" (one line per epoch: papermill, logs) or "off".
"""

import math
import sys
import time

import torch
from tqdm import tqdm  # text bar: reads the same in a terminal and in JupyterLab

from ..infra import atomic, provenance
from ..study.train import check_progress
from .report import score_digits


def lr_at(recipe: dict, t: float, epochs: int) -> float:
    """Learning rate at training progress t (in epochs, 0 <= t < epochs)."""
    peak = recipe["lr"]
    if recipe["schedule"] == "step":  # 001: multiply by `decay` every `step` epochs
        return peak * recipe["decay"] ** int(t // recipe["step"])
    if recipe["schedule"] == "cosine":  # linear warm-up from peak/25, then cosine down to zero
        warm = recipe["warmup"] * epochs
        if t < warm:
            return peak * (0.04 + 0.96 * t / warm)
        return 0.5 * peak * (1 + math.cos(math.pi * (t - warm) / (epochs - warm)))
    raise ValueError(f"unknown schedule {recipe['schedule']!r}; valid: step, cosine")


def _train_epoch(learner, images, labels, recipe, epoch, epochs, order, bar) -> tuple:
    """One shuffled pass over the training images; (mean loss, accuracy) of its batches."""
    batch, n = recipe["batch_size"], len(labels)
    steps, loss_sum, correct, seen = math.ceil(n / batch), 0.0, 0, 0
    for step, idx in enumerate(torch.randperm(n, generator=order).split(batch)):
        loss, right = learner.train_batch(images[idx], labels[idx], lr_at(recipe, epoch + step / steps, epochs))
        loss_sum, correct, seen = loss_sum + loss, correct + right, seen + len(idx)
        bar.update(len(idx))  # a no-op unless progress is "bar"
        if step % 100 == 99:
            bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.4f}")
    return loss_sum / n, correct / n


def _epoch_line(row: dict, epochs: int, best: bool) -> str:
    return (
        f"epoch {row['epoch']}/{epochs}: train loss {row['train_loss']:.4f} acc {row['train_acc']:.4f} | "
        f"val loss {row['val_loss']:.4f} acc {row['val_acc']:.4f}{' (best)' if best else ''} | "
        f"{row['seconds']:.1f} s"
    )


def _trained_epoch(learner, data, recipe, epoch, epochs, order, progress) -> dict:
    """Train one epoch (timed with the CPU others took meanwhile), then validate; the epoch's row."""
    (x, y), (vx, vy) = data["train"], data["val"]
    bar = tqdm(
        total=len(y),
        desc=f"epoch {epoch + 1}/{epochs}",
        unit="img",
        unit_scale=True,
        file=sys.stdout,
        mininterval=2,
        disable=progress != "bar",
    )
    with provenance.CpuMeter() as meter, bar:
        train_loss, train_acc = _train_epoch(learner, x, y, recipe, epoch, epochs, order, bar)
    began = time.perf_counter()
    val_loss, val_acc, _ = score_digits(learner, vx, vy)
    return {
        "epoch": epoch + 1,
        "train_loss": train_loss,
        "train_acc": train_acc,
        "val_loss": val_loss,
        "val_acc": val_acc,
        "lr": lr_at(recipe, epoch, epochs),
        "seconds": meter.wall_seconds,
        "cpu_seconds": meter.cpu_seconds,
        "others_cores": meter.others_cores,
        "val_seconds": time.perf_counter() - began,
    }


def train_digit_model(
    learner, data: dict, recipe: dict, epochs: int, seed: int, checkpoint_path, meta: dict, progress="bar"
) -> list:
    """Train for `epochs` on data['train'], validate after each on data['val'], and save the best epoch's
    weights (with `meta`, the epoch and its validation accuracy) to checkpoint_path; one row per epoch."""
    progress = check_progress(progress)
    order = torch.Generator().manual_seed(seed)  # shuffling, separate from the weights' seed
    rows, best = [], -1.0
    for epoch in range(epochs):
        rows.append(_trained_epoch(learner, data, recipe, epoch, epochs, order, progress))
        improved = rows[-1]["val_acc"] > best
        if improved:
            best = rows[-1]["val_acc"]
            atomic.torch_save(
                checkpoint_path, {"meta": {**meta, "epoch": epoch + 1, "val_acc": best}, "state_dict": learner.state()}
            )
        if progress != "off":
            print(_epoch_line(rows[-1], epochs, improved), flush=True)
    return rows

"""The one training loop of the single-digit models, for any learner (PyTorch or NumPy).

A learner has train_batch(images, labels, lr) -> (summed loss, correct), logits(images), state() and
load_state(state). The loop sets the learning rate per step from the recipe's schedule (torch's schedulers), validates
after every epoch on the validation digits and keeps the best epoch's weights, so the NumPy and PyTorch
models are trained, timed and selected the same way. Progress is shown as the 0-999 loop shows it
(lib/study/train.py): "bar" (interactive), "lines" (one line per epoch: papermill, logs) or "off".
"""

import math
import sys
import time

import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR, StepLR
from tqdm import tqdm  # text bar: reads the same in a terminal and in JupyterLab

from ..infra import atomic, provenance
from ..study.train import check_progress
from .report import score_digits


def lr_schedule(recipe: dict, epochs: int, steps: int) -> list:
    """The learning rate of every step, from torch's schedulers: "step" (StepLR, times `decay` every `step`
    epochs) or "cosine" (LinearLR from peak/25 over the first `warmup` of the run, then CosineAnnealingLR to zero).
    A one-tensor optimiser carries them, so the NumPy learner follows the same schedule."""
    carrier = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=recipe["lr"])
    total = epochs * steps
    if recipe["schedule"] == "step":  # 001: multiply by `decay` every `step` epochs
        scheduler = StepLR(carrier, recipe["step"] * steps, recipe["decay"])
    elif recipe["schedule"] == "cosine":
        warm = round(recipe["warmup"] * total)
        scheduler = CosineAnnealingLR(carrier, total - warm)
        if warm:
            scheduler = SequentialLR(carrier, [LinearLR(carrier, 0.04, total_iters=warm), scheduler], [warm])
    else:
        raise ValueError(f"unknown schedule {recipe['schedule']!r}; valid: step, cosine")
    rates = []
    for _ in range(total):
        rates.append(carrier.param_groups[0]["lr"])
        carrier.step()
        scheduler.step()
    return rates


def _train_epoch(learner, images, labels, batch, rates, order, bar) -> tuple:
    """One shuffled pass over the training images at the epoch's learning rates; (mean loss, accuracy)."""
    n, loss_sum, correct, seen = len(labels), 0.0, 0, 0
    for step, idx in enumerate(torch.randperm(n, generator=order).split(batch)):
        loss, right = learner.train_batch(images[idx], labels[idx], rates[step])
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


def _trained_epoch(learner, data, batch, rates, epoch, epochs, order, progress) -> dict:
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
        train_loss, train_acc = _train_epoch(learner, x, y, batch, rates, order, bar)
    began = time.perf_counter()
    val_loss, val_acc, _ = score_digits(learner, vx, vy)
    return {
        "epoch": epoch + 1,
        "train_loss": train_loss,
        "train_acc": train_acc,
        "val_loss": val_loss,
        "val_acc": val_acc,
        "lr": rates[0],
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
    steps = math.ceil(len(data["train"][1]) / recipe["batch_size"])
    rates, rows, best = lr_schedule(recipe, epochs, steps), [], -1.0
    for epoch in range(epochs):
        epoch_rates = rates[epoch * steps : (epoch + 1) * steps]
        rows.append(_trained_epoch(learner, data, recipe["batch_size"], epoch_rates, epoch, epochs, order, progress))
        improved = rows[-1]["val_acc"] > best
        if improved:
            best = rows[-1]["val_acc"]
            atomic.torch_save(
                checkpoint_path, {"meta": {**meta, "epoch": epoch + 1, "val_acc": best}, "state_dict": learner.state()}
            )
        if progress != "off":
            print(_epoch_line(rows[-1], epochs, improved), flush=True)
    return rows

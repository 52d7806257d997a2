"""The training loop: fresh numbers every step, a progress bar, history, and resume per epoch.

Each epoch reseeds the number stream and torch's RNG (dropout) from (seed, epoch),
so a run resumed from its last finished epoch sees exactly the batches an
uninterrupted one would have.
"""
import sys
import time
from math import ceil
from pathlib import Path

import torch
from tqdm import tqdm  # text bar: reads the same in JupyterLab, papermill logs and rendered notebooks

from . import atomic, checkpoint, heads
from .augment import augment
from .numbers import DigitBank, NumberGenerator
from .preprocess import prepare

LAST_BATCHES = 50  # the original printed the mean loss of the last 50 mini-batches


def epoch_seed(seed: int, epoch: int) -> int:
    return seed * 1_000_003 + epoch


def run_epoch(model, optimizer, numbers: NumberGenerator, dataset, preprocessing, samples, batch_size, bar,
              head="number", label_smoothing=0.0, augment_digits=(), augment_layout=(), scheduler=None,
              channels_last=False):
    """One epoch of `samples` fresh (optionally augmented) numbers; returns per-step (loss, accuracy) tensors."""
    model.train()
    steps = ceil(samples / batch_size)
    losses = torch.empty(steps, device=numbers.bank.device)
    accs = torch.empty(steps, device=numbers.bank.device)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    for step in range(steps):
        size = min(batch_size, samples - step * batch_size)  # drop_last=False, as the original
        batch = numbers.batch(size)
        raw = augment(batch, dataset, numbers.generator, augment_digits, augment_layout)
        x = prepare(raw, batch.ndigits, dataset, preprocessing).contiguous(memory_format=memory_format)
        logits = model(x)
        loss = heads.loss(logits, batch.labels, head, label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses[step] = loss.detach()
        accs[step] = (heads.predicted_numbers(logits.detach(), head) == batch.labels).float().mean()
        bar.update(size)
        if step % 50 == 49 or step == steps - 1:  # reading a value syncs the device: not every step
            bar.set_postfix(loss=f"{losses[max(0, step - LAST_BATCHES + 1):step + 1].mean().item():.3f}")
    return losses.cpu(), accs.cpu()


def train(model, optimizer, bank: DigitBank, *, dataset, preprocessing, digit_probs, batch_size, epochs,
          samples_per_epoch, seed, state_path=None, identity=None, progress=True, head="number",
          label_smoothing=0.0, augment_digits=(), augment_layout=(), scheduler=None, exclude=(),
          channels_last=False, after_epoch=None) -> dict:
    """Train in place and return the history; with `state_path`, resume from and save after each epoch.
    `exclude` holds numbers out of training (lib/splits.py); `scheduler` is stepped every batch;
    `after_epoch(epoch, model)` runs after each epoch, outside the timed training (benchmarks test there)."""
    history = {"step_loss": [], "step_acc": [], "epochs": []}
    start = 0
    if state_path is not None and Path(state_path).is_file():
        state = checkpoint.read(state_path)
        if state.get("identity") == identity:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            if scheduler is not None:
                scheduler.load_state_dict(state["scheduler"])
            history, start = state["history"], state["epoch"]
            print(f"Resuming from {state_path} after epoch {start} of {epochs}.")
        else:
            print(f"Ignoring {state_path}: it belongs to another run ({state.get('identity')}).")
    numbers = NumberGenerator(bank, digit_probs, exclude=exclude)
    for epoch in range(start, epochs):
        numbers.reseed(epoch_seed(seed, epoch))
        torch.manual_seed(epoch_seed(seed, epoch) + 1)
        began = time.perf_counter()
        with tqdm(total=samples_per_epoch, desc=f"epoch {epoch + 1}/{epochs}", unit="num", unit_scale=True,
                  file=sys.stdout, mininterval=2.0, disable=not progress, ncols=None) as bar:
            losses, accs = run_epoch(model, optimizer, numbers, dataset, preprocessing, samples_per_epoch,
                                     batch_size, bar, head, label_smoothing, augment_digits, augment_layout,
                                     scheduler, channels_last)
        seconds = time.perf_counter() - began
        if after_epoch is not None:
            after_epoch(epoch + 1, model)
        history["step_loss"] += losses.tolist()
        history["step_acc"] += accs.tolist()
        history["epochs"].append({"epoch": epoch + 1, "loss": losses.mean().item(), "acc": accs.mean().item(),
                                  "last_loss": losses[-LAST_BATCHES:].mean().item(), "seconds": seconds})
        if state_path is not None:
            atomic.torch_save(state_path, {"identity": identity, "epoch": epoch + 1, "history": history,
                                           "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                           "scheduler": None if scheduler is None else scheduler.state_dict()})
    history["train_seconds"] = sum(e["seconds"] for e in history["epochs"])
    history["train_loss_final"] = sum(history["step_loss"][-LAST_BATCHES:]) / len(history["step_loss"][-LAST_BATCHES:])
    return history

"""The training loop: fresh numbers every step, the version's whole recipe, validation and resume per epoch.

Training reads the version's row (lib/study/versions.py): batch size, digit mix, head, loss smoothing,
augmentation, optimiser and schedule all come from it, so a new training setting is a registry field
and a line here. Each epoch reseeds the number stream and torch's RNG (dropout) from (seed, epoch), so a
run resumed from its last finished epoch sees exactly the batches an uninterrupted one would have.
"""

import sys
from math import ceil
from pathlib import Path

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm  # text bar: reads the same in a terminal and in JupyterLab

from ..data.augment import augment
from ..data.numbers import DigitBank, NumberGenerator
from ..data.preprocess import prepare
from ..infra import atomic, checkpoint, provenance, store
from ..infra.choices import pick
from . import heads, models, precision

LAST_BATCHES = 50  # our reading of the original's "loss": the mean over the last 50 mini-batches
LOG_EVERY = 50  # the history keeps one mean per 50 steps (curves, not every batch)
PROGRESS = ("bar", "lines", "off")  # bar: interactive; lines: one line per epoch (papermill, logs); off


def epoch_seed(seed: int, epoch: int) -> int:
    return seed * 1_000_003 + epoch


def check_progress(progress) -> str:
    if progress is True or progress is False:  # older callers
        return "bar" if progress else "off"
    return pick(PROGRESS, progress, "progress")


def steps_per_epoch(samples: int, batch_size: int) -> int:
    return ceil(samples / batch_size)


def run_epoch(
    model,
    optimizer,
    scheduler,
    numbers: NumberGenerator,
    spec,
    dataset,
    preprocessing,
    samples,
    bar,
    compute="fp32",
    channels_last=False,
    average=None,
):
    """One epoch of `samples` fresh (augmented, as the version says) numbers; per-step (loss, accuracy)."""
    model.train()
    steps = steps_per_epoch(samples, spec.batch_size)
    device = numbers.bank.device
    losses, accs = torch.empty(steps, device=device), torch.empty(steps, device=device)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    for step in range(steps):
        size = min(spec.batch_size, samples - step * spec.batch_size)  # drop_last=False, as the original
        batch = numbers.batch(size)
        raw = augment(batch, dataset, numbers.generator, spec)
        x = prepare(raw, batch.ndigits, dataset, preprocessing).contiguous(memory_format=memory_format)
        with precision.autocast(compute, device):
            logits = model(x)
        loss = heads.loss(logits.float(), batch.labels, spec.head, spec.label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if average is not None:
            average.update_parameters(model)
        losses[step] = loss.detach()
        accs[step] = (heads.predicted_numbers(logits.detach(), spec.head) == batch.labels).float().mean()
        if bar is not None:
            bar.update(size)
            if step % 50 == 49 or step == steps - 1:  # reading a value syncs the device: not every step
                bar.set_postfix(loss=f"{losses[max(0, step - LAST_BATCHES + 1) : step + 1].mean().item():.3f}")
    return losses.cpu(), accs.cpu()


def _block_means(values: torch.Tensor, every: int = LOG_EVERY) -> list:
    return [round(chunk.mean().item(), 5) for chunk in values.split(every)]


def _epoch_line(row: dict, epochs: int) -> str:
    val = f", val acc {row['val_acc']:.2%}" if "val_acc" in row else ""
    return (
        f"epoch {row['epoch']}/{epochs}: loss {row['loss']:.4f} (last {LAST_BATCHES} batches "
        f"{row['last_loss']:.4f}), train acc {row['acc']:.2%}{val}, {row['seconds']:.0f} s"
    )


def weight_average(model, spec):
    """The version's exponential moving average of the weights (torch's AveragedModel), or None."""
    if not spec.ema:
        return None
    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(spec.ema), use_buffers=True)


def _resume(state_path, identity, parts: dict, epochs: int):
    """(history, epoch) from a saved training state of this run, loaded into `parts`; a state of another config
    is not loaded (the first finished epoch replaces it)."""
    if state_path is None or not Path(state_path).is_file():
        return None, 0
    state = checkpoint.read(state_path)
    if not store.same_config(state.get("identity"), identity or {}):
        print("The saved training state is of another config; starting afresh.")
        return None, 0
    for name, part in parts.items():
        if part is not None:
            part.load_state_dict(state[name])
    print(f"Resuming after epoch {state['epoch']} of {epochs} (training state saved after each epoch).")
    return state["history"], state["epoch"]


def _save_state(state_path, identity, parts: dict, history: dict, epoch: int, epochs: int, samples_per_epoch: int):
    atomic.write_json(
        Path(state_path).with_suffix(".json"),
        {  # progress at a glance (lib/study/eta.py)
            "epoch": epoch,
            "epochs": epochs,
            "samples_per_epoch": samples_per_epoch,
            "seconds": sum(e["seconds"] for e in history["epochs"]),
        },
    )
    atomic.torch_save(
        state_path,
        {
            "identity": identity,
            "epoch": epoch,
            "history": history,
            **{name: None if part is None else part.state_dict() for name, part in parts.items()},
        },
    )


def train(
    model,
    spec,
    bank: DigitBank,
    *,
    dataset,
    preprocessing,
    epochs,
    samples_per_epoch,
    seed,
    compute="fp32",
    exclude=(),
    channels_last=False,
    state_path=None,
    identity=None,
    progress="bar",
    validate=None,
    after_epoch=None,
) -> dict:
    """Train `model` in place with the version's recipe (`spec`, a registry row) and return the history.

    `compute` is a resolved precision (lib/study/precision.py); `exclude` holds numbers out of training
    (lib/data/splits.py). With `state_path`, resume from it and save to it after each epoch. `validate(model)
    -> dict` scores the model after each epoch (outside the timed training; its values join the epoch's
    row), and `after_epoch(epoch, model)` runs after that (benchmarks test there). With a weight average
    (spec.ema), validation reads the average, and the model ends holding it."""
    progress = check_progress(progress)
    precision.strict_fp32(compute, next(model.parameters()).device)
    optimizer = models.optimizer_for(model, spec)
    scheduler = models.scheduler_for(optimizer, spec, epochs * steps_per_epoch(samples_per_epoch, spec.batch_size))
    average = weight_average(model, spec)
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler, "ema": average}
    history, start = _resume(state_path, identity, parts, epochs)
    history = history or {"log_every": LOG_EVERY, "step_loss": [], "step_acc": [], "epochs": []}
    scored = model if average is None else average.module
    numbers = NumberGenerator(bank, spec.digit_probs, exclude=exclude)
    for epoch in range(start, epochs):
        numbers.reseed(epoch_seed(seed, epoch))
        torch.manual_seed(epoch_seed(seed, epoch) + 1)
        with (
            provenance.CpuMeter() as meter,
            tqdm(
                total=samples_per_epoch,
                desc=f"epoch {epoch + 1}/{epochs}",
                unit="num",
                unit_scale=True,
                file=sys.stdout,
                mininterval=2.0,
                disable=progress != "bar",
                ncols=None,
            ) as bar,
        ):
            losses, accs = run_epoch(
                model,
                optimizer,
                scheduler,
                numbers,
                spec,
                dataset,
                preprocessing,
                samples_per_epoch,
                None if progress != "bar" else bar,
                compute,
                channels_last,
                average,
            )
        row = {
            "epoch": epoch + 1,
            "loss": losses.mean().item(),
            "acc": accs.mean().item(),
            "last_loss": losses[-LAST_BATCHES:].mean().item(),
            "seconds": meter.wall_seconds,
            "cpu_seconds": meter.cpu_seconds,
            "others_cores": meter.others_cores,
        }
        if validate is not None:
            row.update(validate(scored))
        if after_epoch is not None:
            after_epoch(epoch + 1, scored)
        history["step_loss"] += _block_means(losses)
        history["step_acc"] += _block_means(accs)
        history["epochs"].append(row)
        if progress != "off":
            print(_epoch_line(row, epochs), flush=True)
        if state_path is not None:
            _save_state(state_path, identity, parts, history, epoch + 1, epochs, samples_per_epoch)
    if average is not None:
        model.load_state_dict(average.module.state_dict())
    history["train_seconds"] = sum(e["seconds"] for e in history["epochs"])
    history["train_cpu_seconds"] = sum(e.get("cpu_seconds", 0.0) for e in history["epochs"])
    shared = [e["others_cores"] * e["seconds"] for e in history["epochs"] if e.get("others_cores") is not None]
    history["others_cores"] = sum(shared) / history["train_seconds"] if shared else None  # CPU taken by others
    history["train_loss_final"] = history["epochs"][-1]["last_loss"]
    return history

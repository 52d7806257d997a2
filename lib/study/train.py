"""The training loop: fresh numbers every step, the version's whole recipe, validation and resume per epoch."""

import sys
from contextlib import nullcontext
from math import ceil
from pathlib import Path

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from ..data.augment import augment
from ..data.numbers import DigitBank, NumberGenerator
from ..data.preprocess import prepare
from ..infra import atomic, checkpoint, provenance, store
from ..infra.choices import pick
from . import heads

LAST_BATCHES = 50  # our reading of the original's "loss": the mean over the last 50 mini-batches
LOG_EVERY = 50  # the history keeps one mean per 50 steps (curves, not every batch)
PROGRESS = ("bar", "lines", "off")  # bar: interactive; lines: one line per epoch (papermill, logs); off
PRECISIONS = ("fp32", "bf16", "auto")
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}  # adamw: decoupled decay


def bf16_native(device) -> bool:
    """True where bf16 runs in hardware on `device` (emulated, it is 10x slower than fp32: bench/bench.py)."""
    if torch.device(device).type == "cuda":
        return torch.cuda.is_bf16_supported()
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(precision: str, device) -> str:
    """'fp32' or 'bf16': what a run with this setting computes in on `device`."""
    if pick(PRECISIONS, precision, "precision") == "auto":
        return "bf16" if bf16_native(device) else "fp32"
    return precision


def strict_fp32(precision: str, device):
    """fp32 on a CUDA GPU means fp32: no TF32 products, which cuDNN allows by default (provenance records it)."""
    if precision == "fp32" and torch.device(device).type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def autocast(precision: str, device):
    """The forward pass's context for a resolved precision: bf16 autocast, or nothing for fp32."""
    return nullcontext() if precision == "fp32" else torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def check_progress(progress) -> str:
    if progress is True or progress is False:  # callers that only say whether to show it
        return "bar" if progress else "off"
    if progress not in PROGRESS:
        raise ValueError(f"unknown progress {progress!r}; valid: {', '.join(PROGRESS)}")
    return progress


def epoch_bar(total: int, desc: str, unit: str, progress: str) -> tqdm:
    """An epoch's text bar (reads the same in a terminal and in JupyterLab), shown when progress is 'bar'."""
    return tqdm(
        total=total, desc=desc, unit=unit, unit_scale=True, file=sys.stdout, mininterval=2.0, disable=progress != "bar"
    )


def weight_average(model, spec):
    """The version's exponential moving average of the weights (torch's AveragedModel), or None."""
    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(spec.ema), use_buffers=True) if spec.ema else None


def optimizer_for(model: torch.nn.Module, spec, fused: bool = True) -> torch.optim.Optimizer:
    """The version's optimiser; with decay_on='weights', biases and BN parameters get no decay."""
    if spec.decay_on == "weights":
        decay = [m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
        ids = {id(p) for p in decay}
        rest = [p for p in model.parameters() if id(p) not in ids]
        groups = [{"params": decay, "weight_decay": spec.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    else:
        groups = [{"params": list(model.parameters()), "weight_decay": spec.weight_decay}]
    sgd = {"momentum": spec.momentum, "nesterov": getattr(spec, "nesterov", False)} if spec.optimizer == "sgd" else {}
    # fused: one kernel per step for all parameters, 1.4x faster training of version 7 on a CPU (res/bench/cpu.md)
    return pick(OPTIMIZERS, spec.optimizer, "optimizer")(groups, lr=spec.lr, fused=fused, **sgd)


def scheduler_for(optimizer: torch.optim.Optimizer, spec, total_steps: int):
    """The version's learning-rate schedule over a whole run, stepped once per batch; None for a constant lr."""
    if pick(("constant", "onecycle"), spec.schedule, "schedule") == "constant":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=spec.lr, total_steps=total_steps, pct_start=0.25)


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
    """Train `model` in place with the version's recipe and return the history; with `state_path`, resume from it
    and save to it after each epoch (unless of another `identity`). `validate(model) -> dict` adds to each epoch's
    row, outside the timed training; with a weight average (spec.ema) it reads the average, which the model ends as."""
    progress, device = check_progress(progress), next(model.parameters()).device
    strict_fp32(compute, device)
    steps = ceil(samples_per_epoch / spec.batch_size)
    optimizer = optimizer_for(model, spec)
    scheduler = scheduler_for(optimizer, spec, epochs * steps)
    average = weight_average(model, spec)
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler, "ema": average}
    history, start = {"log_every": LOG_EVERY, "step_loss": [], "step_acc": [], "epochs": []}, 0
    state = checkpoint.read(state_path) if state_path is not None and Path(state_path).is_file() else None
    if state is not None and not store.same_config(state.get("identity"), identity or {}):
        print("The saved training state is of another config; starting afresh.")
    elif state is not None:
        for name, part in parts.items():
            if part is not None:
                part.load_state_dict(state[name])
        history, start = state["history"], state["epoch"]
        print(f"Resuming after epoch {start} of {epochs} (training state saved after each epoch).")
    scored = model if average is None else average.module
    numbers = NumberGenerator(bank, spec.digit_probs, exclude=exclude)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    for epoch in range(start, epochs):
        # per epoch: a resumed run sees the batches an uninterrupted one would
        numbers.generator.manual_seed(seed * 1_000_003 + epoch)
        torch.manual_seed(seed * 1_000_003 + epoch + 1)
        model.train()
        losses, accs = torch.empty(steps, device=device), torch.empty(steps, device=device)
        bar = epoch_bar(samples_per_epoch, f"epoch {epoch + 1}/{epochs}", "num", progress)
        with provenance.CpuMeter() as meter, bar:
            for step in range(steps):
                size = min(spec.batch_size, samples_per_epoch - step * spec.batch_size)  # drop_last=False
                batch = numbers.batch(size)
                raw = augment(batch, dataset, numbers.generator, spec)
                x = prepare(raw, batch.ndigits, dataset, preprocessing).contiguous(memory_format=memory_format)
                with autocast(compute, device):
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
                bar.update(size)
                if progress == "bar" and (step % 50 == 49 or step == steps - 1):  # .item() syncs: not every step
                    bar.set_postfix(loss=f"{losses[max(0, step - LAST_BATCHES + 1) : step + 1].mean().item():.3f}")
        losses, accs = losses.cpu(), accs.cpu()
        row = {
            "epoch": epoch + 1,
            "loss": losses.mean().item(),
            "acc": accs.mean().item(),
            "last_loss": losses[-LAST_BATCHES:].mean().item(),
            "seconds": meter.wall_seconds,
            "cpu_seconds": meter.cpu_seconds,
            "others_cores": meter.others_cores,
        }
        row.update(validate(scored) if validate is not None else {})
        if after_epoch is not None:
            after_epoch(epoch + 1, scored)
        history["step_loss"] += [round(chunk.mean().item(), 5) for chunk in losses.split(LOG_EVERY)]
        history["step_acc"] += [round(chunk.mean().item(), 5) for chunk in accs.split(LOG_EVERY)]
        history["epochs"].append(row)
        if progress != "off":
            val = f", val acc {row['val_acc']:.2%}" if "val_acc" in row else ""
            print(
                f"epoch {epoch + 1}/{epochs}: loss {row['loss']:.4f} (last {LAST_BATCHES} batches "
                f"{row['last_loss']:.4f}), train acc {row['acc']:.2%}{val}, {row['seconds']:.0f} s",
                flush=True,
            )
        if state_path is not None:
            saved = {name: None if part is None else part.state_dict() for name, part in parts.items()}
            atomic.torch_save(state_path, {"identity": identity, "epoch": epoch + 1, "history": history, **saved})
    if average is not None:
        model.load_state_dict(average.module.state_dict())
    history["train_seconds"] = sum(e["seconds"] for e in history["epochs"])
    history["train_cpu_seconds"] = sum(e.get("cpu_seconds", 0.0) for e in history["epochs"])
    shared = [e["others_cores"] * e["seconds"] for e in history["epochs"] if e.get("others_cores") is not None]
    history["others_cores"] = sum(shared) / history["train_seconds"] if shared else None  # CPU taken by others
    history["train_loss_final"] = history["epochs"][-1]["last_loss"]
    return history

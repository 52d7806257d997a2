"""Networks built from a version's row in the registry; nothing here is version-specific."""
import torch
from torch import nn

from .heads import HEADS
from ..data.preprocess import input_shape
from .versions import Version, check_run

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
FUSED = True  # fused optimiser steps (CPU and CUDA); bench/bench.py measures them against the default


class NumberNet(nn.Module):
    """LeNet-like CNN: conv blocks (conv, [BN], act, 2x2 max-pool), then FC blocks (linear, act, [dropout]),
    then a linear layer with the head's outputs (1000 numbers, or 3 x 11 position classes)."""

    def __init__(self, spec: Version, in_shape: tuple):
        super().__init__()
        act = ACTIVATIONS[spec.act]
        channels, height, width = in_shape
        layers = []
        for out, kernel, pad in spec.convs:
            layers += [nn.Conv2d(channels, out, kernel, padding=pad)]
            layers += [nn.BatchNorm2d(out)] if spec.batchnorm else []
            layers += [act(), nn.MaxPool2d(2)]
            channels = out
            height, width = (height + 2 * pad - kernel + 1) // 2, (width + 2 * pad - kernel + 1) // 2
        self.features = nn.Sequential(*layers)
        width_in = channels * height * width
        layers = [nn.Flatten()]
        for i, hidden in enumerate(spec.fcs):
            layers += [nn.Linear(width_in, hidden), act()]
            layers += [nn.Dropout(spec.dropout[i])] if spec.dropout else []
            width_in = hidden
        layers += [nn.Linear(width_in, HEADS[spec.head])]
        self.classifier = nn.Sequential(*layers)

    def forward(self, x):
        return self.classifier(self.features(x))


def build(version: int, dataset: str, channels_last: bool = False) -> NumberNet:
    """The version's network for a dataset; channels_last (NHWC) convolutions are faster on CPU and GPU."""
    spec = check_run(version, dataset)
    model = NumberNet(spec, input_shape(dataset, spec.preprocessing))
    return model.to(memory_format=torch.channels_last) if channels_last else model


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def optimizer_for(model: nn.Module, spec: Version, fused: bool | None = None) -> torch.optim.Optimizer:
    """The version's optimiser; with decay_on='weights', biases and BN parameters get no decay."""
    if spec.decay_on == "weights":
        decay = [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        ids = {id(p) for p in decay}
        rest = [p for p in model.parameters() if id(p) not in ids]
        groups = [{"params": decay, "weight_decay": spec.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    else:
        groups = [{"params": list(model.parameters()), "weight_decay": spec.weight_decay}]
    fused = FUSED if fused is None else fused
    # fused: one kernel per step for all parameters instead of a dozen passes over them; same update
    # rule, 1.4x faster training of version 7 on a 2-core CPU (bench/bench.py, "optimizer" section)
    if spec.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=spec.lr, momentum=spec.momentum, fused=fused)
    if spec.optimizer == "adam":
        return torch.optim.Adam(groups, lr=spec.lr, fused=fused)
    if spec.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=spec.lr, fused=fused)
    raise ValueError(f"unknown optimizer {spec.optimizer!r}; valid: sgd, adam, adamw")


def scheduler_for(optimizer: torch.optim.Optimizer, spec: Version, total_steps: int):
    """The version's learning-rate schedule over a whole run, stepped once per batch; None for a constant lr."""
    if spec.schedule == "constant":
        return None
    if spec.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=spec.lr, total_steps=total_steps,
                                                   pct_start=0.25)
    raise ValueError(f"unknown schedule {spec.schedule!r}; valid: constant, onecycle")

"""Figures of the single-digit runs (lib/digits/runs.py): training curves, test confusion, augmentation and misread
digits, from a run's per-epoch rows and metrics and the 28x28 MNIST digits."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from matplotlib.colors import LogNorm

from ..digits.data import AUGMENT, digit_augmenter, digit_inputs, mnist_digits


def plot_curves(rows: list, title: str = ""):
    """Loss and accuracy per epoch, training and validation."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    frame = pd.DataFrame(rows).set_index("epoch")
    for ax, what, label in zip(axes, ("loss", "acc"), ("cross-entropy loss", "accuracy")):
        curves = frame[[f"train_{what}", f"val_{what}"]].set_axis(["train", "validation"], axis=1)
        curves.plot(ax=ax, style="o-", grid=True, xlabel="epoch", ylabel=label, title=f"{title} {what}")
    fig.tight_layout()
    return fig


def plot_confusion(metrics: dict):
    """Seaborn heatmap of the test confusion matrix (rows: true digit, columns: predicted), log colour scale."""
    fig, ax = plt.subplots(figsize=(7, 6))
    cm = np.array(metrics["confusion"])
    norm = LogNorm(vmin=1, vmax=max(cm.max(), 2)) if cm.max() > 1 else None  # so the few confusions show
    sns.heatmap(cm, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax, square=True, norm=norm)
    title = f"{metrics['model']} ({metrics['profile']}): test accuracy {100 * metrics['test_acc']:.2f}%"
    ax.set(xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    return fig


def digit_grid(images, cols: int, title: str, titles=(), row_labels=()):
    """Images [N,H,W] in rows of `cols`, each under its title, each row after its label."""
    rows = max(1, math.ceil(len(images) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.5 * rows + 0.4), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set(xticks=[], yticks=[])
        if k < len(images):
            ax.imshow(images[k], cmap="gray_r")
            ax.set_title(titles[k] if titles else "", fontsize=9)
        else:
            ax.axis("off")
    for ax, label in zip(axes[:, 0], row_labels):
        ax.set_ylabel(label)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_augmented(images: torch.Tensor, draws: int = 3, seed: int = 0):
    """A few training digits as the model sees them: padded, then `draws` random distortions each."""
    torch.manual_seed(seed)
    transform = digit_augmenter()
    shown = torch.cat([digit_inputs(images)] + [digit_inputs(images, transform) for _ in range(draws)])
    title = (
        f"augmentation: rotation +-{AUGMENT['degrees']} deg, shift +-{AUGMENT['translate'][0]:.0%}, "
        f"zoom {AUGMENT['scale'][0]}-{AUGMENT['scale'][1]}"
    )
    labels = ["padded"] + [f"draw {r}" for r in range(1, draws + 1)]
    return digit_grid(shown[:, 0].numpy(), len(images), title, row_labels=labels)


def plot_misclassified(run, count: int = 16):
    """The test digits a run (lib.digits.runs.DigitRun, from its record alone) read wrong, most confident first."""
    wrong, (images, labels) = pd.DataFrame(run.errors), mnist_digits("test")
    top = wrong.sort_values("confidence", ascending=False, kind="stable").head(count)
    titles = [f"{labels[i].item()}→{p} ({c:.2f})" for i, p, c in zip(top["index"], top["pred"], top["confidence"])]
    title = f"{run.metrics['model']}: {len(top)} of {len(wrong)} misclassified test digits (true→predicted, confidence)"
    return digit_grid(images[top["index"].tolist()].numpy(), 8, title, titles)

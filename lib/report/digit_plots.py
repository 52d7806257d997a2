"""Figures of the single-digit LeNet-5 runs: training curves, test confusion, augmentation, misread digits.

Apart from lib/report/plots.py (the 0-999 figures) because their inputs differ: a single-digit run's
per-epoch rows and metrics (lib/digits/runs.py), and single 28x28 MNIST digits.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import torch
from matplotlib.colors import LogNorm

from ..digits.data import AUGMENT, digit_augmenter, digit_inputs, mnist_digits


def plot_curves(rows: list, title: str = ""):
    """Loss and accuracy per epoch, training and validation."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    epochs = [r["epoch"] for r in rows]
    for ax, what in zip(axes, ("loss", "acc")):
        ax.plot(epochs, [r[f"train_{what}"] for r in rows], "o-", label="train")
        ax.plot(epochs, [r[f"val_{what}"] for r in rows], "o-", label="validation")
        ylabel = "accuracy" if what == "acc" else "cross-entropy loss"
        ax.set(xlabel="epoch", ylabel=ylabel, title=f"{title} {what}")
        ax.grid(alpha=0.3)
        ax.legend()
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


def plot_augmented(images: torch.Tensor, draws: int = 3, seed: int = 0):
    """A few training digits as the model sees them: padded, then `draws` random distortions each."""
    torch.manual_seed(seed)
    transform = digit_augmenter()
    rows = [digit_inputs(images)] + [digit_inputs(images, transform) for _ in range(draws)]
    fig, axes = plt.subplots(len(rows), len(images), figsize=(1.2 * len(images), 1.25 * len(rows)), squeeze=False)
    for r, (axes_row, batch) in enumerate(zip(axes, rows)):
        for ax, img in zip(axes_row, batch):
            ax.imshow(img[0].numpy(), cmap="gray_r")
            ax.set(xticks=[], yticks=[])
        axes_row[0].set_ylabel("padded" if r == 0 else f"draw {r}")
    fig.suptitle(
        f"augmentation: rotation +-{AUGMENT['degrees']} deg, shift +-{AUGMENT['translate'][0]:.0%}, "
        f"zoom {AUGMENT['scale'][0]}-{AUGMENT['scale'][1]}"
    )
    fig.tight_layout()
    return fig


def plot_misclassified(run, count: int = 16):
    """The test digits a run (lib.digits.runs.DigitRun) read wrong, most confident mistakes first; works from
    the committed record alone (errors.json)."""
    errors, (images, labels) = run.errors, mnist_digits("test")
    order = sorted(range(len(errors["index"])), key=lambda k: -errors["confidence"][k])[:count]
    cols, rows = 8, max(1, math.ceil(len(order) / 8))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, 1.6 * rows + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, k in zip(axes.flat, order):
        i = errors["index"][k]
        ax.imshow(images[i].numpy(), cmap="gray_r")
        ax.set_title(f"{labels[i].item()}→{errors['pred'][k]} ({errors['confidence'][k]:.2f})", fontsize=9)
    fig.suptitle(
        f"{run.metrics['model']}: {len(order)} of {len(errors['index'])} misclassified test digits "
        "(true→predicted, confidence)"
    )
    fig.tight_layout()
    return fig

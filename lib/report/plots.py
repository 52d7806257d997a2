"""Figures the notebooks show; each takes lib objects and returns a matplotlib Figure."""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from IPython.display import Markdown, display
from matplotlib import ticker
from matplotlib.colors import LogNorm
from sklearn.metrics import confusion_matrix

from ..data import layouts, mnist
from ..data.augment import augment
from ..data.numbers import NumberGenerator, ndigits_of
from ..data.preprocess import prepare
from ..digits.data import AUGMENT, digit_inputs
from ..study import heads
from ..study.experiment import load_test_set, train_bank
from ..study.run_key import RunKey
from ..study.versions import get
from .tables import needs_runs

sns.set_theme(style="whitegrid", context="notebook")


def digit_grid(images, cols: int, title: str, titles=(), row_labels=(), size=(1.3, 1.5), color="black", **imshow):
    """Images [N,H,W] in rows of `cols`, each under its title, each row after its label; `size`: inches per image."""
    rows = max(1, -(-len(images) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows + 0.6), squeeze=False, layout="tight")
    fig.suptitle(title)
    for ax in axes.flat:
        ax.axis("off")
    for k, (ax, image) in enumerate(zip(axes.flat, images)):
        ax.imshow(image, **{"cmap": "gray_r"} | imshow)
        ax.set_title(titles[k] if titles else "", fontsize=9, color=color)
    for ax, label in zip(axes[:, 0], row_labels):
        ax.text(-0.08, 0.5, label, transform=ax.transAxes, ha="right", va="center")
    return fig


def _numbers(sets: list, picks: list, cols: int, title: str, titles=None, **kw):
    """The picked numbers of each test set drawn as their layout shows them (RGB for C), each under its label."""
    images = [layouts.get(ts.dataset).show(ts.raw[i], int(ts.ndigits[i])) for ts in sets for i in picks]
    titles = titles or [str(int(ts.labels[i])) for ts in sets for i in picks]
    return digit_grid(images, cols, title, titles, vmin=0, vmax=255, **kw)


def _pick(mask: torch.Tensor, count: int, generator: torch.Generator) -> list:
    """Up to `count` random indices where `mask` holds."""
    idx = mask.nonzero().squeeze(1)
    return idx[torch.randperm(len(idx), generator=generator)[:count]].tolist()


def sample_grid(test_set, per_row: int = 6, seed: int = 0):
    """A few 1-, 2- and 3-digit numbers from a test set, with their labels."""
    g = torch.Generator().manual_seed(seed)
    shown_as = layouts.get(test_set.dataset).shown_as
    title = f"{test_set.dataset} test set: 1-, 2- and 3-digit numbers" + (f" ({shown_as})" if shown_as else "")
    picks = [i for n in (1, 2, 3) for i in _pick(test_set.ndigits == n, per_row, g)]
    return _numbers([test_set], picks, per_row, title, size=(1.9, 1.4))


def augmented_numbers(version: int, dataset: str = "W", count: int = 6, seed: int = 0, mnist_dir=None):
    """Training numbers as drawn (top row) and as a version's augmentation shows them (three draws below)."""
    batch = NumberGenerator(train_bank("cpu", mnist_dir), (0, 0, 1), seed).batch(count)  # 3-digit numbers
    generator = torch.Generator().manual_seed(seed)
    rows = [batch.raw(dataset)] + [augment(batch, dataset, generator, get(version)) for _ in range(3)]
    title = f"Version {version}'s training numbers on {dataset}, as drawn and as its augmentation shows them"
    images = [layouts.get(dataset).show(raw[i], 3) for raw in rows for i in range(count)]
    labels = ["as drawn"] + [f"augmented ({r})" for r in range(1, len(rows))]
    return digit_grid(images, count, title, row_labels=labels, size=(1.9, 1.1), vmin=0, vmax=255)


def channel_panels(test_set, index: int):
    """The three channels of one C sample side by side, empty ones included."""
    title, channels = f"C sample {int(test_set.labels[index])}", [f"channel {k}" for k in range(3)]
    return digit_grid(test_set.raw[index].numpy(), 3, title, channels, vmin=0, vmax=255)


def _log_y(ax, label: str):
    """A log y axis with plain-number ticks: 0.6% against 0.7% shows as well as 30% against 60%."""
    ax.set(yscale="log", ylabel=label)
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(_PlainLog(labelOnlyBase=False))  # labels minor ticks only where few decades show


class _PlainLog(ticker.LogFormatter):
    """matplotlib's choice of which log ticks to label, written as plain numbers (0.6, not 6e-01)."""

    def _num_to_string(self, x, vmin, vmax):
        return f"{x:g}"


ERROR = "test error (%, log scale; lower is better)"


@needs_runs
def training_curves(results, smooth_steps: int = 200):
    """Per run: training loss and batch accuracy (moving means) by epoch, and validation error after each epoch."""
    fig, (ax_loss, ax_acc, ax_val) = plt.subplots(1, 3, figsize=(15, 3.8), layout="tight")
    for r in results:
        h, name = r.history, r.key.label
        w = max(1, smooth_steps // h.get("log_every", 1))  # older histories kept every step
        for ax, key in ((ax_loss, "step_loss"), (ax_acc, "step_acc")):
            values = pd.Series(h[key], dtype=float)
            smooth = values.rolling(max(1, min(w, len(values) // 5))).mean()
            x = np.linspace(0, len(h["epochs"]), len(values))
            ax.plot(x, smooth, label=name, marker="o" if smooth.count() < 3 else None)
        val = [(e["epoch"], 100 * (1 - e["val_acc"])) for e in h["epochs"] if e.get("val_acc") is not None]
        if val:
            ax_val.plot(*zip(*val), "o-", label=name)
    ax_loss.set(xlabel="epoch", title=f"training loss (moving mean, ~{smooth_steps} batches)")
    _log_y(ax_loss, "training loss")
    dropout = " (dropout on)" if any(get(r.metrics["version"]).dropout for r in results) else ""
    ax_acc.set(xlabel="epoch", ylabel="batch accuracy", ylim=(0, 1), title="training batch accuracy" + dropout)
    ax_acc.legend(fontsize=8)
    ax_val.set(xlabel="epoch", title="validation error after each epoch")
    if ax_val.lines:
        _log_y(ax_val, "validation error (%)")
        ax_val.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    else:
        no_val = "no validation in this record\n(trained before the validation split)"
        ax_val.text(0.5, 0.5, no_val, ha="center", va="center", transform=ax_val.transAxes)
    return fig


@needs_runs
def accuracy_by_digits(results):
    """Test error on 1-, 2- and 3-digit numbers per run family: the seeds' mean ± sd on a log axis."""
    seeds = pd.Series([r.key.family for r in results]).value_counts()
    name = {f: f"{f} ({n} seed{'s' * int(n > 1)})" for f, n in seeds.items()}
    rows = [
        (name[r.key.family], f"{n}-digit", 100 * (1 - r.metrics[f"acc_{n}digit"])) for r in results for n in (1, 2, 3)
    ]
    long = pd.DataFrame(rows, columns=["run", "digits", "error"])
    fig, ax = plt.subplots(figsize=(8.5, 3.5), layout="tight")
    dodge = 0.4 if len(seeds) > 1 else False
    sns.pointplot(
        long, x="digits", y="error", hue="run", errorbar="sd", dodge=dodge, linestyle="none", capsize=0.1, ax=ax
    )
    ax.set(title="test error by digit count (mean ± sd over seeds)", xlabel="")
    _log_y(ax, ERROR)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


@needs_runs
def digit_confusion(results):
    """Per reading position: true against read digit on the test set, log colours so that rare confusions show."""
    result = results[0]
    true, read = (heads.position_targets(t) for t in (result.test_set.labels, result.predictions["pred"]))
    names = [str(d) for d in range(10)] + ["none"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6), layout="tight")
    for k, ax in enumerate(axes):
        cm = confusion_matrix(true[:, k], read[:, k], labels=list(range(heads.NO_DIGIT + 1)))
        sns.heatmap(cm + 0.5, norm=LogNorm(), cmap="mako_r", cbar=k == 2, ax=ax, xticklabels=names, yticklabels=names)
        off = cm.sum() - cm.trace()
        ax.set(title=f"position {k + 1}: {off:,} of {cm.sum():,} wrong", xlabel="read", ylabel="true" if k == 0 else "")
    fig.suptitle(f"{result.key.label}: digit read at each position (log colour scale)")
    return fig


@needs_runs
def misclassified(results, count: int = 24, seed: int = 0):
    """A gallery of test numbers the model got wrong: true label, prediction and its confidence."""
    ts, preds, conf = results[0].test_set, results[0].predictions["pred"], results[0].predictions["confidence"]
    pick = _pick(preds != ts.labels, count, torch.Generator().manual_seed(seed))
    title = f"misclassified: true → predicted (confidence); {int((preds != ts.labels).sum()):,} of {len(ts):,} wrong"
    titles = [f"{int(ts.labels[i])} → {int(preds[i])} ({float(conf[i]):.1%})" for i in pick]
    return _numbers([ts], pick, 6, title, titles, size=(2.1, 1.9), color="firebrick")


@needs_runs
def confusions_table(results):
    """The most frequent (true, predicted) pairs among a run's errors, as a DataFrame."""
    frame = pd.DataFrame(results[0].metrics["top_confusions"])
    if len(frame):
        frame["digits"] = ndigits_of(torch.tensor(frame["true"].values)).numpy()
    return frame


IMAGES = {False: "correct images", True: "+wrap (the original's C bug)"}


def results_figure(frame, profile: str):
    """Test error per version at one profile: seeds, mean ± sd, and at full the original's [k, k+1)% band."""
    data = frame[(frame["profile"] == profile) & (frame["split"] == "all")]
    images = data["preprocessing"].str.endswith("+wrap").map(IMAGES)
    data = data.assign(error=100 * (1 - data["test_acc"]), images=images, run="v" + data["version"].astype(str))
    datasets = [d for d in layouts.LAYOUTS if (data["dataset"] == d).any()]
    widths = [max(2, data[data["dataset"] == d]["version"].nunique()) for d in datasets]
    fig, axes = plt.subplots(1, len(datasets), figsize=(2 + 0.75 * sum(widths), 5.2), width_ratios=widths)
    palette, handles = dict(zip(IMAGES.values(), ("tab:blue", "tab:purple"))), {}
    for ax, dataset in zip(np.atleast_1d(axes), datasets):
        d = data[data["dataset"] == dataset]
        order = [f"v{v}" for v in sorted(d["version"].unique())]
        style = dict(data=d, x="run", y="error", hue="images", order=order, palette=palette, ax=ax)
        # no jitter: a re-render draws the same figure
        sns.stripplot(**style, dodge=True, jitter=False, size=3, alpha=0.6, legend=False)
        dodge = 0.4 if d["images"].nunique() > 1 else False
        sns.pointplot(**style, dodge=dodge, errorbar="sd", linestyle="none", marker="_", markersize=14, capsize=0.1)
        reported = d.groupby("run")["seed_reported_acc"].first().dropna()
        for v, acc in reported.items() if profile == "full" else ():
            low, high = 100 * (0.99 - acc), 100 * (1 - acc)
            x = order.index(v)
            ax.fill_between(
                [x - 0.4, x + 0.4], low, high, color="tab:orange", alpha=0.35, lw=0, label="original [k, k+1)%"
            )
        ax.set(title=dataset, xlabel="")
        _log_y(ax, ERROR)
        handles |= dict(zip(*reversed(ax.get_legend_handles_labels())))
        ax.get_legend().remove()
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=3, fontsize=8, frameon=False)
    title = f"Test error per version, profile '{profile}': each seed, mean ± sd"
    title += "" if profile == "full" else " (compared with itself: the original trained on the full recipe)"
    fig.suptitle("\n".join(textwrap.wrap(title, int(8 * fig.get_figwidth()))))  # about 8 characters an inch
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def robustness_bars(frame, profile: str):
    """Clean, robust and out-of-distribution test error per run family of one profile (bars: mean; ticks: seeds)."""
    d = frame[(frame["profile"] == profile) & (frame["split"] == "all")].dropna(subset=["robust_test_acc"])
    d = d.assign(run=[RunKey.of(row).family for row in d.to_dict("records")])
    sets = {"test_acc": "fixed test set", "robust_test_acc": "robust (digits moved)", "ood_test_acc": "ood"}
    long = d.melt(id_vars="run", value_vars=list(sets), var_name="test set", value_name="accuracy").dropna()
    long = long.assign(**{"test set": long["test set"].map(sets), "error": 100 * (1 - long["accuracy"])})
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * d["run"].nunique() + 2), 4.0), layout="tight")
    style = dict(data=long, x="run", y="error", hue="test set", ax=ax)
    sns.barplot(**style, errorbar=None, alpha=0.6)
    sns.stripplot(**style, dodge=True, jitter=False, size=3, legend=False, palette="dark:k")
    ax.set(xlabel="", title=f"clean, robust and out-of-distribution test error, profile '{profile}'")
    _log_y(ax, ERROR)
    ax.tick_params(axis="x", rotation=45)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def test_set_variants(sets: dict, per_variant: int = 4, seed: int = 0):
    """The same 3-digit numbers in each (variant, layout) test set, so what a variant does is seen."""
    pick = _pick(next(iter(sets.values())).ndigits == 3, per_variant, torch.Generator().manual_seed(seed))
    title = "The same 3-digit numbers in each test-set variant (other MNIST images of their digits)"
    rows = [f"{variant} · {dataset}" for variant, dataset in sets]
    return _numbers(list(sets.values()), pick, per_variant, title, row_labels=rows, size=(2.6, 1.25))


@needs_runs
def column_readings(results, profile: str, variant: str = "ood", count: int = 4, seed: int = 0):
    """What a strip reader (ctc head) sees: numbers read right and wrong, each column's digit and blank odds."""
    result = results[0]
    if result.model is None:
        display(Markdown(f"*{result.key.label}: what it sees needs the run's checkpoint (shown from its record).*"))
        return None
    ts = load_test_set(result.key.dataset, profile, variant)
    preds = result.variant_predictions[variant]["pred"]
    g = torch.Generator().manual_seed(seed)
    right = _pick((preds == ts.labels) & (ts.ndigits > 1), count, g)
    picks = [(i, True) for i in right] + [(i, False) for i in _pick(preds != ts.labels, count, g)]
    model = result.model.eval()
    device = next(model.parameters()).device
    index = torch.tensor([i for i, _ in picks], dtype=torch.long)
    with torch.inference_mode():
        x = prepare(ts.raw[index].to(device), ts.ndigits[index].to(device), ts.dataset, result.key.preprocessing)
        logits = model(x).float()
    probs, read = logits.softmax(2).cpu(), heads.decode_strings(logits)
    title = (
        f"{result.key.label} on `{variant}`: strip, each column's P(digit, blank “–”) below it, greedy reading "
        f"(first {len(right)} right, then {len(picks) - len(right)} wrong)"
    )
    rows, width = -(-len(picks) // 2), ts.raw.shape[-1]
    fig, axes = plt.subplots(
        2 * rows, 2, figsize=(10.4, 2.6 * rows + 0.6), layout="tight", height_ratios=[1.7, 1] * rows
    )
    fig.suptitle(title)
    for k, ((i, ok), p, text) in enumerate(zip(picks, probs, read)):
        top, bottom = axes[2 * (k // 2), k % 2], axes[2 * (k // 2) + 1, k % 2]
        top.axis("off")
        top.imshow(ts.raw[i].numpy(), cmap="gray_r", vmin=0, vmax=255, aspect="auto", extent=(0, width, 28, 0))
        label = f"{int(ts.labels[i])} → " + (f"“{text}”" if text else "nothing (all blank)")
        label += f", best number {int(preds[i])}" if result.metrics.get("decoding") == "best number" else ""
        top.set_title(label, fontsize=9, color="black" if ok else "firebrick", loc="left")
        bottom.imshow(p.T.numpy(), cmap="magma_r", vmin=0, vmax=1, aspect="auto", extent=(0, width, 10.5, -0.5))
        bottom.grid(False)
        bottom.set(xticks=[])
        bottom.set_yticks(range(11), [str(d) for d in range(10)] + ["–"], fontsize=6)
    return fig


def plot_curves(rows: list, title: str = ""):
    """Loss and accuracy per epoch, training and validation."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="tight")
    frame = pd.DataFrame(rows).set_index("epoch")
    for ax, what, label in zip(axes, ("loss", "acc"), ("cross-entropy loss", "accuracy")):
        curves = frame[[f"train_{what}", f"val_{what}"]].set_axis(["train", "validation"], axis=1)
        curves.plot(ax=ax, style="o-", grid=True, xlabel="epoch", ylabel=label, title=f"{title} {what}")
    return fig


def plot_confusion(metrics: dict):
    """Seaborn heatmap of the test confusion matrix (rows: true digit, columns: predicted), log colour scale."""
    fig, ax = plt.subplots(figsize=(7, 6), layout="tight")
    cm = np.array(metrics["confusion"])
    norm = LogNorm(vmin=1, vmax=max(cm.max(), 2)) if cm.max() > 1 else None  # so the few confusions show
    sns.heatmap(cm, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax, square=True, norm=norm)
    title = f"{metrics['model']} ({metrics['profile']}): test accuracy {100 * metrics['test_acc']:.2f}%"
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return fig


def plot_augmented(images: torch.Tensor, draws: int = 3, seed: int = 0):
    """A few training digits as the model sees them: padded, then `draws` random distortions each."""
    torch.manual_seed(seed)
    shown = torch.cat([digit_inputs(images)] + [digit_inputs(images, True) for _ in range(draws)])
    title = (
        f"augmentation: rotation +-{AUGMENT['degrees']} deg, shift +-{AUGMENT['translate'][0]:.0%}, "
        f"zoom {AUGMENT['scale'][0]}-{AUGMENT['scale'][1]}"
    )
    labels = ["padded"] + [f"draw {r}" for r in range(1, draws + 1)]
    return digit_grid(shown[:, 0].numpy(), len(images), title, row_labels=labels)


def plot_misclassified(run, count: int = 16):
    """The test digits a run (lib.digits.runs.DigitRun, from its record alone) read wrong, most confident first."""
    wrong, (images, labels) = pd.DataFrame(run.errors), mnist.load_split("test")
    top = wrong.sort_values("confidence", ascending=False, kind="stable").head(count)
    titles = [f"{labels[i].item()}→{p} ({c:.2f})" for i, p, c in zip(top["index"], top["pred"], top["confidence"])]
    title = f"{run.metrics['model']}: {len(top)} of {len(wrong)} misclassified test digits (true→predicted, confidence)"
    return digit_grid(images[top["index"].tolist()].numpy(), 8, title, titles)

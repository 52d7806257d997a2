"""LeNet-5 on single MNIST digits (10 classes): the classic 1998 network and a modern one, in PyTorch.

This module also holds what every single-digit run shares, so that the NumPy network
(lib/digits/numpy_lenet.py) uses the same split, inputs, training loop and test report:
a fixed 50k/10k train/validation split, inputs padded to 32x32 and normalised,
one training loop with per-epoch validation that keeps the best checkpoint, and
the test report (accuracy, per-class accuracy, confusion matrix, precision/recall/F1).

Files per run, in res/runs/<profile>/<name>_s<seed>/:
  metrics.json               config, provenance, test metrics (the results table reads these)
  epochs.csv                 per epoch: train and validation loss/accuracy, learning rate, seconds
  classification_report.csv  precision, recall, F1 and support per digit (scikit-learn)
  confusion.png              confusion-matrix heatmap on the test set
  model.pt                   best-validation weights with metadata (git-ignored)
A finished run with the same config is loaded, not trained again, unless force=True.
"""
import csv
import io
import json
import math
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import torch
import torch.nn.functional as F
from sklearn.metrics import classification_report, confusion_matrix
from torch import nn
from torchvision.transforms import v2
from tqdm import tqdm  # text bar: reads the same in JupyterLab, papermill logs and rendered notebooks

from ..infra import atomic, checkpoint, provenance
from ..data import mnist
from ..study import profiles
from ..infra.paths import RECORD_DIR
from ..data.preprocess import MEAN, STD

N_VAL = 10_000  # validation images held out of MNIST train, as 004 (50k train / 10k validation)
SPLIT_SEED = 0  # one fixed split for every model and seed, so validation numbers compare
EVAL_BATCH = 1000  # images per forward pass when evaluating
PAD = 2  # 28x28 -> 32x32 as LeCun et al. 1998: stroke ends near the border reach the centre of the top detectors
CLASSES = tuple(range(10))

# Images used from each split (None: all of it) and epochs per model, by profile.
SIZES = {
    "smoke": {"train": 512, "val": 256, "test": 1000,  # a few batches: checks that everything runs
              "epochs": {"classic": 1, "modern": 1}},
    "quick": {"train": None, "val": None, "test": None,  # the whole split, 5 epochs: ~1.5 min on 2 cores
              "epochs": {"classic": 5, "modern": 5}},
    "full": {"train": None, "val": None, "test": None,  # the recipes below: ~2 + ~7 min on 2 cores
             "epochs": {"classic": 30, "modern": 40}},
}
SIZES["cpu"] = SIZES["full"]  # the single-digit recipes already fit a CPU

# How each model is built and trained.
RECIPES = {
    "classic": {  # LeCun et al. 1998 with SGD+momentum and softmax cross-entropy (not SDLM and RBF outputs)
        "act": "tanh",  # activation
        "pool": "avg",  # 2x2 subsampling by averaging (the paper's has a trainable scale and bias)
        "batchnorm": False,  # no normalisation layers
        "augment": False,  # the plain 50k training images
        "batch_size": 64,  # images per step
        "lr": 0.05,  # peak learning rate
        "momentum": 0.9,  # SGD momentum
        "nesterov": False,  # plain momentum
        "weight_decay": 0.0,  # no L2 penalty
        "label_smoothing": 0.0,  # hard targets
        "schedule": "cosine",  # cosine decay to zero over the run
        "warmup": 0.0,  # no warm-up
    },
    "modern": {  # the same 6-16-120-84-10 layers with today's defaults
        "act": "relu",
        "pool": "max",
        "batchnorm": True,  # after every conv and hidden dense layer, before the activation
        "augment": True,  # random rotation, shift and zoom (AUGMENT), new every epoch
        "batch_size": 128,
        "lr": 0.1,
        "momentum": 0.9,
        "nesterov": True,
        "weight_decay": 5e-4,  # on conv and dense weights only, not on biases or batch-norm parameters
        "label_smoothing": 0.0,
        "schedule": "cosine",
        "warmup": 0.1,  # linear warm-up over the first 10% of steps (one-cycle-like)
    },
}
# What the reference READMEs (../shared/seeds/001-004) reported on the MNIST test set, for comparison.
REFERENCES = [
    {"source": "001", "system": "LeNet-5 from scratch in NumPy, tanh, SGD with step decay", "test_acc": 0.9843,
     "epochs": 7, "note": "~30 min per epoch"},
    {"source": "002", "system": "LeNet-5 in PyTorch, tanh, average pooling, SGD lr 0.01", "test_acc": 0.9880,
     "epochs": 15, "note": ""},
    {"source": "003", "system": "LeNet-style CNN from scratch in NumPy, sigmoid/ReLU", "test_acc": (0.91, 0.97),
     "epochs": 3, "note": "35 min to 2 h per run"},
    {"source": "004", "system": "6-10-120-84 CNN in PyTorch, max pooling, Adam, batch 10", "test_acc": 0.9876,
     "epochs": 10, "note": "50k/10k train/validation split"},
]
TARGETS = {"lenet5-classic": 0.989, "lenet5-modern": 0.995, "lenet5-numpy": 0.985}  # test accuracy, full profile

# The distortions 001 and 004 proposed: small rotations, shifts and zoom, applied to the padded 32x32 image.
AUGMENT = {"degrees": 10,  # rotation up to +-10 degrees
           "translate": (0.1, 0.1),  # shift up to 10% of 32 px (3 px) each way
           "scale": (0.9, 1.1)}  # zoom out or in by up to 10%


def sizes(profile: str, table: dict = SIZES) -> dict:
    """A profile's row of a size table; unknown names fail as everywhere in the repository."""
    profiles.get(profile)
    if profile not in table:
        raise ValueError(f"profile {profile!r} has no single-digit sizes; valid: {', '.join(table)}")
    return table[profile]


def recipe_of(model: str) -> dict:
    if model not in RECIPES:
        raise ValueError(f"unknown model {model!r}; valid: {', '.join(RECIPES)}")
    return RECIPES[model]


# ---------------------------------------------------------------- data

@lru_cache(maxsize=2)
def _mnist(split):
    return mnist.load_split(split)


def split_indices(n: int = 60_000, n_val: int = N_VAL, seed: int = SPLIT_SEED):
    """(train, validation) indices into MNIST train: a seeded permutation, disjoint, 50k/10k."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return perm[n_val:], perm[:n_val]


def load_data(size: dict) -> dict:
    """{'train'|'val'|'test': (uint8 [N,28,28], int64 [N])}, cut to a profile's sizes."""
    images, labels = _mnist("train")
    test_images, test_labels = _mnist("test")
    train_idx, val_idx = split_indices(len(labels))
    train_idx, val_idx = train_idx[:size["train"]], val_idx[:size["val"]]
    return {"train": (images[train_idx], labels[train_idx]), "val": (images[val_idx], labels[val_idx]),
            "test": (test_images[:size["test"]], test_labels[:size["test"]])}


def augmenter() -> v2.Transform:
    return v2.RandomAffine(**AUGMENT, interpolation=v2.InterpolationMode.BILINEAR)


def prepare(images: torch.Tensor, augment=None) -> torch.Tensor:
    """uint8 [B,28,28] -> float32 [B,1,32,32]: zero-pad, optionally distort each image, normalise."""
    x = F.pad(images[:, None], (PAD,) * 4)
    if augment is not None:  # per image: a batched v2 transform would draw one set of parameters for all
        x = torch.stack([augment(img) for img in x])
    return (x.float() / 255 - MEAN) / STD


# ---------------------------------------------------------------- models

class LeNet5(nn.Module):
    """Conv 6@5x5, pool, conv 16@5x5, pool, dense 120, 84, 10 on a 32x32 input.

    As in most re-implementations, C3 connects to all 6 maps (the paper's sparse table
    is left out), C5 is a dense layer on the 16x5x5 maps (the same thing on a 32x32
    input), and the output is a dense layer for softmax instead of RBF units. Weights start
    from LeCun's fan-in rule, which 001 found learns much faster than unit-normal weights
    (PyTorch's default has a third of its variance).
    """

    def __init__(self, act="tanh", pool="avg", batchnorm=False):
        super().__init__()
        act_layer = {"tanh": nn.Tanh, "relu": nn.ReLU}[act]
        pool_layer = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[pool]

        def block(layer, width, norm):  # layer, [batch norm], activation
            return [layer, *([norm(width)] if batchnorm else []), act_layer()]

        self.features = nn.Sequential(*block(nn.Conv2d(1, 6, 5), 6, nn.BatchNorm2d), pool_layer(2),
                                      *block(nn.Conv2d(6, 16, 5), 16, nn.BatchNorm2d), pool_layer(2))
        self.classifier = nn.Sequential(nn.Flatten(), *block(nn.Linear(400, 120), 120, nn.BatchNorm1d),
                                        *block(nn.Linear(120, 84), 84, nn.BatchNorm1d), nn.Linear(84, 10))
        layers = [m for m in self.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        for m in layers:  # fan-in init as the NumPy network: variance 1/fan_in (tanh, output), 2/fan_in (ReLU)
            gain = "relu" if act == "relu" and m is not layers[-1] else "linear"
            nn.init.kaiming_uniform_(m.weight, nonlinearity=gain)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.features(x))


def build(model: str) -> LeNet5:
    recipe = recipe_of(model)
    return LeNet5(recipe["act"], recipe["pool"], recipe["batchnorm"])


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


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


class TorchLearner:
    """What the shared loop drives for a PyTorch model: one SGD step per batch, logits, weights."""

    def __init__(self, model: nn.Module, recipe: dict, device):
        self.model, self.device, self.recipe = model.to(device), torch.device(device), recipe
        weights = [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        rest = [p for p in model.parameters() if all(p is not w for w in weights)]
        self.optimizer = torch.optim.SGD([{"params": weights, "weight_decay": recipe["weight_decay"]},
                                          {"params": rest, "weight_decay": 0.0}],
                                         lr=recipe["lr"], momentum=recipe["momentum"], nesterov=recipe["nesterov"])
        self.augment = augmenter() if recipe["augment"] else None

    def train_batch(self, images, labels, lr):
        """One step; returns (summed loss, number correct) of the batch."""
        self.model.train()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = prepare(images, self.augment).to(self.device), labels.to(self.device)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=self.recipe["label_smoothing"])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item() * len(y), (logits.argmax(1) == y).sum().item()

    @torch.inference_mode()
    def logits(self, images) -> torch.Tensor:
        self.model.eval()
        return torch.cat([self.model(prepare(chunk).to(self.device)).float().cpu()
                          for chunk in images.split(EVAL_BATCH)])

    def state(self) -> dict:
        return {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}

    def load_state(self, state: dict):
        self.model.load_state_dict(state)

    def params(self) -> int:
        return count_params(self.model)


# ---------------------------------------------------------------- training and evaluation

def evaluate(learner, images, labels):
    """(mean loss, accuracy, logits) on a labelled set."""
    logits = learner.logits(images)
    return F.cross_entropy(logits, labels).item(), (logits.argmax(1) == labels).sum().item() / len(labels), logits


def fit(learner, data: dict, recipe: dict, epochs: int, seed: int, model_path, meta: dict, progress=True):
    """Train for `epochs`, validate after each, save the best weights; returns the epoch rows.

    Rows are also written to epochs.csv next to model_path after every epoch.
    """
    (x, y), (vx, vy) = data["train"], data["val"]
    batch = recipe["batch_size"]
    order = torch.Generator().manual_seed(seed)  # shuffling, separate from the weights' seed
    steps = math.ceil(len(y) / batch)
    rows, best = [], -1.0
    for epoch in range(epochs):
        began, loss_sum, correct, seen = time.perf_counter(), 0.0, 0, 0
        lr = lr_at(recipe, epoch, epochs)
        with tqdm(total=len(y), desc=f"epoch {epoch + 1}/{epochs}", unit="img", unit_scale=True,
                  file=sys.stdout, mininterval=2, disable=not progress) as bar:
            for step, idx in enumerate(torch.randperm(len(y), generator=order).split(batch)):
                loss, right = learner.train_batch(x[idx], y[idx], lr_at(recipe, epoch + step / steps, epochs))
                loss_sum, correct, seen = loss_sum + loss, correct + right, seen + len(idx)
                bar.update(len(idx))
                if step % 100 == 99:
                    bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.4f}")
        seconds = time.perf_counter() - began
        val_loss, val_acc, _ = evaluate(learner, vx, vy)
        rows.append({"epoch": epoch + 1, "train_loss": loss_sum / len(y), "train_acc": correct / len(y),
                     "val_loss": val_loss, "val_acc": val_acc, "lr": lr, "seconds": seconds,
                     "val_seconds": time.perf_counter() - began - seconds})
        if val_acc > best:
            best = val_acc
            atomic.torch_save(model_path, {"meta": {**meta, "epoch": epoch + 1, "val_acc": val_acc},
                                           "state_dict": learner.state()})
        if progress:
            print(f"epoch {epoch + 1}: train loss {rows[-1]['train_loss']:.4f} acc {rows[-1]['train_acc']:.4f} | "
                  f"val loss {val_loss:.4f} acc {val_acc:.4f}{' (best)' if val_acc == best else ''} | {seconds:.1f} s")
        write_csv(Path(model_path).parent / "epochs.csv", rows)
    return rows


def test_report(labels: torch.Tensor, logits: torch.Tensor):
    """(metrics, report rows): loss, accuracy, per-class accuracy, confusion matrix, precision/recall/F1."""
    pred = logits.argmax(1)
    cm = confusion_matrix(labels, pred, labels=CLASSES)
    report = classification_report(labels, pred, labels=CLASSES, target_names=[str(c) for c in CLASSES],
                                   output_dict=True, zero_division=0)
    rows = [{"class": k, **({"precision": "", "recall": "", "f1-score": v, "support": len(labels)} if k == "accuracy"
                            else {**v, "support": int(v["support"])})} for k, v in report.items()]
    metrics = {"test_acc": (pred == labels).sum().item() / len(labels),
               "test_loss": F.cross_entropy(logits, labels).item(),
               "n_test": len(labels),
               "per_class_acc": (cm.diagonal() / np.maximum(cm.sum(1), 1)).tolist(),
               "macro_f1": report["macro avg"]["f1-score"], "confusion": cm.tolist()}
    return metrics, rows


def write_csv(path, rows: list):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    atomic.write_text(path, out.getvalue())


def read_csv(path) -> list:
    """Rows of a CSV this module wrote, numbers as numbers."""
    def num(v):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                return v
    with open(path, newline="") as f:
        return [{k: num(v) for k, v in row.items()} for row in csv.DictReader(f)]


@dataclass
class RunResult:
    metrics: dict
    epochs: list  # rows of epochs.csv
    learner: object  # holds the best-validation weights
    test_images: torch.Tensor
    test_labels: torch.Tensor
    test_logits: torch.Tensor
    run_dir: Path

    @property
    def test_pred(self) -> torch.Tensor:
        return self.test_logits.argmax(1)


def _finished(run_dir: Path, config: dict) -> bool:
    paths = [run_dir / f for f in ("metrics.json", "epochs.csv", "model.pt")]
    return (all(p.is_file() for p in paths) and json.loads(paths[0].read_text()).get("config") == config
            and checkpoint.read(paths[2])["meta"].get("config") == config)


def execute(name: str, profile: str, seed: int, recipe: dict, size: dict, epochs: int, make_learner, device,
            force=False, runs_dir=RECORD_DIR, progress=True, extra=None) -> RunResult:
    """One run end to end for any learner: train (or reuse a finished run), test, write the files."""
    config = json.loads(json.dumps({"model": name, "profile": profile, "seed": seed, "epochs": epochs,
                                    "sizes": {k: size[k] for k in ("train", "val", "test")},
                                    "split_seed": SPLIT_SEED, "recipe": recipe}))
    run_dir = Path(runs_dir) / profile / f"{name}_s{seed}"
    data = load_data(size)
    learner = make_learner()
    if not force and _finished(run_dir, config):
        print(f"{name} ({profile}, seed {seed}) is already trained with this config: loading it (force=True retrains).")
        learner.load_state(checkpoint.read(run_dir / "model.pt")["state_dict"])
        rows, metrics = read_csv(run_dir / "epochs.csv"), json.loads((run_dir / "metrics.json").read_text())
        _, _, logits = evaluate(learner, *data["test"])
        return RunResult(metrics, rows, learner, *data["test"], logits, run_dir)

    (run_dir / "metrics.json").unlink(missing_ok=True)  # a half-finished retrain must not look finished
    n = {k: len(v[1]) for k, v in data.items()}
    print(f"Training {name}: {epochs} epochs x {n['train']:,} images (validation {n['val']:,}, test {n['test']:,}), "
          f"batch {recipe['batch_size']}, on {provenance.hardware(device)}.")
    rows = fit(learner, data, recipe, epochs, seed, run_dir / "model.pt", {"model": name, "config": config},
               progress)
    best = checkpoint.read(run_dir / "model.pt")
    learner.load_state(best["state_dict"])
    _, _, logits = evaluate(learner, *data["test"])
    tested, report_rows = test_report(data["test"][1], logits)
    train_seconds = sum(r["seconds"] for r in rows)
    metrics = {"model": name, "profile": profile, "seed": seed, "params": learner.params(), "epochs": epochs,
               "test_acc": tested.pop("test_acc"), "test_loss": tested.pop("test_loss"),
               "best_val_acc": best["meta"]["val_acc"], "best_epoch": best["meta"]["epoch"],
               "train_seconds": train_seconds, "seconds_per_epoch": train_seconds / epochs,
               "n_train": n["train"], "n_val": n["val"], **tested, **provenance.describe(device),
               "numpy": np.__version__, **(extra or {}), "config": config,
               "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    write_csv(run_dir / "classification_report.csv", report_rows)
    fig = plot_confusion(metrics)
    atomic.write_with(run_dir / "confusion.png", lambda f: fig.savefig(f, format="png", dpi=120))
    plt.close(fig)
    atomic.write_json(run_dir / "metrics.json", metrics)
    return RunResult(metrics, rows, learner, *data["test"], logits, run_dir)


def run(model: str = "classic", profile: str = "quick", seed: int = 0, device: str = "auto", force: bool = False,
        runs_dir=RECORD_DIR, progress: bool = True) -> RunResult:
    """Train and test lenet5-<model> ('classic' or 'modern') under a profile; reuse a finished run."""
    recipe, size = recipe_of(model), sizes(profile)
    dev = provenance.resolve_device(device)

    def make_learner():
        torch.manual_seed(seed)  # initial weights and augmentation draws
        return TorchLearner(build(model), recipe, dev)

    return execute(f"lenet5-{model}", profile, seed, recipe, size, size["epochs"][model], make_learner,
                   dev, force, runs_dir, progress)


# ---------------------------------------------------------------- reporting

def summary(metrics: dict) -> str:
    """One line with a run's measured numbers, for notebooks."""
    return (f"{metrics['model']} ({metrics['profile']}, seed {metrics['seed']}): test accuracy "
            f"{100 * metrics['test_acc']:.2f}% (loss {metrics['test_loss']:.4f}, {metrics['n_test']:,} images); "
            f"best validation {100 * metrics['best_val_acc']:.2f}% "
            f"at epoch {metrics['best_epoch']}/{metrics['epochs']}; "
            f"{metrics['params']:,} parameters; {metrics['seconds_per_epoch']:.1f} s per training epoch "
            f"({metrics['n_train']:,} images) on {metrics['hardware']}")


def target_check(metrics: dict) -> str:
    """Whether a run meets its model's test-accuracy target (targets are for the full profile)."""
    target = TARGETS[metrics["model"]]
    verdict = "met" if metrics["test_acc"] >= target else "NOT met"
    note = "" if metrics["profile"] == "full" else f" (a {metrics['profile']} run: the target is for full)"
    return f"{metrics['model']}: {100 * metrics['test_acc']:.2f}% vs target {100 * target:.1f}%: {verdict}{note}"


def comparison(*runs: dict) -> list:
    """Rows for a table: the references' reported test accuracy, then these runs' measured numbers."""
    rows = [{"source": r["source"], "system": r["system"], "epochs": r["epochs"],
             "test accuracy %": (f"{100 * r['test_acc'][0]:.0f}-{100 * r['test_acc'][1]:.0f}"
                                 if isinstance(r["test_acc"], tuple) else f"{100 * r['test_acc']:.2f}"),
             "note": r["note"]} for r in REFERENCES]
    return rows + [{"source": f"this repo ({m['profile']})", "system": m["model"], "epochs": m["epochs"],
                    "test accuracy %": f"{100 * m['test_acc']:.2f}",
                    "note": f"{m['seconds_per_epoch']:.1f} s/epoch, {m['hardware']}"} for m in runs]


def plot_curves(rows: list, title: str = ""):
    """Loss and accuracy per epoch, training and validation."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    epochs = [r["epoch"] for r in rows]
    for ax, what in zip(axes, ("loss", "acc")):
        ax.plot(epochs, [r[f"train_{what}"] for r in rows], "o-", label="train")
        ax.plot(epochs, [r[f"val_{what}"] for r in rows], "o-", label="validation")
        ax.set(xlabel="epoch", ylabel="accuracy" if what == "acc" else "cross-entropy loss", title=f"{title} {what}")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_confusion(metrics: dict):
    """Seaborn heatmap of the test confusion matrix (rows: true digit, columns: predicted)."""
    fig, ax = plt.subplots(figsize=(7, 6))
    cm = np.array(metrics["confusion"])
    sns.heatmap(cm, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax, square=True,
                norm=plt.matplotlib.colors.LogNorm(vmin=1, vmax=max(cm.max(), 2)) if cm.max() > 1 else None)
    ax.set(xlabel="predicted", ylabel="true",
           title=f"{metrics['model']} ({metrics['profile']}): test accuracy {100 * metrics['test_acc']:.2f}%")
    fig.tight_layout()
    return fig


def plot_augmented(images: torch.Tensor, draws: int = 3, seed: int = 0):
    """A few training digits as the model sees them: padded, then `draws` random distortions each."""
    torch.manual_seed(seed)
    transform = augmenter()
    rows = [prepare(images)] + [prepare(images, transform) for _ in range(draws)]
    fig, axes = plt.subplots(len(rows), len(images), figsize=(1.2 * len(images), 1.25 * len(rows)), squeeze=False)
    for r, (axes_row, batch) in enumerate(zip(axes, rows)):
        for ax, img in zip(axes_row, batch):
            ax.imshow(img[0], cmap="gray_r")
            ax.set(xticks=[], yticks=[])
        axes_row[0].set_ylabel("padded" if r == 0 else f"draw {r}")
    fig.suptitle(f"augmentation: rotation +-{AUGMENT['degrees']} deg, shift +-{AUGMENT['translate'][0]:.0%}, "
                 f"zoom {AUGMENT['scale'][0]}-{AUGMENT['scale'][1]}")
    fig.tight_layout()
    return fig


def plot_misclassified(result: RunResult, count: int = 16):
    """The test digits the model got wrong, most confident mistakes first."""
    prob = result.test_logits.softmax(1)
    conf, pred = prob.max(1)
    wrong = (pred != result.test_labels).nonzero().squeeze(1)
    wrong = wrong[conf[wrong].argsort(descending=True)][:count]
    cols, rows = 8, max(1, math.ceil(len(wrong) / 8))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, 1.6 * rows + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong.tolist()):
        ax.imshow(result.test_images[i], cmap="gray_r")
        ax.set_title(f"{result.test_labels[i].item()}→{pred[i].item()} ({conf[i].item():.2f})", fontsize=9)
    fig.suptitle(f"{result.metrics['model']}: {len(wrong)} of {(pred != result.test_labels).sum().item()} "
                 "misclassified test digits (true→predicted, confidence)")
    fig.tight_layout()
    return fig

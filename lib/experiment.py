"""One run of the study, end to end: (version, dataset, profile, seed) -> trained model and metrics files.

Files per run, in res/runs/<profile>/<run name>/:
  metrics.json   config, provenance and test metrics (committed: the results table reads these)
  history.json   per-step training loss and accuracy, per-epoch summaries (committed)
  model.pt       final weights with metadata (git-ignored: up to 186 MB)
  predictions.pt per-test-number prediction, confidence and loss (git-ignored)
  train_state.pt last finished epoch, for resuming an interrupted run (deleted when done)
A finished run with the same config is not trained again unless force=True.
Every run is tested on the fixed test set and on its robust variant (digits moved), and
scored apart on the held-out numbers; split="heldout" trains without them (lib/splits.py).
"""
import json
import time
from math import ceil
from dataclasses import dataclass
from functools import lru_cache

import torch

from . import atomic, checkpoint, mnist, models, profiles, provenance, splits, testsets
from .evaluate import evaluate
from .numbers import DigitBank
from .paths import RUNS_DIR
from .train import train
from .versions import check_run


CHANNELS_LAST = True  # NHWC convolutions for every run: measured against NCHW by bench/bench.py (res/bench/)


@dataclass
class RunResult:
    metrics: dict
    history: dict
    predictions: dict
    test_set: testsets.TestSet
    robust_predictions: dict
    model: torch.nn.Module
    run_dir: object


def seed_list(seeds) -> list:
    """Seeds 0..seeds-1, after checking the notebook parameter."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer (runs per version and dataset), got {seeds!r}")
    return list(range(seeds))


def run_name(version, dataset, seed, c_wraparound=False, split="all") -> str:
    return f"v{version}{dataset}{'-wrap' if c_wraparound else ''}{'-heldout' if split == 'heldout' else ''}_s{seed}"


def config_of(version, dataset, profile, seed, c_wraparound=False, split="all") -> dict:
    """Everything that decides a run's numbers (device and code commit are recorded, not compared)."""
    spec = check_run(version, dataset)
    if c_wraparound and dataset != "C":
        raise ValueError("c_wraparound reproduces a bug of the C pipeline; it does not apply to W")
    if c_wraparound and spec.preprocessing != "resize32":
        raise ValueError(f"c_wraparound reproduces the original's resize32 pipeline; v{version} uses "
                         f"{spec.preprocessing!r}")
    epochs, samples = profiles.schedule(profile, spec)
    return {"version": version, "dataset": dataset, "profile": profile, "seed": seed,
            "preprocessing": spec.preprocessing + ("+wrap" if c_wraparound else ""),
            "epochs": epochs, "samples_per_epoch": samples, "batch_size": spec.batch_size,
            "digit_probs": list(spec.digit_probs), "test_limit": profiles.get(profile).test_limit,
            **({"split": split} if splits.check_split(split) != "all" else {})}  # absent for "all": older runs match


@lru_cache(maxsize=4)
def train_bank(device: str, mnist_dir=None) -> DigitBank:
    images, labels = mnist.load_split("train", mnist_dir=mnist_dir)
    return DigitBank(images, labels, device)


def load_test_set(dataset, profile, variant="clean"):
    return testsets.load(dataset, variant=variant).subset(profiles.get(profile).test_limit)


def fit(model, spec, dataset, preprocessing, epochs, samples_per_epoch, seed, device, **options) -> dict:
    """Train `model` with its version's whole recipe (optimiser, schedule over the whole run, head, augmentation)
    for `epochs` x `samples_per_epoch` fresh numbers; `options` go to lib.train.train (resume, progress, ...)."""
    optimizer = models.optimizer_for(model, spec)
    steps = epochs * ceil(samples_per_epoch / spec.batch_size)
    return train(model, optimizer, train_bank(str(device)), dataset=dataset, preprocessing=preprocessing,
                 digit_probs=spec.digit_probs, batch_size=spec.batch_size, epochs=epochs,
                 samples_per_epoch=samples_per_epoch, seed=seed, head=spec.head,
                 label_smoothing=spec.label_smoothing, augment_digits=spec.augment_digits,
                 augment_layout=spec.augment_layout, scheduler=models.scheduler_for(optimizer, spec, steps),
                 channels_last=CHANNELS_LAST, **options)


def run(version: int, dataset: str, profile: str = "quick", seed: int = 0, device: str = "auto",
        c_wraparound: bool = False, force: bool = False, runs_dir=RUNS_DIR, progress: bool = True,
        notebook: str | None = None, split: str = "all") -> RunResult:
    """Train (or resume, or reuse) and evaluate one run; `notebook` names the notebook that shows it."""
    config = config_of(version, dataset, profile, seed, c_wraparound, split)
    spec = check_run(version, dataset)
    dev = provenance.resolve_device(device)
    run_dir = runs_dir / profile / run_name(version, dataset, seed, c_wraparound, split)
    paths = {k: run_dir / f for k, f in (("metrics", "metrics.json"), ("history", "history.json"),
                                         ("model", "model.pt"), ("predictions", "predictions.pt"),
                                         ("state", "train_state.pt"))}
    test_set = load_test_set(dataset, profile)
    torch.manual_seed(seed)  # the initial weights
    model = models.build(version, dataset, channels_last=CHANNELS_LAST).to(dev)

    done = not force and paths["model"].is_file() and paths["history"].is_file()
    if done:
        meta = checkpoint.read(paths["model"])["meta"]
        done = meta.get("config") == config
    if done:
        print(f"{run_dir.name} ({profile}) is already trained with this config: loading it (force=True retrains).")
        checkpoint.load_into(model, paths["model"], **{k: config[k] for k in checkpoint.IDENTITY})
        history = json.loads(paths["history"].read_text())
    else:
        if force:
            paths["state"].unlink(missing_ok=True)
        print(f"Training {run_dir.name}: {config['epochs']} epochs x {config['samples_per_epoch']:,} numbers, "
              f"batch {config['batch_size']}, on {provenance.hardware(dev)}.")
        history = fit(model, spec, dataset, config["preprocessing"], config["epochs"], config["samples_per_epoch"],
                      seed, dev, state_path=paths["state"], identity=config, progress=progress,
                      exclude=splits.excluded(split))
        history["provenance"] = provenance.describe(dev)  # where and from which code it was trained
        atomic.write_json(paths["history"], history)

    began = time.perf_counter()
    metrics, predictions = evaluate(model, test_set, config["preprocessing"], dev, head=spec.head)
    robust_set = load_test_set(dataset, profile, "robust")
    robust, robust_predictions = evaluate(model, robust_set, config["preprocessing"], dev, head=spec.head)
    robust = {f"robust_{k}": robust[k] for k in ("test_acc", "test_loss", "acc_1digit", "acc_2digit", "acc_3digit")}
    reported_loss, reported_acc = spec.reported.get(dataset, (None, None))
    metrics = {**config, "params": models.count_params(model), "train_loss_final": history["train_loss_final"],
               **metrics, **robust, "train_seconds": history["train_seconds"], "eval_seconds": time.perf_counter() - began,
               "reported_loss": reported_loss, "reported_acc": reported_acc, **history["provenance"],
               "eval_commit": provenance.commit(), "notebook": notebook, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if not done:
        checkpoint.save(paths["model"], model, {**{k: config[k] for k in checkpoint.IDENTITY}, "config": config,
                                                "metrics": {k: metrics[k] for k in ("test_acc", "test_loss")},
                                                "commit": metrics["commit"]})
        paths["state"].unlink(missing_ok=True)
    atomic.torch_save(paths["predictions"], {**predictions, "robust": robust_predictions})
    atomic.write_json(paths["metrics"], metrics)
    return RunResult(metrics, history, predictions, test_set, robust_predictions, model, run_dir)

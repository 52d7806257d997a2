"""One run of the study, as a straight line: key -> its config -> load or train the model -> score it -> write
its record.

A run's *record* (committed) is res/runs/<profile>/<run name>/ (lib/infra/store.py):
  metrics.json   config, provenance, validation and test metrics (the results table reads these)
  history.json   per-epoch summaries (loss, validation accuracy, seconds) and 50-step means of the batches
  errors.json    the misread test numbers (index, prediction, confidence), for galleries
Its *state* (never committed) is $RUNS_DIR/<profile>/<run name>/:
  model.pt       final weights with the run's config (up to 186 MB)
  train_state.pt the last finished epoch, for resuming an interrupted run (deleted when done)
  predictions.pt per-test-number prediction, confidence and loss

A run's identity is its config (config_of). Every run is validated after each epoch on fixed validation
numbers made of MNIST train digits that no training draw uses, tested once at the end on the fixed test set
and each of its variants, and scored apart on the held-out numbers; split="heldout" trains without them
(lib/data/splits.py). A finished run whose model is not on this machine is shown from its record (shown).
"""

import json
import statistics
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from ..data import mnist, splits, testsets
from ..data.numbers import DigitBank
from ..infra import atomic, checkpoint, provenance, store
from ..infra.paths import RECORD_DIR, relative
from . import models, profiles
from .evaluate import evaluate
from .precision import resolve as resolve_precision
from .run_key import RunKey
from .train import train

CHANNELS_LAST = True  # NHWC convolutions for every run: measured against NCHW by bench/bench.py (res/bench/)
SCORE_KEYS = ("test_acc", "test_loss", "acc_1digit", "acc_2digit", "acc_3digit")  # kept as val_*, <variant>_*
VARIANTS = [v for v in testsets.VARIANTS if v != "clean"]  # every run is scored on each


@dataclass
class RunResult:
    metrics: dict
    history: dict
    predictions: dict  # pred and confidence per test number (confidence NaN where a record only kept errors)
    test_set: testsets.TestSet
    variant_predictions: dict  # test-set variant (other than clean) -> predictions on it
    model: torch.nn.Module | None  # None when shown from the committed record
    run_dir: Path  # the record's folder
    from_record: bool = False

    @property
    def robust_predictions(self) -> dict:
        return self.variant_predictions["robust"]

    @property
    def key(self) -> RunKey:
        return RunKey.of(self.metrics)


def config_of(key: RunKey, profile: str, compute: str = "fp32") -> dict:
    """Everything that decides a run's numbers, and so its identity (device and code commit are recorded, not
    compared)."""
    if compute not in ("fp32", "bf16"):
        raise ValueError(f"compute must be a resolved precision, fp32 or bf16, got {compute!r}")
    spec = key.spec
    epochs, samples = profiles.schedule(profile, spec)
    return {
        "version": key.version,
        "dataset": key.dataset,
        "profile": profile,
        "seed": key.seed,
        "preprocessing": key.preprocessing,
        "epochs": epochs,
        "samples_per_epoch": samples,
        "batch_size": spec.batch_size,
        "digit_probs": list(spec.digit_probs),
        "test_limit": profiles.get(profile).test_limit,
        "precision": compute,
        "validation_digits": 10 * splits.VALIDATION_PER_DIGIT,
        "recipe": spec.recipe_digest,
        **({"split": key.split} if key.split != "all" else {}),
    }


def record_files(profile, name, record_dir=RECORD_DIR) -> dict:
    folder = store.record_folder(profile, name, record_dir)
    return {k: folder / f"{k}.json" for k in ("metrics", "history", "errors")}


def state_files(profile, name, runs_dir=None) -> dict:
    folder = store.state_folder(profile, name, runs_dir)
    return {k: folder / f"{k}.pt" for k in ("model", "train_state", "predictions")}


def finished_config(key: RunKey, profile: str, device="auto", precision="auto") -> dict:
    """The config a finished record must hold to be this run. With precision "auto" a record of either precision
    is: auto is a choice each machine makes when it trains, stated by the record, not part of what the run is."""
    config = config_of(key, profile, resolve_precision(precision, provenance.resolve_device(device)))
    return {k: v for k, v in config.items() if k != "precision" or precision != "auto"}


def finished(key: RunKey, profile: str, device="auto", precision="auto", record_dir=RECORD_DIR) -> bool:
    """True when the run's record exists and was made with the config this code would use."""
    folder = store.record_folder(profile, key.name, record_dir)
    return store.recorded(folder, finished_config(key, profile, device, precision)) is not None


@lru_cache(maxsize=4)
def train_bank(device: str, mnist_dir=None) -> DigitBank:
    """MNIST train digits that training may draw: all but the validation digits."""
    images, labels = mnist.load_split("train", mnist_dir=mnist_dir)
    keep = splits.training_digits(labels)
    return DigitBank(images[keep], labels[keep], device, indices=keep)


def load_test_set(dataset, profile, variant="clean"):
    return testsets.load(dataset, variant=variant).subset(profiles.get(profile).test_limit)


def load_val_set(dataset, profile):
    return testsets.load(dataset, part="val").subset(profiles.get(profile).val_limit)


def validator(val_set, preprocessing, device, head):
    """A function model -> {val_acc, val_loss, val_acc_1digit, ...} on the fixed validation numbers."""

    def validate(model):
        metrics, _ = evaluate(model, val_set, preprocessing, device, head=head)
        return {f"val_{k.removeprefix('test_')}": metrics[k] for k in SCORE_KEYS}

    return validate


def fit(
    model, spec, dataset, preprocessing, epochs, samples_per_epoch, seed, device, compute="fp32", **options
) -> dict:
    """Train `model` with its version's whole recipe for `epochs` x `samples_per_epoch` fresh numbers;
    `options` go to lib.study.train.train (state_path, identity, progress, validate, after_epoch, exclude)."""
    return train(
        model,
        spec,
        train_bank(str(device)),
        dataset=dataset,
        preprocessing=preprocessing,
        epochs=epochs,
        samples_per_epoch=samples_per_epoch,
        seed=seed,
        compute=compute,
        channels_last=CHANNELS_LAST,
        **options,
    )


def ensemble_members(key: RunKey) -> list:
    """The runs an ensemble version averages: its parent version's seeds key.seed * n .. key.seed * n + n - 1."""
    n = key.spec.ensemble
    return [RunKey(key.spec.parent, key.dataset, key.seed * n + i, key.wrap, key.split) for i in range(n)]


def trained_model(key: RunKey, profile: str, device="cpu", compute="fp32", record_dir=RECORD_DIR, runs_dir=None):
    """(model, history) of a run whose checkpoint with this config is on this machine, else None. An ensemble is
    built from its members' checkpoints, its history from theirs."""
    config = config_of(key, profile, compute)
    if key.spec.ensemble:
        found = [trained_model(m, profile, device, compute, record_dir, runs_dir) for m in ensemble_members(key)]
        if None in found:
            return None
        histories = [h for _, h in found]
        history = {
            "members": [m.name for m in ensemble_members(key)],
            "epochs": [],
            "train_seconds": sum(h["train_seconds"] for h in histories),
            "train_loss_final": statistics.mean(h["train_loss_final"] for h in histories),
            "others_cores": max((h.get("others_cores") or 0) for h in histories),
            "provenance": provenance.describe(device),
        }
        return models.Ensemble([m for m, _ in found], key.spec.head).to(device), history
    record, state = record_files(profile, key.name, record_dir), state_files(profile, key.name, runs_dir)
    if not (state["model"].is_file() and record["history"].is_file()):
        return None
    if not store.same_config(checkpoint.read(state["model"])["meta"], config):
        return None
    model = models.build(key.version, key.dataset, channels_last=CHANNELS_LAST).to(device)
    checkpoint.load_into(model, state["model"])
    return model, json.loads(record["history"].read_text())


def _from_errors(test_set, errors: dict) -> dict:
    """Per-number predictions rebuilt from a record's errors: right where not listed; confidence only for errors."""
    pred = test_set.labels.clone()
    confidence = torch.full((len(test_set),), float("nan"))
    index = torch.tensor(errors["index"], dtype=torch.long)
    pred[index] = torch.tensor(errors["pred"], dtype=torch.long)
    confidence[index] = torch.tensor(errors["confidence"], dtype=torch.float)
    return {"pred": pred, "confidence": confidence}


def _errors(test_set, predictions) -> dict:
    wrong = (predictions["pred"] != test_set.labels).nonzero().squeeze(1)
    return {
        "index": wrong.tolist(),
        "pred": predictions["pred"][wrong].tolist(),
        "confidence": [round(c, 4) for c in predictions["confidence"][wrong].tolist()],
    }


def shown(key: RunKey, profile: str, device="auto", precision="auto", record_dir=RECORD_DIR) -> RunResult | None:
    """A finished run shown by reading its record (metrics, history, and the predictions its errors imply), without
    its model; None when the record is absent, incomplete or of another config."""
    record = record_files(profile, key.name, record_dir)
    metrics = store.recorded(record["metrics"].parent, finished_config(key, profile, device, precision))
    if metrics is None or not record["errors"].is_file():
        return None
    print(
        f"{key.name} ({profile}): shown from its record ({relative(record['metrics'].parent)}, trained at commit "
        f"{metrics['commit']} on {metrics['hardware']}); its model is not on this machine (force=True retrains it)."
    )
    errors = json.loads(record["errors"].read_text())
    test_set = load_test_set(key.dataset, profile)
    variants = {v: _from_errors(load_test_set(key.dataset, profile, v), errors[v]) for v in VARIANTS if v in errors}
    history = json.loads(record["history"].read_text())
    test = _from_errors(test_set, errors["clean"])
    return RunResult(metrics, history, test, test_set, variants, None, record["metrics"].parent, True)


def _trained(key, profile, config, state, dev, progress):
    """A new model trained with the run's recipe (resuming from its training state), saved with its config."""
    torch.manual_seed(key.seed)  # the initial weights
    model = models.build(key.version, key.dataset, channels_last=CHANNELS_LAST).to(dev)
    val_set = load_val_set(key.dataset, profile)
    print(
        f"Training {key.name}: {config['epochs']} epochs x {config['samples_per_epoch']:,} numbers, batch "
        f"{config['batch_size']}, {config['precision']}, on {provenance.hardware(dev)}; validated on "
        f"{len(val_set):,} numbers after each epoch."
    )
    history = fit(
        model,
        key.spec,
        key.dataset,
        config["preprocessing"],
        config["epochs"],
        config["samples_per_epoch"],
        key.seed,
        dev,
        config["precision"],
        state_path=state["train_state"],
        identity=config,
        progress=progress,
        exclude=splits.excluded(key.split),
        validate=validator(val_set, config["preprocessing"], dev, key.spec.head),
    )
    history["provenance"] = provenance.describe(dev)  # where and from which code it was trained
    meta = {k: config[k] for k in checkpoint.IDENTITY} | {"config": config, "commit": provenance.commit()}
    checkpoint.save(state["model"], model, meta)
    state["train_state"].unlink(missing_ok=True)
    state["train_state"].with_suffix(".json").unlink(missing_ok=True)
    return model, history


def _score(key, profile, config, model, history, dev, notebook) -> tuple:
    """Metrics of a trained model: the test set once and each test-set variant, the whole validation set (or
    the profile's part); with the run's config and provenance. Also the per-number predictions."""
    spec, began = key.spec, time.perf_counter()
    sets = {v: load_test_set(key.dataset, profile, v) for v in ["clean", *VARIANTS]}
    metrics, predictions = evaluate(model, sets["clean"], config["preprocessing"], dev, head=spec.head)
    variants, scored = {}, {}
    for v in VARIANTS:
        variant_metrics, variants[v] = evaluate(model, sets[v], config["preprocessing"], dev, head=spec.head)
        scored.update({f"{v}_{k}": variant_metrics[k] for k in SCORE_KEYS})
    val_set = testsets.load(key.dataset, part="val").subset(profiles.final_val_limit(profile))
    val = validator(val_set, config["preprocessing"], dev, spec.head)(model)
    reported = spec.reported.get(key.dataset)
    metrics = {
        **config,
        "params": models.count_params(model),
        "train_loss_final": history["train_loss_final"],
        **metrics,
        **scored,
        **val,
        "train_seconds": history["train_seconds"],
        "train_others_cores": history.get("others_cores"),
        "eval_seconds": time.perf_counter() - began,
        "reported_loss": reported and reported.loss,
        "reported_acc": reported and reported.acc,
        **history["provenance"],
        "eval_commit": provenance.commit(),
        "notebook": notebook,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return metrics, predictions, variants, sets


def run(
    key: RunKey,
    profile: str = "quick",
    device: str = "auto",
    *,
    force: bool = False,
    train: bool = True,
    precision: str = "auto",
    progress="bar",
    notebook: str | None = None,
    record_dir=RECORD_DIR,
    runs_dir=None,
) -> RunResult | None:
    """Load (from its checkpoint) or train one run, score it and write its record; `notebook` names the notebook
    that shows it. None when its model is not on this machine and train=False (an ensemble: when a member's is
    not; lib.study.plan.run_shown trains them first)."""
    provenance.commit()  # read once per process, now: the code that trains is the code recorded
    dev = provenance.resolve_device(device)
    config = config_of(key, profile, resolve_precision(precision, dev))
    record, state = record_files(profile, key.name, record_dir), state_files(profile, key.name, runs_dir)
    fresh = force and not key.spec.ensemble  # an ensemble trains nothing: it is built from its members
    found = None if fresh else trained_model(key, profile, dev, config["precision"], record_dir, runs_dir)
    if found is None and (key.spec.ensemble or not train):
        return None
    if found is not None:
        print(f"{key.name} ({profile}) is already trained with this config: evaluating it (force=True retrains).")
    model, history = found or _trained(key, profile, config, state, dev, progress)
    metrics, predictions, variants, sets = _score(key, profile, config, model, history, dev, notebook)
    atomic.write_json(record["history"], history)
    atomic.torch_save(state["predictions"], {**predictions, **variants})
    errors = {v: _errors(sets[v], variants.get(v, predictions)) for v in sets}
    atomic.write_json(record["errors"], errors, compact=True)
    atomic.write_json(record["metrics"], metrics)
    return RunResult(metrics, history, predictions, sets["clean"], variants, model, record["metrics"].parent)

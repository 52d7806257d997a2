"""One run of the study, end to end: (version, dataset, profile, seed, ...) -> trained model and its record.

A run's *record* (committed) is res/runs/<profile>/<run name>/:
  metrics.json   config, provenance, validation and test metrics (the results table reads these)
  history.json   per-epoch summaries (loss, validation accuracy, seconds) and 50-step means of the batches
  errors.json    the misclassified test numbers (index, prediction, confidence), for galleries
Its *state* (never committed) is $RUNS_DIR/<profile>/<run name>/ (lib/infra/paths.py):
  model.pt       final weights with metadata (up to 186 MB)
  train_state.pt the last finished epoch, for resuming an interrupted run (deleted when done)
  predictions.pt per-test-number prediction, confidence and loss

A finished run with the same config is never trained again unless force=True: with its checkpoint it is
evaluated again; without it, a profile that keeps records (full, cpu) shows the committed record and
says so. With train=False nothing is trained: a run not finished yet is reported as pending (None).
Every run is validated after each epoch on fixed validation numbers made of MNIST train digits that no
training draw uses, tested once at the end on the fixed test set and each of its variants, and scored
apart on the held-out numbers; split="heldout" trains without them (lib/data/splits.py).
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
from ..infra import atomic, checkpoint, provenance
from ..infra.paths import RECORD_DIR, relative, state_dir
from . import models, profiles
from .evaluate import evaluate
from .precision import resolve as resolve_precision
from .run_key import RunKey
from .train import same_run, train
from .versions import get

CHANNELS_LAST = True  # NHWC convolutions for every run: measured against NCHW by bench/bench.py (res/bench/)
VAL_KEYS = ("test_acc", "test_loss", "acc_1digit", "acc_2digit", "acc_3digit")  # kept as val_* per epoch
VARIANT_KEYS = VAL_KEYS  # kept as <variant>_* for each test-set variant
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
    """Everything that decides a run's numbers (device and code commit are recorded, not compared)."""
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
    }  # absent for "all": older runs match


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
        return {f"val_{k.removeprefix('test_')}": metrics[k] for k in VAL_KEYS}

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


def _matches(record: dict, config: dict) -> bool:
    return same_run(record, config)


def _errors(test_set, predictions) -> dict:
    wrong = (predictions["pred"] != test_set.labels).nonzero().squeeze(1)
    return {
        "index": wrong.tolist(),
        "pred": predictions["pred"][wrong].tolist(),
        "confidence": [round(c, 4) for c in predictions["confidence"][wrong].tolist()],
    }


def _from_errors(test_set, errors: dict) -> dict:
    """Per-number predictions rebuilt from a record's errors: right where not listed; confidence only for errors."""
    pred = test_set.labels.clone()
    confidence = torch.full((len(test_set),), float("nan"))
    index = torch.tensor(errors["index"], dtype=torch.long)
    pred[index] = torch.tensor(errors["pred"], dtype=torch.long)
    confidence[index] = torch.tensor(errors["confidence"], dtype=torch.float)
    return {"pred": pred, "confidence": confidence}


def finished(key: RunKey, profile: str, device="auto", precision="auto", record_dir=RECORD_DIR) -> bool:
    """True when the run's record exists and was made with the config this code would use."""
    compute = resolve_precision(precision, provenance.resolve_device(device))
    path = record_files(profile, key.name, record_dir)["metrics"]
    config = config_of(key, profile, compute)
    return path.is_file() and _matches(json.loads(path.read_text()), config)


def record_files(profile, name, record_dir=RECORD_DIR) -> dict:
    folder = Path(record_dir) / profile / name
    return {k: folder / f"{k}.json" for k in ("metrics", "history", "errors")}


def state_files(profile, name, runs_dir=None) -> dict:
    folder = Path(runs_dir or state_dir()) / profile / name
    return {k: folder / f"{k}.pt" for k in ("model", "train_state", "predictions")}


def _shown_from_record(key, profile, config, record, state, test_set, variant_sets) -> RunResult | None:
    """The committed record of a finished run whose checkpoint is absent, in a profile that keeps records."""
    if not (profiles.get(profile).keeps_record and record["metrics"].is_file() and record["errors"].is_file()):
        return None
    metrics = json.loads(record["metrics"].read_text())
    if not _matches(metrics, config):
        return None
    errors = json.loads(record["errors"].read_text())
    print(
        f"{key.name} ({profile}): shown from its committed record ({relative(record['metrics'].parent)}, "
        f"trained at commit {metrics['commit']} on {metrics['hardware']}); its checkpoint is not in "
        f"{relative(state['model'].parent)}, so it is not evaluated again (force=True retrains it)."
    )
    variants = {v: _from_errors(variant_sets[v], errors[v]) for v in VARIANTS if v in errors}
    history = json.loads(record["history"].read_text())
    test = _from_errors(test_set, errors["clean"])
    return RunResult(metrics, history, test, test_set, variants, None, record["metrics"].parent, True)


def _trained(key, profile, config, state, record, dev, compute, progress):
    """The run's model and history: trained (resuming from its state), with its history written."""
    spec = key.spec
    torch.manual_seed(key.seed)  # the initial weights
    model = models.build(key.version, key.dataset, channels_last=CHANNELS_LAST).to(dev)
    val_set = load_val_set(key.dataset, profile)
    print(
        f"Training {key.name}: {config['epochs']} epochs x {config['samples_per_epoch']:,} numbers, batch "
        f"{config['batch_size']}, {compute}, on {provenance.hardware(dev)}; validated on {len(val_set):,} "
        "numbers after each epoch."
    )
    history = fit(
        model,
        spec,
        key.dataset,
        config["preprocessing"],
        config["epochs"],
        config["samples_per_epoch"],
        key.seed,
        dev,
        compute,
        state_path=state["train_state"],
        identity=config,
        progress=progress,
        exclude=splits.excluded(key.split),
        validate=validator(val_set, config["preprocessing"], dev, spec.head),
    )
    history["provenance"] = provenance.describe(dev)  # where and from which code it was trained
    atomic.write_json(record["history"], history)
    return model, history


def trained_model(key: RunKey, profile: str, device="cpu", compute="fp32", record_dir=RECORD_DIR, runs_dir=None):
    """(model, history) of a finished run whose checkpoint is on this machine, without evaluating it; else None."""
    config = config_of(key, profile, compute)
    record, state = record_files(profile, key.name, record_dir), state_files(profile, key.name, runs_dir)
    if key.spec.ensemble:  # no weights of its own: its members' checkpoints, and its record's history
        members = [trained_model(m, profile, device, compute, record_dir, runs_dir) for m in ensemble_members(key)]
        if None in members or not record["history"].is_file():
            return None
        model = models.Ensemble([m for m, _ in members], key.spec.head).to(device)
        return model, json.loads(record["history"].read_text())
    if not (state["model"].is_file() and record["history"].is_file()):
        return None
    if not same_run(checkpoint.read(state["model"])["meta"].get("config") or {}, config):
        return None
    model = models.build(key.version, key.dataset, channels_last=CHANNELS_LAST).to(device)
    checkpoint.load_into(model, state["model"], **{k: config[k] for k in checkpoint.IDENTITY})
    return model, json.loads(record["history"].read_text())


def ensemble_members(key: RunKey) -> list:
    """The runs an ensemble version averages: its parent version's seeds key.seed * n .. key.seed * n + n - 1."""
    n = key.spec.ensemble
    return [RunKey(key.spec.parent, key.dataset, key.seed * n + i, key.wrap, key.split) for i in range(n)]


def _ensemble(key, profile, dev, compute, options) -> tuple:
    """An ensemble version's model and history: its members (ensemble_members), reused from their checkpoints
    or trained like any run; the ensemble averages their probabilities."""
    parent = key.spec.parent
    members, histories, names = [], [], []
    for member in ensemble_members(key):
        found = trained_model(member, profile, dev, compute, options["record_dir"], options["runs_dir"])
        if found is None:
            result = run(member, profile, **{**options, "notebook": get(parent).notebook})
            found = None if result is None or result.model is None else (result.model, result.history)
        if found is None:
            return None, None  # a member is not trained here (or only its record is): nothing to average
        members.append(found[0])
        histories.append(found[1])
        names.append(member.name)
    history = {
        "members": names,
        "epochs": [],
        "train_seconds": sum(h["train_seconds"] for h in histories),
        "train_loss_final": statistics.mean(h["train_loss_final"] for h in histories),
        "others_cores": max((h.get("others_cores") or 0) for h in histories),
        "provenance": provenance.describe(dev),
    }
    return models.Ensemble(members, key.spec.head).to(dev), history


def _score(key, profile, config, model, history, test_set, variant_sets, dev, notebook) -> tuple:
    """Metrics of a trained model: the whole validation set (or the profile's part), the test set once, and
    each test-set variant; with the run's config and provenance."""
    spec, began = key.spec, time.perf_counter()
    metrics, predictions = evaluate(model, test_set, config["preprocessing"], dev, head=spec.head)
    variants, scored = {}, {}
    for v, variant_set in variant_sets.items():
        variant_metrics, variants[v] = evaluate(model, variant_set, config["preprocessing"], dev, head=spec.head)
        scored.update({f"{v}_{k}": variant_metrics[k] for k in VARIANT_KEYS})
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
    return metrics, predictions, variants


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
    """Train (or resume, or reuse, or show from the record) and evaluate one run; `notebook` names the
    notebook that shows it. Returns None when train=False and the run has not finished."""
    provenance.commit()  # read once per process, now: the code that trains is the code recorded
    dev = provenance.resolve_device(device)
    compute = resolve_precision(precision, dev)
    config = config_of(key, profile, compute)
    record, state = record_files(profile, key.name, record_dir), state_files(profile, key.name, runs_dir)
    test_set = load_test_set(key.dataset, profile)
    variant_sets = {v: load_test_set(key.dataset, profile, v) for v in VARIANTS}

    checkpointed = not force and state["model"].is_file() and record["history"].is_file()
    if checkpointed:
        checkpointed = same_run(checkpoint.read(state["model"])["meta"].get("config") or {}, config)
    if not checkpointed and not force:
        shown = _shown_from_record(key, profile, config, record, state, test_set, variant_sets)
        if shown is not None:
            return shown
    if key.spec.ensemble:
        options = dict(
            device=device,
            force=force,
            train=train,
            precision=precision,
            progress=progress,
            record_dir=record_dir,
            runs_dir=runs_dir,
        )
        model, history = _ensemble(key, profile, dev, compute, options)
        if model is None:
            print(f"{key.name} ({profile}): its members are not all trained and on this machine; nothing to average.")
            return None
        checkpointed = True  # made of finished runs: nothing of its own to save
    elif checkpointed:
        print(
            f"{key.name} ({profile}) is already trained with this config: evaluating its checkpoint "
            "(force=True retrains)."
        )
        model = models.build(key.version, key.dataset, channels_last=CHANNELS_LAST).to(dev)
        checkpoint.load_into(model, state["model"], **{k: config[k] for k in checkpoint.IDENTITY})
        history = json.loads(record["history"].read_text())
    elif not train:
        print(f"{key.name} ({profile}): not trained yet; train=False, so it is left for the training queue.")
        return None
    else:
        if force:
            state["train_state"].unlink(missing_ok=True)
        model, history = _trained(key, profile, config, state, record, dev, compute, progress)

    metrics, predictions, variants = _score(key, profile, config, model, history, test_set, variant_sets, dev, notebook)
    if key.spec.ensemble:
        atomic.write_json(record["history"], history)
    elif not checkpointed:
        checkpoint.save(
            state["model"],
            model,
            {
                **{k: config[k] for k in checkpoint.IDENTITY},
                "config": config,
                "metrics": {k: metrics[k] for k in ("test_acc", "test_loss")},
                "commit": metrics["commit"],
            },
        )
        state["train_state"].unlink(missing_ok=True)
        state["train_state"].with_suffix(".json").unlink(missing_ok=True)
    atomic.torch_save(state["predictions"], {**predictions, **variants})
    atomic.write_json(
        record["errors"],
        {"clean": _errors(test_set, predictions), **{v: _errors(variant_sets[v], variants[v]) for v in VARIANTS}},
        compact=True,
    )
    atomic.write_json(record["metrics"], metrics)
    return RunResult(metrics, history, predictions, test_set, variants, model, record["metrics"].parent)

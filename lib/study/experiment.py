"""One run of the study, top to bottom: key -> its config -> load or train the model -> score it -> write its record.

The record is committed (res/runs/<profile>/<name>/*.json); the state is not ($RUNS_DIR/<profile>/<name>/*.pt)."""

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
from . import heads, models, profiles
from . import train as training
from .evaluate import evaluate
from .run_key import RunKey
from .train import resolve_precision

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

    @property
    def key(self) -> RunKey:
        return RunKey.of(self.metrics)


def config_of(key: RunKey, profile: str, compute: str = "fp32") -> dict:
    """Everything that decides a run's numbers, and so its identity (device and commit are recorded, not compared)."""
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


def finished(key: RunKey, profile: str, device="auto", precision="auto", record_dir=RECORD_DIR) -> dict | None:
    """The metrics of this run's record, else None; under "auto" of either precision (the record states which)."""
    config = config_of(key, profile, resolve_precision(precision, provenance.resolve_device(device)))
    config = {k: v for k, v in config.items() if k != "precision" or precision != "auto"}
    return store.recorded(store.record_folder(profile, key.name, record_dir), config)


@lru_cache(maxsize=4)
def train_bank(device: str, mnist_dir=None) -> DigitBank:
    """MNIST train digits that training may draw: all but the validation digits."""
    images, labels = mnist.load_split("train", mnist_dir=mnist_dir)
    keep = splits.training_digits(labels)
    return DigitBank(images[keep], labels[keep], device, indices=keep)


def load_test_set(dataset, profile, variant="clean", final=False):
    """A fixed set cut to the profile's size; "val": a finished run's validation numbers (`final`) or each epoch's."""
    if variant != "val":
        return testsets.load(dataset, variant=variant).subset(profiles.get(profile).test_limit)
    limit = profiles.final_val_limit(profile) if final else profiles.get(profile).val_limit
    return testsets.load(dataset, part="val").subset(limit)


def ensemble_members(key: RunKey) -> list:
    """The runs an ensemble version averages: its parent version's seeds key.seed * n .. key.seed * n + n - 1."""
    n = key.spec.ensemble
    return [RunKey(key.spec.parent, key.dataset, key.seed * n + i, key.wrap, key.split) for i in range(n)]


def load_trained(model, key: RunKey, profile: str, compute="fp32", record_dir=RECORD_DIR, runs_dir=None):
    """Load this config's checkpoint (an ensemble: each member's) into `model`; the history, None if one is missing."""
    members = ensemble_members(key) if key.spec.ensemble else [key]
    histories = []
    for member, part in zip(members, model.members if key.spec.ensemble else [model]):
        config = config_of(member, profile, compute)
        model_pt = state_files(profile, member.name, runs_dir)["model"]
        history = record_files(profile, member.name, record_dir)["history"]
        if not (
            model_pt.is_file() and history.is_file() and store.same_config(checkpoint.read(model_pt)["meta"], config)
        ):
            return None
        checkpoint.load_into(part, model_pt)
        histories.append(json.loads(history.read_text()))
    if not key.spec.ensemble:
        return histories[0]
    return {
        "members": [m.name for m in members],
        "epochs": [],
        "train_seconds": sum(h["train_seconds"] for h in histories),
        "train_loss_final": statistics.mean(h["train_loss_final"] for h in histories),
        "others_cores": max((h.get("others_cores") or 0) for h in histories),
        "provenance": provenance.describe(next(model.parameters()).device),
    }


def trained_model(key: RunKey, profile: str, device="cpu", compute="fp32", record_dir=RECORD_DIR, runs_dir=None):
    """(model, history) from the checkpoints of this config on this machine, else None."""
    model = models.network(key.spec, key.dataset, CHANNELS_LAST).to(device)
    history = load_trained(model, key, profile, compute, record_dir, runs_dir)
    return None if history is None else (model, history)


def _from_errors(test_set, errors: dict) -> dict:
    """Per-number predictions rebuilt from a record's errors: right where not listed; confidence only for errors."""
    pred = test_set.labels.clone()
    confidence = torch.full((len(test_set),), float("nan"))
    index = torch.tensor(errors["index"], dtype=torch.long)
    pred[index] = torch.tensor(errors["pred"], dtype=torch.long)
    confidence[index] = torch.tensor(errors["confidence"], dtype=torch.float)
    return {"pred": pred, "confidence": confidence}


def shown(key: RunKey, profile: str, device="auto", precision="auto", record_dir=RECORD_DIR, runs_dir=None):
    """A finished run read from its record, never scored again, with its model where its checkpoint is on this
    machine; None unless a complete record of this config exists."""
    record = record_files(profile, key.name, record_dir)
    metrics = finished(key, profile, device, precision, record_dir)
    if metrics is None or not record["errors"].is_file():
        return None
    dev = provenance.resolve_device(device)
    found = trained_model(key, profile, dev, metrics["precision"], record_dir, runs_dir)
    model = found[0] if found else None
    print(
        f"{key.name} ({profile}): shown from its record ({relative(record['metrics'].parent)}, trained at commit "
        f"{metrics['commit']} on {metrics['hardware']}); "
        + ("its model loaded from its checkpoint." if model else "its model is not on this machine.")
    )
    errors = json.loads(record["errors"].read_text())
    sets = {v: load_test_set(key.dataset, profile, v) for v in ["clean", *VARIANTS] if v in errors}
    predictions = {v: _from_errors(s, errors[v]) for v, s in sets.items()}
    history = json.loads(record["history"].read_text())
    test = predictions.pop("clean")
    return RunResult(metrics, history, test, sets["clean"], predictions, model, record["metrics"].parent)


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
    """Load (from its checkpoint) or train one run, score it and write its record; None when its model (an
    ensemble: a member's) is not on this machine and train=False (lib.study.plan.run_shown trains members first)."""
    provenance.commit()  # read once per process, now: the code that trains is the code recorded
    dev = provenance.resolve_device(device)
    config = config_of(key, profile, resolve_precision(precision, dev))
    record, state = record_files(profile, key.name, record_dir), state_files(profile, key.name, runs_dir)
    pre, head, spec = config["preprocessing"], key.spec.head, key.spec
    sets = {v: load_test_set(key.dataset, profile, v, final=True) for v in ["clean", *VARIANTS, "val"]}
    torch.manual_seed(key.seed)  # the initial weights
    model = models.network(spec, key.dataset, CHANNELS_LAST).to(dev)  # an ensemble: of untrained members
    history = None  # an ensemble trains nothing: it is built from its members' checkpoints
    if not force or spec.ensemble:
        history = load_trained(model, key, profile, config["precision"], record_dir, runs_dir)
    if history is None and (spec.ensemble or not train):
        return None
    if history is not None:
        print(f"{key.name} ({profile}) is already trained with this config: evaluating it (force=True retrains).")
    else:
        val_set = sets["val"].subset(profiles.PROFILES[profile].val_limit)
        print(
            f"Training {key.name}: {config['epochs']} epochs x {config['samples_per_epoch']:,} numbers, batch "
            f"{config['batch_size']}, {config['precision']}, on {provenance.hardware(dev)}; validated on "
            f"{len(val_set):,} numbers after each epoch."
        )
        history = training.train(
            model,
            spec,
            train_bank(str(dev)),
            dataset=key.dataset,
            preprocessing=pre,
            epochs=config["epochs"],
            samples_per_epoch=config["samples_per_epoch"],
            seed=key.seed,
            compute=config["precision"],
            exclude=splits.held_out() if key.split == "heldout" else (),
            channels_last=CHANNELS_LAST,
            state_path=state["train_state"],
            identity=config,
            progress=progress,
            validate=lambda m: _scores(m, val_set, pre, dev, head, "val")[0],
        )
        history["provenance"] = provenance.describe(dev)  # where and from which code it was trained
        meta = {k: config[k] for k in checkpoint.IDENTITY} | {"config": config, "commit": provenance.commit()}
        checkpoint.save(state["model"], model, meta)
        state["train_state"].unlink(missing_ok=True)

    # score: the validation numbers (all of them where the test set is) with each decoding the head has, then the
    # test set once and each variant with the one that read validation better (greedy on a tie)
    began = time.perf_counter()
    by_decoding = {d: _scores(model, sets["val"], pre, dev, head, "val", d) for d in heads.decodings(head)}
    decoding = max(by_decoding, key=lambda d: by_decoding[d][0]["val_acc"])
    tests = {v: s for v, s in sets.items() if v != "val"}
    scores = {v: _scores(model, s, pre, dev, head, "" if v == "clean" else v, decoding) for v, s in tests.items()}
    scores["val"] = by_decoding[decoding]
    predictions = {v: s[1] for v, s in scores.items() if v != "val"}
    reported = spec.reported.get(key.dataset)
    metrics = {
        **config,
        "params": models.count_params(model),
        "train_loss_final": history["train_loss_final"],
        **scores["clean"][2],
        **{k: v for s in VARIANTS for k, v in scores[s][0].items()},
        **scores["val"][0],
        **(
            {"decoding": decoding} | {f"val_acc_{d.replace(' ', '_')}": s[0]["val_acc"] for d, s in by_decoding.items()}
            if head == "ctc"
            else {}
        ),
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
    errors = {}
    for v, p in predictions.items():
        wrong = (p["pred"] != sets[v].labels).nonzero().squeeze(1)
        confidence = [round(c, 4) for c in p["confidence"][wrong].tolist()]
        errors[v] = {"index": wrong.tolist(), "pred": p["pred"][wrong].tolist(), "confidence": confidence}
    test = predictions.pop("clean")
    atomic.write_json(record["history"], history)
    atomic.torch_save(state["predictions"], {**test, **predictions})
    atomic.write_json(record["errors"], errors, compact=True)
    atomic.write_json(record["metrics"], metrics)  # last: its presence marks the run finished
    return RunResult(metrics, history, test, sets["clean"], predictions, model, record["metrics"].parent)


def _scores(model, numbers, preprocessing, device, head, prefix, decoding="greedy") -> tuple:
    """(the scores that join a record as <prefix>_*, predictions, every metric) of a model on a set of numbers."""
    metrics, predictions = evaluate(model, numbers, preprocessing, device, head=head, decoding=decoding)
    prefixed = {f"{prefix}_{k.removeprefix('test_') if prefix == 'val' else k}": metrics[k] for k in SCORE_KEYS}
    return prefixed, predictions, metrics

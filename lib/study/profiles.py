"""Run sizes as data. A profile scales a version's recipe; it never changes the recipe's shape."""
from dataclasses import dataclass
from math import ceil

from ..infra.choices import pick


@dataclass(frozen=True)
class Profile:
    name: str
    sample_scale: float  # fraction of the recipe's samples per epoch
    epochs: int | None  # None: the recipe's epochs
    test_limit: int | None  # evaluate on a fixed random subset of this size; None: all 45,330 numbers
    val_limit: int | None  # validate after each epoch on a fixed subset of this size; None: all 15,440
    keeps_record: bool  # a finished run's committed record is shown, never retrained, when its checkpoint is gone
    purpose: str


PROFILES = {p.name: p for p in (
    Profile("full", 1.0, None, None, None, True, "the original's samples per epoch and epochs: a GPU run"),
    Profile("cpu", 1 / 5, None, None, None, True, "1/5 of the recipe's samples, tested on all 45,330 numbers: the small version 19 in minutes on 2 CPU cores"),
    Profile("quick", 1 / 50, None, 15_000, 2_000, False, "the recipe with 1/50 of the samples, tested on 15,000 of the 45,330 numbers: the whole study on 2 CPU cores in ~30 min"),
    Profile("smoke", 1 / 1000, 1, 1000, 300, False, "a few batches and 1,000 test numbers: checks that everything runs"),
)}


def get(name: str) -> Profile:
    return pick(PROFILES, name, "profile")


def schedule(profile: str, spec) -> tuple:
    """(epochs, samples_per_epoch) of a version's recipe under a profile; at least two batches per epoch."""
    p = get(profile)
    samples = max(ceil(spec.samples_per_epoch * p.sample_scale), 2 * spec.batch_size)
    return (p.epochs or spec.epochs), samples

"""Run sizes as data: a profile scales a version's recipe, never its shape."""

from dataclasses import dataclass
from math import ceil

from ..infra.choices import pick


@dataclass(frozen=True)
class Profile:
    name: str
    sample_scale: float  # fraction of the recipe's samples per epoch
    epochs: int | None  # None: the recipe's epochs
    test_limit: int | None  # test on a fixed random subset of this size; None: the whole fixed test set
    val_limit: int | None  # validate after each epoch on a fixed subset of this size; None: the whole set
    purpose: str


PROFILES = {
    p.name: p
    for p in (
        Profile("full", 1.0, None, None, None, "the original's samples and epochs: hours a run on a CPU"),
        Profile("cpu", 1 / 5, None, None, 5_000, "1/5 of the recipe's samples, the whole test set: 2 CPU cores"),
        Profile("quick", 1 / 50, None, 15_000, 2_000, "1/50 of the samples, a third of the test set: the whole study"),
        # scoring dominates a smoke run of the larger versions: 250 test numbers still hold every digit count
        Profile("smoke", 1 / 1000, 1, 250, 100, "a few batches and 250 test numbers: checks that everything runs"),
    )
}


def get(name: str) -> Profile:
    return pick(PROFILES, name, "profile")


def final_val_limit(name: str) -> int | None:
    """The validation numbers a finished run is scored on: all where the test set is whole, else the per-epoch ones."""
    p = get(name)
    return None if p.test_limit is None else p.val_limit


def schedule(profile: str, spec) -> tuple:
    """(epochs, samples_per_epoch) of a version's recipe under a profile; at least two batches per epoch."""
    p = get(profile)
    return (p.epochs or spec.epochs), max(ceil(spec.samples_per_epoch * p.sample_scale), 2 * spec.batch_size)

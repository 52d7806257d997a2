"""Run sizes as data. A profile scales a version's recipe; it never changes the recipe's shape.

The list of profiles is PROFILES: run_all.sh, the notebooks' parameter cell, the results tables and the
README's table all read it from here.
"""

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
        Profile(
            "full",
            sample_scale=1.0,
            epochs=None,
            test_limit=None,
            val_limit=None,
            purpose="the original's samples per epoch and epochs: the real study (hours per run on a CPU)",
        ),
        Profile(
            "cpu",
            sample_scale=1 / 5,
            epochs=None,
            test_limit=None,
            val_limit=5_000,
            purpose="1/5 of the recipe's samples, tested on the whole test set: small networks on 2 CPU cores",
        ),
        Profile(
            "quick",
            sample_scale=1 / 50,
            epochs=None,
            test_limit=15_000,
            val_limit=2_000,
            purpose="1/50 of the recipe's samples, tested on a fixed third of the test set: the whole study "
            "on 2 CPU cores, compared with itself",
        ),
        Profile(
            "smoke",
            sample_scale=1 / 1000,
            epochs=1,
            test_limit=500,  # enough to see every digit count; scoring dominates a smoke run of the larger versions
            val_limit=200,
            purpose="a few batches and 500 test numbers: checks that everything runs",
        ),
    )
}


def final_val_limit(name: str) -> int | None:
    """The validation numbers a finished run is scored on: all of them where the test set is whole, else the
    per-epoch subset (the quick and smoke profiles compare runs with each other only)."""
    p = get(name)
    return None if p.test_limit is None else p.val_limit


def get(name: str) -> Profile:
    return pick(PROFILES, name, "profile")


def schedule(profile: str, spec) -> tuple:
    """(epochs, samples_per_epoch) of a version's recipe under a profile; at least two batches per epoch."""
    p = get(profile)
    samples = max(ceil(spec.samples_per_epoch * p.sample_scale), 2 * spec.batch_size)
    return (p.epochs or spec.epochs), samples


def main():
    """`python -m lib.study.profiles`: the profile names, one per line (run_all.sh checks its option here)."""
    print("\n".join(PROFILES))


if __name__ == "__main__":
    main()

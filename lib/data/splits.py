"""What training may draw: which numbers 0-999 (all, or all but a fixed held-out 10%), and which MNIST train images."""

from functools import cache

import torch

from ..infra.choices import pick
from .numbers import position_targets

VALIDATION_PER_DIGIT = 500  # MNIST train images per digit no training draws, so choices never read the test set
VALIDATION_SEED = 5000
SPLITS = ("all", "heldout")
HELD_OUT_FRACTION = 0.1
HELD_OUT_SEED = 1000  # 999 was tried first; its draw held out a digit in some position (covers_every_position)


def check_split(split: str) -> str:
    return pick(SPLITS, split, "split")


def covers_every_position(numbers) -> bool:
    """True when each reading position sees every class it can hold (digits, and 'no digit' after position 0)."""
    seen = position_targets(torch.as_tensor(sorted(numbers)))
    full = position_targets(torch.arange(1000))
    return all(set(seen[:, k].tolist()) == set(full[:, k].tolist()) for k in range(3))


@cache
def held_out() -> tuple:
    """The fixed held-out numbers (100 of 0-999), sorted."""
    g = torch.Generator().manual_seed(HELD_OUT_SEED)
    out = set(torch.randperm(1000, generator=g)[: round(1000 * HELD_OUT_FRACTION)].tolist())
    if not covers_every_position(set(range(1000)) - out):
        raise ValueError(f"HELD_OUT_SEED {HELD_OUT_SEED} holds out a digit in some position; choose another seed")
    return tuple(sorted(out))


def validation_digits(labels: torch.Tensor) -> torch.Tensor:
    """Sorted indices of a fixed, seeded VALIDATION_PER_DIGIT images of each digit among MNIST train `labels`."""
    g = torch.Generator().manual_seed(VALIDATION_SEED)
    picks = []
    for digit in range(10):
        rows = (labels == digit).nonzero().squeeze(1)
        if len(rows) <= VALIDATION_PER_DIGIT:
            raise ValueError(
                f"MNIST train has {len(rows)} images of digit {digit}; validation needs more than "
                f"{VALIDATION_PER_DIGIT}"
            )
        picks.append(rows[torch.randperm(len(rows), generator=g)[:VALIDATION_PER_DIGIT]])
    return torch.cat(picks).sort().values


def training_digits(labels: torch.Tensor) -> torch.Tensor:
    """Sorted indices of the MNIST train images that training may draw (all but the validation digits)."""
    return torch.isin(torch.arange(len(labels)), validation_digits(labels), invert=True).nonzero().squeeze(1)

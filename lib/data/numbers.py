"""Numbers 0-999 made of MNIST digits, generated in batches on any device."""

from dataclasses import dataclass

import torch

from . import layouts

UNIFORM = (1 / 3, 1 / 3, 1 / 3)


@dataclass
class NumberBatch:
    """One batch of raw numbers. `source` holds the MNIST index of each slot's image (-1: empty)."""

    slots: torch.Tensor  # uint8 [B, 3, 28, 28], reading order
    ndigits: torch.Tensor  # int64 [B], 1..3
    labels: torch.Tensor  # int64 [B], the number itself
    source: torch.Tensor  # int64 [B, 3]

    def raw(self, dataset: str) -> torch.Tensor:
        return layouts.get(dataset).compose(self.slots)

    def __len__(self):
        return len(self.labels)


def digits_of(labels: torch.Tensor, ndigits: torch.Tensor) -> torch.Tensor:
    """Digits in reading order, [B, 3], -1 where the number has no digit."""
    power = ndigits[:, None] - 1 - torch.arange(3, device=labels.device)  # slot j holds the 10**power digit
    return torch.where(power >= 0, labels[:, None] // 10 ** power.clamp(min=0) % 10, -1)


def ndigits_of(labels: torch.Tensor) -> torch.Tensor:
    return 1 + (labels >= 10).long() + (labels >= 100).long()


NO_DIGIT = 10  # the "no digit" class of a reading position (lib/study/heads.py, the digits head)


def position_targets(labels: torch.Tensor) -> torch.Tensor:
    """[B, 3] classes 0-10 per reading position: a number's digits left-aligned, then NO_DIGIT."""
    digits = digits_of(labels, ndigits_of(labels))
    return torch.where(digits < 0, NO_DIGIT, digits)


def wraparound(raw: torch.Tensor, ndigits: torch.Tensor) -> torch.Tensor:
    """The original C pipeline's uint8 overflow on 1- and 2-digit numbers (bug 1 in docs/original_study.md)."""
    wrapped = (256 - raw.to(torch.int16)).remainder(256).to(torch.uint8)
    short = (ndigits < 3).view(-1, *([1] * (raw.dim() - 1)))
    return torch.where(short, wrapped, raw)


class DigitBank:
    """MNIST images grouped by digit, so a digit's image is one random index away."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, device="cpu", indices=None):
        """`indices`: each image's index in its MNIST split, when `images` is a subset of it."""
        order = torch.argsort(labels, stable=True)
        self.device = torch.device(device)
        self.images = images[order].to(self.device)
        index = order if indices is None else torch.as_tensor(indices)[order]
        self.mnist_index = index.to(self.device)  # position in the MNIST split
        self.counts = torch.bincount(labels, minlength=10).to(self.device)
        self.offsets = (torch.cumsum(self.counts, 0) - self.counts).to(self.device)
        if (self.counts == 0).any():
            raise ValueError("every digit 0-9 needs at least one image")

    def pick(self, digits: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """Bank rows of an image of each digit (>= 0), the u-th fraction (uniform in [0, 1)) of its images."""
        return self.offsets[digits] + (u * self.counts[digits]).long().clamp(max=self.counts[digits] - 1)

    def numbers(self, labels: torch.Tensor, generator: torch.Generator) -> NumberBatch:
        """Draw a fresh image for each digit of the given numbers."""
        labels = labels.to(self.device)
        ndigits = ndigits_of(labels)
        digits = digits_of(labels, ndigits)  # [B, 3], reading order, -1: empty
        present = digits >= 0
        pick = self.pick(digits.clamp(min=0), torch.rand(digits.shape, generator=generator, device=self.device))
        slots = self.images[pick] * present[..., None, None].to(torch.uint8)
        source = torch.where(present, self.mnist_index[pick], torch.full_like(pick, -1))
        return NumberBatch(slots, ndigits, labels, source)


def number_table(exclude=()) -> tuple:
    """([3, 900] numbers with 1, 2, 3 digits, padded; [3] how many of each) without the excluded ones."""
    excluded = {int(n) for n in exclude}
    table = torch.zeros(3, 900, dtype=torch.long)
    counts = torch.zeros(3, dtype=torch.long)
    for n in (1, 2, 3):
        allowed = [x for x in range(0 if n == 1 else 10 ** (n - 1), 10**n) if x not in excluded]
        if not allowed:
            raise ValueError(f"every {n}-digit number is excluded; nothing is left to draw")
        table[n - 1, : len(allowed)] = torch.tensor(allowed)
        counts[n - 1] = len(allowed)
    return table, counts


def sample_labels(batch_size: int, digit_probs, generator: torch.Generator, device="cpu", table=None) -> torch.Tensor:
    """Numbers drawn as the original: count by `digit_probs`, then uniform among those left in `table`."""
    probs = torch.as_tensor(digit_probs, dtype=torch.float64, device=device)
    if probs.shape != (3,) or (probs < 0).any() or probs.sum() <= 0:
        raise ValueError(f"digit_probs must be three non-negative weights for 1, 2, 3 digits, got {digit_probs}")
    numbers, counts = (t.to(device) for t in (table or number_table()))
    n = torch.multinomial(probs / probs.sum(), batch_size, replacement=True, generator=generator)
    u = torch.rand(batch_size, generator=generator, device=device, dtype=torch.float64)
    span = counts[n]
    return numbers[n, (u * span).long().clamp(max=span - 1)]


class NumberGenerator:
    """Endless seeded stream of number batches from one DigitBank; `exclude` holds numbers out of it."""

    def __init__(self, bank: DigitBank, digit_probs=UNIFORM, seed: int = 0, exclude=()):
        self.bank = bank
        self.digit_probs = tuple(float(p) for p in digit_probs)
        self.table = tuple(t.to(bank.device) for t in number_table(exclude))
        self.generator = torch.Generator(device=bank.device).manual_seed(int(seed))

    def batch(self, batch_size: int) -> NumberBatch:
        labels = sample_labels(batch_size, self.digit_probs, self.generator, self.bank.device, self.table)
        return self.bank.numbers(labels, self.generator)

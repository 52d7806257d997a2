"""Raw uint8 compositions -> model input, in batches on the compositions' device."""

import torch

from ..infra.choices import pick
from . import layouts
from .numbers import wraparound

MEAN, STD = 0.1307, 0.3081
WRAP = "+wrap"  # the suffix that marks the original's wrap-around bug
PREPROCESSINGS = ("resize32", "resize32" + WRAP, "native")


def parse(name: str) -> tuple:
    """(base, wrap) of a preprocessing name, after checking it."""
    pick(PREPROCESSINGS, name, "preprocessing")
    return name.removesuffix(WRAP), name.endswith(WRAP)


def name_of(base: str, wrap: bool = False) -> str:
    name = base + (WRAP if wrap else "")
    parse(name)
    return name


def normalise(x: torch.Tensor) -> torch.Tensor:
    """0-255 -> ToTensor's /255 and MNIST's Normalize, in one pass."""
    return (x - 255 * MEAN) / (255 * STD)


def prepare(raw: torch.Tensor, ndigits: torch.Tensor, dataset: str, preprocessing: str = "resize32") -> torch.Tensor:
    """Model input [B, C, H, W] float32 from a batch of raw images of a layout."""
    base, wrap = parse(preprocessing)
    layout = layouts.get(dataset)
    if base == "native":
        return normalise(layout.as_input(raw))
    if wrap and not layout.has_wrap_bug:
        wrapped = "/".join(n for n, lay in layouts.LAYOUTS.items() if lay.has_wrap_bug)
        raise ValueError(
            f"the wrap-around bug belongs to the original's {wrapped} pipeline, not to {dataset}; use 'resize32'"
        )
    raw = wraparound(raw, ndigits) if wrap else raw
    return normalise(layout.resize32(raw, ndigits).round_().clamp_(0, 255))  # rounded to uint8 levels, as PIL

"""Raw uint8 compositions -> model input, in batches on the compositions' device.

`resize32` is the original's preprocessing for versions 1-13: resize to 32x32
(bilinear with antialiasing, as PIL; aspect ratio not kept), round to uint8 as
PIL did, scale to [0, 1], normalise with MNIST's 0.1307 / 0.3081.
`+wrap` adds the original C pipeline's uint8 wrap-around (pitfall 1) before that.
`native` (version 14 on) keeps the digits' shape: W stays 28x84 (a 1- or 2-digit number
is its digits on the left and empty columns after, as composed), C stays 3x28x28; only
the scaling to [0, 1] and MNIST's normalisation are applied.

Resizing is linear and separable, so it runs as two small matrix products whose
weights are torchvision's own antialiased bilinear kernel (read off by resizing an
identity image): one batched call for a whole batch of mixed widths, on any device,
within one grey level of PIL (tests/test_preprocess.py checks this).
"""
from functools import lru_cache

import torch
from torchvision.transforms.v2 import functional as TF

from .numbers import check_dataset, wraparound

MEAN, STD = 0.1307, 0.3081
PREPROCESSINGS = ("resize32", "resize32+wrap", "native")


def check_preprocessing(name: str) -> str:
    if name not in PREPROCESSINGS:
        raise ValueError(f"unknown preprocessing {name!r}; valid: {', '.join(PREPROCESSINGS)}")
    return name


def input_shape(dataset: str, preprocessing: str) -> tuple:
    """(channels, height, width) that a model sees."""
    check_preprocessing(preprocessing)
    channels = 3 if check_dataset(dataset) == "C" else 1
    if preprocessing == "native":
        return (channels, 28, 84 if dataset == "W" else 28)
    return (channels, 32, 32)


@lru_cache(maxsize=None)
def _resize_weights(width_in: int, device) -> torch.Tensor:
    """[width_in, 32]: row i is where torchvision's bilinear resize sends input column i."""
    eye = torch.eye(width_in)[None]
    return TF.resize(eye, [width_in, 32], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)[0].to(device)


@lru_cache(maxsize=None)
def _w_weights(device) -> torch.Tensor:
    """[84, 96]: the column weights for 1-, 2- and 3-digit W images side by side (zero rows past 28n,
    where W is empty), so one matrix product resizes every width and each sample keeps its own 32."""
    cols = torch.zeros(84, 3, 32)
    for n in (1, 2, 3):
        cols[: 28 * n, n - 1] = _resize_weights(28 * n, "cpu")
    return cols.reshape(84, 96).to(device)


def _to_input(resized: torch.Tensor) -> torch.Tensor:
    """Round to uint8 levels as PIL's output was, then ToTensor's /255 and Normalize, in one pass."""
    return (resized.round_().clamp_(0, 255) - 255 * MEAN) / (255 * STD)


def prepare(raw: torch.Tensor, ndigits: torch.Tensor, dataset: str, preprocessing: str = "resize32") -> torch.Tensor:
    """Model input [B, C, H, W] float32 (see `input_shape`) from a raw W [B,28,84] or C [B,3,28,28] batch."""
    check_preprocessing(preprocessing)
    if preprocessing == "native":
        x = (raw.float() - 255 * MEAN) / (255 * STD)
        return x if check_dataset(dataset) == "C" else x.unsqueeze(1)
    rows = _resize_weights(28, raw.device).T  # [32, 28]
    if check_dataset(dataset) == "C":
        if preprocessing.endswith("+wrap"):
            raw = wraparound(raw, ndigits)
        return _to_input(rows @ raw.float() @ rows.T)
    if preprocessing.endswith("+wrap"):
        raise ValueError("the wrap-around bug belongs to the C pipeline; use 'resize32' for W")
    every_width = (rows @ raw.float() @ _w_weights(raw.device)).view(-1, 32, 3, 32)  # [B, 32, width, 32]
    own = every_width[torch.arange(len(raw), device=raw.device), :, ndigits - 1]  # [B, 32, 32]
    return _to_input(own).unsqueeze(1)

"""Raw uint8 compositions -> model input, in batches on the compositions' device.

`resize32` is the original's preprocessing for versions 1-13: resize to 32x32
(bilinear with antialiasing, as PIL; aspect ratio not kept), round to uint8 as
PIL did, scale to [0, 1], normalise with MNIST's 0.1307 / 0.3081.
`+wrap` adds the original C pipeline's uint8 wrap-around (pitfall 1) before that.
"""
import torch
from torchvision.transforms.v2 import functional as TF

from .numbers import check_dataset, wraparound

MEAN, STD = 0.1307, 0.3081
PREPROCESSINGS = ("resize32", "resize32+wrap")


def check_preprocessing(name: str) -> str:
    if name not in PREPROCESSINGS:
        raise ValueError(f"unknown preprocessing {name!r}; valid: {', '.join(PREPROCESSINGS)}")
    return name


def input_shape(dataset: str, preprocessing: str) -> tuple:
    """(channels, height, width) that a model sees."""
    check_preprocessing(preprocessing)
    return (3 if check_dataset(dataset) == "C" else 1, 32, 32)


def _normalise(x_uint8: torch.Tensor) -> torch.Tensor:
    return TF.normalize(TF.to_dtype(x_uint8, torch.float32, scale=True), [MEAN], [STD])


def _resize32(x_uint8: torch.Tensor) -> torch.Tensor:
    return TF.resize(x_uint8, [32, 32], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)


def prepare(raw: torch.Tensor, ndigits: torch.Tensor, dataset: str, preprocessing: str = "resize32") -> torch.Tensor:
    """Model input [B, C, 32, 32] float32 from a raw W [B,28,84] or C [B,3,28,28] batch."""
    check_preprocessing(preprocessing)
    if check_dataset(dataset) == "C":
        if preprocessing.endswith("+wrap"):
            raw = wraparound(raw, ndigits)
        return _normalise(_resize32(raw))
    if preprocessing.endswith("+wrap"):
        raise ValueError("the wrap-around bug belongs to the C pipeline; use 'resize32' for W")
    out = torch.empty((raw.shape[0], 1, 32, 32), dtype=torch.uint8, device=raw.device)
    for n in (1, 2, 3):  # one resize per width, not per sample
        rows = (ndigits == n).nonzero().squeeze(1)
        if len(rows):
            out[rows] = _resize32(raw[rows, None, :, : 28 * n])
    return _normalise(out)

"""The original's resize to 32x32 as matrices: torchvision's antialiased bilinear kernel, read off once.

Resizing is linear and separable, so it runs as two small matrix products whose weights are torchvision's
own kernel (found by resizing an identity image): one batched call for a whole batch, on any device,
within one grey level of PIL (tests/test_preprocess.py checks this).
"""

from functools import cache

import torch
from torchvision.transforms.v2 import functional as TF

SIZE = 32  # the original's input size


@cache
def column_weights(width_in: int, device) -> torch.Tensor:
    """[width_in, 32]: row i is where torchvision's bilinear resize sends input column i."""
    eye = torch.eye(width_in)[None]
    return TF.resize(eye, [width_in, SIZE], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)[0].to(device)


@cache
def every_width_weights(device) -> torch.Tensor:
    """[84, 96]: the column weights for 1-, 2- and 3-digit wide images side by side (zero rows past 28n,
    where the image is empty), so one matrix product resizes every width and each sample keeps its own 32."""
    cols = torch.zeros(84, 3, SIZE)
    for n in (1, 2, 3):
        cols[: 28 * n, n - 1] = column_weights(28 * n, "cpu")
    return cols.reshape(84, 3 * SIZE).to(device)

"""Batched, seeded augmentation of raw numbers: digit images and their layout (versions 16 and 17).

Both work on the raw uint8 slots of a NumberBatch before preprocessing, on the batch's
device, with draws from the training stream's torch.Generator, so a resumed epoch sees
the same augmented numbers. Layout shifts are the layout's `place` (lib/data/layouts.py), also how the robust test sets are composed.
"""
import math

import torch
import torch.nn.functional as F

from . import layouts
from .numbers import NumberBatch


def digit_affine(slots: torch.Tensor, generator: torch.Generator, degrees: float, scale: float, shear: float,
                 shift: float) -> torch.Tensor:
    """Each 28x28 slot through its own random affine map (uniform rotation, scale 1 +- scale, shear, shift px)."""
    b = slots.shape[0]
    images = slots.reshape(b * 3, 1, 28, 28).float()
    u = torch.rand(b * 3, 5, generator=generator, device=slots.device) * 2 - 1  # uniform in [-1, 1)
    angle, sh = u[:, 0] * math.radians(degrees), u[:, 1] * math.radians(shear)
    zoom = 1 + u[:, 2] * scale
    cos, sin, tan = angle.cos(), angle.sin(), sh.tan()
    # output -> input coordinates (affine_grid's convention): rotation @ shear, divided by the zoom
    theta = torch.stack([torch.stack([cos, cos * tan - sin, u[:, 3] * shift * 2 / 28], 1),
                         torch.stack([sin, sin * tan + cos, u[:, 4] * shift * 2 / 28], 1)], 1)
    theta[:, :, :2] /= zoom[:, None, None]
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    out = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.round_().clamp_(0, 255).to(torch.uint8).view_as(slots)


def stroke_thickness(slots: torch.Tensor, generator: torch.Generator, pixels: int = 1) -> torch.Tensor:
    """Each slot's strokes made up to `pixels` px thinner or thicker in width (grey-level erosion or dilation
    over a 2x2 window, once per pixel), the amount drawn uniformly from -pixels..pixels per slot."""
    b = slots.shape[0]
    out = slots.reshape(b * 3, 1, 28, 28).float()
    amount = torch.randint(-pixels, pixels + 1, (b * 3,), generator=generator, device=slots.device)[:, None, None, None]
    for step in range(pixels):
        padded = F.pad(out, (0, 1, 0, 1))
        thicker, thinner = F.max_pool2d(padded, 2, stride=1), -F.max_pool2d(-padded, 2, stride=1)
        out = torch.where(amount > step, thicker, torch.where(amount < -step, thinner, out))
    return out.to(torch.uint8).view_as(slots)


def random_shifts(batch_size: int, max_x: int, max_y: int, generator: torch.Generator, device) -> tuple:
    """Integer (x, y) shifts per slot, uniform in [-max, max]."""
    x = torch.randint(-max_x, max_x + 1, (batch_size, 3), generator=generator, device=device)
    y = torch.randint(-max_y, max_y + 1, (batch_size, 3), generator=generator, device=device)
    return x, y


def augment(batch: NumberBatch, dataset: str, generator: torch.Generator, digits: tuple = (),
            layout: tuple = ()) -> torch.Tensor:
    """Raw images of a batch with the version's augmentation: `digits` = (degrees, scale, shear, shift)
    for digit_affine, `layout` = (max x, max y) shifts for the layout's place; empty tuples leave that out."""
    slots = digit_affine(batch.slots, generator, *digits) if digits else batch.slots
    if not layout:
        return layouts.get(dataset).compose(slots)
    return layouts.get(dataset).place(slots, *random_shifts(len(batch), *layout, generator, slots.device))

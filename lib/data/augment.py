"""Batched, seeded augmentation of raw numbers: digit images and their layout (versions 16 and 17).

Both work on the raw uint8 slots of a NumberBatch before preprocessing, on the batch's
device, with draws from the training stream's torch.Generator, so a resumed epoch sees
the same augmented numbers. `place` is also how the robustness test set is composed.
"""
import math

import torch
import torch.nn.functional as F

from .numbers import NumberBatch, check_dataset, compose


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


def random_shifts(batch_size: int, max_x: int, max_y: int, generator: torch.Generator, device) -> tuple:
    """Integer (x, y) shifts per slot, uniform in [-max, max]."""
    x = torch.randint(-max_x, max_x + 1, (batch_size, 3), generator=generator, device=device)
    y = torch.randint(-max_y, max_y + 1, (batch_size, 3), generator=generator, device=device)
    return x, y


def place(slots: torch.Tensor, dataset: str, shift_x: torch.Tensor, shift_y: torch.Tensor) -> torch.Tensor:
    """Raw W [B,28,84] or C [B,3,28,28] with slot j moved by (shift_x[:, j], shift_y[:, j]) pixels.

    W: slot j sits at columns 28j + shift, so the gap between two digits changes by the difference
    of their shifts; where moved digits overlap, the brighter pixel wins (ink over ink).
    C: each channel moves on its own 28x28 canvas. Pixels moved past an edge are lost (MNIST
    digits have a 4 px margin, so small shifts keep them)."""
    b, dev = slots.shape[0], slots.device
    wide = check_dataset(dataset) == "W"
    width = 84 if wide else 28
    slot = torch.arange(3, device=dev)
    ys = torch.arange(28, device=dev)[None, None, :] - shift_y[:, :, None]  # [B, 3, 28] source rows
    xs = torch.arange(width, device=dev)[None, None, :] - shift_x[:, :, None]  # [B, 3, width] source columns
    if wide:
        xs = xs - 28 * slot[None, :, None]
    inside = ((ys >= 0) & (ys < 28))[..., :, None] & ((xs >= 0) & (xs < 28))[..., None, :]  # [B, 3, 28, width]
    moved = slots[torch.arange(b, device=dev)[:, None, None, None], slot[None, :, None, None],
                  ys.clamp(0, 27)[..., :, None], xs.clamp(0, 27)[..., None, :]] * inside
    return moved.amax(1) if wide else moved


def augment(batch: NumberBatch, dataset: str, generator: torch.Generator, digits: tuple = (),
            layout: tuple = ()) -> torch.Tensor:
    """Raw images of a batch with the version's augmentation: `digits` = (degrees, scale, shear, shift)
    for digit_affine, `layout` = (max x, max y) for place; empty tuples leave that part out."""
    slots = digit_affine(batch.slots, generator, *digits) if digits else batch.slots
    if not layout:
        return compose(slots, dataset)
    return place(slots, dataset, *random_shifts(len(batch), *layout, generator, slots.device))

"""Batched, seeded augmentation of raw numbers: digit images (affine, elastic, stroke thickness) and their layout."""

import math

import torch
import torch.nn.functional as F

from . import layouts
from .numbers import NumberBatch


def resample(slots: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """Every 28x28 slot read bilinearly at its `grid` [n, 28, 28, 2] of source points, rounded back to uint8."""
    images = slots.reshape(-1, 1, 28, 28).float()
    out = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.round_().clamp_(0, 255).to(torch.uint8).view_as(slots)


def digit_affine(
    slots: torch.Tensor, generator: torch.Generator, degrees: float, scale: float, shear: float, shift: float
) -> torch.Tensor:
    """Each 28x28 slot through its own random affine map (uniform rotation, scale 1 +- scale, shear, shift px)."""
    n = slots.numel() // (28 * 28)  # any number of 28x28 slots ([B, 3, 28, 28] numbers, [B, 28, 28] digits)
    u = torch.rand(n, 5, generator=generator, device=slots.device) * 2 - 1  # uniform in [-1, 1)
    angle, sh = u[:, 0] * math.radians(degrees), u[:, 1] * math.radians(shear)
    zoom = 1 + u[:, 2] * scale
    cos, sin, tan = angle.cos(), angle.sin(), sh.tan()
    # output -> input coordinates (affine_grid's convention): rotation @ shear, divided by the zoom
    theta = torch.stack(
        [cos, cos * tan - sin, u[:, 3] * shift * 2 / 28, sin, sin * tan + cos, u[:, 4] * shift * 2 / 28], 1
    )
    theta = theta.view(n, 2, 3)
    theta[:, :, :2] /= zoom[:, None, None]
    return resample(slots, F.affine_grid(theta, [n, 1, 28, 28], align_corners=False))


def window_max(images: torch.Tensor, size: int) -> torch.Tensor:
    """max_pool2d(images, size, stride=1) as running maxima of shifted views: the same values, without the CPU's
    stride-1 pooling kernel, which a profile found the slowest step of building the `ood` test sets."""
    for dim in (-2, -1):
        length = images.shape[dim] - size + 1
        out = images.narrow(dim, 0, length)
        for offset in range(1, size):
            out = torch.maximum(out, images.narrow(dim, offset, length))
        images = out
    return images


def stroke_thickness(slots: torch.Tensor, generator: torch.Generator, pixels: int = 1) -> torch.Tensor:
    """Each slot's strokes up to `pixels` px thinner or thicker (2x2 grey-level erosion or dilation per pixel)."""
    n = slots.numel() // (28 * 28)
    out = slots.reshape(n, 1, 28, 28).float()
    amount = torch.randint(-pixels, pixels + 1, (n,), generator=generator, device=slots.device)[:, None, None, None]
    for step in range(pixels):
        padded = F.pad(out, (0, 1, 0, 1))
        thicker, thinner = window_max(padded, 2), -window_max(-padded, 2)
        out = torch.where(amount > step, thicker, torch.where(amount < -step, thinner, out))
    return out.to(torch.uint8).view_as(slots)


def random_shifts(batch_size: int, max_x: int, max_y: int, generator: torch.Generator, device) -> tuple:
    """Integer (x, y) shifts per slot, uniform in [-max, max]."""
    x = torch.randint(-max_x, max_x + 1, (batch_size, 3), generator=generator, device=device)
    y = torch.randint(-max_y, max_y + 1, (batch_size, 3), generator=generator, device=device)
    return x, y


def gaussian_blur(maps: torch.Tensor, sigma: float) -> torch.Tensor:
    """torchvision's gaussian_blur as two 1-D passes: 2.5x faster on a CPU, where every training digit is bent."""
    size = 2 * round(3 * sigma) + 1
    taps = torch.exp(-0.5 * (torch.linspace(-(size // 2), size // 2, size, device=maps.device) / sigma) ** 2)
    taps = (taps / taps.sum()).to(maps.dtype)
    n, c, h, w = maps.shape
    half = size // 2
    out = F.conv2d(F.pad(maps.reshape(n * c, 1, h, w), (half, half, 0, 0), mode="reflect"), taps.view(1, 1, 1, -1))
    out = F.conv2d(F.pad(out, (0, 0, half, half), mode="reflect"), taps.view(1, 1, -1, 1))
    return out.view(n, c, h, w)


def elastic(slots: torch.Tensor, generator: torch.Generator, alpha: float, sigma: float) -> torch.Tensor:
    """Each slot bent by its own smooth random displacement field (Simard et al. 2003)."""
    n = slots.numel() // (28 * 28)
    noise = torch.rand(n, 2, 28, 28, generator=generator, device=slots.device) * 2 - 1
    field = gaussian_blur(noise, sigma) * (alpha * 2 / 28)  # px -> grid units
    identity = F.affine_grid(torch.eye(2, 3, device=slots.device).expand(n, 2, 3), [n, 1, 28, 28], align_corners=False)
    return resample(slots, identity + field.permute(0, 2, 3, 1))


def spacing_draws(batch_size: int, min_gap, max_gap, max_y, scale, generator: torch.Generator, device) -> tuple:
    """Uniform (gaps, vertical offsets, scales) [B, 3] and starts [B]: a layout's `spaced` arguments."""
    u = torch.rand(batch_size, 10, generator=generator, device=device)
    gaps = min_gap + (max_gap - min_gap) * u[:, 0:3]
    shift_y = max_y * (2 * u[:, 3:6] - 1)
    scales = 1 + scale * (2 * u[:, 6:9] - 1)
    return gaps, shift_y, scales, u[:, 9]


def augment_digit_images(images: torch.Tensor, generator: torch.Generator, spec) -> torch.Tensor:
    """Digit images [..., 28, 28] through a version's `augment_digits` (affine), then `augment_elastic`."""
    if spec.augment_digits:
        images = digit_affine(images, generator, *spec.augment_digits)
    if spec.augment_elastic:
        images = elastic(images, generator, *spec.augment_elastic)
    return images


def augment(batch: NumberBatch, dataset: str, generator: torch.Generator, spec) -> torch.Tensor:
    """Raw images of a batch with a version's augmentation, drawn from `generator` so a resumed epoch repeats."""
    slots, layout = augment_digit_images(batch.slots, generator, spec), layouts.LAYOUTS[dataset]
    if spec.augment_spacing:
        draws = spacing_draws(len(batch), *spec.augment_spacing, generator, slots.device)
        written = layout.spaced(slots, batch.ndigits, *draws)[0]
        if spec.written_share == 1:
            return written
        placed = layout.place(slots, *random_shifts(len(batch), *spec.augment_layout, generator, slots.device))
        as_written = torch.rand(len(batch), generator=generator, device=slots.device) < spec.written_share
        return torch.where(as_written[:, None, None], written, placed)
    if spec.augment_layout:
        return layout.place(slots, *random_shifts(len(batch), *spec.augment_layout, generator, slots.device))
    return layout.compose(slots)

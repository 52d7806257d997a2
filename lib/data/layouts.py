"""Layouts: how the digit slots of a number become one image. A layout is one object."""

from functools import cache

import torch
from torchvision.transforms.v2 import functional as TF


class Layout:
    name: str
    channels: int  # channels of the image a network sees
    native: tuple  # (channels, height, width) of the image as composed
    seed_offset: int  # fixed test sets of each layout draw their own digits, from SEED + this
    has_wrap_bug: bool = False  # the original's pipeline for this layout had the uint8 wrap-around
    cmap: str | None = "gray_r"  # how plots colour one raw image
    shown_as: str = ""  # a note for figure titles on how the picture encodes the layout


@cache
def column_weights(width_in: int, device) -> torch.Tensor:
    """[width_in, 32] antialiased bilinear resize weights: a batch resizes as two matrix products."""
    eye = torch.eye(width_in)[None]
    return TF.resize(eye, [width_in, 32], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)[0].to(device)


@cache
def every_width_weights(device) -> torch.Tensor:
    """[84, 96]: 1-, 2- and 3-digit column weights side by side, so one product resizes every width."""
    cols = torch.zeros(84, 3, 32)
    for n in (1, 2, 3):
        cols[: 28 * n, n - 1] = column_weights(28 * n, "cpu")
    return cols.reshape(84, 3 * 32).to(device)


def ink_extent(slots: torch.Tensor, dim: int) -> tuple:
    """First and last row (dim=3) or column (dim=2) of each slot [B, 3, 28, 28] that holds ink."""
    ink = slots.amax(dim) > 32  # [B, 3, 28]
    index = torch.arange(28, device=slots.device)
    return torch.where(ink, index, 28).amin(2), torch.where(ink, index, -1).amax(2)


def _moved(slots, shift_x, shift_y, width, offset):
    """[B, 3, 28, width]: slot j at column offset*j + shift_x, row shift_y; ink past an edge is lost.
    Rows, then columns, gathered one axis at a time: the same pixels as one 4-index lookup, which a profile found
    the slowest step of building the `ood` test sets."""
    b, dev = slots.shape[0], slots.device
    slot = torch.arange(3, device=dev)
    ys = torch.arange(28, device=dev)[None, None, :] - shift_y[:, :, None]  # [B, 3, 28] source rows
    xs = torch.arange(width, device=dev)[None, None, :] - shift_x[:, :, None] - offset * slot[None, :, None]
    rows = slots.gather(2, ys.clamp(0, 27)[..., None].expand(b, 3, 28, 28)) * ((ys >= 0) & (ys < 28))[..., None]
    cols = xs.clamp(0, 27)[:, :, None, :].expand(b, 3, 28, width)
    return rows.gather(3, cols) * ((xs >= 0) & (xs < 28))[:, :, None, :]


BORDER = 1  # px kept free of ink boxes around a spaced number, so interpolation never loses ink at an edge


def draw_boxes(slots, left, top, x, y, scale, height: int, width: int) -> torch.Tensor:
    """[B, 3, height, width]: each slot's ink corner (left, top) drawn at (x, y), scaled by `scale` (all [B, 3])."""
    b, dev = slots.shape[0], slots.device
    cols = torch.arange(width, device=dev) + 0.5  # pixel centres, in the continuous coordinates of grid_sample
    rows = torch.arange(height, device=dev) + 0.5
    src_x = left[..., None] + (cols - x[..., None]) / scale[..., None]  # [B, 3, width], in slot pixels
    src_y = top[..., None] + (rows - y[..., None]) / scale[..., None]  # [B, 3, height]
    grid = torch.stack(
        torch.broadcast_tensors((2 * src_x / 28 - 1)[:, :, None, :], (2 * src_y / 28 - 1)[..., None]), -1
    )
    grid = grid.reshape(b * 3, height, width, 2)
    images = slots.reshape(b * 3, 1, 28, 28).float()
    drawn = torch.nn.functional.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return drawn.view(b, 3, height, width)


class SideBySide(Layout):
    name = "W"
    channels = 1
    native = (1, 28, 84)
    seed_offset = 0

    def compose(self, slots):
        """Raw uint8 images [B, 28, 84] from slots [B, 3, 28, 28]."""
        return slots.permute(0, 2, 1, 3).reshape(slots.shape[0], 28, 84)

    def place(self, slots, shift_x, shift_y):
        # slot j sits at columns 28j + shift: gaps change by the difference of neighbours' shifts; where moved
        # digits overlap, the brighter pixel wins (ink over ink)
        return _moved(slots, shift_x, shift_y, 84, 28).amax(1)

    def touching_shifts(self, slots, ndigits, gaps, offset):
        """x shifts [B, 3]: each digit's ink `gaps` px after its neighbour's (<= 0: touching), then `offset` px."""
        left, right = ink_extent(slots, dim=2)
        start = [left[:, 0]]
        for j in (1, 2):
            start.append(start[-1] + (right[:, j - 1] - left[:, j - 1]) + 1 + gaps[:, j])
        start = torch.stack(start, 1)
        last = (start + right - left).gather(1, (ndigits - 1)[:, None]).squeeze(1)
        room_left, room_right = start[:, 0], 83 - last
        move = torch.maximum(torch.minimum(offset, room_right), -room_left)
        return start + move[:, None] - left - 28 * torch.arange(3, device=slots.device)

    def spaced(self, slots, ndigits, gaps, shift_y, scale, start):
        """(raw [B, 28, 84], ink boxes [B, 3, 4]): digits as people write them, `gaps` px apart; too wide: shrunk."""
        height, width = self.native[1:]
        present = torch.arange(3, device=slots.device)[None, :] < ndigits[:, None]
        (left, right), (top, bottom) = ink_extent(slots, dim=2), ink_extent(slots, dim=3)
        ink_w = (right - left + 1).clamp(min=1).float()
        ink_h = (bottom - top + 1).clamp(min=1).float()
        left, top = left.clamp(max=27).float(), top.clamp(max=27).float()
        scale = torch.minimum(scale.float(), (height - 2 * BORDER) / ink_h)
        w = ink_w * scale * present
        step = torch.where(present, gaps.float(), 0.0)
        step[:, 0] = 0
        x = torch.cumsum(step + w, 1) - w  # each box's left edge, the first at 0
        lo = torch.where(present, x, torch.inf).amin(1)
        hi = torch.where(present, x + w, -torch.inf).amax(1)
        shrink = ((width - 2 * BORDER) / (hi - lo)).clamp(max=1)  # a number too wide for the strip: all of it
        x, scale, w = (x - lo[:, None]) * shrink[:, None], scale * shrink[:, None], w * shrink[:, None]
        room = (width - 2 * BORDER) - (hi - lo) * shrink
        x = x + BORDER + (room * start)[:, None]
        h = ink_h * scale
        y = torch.minimum((height / 2 + shift_y - h / 2).clamp(min=BORDER), height - BORDER - h)
        drawn = draw_boxes(slots, left, top, x, y, scale, height, width) * present[..., None, None]
        boxes = torch.stack([x, y, x + w, y + h], 2) * present[..., None]
        return drawn.amax(1).round().clamp(0, 255).to(torch.uint8), boxes

    def resize32(self, raw, ndigits):
        """float [B, 1, 32, 32]: each number's 28n columns squashed to 32, as the original."""
        rows = column_weights(28, raw.device).T  # [32, 28]
        every_width = (rows @ raw.float() @ every_width_weights(raw.device)).view(-1, 32, 3, 32)
        return every_width[torch.arange(len(raw), device=raw.device), :, ndigits - 1].unsqueeze(1)

    def as_input(self, raw):
        return raw.float().unsqueeze(1)

    def digits_region(self, raw, ndigits):
        return raw[..., : 28 * ndigits]

    def view_shape(self, margin):
        return (1, 28, 28 + 2 * margin)

    def digit_views(self, x, margin, fill):
        """[B * 3, 1, 28, 28 + 2 margin]: each position's slot, widened where digits stray into neighbours."""
        padded = torch.nn.functional.pad(x, (margin, margin), value=fill)
        views = torch.stack([padded[..., 28 * j : 28 * j + 28 + 2 * margin] for j in range(3)], 1)
        return views.reshape(-1, *self.view_shape(margin))

    def show(self, raw_one, ndigits):
        return self.digits_region(raw_one, ndigits).cpu().numpy()


class Stacked(Layout):
    name = "C"
    channels = 3
    native = (3, 28, 28)
    seed_offset = 1  # W and C are drawn independently, as the original did
    has_wrap_bug = True
    cmap = None
    shown_as = "channels 0/1/2 shown as red/green/blue"

    def compose(self, slots):
        return slots

    def place(self, slots, shift_x, shift_y):
        return _moved(slots, shift_x, shift_y, 28, 0)

    def resize32(self, raw, ndigits):
        rows = column_weights(28, raw.device).T
        return rows @ raw.float() @ rows.T

    def as_input(self, raw):
        return raw.float()

    def digits_region(self, raw, ndigits):
        return raw

    def view_shape(self, margin):
        return (1, 28, 28)  # each channel is one digit on its own canvas: no neighbours to stray into

    def digit_views(self, x, margin, fill):
        return x.reshape(-1, *self.view_shape(margin))

    def show(self, raw_one, ndigits):
        return raw_one.permute(1, 2, 0).cpu().numpy()


LAYOUTS = {layout.name: layout for layout in (SideBySide(), Stacked())}  # by name, as runs call them (dataset)


def get(name: str) -> Layout:
    if name not in LAYOUTS:
        raise ValueError(f"unknown dataset (layout) {name!r}; valid: {', '.join(LAYOUTS)}")
    return LAYOUTS[name]

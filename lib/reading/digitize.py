"""An image of a handwritten number -> what a network reads: MNIST-style 28x28 digits, or one 28 px strip."""

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

MAX_DIGITS = 3
MAX_PIXELS = 4_000_000  # larger images are shrunk first: digits need far fewer pixels than that
MIN_CONTRAST = 0.12  # ink must differ from the page by this much (of the full grey range)
THIN, STROKE = 0.08, 0.12  # stroke widths relative to digit size: thinner than THIN is thickened to STROKE
STRIP_WIDTH = 84  # the 28 px high W strip the strip readers trained on; wider for longer numbers
DIGIT_HEIGHT, MAX_INK_HEIGHT = 20, 26  # a digit's ink height in MNIST; the number's, however its digits stand
STRIP_MARGIN = 4  # empty columns at least on each side, as an MNIST digit has in its 28 px


class DigitizeError(ValueError):
    """The image cannot be read as a number of 1-3 digits: unreadable, blank, or too many digits."""


class BlankImageError(DigitizeError):
    """No ink on the page (a cleared canvas is this, and is not a mistake)."""


@dataclass
class Digits:
    """What the network is shown and, for display, where it was found in the input."""

    images: np.ndarray  # uint8 white ink on black: [n, 28, 28] digits in reading order, or [1, 28, width] a strip
    boxes: list  # (x0, y0, x1, y1) of each in the input image, x1/y1 exclusive

    def __len__(self):
        return len(self.images)

    def slots(self) -> tuple:
        """(slots uint8 [1, 3, 28, 28] with empty slots zero, ndigits int64 [1]): what a digit reader takes."""
        slots = torch.zeros(1, MAX_DIGITS, 28, 28, dtype=torch.uint8)
        slots[0, : len(self)] = torch.from_numpy(self.images)
        return slots, torch.tensor([len(self)])


def _from_pil(img: Image.Image) -> np.ndarray:
    """Grey levels in [0, 1]; transparent pixels become the page (the opposite of the ink's tone)."""
    if not img.has_transparency_data:
        return np.asarray(img.convert("F"), dtype=np.float32) / 255
    rgba = np.asarray(img.convert("RGBA"), dtype=np.float32) / 255
    grey, alpha = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32), rgba[..., 3]
    page = 1.0 if (grey * alpha).sum() < 0.5 * alpha.sum() else 0.0  # dark ink: a white page
    return grey * alpha + page * (1 - alpha)


def to_grey(image) -> np.ndarray:
    """A file path, PIL image, numpy array or torch tensor -> float32 [H, W] grey levels in [0, 1]."""
    if isinstance(image, (str, Path)):
        try:
            with Image.open(image) as img:
                return _from_pil(img)
        except (OSError, ValueError) as e:
            raise DigitizeError(f"cannot read image file {str(image)!r}: {e}") from e
    if isinstance(image, Image.Image):
        return _from_pil(image)
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu()
        image = (image.movedim(0, -1) if image.dim() == 3 and image.shape[0] in (1, 3, 4) else image).numpy()
    a = np.asarray(image)
    a = a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a
    if a.dtype.kind not in "biuf" or a.ndim not in (2, 3) or a.shape[2:] not in ((), (3,), (4,)) or 0 in a.shape:
        raise DigitizeError(
            f"cannot read a {type(image).__name__} of {a.dtype} {a.shape} as an image: give a path, a PIL image, "
            "or numbers as an [H, W] or [H, W, 3|4] array or a [C, H, W] tensor"
        )
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise DigitizeError("the image array holds NaN or infinite values")
    a = a / 255 if a.max() > 1 else a  # 0-255 levels (any integer array, or floats beyond 1)
    if a.ndim == 2:
        return a.clip(0, 1)
    return _from_pil(Image.fromarray((a.clip(0, 1) * 255).round().astype(np.uint8)))


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1]: the cut that best separates two classes (0.5 if one class)."""
    hist, edges = np.histogram(values, bins=256, range=(0, 1))
    sums = np.cumsum(hist * (edges[:-1] + edges[1:]) / 2)
    w0, m0 = np.cumsum(hist)[:-1], sums[:-1]
    w1, m1 = len(values) - w0, sums[-1] - m0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = np.nan_to_num(w0 * w1 * (m0 / w0 - m1 / w1) ** 2)
    if not between.any():
        return 0.5
    best = np.flatnonzero(between >= between.max() * (1 - 1e-9))  # a plateau where no values lie: its middle
    return float(edges[1:-1][best].mean())


def ink_map(grey: np.ndarray) -> np.ndarray:
    """Ink in [0, 1], dark on light or light on dark: the page is the median of the outer frame, larger than the ink."""
    h, w = grey.shape
    f = max(1, min(h, w) // 50)
    frame = np.concatenate([grey[:f].ravel(), grey[-f:].ravel(), grey[:, :f].ravel(), grey[:, -f:].ravel()])
    page = float(np.median(frame))
    ink = (page - grey) if page > 0.5 else (grey - page)
    # full ink: the 10th strongest pixel, so that a few hot pixels do not set the scale
    full = float(np.partition(ink.ravel(), -10)[-10]) if ink.size > 100 else float(ink.max())
    if full < MIN_CONTRAST:
        raise BlankImageError("the image is blank: no ink differs from the page")
    return np.clip(ink / full, 0, 1)


def _union(a: list, b: list):
    """Merge group b ([labels, box x0 y0 x1 y1]) into group a."""
    a[0] += b[0]
    a[1] = np.concatenate([np.minimum(a[1][:2], b[1][:2]), np.maximum(a[1][2:], b[1][2:])])


def group_digits(mask: np.ndarray) -> tuple:
    """(labels, [[labels, box x0 y0 x1 y1], ...]) left to right: components sharing half their columns are one
    digit (a 4 in two strokes), a short piece joins its close neighbour (a broken stroke), specks are dropped."""
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3)))
    boxes = [np.array([s[1].start, s[0].start, s[1].stop, s[0].stop]) for s in ndimage.find_objects(labels)]
    width, height = (lambda g: g[1][2] - g[1][0]), (lambda g: g[1][3] - g[1][1])
    gap = lambda a, b: max(a[1][0] - b[1][2], b[1][0] - a[1][2], a[1][1] - b[1][3], b[1][1] - a[1][3], 0)
    if not boxes:
        return labels, []
    tallest = max(b[3] - b[1] for b in boxes)
    groups = [[[i + 1], b] for i, b in enumerate(boxes) if max(b[2] - b[0], b[3] - b[1]) >= 0.06 * tallest]
    groups.sort(key=lambda g: g[1][0])
    while True:  # one stroke's columns within another's: one digit
        for (_, a), (j, b) in itertools.combinations(enumerate(groups), 2):
            if min(a[1][2], b[1][2]) - max(a[1][0], b[1][0]) >= 0.5 * min(width(a), width(b)):
                _union(a, groups.pop(j))
                break
        else:
            break
    tallest = max(height(g) for g in groups)
    digits = list(groups)
    for piece in sorted(groups, key=height):  # shortest first: the likeliest fragments
        others = [g for g in digits if g is not piece]
        if not others:
            break
        nearest = min(others, key=lambda g: gap(piece, g))
        reach = 0.15 * tallest * min(1.0, (0.85 - height(piece) / tallest) / 0.25)  # shorter pieces join from further
        if reach > 0 and gap(piece, nearest) <= reach:
            _union(nearest, piece)
            digits = others
        elif max(width(piece), height(piece)) < 0.35 * tallest:
            digits = others  # a speck away from any digit
    return labels, sorted(digits, key=lambda g: g[1][0])


def thicken(ink: np.ndarray, mask: np.ndarray, size: float | None = None) -> np.ndarray:
    """Strokes widened to about MNIST's width for `size`: a pen line on a photo shrunk to 20 px is a hairline."""
    size = max(mask.shape) if size is None else size
    # mean stroke width: 4x the mean distance to the background (a stroke of width w spreads it over 0..w/2)
    width = 4 * float(ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1][mask].mean())
    if width >= THIN * size:
        return ink
    r = int(np.ceil((STROKE * size - width) / 2))
    disk = np.hypot(*np.mgrid[-r : r + 1, -r : r + 1]) <= r
    return ndimage.grey_dilation(np.pad(ink, r), footprint=disk)


def _cut(ink: np.ndarray, mine: np.ndarray, box, size=None) -> np.ndarray:
    """The ink of components `mine` in `box` with a 2 px rim but no neighbour's ink, thickened and cropped."""
    x0, y0, x1, y1 = box
    near = np.s_[max(y0 - 2, 0) : y1 + 2, max(x0 - 2, 0) : x1 + 2]
    crop = thicken(ink[near] * ndimage.binary_dilation(mine[near], iterations=2), mine[near], size)
    return crop[~np.all(crop == 0, 1)][:, ~np.all(crop == 0, 0)]


def _fitted(ink: np.ndarray, s: float, width: int, centred: bool) -> np.ndarray:
    """`ink` scaled by `s` on a black uint8 image 28 px high, at least `width` wide, centred by mass as MNIST."""
    size = (max(1, round(ink.shape[1] * s)), max(1, round(ink.shape[0] * s)))
    small = np.asarray(Image.fromarray(ink.astype(np.float32), "F").resize(size, Image.Resampling.LANCZOS))
    small = small.clip(0, None)
    small = small / max(float(small.max()), 1e-6)
    (h, w), (cy, cx) = small.shape, ndimage.center_of_mass(small)
    width = max(width, w + 2 * STRIP_MARGIN)
    top = int(np.clip(round(14 - cy), 0, 28 - h))
    left = (width - w) // 2 if centred else int(np.clip(round(14 - cx), 0, 28 - w))
    out = np.zeros((28, width), np.float32)
    out[top : top + h, left : left + w] = small
    return (out * 255).round().clip(0, 255).astype(np.uint8)


def _found_ink(image) -> tuple:
    """(ink map, component labels, [[labels, box], ...] per digit, a box's place in the input image)."""
    grey = to_grey(image)
    shrink = max(1.0, (grey.size / MAX_PIXELS) ** 0.5)
    if shrink > 1:
        small = (round(grey.shape[1] / shrink), round(grey.shape[0] / shrink))
        grey = np.asarray(Image.fromarray(grey, "F").resize(small, Image.Resampling.BOX))
    ink = ink_map(grey)
    labels, groups = group_digits(ink > min(max(_otsu(ink[ink > 0.02]), 0.2), 0.6))
    if not groups:
        raise BlankImageError("the image is blank: no ink large enough to be a digit")
    return ink, labels, groups, lambda box: tuple(int(round(v * shrink)) for v in box)


def digitize(image, max_digits: int = MAX_DIGITS) -> Digits:
    """The digits in `image` (path, PIL image, array or tensor) fitted as MNIST's, whose networks misread a digit
    off-centre, too large or dark on light; DigitizeError when unreadable, blank or too many digits."""
    ink, labels, groups, in_input = _found_ink(image)
    if len(groups) > max_digits:
        raise DigitizeError(f"found {len(groups)} digits; a number 0-999 has at most {max_digits}")
    crops = [_cut(ink, np.isin(labels, g), box) for g, box in groups]
    images = [_fitted(c, 20 / max(c.shape), 28, centred=False) for c in crops]  # as MNIST: longer side 20 px
    return Digits(np.stack(images), [in_input(box) for _, box in groups])


def number_strip(image) -> Digits:
    """The whole number as one [28, >= 84] strip, touching digits as written, its tallest digit 20 px as MNIST's."""
    ink, labels, groups, in_input = _found_ink(image)
    boxes = np.array([b for _, b in groups])
    box = (*boxes[:, :2].min(0), *boxes[:, 2:].max(0))
    tallest = max(b[3] - b[1] for b in boxes)
    crop = _cut(ink, np.isin(labels, [lab for g, _ in groups for lab in g]), box, size=tallest)
    image = _fitted(crop, min(DIGIT_HEIGHT / tallest, MAX_INK_HEIGHT / crop.shape[0]), STRIP_WIDTH, centred=True)
    return Digits(image[None], [in_input(box)])


def strip(images: np.ndarray) -> np.ndarray:
    """Prepared digits side by side with a 1 px grey line between them, [28, 29 n - 1]: the network's view."""
    line = np.full((28, 1), 96, np.uint8)
    return np.concatenate([part for img in images for part in (line, img)][1:], axis=1)

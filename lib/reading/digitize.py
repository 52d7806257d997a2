"""An image of a handwritten number -> its digits as MNIST-style 28x28 images, in reading order.

MNIST digits were size-normalised to fit a 20x20 box keeping their aspect ratio (antialiased), then
placed in 28x28 so that their centre of mass is at the centre. A network trained on them misreads a
digit that is off-centre, too large or dark on light; so every digit of a drawn or scanned number is
prepared the same way: find the ink (page colour from the border, Otsu threshold), split it into
connected components, merge the pieces of one digit (components that share their columns, like the
two strokes of a 4, and small fragments next to a digit), drop specks, widen hairline strokes (a fine
pen on a large page), then fit and centre each digit as MNIST did.

A strip reader (encoder "strip") needs no segmentation: `number_strip` finds the whole number's ink the
same way, scales it as MNIST was made (a digit's height to 20 px, aspect ratio kept, centre of mass in the
middle row) and lays it into a 28 px high strip like the W strips the reader trained on.
"""

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from scipy import ndimage

MAX_DIGITS = 3
MAX_PIXELS = 4_000_000  # larger images are shrunk first: digits need far fewer pixels than that
MIN_CONTRAST = 0.12  # ink must differ from the page by this much (of the full grey range)
THIN, STROKE = 0.08, 0.12  # stroke widths relative to digit size: thinner than THIN is thickened to STROKE


class DigitizeError(ValueError):
    """The image cannot be read as a number of 1-3 digits: unreadable, blank, or too many digits."""


class BlankImageError(DigitizeError):
    """No ink on the page (a cleared canvas is this, and is not a mistake)."""


@dataclass
class Digits:
    """What was found: the prepared digits and, for display, where they were in the input."""

    images: np.ndarray  # uint8 [n, 28, 28], white ink on black, MNIST-style, reading order
    boxes: list  # (x0, y0, x1, y1) of each digit in the input image, x1/y1 exclusive
    dark_on_light: bool  # the input's polarity as detected
    size: tuple  # (height, width) of the input image

    def __len__(self):
        return len(self.images)

    def slots(self) -> tuple:
        """(slots uint8 [1, 3, 28, 28] with empty slots zero, ndigits int64 [1]): what the network takes."""
        slots = torch.zeros(1, MAX_DIGITS, 28, 28, dtype=torch.uint8)
        slots[0, : len(self)] = torch.from_numpy(self.images)
        return slots, torch.tensor([len(self)])


@dataclass
class Strip:
    """What a strip reader is shown: the whole number as one MNIST-style strip, and where its ink was."""

    image: np.ndarray  # uint8 [28, width], white ink on black, width max(84, what the number needs)
    box: tuple  # (x0, y0, x1, y1) of the number's ink in the input image, x1/y1 exclusive
    dark_on_light: bool
    size: tuple  # (height, width) of the input image

    @property
    def images(self) -> np.ndarray:
        """uint8 [1, 28, width]: the strip as the one image shown (what `strip` and the notebooks draw)."""
        return self.image[None]

    @property
    def boxes(self) -> list:
        return [self.box]


# ---------------------------------------------------------------- reading any input as grey levels


def _from_pil(img: Image.Image) -> np.ndarray:
    """Grey levels in [0, 1]; transparent pixels become the page (the opposite of the ink's tone)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float32) / 255
        alpha = rgba[..., 3]
        grey = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        if alpha.min() < 1:
            page = 1.0 if (grey * alpha).sum() < 0.5 * alpha.sum() else 0.0  # dark ink: a white page
            grey = grey * alpha + page * (1 - alpha)
        return grey
    return np.asarray(img.convert("F"), dtype=np.float32) / 255


def _from_array(a) -> np.ndarray:
    channels_first = isinstance(a, torch.Tensor) and a.dim() == 3 and a.shape[0] in (1, 3, 4)
    a = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    if channels_first:
        a = np.moveaxis(a, 0, -1)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)) or min(a.shape[:2]) < 1:
        raise DigitizeError(f"an image array must be [H, W], [H, W, 3|4] (or a [C, H, W] tensor), got shape {a.shape}")
    if a.dtype == bool:
        a = a.astype(np.float32)
    elif not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise DigitizeError(f"an image array must hold numbers, got dtype {a.dtype}")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise DigitizeError("the image array holds NaN or infinite values")
    if a.max() > 1:  # 0-255 levels (any integer array, or floats beyond 1)
        a = a / 255
    if a.ndim == 3:
        mode = "RGBA" if a.shape[-1] == 4 else "RGB"
        return _from_pil(Image.fromarray((a.clip(0, 1) * 255).round().astype(np.uint8), mode))
    return a.clip(0, 1)


def to_grey(image) -> np.ndarray:
    """A file path, PIL image, numpy array or torch tensor -> float32 [H, W] grey levels in [0, 1]."""
    if isinstance(image, (str, Path)):
        try:
            with Image.open(image) as img:
                img.load()
                return _from_pil(img)
        except (OSError, UnidentifiedImageError, ValueError) as e:
            raise DigitizeError(f"cannot read image file {str(image)!r}: {e}") from e
    if isinstance(image, Image.Image):
        return _from_pil(image)
    if isinstance(image, (np.ndarray, torch.Tensor, list, tuple)):
        return _from_array(image)
    raise DigitizeError(
        f"cannot read a {type(image).__name__} as an image: "
        "give a file path, a PIL image, a numpy array or a torch tensor"
    )


# ---------------------------------------------------------------- finding the ink and the digits


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1]: the cut that best separates two classes (0.5 if one class)."""
    hist, edges = np.histogram(values, bins=256, range=(0, 1))
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)[:-1]
    w1 = len(values) - w0
    m0 = np.cumsum(hist * centres)[:-1]
    ok = (w0 > 0) & (w1 > 0)
    if not ok.any():
        return 0.5
    mean0 = m0[ok] / w0[ok]
    mean1 = (m0[-1] + hist[-1] * centres[-1] - m0[ok]) / w1[ok]
    between = w0[ok] * w1[ok] * (mean0 - mean1) ** 2
    best = np.flatnonzero(between >= between.max() * (1 - 1e-9))  # a plateau where no values lie: its middle
    return float(edges[1:-1][ok][best].mean())


def ink_map(grey: np.ndarray) -> tuple:
    """(ink in [0, 1] with the page at 0 and full ink at 1, dark_on_light).

    The page colour is the median of the image's outer frame: a page is larger than what is written on it.
    """
    h, w = grey.shape
    f = max(1, min(h, w) // 50)
    frame = np.concatenate([grey[:f].ravel(), grey[-f:].ravel(), grey[:, :f].ravel(), grey[:, -f:].ravel()])
    page = float(np.median(frame))
    dark_on_light = page > 0.5
    ink = (page - grey) if dark_on_light else (grey - page)
    # full ink: the 10th strongest pixel, so that a few hot pixels do not set the scale
    full = float(np.partition(ink.ravel(), -10)[-10]) if ink.size > 100 else float(ink.max())
    if full < MIN_CONTRAST:
        raise BlankImageError("the image is blank: no ink differs from the page")
    return np.clip(ink / full, 0, 1), dark_on_light


def _components(mask: np.ndarray) -> tuple:
    """Labels of the connected components (8-neighbourhood) and their boxes [x0, y0, x1, y1]."""
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    boxes = {
        i + 1: np.array([s[1].start, s[0].start, s[1].stop, s[0].stop])
        for i, s in enumerate(ndimage.find_objects(labels))
    }
    return labels, boxes


@dataclass
class _Group:
    """Components taken as one digit, and their joint box [x0, y0, x1, y1]."""

    labels: list
    box: np.ndarray

    def add(self, other):
        self.labels += other.labels
        self.box = np.concatenate([np.minimum(self.box[:2], other.box[:2]), np.maximum(self.box[2:], other.box[2:])])

    width = property(lambda self: int(self.box[2] - self.box[0]))
    height = property(lambda self: int(self.box[3] - self.box[1]))

    def gap(self, other) -> int:
        """Distance between the two boxes along x or y, whichever is larger (0 when they overlap)."""
        a, b = self.box, other.box
        return int(max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3], 0))


def group_digits(mask: np.ndarray) -> tuple:
    """Components of the ink mask grouped into digits, left to right: (labels, [[label, ...], ...]).

    Digits stand side by side, apart, and about equally tall, so: components sharing half their
    columns are one digit (a 4 or a 5 written in two strokes); a piece shorter than the tallest digit
    joins its nearest neighbour when close (a broken stroke), the shorter the piece the larger the gap
    it may have (up to 0.15 of the tallest height); small specks away from any digit are dropped.
    """
    labels, boxes = _components(mask)
    if not boxes:
        return labels, []
    tallest = max(int(b[3] - b[1]) for b in boxes.values())
    groups = sorted(
        (_Group([lab], b) for lab, b in boxes.items() if max(b[2] - b[0], b[3] - b[1]) >= 0.06 * tallest),
        key=lambda g: g.box[0],
    )
    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(groups)), 2):
            a, b = groups[i], groups[j]
            if min(a.box[2], b.box[2]) - max(a.box[0], b.box[0]) >= 0.5 * min(a.width, b.width):
                a.add(groups.pop(j))
                merged = True
                break
    tallest = max(g.height for g in groups)
    digits = list(groups)
    for piece in sorted(groups, key=lambda g: g.height):  # shortest first: the likeliest fragments
        others = [g for g in digits if g is not piece]
        if not others:
            break
        nearest = min(others, key=piece.gap)
        reach = 0.15 * tallest * min(1.0, (0.85 - piece.height / tallest) / 0.25)  # shorter pieces join from further
        if reach > 0 and piece.gap(nearest) <= reach:
            nearest.add(piece)
            digits.remove(piece)
        elif max(piece.width, piece.height) < 0.35 * tallest:
            digits.remove(piece)  # a speck away from any digit
    digits.sort(key=lambda g: g.box[0])
    return labels, [g.labels for g in digits]


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a digit's ink mask in pixels: 4x the mean distance to the background
    (a stroke of width w has distances spread evenly over 0..w/2)."""
    return 4 * float(ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1][mask].mean())


def thicken(ink: np.ndarray, mask: np.ndarray, size: float | None = None) -> np.ndarray:
    """A fine-pen digit's ink with its strokes widened to about MNIST's width relative to its size
    (`size`: a digit's size in pixels; default the larger side of `mask`, which holds one digit).

    MNIST's strokes are about 0.13 of a digit's size (0.09 at the 5th percentile); a pen line on a
    large page or a photo can be 0.02, and shrunk to 20 px it would be a faint hairline.
    """
    size = max(mask.shape) if size is None else size
    width = stroke_width(mask)
    if width >= THIN * size:
        return ink
    r = int(np.ceil((STROKE * size - width) / 2))
    disk = np.hypot(*np.mgrid[-r : r + 1, -r : r + 1]) <= r
    return ndimage.grey_dilation(np.pad(ink, r), footprint=disk)


def fit_mnist(ink: np.ndarray) -> np.ndarray:
    """One digit's ink (float [h, w] in [0, 1], cropped) -> uint8 28x28 as MNIST was made.

    Scaled (antialiased) so the longer side is 20 px, aspect ratio kept, then placed so that the
    centre of mass is at pixel (14, 14), where MNIST's digits have theirs.
    """
    h, w = ink.shape
    s = 20 / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    small = np.asarray(Image.fromarray(ink.astype(np.float32), "F").resize(size, Image.Resampling.LANCZOS))
    small = small.clip(0, None)
    small = small / max(float(small.max()), 1e-6)  # full ink is white, however thin the strokes became
    cy, cx = ndimage.center_of_mass(small)
    y0 = int(np.clip(round(14 - cy), 0, 28 - small.shape[0]))
    x0 = int(np.clip(round(14 - cx), 0, 28 - small.shape[1]))
    out = np.zeros((28, 28), np.float32)
    out[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return (out * 255).round().clip(0, 255).astype(np.uint8)


def _found_ink(image) -> tuple:
    """(ink map, dark_on_light, input size, shrink factor, component labels, groups of labels per digit)."""
    grey = to_grey(image)
    size = grey.shape
    shrink = max(1.0, (grey.size / MAX_PIXELS) ** 0.5)
    if shrink > 1:
        small = (round(size[1] / shrink), round(size[0] / shrink))
        grey = np.asarray(Image.fromarray(grey, "F").resize(small, Image.Resampling.BOX))
    ink, dark_on_light = ink_map(grey)
    threshold = min(max(_otsu(ink[ink > 0.02]), 0.2), 0.6)
    labels, groups = group_digits(ink > threshold)
    if not groups:
        raise BlankImageError("the image is blank: no ink large enough to be a digit")
    return ink, dark_on_light, size, shrink, labels, groups


def digitize(image, max_digits: int = MAX_DIGITS) -> Digits:
    """The digits of a handwritten number in `image` (path, PIL image, array or tensor), MNIST-style.

    Raises DigitizeError for an unreadable file, a blank image or more than `max_digits` digits.
    """
    ink, dark_on_light, size, shrink, labels, groups = _found_ink(image)
    if len(groups) > max_digits:
        raise DigitizeError(f"found {len(groups)} digits; a number 0-999 has at most {max_digits}")
    images, boxes = [], []
    for g in groups:
        mine = np.isin(labels, g)
        ys, xs = np.nonzero(mine)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        pad = 2  # keep the antialiased rim below the threshold, but not a neighbour's ink
        y0, x0 = max(y0 - pad, 0), max(x0 - pad, 0)
        y1, x1 = min(y1 + pad, ink.shape[0]), min(x1 + pad, ink.shape[1])
        near = ndimage.binary_dilation(mine[y0:y1, x0:x1], iterations=pad)
        crop = thicken(ink[y0:y1, x0:x1] * near, mine[y0:y1, x0:x1])
        images.append(fit_mnist(crop[~np.all(crop == 0, 1)][:, ~np.all(crop == 0, 0)]))
        boxes.append(tuple(int(round(v * shrink)) for v in (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)))
    return Digits(np.stack(images), boxes, dark_on_light, size)


STRIP_HEIGHT, STRIP_WIDTH = 28, 84  # the W strip the strip readers trained on; wider for longer numbers
DIGIT_HEIGHT, MAX_INK_HEIGHT = 20, 26  # a digit's ink height in MNIST; the number's, however its digits stand
STRIP_MARGIN = 4  # empty columns at least on each side, as an MNIST digit has in its 28 px


def number_strip(image) -> Strip:
    """The whole number in `image` as a strip reader's input: no segmentation, so touching digits stay as
    written. The tallest group of ink (a digit, or touching digits) is scaled to MNIST's 20 px, the aspect
    ratio kept (the whole number at most 26 px high); the ink is centred along a 28 px strip of width
    max(84, needed) with its centre of mass in the middle row. Raises DigitizeError as `digitize` does,
    except for the number of digits, which the reader decides.
    """
    ink, dark_on_light, size, shrink, labels, groups = _found_ink(image)
    mine = np.isin(labels, [lab for g in groups for lab in g])
    ys, xs = np.nonzero(mine)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    pad = 2  # the antialiased rim, as in `digitize`
    py0, px0 = max(y0 - pad, 0), max(x0 - pad, 0)
    py1, px1 = min(y1 + pad, ink.shape[0]), min(x1 + pad, ink.shape[1])
    near = ndimage.binary_dilation(mine[py0:py1, px0:px1], iterations=pad)
    tallest = max(int(np.ptp(np.nonzero(np.isin(labels, g))[0])) + 1 for g in groups)
    crop = thicken(ink[py0:py1, px0:px1] * near, mine[py0:py1, px0:px1], size=tallest)
    crop = crop[~np.all(crop == 0, 1)][:, ~np.all(crop == 0, 0)]
    s = min(DIGIT_HEIGHT / tallest, MAX_INK_HEIGHT / crop.shape[0])
    scaled = (max(1, round(crop.shape[1] * s)), max(1, round(crop.shape[0] * s)))
    small = np.asarray(Image.fromarray(crop.astype(np.float32), "F").resize(scaled, Image.Resampling.LANCZOS))
    small = small.clip(0, None)
    small = small / max(float(small.max()), 1e-6)
    h, w = small.shape
    width = max(STRIP_WIDTH, w + 2 * STRIP_MARGIN)
    cy = ndimage.center_of_mass(small)[0]
    top = int(np.clip(round(STRIP_HEIGHT / 2 - cy), 0, STRIP_HEIGHT - h))
    left = (width - w) // 2
    out = np.zeros((STRIP_HEIGHT, width), np.float32)
    out[top : top + h, left : left + w] = small
    box = tuple(int(round(v * shrink)) for v in (x0, y0, x1, y1))
    return Strip((out * 255).round().clip(0, 255).astype(np.uint8), box, dark_on_light, size)


def strip(images: np.ndarray) -> np.ndarray:
    """Prepared digits side by side, [28, 28 n] with a 1 px grey line between them: the network's view."""
    parts = []
    for i, img in enumerate(images):
        if i:
            parts.append(np.full((28, 1), 96, np.uint8))
        parts.append(img)
    return np.concatenate(parts, axis=1) if parts else np.zeros((28, 28), np.uint8)

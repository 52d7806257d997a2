"""Page-like images of handwritten numbers, made from MNIST digits as a person would write them.

MNIST digits are white on black, 20x20 inside 28x28 and centred; a number written on paper is none
of that. Each digit here is cropped to its ink, scaled up 2-4x (one size for the number, a little
jitter per digit), optionally rotated, set down with uneven gaps and slight vertical offsets, and the
whole number lies off-centre on a larger light page with dark ink, a paper tone and a little noise.
The gaps are a style parameter: GAPS leaves space between digits, TOUCHING makes neighbours touch or
overlap, as people often write. The digits are MNIST *test* digits (the accuracy check
tools/check_predict.py, the tests, the drawing notebook) or *validation* digits, MNIST train images
that no training draw uses (lib/data/splits.py): the pages on which the reading network is chosen.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

from ..data import mnist
from ..data.numbers import UNIFORM, sample_labels
from ..data.splits import validation_digits
from .digitize import strip

# Ink gaps between neighbouring digits, as fractions of a digit's height (negative: overlapping ink).
GAPS = (0.12, 0.7)  # uneven, never touching: what a segmenting reader needs
TOUCHING = (-0.1, 0.02)  # neighbours touch or overlap: what people often write
SOURCES = ("test", "validation")  # where the digits come from: MNIST test, or the validation digits of train


@dataclass
class WrittenNumber:
    """One page: the image, the number on it, and where each digit's ink was put (reading order)."""

    image: np.ndarray  # uint8 [H, W], dark ink on a light page
    number: int
    boxes: list  # (x0, y0, x1, y1) per digit, x1/y1 exclusive
    sources: list  # MNIST index of each digit's image


def _crop(img: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(img)
    return img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _scaled_digit(img: np.ndarray, scale: float, angle: float) -> np.ndarray:
    """A 28x28 MNIST digit cropped to its ink, rotated by `angle` degrees, scaled by `scale`."""
    pil = Image.fromarray(_crop(img))
    if angle:
        pil = pil.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=0)
    size = (max(1, round(pil.width * scale)), max(1, round(pil.height * scale)))
    return _crop(np.asarray(pil.resize(size, Image.Resampling.BICUBIC)).clip(0, 255).astype(np.uint8))


def write_number(
    digit_images,
    rng: np.random.Generator,
    scale=(2.0, 4.0),
    rotate: float = 0.0,
    noise: float = 2.0,
    gaps=GAPS,
) -> tuple:
    """Lay out MNIST digit images (uint8 28x28, reading order) as handwriting on a page, with ink gaps
    between neighbours drawn uniformly from `gaps` (fractions of a digit's height; negative overlaps).

    Returns (page uint8 [H, W] dark on light, boxes of each digit's ink on it).
    """
    if len(gaps) != 2 or not -0.5 <= gaps[0] <= gaps[1]:
        raise ValueError(f"gaps must be (lo, hi) fractions of a digit's height with -0.5 <= lo <= hi, got {gaps}")
    base = rng.uniform(*scale)
    glyphs = [
        _scaled_digit(np.asarray(d), base * rng.uniform(0.92, 1.08), rng.uniform(-rotate, rotate)) for d in digit_images
    ]
    height = 20 * base  # a typical digit's height on this page
    xs, ys, x = [], [], 0
    for g in glyphs:
        xs.append(x)
        ys.append(int(round((height - g.shape[0]) / 2 + rng.normal(0, 0.06 * height))))
        x += g.shape[1] + int(round(rng.uniform(*gaps) * height))
    ys = np.array(ys) - min(ys)
    ink_w = max(x + g.shape[1] for x, g in zip(xs, glyphs))
    ink_h = max(y + g.shape[0] for y, g in zip(ys, glyphs))
    left, right = (int(rng.uniform(0.3, 3.0) * height) for _ in range(2))  # off-centre
    top, bottom = (int(rng.uniform(0.3, 2.0) * height) for _ in range(2))
    ink = np.zeros((top + ink_h + bottom, left + ink_w + right), np.float32)
    boxes = []
    for x0, y0, g in zip(xs, ys, glyphs):
        x0, y0 = int(x0 + left), int(y0 + top)
        region = ink[y0 : y0 + g.shape[0], x0 : x0 + g.shape[1]]
        np.maximum(region, g, out=region)
        boxes.append((x0, y0, x0 + g.shape[1], y0 + g.shape[0]))
    paper, pen = rng.uniform(220, 255), rng.uniform(0, 60)
    page = paper - ink / 255 * (paper - pen) + rng.normal(0, noise, ink.shape)
    return page.clip(0, 255).round().astype(np.uint8), boxes


def digit_source(source: str = "test") -> tuple:
    """(images, labels, usable indices) of the MNIST digits pages are written with: all test digits, or the
    validation digits among the train images (never a digit any network trained on)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    images, labels = mnist.load_split("train" if source == "validation" else "test")
    labels = torch.as_tensor(labels)
    usable = validation_digits(labels) if source == "validation" else torch.arange(len(labels))
    return images, labels, usable


def sample(
    count: int,
    seed: int = 0,
    images=None,
    labels=None,
    numbers=None,
    touching: bool = False,
    source: str = "test",
    usable=None,
    **style,
) -> list:
    """`count` WrittenNumbers from MNIST digits: `source` "test" or "validation" (`digit_source`), or the given
    `images`/`labels`, of which only the indices `usable` are used (default all).

    `numbers` fixes the numbers to write; otherwise they are drawn at random. `touching` writes neighbours
    touching or overlapping (gaps TOUCHING); `style` goes to `write_number` (scale, rotate, noise, gaps).
    The same seed gives the same pages.
    """
    if touching:
        if "gaps" in style:
            raise ValueError("give either touching=True or gaps=(lo, hi), not both")
        style["gaps"] = TOUCHING
    if images is None:
        images, labels, usable = digit_source(source)
    images, labels = np.asarray(images), np.asarray(labels)
    usable = np.arange(len(labels)) if usable is None else np.asarray(usable)
    by_digit = [usable[labels[usable] == d] for d in range(10)]
    rng = np.random.default_rng(seed)
    if numbers is None:  # drawn as the study draws them: digit count uniform, then uniform among n-digit numbers
        numbers = sample_labels(count, UNIFORM, torch.Generator().manual_seed(seed)).numpy()
    pages = []
    for number in numbers:
        sources = [int(rng.choice(by_digit[int(c)])) for c in str(int(number))]
        image, boxes = write_number([images[i] for i in sources], rng, **style)
        pages.append(WrittenNumber(image, int(number), boxes, sources))
    return pages


def plot_readings(pages, predictions, columns: int = 3):
    """Each page with the prepared input the network saw and its top 5 (for the notebook)."""
    rows = -(-len(pages) // columns)
    fig, axes = plt.subplots(
        rows * 2,
        columns,
        figsize=(4 * columns, 3.6 * rows),
        gridspec_kw={"height_ratios": [3, 1] * rows},
        squeeze=False,
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, (page, pred) in enumerate(zip(pages, predictions)):
        top, bottom = axes[2 * (i // columns), i % columns], axes[2 * (i // columns) + 1, i % columns]
        top.imshow(page.image, cmap="gray", vmin=0, vmax=255)
        for x0, y0, x1, y1 in pred.digits.boxes:
            top.add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, ec="tab:orange"))
        mark = "right" if pred.number == page.number else "WRONG"
        top.set_title(f"written {page.number}: read {pred.number} ({pred.probability:.1%}, {mark})", fontsize=9)
        bottom.imshow(strip(pred.digits.images), cmap="gray", vmin=0, vmax=255)
        bottom.set_title("  ".join(f"{n}: {p:.1%}" for n, p in pred.top[:5]), fontsize=8)
    fig.tight_layout()
    return fig

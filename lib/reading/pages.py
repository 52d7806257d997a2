"""Page-like images of handwritten numbers, made from MNIST test digits as a person would write them.

MNIST digits are white on black, 20x20 inside 28x28 and centred; a number written on paper is none
of that. Each digit here is cropped to its ink, scaled up 2-4x (one size for the number, a little
jitter per digit), optionally rotated, set down with uneven gaps and slight vertical offsets, and the
whole number lies off-centre on a larger light page with dark ink, a paper tone and a little noise.
The tests, the accuracy check (tools/check_predict.py) and the drawing notebook all read these.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

from ..data import mnist
from ..data.numbers import UNIFORM, sample_labels
from .digitize import strip


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
    digit_images, rng: np.random.Generator, scale=(2.0, 4.0), rotate: float = 0.0, noise: float = 2.0
) -> tuple:
    """Lay out MNIST digit images (uint8 28x28, reading order) as handwriting on a page.

    Returns (page uint8 [H, W] dark on light, boxes of each digit's ink on it).
    """
    base = rng.uniform(*scale)
    glyphs = [
        _scaled_digit(np.asarray(d), base * rng.uniform(0.92, 1.08), rng.uniform(-rotate, rotate)) for d in digit_images
    ]
    height = 20 * base  # a typical digit's height on this page
    xs, ys, x = [], [], 0
    for g in glyphs:
        xs.append(x)
        ys.append(int(round((height - g.shape[0]) / 2 + rng.normal(0, 0.06 * height))))
        x += g.shape[1] + int(round(rng.uniform(0.12, 0.7) * height))  # uneven gaps, never touching
    ys = np.array(ys) - min(ys)
    ink_w = xs[-1] + glyphs[-1].shape[1]
    ink_h = max(y + g.shape[0] for y, g in zip(ys, glyphs))
    left, right = (int(rng.uniform(0.3, 3.0) * height) for _ in range(2))  # off-centre
    top, bottom = (int(rng.uniform(0.3, 2.0) * height) for _ in range(2))
    ink = np.zeros((top + ink_h + bottom, left + ink_w + right), np.float32)
    boxes = []
    for x0, y0, g in zip(xs, ys, glyphs):
        x0, y0 = x0 + left, y0 + top
        region = ink[y0 : y0 + g.shape[0], x0 : x0 + g.shape[1]]
        np.maximum(region, g, out=region)
        boxes.append((x0, y0, x0 + g.shape[1], y0 + g.shape[0]))
    paper, pen = rng.uniform(220, 255), rng.uniform(0, 60)
    page = paper - ink / 255 * (paper - pen) + rng.normal(0, noise, ink.shape)
    return page.clip(0, 255).round().astype(np.uint8), boxes


def sample(count: int, seed: int = 0, images=None, labels=None, numbers=None, **style) -> list:
    """`count` WrittenNumbers from MNIST test digits (loaded if `images`/`labels` are not given).

    `numbers` fixes the numbers to write; otherwise they are drawn at random. `style` goes to
    `write_number` (scale, rotate, noise). The same seed gives the same pages.
    """
    if images is None:
        images, labels = mnist.load_split("test")
    images, labels = np.asarray(images), np.asarray(labels)
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
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

"""Page-like images of handwritten numbers, made from MNIST digits as a person would write them."""

from dataclasses import dataclass
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

from ..data import mnist
from ..data.numbers import UNIFORM, sample_labels
from ..data.splits import validation_digits
from ..infra.choices import pick
from .digitize import strip

# Ink gaps between neighbouring digits by page kind, as fractions of a digit's height (negative: overlapping ink):
# uneven but never touching, what a segmenting reader needs; or touching and overlapping, as people often write.
GAPS = {"ordinary": (0.12, 0.7), "touching": (-0.1, 0.02)}
KINDS = tuple(GAPS)
SOURCES = ("test", "validation")  # where the digits come from: MNIST test, or the validation digits of train


@dataclass
class WrittenNumber:
    """One page: the image, the number on it, and where each digit's ink was put (reading order)."""

    image: np.ndarray  # uint8 [H, W], dark ink on a light page
    number: int
    boxes: list  # (x0, y0, x1, y1) per digit, x1/y1 exclusive
    sources: list  # MNIST index of each digit's image


def _scaled_digit(img, scale: float, angle: float) -> np.ndarray:
    """A 28x28 MNIST digit cropped to its ink, rotated by `angle` degrees, scaled by `scale`, cropped again."""
    pil = Image.fromarray(np.asarray(img))
    pil = pil.crop(pil.getbbox())
    if angle:
        pil = pil.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=0)
    pil = pil.resize((max(1, round(pil.width * scale)), max(1, round(pil.height * scale))), Image.Resampling.BICUBIC)
    return np.asarray(pil.crop(pil.getbbox()))


def write_number(digit_images, rng, scale=(2.0, 4.0), rotate=0.0, noise=2.0, gaps=GAPS["ordinary"]) -> tuple:
    """(page uint8 [H, W], each digit's ink box): MNIST digits laid out by `rng`, `gaps` of a digit's height apart."""
    if len(gaps) != 2 or not -0.5 <= gaps[0] <= gaps[1]:
        raise ValueError(f"gaps must be (lo, hi) fractions of a digit's height with -0.5 <= lo <= hi, got {gaps}")
    base = rng.uniform(*scale)
    glyphs = [_scaled_digit(d, base * rng.uniform(0.92, 1.08), rng.uniform(-rotate, rotate)) for d in digit_images]
    height = 20 * base  # a typical digit's height on this page
    xs, ys, x = [], [], 0
    for g in glyphs:
        xs.append(x)
        ys.append(int(round((height - g.shape[0]) / 2 + rng.normal(0, 0.06 * height))))
        x += g.shape[1] + int(round(rng.uniform(*gaps) * height))
    left, right = (int(rng.uniform(0.3, 3.0) * height) for _ in range(2))  # off-centre
    top, bottom = (int(rng.uniform(0.3, 2.0) * height) for _ in range(2))
    top -= min(ys)
    boxes = [(left + x, top + y, left + x + g.shape[1], top + y + g.shape[0]) for x, y, g in zip(xs, ys, glyphs)]
    ink = np.zeros((max(b[3] for b in boxes) + bottom, max(b[2] for b in boxes) + right), np.float32)
    for (x0, y0, x1, y1), g in zip(boxes, glyphs):
        ink[y0:y1, x0:x1] = np.maximum(ink[y0:y1, x0:x1], g)
    paper, pen = rng.uniform(220, 255), rng.uniform(0, 60)
    page = paper - ink / 255 * (paper - pen) + rng.normal(0, noise, ink.shape)
    return page.clip(0, 255).round().astype(np.uint8), boxes


@cache
def digit_source(source: str = "test") -> tuple:
    """(images, labels, usable indices): all MNIST test digits, or the validation digits no network trained on."""
    pick(SOURCES, source, "digit source")
    images, labels = mnist.load_split("train" if source == "validation" else "test")
    usable = validation_digits(labels) if source == "validation" else torch.arange(len(labels))
    return images.numpy(), labels.numpy(), usable.numpy()


def sample(count: int, seed: int = 0, numbers=None, kind: str = "ordinary", source: str = "test", **style) -> list:
    """`count` seeded pages of `kind` with `source` digits; `numbers` default to the study's draw."""
    style = {"gaps": pick(GAPS, kind, "page kind"), **style}
    images, labels, usable = digit_source(source)
    by_digit = [usable[labels[usable] == d] for d in range(10)]
    rng = np.random.default_rng(seed)
    if numbers is None:
        numbers = sample_labels(count, UNIFORM, torch.Generator().manual_seed(seed)).numpy()
    pages = []
    for number in numbers:
        sources = [int(rng.choice(by_digit[int(c)])) for c in str(int(number))]
        image, boxes = write_number([images[i] for i in sources], rng, **style)
        pages.append(WrittenNumber(image, int(number), boxes, sources))
    return pages


def plot_readings(pages, predictions, columns: int = 3):
    """Each page with where the digits were found and what was read; below it, the network's input and top 5."""
    rows = -(-len(pages) // columns)
    fig = plt.figure(figsize=(4 * columns, 3.6 * rows), layout="constrained")
    for sub, page, pred in zip(fig.subfigures(rows, columns, squeeze=False).flat, pages, predictions):
        no_axes = {"frame_on": False, "xticks": [], "yticks": []}
        top, bottom = sub.subplots(2, 1, height_ratios=[3, 1], subplot_kw=no_axes)
        top.imshow(page.image, cmap="gray", vmin=0, vmax=255)
        for x0, y0, x1, y1 in pred.digits.boxes:
            top.add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, ec="tab:orange"))
        mark = "right" if pred.number == page.number else "WRONG"
        top.set_title(f"written {page.number}: read {pred.number} ({pred.probability:.1%}, {mark})", fontsize=9)
        bottom.imshow(strip(pred.digits.images), cmap="gray", vmin=0, vmax=255)
        bottom.set_title("  ".join(f"{n}: {p:.1%}" for n, p in pred.top[:5]), fontsize=8)
    return fig

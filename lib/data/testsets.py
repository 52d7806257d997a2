"""The fixed sets of numbers every model is scored on: built once, stored with a manifest, verified on load."""

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..infra import atomic
from ..infra.choices import pick
from ..infra.paths import DATA_DIR, relative
from . import layouts, mnist, splits
from .augment import digit_affine, random_shifts, resample, stroke_thickness, window_max
from .layouts import ink_extent
from .numbers import DigitBank, NumberBatch
from .preprocess import prepare

FORMAT_VERSION = 2  # 2: stored uncompressed: a profile found decompression most of a notebook's load time
SEED = 20250829  # the date of the original study's versions


@dataclass(frozen=True)
class Variant:
    """The fixed numbers drawn again with their own digit images (seed offset), changed as the fields say."""

    name: str
    seed_offset: int
    description: str
    layout_shift: tuple = ()  # max (x, y) pixels each digit moves
    digit_scale: float = 0.0  # each digit scaled by 1 +- this
    thickness: int = 0  # strokes thinner or thicker by up to this many pixels
    touching_gaps: tuple = ()  # (min, max) px between neighbours' ink where they sit side by side (<= 0: touching)
    keep_ink: bool = False  # limit shifts so that no ink leaves the image
    thicken: int = 0  # strokes thicker by exactly this many pixels (a grey-level dilation, half on each side)
    baseline: tuple = ()  # (max slope, max sag) px: the number's baseline bent along a random line plus arc

    def draw(self, batch: NumberBatch, dataset: str, generator: torch.Generator) -> torch.Tensor:
        layout = layouts.get(dataset)
        slots = batch.slots
        if self.digit_scale:
            slots = digit_affine(slots, generator, 0.0, self.digit_scale, 0.0, 0)
        if self.thickness:
            slots = stroke_thickness(slots, generator, self.thickness)
        if self.thicken:
            slots = thicker(slots, self.thicken)
        if self.baseline:
            slots = bent(slots, batch.ndigits, generator, *self.baseline)
        if not self.layout_shift:
            return layout.compose(slots)
        shift_x, shift_y = random_shifts(len(batch), *self.layout_shift, generator, "cpu")
        if self.keep_ink:
            (top, bottom), (left, right) = ink_extent(slots, dim=3), ink_extent(slots, dim=2)
            shift_x, shift_y = shift_x.clamp(-left, 27 - right), shift_y.clamp(-top, 27 - bottom)
        if self.touching_gaps and isinstance(layout, layouts.SideBySide):  # only digits side by side can touch
            gaps = torch.randint(self.touching_gaps[0], self.touching_gaps[1] + 1, (len(batch), 3), generator=generator)
            shift_x = layout.touching_shifts(slots, batch.ndigits, gaps, shift_x[:, 0])
        return layout.place(slots, shift_x, shift_y)

    def manifest(self) -> dict:
        if self.name == "clean":
            return {}
        fields = {"max_shift_xy": list(self.layout_shift)}
        fields.update({k: getattr(self, k) for k in ("digit_scale", "thickness", "thicken") if getattr(self, k)})
        if self.baseline:
            fields["baseline_slope_sag"] = list(self.baseline)
        if self.touching_gaps:
            fields["touching_gaps"] = list(self.touching_gaps)
        return {"variant": self.name, **fields}


VARIANTS = {
    v.name: v
    for v in (
        Variant("clean", 0, "the study's test set"),
        Variant(
            "robust",
            10,
            "digits moved up to 4 px across and 3 px up or down (in distribution for versions "
            "trained with layout shifts)",
            (4, 3),
        ),
        Variant(
            "ood",
            20,
            "out of distribution for the training augmentations of versions 1-27 (version 28 and the versions "
            "built on it train on touching digits): digits scaled 0.75-1.25, strokes 1 px thinner or thicker, moved up to 8 px across "
            "and 6 px up or down (ink kept inside); on W neighbours are then packed touching (0-2 px of overlap or "
            "gap between their ink)",
            layout_shift=(8, 6),
            digit_scale=0.25,
            thickness=1,
            touching_gaps=(-2, 0),
            keep_ink=True,
        ),
        Variant(
            "curved",
            30,
            "outside every version's training augmentation: strokes 2 px thicker, and the whole number's "
            "baseline bent along a random slope (up to 4 px at its ends) and arc (up to 6 px), each digit's "
            "ink kept inside",
            thicken=2,
            baseline=(4, 6),
        ),
    )
}


def thicker(slots: torch.Tensor, pixels: int) -> torch.Tensor:
    """Every slot's strokes `pixels` px thicker: a centred grey-level dilation by a (pixels+1)-square window."""
    n = slots.numel() // (28 * 28)
    images = torch.nn.functional.pad(slots.reshape(n, 1, 28, 28).float(), (pixels // 2, -(-pixels // 2)) * 2)
    return window_max(images, pixels + 1).to(torch.uint8).view_as(slots)


def bent(slots: torch.Tensor, ndigits: torch.Tensor, generator: torch.Generator, slope: float, sag: float):
    """Columns moved along a*u + b*(u^2 - 1/3), u -1..1 across the number, a and b uniform in +-slope, +-sag."""
    b = len(slots)
    a, arc = (torch.rand(b, 2, generator=generator) * 2 - 1).mul(torch.tensor([slope, sag])).unbind(1)
    x = 28 * torch.arange(3)[:, None] + torch.arange(28)[None, :] + 0.5  # [3, 28] the number's columns
    u = 2 * x[None] / (28 * ndigits[:, None, None]) - 1  # [B, 3, 28]
    dy = a[:, None, None] * u + arc[:, None, None] * (u**2 - 1 / 3)
    top, bottom = ink_extent(slots, dim=3)
    dy = dy.clamp(-top[..., None].float(), (27 - bottom)[..., None].float())
    rows = torch.arange(28)[None, None, :, None] + 0.5 - dy[:, :, None, :]  # [B, 3, 28 rows, 28 cols] source rows
    cols = (torch.arange(28) + 0.5).expand(b, 3, 28, 28)
    return resample(slots, torch.stack([cols * 2 / 28 - 1, rows * 2 / 28 - 1], -1).reshape(b * 3, 28, 28, 2))


# The parts of the fixed sets: which MNIST split their digits come from, numbers per class by digit count, seed
PER_CLASS = {"test": {1: 1500, 2: 167, 3: 17}, "val": {1: 500, 2: 56, 3: 6}}  # val: a third of test's quotas
MNIST_SPLIT = {"test": "test", "val": "train"}
PART_SEED = {"test": 0, "val": 100}
PARTS = tuple(PER_CLASS)


def counts(part: str) -> dict:
    """Numbers per digit count: 10 one-digit classes, 90 two-digit, 900 three-digit."""
    return {k: n * (9 * 10 ** (k - 1) + (k == 1)) for k, n in PER_CLASS[part].items()}


def size(part: str) -> int:
    return sum(counts(part).values())


SIZE = size("test")


class TestSetError(RuntimeError):
    """A test-set file that is missing, stale or damaged and may not be used."""

    __test__ = False  # not a pytest class


@dataclass
class TestSet:
    __test__ = False  # not a pytest class
    dataset: str
    raw: torch.Tensor  # uint8, W [N,28,84] / C [N,3,28,28]
    ndigits: torch.Tensor  # int64 [N]
    labels: torch.Tensor  # int64 [N]
    source: torch.Tensor  # int64 [N,3], MNIST index of each slot's image, -1 empty

    def __len__(self):
        return len(self.labels)

    def subset(self, limit: int) -> "TestSet":
        """A fixed random subset (for smoke runs); the whole set when limit is None or large."""
        if limit is None or limit >= len(self):
            return self
        keep = torch.randperm(len(self), generator=torch.Generator().manual_seed(0))[:limit].sort().values
        return TestSet(self.dataset, self.raw[keep], self.ndigits[keep], self.labels[keep], self.source[keep])


def paths(dataset: str, root=DATA_DIR, variant: str = "clean", part: str = "test"):
    """(data, manifest) file of a set, after checking its names."""
    for name, valid, what in ((dataset, layouts.LAYOUTS, "dataset (layout)"), (variant, VARIANTS, "test-set variant"),
                              (part, PARTS, "set part")):  # fmt: skip
        pick(valid, name, what)
    stem = f"{part}_{dataset}" + ("" if variant == "clean" else f"_{variant}")
    return Path(root) / f"{stem}.npz", Path(root) / f"{stem}.json"


def generate(dataset: str, variant: str = "clean", part: str = "test") -> TestSet:
    """Draw a fixed set in memory: every number 0-999 its part's quota of times, sorted by class."""
    paths(dataset, variant=variant, part=part)  # checks the names
    images, labels = mnist.load_split(MNIST_SPLIT[part])
    keep = splits.validation_digits(labels) if part == "val" else None
    bank = DigitBank(images, labels) if keep is None else DigitBank(images[keep], labels[keep], indices=keep)
    quota = torch.tensor([PER_CLASS[part][len(str(n))] for n in range(1000)])
    seed = SEED + layouts.LAYOUTS[dataset].seed_offset + VARIANTS[variant].seed_offset + PART_SEED[part]
    gen = torch.Generator().manual_seed(seed)
    batch = bank.numbers(torch.arange(1000).repeat_interleave(quota), gen)
    raw = VARIANTS[variant].draw(batch, dataset, gen)
    return TestSet(dataset, raw.contiguous(), batch.ndigits, batch.labels, batch.source)


def expected_manifest(dataset, variant="clean", part="test"):
    """What a current set's manifest holds, but for its file's name, SHA-256 and shape."""
    validation = {"mnist_images_per_digit": splits.VALIDATION_PER_DIGIT, "validation_seed": splits.VALIDATION_SEED}
    return {
        "format_version": FORMAT_VERSION,
        "dataset": dataset,
        **({} if part == "test" else {"part": part, **validation}),
        **VARIANTS[variant].manifest(),
        "seed": SEED,
        "size": size(part),
        "per_class_by_digit_count": {str(k): v for k, v in PER_CLASS[part].items()},
        "count_by_digit_count": {str(k): v for k, v in counts(part).items()},
        f"mnist_{MNIST_SPLIT[part]}_sha256": mnist.split_sha256(MNIST_SPLIT[part]),
    }


def verify(dataset: str, root=DATA_DIR, variant: str = "clean", part: str = "test") -> dict:
    """The manifest of a current, intact stored set; else TestSetError saying why and how to rebuild it."""
    data_path, manifest_path = paths(dataset, root, variant, part)
    problem, expected = None, expected_manifest(dataset, variant, part)
    try:
        manifest = json.loads(manifest_path.read_text())
        stale = next((k for k, v in expected.items() if manifest.get(k) != v), None)
        if stale is not None:
            problem = f"stale: manifest {stale} is {manifest.get(stale)!r}, expected {expected[stale]!r}"
        elif hashlib.sha256(data_path.read_bytes()).hexdigest() != manifest.get("file_sha256"):
            problem = "damaged: its SHA-256 differs from the manifest's"
    except FileNotFoundError:
        problem = f"not built yet ({data_path.name} or {manifest_path.name} missing)"
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        problem = f"unreadable: manifest {manifest_path.name} is not valid JSON ({e})"
    if problem:
        raise TestSetError(
            f"test set {relative(data_path)} is {problem}. Rebuild it with lib.data.testsets.build({dataset!r}, "
            f"variant={variant!r}, part={part!r}) or notebooks/00_test_sets.ipynb."
        )
    return manifest


def build(dataset: str, root=DATA_DIR, variant: str = "clean", part: str = "test") -> TestSet:
    """Draw a fixed set and write it with its manifest (both atomically)."""
    data_path, manifest_path = paths(dataset, root, variant, part)
    ts, buf = generate(dataset, variant, part), io.BytesIO()
    arrays = {"raw": ts.raw, "ndigits": ts.ndigits.to(torch.int8), "labels": ts.labels.to(torch.int16)}
    np.savez(buf, **{k: v.numpy() for k, v in arrays.items()}, source=ts.source.int().numpy())
    written = {"file": data_path.name, "file_sha256": hashlib.sha256(buf.getvalue()).hexdigest()}
    manifest = expected_manifest(dataset, variant, part) | written | {"shape": list(ts.raw.shape)}
    atomic.write_bytes(data_path, buf.getvalue())
    atomic.write_json(manifest_path, manifest)
    return ts


def load(dataset: str, root=DATA_DIR, variant: str = "clean", part: str = "test") -> TestSet:
    """The verified fixed set; rebuilt (with a message) when missing, stale or damaged."""
    try:
        verify(dataset, root, variant, part)
    except TestSetError as e:
        print(f"rebuilding: {e}")
        return build(dataset, root, variant, part)
    with np.load(paths(dataset, root, variant, part)[0]) as z:
        arrays = {k: torch.from_numpy(z[k].astype(np.uint8 if k == "raw" else np.int64, copy=False)) for k in z.files}
    return TestSet(dataset, arrays["raw"], arrays["ndigits"], arrays["labels"], arrays["source"])


def pixel_stats(test_set: TestSet):
    """Raw and preprocessed pixel statistics by digit count, as a DataFrame (what the model's input looks like)."""
    stats = {}
    for n in (1, 2, 3):
        rows = (test_set.ndigits == n).nonzero().squeeze(1)[:2000]
        visible = layouts.get(test_set.dataset).digits_region(test_set.raw[rows], n).float()
        x = prepare(test_set.raw[rows], test_set.ndigits[rows], test_set.dataset)
        stats[n] = {"raw mean (0-255)": visible.mean().item(), "raw std": visible.std().item()}
        stats[n] |= {"ink fraction (>127)": (visible > 127).float().mean().item()}
        stats[n] |= {"input mean": x.mean().item(), "input std": x.std().item()}
    return pd.DataFrame.from_dict(stats, orient="index").rename_axis("digits")

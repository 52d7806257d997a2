"""The fixed test sets: 45,330 numbers each for W and C, built once from MNIST *test* digits.

Per class: 1,500 numbers for 0-9, 167 for 10-99, 17 for 100-999 (as the original).
Each set is one compressed .npz of raw uint8 compositions (so any preprocessing
can be tested on the same numbers) plus a JSON manifest. Loading verifies the
manifest and the file's hash; a stale or damaged set is rebuilt with a message,
or rejected when rebuilding is off, never used silently.

Variants: "clean" is the study's test set. "robust" (issue: robustness) has the same
numbers drawn again from MNIST test digits, each digit moved by up to ROBUST_SHIFT
pixels (x, y), so gaps and vertical offsets between digits vary as in handwriting.
"""
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import atomic, mnist
from .augment import place, random_shifts
from .numbers import DigitBank, NumberBatch, check_dataset
from .paths import DATA_DIR

FORMAT_VERSION = 1
SEED = 20250829  # the date of the original study's versions
PER_CLASS = {1: 1500, 2: 167, 3: 17}  # numbers per class, by digit count
SIZE = 10 * PER_CLASS[1] + 90 * PER_CLASS[2] + 900 * PER_CLASS[3]  # 45,330
DATASET_SEED_OFFSET = {"W": 0, "C": 1}  # W and C are drawn independently, as the original did
VARIANTS = {"clean": 0, "robust": 10}  # variant -> seed offset: the robust set draws its own digits
ROBUST_SHIFT = (4, 3)  # max x, y shift of each digit in the robust set, pixels


def check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown test-set variant {variant!r}; valid: {', '.join(VARIANTS)}")
    return variant


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
    source: torch.Tensor  # int64 [N,3], MNIST test index of each slot, -1 empty

    def __len__(self):
        return len(self.labels)

    def subset(self, limit: int, seed: int = 0) -> "TestSet":
        """A fixed random subset (for smoke runs); the whole set when limit is None or large."""
        if limit is None or limit >= len(self):
            return self
        keep = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))[:limit].sort().values
        return TestSet(self.dataset, self.raw[keep], self.ndigits[keep], self.labels[keep], self.source[keep])


def paths(dataset: str, root=DATA_DIR, variant: str = "clean"):
    root = Path(root)
    stem = f"test_{check_dataset(dataset)}" + ("" if check_variant(variant) == "clean" else f"_{variant}")
    return root / f"{stem}.npz", root / f"{stem}.json"


def class_labels() -> torch.Tensor:
    """Every number 0-999 repeated by its digit count's quota, sorted by class."""
    numbers = torch.arange(1000)
    repeats = torch.tensor([PER_CLASS[1 + (n >= 10) + (n >= 100)] for n in range(1000)])
    return numbers.repeat_interleave(repeats)


def generate(dataset: str, mnist_root=DATA_DIR, mnist_dir=None, seed: int = SEED, variant: str = "clean") -> TestSet:
    """Draw the test set in memory from MNIST test digits."""
    images, labels = mnist.load_split("test", mnist_root, mnist_dir)
    bank = DigitBank(images, labels)
    gen = torch.Generator().manual_seed(seed + DATASET_SEED_OFFSET[check_dataset(dataset)] + VARIANTS[variant])
    batch: NumberBatch = bank.numbers(class_labels(), gen)
    if variant == "robust":
        raw = place(batch.slots, dataset, *random_shifts(len(batch), *ROBUST_SHIFT, gen, "cpu"))
    else:
        raw = batch.raw(dataset)
    return TestSet(dataset, raw.contiguous(), batch.ndigits, batch.labels, batch.source)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expected_manifest(dataset, mnist_root, variant="clean"):
    return {
        "format_version": FORMAT_VERSION,
        "dataset": dataset,
        **({} if variant == "clean" else {"variant": variant, "max_shift_xy": list(ROBUST_SHIFT)}),
        "seed": SEED,
        "size": SIZE,
        "per_class_by_digit_count": {str(k): v for k, v in PER_CLASS.items()},
        "count_by_digit_count": {str(k): v * (9 * 10 ** (k - 1) + (k == 1)) for k, v in PER_CLASS.items()},
        "mnist_test_sha256": mnist.split_sha256("test", mnist_root),
    }


def build(dataset: str, root=DATA_DIR, mnist_root=DATA_DIR, mnist_dir=None, variant: str = "clean") -> TestSet:
    """Generate the test set and write it with its manifest (both atomically)."""
    mnist.ensure_mnist(mnist_root, mnist_dir)
    ts = generate(dataset, mnist_root, variant=variant)
    data_path, manifest_path = paths(dataset, root, variant)
    buf = io.BytesIO()
    np.savez_compressed(buf, raw=ts.raw.numpy(), ndigits=ts.ndigits.numpy().astype(np.int8),
                        labels=ts.labels.numpy().astype(np.int16), source=ts.source.numpy().astype(np.int32))
    atomic.write_bytes(data_path, buf.getvalue())
    manifest = _expected_manifest(dataset, mnist_root, variant) | {
        "file": data_path.name, "file_sha256": _sha256(data_path), "shape": list(ts.raw.shape)}
    atomic.write_json(manifest_path, manifest)
    return ts


def verify(dataset: str, root=DATA_DIR, mnist_root=DATA_DIR, variant: str = "clean") -> dict:
    """Return the manifest if the stored set is current and intact, else raise TestSetError saying why."""
    data_path, manifest_path = paths(dataset, root, variant)
    if not data_path.is_file() or not manifest_path.is_file():
        raise TestSetError(f"test set {dataset} is not built yet ({data_path} / {manifest_path.name} missing)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TestSetError(f"manifest {manifest_path} is not valid JSON ({e})") from e
    expected = _expected_manifest(dataset, mnist_root, variant)
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise TestSetError(f"test set {data_path} is stale: manifest {key} is {manifest.get(key)!r}, "
                               f"expected {value!r}")
    if _sha256(data_path) != manifest.get("file_sha256"):
        raise TestSetError(f"test set {data_path} is damaged: its SHA-256 differs from the manifest's")
    return manifest


def load(dataset: str, root=DATA_DIR, mnist_root=DATA_DIR, mnist_dir=None, rebuild: bool = True,
         variant: str = "clean") -> TestSet:
    """The verified test set; rebuilt (with a message) when missing, stale or damaged, if `rebuild`."""
    mnist.ensure_mnist(mnist_root, mnist_dir)
    try:
        verify(dataset, root, mnist_root, variant)
    except TestSetError as e:
        if not rebuild:
            raise TestSetError(f"{e}. Rebuild it with lib.testsets.build({dataset!r}, variant={variant!r}) "
                               f"or notebooks/00_test_sets.ipynb.") from e
        print(f"{e}; rebuilding it.")
        return build(dataset, root, mnist_root, variant=variant)
    data_path, _ = paths(dataset, root, variant)
    with np.load(data_path) as z:
        arrays = {k: torch.from_numpy(z[k].astype(np.uint8 if k == "raw" else np.int64)) for k in z.files}
    return TestSet(dataset, arrays["raw"], arrays["ndigits"], arrays["labels"], arrays["source"])


def pixel_stats(test_set: TestSet):
    """Raw and preprocessed pixel statistics by digit count, as a DataFrame (what the model's input looks like)."""
    import pandas as pd

    from .preprocess import prepare
    rows = []
    for n in (1, 2, 3):
        rows_n = (test_set.ndigits == n).nonzero().squeeze(1)[:2000]
        raw = test_set.raw[rows_n]
        visible = raw[..., : 28 * n] if test_set.dataset == "W" else raw
        x = prepare(raw, test_set.ndigits[rows_n], test_set.dataset)
        rows.append({"digits": n, "raw mean (0-255)": visible.float().mean().item(),
                     "raw std": visible.float().std().item(), "ink fraction (>127)": (visible > 127).float().mean().item(),
                     "input mean": x.mean().item(), "input std": x.std().item()})
    return pd.DataFrame(rows).set_index("digits")

"""MNIST as uint8 tensors, from a local folder of the four idx files or through torchvision's download."""

import gzip
import hashlib
from functools import cache
from pathlib import Path

import numpy as np
import torch
from torchvision.datasets import MNIST

from ..infra.choices import pick
from ..infra.paths import DATA_DIR, from_env

# name -> (idx magic number, item count, item shape)
FILES = {
    "train-images-idx3-ubyte": (2051, 60000, (28, 28)),
    "train-labels-idx1-ubyte": (2049, 60000, ()),
    "t10k-images-idx3-ubyte": (2051, 10000, (28, 28)),
    "t10k-labels-idx1-ubyte": (2049, 10000, ()),
}
SPLIT_FILES = {"train": tuple(FILES)[:2], "test": tuple(FILES)[2:]}
HOW_TO_FIX = (
    "Set MNIST_DIR to a folder with the four MNIST idx files (gzipped or not), "
    "e.g. MNIST_DIR=../shared/mnist, or allow the download (download=True) on a machine with internet."
)


class MNISTDataError(RuntimeError):
    """A missing or corrupt MNIST file; the message names the file and the fix."""


def folder(root=DATA_DIR, mnist_dir=None, download=True) -> Path:
    """The idx files' folder: `mnist_dir`, $MNIST_DIR, else root/MNIST/raw (downloaded if missing and allowed)."""
    mnist_dir = mnist_dir or from_env("MNIST_DIR")
    path = Path(mnist_dir).expanduser() if mnist_dir else Path(root) / "MNIST" / "raw"
    if mnist_dir and not path.is_dir():
        raise MNISTDataError(f"MNIST_DIR {path} is not a folder. {HOW_TO_FIX}")
    if mnist_dir or all(path.joinpath(name).is_file() for name in FILES):
        return path
    if not download:
        raise MNISTDataError(f"MNIST is not in {path} and download is off. {HOW_TO_FIX}")
    try:
        for train in (True, False):
            MNIST(root=str(root), train=train, download=True)
    except Exception as e:  # no internet: URLError, RuntimeError, socket errors
        raise MNISTDataError(
            f"MNIST download failed ({type(e).__name__}: {str(e).splitlines()[0]}). {HOW_TO_FIX}"
        ) from e
    return path


def read_idx(where: Path, name: str) -> tuple:
    """(items as a uint8 tensor, SHA-256 of the file's content) of the checked idx file `name`, gzipped or not."""
    for path in (where / name, where / f"{name}.gz"):
        if path.is_file():
            return _read(path, path.stat().st_size, path.stat().st_mtime_ns, name)
    raise MNISTDataError(f"MNIST file {name} (or {name}.gz) is missing from {where}. {HOW_TO_FIX}")


@cache
def _read(path: Path, size: int, mtime_ns: int, name: str) -> tuple:
    """Read once while the file is unchanged (a read decompresses 47 MB); checked by header, size and labels."""
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise MNISTDataError(f"MNIST file {path} cannot be read ({e}). {HOW_TO_FIX}") from e
    magic, count, shape = FILES[name]
    expected = np.array([magic, count, *shape], dtype=">u4")
    header = np.frombuffer(data[: expected.nbytes].ljust(expected.nbytes, b"\0"), dtype=">u4")
    items = np.frombuffer(data, dtype=np.uint8, offset=min(expected.nbytes, len(data)))
    problem = None
    if (header != expected).any():
        problem = f"its header (magic number, count, shape) is {header.tolist()}, expected {expected.tolist()}"
    elif len(items) != count * int(np.prod(shape, dtype=int)):
        problem = f"it is {len(data)} bytes, expected {expected.nbytes + count * int(np.prod(shape, dtype=int))}"
    elif not shape and items.max() > 9:
        problem = "it has labels outside 0-9"
    if problem:
        raise MNISTDataError(f"MNIST file {path.with_suffix('')} is corrupt: {problem}. {HOW_TO_FIX}")
    return torch.tensor(items).view(count, *shape), hashlib.sha256(data).hexdigest()


def ensure_mnist(root=DATA_DIR, mnist_dir=None, download=True) -> Path:
    """Check the four idx files (downloading them if needed and allowed) and return their folder."""
    where = folder(root, mnist_dir, download)
    for name in FILES:
        read_idx(where, name)
    return where


def load_split(split: str, root=DATA_DIR, mnist_dir=None, download=True):
    """Return (images uint8 [N,28,28], labels int64 [N]) of MNIST 'train' or 'test'."""
    images, labels = pick(SPLIT_FILES, split, "MNIST split")
    where = folder(root, mnist_dir, download)
    return read_idx(where, images)[0].clone(), read_idx(where, labels)[0].long()


def split_sha256(split: str, root=DATA_DIR, mnist_dir=None) -> dict:
    """SHA-256 of the content of a split's idx files, recorded in test-set manifests."""
    where = folder(root, mnist_dir)
    return {name: read_idx(where, name)[1] for name in SPLIT_FILES[split]}

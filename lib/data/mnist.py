"""MNIST through torchvision, with an offline path: a local folder of the four idx files.

Offline machines set MNIST_DIR (or pass `mnist_dir=`) to a folder holding the idx
files, gzipped or not. Each file is checked (magic number, count, shape, label
range) and placed, decompressed, where torchvision reads it (DATA_DIR/MNIST/raw),
then torchvision opens it with download=False. Checksums are not what accepts a
file: a rebuilt but valid file (as in ../shared/mnist) is fine.
"""

import gzip
import hashlib
from pathlib import Path

import numpy as np
from torchvision.datasets import MNIST

from ..infra import atomic
from ..infra.choices import pick
from ..infra.paths import DATA_DIR, from_env

# name -> (idx magic number, item count, item shape)
FILES = {
    "train-images-idx3-ubyte": (2051, 60000, (28, 28)),
    "train-labels-idx1-ubyte": (2049, 60000, ()),
    "t10k-images-idx3-ubyte": (2051, 10000, (28, 28)),
    "t10k-labels-idx1-ubyte": (2049, 10000, ()),
}
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
HOW_TO_FIX = (
    "Set MNIST_DIR to a folder with the four MNIST idx files (gzipped or not), "
    "e.g. MNIST_DIR=../shared/mnist, or allow the download (download=True) on a machine with internet."
)


class MNISTDataError(RuntimeError):
    """A missing or corrupt MNIST file; the message names the file and the fix."""


def raw_folder(root=DATA_DIR) -> Path:
    return Path(root) / "MNIST" / "raw"


def validate_idx(data: bytes, name: str, source) -> None:
    """Raise MNISTDataError unless `data` is the idx file `name` should be."""
    magic, count, shape = FILES[name]
    header = 4 * (2 + len(shape))
    problem = None
    if len(data) < header:
        problem = f"it is {len(data)} bytes, too short for an idx header"
    else:
        fields = np.frombuffer(data[:header], dtype=">u4")
        if fields[0] != magic:
            problem = f"magic number is {int(fields[0])}, expected {magic}"
        elif fields[1] != count:
            problem = f"it holds {int(fields[1])} items, expected {count}"
        elif tuple(int(x) for x in fields[2:]) != shape:
            problem = f"item shape is {tuple(int(x) for x in fields[2:])}, expected {shape}"
        elif len(data) != header + count * int(np.prod(shape, dtype=int)):
            problem = f"it is {len(data)} bytes, expected {header + count * int(np.prod(shape, dtype=int))} (truncated or padded)"
        elif not shape and np.frombuffer(data, dtype=np.uint8, offset=header).max() > 9:
            problem = "it has labels outside 0-9"
    if problem:
        raise MNISTDataError(f"MNIST file {source} is corrupt: {problem}. {HOW_TO_FIX}")


def _read_source(folder: Path, name: str) -> bytes:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            try:
                raw = candidate.read_bytes()
                return gzip.decompress(raw) if candidate.suffix == ".gz" else raw
            except (OSError, EOFError, gzip.BadGzipFile) as e:
                raise MNISTDataError(f"MNIST file {candidate} cannot be read ({e}). {HOW_TO_FIX}") from e
    raise MNISTDataError(f"MNIST file {name} (or {name}.gz) is missing from {folder}. {HOW_TO_FIX}")


def _fingerprint(*folders) -> tuple:
    """Size and modification time of every file the MNIST folders hold: unchanged means checked already."""
    return tuple(
        (str(f), f.stat().st_size, f.stat().st_mtime_ns)
        for folder in folders
        if folder.is_dir()
        for f in sorted(folder.iterdir())
        if f.is_file()
    )


_placed = set()  # fingerprints of (source, destination) pairs checked and placed by this process


def place_from_folder(mnist_dir, root=DATA_DIR) -> Path:
    """Check the four idx files in `mnist_dir` and place them where torchvision reads them (once per process
    while neither folder changes: a notebook asks for MNIST several times, and each check decompresses 50 MB)."""
    folder = Path(mnist_dir).expanduser()
    if not folder.is_dir():
        raise MNISTDataError(f"MNIST_DIR {folder} is not a folder. {HOW_TO_FIX}")
    dest = raw_folder(root)
    if _fingerprint(folder, dest) in _placed:
        return dest
    for name in FILES:
        data = _read_source(folder, name)
        validate_idx(data, name, folder / name)
        target = dest / name
        if not target.is_file() or target.stat().st_size != len(data) or target.read_bytes() != data:
            atomic.write_bytes(target, data)
    _placed.add(_fingerprint(folder, dest))
    return dest


def _placed_files_ok(root) -> bool:
    dest = raw_folder(root)
    for name in FILES:
        path = dest / name
        if not path.is_file():
            return False
        validate_idx(path.read_bytes(), name, path)
    return True


def ensure_mnist(root=DATA_DIR, mnist_dir=None, download=True) -> Path:
    """Make the four verified idx files available under root/MNIST/raw and return that folder.

    Order: an explicit `mnist_dir`, else $MNIST_DIR, else files already placed,
    else torchvision's download (if allowed).
    """
    mnist_dir = mnist_dir or from_env("MNIST_DIR")  # a relative value is taken from where the command was typed
    if mnist_dir:
        return place_from_folder(mnist_dir, root)
    if _placed_files_ok(root):
        return raw_folder(root)
    if not download:
        raise MNISTDataError(f"MNIST is not in {raw_folder(root)} and download is off. {HOW_TO_FIX}")
    try:
        for train in (True, False):
            MNIST(root=str(root), train=train, download=True)
    except Exception as e:  # no internet: URLError, RuntimeError, socket errors
        raise MNISTDataError(
            f"MNIST download failed ({type(e).__name__}: {str(e).splitlines()[0]}). {HOW_TO_FIX}"
        ) from e
    _placed_files_ok(root)
    return raw_folder(root)


def load_split(split: str, root=DATA_DIR, mnist_dir=None, download=True):
    """Return (images uint8 [N,28,28], labels int64 [N]) of MNIST 'train' or 'test'."""
    pick(SPLIT_FILES, split, "MNIST split")
    ensure_mnist(root, mnist_dir, download)
    ds = MNIST(root=str(root), train=(split == "train"), download=False)
    return ds.data.clone(), ds.targets.clone()


def split_sha256(split: str, root=DATA_DIR) -> dict:
    """SHA-256 of the placed idx files of a split, recorded in test-set manifests."""
    return {name: _file_sha256(raw_folder(root) / name) for name in SPLIT_FILES[split]}


_hashes = {}  # (path, size, mtime) -> SHA-256: every test-set load checks the split's hash


def _file_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _hashes[key]

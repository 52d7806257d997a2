"""Atomic writes: a crash mid-write leaves the old file (or none), never half a file."""

import json
import os
import tempfile
from pathlib import Path

import torch

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_with(path, writer):
    """Write through `writer(fileobj)` (numpy.savez, figure.savefig, ...) to a temporary file, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, "wb") as f:
            writer(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path, data: bytes):
    return write_with(path, lambda f: f.write(data))


def write_text(path, text: str):
    return write_bytes(path, text.encode())


def write_json(path, obj, compact: bool = False):
    """Indented for files people read; compact for long lists (a run's misread numbers: 4x smaller in git)."""
    text = json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj, indent=2)
    return write_text(path, text + "\n")


def torch_save(path, obj):
    return write_with(path, lambda f: torch.save(obj, f))

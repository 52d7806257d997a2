"""Atomic writes: a crash mid-write leaves the old file (or none), never half a file."""

import json
import os
import tempfile
from pathlib import Path

import torch

_UMASK = os.umask(0)
os.umask(_UMASK)


def _replace_from_temp(path, write):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path, data: bytes):
    return _replace_from_temp(path, lambda f: f.write(data))


def write_json(path, obj, compact: bool = False):
    """Indented for files people read; compact for long lists (a run's misread numbers: 4x smaller in git)."""
    text = json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj, indent=2, sort_keys=False)
    return write_bytes(path, (text + "\n").encode())


def write_text(path, text: str):
    return write_bytes(path, text.encode())


def torch_save(path, obj):
    return _replace_from_temp(path, lambda f: torch.save(obj, f))


def write_with(path, writer):
    """Atomically write through `writer(fileobj)`, e.g. numpy.savez or figure.savefig."""
    return _replace_from_temp(path, writer)

"""Where things live, so notebooks run from any folder without editing paths: records under res/runs/,
state under $RUNS_DIR (a relative value is taken from $PWD, where the command was typed)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is lib/infra/paths.py)
DATA_DIR = ROOT / "data"  # generated data and the placed MNIST files (git-ignored)
RES_DIR = ROOT / "res"  # results, figures, rendered runs, small weights
RECORD_DIR = RES_DIR / "runs"  # per run: metrics.json, history.json, errors.json (committed)


def from_env(name: str) -> Path | None:
    """The folder an environment variable names, absolute; relative to $PWD (notebook kernels inherit it)."""
    value = os.environ.get(name)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(os.environ.get("PWD") or os.getcwd()) / path
    return path.resolve()


def state_dir() -> Path:
    """Checkpoints and training state: $RUNS_DIR, default <repo>/runs (git-ignored)."""
    return from_env("RUNS_DIR") or ROOT / "runs"


def relative(path) -> str:
    """A path as shown to readers: from the repository, $RUNS_DIR or home where it is inside one."""
    path = Path(path).resolve()
    for base, shown in ((ROOT, ""), (state_dir(), "$RUNS_DIR/"), (Path.home(), "~/")):
        if path.is_relative_to(base):
            return shown + str(path.relative_to(base))
    return str(path)

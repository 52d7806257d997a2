"""Where things live, so notebooks run from any folder without editing paths.

Two kinds of run output live apart: the *record* of a run (metrics, history, errors: small, committed)
under res/runs/, and its *state* (checkpoints, resumable training state, per-number predictions: large,
never committed) under $RUNS_DIR, which may sit outside the work tree so long runs survive a fresh
checkout. A relative path in an environment variable means relative to the folder where the command
was given ($PWD), not to wherever a notebook kernel happens to run.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is lib/infra/paths.py)
DATA_DIR = ROOT / "data"  # generated data and the placed MNIST files (git-ignored)
RES_DIR = ROOT / "res"  # results, figures, rendered runs, small weights
RECORD_DIR = RES_DIR / "runs"  # per run: metrics.json, history.json, errors.json (committed)


def from_env(name: str, default=None) -> Path | None:
    """The folder an environment variable names, absolute; a relative value is taken from $PWD, the
    folder where the command was typed (notebook kernels run in notebooks/ but inherit $PWD)."""
    value = os.environ.get(name)
    if not value:
        return None if default is None else Path(default)
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(os.environ.get("PWD") or os.getcwd()) / path
    return path.resolve()


def state_dir() -> Path:
    """Checkpoints and training state: $RUNS_DIR, default <repo>/runs (git-ignored)."""
    return from_env("RUNS_DIR", ROOT / "runs")


def relative(path) -> str:
    """A path as shown to readers: relative to the repository when inside it, else with ~ for home."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        home = Path.home()
        return (
            f"$RUNS_DIR/{path.relative_to(state_dir())}"
            if path.is_relative_to(state_dir())
            else (f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path))
        )

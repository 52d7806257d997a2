"""Where a run keeps its files, and what makes two runs the same run: its config, compared here only (one
store for the 0-999 and the single-digit runs)."""

import json
from pathlib import Path

from .paths import RECORD_DIR, state_dir


def record_folder(profile: str, name: str, record_dir=None) -> Path:
    return Path(record_dir or RECORD_DIR) / profile / name


def state_folder(profile: str, name: str, runs_dir=None) -> Path:
    return Path(runs_dir or state_dir()) / profile / name


def same_config(saved: dict | None, config: dict) -> bool:
    """Whether a saved record, checkpoint or training state (or a dict holding it as "config") is this run."""
    saved = (saved or {}).get("config", saved or {})
    return all(saved.get(k) == v for k, v in config.items())


def recorded(folder, config: dict) -> dict | None:
    """The metrics of the finished run recorded in `folder` when it is the run `config` describes, else None."""
    path = Path(folder) / "metrics.json"
    metrics = json.loads(path.read_text()) if path.is_file() else None
    return metrics if metrics is not None and same_config(metrics, config) else None

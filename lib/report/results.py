"""The results table: every run's metrics.json gathered into res/results.csv and res/results.md."""

import json
import os
from pathlib import Path

import pandas as pd

from ..infra import atomic
from ..infra.paths import RECORD_DIR, RES_DIR, ROOT
from ..study.evaluate import HELD_OUT_KEYS
from ..study.experiment import VARIANTS
from ..study.profiles import PROFILES
from ..study.versions import runs
from . import summary

COLUMNS = [  # results.csv's columns, in order
    *"""version dataset preprocessing profile seed split precision params epochs samples_per_epoch n_test
    train_loss_final val_acc test_loss test_acc acc_1digit acc_2digit acc_3digit digit_error_hundreds
    digit_error_tens digit_error_units""".split(),  # noqa: SIM905
    *(f"{v}_{k}" for v in VARIANTS for k in ("test_acc", "acc_1digit", "acc_2digit", "acc_3digit")),
    *HELD_OUT_KEYS,
    *"""seed_reported_acc seed_reported_loss train_seconds train_others_cores eval_seconds device hardware torch
    commit code_commit tf32 eval_commit recipe notebook""".split(),  # noqa: SIM905
]
PROFILE_ORDER = {name: i for i, name in enumerate(PROFILES)}  # largest run size first


def output_dir(profile: str) -> Path:
    """res/, or res/smoke/ (git-ignored) so that a smoke check never overwrites the committed results."""
    return RES_DIR / "smoke" if profile == "smoke" else RES_DIR


def provenance_of(metrics: dict, run_dir: Path) -> dict:
    """code_commit and tf32 of a record: its own, or its profile folder's PROVENANCE.json where that corrects them."""
    found = run_dir.parent / "PROVENANCE.json"
    stated = json.loads(found.read_text()) if found.is_file() else {}
    if stated.get("recorded_commit") == metrics.get("commit"):
        return {"code_commit": stated["code_commit"], "tf32": stated["tf32"]}
    return {"code_commit": metrics.get("commit"), "tf32": metrics.get("tf32")}


def frame_of(records) -> pd.DataFrame:
    """(metrics, run folder) pairs, on disk or a notebook's, as rows: largest profile first, W before C, version, wrap, split, seed."""
    rows = [
        {
            "split": "all",
            **m,
            **provenance_of(m, run_dir),
            "n_test": m["n"],
            "seed_reported_loss": m.get("reported_loss"),
            "seed_reported_acc": None if m.get("reported_acc") is None else m["reported_acc"] / 100,
        }
        for m, run_dir in records
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS).sort_values(
        ["profile", "dataset", "version", "preprocessing", "split", "seed"],
        ascending=[True, False, True, True, True, True],
        key=lambda c: c.map(PROFILE_ORDER).fillna(9) if c.name == "profile" else c,
    )
    return frame.reset_index(drop=True)


def collect(runs_dir=RECORD_DIR, profiles=None) -> pd.DataFrame:
    """One row per 0-999 run (version, dataset, preprocessing, profile, seed) found under runs_dir."""
    found = [(json.loads(p.read_text()), p.parent) for p in sorted(Path(runs_dir).glob("*/v*/metrics.json"))]
    return frame_of((m, d) for m, d in found if profiles is None or m["profile"] in profiles)


def write(frame: pd.DataFrame, single: pd.DataFrame | None = None, res_dir=RES_DIR):
    """Write results.csv, results_single_digit.csv and results.md (its links relative to res_dir) atomically."""
    res_dir = Path(res_dir)
    atomic.write_text(res_dir / "results.csv", frame.to_csv(index=False))
    if single is not None:
        atomic.write_text(res_dir / "results_single_digit.csv", single.to_csv(index=False))
    atomic.write_text(res_dir / "results.md", summary.markdown(frame, single, os.path.relpath(ROOT, res_dir)))
    return res_dir / "results.csv", res_dir / "results.md"


def missing_runs(frame: pd.DataFrame, profile: str) -> list:
    """The (version, dataset) runs of the study (versions 1-19) that have no result at this profile."""
    part = frame.query("profile == @profile and split == 'all' and preprocessing in ['resize32', 'native']")
    have = set(zip(part["version"], part["dataset"]))
    return [f"v{v}{d}" for v, d in runs() if (v, d) not in have]


SINGLE_DIGIT_COLUMNS = """model profile seed params epochs test_acc test_loss best_val_acc best_epoch train_seconds
seconds_per_epoch device hardware commit""".split()  # noqa: SIM905


def collect_single_digit(runs_dir=RECORD_DIR, profiles=None) -> pd.DataFrame:
    """One row per single-digit run: the LeNet-5 models (lenet5-*) and the versions' digit readers (reader-*)."""
    files = [p for pattern in ("lenet5-*", "reader-*") for p in Path(runs_dir).glob(f"*/{pattern}/metrics.json")]
    rows = [json.loads(p.read_text()) for p in sorted(files)]
    return pd.DataFrame([r for r in rows if profiles is None or r["profile"] in profiles], columns=SINGLE_DIGIT_COLUMNS)


def fill(text: str, name: str, body: str, writer: str = "tools/make_notebooks.py") -> str:
    """`text` with its generated block `name` (between the markers that name its writer) replaced by `body`."""
    begin, end = f"<!-- {name}:begin (written by {writer}) -->", f"<!-- {name}:end -->"
    if begin not in text or end not in text:
        raise SystemExit(f"markers for {name!r} are missing: add the lines\n{begin}\n{end}")
    head, rest = text.split(begin, 1)
    return f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}"

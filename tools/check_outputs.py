"""Check what `run_all.sh --profile P` wrote as a reader meets it: a results row per run, clean rendered notebooks
without machine paths or dead references. Exit 1 on a problem (CI, after the smoke run)."""

import argparse
import json
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.report.results import missing_runs, output_dir
from lib.study.versions import ORIGINAL_LAST

MAX_OUTPUTS = 20  # stored outputs per cell: more means progress-bar refreshes were kept
MACHINE_PATH = re.compile(r"(?<![\w.~$])/(work|tmp|home|root|usr|opt|var)/[\w.-]")
REFERENCE = re.compile(r"(?<![\w/.-])((?:lib|docs|notebooks|res|tools|bench|tests)/[\w./-]*\w)")
OUTSIDE = re.compile(r"seed-ablations|shared/seeds|\bpitfall \d")  # a fresh clone lacks ../shared


def table_problems(profile: str) -> list:
    """Runs without a row in the profile's results table; versions past the original without an accuracy."""
    csv_path = output_dir(profile) / "results.csv"
    frame = pd.read_csv(csv_path)
    found = [f"{run}: no row" for run in missing_runs(frame.fillna({"split": "all"}), profile)]
    new = frame[(frame["profile"] == profile) & (frame["version"] > ORIGINAL_LAST)]
    for column in ("test_acc", "robust_test_acc", "acc_heldout", "acc_seen"):
        if missing := new[new[column].isna()]["version"].tolist():
            found.append(f"versions past {ORIGINAL_LAST}: {column} missing in {missing}")
    return [f"{csv_path.relative_to(ROOT)} ({profile}): {problem}" for problem in found]


def _text(output) -> str:
    if "text" in output:
        return "".join(output["text"])
    data = output.get("data", {})
    return "".join("".join(data[k]) for k in ("text/plain", "text/markdown", "text/html") if k in data)


def problems_of(path: Path) -> list:
    """What a reader of one rendered notebook would stumble on."""
    cells, found = json.loads(path.read_text())["cells"], []
    for i, cell in enumerate(cells):
        outputs = cell.get("outputs", [])
        if len(outputs) > MAX_OUTPUTS:
            found.append(f"cell {i} stores {len(outputs)} outputs (more than {MAX_OUTPUTS})")
        text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else "\n".join(map(_text, outputs))
        if cell["cell_type"] == "code" and MACHINE_PATH.search(text):
            found.append(f"cell {i} shows a machine path: {MACHINE_PATH.search(text).group(0)}…")
        if OUTSIDE.search(text):
            found.append(f"cell {i} refers to material outside the repository: {OUTSIDE.search(text).group(0)}")
        for ref in (r.rstrip(".") for r in REFERENCE.findall(text)):
            if any(ch in ref for ch in "*<{") or ref.startswith("res/rendered/") and "/" not in ref[13:]:
                continue
            if not (ROOT / ref).exists() and not list(ROOT.glob(ref + "*")):
                found.append(f"cell {i} refers to {ref}, which the repository lacks")
    sections = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    if path.name.startswith("10_v") and not any(s.startswith("## What this run showed") for s in sections):
        found.append('no "What this run showed" section')
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profiles", nargs="*", default=["smoke"], help="profiles whose outputs are checked")
    problems = []
    for profile in parser.parse_args().profiles:
        notebooks = sorted((ROOT / "res" / "rendered" / profile).glob("*.ipynb"))
        problems += table_problems(profile) + [
            f"{p.relative_to(ROOT)}: {problem}" for p in notebooks for problem in problems_of(p)
        ]
    print("\n".join(problems + [f"{len(problems)} problem(s)" if problems else "results and notebooks read cleanly"]))
    sys.exit(1 if problems else 0)

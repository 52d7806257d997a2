"""CI check after `run_all.sh`: the results table (res/smoke/results.csv for smoke) has every run of the original
study for a profile, with the original's parameter counts (lib/study/versions.py, `reported`), every run of the
versions past it, and clean, robust and held-out-number accuracies for each of those."""

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.report.results import missing_runs, output_dir  # noqa: E402
from lib.study.versions import ORIGINAL_LAST, VERSIONS  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("profile", nargs="?", default="smoke", help="the profile whose results table is checked")
profile = parser.parse_args().profile
csv_path = output_dir(profile) / "results.csv"
frame = pd.read_csv(csv_path)
part = frame[(frame["profile"] == profile) & (frame["preprocessing"] == "resize32")]
expected = {(v, d): r.params for v, spec in VERSIONS.items() for d, r in spec.reported.items()}
problems = []
for (version, dataset), params in expected.items():
    rows = part[(part["version"] == version) & (part["dataset"] == dataset)]
    if rows.empty:
        problems.append(f"v{version}{dataset}: no row")
    elif set(rows["params"]) != {params}:
        problems.append(f"v{version}{dataset}: params {sorted(set(rows['params']))} != {params}")
problems += [
    f"{run}: no row" for run in missing_runs(frame.fillna({"split": "all"}), profile) if int(run[1:-1]) > ORIGINAL_LAST
]  # versions 1-13 are checked above, with their parameter counts
new = frame[(frame["profile"] == profile) & (frame["version"] > ORIGINAL_LAST)]
for column in ("test_acc", "robust_test_acc", "acc_heldout", "acc_seen"):
    if new[column].isna().any():
        problems.append(f"versions 14+: {column} missing in {new[new[column].isna()]['version'].tolist()}")
if problems:
    sys.exit(f"{csv_path} ({profile}) is incomplete:\n  " + "\n  ".join(problems))
print(
    f"{csv_path} ({profile}): all {len(expected)} runs of the original study, parameter counts as it reported; "
    f"versions {ORIGINAL_LAST + 1}-{max(VERSIONS)} with robust and held-out accuracies"
)

"""CI check after `run_all.sh`: the results table of a profile (res/smoke/results.csv for smoke) has a row for every
run of the study, and clean, robust and held-out-number accuracies for every version past the original.

Parameter counts against the original's are tests/test_models.py's, on the networks that made these rows.
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.report.results import missing_runs, output_dir
from lib.study.versions import ORIGINAL_LAST

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("profile", nargs="?", default="smoke", help="the profile whose results table is checked")
profile = parser.parse_args().profile
csv_path = output_dir(profile) / "results.csv"
frame = pd.read_csv(csv_path)
problems = [f"{run}: no row" for run in missing_runs(frame.fillna({"split": "all"}), profile)]
new = frame[(frame["profile"] == profile) & (frame["version"] > ORIGINAL_LAST)]
for column in ("test_acc", "robust_test_acc", "acc_heldout", "acc_seen"):
    if new[column].isna().any():
        problems.append(
            f"versions past {ORIGINAL_LAST}: {column} missing in {new[new[column].isna()]['version'].tolist()}"
        )
if problems:
    sys.exit(f"{csv_path} ({profile}) is incomplete:\n  " + "\n  ".join(problems))
print(
    f"{csv_path} ({profile}): every run of the study, with robust and held-out accuracies past version {ORIGINAL_LAST}"
)

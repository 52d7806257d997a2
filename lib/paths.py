"""Where things live, so notebooks run from any folder without editing paths."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
DATA_DIR = ROOT / "data"  # generated data and the placed MNIST files (git-ignored)
RES_DIR = ROOT / "res"  # results, figures, rendered runs, small weights
RUNS_DIR = RES_DIR / "runs"  # one folder per (profile, version, dataset, seed)

"""The kept version of each dataset (versions.BEST, whose weights are committed) is chosen on validation: the
committed records must put it first, so a run that changes the ranking fails here until BEST follows it."""

import pandas as pd

from lib.report import results, summary
from lib.study import versions


def test_the_kept_versions_are_first_on_validation_in_the_committed_records():
    assert summary.kept_on_validation(results.collect(), "cpu") == versions.BEST


def test_the_ranking_leaves_out_networks_over_the_budget_and_breaks_ties_by_size():
    def row(version, dataset, seed, val_acc, params):
        return dict(
            version=version, dataset=dataset, seed=seed, val_acc=val_acc, params=params, profile="cpu", split="all"
        )

    frame = pd.DataFrame(
        [
            row(21, "W", 0, 0.992, 300_000),
            row(21, "W", 1, 0.992, 300_000),
            row(24, "W", 0, 0.999, 1_000_001),  # first, but over 1M parameters
            row(26, "W", 0, 0.992, 200_000),  # ties version 21 with fewer parameters
            row(7, "W", 0, 0.999, 100),  # the original's versions are not candidates
            row(21, "C", 0, 0.991, 300_000),
        ]
    )
    assert summary.kept_on_validation(frame, "cpu") == {"W": 26, "C": 21}
    ranked = summary.validation_ranking(frame, "cpu")
    assert list(ranked[ranked["dataset"] == "W"]["version"]) == [24, 26, 21]

"""The kept version of each dataset (versions.BEST, whose weights are committed) is chosen on validation by
summary.kept_on_validation: a run that changes what the committed records keep fails here until BEST follows it."""

import json

import pandas as pd
import pytest

from lib.report import results, summary
from lib.study import versions


def test_the_kept_versions_are_what_the_rule_keeps_in_the_committed_records():
    assert summary.kept_on_validation(results.collect(), "cpu") == versions.BEST


def row(version, dataset, seed, val_acc, params):
    return dict(
        version=version,
        dataset=dataset,
        seed=seed,
        val_acc=val_acc,
        params=params,
        profile="cpu",
        split="all",
        preprocessing="native",
    )


def test_the_ranking_leaves_out_networks_over_the_budget_and_breaks_ties_by_size():
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


def test_a_new_version_is_kept_only_when_it_leads_by_more_than_seed_noise():
    seeds = [row(21, "W", s, acc, 300_000) for s, acc in enumerate((0.990, 0.992, 0.994))]  # spread 0.2 points
    assert summary.seed_noise(pd.DataFrame(seeds), "cpu") == pytest.approx(0.002)
    # one seed against three: twice the standard error of the difference is 2 * 0.2 * sqrt(1 + 1/3) = 0.46 points
    level = pd.DataFrame(seeds + [row(26, "W", 0, 0.9955, 300_000)])  # 0.35 ahead
    assert summary.kept_on_validation(level, "cpu") == {"W": 21}
    ahead = pd.DataFrame(seeds + [row(26, "W", 0, 0.9975, 300_000)])  # 0.55 ahead
    assert summary.kept_on_validation(ahead, "cpu") == {"W": 26}
    smaller = pd.DataFrame(seeds + [row(27, "W", 0, 0.989, 100_000)])  # 0.3 behind, a third the size
    assert summary.kept_on_validation(smaller, "cpu") == {"W": 27}


def test_the_noise_comes_from_the_candidates_and_a_seed_without_validation_does_not_count():
    seeds = [row(21, "W", s, acc, 300_000) for s, acc in enumerate((0.990, 0.992, 0.994))]
    original = [row(7, "W", s, acc, 100) for s, acc in enumerate((0.90, 0.99))]  # not a candidate: no say
    assert summary.seed_noise(pd.DataFrame(seeds + original), "cpu") == pytest.approx(0.002)
    unvalidated = [row(26, "W", s, acc, 300_000) for s, acc in enumerate((0.9955, float("nan"), float("nan")))]
    ranked = summary.validation_ranking(pd.DataFrame(seeds + unvalidated), "cpu")
    assert ranked.set_index("version").loc[26, ["seeds", "val_seeds"]].tolist() == [3, 1]
    # one validated seed against three: 0.35 ahead is within noise (2 standard errors: 0.46), so 21 stays
    assert summary.kept_on_validation(pd.DataFrame(seeds + unvalidated), "cpu") == {"W": 21}


def test_without_repeated_seeds_there_is_no_noise_and_the_first_is_kept():
    frame = pd.DataFrame([row(21, "W", 0, 0.992, 300_000), row(26, "W", 0, 0.9921, 300_000)])
    assert summary.seed_noise(frame, "cpu") == 0.0
    assert summary.kept_on_validation(frame, "cpu") == {"W": 26}


def test_the_other_targets_name_the_reader_kept_on_validation_and_the_speed_record(tmp_path):
    def reader(model, val, test):
        return dict(model=model, profile="full", best_val_acc=val, test_acc=test, params=288_362, train_seconds=900.0)

    single = pd.DataFrame([reader("reader-v21", 0.9960, 0.9990), reader("reader-v22", 0.9962, 0.9960)])
    bench = {"target": 0.99, "dataset": "W", "limit_seconds": 300, "hardware": "2 cores", "version": 21, "epochs": 4}
    bench |= {
        "samples_per_epoch": 10_500,
        "settings": {"lr": 4e-3},
        "met": True,
        "reached_at_seconds": 280.0,
        "seed": 0,
    }
    bench["per_epoch"] = [{"acc": 0.991, "train_seconds": 280.0}]
    (tmp_path / "time_to_99_cpu.json").write_text(json.dumps(bench))
    reader_line, speed_line = summary.other_targets(single, tmp_path)
    assert "reader-v22" in reader_line and "99.60%" in reader_line  # chosen on validation, not on test
    assert "not met, gap 0.10 points" in reader_line
    assert "lr=0.004" in speed_line and "reached 99% after 280 s (seed 0, one run): met" in speed_line
    assert summary.other_targets(None, tmp_path / "nothing") == []

"""The kept version of each dataset (versions.BEST, whose weights are committed) is chosen on validation by
summary.kept_on_validation: a run that changes what the committed records keep fails here until BEST follows it."""

import json

import pandas as pd

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
    three = [(0.9920, 0.9921, 0.9919)]
    frame = pd.DataFrame(
        [row(21, "W", s, a, 300_000) for s, a in enumerate(*three)]
        + [row(24, "W", s, 0.999, 1_000_001) for s in range(3)]  # first, but over 1M parameters
        + [row(26, "W", s, a, 200_000) for s, a in enumerate(*three)]  # ties version 21 with fewer parameters
        + [row(7, "W", s, 0.999, 100) for s in range(3)]  # the original's versions are not candidates
        + [row(21, "C", s, a, 300_000) for s, a in enumerate(*three)]
    )
    assert summary.kept_on_validation(frame, "cpu") == {"W": 26, "C": 21}
    ranked = summary.validation_ranking(frame, "cpu")
    assert list(ranked[ranked["dataset"] == "W"]["version"]) == [24, 26, 21]


def test_a_version_competes_only_with_three_seeds_and_wins_only_beyond_seed_noise():
    seeds = [row(21, "W", s, acc, 300_000) for s, acc in enumerate((0.990, 0.992, 0.994))]
    far_ahead = [row(26, "W", s, 0.999, 300_000) for s in range(2)]  # two seeds: too few to tell, not kept
    assert summary.kept_on_validation(pd.DataFrame(seeds + far_ahead), "cpu") == {"W": 21}
    level = [row(26, "W", s, acc, 300_000) for s, acc in enumerate((0.991, 0.993, 0.995))]  # within noise
    assert summary.kept_on_validation(pd.DataFrame(seeds + level), "cpu") == {"W": 21}
    ahead = [row(26, "W", s, acc, 300_000) for s, acc in enumerate((0.9975, 0.9976, 0.9977))]
    assert summary.kept_on_validation(pd.DataFrame(seeds + ahead), "cpu") == {"W": 26}
    smaller = [row(27, "W", s, acc, 100_000) for s, acc in enumerate((0.989, 0.991, 0.993))]  # level, a third the size
    assert summary.kept_on_validation(pd.DataFrame(seeds + smaller), "cpu") == {"W": 27}


def test_an_ensemble_of_its_parents_seeds_competes_only_with_three_runs_of_its_own():
    seeds = [row(21, "C", s, acc, 300_000) for s, acc in enumerate((0.9927, 0.9935, 0.9935))]
    one_run = [row(24, "C", 0, 0.9942, 900_000)]  # the committed v24C: v21C's seeds 0-2 averaged, one run
    table = "\n".join(summary.ranking(pd.DataFrame(seeds + one_run)))
    assert "| C | 24 | 900,000 | 1 | 99.42% | too few seeds to tell" in table
    assert summary.kept_on_validation(pd.DataFrame(seeds + one_run), "cpu") == {"C": 21}


def test_a_seed_without_validation_does_not_count_and_without_three_seeds_nothing_is_kept():
    seeds = [row(21, "W", s, acc, 300_000) for s, acc in enumerate((0.990, 0.992, 0.994))]
    unvalidated = [row(26, "W", s, acc, 300_000) for s, acc in enumerate((0.9990, float("nan"), float("nan")))]
    ranked = summary.validation_ranking(pd.DataFrame(seeds + unvalidated), "cpu")
    assert ranked.set_index("version").loc[26, ["seeds", "val_seeds"]].tolist() == [3, 1]
    assert summary.kept_on_validation(pd.DataFrame(seeds + unvalidated), "cpu") == {"W": 21}
    assert summary.kept_on_validation(pd.DataFrame([row(21, "W", 0, 0.99, 1), row(26, "W", 0, 0.999, 1)]), "cpu") == {}


def test_the_targets_name_the_reader_kept_on_validation_and_the_speed_record(tmp_path):
    def reader(model, val, test):
        return dict(model=model, profile="full", best_val_acc=val, test_acc=test, params=288_362, train_seconds=900.0)

    single = pd.DataFrame([reader("reader-v21", 0.9960, 0.9990), reader("reader-v22", 0.9962, 0.9960)])
    seeds = [{"seed": s, "test_acc": a} for s, a in enumerate((0.991, 0.990, 0.992, 0.989, 0.993))]
    bench = {"seeds": seeds, "mean_test_acc": 0.991, "sd_test_acc": 0.0016, "worst_seed": seeds[3]}
    bench |= {"slowest_train_seconds": 280.0, "hardware": "2 cores", "met": True}
    (tmp_path / "time_to_99_cpu.json").write_text(json.dumps(bench))
    no_runs = pd.DataFrame(columns=results.COLUMNS)
    *_, reader_line, speed_line = summary.headline(no_runs, single, bench_dir=tmp_path).split("\n")
    assert "reader-v22" in reader_line and "99.60%" in reader_line  # chosen on validation, not on test
    assert "not met, gap 0.10 points" in reader_line
    assert "99.10% ± 0.16 over 5 seeds, worst 98.90%, at most 280 s each on 2 cores: met" in speed_line
    *rows, speed_line = summary.headline(no_runs, None, bench_dir=tmp_path / "nothing").split("\n")
    assert "no record yet" in speed_line and all("not run" in r or "no finished run" in r for r in rows[2:])
    assert not any("Single-digit reader" in r for r in rows)  # the README's headline: no reader without its runs

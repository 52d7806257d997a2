"""The rules every comparison in the record follows: reproduction of a floor-rounded figure, seed noise."""

import json
import math
import statistics

import pandas as pd
import pytest
from scipy import stats

from lib.report import compare, results, summary


def pooled_sd(groups) -> float | None:
    """The seed sd pooled over the groups (lists of values) that have MIN_SEEDS or more; None if none has."""
    groups = [list(g) for g in groups if len(g) >= compare.MIN_SEEDS]
    dof = sum(len(g) - 1 for g in groups)
    return math.sqrt(sum((len(g) - 1) * statistics.variance(g) for g in groups) / dof) if dof else None


@pytest.mark.parametrize(
    ("ours", "k", "reproduced"),
    [
        ([0.9812, 0.9820], 98, True),  # inside [98, 99)
        ([0.9770], 98, True),  # 0.30 below, within 2 floored sd (0.38)
        ([0.9750], 98, False),  # 0.50 below: more than 2 sd
        ([0.9960, 0.9962, 0.9961], 98, False),  # 3 seeds, tiny spread, 0.61 above: no floor, misses
        ([0.9684, 0.9694], 95, False),  # the correct v5C against "95": 0.84 points above
        ([0.9518], 95, True),
        ([0.9981], 97, False),
    ],
)
def test_a_run_reproduces_when_its_seeds_interval_meets_the_floor_rounded_range(ours, k, reproduced):
    r = compare.Reproduction(ours, k)
    assert r.reproduced is reproduced
    assert r.text().startswith("reproduced" if reproduced else "not reproduced")
    low, high = r.interval
    assert reproduced == (low < k + 1 and high >= k)  # never called reproduced with an interval outside [k, k+1)


def test_a_miss_is_given_in_points_and_in_seed_sd():
    r = compare.Reproduction([0.9684, 0.9694], 95)
    assert r.distance == pytest.approx(0.89) and r.sd == compare.SD_FLOOR
    assert "0.89 points (4.7 sd, sd floored at 0.19) above [95, 96)%" in r.text()
    assert compare.Reproduction([0.93], 95).distance == pytest.approx(-2.0)


def test_the_sd_floor_is_the_pooled_spread_of_the_full_records_three_seed_families():
    frame = results.collect(profiles=["full"])
    groups = [g["test_acc"].tolist() for _, g in summary.families(frame[frame["split"] == "all"])]
    assert pooled_sd(groups) == pytest.approx(compare.SD_FLOOR, abs=5e-5)


def test_a_difference_needs_three_seeds_a_side_and_never_gives_a_direction_with_fewer():
    clear = compare.Difference([0.990, 0.991, 0.992], [0.980, 0.981, 0.982])
    assert clear.verdict == "higher, beyond seed noise" and clear.interval[0] > 0
    assert compare.Difference([0.980, 0.981, 0.982], [0.990, 0.991, 0.992]).verdict == "lower, beyond seed noise"
    noisy = compare.Difference([0.990, 0.980, 0.970], [0.985, 0.975, 0.965])
    assert noisy.verdict == "within seed noise"
    for this, base in (([0.99, 0.991], [0.90, 0.901, 0.902]), ([0.99], [0.98]), ([0.99, 0.99, 0.99], [0.5, 0.51])):
        d = compare.Difference(this, base)
        assert d.interval is None and d.verdict == compare.TOO_FEW
        assert "higher" not in d.text() and "lower" not in d.text() and "+" not in d.text()


def test_the_interval_is_welchs_t_interval():
    a, b = [0.990, 0.992, 0.994, 0.993], [0.985, 0.989, 0.981]
    low, high = compare.Difference(a, b).interval
    t = stats.ttest_ind(a, b, equal_var=False)
    ci = t.confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci.low, ci.high))


def test_sides_that_never_vary_differ_exactly_by_their_means():
    assert compare.Difference([0.0] * 3, [0.0] * 3).verdict == "within seed noise"  # NaN from Welch, not "lower"
    assert compare.Difference([0.5] * 3, [0.4] * 3).verdict == "higher, beyond seed noise"


def test_pooled_spread_leaves_out_families_with_fewer_than_three_seeds():
    assert pooled_sd([[0.90, 0.99], [0.5]]) is None
    assert pooled_sd([[0.990, 0.992, 0.994], [0.90, 0.99]]) == pytest.approx(0.002)


def _row(version, dataset, seed, acc, **extra):
    return {
        "version": version,
        "dataset": dataset,
        "seed": seed,
        "preprocessing": "resize32",
        "split": "all",
        "profile": "full",
        "params": 1,
        "test_acc": acc,
        "acc_1digit": acc,
        "acc_2digit": acc,
        "acc_3digit": acc,
        "train_loss_final": 0.1,
        "seed_reported_acc": 0.98,
        "seed_reported_loss": 0.059,
        "train_seconds": 100.0,
        "train_others_cores": 0.0,
        "notebook": "10_v07_dropout_05.ipynb",
        "hardware": "cpu",
        "precision": "fp32",
        "commit": "c840443f66+dirty",
        "code_commit": "a8da38e",
        "torch": "2.14.1",
        "tf32": None,
        "n_test": 45330,
        **extra,
    }


def test_the_record_leads_with_the_original_study_and_a_verdict_per_run():
    frame = pd.DataFrame(
        [_row(7, "W", s, a) for s, a in enumerate((0.981, 0.979, 0.983))]
        + [_row(5, "C", 0, 0.90, seed_reported_acc=0.95)]
    )
    text = "\n".join(summary.original_section(frame))
    assert "| v7W | 1 | 3 | 98.10 ± 0.20% (3 seeds) | 98% | reproduced" in text
    assert "| v5C |" in text and "not reproduced: 5.00 points (26.3 sd, sd floored at 0.19) below [95, 96)%" in text
    assert "**1 of 2 run families reproduce the original's figure**" in text
    assert "code commits: a8da38e (recorded as c840443f66+dirty)" in text
    page = summary.markdown(frame.reindex(columns=results.COLUMNS), None).split("\n")
    pending = next(line for line in page if line.startswith("Not finished yet"))
    assert "v7C" in pending and "v7W" not in pending  # the rest of the queue


def test_a_miss_is_put_down_to_the_wrap_around_bug_only_where_the_twin_reproduces():
    frame = pd.DataFrame(
        [_row(5, "C", s, a, seed_reported_acc=0.95) for s, a in enumerate((0.968, 0.969))]
        + [
            _row(5, "C", s, a, seed_reported_acc=0.95, preprocessing="resize32+wrap")
            for s, a in enumerate((0.951, 0.952))
        ]
        + [_row(3, "C", 0, 0.40, seed_reported_acc=0.11)]
        + [_row(3, "C", 0, 0.30, seed_reported_acc=0.11, preprocessing="resize32+wrap")]
    )
    verdicts = {name: text for name, (_, text) in summary.reproductions(frame).items()}
    assert verdicts["v5C"].endswith("the wrap-around bug: its `+wrap` twin reproduces")
    assert "wrap-around" not in verdicts["v3C"] and "wrap-around" not in verdicts["v5C +wrap"]


def test_a_rendered_notebook_with_progress_spam_or_machine_paths_is_flagged(tmp_path):
    import sys

    sys.path.insert(0, "tools")
    from check_outputs import problems_of

    cells = [
        {"cell_type": "code", "source": "x", "outputs": [{"output_type": "stream", "text": "epoch\n"}] * 25},
        {"cell_type": "code", "source": "y", "outputs": [{"output_type": "stream", "text": "/work/main/x.pt"}]},
        {"cell_type": "markdown", "source": "see `lib/nowhere.py` and ../shared/seed-ablations.md"},
    ]
    path = tmp_path / "10_v99_test.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    found = " ".join(problems_of(path))
    assert "25 outputs" in found and "machine path" in found and "lib/nowhere.py" in found
    assert "outside the repository" in found and "What this run showed" in found

"""The rules every comparison in the record follows: reproduction of a floor-rounded figure, seed noise."""

import json

import pandas as pd
import pytest

from lib.report import compare, summary
from lib.study.run_key import RunKey


@pytest.mark.parametrize(
    ("ours", "reported", "reproduced"),
    [
        (0.9812, 98, True),
        (0.9701, 98, True),
        (0.9699, 98, False),
        (0.9999, 98, True),
        (0.945, 95, True),
        (0.93, 95, False),
        (0.9981, 97, False),
    ],
)
def test_a_run_reproduces_when_within_one_point_of_the_floor_rounded_range(ours, reported, reproduced):
    assert compare.reproduction(ours, reported)[0] is reproduced
    assert compare.reproduction_text(ours, reported).startswith("reproduced" if reproduced else "not reproduced")


def test_a_difference_is_judged_against_the_seeds_or_the_reference_noise(tmp_path):
    clear = compare.difference([0.990, 0.991, 0.992], [0.980, 0.981, 0.982], "quick", tmp_path)
    assert clear.verdict == "larger than seed noise" and clear.sd_source == "pooled over these seeds"
    noisy = compare.difference([0.990, 0.980, 0.970], [0.985, 0.975, 0.965], "quick", tmp_path)
    assert noisy.verdict == "within seed noise"
    alone = compare.difference([0.99], [0.98], "quick", tmp_path)  # one seed each, nothing to judge by
    assert alone.verdict == "seed noise unknown"
    for seed, acc in enumerate((0.97, 0.98, 0.99)):  # a seeded reference run of the same profile
        folder = tmp_path / "quick" / RunKey(7, "W", seed).name
        folder.mkdir(parents=True)
        (folder / "metrics.json").write_text(
            json.dumps({"version": 7, "dataset": "W", "seed": seed, "preprocessing": "resize32", "test_acc": acc})
        )
    judged = compare.difference([0.99], [0.98], "quick", tmp_path)
    assert judged.sd == pytest.approx(0.01) and "v7W, 3 seeds" in judged.sd_source
    assert judged.verdict == "within seed noise"  # 1 point, against a standard error of 1.4 points
    one_side = compare.difference([0.990, 0.992, 0.994], [0.985], "quick", tmp_path)  # as many seeds as v7W's
    assert one_side.sd == pytest.approx(0.002) and one_side.sd_source == "the 3 seeds shown"
    assert one_side.verdict == "larger than seed noise"  # 0.7 points against a standard error of 0.23
    fewer = compare.difference([0.990, 0.994], [0.985], "quick", tmp_path)  # 2 seeds: v7W's 3 say more
    assert "v7W, 3 seeds" in fewer.sd_source


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
        "commit": "abc",
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
    assert "| v5C |" in text and "not reproduced (90.00% is 4.00 points below [94, 97)%)" in text
    assert "Not finished yet at profile full" in text  # the rest of the queue is named


def test_a_rendered_notebook_with_progress_spam_or_machine_paths_is_flagged(tmp_path):
    import sys

    sys.path.insert(0, "tools")
    from check_rendered import problems_of

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

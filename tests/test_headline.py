"""The README's headline table is computed from the records: numbers where runs finished, a plain statement
where they have not."""

import json

import pandas as pd

from lib.report import results, summary


def test_the_headline_reads_the_records_and_says_what_has_not_run(tmp_path):
    frame = results.collect()
    text = summary.headline(frame, bench_dir=tmp_path)
    v21 = frame[(frame["profile"] == "cpu") & (frame["version"] == 21) & (frame["dataset"] == "W")]
    v21 = v21[v21["split"] == "all"]
    expected = f"{v21['test_acc'].mean() * 100:.2f} ± {v21['test_acc'].std() * 100:.2f}% ({len(v21)} seeds)"
    assert expected in text
    assert f"test accuracy {expected}: not met" in text or f"test accuracy {expected}: met" in text  # the target
    assert "no record yet" in text  # no time-to-99 record in an empty bench folder
    empty = summary.headline(pd.DataFrame(columns=results.COLUMNS), bench_dir=tmp_path)
    assert "not run at `full` yet" in empty and "no finished run at `cpu` yet" in empty
    assert "queued, no finished run yet" in empty


def test_the_speed_row_states_mean_sd_and_the_worst_seed(tmp_path):
    seeds = [{"seed": s, "test_acc": a} for s, a in enumerate((0.991, 0.990, 0.992, 0.989, 0.993))]
    record = {
        "seeds": seeds,
        "mean_test_acc": 0.991,
        "sd_test_acc": 0.0016,
        "worst_seed": seeds[3],
        "slowest_train_seconds": 290.0,
        "hardware": "a CPU, 2 threads",
        "met": True,
    }
    (tmp_path / "time_to_99_cpu.json").write_text(json.dumps(record))
    row = summary.speed_row(tmp_path)
    assert "99.10% ± 0.16 over 5 seeds, worst 98.90%, at most 290 s each on a CPU, 2 threads: met" in row[1]


def test_numbers_never_seen_are_checked_against_seen_per_number_and_digit_count():
    def held(gap_3digit, seeds=3):
        rows = []
        for _ in range(seeds):
            row = {f"acc_seen{s}": 0.990 for s in summary.UNSEEN_PARTS}
            row |= {f"acc_heldout{s}": 0.991 for s in summary.UNSEEN_PARTS}  # +0.1 points
            row["acc_heldout_3digit"] = 0.990 + gap_3digit
            rows.append(row)
        return pd.DataFrame(rows)

    assert summary.unseen_result(held(0.002)).endswith("+0.10 / +0.10 / +0.10 / +0.20 points: yes")
    assert summary.unseen_result(held(-0.005)).endswith("-0.50 points: no, 0.50 points at most")
    assert summary.unseen_result(held(0.002, seeds=1)).endswith("yes (1 seed of 3)")


def test_readers_trained_on_written_layouts_state_their_targets():
    text = summary.headline(results.collect())
    for version in summary.STRIP_READERS:
        row = next(line for line in text.splitlines() if f"version {version} on W" in line)
        finished, written = "queued" not in row, bool(summary.versions.get(version).augment_spacing)
        assert ("targets clean ≥ 99.25%" in row) == (finished and written)


def test_never_seen_numbers_are_compared_with_runs_trained_on_them_by_the_one_rule():
    without = pd.DataFrame({"acc_heldout_per_number": [0.990, 0.991, 0.992]})
    level = pd.DataFrame({"acc_heldout_per_number": [0.991, 0.990, 0.992]})
    higher = pd.DataFrame({"acc_heldout_per_number": [0.9990, 0.9991, 0.9992]})
    assert summary.unseen_control(without, level).endswith("within seed noise")
    assert summary.unseen_control(without, higher).endswith("lower, beyond seed noise")
    assert "too few seeds to tell (2 against 3 seeds" in summary.unseen_control(without[:2], level)


def test_a_record_without_seen_scores_says_so():
    held = pd.DataFrame([{f"acc_{part}{s}": None for part in ("seen", "heldout") for s in summary.UNSEEN_PARTS}])
    assert summary.unseen_result(held.astype(float)).endswith("– / – / – / – points: not recorded (1 seed of 3)")

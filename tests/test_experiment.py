import json

import pytest

from lib import experiment, profiles, versions


def test_profiles_scale_the_recipe():
    v7 = versions.get(7)
    assert profiles.schedule("full", v7) == (10, 150_000)
    assert profiles.schedule("quick", v7) == (10, 3_000)
    assert profiles.schedule("smoke", v7) == (1, 150)
    assert profiles.schedule("quick", versions.get(1)) == (2, 10_000)
    with pytest.raises(ValueError, match="valid: full, cpu, quick, smoke"):
        profiles.get("huge")


def test_a_smoke_run_writes_its_files_and_is_not_trained_twice(tmp_path, capsys):
    result = experiment.run(4, "C", "smoke", seed=1, device="cpu", runs_dir=tmp_path, progress=False)
    run_dir = tmp_path / "smoke" / "v4C_s1"
    assert result.run_dir == run_dir
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["params"] == 11_978_088 and metrics["n"] == 1000 and metrics["reported_acc"] == 68
    assert {"commit", "hardware", "device", "train_seconds", "acc_3digit"} <= set(metrics)
    assert not (run_dir / "train_state.pt").exists()
    again = experiment.run(4, "C", "smoke", seed=1, device="cpu", runs_dir=tmp_path, progress=False)
    assert "already trained" in capsys.readouterr().out
    assert again.metrics["test_acc"] == metrics["test_acc"]


def test_bad_run_parameters():
    with pytest.raises(ValueError, match="valid: 1, 2"):
        experiment.config_of(99, "W", "smoke", 0)
    with pytest.raises(ValueError, match="does not apply to W"):
        experiment.config_of(7, "W", "smoke", 0, c_wraparound=True)
    with pytest.raises(ValueError, match="unknown device"):
        experiment.run(7, "W", "smoke", device="tpu")


def test_a_heldout_run_never_trains_on_the_held_out_numbers_and_is_scored_apart(tmp_path, monkeypatch):
    from lib import splits, train
    drawn = []
    original = train.NumberGenerator.batch
    monkeypatch.setattr(train.NumberGenerator, "batch", lambda self, n: drawn.append(b := original(self, n)) or b)
    result = experiment.run(19, "C", "smoke", seed=0, device="cpu", runs_dir=tmp_path, progress=False,
                            split="heldout")
    assert result.run_dir.name == "v19C-heldout_s0" and result.metrics["split"] == "heldout"
    labels = __import__("torch").cat([b.labels for b in drawn])
    assert len(labels) == 150 and not splits.is_held_out(labels).any()
    m = result.metrics
    assert {"acc_heldout", "acc_seen", "robust_test_acc", "robust_acc_3digit", "eval_commit"} <= set(m)
    assert m["params"] == 131_745 and 0 <= m["acc_heldout"] <= 1 and 0 <= m["robust_test_acc"] <= 1
    assert "robust" in result.robust_predictions or len(result.robust_predictions["pred"]) == 1000
    with pytest.raises(ValueError, match="valid: all, heldout"):
        experiment.config_of(7, "W", "smoke", 0, split="some")
    with pytest.raises(ValueError, match="resize32 pipeline"):
        experiment.config_of(19, "C", "smoke", 0, c_wraparound=True)


def test_configs_of_runs_on_all_numbers_are_unchanged():
    """Runs made before held-out splits existed keep matching their saved config (no retraining)."""
    assert "split" not in experiment.config_of(7, "W", "quick", 0)
    assert experiment.config_of(7, "W", "quick", 0, split="heldout")["split"] == "heldout"

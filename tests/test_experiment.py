import json

import pytest

from lib import experiment, profiles, versions


def test_profiles_scale_the_recipe():
    v7 = versions.get(7)
    assert profiles.schedule("full", v7) == (10, 150_000)
    assert profiles.schedule("quick", v7) == (10, 3_000)
    assert profiles.schedule("smoke", v7) == (1, 150)
    assert profiles.schedule("quick", versions.get(1)) == (2, 10_000)
    with pytest.raises(ValueError, match="valid: full, quick, smoke"):
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

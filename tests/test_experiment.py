import json

import pytest
import torch

from lib.study import experiment, plan, profiles, versions
from lib.study.run_key import RunKey


def _dirs(tmp_path):
    return {"record_dir": tmp_path / "record", "runs_dir": tmp_path / "state"}


def test_profiles_scale_the_recipe():
    v7 = versions.get(7)
    assert profiles.schedule("full", v7) == (10, 150_000)
    assert profiles.schedule("quick", v7) == (10, 3_000)
    assert profiles.schedule("smoke", v7) == (1, 150)
    assert profiles.schedule("quick", versions.get(1)) == (2, 10_000)
    with pytest.raises(ValueError, match="valid: full, cpu, quick, smoke"):
        profiles.get("huge")


def test_a_smoke_run_writes_its_record_and_state_apart_and_is_not_trained_twice(tmp_path, capsys):
    dirs = _dirs(tmp_path)
    result = experiment.run(RunKey(4, "C", 1), "smoke", "cpu", precision="fp32", progress="off", **dirs)
    record, state = tmp_path / "record" / "smoke" / "v4C_s1", tmp_path / "state" / "smoke" / "v4C_s1"
    assert result.run_dir == record
    assert sorted(p.name for p in record.iterdir()) == ["errors.json", "history.json", "metrics.json"]
    assert sorted(p.name for p in state.iterdir()) == ["model.pt", "predictions.pt"]  # train_state removed
    metrics = json.loads((record / "metrics.json").read_text())
    assert (
        metrics["params"] == 11_978_088
        and metrics["n"] == profiles.get("smoke").test_limit
        and metrics["reported_acc"] == 68
    )
    assert metrics["precision"] == "fp32" and metrics["validation_digits"] == 5000
    assert {"commit", "hardware", "device", "train_seconds", "acc_3digit", "val_acc", "train_others_cores"} <= set(
        metrics
    )
    history = json.loads((record / "history.json").read_text())
    assert "val_acc" in history["epochs"][0]
    errors = json.loads((record / "errors.json").read_text())
    assert len(errors["clean"]["index"]) == round((1 - metrics["test_acc"]) * metrics["n"])
    older = {k: v for k, v in metrics.items() if not k.startswith("curved_")}  # recorded before `curved` existed
    (record / "metrics.json").write_text(json.dumps(older))
    again = experiment.run(RunKey(4, "C", 1), "smoke", "cpu", precision="fp32", progress="off", **dirs)
    assert "already trained" in capsys.readouterr().out  # a later variant is scored from the checkpoint
    assert again.metrics["test_acc"] == metrics["test_acc"]
    assert json.loads((record / "metrics.json").read_text())["curved_test_acc"] == metrics["curved_test_acc"]


def test_a_record_is_shown_never_retrained_and_scored_again_only_when_asked(tmp_path, capsys, monkeypatch):
    """Rendering a finished run reads its record, its model loaded for the figures where its checkpoint is here;
    rescore=True scores it again; without the checkpoint (a fresh clone) the record is still shown."""
    dirs, key = _dirs(tmp_path), RunKey(19, "W")
    first = experiment.run(key, "smoke", "cpu", progress="off", **dirs)
    monkeypatch.setattr(experiment.training, "train", lambda *a, **k: pytest.fail("a recorded run was retrained"))
    scored = experiment.evaluate
    monkeypatch.setattr(experiment, "evaluate", lambda *a, **k: pytest.fail("a recorded run was scored again"))
    (shown,) = plan.run_shown([key], "smoke", "cpu", progress="off", **dirs)
    assert shown.model is not None and "its model loaded from its checkpoint" in capsys.readouterr().out
    assert shown.metrics == first.metrics
    calls = []
    monkeypatch.setattr(experiment, "evaluate", lambda *a, **k: calls.append(1) or scored(*a, **k))
    (again,) = plan.run_shown([key], "smoke", "cpu", rescore=True, progress="off", **dirs)
    assert calls and "already trained with this config: evaluating it" in capsys.readouterr().out
    assert again.metrics["test_acc"] == first.metrics["test_acc"]
    (tmp_path / "state" / "smoke" / "v19W_s0" / "model.pt").unlink()  # a fresh clone: no checkpoint
    (shown,) = plan.run_shown([key], "smoke", "cpu", progress="off", **dirs)
    assert shown.model is None and "its model is not on this machine" in capsys.readouterr().out
    assert shown.metrics == again.metrics
    wrong = shown.predictions["pred"] != shown.test_set.labels
    assert torch.equal(wrong, first.predictions["pred"] != first.test_set.labels)


def test_train_false_leaves_an_unfinished_run_to_the_queue(tmp_path, capsys):
    assert experiment.run(RunKey(7, "W"), "smoke", "cpu", train=False, **_dirs(tmp_path)) is None
    results = plan.run_shown([plan.RunKey(7, "W")], "smoke", "cpu", train=False, **_dirs(tmp_path))
    assert results == [] and "v7W_s0" in capsys.readouterr().out


def test_bad_run_parameters():
    with pytest.raises(ValueError, match="valid: 1, 2"):
        RunKey(99, "W")
    with pytest.raises(ValueError, match="valid: W, C"):
        RunKey(7, "D")
    with pytest.raises(ValueError, match="does not apply to W"):
        RunKey(7, "W", wrap=True)
    with pytest.raises(ValueError, match="unknown device"):
        experiment.run(RunKey(7, "W"), "smoke", device="tpu")
    with pytest.raises(ValueError, match="valid: fp32, bf16, auto"):
        experiment.run(RunKey(7, "W"), "smoke", "cpu", precision="fp8")
    with pytest.raises(ValueError, match="valid: full, cpu, quick, smoke"):
        experiment.run(RunKey(7, "W"), "huge", "cpu")


def test_a_heldout_run_never_trains_on_the_held_out_numbers_and_is_scored_apart(tmp_path, monkeypatch):
    from lib.data import splits
    from lib.study import train

    drawn = []
    original = train.NumberGenerator.batch
    monkeypatch.setattr(train.NumberGenerator, "batch", lambda self, n: drawn.append(b := original(self, n)) or b)
    result = experiment.run(RunKey(19, "C", split="heldout"), "smoke", "cpu", progress="off", **_dirs(tmp_path))
    assert result.run_dir.name == "v19C-heldout_s0" and result.metrics["split"] == "heldout"
    labels = torch.cat([b.labels for b in drawn])
    assert len(labels) == 150 and not torch.isin(labels, torch.tensor(splits.held_out())).any()
    m = result.metrics
    assert {"acc_heldout", "acc_seen", "robust_test_acc", "robust_acc_3digit", "eval_commit"} <= set(m)
    assert m["params"] == 131_745 and 0 <= m["acc_heldout"] <= 1 and 0 <= m["robust_test_acc"] <= 1
    with pytest.raises(ValueError, match="valid: all, heldout"):
        RunKey(7, "W", split="some")
    with pytest.raises(ValueError, match="resize32 pipeline"):
        RunKey(19, "C", wrap=True)


def test_training_never_draws_a_validation_digit(mnist_train):
    from lib.data import splits

    images, labels = mnist_train
    val = splits.validation_digits(labels)
    assert len(val) == 5000 and torch.equal(torch.bincount(labels[val]), torch.full((10,), 500))
    bank = experiment.train_bank("cpu")
    assert len(bank.mnist_index) == 55_000 and not torch.isin(bank.mnist_index, val).any()


def test_a_run_is_its_config_compared_in_one_place():
    from dataclasses import replace

    from lib.infra.store import same_config

    config = experiment.config_of(RunKey(7, "W"), "full")
    assert same_config(config, config) and same_config({"config": config, "commit": "abc"}, config)  # a checkpoint
    assert not same_config({**config, "recipe": "0123456789ab"}, config)  # the row was edited after its run
    assert not same_config({k: v for k, v in config.items() if k != "recipe"}, config) and not same_config(None, config)
    spec = versions.get(7)
    assert replace(spec, lr=2e-3).recipe_digest != spec.recipe_digest
    assert replace(spec, change="reworded").recipe_digest == spec.recipe_digest  # notes are not the recipe


def test_precision_auto_is_bf16_only_where_native():
    from lib.study import train

    assert train.resolve_precision("auto", "cpu") == ("bf16" if train.bf16_native("cpu") else "fp32")
    assert train.resolve_precision("bf16", "cpu") == "bf16"  # asked for: it runs, emulated where not native
    assert train.resolve_precision("fp32", "cpu") == "fp32"


def test_an_ensemble_version_averages_finished_runs_of_its_parent(tmp_path, monkeypatch):
    """A row with ensemble=n is n runs of its parent (seeds 0..n-1), trained or reused, read together: a model
    built from their checkpoints."""
    from dataclasses import replace

    row = replace(versions.get(19), version=99, slug="ensemble", parent=19, ensemble=2)
    monkeypatch.setitem(versions.VERSIONS, 99, row)
    dirs = _dirs(tmp_path)
    options = dict(precision="fp32", progress="off", **dirs)
    members = [experiment.run(RunKey(19, "C", s), "smoke", "cpu", **options) for s in (0, 1)]
    (together,) = plan.run_shown([RunKey(99, "C")], "smoke", "cpu", **options)
    assert together.history["members"] == ["v19C_s0", "v19C_s1"]
    assert together.metrics["params"] == 2 * members[0].metrics["params"]
    model, history = experiment.trained_model(RunKey(99, "C"), "smoke", **dirs)  # assembled from the checkpoints
    assert history["members"] == together.history["members"]
    again = experiment.evaluate(model, together.test_set, "native", torch.device("cpu"), head="digits")[1]
    assert torch.equal(again["pred"], together.predictions["pred"])  # the ensemble that was evaluated
    x = torch.randn(4, 3, 28, 28)
    for m in (*[r.model for r in members], together.model):
        m.eval()
    with torch.no_grad():
        probs = [r.model(x).view(4, 3, 11).softmax(2) for r in members]
        expected = torch.stack(probs).mean(0).log().view(4, 33)
        assert torch.allclose(together.model(x), expected, atol=1e-5)
    (dirs["runs_dir"] / "smoke" / "v19C_s1" / "model.pt").unlink()  # a member lost: nothing to assemble
    assert experiment.trained_model(RunKey(99, "C"), "smoke", **dirs) is None


@pytest.mark.parametrize("native", [True, False], ids=["bf16-native", "no-bf16"])
def test_auto_precision_resolves_per_machine_and_a_record_of_either_precision_is_the_run(tmp_path, monkeypatch, native):
    """Both CPU kinds, whichever this machine is: `auto` trains at the precision the machine computes natively, and
    a finished record (which states its precision) is shown on any machine; an explicit precision must match."""
    from lib.infra import atomic
    from lib.study import train

    monkeypatch.setattr(train, "bf16_native", lambda device: native)
    key = RunKey(7, "W")
    assert train.resolve_precision("auto", "cpu") == ("bf16" if native else "fp32")
    record = experiment.record_files("smoke", key.name, tmp_path)["metrics"]
    atomic.write_json(record, experiment.config_of(key, "smoke", "fp32"))
    assert experiment.finished(key, "smoke", "cpu", "fp32", record_dir=tmp_path)
    assert experiment.finished(key, "smoke", "cpu", "auto", record_dir=tmp_path)
    assert not experiment.finished(key, "smoke", "cpu", "bf16", record_dir=tmp_path)

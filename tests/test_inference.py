from types import SimpleNamespace

import pytest
import torch

from lib.data import layouts
from lib.data.preprocess import prepare
from lib.infra import checkpoint
from lib.reading import predict, weights
from lib.study import experiment, heads, models, versions
from lib.study.run_key import RunKey


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")  # record and state in one folder: model.pt beside metrics.json
    return experiment.run(RunKey(19, "W"), "smoke", "cpu", runs_dir=folder, record_dir=folder, progress="off")


def test_loaded_classifier_matches_evaluation(smoke_run):
    clf = predict.load(smoke_run.run_dir / "model.pt")
    ts = smoke_run.test_set
    slots = ts.raw[:50].view(-1, 28, 3, 28).permute(0, 2, 1, 3).contiguous()  # W back to slots
    probs = clf.number_probs(slots, ts.ndigits[:50])
    assert probs.shape == (50, 1000) and torch.allclose(probs.sum(1), torch.ones(50), atol=1e-4)
    assert torch.equal(probs.argmax(1), smoke_run.predictions["pred"][:50])
    assert (clf.version, clf.dataset, clf.preprocessing, clf.head) == (19, "W", "native", "digits")
    with pytest.raises(ValueError, match=r"uint8 \[B, 3, 28, 28\]"):
        clf.number_probs(slots.float(), ts.ndigits[:50])


def test_only_full_runs_are_exported_and_bad_checkpoints_are_refused(smoke_run, tmp_path):
    with pytest.raises(ValueError, match="only full or cpu runs"):
        weights.export(smoke_run)
    torch.save({"meta": {"version": 19}, "state_dict": {}}, tmp_path / "partial.pt")
    with pytest.raises(checkpoint.CheckpointError, match="does not name a model this code builds: KeyError..dataset"):
        predict.load(tmp_path / "partial.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoint.CheckpointError, match="cannot be read"):
        predict.load(tmp_path / "junk.pt")
    other = experiment.run(RunKey(19, "C"), "smoke", "cpu", runs_dir=tmp_path, record_dir=tmp_path, progress="off")
    meta = checkpoint.read(other.run_dir / "model.pt")["meta"]
    checkpoint.save(tmp_path / "mislabelled.pt", other.model, {**meta, "dataset": "W"})  # C weights called W
    with pytest.raises(checkpoint.CheckpointError, match="does not fit"):
        predict.load(tmp_path / "mislabelled.pt")


def test_exporting_a_run_without_its_checkpoint_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))  # no state here
    with pytest.raises(SystemExit, match="train it first"):
        weights.main(["--datasets", "W"])
    with pytest.raises(SystemExit, match="train it first"):  # no record of that seed either
        weights.main(["--datasets", "W", "--seed", "99"])


def test_the_committed_seed_is_the_one_read_best_on_validation(monkeypatch):
    def run(dataset, seed, val_acc, model="model"):
        metrics = {"dataset": dataset, "seed": seed, "val_acc": val_acc, "test_acc": 1 - val_acc}
        return SimpleNamespace(key=RunKey(21, dataset, seed), metrics=metrics, model=model)

    results = [run("W", 0, 0.990), run("W", 1, 0.993), run("W", 2, 0.993), run("C", 0, 0.991), run("C", 1, 0.992, None)]
    monkeypatch.setattr(weights, "export", lambda r: r.key.label)
    monkeypatch.setattr(versions, "BEST", {"W": 21, "C": 21})
    # seed 1 beats seed 0 and ties seed 2 (the lower seed wins); C's best has no model here: not exported
    assert weights.export_best(results, "cpu") == [RunKey(21, "W", 1).label]
    monkeypatch.setattr(versions, "BEST", {"W": 26, "C": 21})
    assert weights.export_best(results, "cpu") == []  # version 21 is not the kept version on W: nothing exported
    assert weights.export_best(results, "cpu", version=21) == [RunKey(21, "W", 1).label]  # unless asked for
    assert weights.export_best(results, "quick") == []


def test_an_ensemble_is_committed_and_loaded_as_one_checkpoint(tmp_path):
    """Version 24 averages three runs of version 21: exported, its file holds all three, and the predict API
    reads it as the ensemble that was evaluated."""
    torch.manual_seed(0)
    ensemble = models.build(24, "C").eval()
    assert isinstance(ensemble, models.Ensemble) and len(ensemble.members) == versions.get(24).ensemble
    assert models.count_params(ensemble) == 3 * models.count_params(models.build(21, "C"))
    meta = {"version": 24, "dataset": "C", "preprocessing": "native"}
    checkpoint.save(tmp_path / "best_C.pt", ensemble, meta)
    clf = predict.load(tmp_path / "best_C.pt")
    slots = torch.randint(0, 256, (4, 3, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    x = prepare(layouts.get("C").compose(slots), torch.full((4,), 3), "C", "native")
    with torch.no_grad():
        expected = heads.number_log_probs(ensemble(x), "digits").exp()
    assert torch.allclose(clf.number_probs(slots, torch.full((4,), 3)), expected, atol=1e-6)
    checkpoint.save(tmp_path / "one.pt", models.build(21, "C"), {**meta, "version": 24})  # one network called v24
    with pytest.raises(checkpoint.CheckpointError, match="does not fit"):
        predict.load(tmp_path / "one.pt")

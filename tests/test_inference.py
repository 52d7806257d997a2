from types import SimpleNamespace

import pytest
import torch

from lib.infra import checkpoint
from lib.reading import inference, weights
from lib.study import experiment, versions
from lib.study.run_key import RunKey


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")  # record and state in one folder: model.pt beside metrics.json
    return experiment.run(RunKey(19, "W"), "smoke", "cpu", runs_dir=folder, record_dir=folder, progress="off")


def test_loaded_classifier_matches_evaluation(smoke_run):
    clf = inference.load(smoke_run.run_dir / "model.pt")
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
    with pytest.raises(checkpoint.CheckpointError, match="no dataset, preprocessing"):
        inference.load(tmp_path / "partial.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoint.CheckpointError, match="cannot be read"):
        inference.load(tmp_path / "junk.pt")
    other = experiment.run(RunKey(19, "C"), "smoke", "cpu", runs_dir=tmp_path, record_dir=tmp_path, progress="off")
    meta = checkpoint.read(other.run_dir / "model.pt")["meta"]
    checkpoint.save(tmp_path / "mislabelled.pt", other.model, {**meta, "dataset": "W"})  # C weights called W
    with pytest.raises(checkpoint.CheckpointError, match="does not fit"):
        inference.load(tmp_path / "mislabelled.pt")


def test_exporting_a_run_without_its_checkpoint_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))  # no state here
    with pytest.raises(FileNotFoundError, match="train it first"):
        weights.export_finished(RunKey(versions.BEST, "W"), "cpu")


def test_the_committed_seed_is_the_one_read_best_on_validation(monkeypatch):
    def run(dataset, seed, val_acc, model="model"):
        metrics = {"dataset": dataset, "seed": seed, "val_acc": val_acc, "test_acc": 1 - val_acc}
        return SimpleNamespace(key=RunKey(21, dataset, seed), metrics=metrics, model=model)

    results = [run("W", 0, 0.990), run("W", 1, 0.993), run("W", 2, 0.993), run("C", 0, 0.991), run("C", 1, 0.992, None)]
    assert weights.best_on_validation(results[:3], lambda r: r.metrics) is results[1]  # a tie goes to the lower seed
    monkeypatch.setattr(weights, "export", lambda r: r.key.label)
    assert weights.export_best(results, "cpu") == [RunKey(21, "W", 1).label]  # C's best has no model here: none
    assert weights.export_best(results, "quick") == []
    with pytest.raises(ValueError, match="no finished run"):
        weights.best_on_validation([])

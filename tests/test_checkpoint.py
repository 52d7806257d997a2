import pytest
import torch

from lib.infra import checkpoint
from lib.infra.checkpoint import CheckpointError
from lib.study import models


def test_roundtrip_and_a_checkpoint_that_does_not_fit(tmp_path):
    path = tmp_path / "m.pt"
    model = models.build(4, "C")
    checkpoint.save(path, model, {"version": 4, "dataset": "C", "preprocessing": "resize32", "seed": 3})
    other = models.build(4, "C")
    meta = checkpoint.load_into(other, path)
    assert meta["seed"] == 3
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), other.state_dict().values()))
    with pytest.raises(CheckpointError, match="does not fit this model"):
        checkpoint.load_into(models.build(11, "W"), path)


def test_corrupt_or_missing_checkpoint(tmp_path):
    path = tmp_path / "m.pt"
    checkpoint.save(path, models.build(7, "W"), {"version": 7})
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="cannot be read"):
        checkpoint.read(path)
    with pytest.raises(CheckpointError, match="does not exist"):
        checkpoint.read(tmp_path / "none.pt")


def test_checkpoints_load_with_weights_only(tmp_path):
    """A file holding arbitrary Python objects is refused, not executed."""
    path = tmp_path / "evil.pt"
    torch.save({"meta": {"version": 7}, "state_dict": {}, "payload": object()}, path)
    with pytest.raises(CheckpointError, match="cannot be read"):
        checkpoint.read(path)

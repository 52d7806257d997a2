"""LeNet-5 in PyTorch and the single-digit pipeline shared with the NumPy network."""
import csv
import json

import pytest
import torch

from lib.digits import lenet5, numpy_lenet

REQUIRED = {"model", "profile", "seed", "params", "epochs", "test_acc", "test_loss", "best_val_acc", "best_epoch",
            "train_seconds", "seconds_per_epoch", "device", "hardware", "commit", "torch"}
# conv 1->6 5x5, conv 6->16 5x5, dense 400->120, 120->84, 84->10, weights + biases
CLASSIC_PARAMS = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)


def test_parameter_counts_and_shapes():
    assert CLASSIC_PARAMS == 61_706
    classic, modern = lenet5.build("classic"), lenet5.build("modern")
    assert lenet5.count_params(classic) == 61_706
    assert lenet5.count_params(modern) == 61_706 + 2 * (6 + 16 + 120 + 84)  # batch norm scale and shift
    assert any(isinstance(m, torch.nn.Tanh) for m in classic.modules())
    assert any(isinstance(m, torch.nn.MaxPool2d) for m in modern.modules())
    dense = classic.classifier[1].weight  # fan-in init, as the NumPy network: variance 1/fan_in
    assert abs(dense.var().item() * 400 - 1) < 0.05 and dense.abs().max() <= (3 / 400) ** 0.5
    x = lenet5.prepare(torch.zeros(3, 28, 28, dtype=torch.uint8))
    assert x.shape == (3, 1, 32, 32) and x.dtype == torch.float32
    for model in (classic, modern):
        model.eval()
        assert model(x).shape == (3, 10)
        assert model.features(x).shape == (3, 16, 5, 5)


def test_split_is_50k_10k_disjoint_and_fixed():
    train, val = lenet5.split_indices()
    assert len(train) == 50_000 and len(val) == 10_000
    assert len(set(train.tolist()) | set(val.tolist())) == 60_000
    again, _ = lenet5.split_indices()
    assert torch.equal(train, again)
    data = lenet5.load_data(lenet5.sizes("smoke"))
    assert [len(data[k][1]) for k in ("train", "val", "test")] == [512, 256, 1000]
    assert data["train"][0].dtype == torch.uint8 and data["train"][0].shape[1:] == (28, 28)


def test_augmentation_keeps_shape_and_digit_and_draws_per_image(mnist_train):
    images, labels = mnist_train[0][:64], mnist_train[1][:64]
    torch.manual_seed(0)
    plain, moved = lenet5.prepare(images), lenet5.prepare(images, lenet5.augmenter())
    assert moved.shape == plain.shape == (64, 1, 32, 32) and moved.dtype == plain.dtype
    assert not torch.equal(moved, plain)
    ink = lambda x: (x * lenet5.STD + lenet5.MEAN).clamp(min=0)  # back to [0, 1] intensities
    mass_plain, mass_moved = ink(plain).sum((1, 2, 3)), ink(moved).sum((1, 2, 3))
    assert ((mass_moved / mass_plain - 1).abs() < 0.3).all()  # zoom +-10%: ink changes by at most ~21%
    grid = torch.arange(32.0)
    centre = lambda x: torch.stack([(ink(x).sum(3)[:, 0] * grid).sum(1), (ink(x).sum(2)[:, 0] * grid).sum(1)], 1) \
        / ink(x).sum((1, 2, 3))[:, None]
    assert ((centre(moved) - centre(plain)).abs() < 5).all()  # shifted by at most ~3 px (plus rotation, zoom)
    same = lenet5.prepare(images[:1].expand(8, 28, 28), lenet5.augmenter())
    assert len({tuple(im.flatten().tolist()) for im in same}) == 8  # each image gets its own distortion
    assert labels.equal(mnist_train[1][:64])


def test_learning_rate_schedules():
    cos = {**lenet5.RECIPES["classic"], "lr": 0.1}
    assert lenet5.lr_at(cos, 0, 10) == pytest.approx(0.1) and lenet5.lr_at(cos, 5, 10) == pytest.approx(0.05)
    assert lenet5.lr_at(cos, 9.99, 10) < 1e-4
    warm = {**cos, "warmup": 0.1}
    assert lenet5.lr_at(warm, 0, 10) == pytest.approx(0.004) and lenet5.lr_at(warm, 1, 10) == pytest.approx(0.1)
    step = {**cos, "schedule": "step", "step": 2, "decay": 0.5}
    assert [lenet5.lr_at(step, e, 6) for e in range(6)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_test_report_from_known_predictions():
    labels = torch.tensor([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    logits = torch.nn.functional.one_hot(torch.tensor([0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 10).float() * 5
    metrics, rows = lenet5.test_report(labels, logits)
    assert metrics["test_acc"] == pytest.approx(11 / 12)
    assert metrics["per_class_acc"][0] == 0.5 and metrics["per_class_acc"][1] == 1.0
    assert metrics["confusion"][0][1] == 1 and sum(map(sum, metrics["confusion"])) == 12
    by_class = {r["class"]: r for r in rows}
    assert by_class["1"]["precision"] == pytest.approx(2 / 3) and by_class["0"]["recall"] == 0.5
    assert by_class["accuracy"]["f1-score"] == pytest.approx(11 / 12)


def _check_run_files(run_dir, name, params):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert REQUIRED <= set(metrics)
    assert metrics["model"] == name and metrics["params"] == params and metrics["epochs"] == 1
    assert 0 <= metrics["test_acc"] <= 1 and metrics["n_test"] == 1000 and metrics["best_epoch"] == 1
    rows = list(csv.DictReader(open(run_dir / "epochs.csv")))
    assert len(rows) == 1 and {"train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"} <= set(rows[0])
    report = list(csv.DictReader(open(run_dir / "classification_report.csv")))
    assert [r["class"] for r in report][:10] == [str(d) for d in range(10)] and len(report) == 13
    assert (run_dir / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert (run_dir / "model.pt").is_file()
    return metrics


def test_a_smoke_run_writes_its_files_and_is_reused(tmp_path, capsys):
    result = lenet5.run("classic", "smoke", seed=1, device="cpu", runs_dir=tmp_path, progress=False)
    run_dir = tmp_path / "smoke" / "lenet5-classic_s1"
    assert result.run_dir == run_dir
    metrics = _check_run_files(run_dir, "lenet5-classic", 61_706)
    stamp = (run_dir / "model.pt").stat().st_mtime_ns
    again = lenet5.run("classic", "smoke", seed=1, device="cpu", runs_dir=tmp_path, progress=False)
    assert "already trained" in capsys.readouterr().out
    assert again.metrics == metrics and (run_dir / "model.pt").stat().st_mtime_ns == stamp
    assert torch.equal(again.test_logits, result.test_logits)  # the best weights were saved and reloaded
    lenet5.run("classic", "smoke", seed=1, device="cpu", runs_dir=tmp_path, progress=False, force=True)
    assert "already trained" not in capsys.readouterr().out


def test_modern_and_numpy_smoke_runs(tmp_path):
    lenet5.run("modern", "smoke", device="cpu", runs_dir=tmp_path, progress=False)
    _check_run_files(tmp_path / "smoke" / "lenet5-modern_s0", "lenet5-modern", 62_158)
    numpy_lenet.run("smoke", runs_dir=tmp_path, progress=False)
    metrics = _check_run_files(tmp_path / "smoke" / "lenet5-numpy_s0", "lenet5-numpy", 61_706)
    assert metrics["device"] == "cpu"


def test_unknown_names_fail_like_the_rest_of_the_repository():
    with pytest.raises(ValueError, match="unknown profile 'huge'; valid: full, cpu, quick, smoke"):
        lenet5.run("classic", "huge")
    with pytest.raises(ValueError, match="unknown profile 'huge'; valid: full, cpu, quick, smoke"):
        numpy_lenet.run("huge")
    with pytest.raises(ValueError, match="unknown model 'lenet7'; valid: classic, modern"):
        lenet5.run("lenet7", "smoke")
    with pytest.raises(ValueError, match="unknown device"):
        lenet5.run("classic", "smoke", device="tpu")

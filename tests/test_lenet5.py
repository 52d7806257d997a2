"""LeNet-5 in PyTorch and the single-digit pipeline shared with the NumPy network."""

import csv
import json

import matplotlib.pyplot as plt
import pytest
import torch

from lib.data import splits
from lib.data.preprocess import MEAN, STD
from lib.digits import data, runs, torch_lenet
from lib.infra import checkpoint
from lib.report import plots
from lib.report.results import SINGLE_DIGIT_COLUMNS
from lib.study.models import count_params

REQUIRED = set(SINGLE_DIGIT_COLUMNS) | {"torch", "n_train", "n_val"}  # what results.md reads, and more
# conv 1->6 5x5, conv 6->16 5x5, dense 400->120, 120->84, 84->10, weights + biases
CLASSIC_PARAMS = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)


def test_parameter_counts_and_shapes():
    assert CLASSIC_PARAMS == 61_706
    classic, modern = torch_lenet.build_lenet5("classic"), torch_lenet.build_lenet5("modern")
    assert count_params(classic) == 61_706
    assert count_params(modern) == 61_706 + 2 * (6 + 16 + 120 + 84)  # batch norm scale and shift
    assert any(isinstance(m, torch.nn.Tanh) for m in classic.modules())
    assert any(isinstance(m, torch.nn.MaxPool2d) for m in modern.modules())
    dense = next(
        m for m in classic if isinstance(m, torch.nn.Linear)
    ).weight  # fan-in init, as the NumPy network: variance 1/fan_in
    assert abs(dense.var().item() * 400 - 1) < 0.05 and dense.abs().max() <= (3 / 400) ** 0.5
    x = data.digit_inputs(torch.zeros(3, 28, 28, dtype=torch.uint8))
    assert x.shape == (3, 1, 32, 32) and x.dtype == torch.float32
    for model in (classic, modern):
        model.eval()
        flatten = next(i for i, m in enumerate(model) if isinstance(m, torch.nn.Flatten))
        assert model(x).shape == (3, 10) and model[:flatten](x).shape == (3, 16, 5, 5)


def test_split_is_the_repositorys_55k_5k_disjoint_and_fixed(mnist_train):
    images, labels = mnist_train
    train, val = splits.training_digits(labels), splits.validation_digits(labels)
    assert len(train) == 55_000 and len(val) == 5_000 == data.N_VAL and data.N_TRAIN == 55_000
    assert len(set(train.tolist()) | set(val.tolist())) == 60_000
    assert torch.equal(val, splits.validation_digits(labels))
    whole = data.load_digits(runs.digit_sizes("quick"))
    assert [len(whole[k][1]) for k in ("train", "val", "test")] == [55_000, 5_000, 10_000]
    assert torch.equal(whole["val"][0], images[val]) and torch.equal(whole["train"][1], labels[train])
    small = data.load_digits(runs.digit_sizes("smoke"))
    assert [len(small[k][1]) for k in ("train", "val", "test")] == [512, 256, 1000]
    assert small["train"][0].dtype == torch.uint8 and small["train"][0].shape[1:] == (28, 28)


def test_augmentation_keeps_shape_and_digit_and_draws_per_image(mnist_train):
    images, labels = mnist_train[0][:64], mnist_train[1][:64]
    torch.manual_seed(0)
    plain, moved = data.digit_inputs(images), data.digit_inputs(images, True)
    assert moved.shape == plain.shape == (64, 1, 32, 32) and moved.dtype == plain.dtype
    assert not torch.equal(moved, plain)
    ink = lambda x: (x * STD + MEAN).clamp(min=0)  # back to [0, 1] intensities
    mass_plain, mass_moved = ink(plain).sum((1, 2, 3)), ink(moved).sum((1, 2, 3))
    assert ((mass_moved / mass_plain - 1).abs() < 0.3).all()  # zoom +-10%: ink changes by at most ~21%
    grid = torch.arange(32.0)
    centre = (
        lambda x: torch.stack([(ink(x).sum(3)[:, 0] * grid).sum(1), (ink(x).sum(2)[:, 0] * grid).sum(1)], 1)
        / ink(x).sum((1, 2, 3))[:, None]
    )
    assert ((centre(moved) - centre(plain)).abs() < 5).all()  # shifted by at most ~3 px (plus rotation, zoom)
    same = data.digit_inputs(images[:1].expand(8, 28, 28), True)
    assert len({tuple(im.flatten().tolist()) for im in same}) == 8  # each image gets its own distortion
    assert labels.equal(mnist_train[1][:64])


def _rates(recipe: dict, epochs: int, per_epoch: int = 100) -> list:
    """The learning rate of every step under the recipe's schedule."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=recipe["lr"])
    scheduler = runs.lr_scheduler(optimizer, recipe, epochs * per_epoch, per_epoch)
    rates = []
    for _ in range(epochs * per_epoch):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def test_learning_rate_schedules():
    rates = _rates
    cos = {**torch_lenet.RECIPES["classic"], "lr": 0.1}
    assert rates(cos, 10)[0] == pytest.approx(0.1) and rates(cos, 10)[500] == pytest.approx(0.05)
    assert rates(cos, 10)[-1] < 1e-4 and len(rates(cos, 10)) == 1000
    warm = {**cos, "warmup": 0.1}
    assert rates(warm, 10)[0] == pytest.approx(0.004) and rates(warm, 10)[100] == pytest.approx(0.1)
    assert rates(warm, 10)[50] == pytest.approx(0.1 * (0.04 + 0.96 / 2))  # linear warm-up
    step = {**cos, "schedule": "step", "step": 2, "decay": 0.5}
    assert rates(step, 6)[::100] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    with pytest.raises(ValueError, match="valid: step, cosine"):
        rates({**cos, "schedule": "linear"}, 2)


def test_test_report_from_known_predictions():
    labels = torch.tensor([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    logits = torch.nn.functional.one_hot(torch.tensor([0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 10).float() * 5
    metrics, rows, errors = runs.digit_test_report(labels, logits)
    assert metrics["test_acc"] == pytest.approx(11 / 12)
    assert metrics["per_class_acc"][0] == 0.5 and metrics["per_class_acc"][1] == 1.0
    assert metrics["confusion"][0][1] == 1 and sum(map(sum, metrics["confusion"])) == 12
    by_class = {r["class"]: r for r in rows}
    assert by_class["1"]["precision"] == pytest.approx(2 / 3) and by_class["0"]["recall"] == 0.5
    assert by_class["accuracy"]["f1-score"] == pytest.approx(11 / 12)
    assert errors["index"] == [1] and errors["pred"] == [1] and 0.9 < errors["confidence"][0] < 1


def _csv_rows(path) -> list:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _check_run_files(tmp_path, name, params, seed=0):
    record, state = (tmp_path / part / "smoke" / f"{name}_s{seed}" for part in ("record", "state"))
    metrics = json.loads((record / "metrics.json").read_text())
    assert set(metrics) >= REQUIRED
    assert metrics["model"] == name and metrics["params"] == params and metrics["epochs"] == 1
    assert 0 <= metrics["test_acc"] <= 1 and metrics["n_test"] == 1000 and metrics["best_epoch"] == 1
    assert metrics["n_val"] == 256 and metrics["config"]["validation_digits"] == 5_000
    rows = _csv_rows(record / "epochs.csv")
    assert len(rows) == 1 and {"train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"} <= set(rows[0])
    report_rows = _csv_rows(record / "classification_report.csv")
    assert [r["class"] for r in report_rows][:10] == [str(d) for d in range(10)] and len(report_rows) == 13
    errors = json.loads((record / "errors.json").read_text())
    assert len(errors["index"]) == round((1 - metrics["test_acc"]) * 1000)
    assert (state / "model.pt").is_file() and not (record / "model.pt").exists()  # weights are state, not record
    return metrics


def _dirs(tmp_path) -> dict:
    return {"record_dir": tmp_path / "record", "runs_dir": tmp_path / "state"}


def test_a_smoke_run_writes_its_files_and_is_shown_not_retrained(tmp_path, capsys):
    result = runs.run("lenet5-classic", "smoke", seed=1, device="cpu", progress=False, **_dirs(tmp_path))
    assert result.run_dir == tmp_path / "record" / "smoke" / "lenet5-classic_s1"
    metrics = _check_run_files(tmp_path, "lenet5-classic", 61_706, seed=1)
    model_pt = tmp_path / "state" / "smoke" / "lenet5-classic_s1" / "model.pt"
    stamp = model_pt.stat().st_mtime_ns
    again = runs.run("lenet5-classic", "smoke", seed=1, device="cpu", progress=False, **_dirs(tmp_path))
    assert "shown from its record" in capsys.readouterr().out and again.from_record
    assert again.metrics == metrics and model_pt.stat().st_mtime_ns == stamp
    assert again.errors == result.errors
    best = checkpoint.read(model_pt)["meta"]  # the best epoch's weights are kept, and the run tested with them
    assert (
        best["val_acc"] == max(row["val_acc"] for row in result.epochs)
        and result.metrics["best_epoch"] == best["epoch"]
    )
    runs.run("lenet5-classic", "smoke", seed=1, device="cpu", progress=False, force=True, **_dirs(tmp_path))
    assert "Training" in capsys.readouterr().out and model_pt.stat().st_mtime_ns != stamp


def test_modern_and_numpy_smoke_runs_print_one_line_per_epoch(tmp_path, capsys):
    runs.run("lenet5-modern", "smoke", device="cpu", progress="lines", **_dirs(tmp_path))
    _check_run_files(tmp_path, "lenet5-modern", 62_158)
    runs.run("lenet5-numpy", "smoke", device="cuda", progress="lines", **_dirs(tmp_path))
    metrics = _check_run_files(tmp_path, "lenet5-numpy", 61_706)
    assert metrics["device"] == "cpu"
    out = capsys.readouterr().out
    epoch_lines = [line for line in out.splitlines() if line.startswith("epoch")]
    assert "\r" not in out and [line[:10] for line in epoch_lines] == ["epoch 1/1:"] * 2


def test_a_record_is_shown_not_retrained_when_its_checkpoint_is_gone(tmp_path, capsys):
    trained = runs.run("lenet5-classic", "smoke", device="cpu", progress="off", **_dirs(tmp_path))
    model_pt = tmp_path / "state" / "smoke" / "lenet5-classic_s0" / "model.pt"
    model_pt.unlink()
    capsys.readouterr()
    shown = runs.run("lenet5-classic", "smoke", device="cpu", progress="off", **_dirs(tmp_path))
    out = capsys.readouterr().out
    assert "shown from its record" in out and "Training" not in out and len(out.splitlines()) == 1
    assert shown.from_record and shown.learner is None and not model_pt.exists()
    assert shown.metrics == trained.metrics and shown.errors == trained.errors
    assert shown.epochs[0]["epoch"] == 1 and shown.epochs[0]["val_acc"] == pytest.approx(trained.epochs[0]["val_acc"])
    plt.close(plots.plot_misclassified(shown))  # the mistakes show from the record alone


def test_unknown_names_fail_like_the_rest_of_the_repository():
    with pytest.raises(ValueError, match="unknown profile 'huge'; valid: full, cpu, quick, smoke"):
        runs.run("lenet5-classic", "huge")
    with pytest.raises(ValueError, match="unknown profile 'huge'; valid: full, cpu, quick, smoke"):
        runs.run("lenet5-numpy", "huge")
    valid = "valid: lenet5-classic, lenet5-modern, lenet5-numpy, reader-v<version>"
    for name in ("lenet7", "reader-vx", "classic"):
        with pytest.raises(ValueError, match=f"unknown model '{name}'; {valid}"):
            runs.run(name, "smoke")
    with pytest.raises(ValueError, match="unknown device"):
        runs.run("lenet5-classic", "smoke", device="tpu")
    with pytest.raises(ValueError, match="unknown progress 'dots'; valid: bar, lines, off"):
        runs.train_digit_model(None, {}, {}, 1, 0, None, {}, progress="dots")


def test_a_run_that_would_have_to_train_stops_when_train_is_false(tmp_path):
    """run_all.sh --no-train never retrains a single-digit model (nor touches its old record): it says why it stops."""
    with pytest.raises(RuntimeError, match="without --no-train"):
        runs.run("lenet5-classic", "smoke", 0, "cpu", train=False, record_dir=tmp_path, runs_dir=tmp_path)

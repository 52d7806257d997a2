from dataclasses import replace

import pytest
import torch

from lib.data.numbers import NumberGenerator
from lib.data.preprocess import prepare
from lib.infra import checkpoint
from lib.study import models, versions
from lib.study.train import LOG_EVERY, train


def _train(bank, epochs, samples, seed=0, state_path=None, probs=(1, 0, 0), validate=None, **changes):
    torch.manual_seed(seed)
    model = models.build(7, "W")
    spec = replace(versions.get(7), digit_probs=probs, **changes)
    history = train(
        model,
        spec,
        bank,
        dataset="W",
        preprocessing="resize32",
        epochs=epochs,
        samples_per_epoch=samples,
        seed=seed,
        state_path=state_path,
        identity={"test": 1},
        progress="off",
        validate=validate,
    )
    return model, history


def test_a_short_run_learns_one_digit_numbers(train_bank, test_bank):
    model, history = _train(train_bank, epochs=1, samples=64 * 100)
    losses = history["step_loss"]  # one mean per LOG_EVERY steps
    assert len(losses) == 2 and losses[-1] < losses[0] / 3
    batch = NumberGenerator(test_bank, (1, 0, 0), seed=0).batch(500)
    model.eval()
    with torch.no_grad():
        acc = (model(prepare(batch.raw("W"), batch.ndigits, "W")).argmax(1) == batch.labels).float().mean()
    assert acc > 0.5  # chance is 1/1000 (1/10 among one-digit numbers)


def test_partial_last_batch_history_and_validation(train_bank):
    seen = []
    _, history = _train(
        train_bank, epochs=2, samples=150, validate=lambda m: seen.append(m.training) or {"val_acc": 0.5}
    )
    assert history["log_every"] == LOG_EVERY and len(history["step_loss"]) == 2  # 3 steps (64 + 64 + 22) per epoch
    rows = history["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2] and all(r["val_acc"] == 0.5 for r in rows)
    assert history["train_seconds"] > 0 and history["train_loss_final"] == rows[-1]["last_loss"]
    assert {"cpu_seconds", "others_cores"} <= set(rows[0])
    assert seen == [True, True]  # validation is handed the model; lib.study.evaluate switches it to eval itself


@pytest.mark.parametrize("changes", [{}, {"ema": 0.9}])
def test_interrupted_run_resumes_to_the_same_weights(train_bank, tmp_path, changes):
    uninterrupted, h_full = _train(train_bank, epochs=2, samples=128, probs=(1, 1, 1), **changes)
    state = tmp_path / "state.pt"
    _train(train_bank, epochs=1, samples=128, state_path=state, probs=(1, 1, 1), **changes)  # "interrupted"
    resumed, h_resumed = _train(train_bank, epochs=2, samples=128, state_path=state, probs=(1, 1, 1), **changes)
    assert h_resumed["step_loss"] == h_full["step_loss"]
    for a, b in zip(uninterrupted.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_a_weight_average_ends_in_the_model(train_bank):
    """With spec.ema the model ends holding the averaged weights, which differ from the last step's."""
    plain, _ = _train(train_bank, epochs=1, samples=128)
    averaged, _ = _train(train_bank, epochs=1, samples=128, ema=0.5)
    first = next(iter(plain.state_dict()))
    assert not torch.equal(plain.state_dict()[first], averaged.state_dict()[first])


def test_a_state_of_another_run_is_set_aside_not_loaded(train_bank, tmp_path, capsys):
    state = tmp_path / "state.pt"
    _train(train_bank, epochs=1, samples=64, state_path=state)
    torch.manual_seed(0)
    model = models.build(7, "W")
    train(
        model,
        versions.get(7),
        train_bank,
        dataset="W",
        preprocessing="resize32",
        epochs=1,
        samples_per_epoch=64,
        seed=0,
        state_path=state,
        identity={"test": 2},
        progress="off",
    )
    assert "another config; starting afresh" in capsys.readouterr().out
    assert checkpoint.read(state)["identity"] == {"test": 2}  # the first finished epoch replaced it

import torch

from lib import models, versions
from lib.numbers import NumberGenerator
from lib.preprocess import prepare
from lib.train import train


def _train(bank, epochs, samples, seed=0, state_path=None, probs=(1, 0, 0)):
    torch.manual_seed(seed)
    model = models.build(7, "W")
    opt = models.optimizer_for(model, versions.get(7))
    history = train(model, opt, bank, dataset="W", preprocessing="resize32", digit_probs=probs, batch_size=64,
                    epochs=epochs, samples_per_epoch=samples, seed=seed, state_path=state_path,
                    identity={"test": 1}, progress=False)
    return model, history


def test_a_short_run_learns_one_digit_numbers(train_bank, test_bank):
    model, history = _train(train_bank, epochs=1, samples=64 * 45)
    losses = history["step_loss"]
    assert len(losses) == 45 and sum(losses[-10:]) / 10 < sum(losses[:10]) / 10 - 2
    batch = NumberGenerator(test_bank, (1, 0, 0), seed=0).batch(500)
    model.eval()
    with torch.no_grad():
        acc = (model(prepare(batch.raw("W"), batch.ndigits, "W")).argmax(1) == batch.labels).float().mean()
    assert acc > 0.5  # chance is 1/1000 (1/10 among one-digit numbers)


def test_partial_last_batch_and_history(train_bank):
    _, history = _train(train_bank, epochs=1, samples=150)
    assert len(history["step_loss"]) == 3  # 64 + 64 + 22, drop_last=False
    assert history["epochs"][0]["epoch"] == 1 and history["train_seconds"] > 0


def test_interrupted_run_resumes_to_the_same_weights(train_bank, tmp_path):
    uninterrupted, h_full = _train(train_bank, epochs=2, samples=128, probs=(1, 1, 1))
    state = tmp_path / "state.pt"
    _train(train_bank, epochs=1, samples=128, state_path=state, probs=(1, 1, 1))  # "interrupted" after epoch 1
    resumed, h_resumed = _train(train_bank, epochs=2, samples=128, state_path=state, probs=(1, 1, 1))
    assert h_resumed["step_loss"] == h_full["step_loss"]
    for a, b in zip(uninterrupted.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)

import pytest
import torch

from lib.study import heads


def test_position_targets_are_left_aligned_digits_then_no_digit():
    t = heads.position_targets(torch.tensor([0, 7, 40, 305, 999]))
    assert t.tolist() == [[0, 10, 10], [7, 10, 10], [4, 0, 10], [3, 0, 5], [9, 9, 9]]


def test_digits_head_gives_a_distribution_over_valid_numbers_only():
    logits = torch.zeros(1, 33)
    logits.view(1, 3, 11)[0, 0, 0] = 9.0  # position 0 says "0"
    logits.view(1, 3, 11)[0, 1, 5] = 9.0  # position 1 says "5": "05" is not a number
    lp = heads.number_log_probs(logits, "digits")
    assert lp.shape == (1, 1000) and torch.allclose(lp.exp().sum(), torch.tensor(1.0))
    assert heads.predicted_numbers(logits, "digits").item() != 5  # "05" is never read as 5


def test_digits_head_names_the_number_its_positions_say():
    logits = torch.full((2, 3, 11), -5.0)
    for row, classes in enumerate([(3, 0, 5), (8, 10, 10)]):
        for k, c in enumerate(classes):
            logits[row, k, c] = 5.0
    assert heads.predicted_numbers(logits.view(2, 33), "digits").tolist() == [305, 8]


def test_number_head_is_the_softmax_and_losses_agree_with_cross_entropy():
    logits = torch.randn(4, 1000)
    labels = torch.tensor([1, 22, 333, 999])
    assert torch.allclose(heads.number_log_probs(logits, "number"), logits.log_softmax(1))
    assert torch.isclose(heads.loss(logits, labels, "number"), torch.nn.functional.cross_entropy(logits, labels))
    digit_logits = torch.randn(4, 33)
    manual = torch.nn.functional.cross_entropy(digit_logits.view(12, 11), heads.position_targets(labels).view(12))
    assert torch.isclose(heads.loss(digit_logits, labels, "digits"), manual)


def test_unknown_head():
    with pytest.raises(ValueError, match="valid: number, digits"):
        heads.number_log_probs(torch.zeros(1, 10), "pairs")

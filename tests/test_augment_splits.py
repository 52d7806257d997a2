import pytest
import torch

from lib.data import augment, layouts, splits
from lib.data.numbers import DigitBank, NumberGenerator, number_table


@pytest.fixture(scope="module")
def batch(mnist_test):
    images, labels = mnist_test
    return NumberGenerator(DigitBank(images, labels), seed=3).batch(64)


def test_no_shift_and_no_affine_change_nothing(batch):
    zero = torch.zeros(len(batch), 3, dtype=torch.long)
    for dataset in ("W", "C"):
        assert torch.equal(layouts.get(dataset).place(batch.slots, zero, zero), batch.raw(dataset))
        assert torch.equal(augment.augment(batch, dataset, torch.Generator()), batch.raw(dataset))
    assert torch.equal(augment.digit_affine(batch.slots, torch.Generator(), 0, 0, 0, 0), batch.slots)


def test_place_moves_each_digit_by_its_own_shift(batch):
    b = len(batch)
    sx = torch.tensor([[2, -3, 1]]).repeat(b, 1)
    sy = torch.tensor([[1, 0, -2]]).repeat(b, 1)
    w = layouts.get("W").place(batch.slots, sx, sy)
    one = (batch.ndigits == 1).nonzero()[0].item()  # a single digit moves 2 right, 1 down
    assert torch.equal(w[one, 1:, 2:28], batch.slots[one, 0, :27, :26])
    c = layouts.get("C").place(batch.slots, sx, sy)
    assert torch.equal(c[:, 2, :26, 1:], batch.slots[:, 2, 2:, :27])
    assert w.dtype == torch.uint8 and w.shape == (b, 28, 84)


def test_augmentation_is_seeded_and_keeps_ink(batch):
    a = augment.augment(batch, "W", torch.Generator().manual_seed(1), (10.0, 0.1, 8.0, 2), (4, 3))
    b = augment.augment(batch, "W", torch.Generator().manual_seed(1), (10.0, 0.1, 8.0, 2), (4, 3))
    assert torch.equal(a, b) and not torch.equal(a, batch.raw("W"))
    ink_before, ink_after = batch.raw("W").float().sum((1, 2)), a.float().sum((1, 2))
    assert ((ink_after / ink_before - 1).abs() < 0.35).all()  # small changes: the digits stay whole


def test_held_out_split_is_fixed_and_never_drawn():
    held = splits.held_out()
    assert len(held) == 100 and held == splits.held_out() and splits.covers_every_position(set(range(1000)) - set(held))
    gen = NumberGenerator(DigitBank(torch.zeros(10, 28, 28, dtype=torch.uint8), torch.arange(10)), seed=0,
                          exclude=held)
    drawn = torch.cat([gen.batch(4096).labels for _ in range(5)])
    assert not splits.is_held_out(drawn).any() and len(drawn.unique()) == 900
    assert splits.excluded("all") == () and splits.excluded("heldout") == held
    with pytest.raises(ValueError, match="valid: all, heldout"):
        splits.check_split("half")


def test_number_table_without_exclusion_keeps_the_original_draw():
    table, counts = number_table()
    assert counts.tolist() == [10, 90, 900] and table[2, 0] == 100 and table[1, 89] == 99
    with pytest.raises(ValueError, match="every 1-digit number is excluded"):
        number_table(range(10))

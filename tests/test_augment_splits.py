from dataclasses import replace

import numpy as np
import pytest
import torch

from lib.data import augment, layouts, splits
from lib.data.numbers import DigitBank, NumberGenerator, number_table
from lib.study import versions


@pytest.fixture(scope="module")
def batch(mnist_test):
    images, labels = mnist_test
    return NumberGenerator(DigitBank(images, labels), seed=3).batch(64)


def test_no_shift_and_no_affine_change_nothing(batch):
    zero = torch.zeros(len(batch), 3, dtype=torch.long)
    for dataset in ("W", "C"):
        assert torch.equal(layouts.get(dataset).place(batch.slots, zero, zero), batch.raw(dataset))
        assert torch.equal(augment.augment(batch, dataset, torch.Generator(), versions.get(7)), batch.raw(dataset))
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


@pytest.mark.parametrize("changes", [{}, {"augment_elastic": (8.0, 3.0)}])
def test_augmentation_is_seeded_and_keeps_ink(batch, changes):
    spec = replace(versions.get(17), **changes)  # digit affine changes and layout shifts, [elastic]
    a = augment.augment(batch, "W", torch.Generator().manual_seed(1), spec)
    b = augment.augment(batch, "W", torch.Generator().manual_seed(1), spec)
    assert torch.equal(a, b) and not torch.equal(a, batch.raw("W"))
    ink_before, ink_after = batch.raw("W").float().sum((1, 2)), a.float().sum((1, 2))
    assert ((ink_after / ink_before - 1).abs() < 0.35).all()  # small changes: the digits stay whole
    if changes:
        plain = augment.augment(batch, "W", torch.Generator().manual_seed(1), versions.get(17))
        assert not torch.equal(a, plain)


def test_held_out_split_is_fixed_and_never_drawn():
    held = splits.held_out()
    assert len(held) == 100 and held == splits.held_out() and splits.covers_every_position(set(range(1000)) - set(held))
    gen = NumberGenerator(DigitBank(torch.zeros(10, 28, 28, dtype=torch.uint8), torch.arange(10)), seed=0, exclude=held)
    drawn = torch.cat([gen.batch(4096).labels for _ in range(5)])
    assert not torch.isin(drawn, torch.tensor(held)).any() and len(drawn.unique()) == 900
    with pytest.raises(ValueError, match="valid: all, heldout"):
        splits.check_split("half")


def test_number_table_without_exclusion_keeps_the_original_draw():
    table, counts = number_table()
    assert counts.tolist() == [10, 90, 900] and table[2, 0] == 100 and table[1, 89] == 99
    with pytest.raises(ValueError, match="every 1-digit number is excluded"):
        number_table(range(10))


def test_touching_neighbours_and_stroke_thickness():
    slots = torch.zeros(1, 3, 28, 28, dtype=torch.uint8)
    slots[0, :2, 5:20, 10:18] = 255  # two digits, ink in columns 10-17 of their slots
    shifts = layouts.get("W").touching_shifts(slots, torch.tensor([2]), torch.tensor([[0, 0, 0]]), torch.tensor([0]))
    raw = layouts.get("W").place(slots, shifts, torch.zeros(1, 3, dtype=torch.long))
    ink = (raw[0].amax(0) > 32).nonzero().squeeze(1)
    assert ink.min() == 10 and ink.max() == 25 and len(ink) == 16  # the second starts where the first ends: no gap
    g = torch.Generator().manual_seed(0)
    images = torch.zeros(60, 3, 28, 28, dtype=torch.uint8)
    images[:, :, 8:20, 12:16] = 255
    out = augment.stroke_thickness(images, g, 1)
    area = (out > 127).flatten(2).sum(2)
    assert set(area.flatten().tolist()) == {33, 48, 65}  # 11x3, 12x4 and 13x5: one pixel thinner, same, thicker


def test_the_ood_test_set_goes_past_every_training_augmentation():
    """Out of distribution for every version in the registry: larger shifts and scales than any trains with,
    and touching neighbours."""
    from lib.data import testsets
    from lib.study import versions

    ood = testsets.VARIANTS["ood"]
    for spec in versions.VERSIONS.values():
        if spec.augment_layout:
            assert ood.layout_shift[0] > spec.augment_layout[0] and ood.layout_shift[1] > spec.augment_layout[1]
        if spec.augment_digits:
            assert ood.digit_scale > spec.augment_digits[1]
        assert not getattr(spec, "augment_thickness", 0) or ood.thickness > spec.augment_thickness
    assert ood.touching_gaps[1] <= 0


@pytest.mark.parametrize("sigma", [3.0, 4.0])
def test_separable_blur_is_torchvisions_blur(sigma):
    from torchvision.transforms.v2 import functional as TF

    maps = torch.rand(5, 2, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    size = 2 * round(3 * sigma) + 1
    assert torch.allclose(
        augment.gaussian_blur(maps, sigma), TF.gaussian_blur(maps, [size, size], [sigma, sigma]), atol=1e-6
    )


def test_the_augmentation_figure_shows_numbers_as_drawn_and_as_augmented():
    import matplotlib

    matplotlib.use("Agg")
    from lib.report import plots

    fig = plots.augmented_numbers(25, "W", count=2)
    shown = [ax.images[0].get_array() for ax in fig.axes]
    assert len(shown) == 4 * 2 and not np.array_equal(shown[0], shown[2])  # row 1 is row 0 augmented
    assert not np.array_equal(shown[2], shown[4])  # each draw of the augmentation differs


@pytest.mark.parametrize("size", [2, 3])
def test_window_max_is_max_pooling_with_stride_one(size):
    images = torch.randint(0, 256, (5, 1, 28, 29)).float()
    assert torch.equal(augment.window_max(images, size), torch.nn.functional.max_pool2d(images, size, stride=1))


@pytest.mark.parametrize("width, offset", [(84, 28), (28, 0)])
def test_moving_digits_takes_each_pixel_from_its_shifted_source(width, offset):
    """The two-gather placement against the plain definition: pixel (y, x) of slot j is the slot's pixel
    (y - shift_y, x - shift_x - offset * j), and empty where that falls outside the slot."""
    gen = torch.Generator().manual_seed(0)
    slots = torch.randint(0, 256, (6, 3, 28, 28), generator=gen, dtype=torch.uint8)
    shift_x, shift_y = torch.randint(-30, 40, (6, 3), generator=gen), torch.randint(-8, 9, (6, 3), generator=gen)
    expected = torch.zeros(6, 3, 28, width, dtype=torch.uint8)
    for b, j, y, x in np.ndindex(6, 3, 28, width):
        sy, sx = y - int(shift_y[b, j]), x - int(shift_x[b, j]) - offset * j
        if 0 <= sy < 28 and 0 <= sx < 28:
            expected[b, j, y, x] = slots[b, j, sy, sx]
    assert torch.equal(layouts._moved(slots, shift_x, shift_y, width, offset), expected)

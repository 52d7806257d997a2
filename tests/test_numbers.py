import pytest
import torch

from lib.data import layouts, numbers
from lib.data.numbers import NumberGenerator, digits_of, wraparound


def test_batch_shapes_and_views(train_bank):
    b = NumberGenerator(train_bank, seed=0).batch(256)
    assert b.slots.shape == (256, 3, 28, 28) and b.slots.dtype == torch.uint8
    assert b.raw("W").shape == (256, 28, 84) and b.raw("C").shape == (256, 3, 28, 28)
    # W puts slot j at columns 28j..28j+27; C keeps slot j as channel j
    for j in range(3):
        assert torch.equal(b.raw("W")[:, :, 28 * j : 28 * (j + 1)], b.slots[:, j])
    assert torch.equal(b.raw("C"), b.slots)


def test_labels_match_the_digits_drawn(train_bank, mnist_train):
    _, mnist_labels = mnist_train
    b = NumberGenerator(train_bank, seed=1).batch(2000)
    digits = digits_of(b.labels, b.ndigits)
    present = b.source >= 0
    assert torch.equal(present, digits >= 0)
    assert torch.equal(mnist_labels[b.source[present]], digits[present])
    assert torch.equal(b.ndigits, numbers.ndigits_of(b.labels))


def test_slots_hold_the_mnist_images_and_empty_slots_are_zero(train_bank, mnist_train):
    images, _ = mnist_train
    b = NumberGenerator(train_bank, seed=2).batch(500)
    present = b.source >= 0
    assert torch.equal(b.slots[present], images[b.source[present]])
    assert b.slots[~present].sum() == 0
    # C channel order is reading order: channel 0 is the leading digit
    two = (b.ndigits == 2).nonzero()[0, 0]
    assert torch.equal(b.raw("C")[two, 0], images[b.source[two, 0]])
    assert b.raw("C")[two, 2].sum() == 0


def test_same_seed_same_batches_other_seed_other_batches(train_bank):
    a, b, c = (NumberGenerator(train_bank, seed=s) for s in (7, 7, 8))
    for _ in range(3):
        x, y, z = a.batch(64), b.batch(64), c.batch(64)
        assert torch.equal(x.labels, y.labels) and torch.equal(x.slots, y.slots)
        assert not torch.equal(x.labels, z.labels)


@pytest.mark.parametrize("probs", [numbers.UNIFORM, (0.2, 0.3, 0.5), (0.1, 0.2, 0.7), (0.5, 0.3, 0.2)])
def test_digit_counts_follow_the_probabilities(probs):
    g = torch.Generator().manual_seed(0)
    labels = numbers.sample_labels(60000, probs, g)
    counts = torch.bincount(numbers.ndigits_of(labels), minlength=4)[1:] / 60000
    assert torch.allclose(counts, torch.tensor(probs, dtype=counts.dtype), atol=0.01)


def test_numbers_are_uniform_within_their_digit_count_without_leading_zeros():
    g = torch.Generator().manual_seed(0)
    labels = numbers.sample_labels(90000, (0, 1, 0), g)  # two digits only
    assert labels.min() == 10 and labels.max() == 99
    freq = torch.bincount(labels, minlength=100)[10:].float() / 90000
    assert (freq - 1 / 90).abs().max() < 0.004
    assert set(numbers.sample_labels(5000, (1, 0, 0), g).tolist()) == set(range(10))


def _image_keys(images):
    return {bytes(img) for img in images.reshape(len(images), -1).numpy()}


def test_training_digits_come_from_mnist_train_only(train_bank, mnist_train, mnist_test):
    train_keys, test_keys = _image_keys(mnist_train[0]), _image_keys(mnist_test[0])
    b = NumberGenerator(train_bank, seed=3).batch(3000)
    drawn = _image_keys(b.slots[b.source >= 0])
    assert drawn <= train_keys
    assert not drawn & (test_keys - train_keys)


def test_bad_probabilities_are_rejected():
    with pytest.raises(ValueError, match="three non-negative weights"):
        numbers.sample_labels(4, (0.5, 0.5), torch.Generator())


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(ValueError, match="valid: W, C"):
        layouts.get("D")


def test_wraparound_maps_pixels_like_the_original_bug():
    raw = torch.tensor([0, 1, 128, 200, 255], dtype=torch.uint8).view(1, 1, 1, 5).expand(3, 3, 1, 5)
    out = wraparound(raw, torch.tensor([1, 2, 3]))
    expected = torch.tensor([0, 255, 128, 56, 1], dtype=torch.uint8)
    assert torch.equal(out[0, 0, 0], expected) and torch.equal(out[1, 2, 0], expected)
    assert torch.equal(out[2], raw[2])  # 3-digit samples stayed uint8 and clean

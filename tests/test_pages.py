"""Page-like numbers from MNIST digits: written as a person would, apart or touching, and reproducible."""

import numpy as np
import pytest

from lib.data.splits import validation_digits
from lib.reading import pages


def test_pages_look_like_handwriting_on_paper(mnist_test):
    written = pages.sample(20, seed=3)
    for w in written:
        img = w.image
        assert img.dtype == np.uint8 and img.ndim == 2
        assert len(w.boxes) == len(str(w.number)) == len(w.sources)
        assert [int(mnist_test[1][s]) for s in w.sources] == [int(c) for c in str(w.number)]
        border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
        assert np.median(border) > 200  # a light page
        inside = [img[y0:y1, x0:x1].min() for x0, y0, x1, y1 in w.boxes]
        assert max(inside) < 100  # dark ink
        heights = [y1 - y0 for _, y0, _, y1 in w.boxes]
        assert max(heights) > 36  # scaled up from MNIST's 20 px
        for (_, _, a1, _), (b0, _, _, _) in zip(w.boxes, w.boxes[1:]):
            assert b0 > a1  # left to right, with a gap
    assert len({w.image.shape for w in written}) > 10  # page sizes vary


def test_pages_are_reproducible(mnist_test):
    a = pages.sample(3, seed=7, rotate=8)
    b = pages.sample(3, seed=7, rotate=8)
    c = pages.sample(3, seed=8, rotate=8)
    assert all(np.array_equal(x.image, y.image) and x.number == y.number for x, y in zip(a, b))
    assert not all(x.image.shape == z.image.shape and np.array_equal(x.image, z.image) for x, z in zip(a, c))


def test_given_numbers_and_digit_counts(mnist_test):
    written = pages.sample(3, seed=0, numbers=[0, 42, 907])
    assert [w.number for w in written] == [0, 42, 907]
    numbers = np.array([w.number for w in pages.sample(3000, seed=0, scale=(1.0, 1.0), noise=0.0)])
    assert numbers.min() >= 0 and numbers.max() <= 999
    counts = np.bincount([len(str(n)) for n in numbers], minlength=4)[1:] / len(numbers)
    assert np.allclose(counts, 1 / 3, atol=0.04)  # digit counts uniform, as the study's test sets


def test_touching_pages_put_neighbours_ink_together(mnist_test):
    written = pages.sample(30, seed=5, kind="touching")
    overlapping = 0
    for w in written:
        height = max(y1 - y0 for _, y0, _, y1 in w.boxes)
        for (_, _, a1, _), (b0, _, _, _) in zip(w.boxes, w.boxes[1:]):
            assert -0.2 * height <= b0 - a1 <= 0.02 * height + 1  # touching or overlapping, not apart
            overlapping += b0 < a1
        img = w.image
        assert np.median(np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])) > 200  # still a light page
    assert overlapping > 10
    same = pages.sample(30, seed=5, gaps=pages.GAPS["touching"])
    assert all(np.array_equal(a.image, b.image) for a, b in zip(written, same))  # touching is a style of gaps


def test_bad_gaps_are_refused(mnist_test):
    with pytest.raises(ValueError, match="unknown page kind .joined.; valid: ordinary, touching"):
        pages.sample(1, kind="joined")
    with pytest.raises(ValueError, match="lo <= hi"):
        pages.sample(1, gaps=(0.5, 0.1))
    with pytest.raises(ValueError, match="unknown digit source .train.; valid: test, validation"):
        pages.digit_source("train")


def test_validation_pages_use_validation_digits_only(mnist_train):
    images, labels, usable = pages.digit_source("validation")
    assert np.array_equal(usable, validation_digits(mnist_train[1]).numpy())
    written = pages.sample(40, seed=2, source="validation", kind="touching")
    kept = set(usable.tolist())
    for w in written:
        assert all(s in kept for s in w.sources)  # never a digit that training draws
        assert [int(labels[s]) for s in w.sources] == [int(c) for c in str(w.number)]

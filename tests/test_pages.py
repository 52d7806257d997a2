"""Page-like numbers from MNIST test digits: written as a person would, and reproducible."""

import numpy as np

from lib.reading import pages


def test_pages_look_like_handwriting_on_paper(mnist_test):
    written = pages.sample(20, seed=3, images=mnist_test[0], labels=mnist_test[1])
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
    a = pages.sample(3, seed=7, images=mnist_test[0], labels=mnist_test[1], rotate=8)
    b = pages.sample(3, seed=7, images=mnist_test[0], labels=mnist_test[1], rotate=8)
    c = pages.sample(3, seed=8, images=mnist_test[0], labels=mnist_test[1], rotate=8)
    assert all(np.array_equal(x.image, y.image) and x.number == y.number for x, y in zip(a, b))
    assert not all(x.image.shape == z.image.shape and np.array_equal(x.image, z.image) for x, z in zip(a, c))


def test_given_numbers_and_digit_counts(mnist_test):
    written = pages.sample(3, seed=0, images=mnist_test[0], labels=mnist_test[1], numbers=[0, 42, 907])
    assert [w.number for w in written] == [0, 42, 907]
    numbers = np.array(
        [
            w.number
            for w in pages.sample(3000, seed=0, images=mnist_test[0], labels=mnist_test[1], scale=(1.0, 1.0), noise=0.0)
        ]
    )
    assert numbers.min() >= 0 and numbers.max() <= 999
    counts = np.bincount([len(str(n)) for n in numbers], minlength=4)[1:] / len(numbers)
    assert np.allclose(counts, 1 / 3, atol=0.04)  # digit counts uniform, as the study's test sets

"""The benchmark's per-sample baseline makes the same kind of batches as lib (speed is bench/'s job)."""

import torch

from bench.baseline import loader
from lib.data.numbers import ndigits_of


def test_baseline_batches_look_like_lib_batches(mnist_train):
    images, labels = mnist_train
    for dataset, channels in (("W", 1), ("C", 3)):
        x, y = next(iter(loader(images, labels, dataset, length=640, batch_size=640)))
        assert x.shape == (640, channels, 32, 32) and x.dtype == torch.float32
        assert y.min() >= 0 and y.max() <= 999
        counts = torch.bincount(ndigits_of(y), minlength=4)[1:]
        assert (counts > 640 / 3 - 70).all()  # about a third each
        assert abs(x.min().item() + 0.1307 / 0.3081) < 1e-4  # background normalises to -0.424

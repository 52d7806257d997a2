"""Shared fixtures: the real MNIST (from MNIST_DIR or the downloaded copy), loaded once per session."""

import pytest

from lib.data import mnist
from lib.data.numbers import DigitBank


@pytest.fixture(scope="session")
def mnist_train():
    return mnist.load_split("train")


@pytest.fixture(scope="session")
def mnist_test():
    return mnist.load_split("test")


@pytest.fixture(scope="session")
def train_bank(mnist_train):
    return DigitBank(*mnist_train)


@pytest.fixture(scope="session")
def test_bank(mnist_test):
    return DigitBank(*mnist_test)

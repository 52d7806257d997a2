import gzip
from urllib.error import URLError

import pytest
import torch

from lib.data import mnist
from lib.data.mnist import MNISTDataError


def test_splits_load_with_expected_shapes(mnist_train, mnist_test):
    for (images, labels), n in ((mnist_train, 60000), (mnist_test, 10000)):
        assert images.shape == (n, 28, 28) and images.dtype == torch.uint8
        assert labels.shape == (n,) and labels.min() == 0 and labels.max() == 9


def _source_folder(tmp_path, gz=True):
    """A copy of the local MNIST folder (gzipped, or decompressed) to damage in a test."""
    src = mnist.ensure_mnist()
    folder = tmp_path / "src"
    folder.mkdir()
    for name in mnist.FILES:
        plain = src / name
        data = plain.read_bytes() if plain.is_file() else gzip.decompress((src / f"{name}.gz").read_bytes())
        (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(data, 1) if gz else data)
    return folder


@pytest.mark.parametrize("gz", [True, False])
def test_a_local_folder_is_read_gzipped_or_not(tmp_path, gz, mnist_test):
    folder = _source_folder(tmp_path, gz)
    assert mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder, download=False) == folder
    images, labels = mnist.load_split("test", root=tmp_path / "data", mnist_dir=folder, download=False)
    assert torch.equal(images, mnist_test[0]) and torch.equal(labels, mnist_test[1])


def test_a_folder_is_checked_again_once_a_file_in_it_changes(tmp_path):
    folder = _source_folder(tmp_path, gz=False)
    mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder, download=False)
    mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder, download=False)  # checked already: no work
    path = folder / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-1] + b"\x0c")  # same size, a label of 12
    with pytest.raises(MNISTDataError, match="labels outside 0-9"):
        mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder, download=False)


def test_missing_file_names_it_and_the_fix(tmp_path):
    folder = _source_folder(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MNISTDataError, match=r"t10k-labels-idx1-ubyte.*missing.*MNIST_DIR"):
        mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: b[:1000], "truncated|bytes"),
        (lambda b: b"\x00\x00\x08\x01" + b[4:], "magic number"),
    ],
)
def test_corrupt_image_file_is_rejected(tmp_path, damage, message):
    folder = _source_folder(tmp_path, gz=False)
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(MNISTDataError, match=rf"train-images-idx3-ubyte is corrupt: .*({message})"):
        mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder)


def test_labels_out_of_range_are_rejected(tmp_path):
    folder = _source_folder(tmp_path, gz=False)
    path = folder / "t10k-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[-1] = 11
    path.write_bytes(bytes(data))
    with pytest.raises(MNISTDataError, match="labels outside 0-9"):
        mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder)


def test_broken_gzip_is_reported(tmp_path):
    folder = _source_folder(tmp_path)
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(MNISTDataError, match=r"t10k-images-idx3-ubyte.gz cannot be read"):
        mnist.ensure_mnist(root=tmp_path / "data", mnist_dir=folder)


def test_no_folder_and_no_internet_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)

    def offline(*args, **kwargs):
        raise URLError("no route to host")

    monkeypatch.setattr(mnist, "MNIST", offline)
    with pytest.raises(MNISTDataError, match="download failed.*MNIST_DIR"):
        mnist.ensure_mnist(root=tmp_path / "empty")
    with pytest.raises(MNISTDataError, match="download is off"):
        mnist.ensure_mnist(root=tmp_path / "empty", download=False)


def test_mnist_dir_that_is_not_a_folder(tmp_path):
    with pytest.raises(MNISTDataError, match="not a folder"):
        mnist.ensure_mnist(root=tmp_path, mnist_dir=tmp_path / "nowhere")


def test_unknown_split():
    with pytest.raises(ValueError, match="valid: train, test"):
        mnist.load_split("validation")


def test_a_relative_mnist_dir_is_taken_from_where_the_command_was_typed(tmp_path, monkeypatch):
    """`export MNIST_DIR=../shared/mnist` at the repository root must work in notebooks, which run in notebooks/."""
    from lib.infra.paths import from_env

    typed_in = tmp_path / "repo"
    (tmp_path / "shared" / "mnist").mkdir(parents=True)
    monkeypatch.setenv("MNIST_DIR", "../shared/mnist")
    monkeypatch.setenv("PWD", str(typed_in))  # the shell's folder, inherited by every kernel it starts
    monkeypatch.chdir(tmp_path / "shared")  # where a kernel might run instead
    assert from_env("MNIST_DIR") == (tmp_path / "shared" / "mnist").resolve()

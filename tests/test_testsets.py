import json

import pytest
import torch

from lib.data import testsets
from lib.data.testsets import TestSetError


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("testsets")
    return root, testsets.build("W", root=root)


def test_counts_and_manifest(built):
    root, ts = built
    assert len(ts) == testsets.SIZE == 45330
    counts = torch.bincount(ts.labels, minlength=1000)
    assert (counts[:10] == 1500).all() and (counts[10:100] == 167).all() and (counts[100:] == 17).all()
    assert torch.bincount(ts.ndigits)[1:].tolist() == [15000, 15030, 15300]
    manifest = json.loads((root / "test_W.json").read_text())
    assert manifest["format_version"] == testsets.FORMAT_VERSION and manifest["seed"] == testsets.SEED
    assert manifest["count_by_digit_count"] == {"1": 15000, "2": 15030, "3": 15300}
    assert set(manifest["mnist_test_sha256"]) == {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}


def test_reload_is_verified_and_identical(built, capsys):
    root, ts = built
    again = testsets.load("W", root=root)
    assert "rebuilding" not in capsys.readouterr().out
    for name in ("raw", "ndigits", "labels", "source"):
        assert torch.equal(getattr(again, name), getattr(ts, name))


def test_test_digits_come_from_mnist_test(built, mnist_test):
    _, ts = built
    images, labels = mnist_test
    present = ts.source >= 0
    slots = ts.raw.view(-1, 28, 3, 28).permute(0, 2, 1, 3)  # W back to reading-order slots
    assert torch.equal(slots[present], images[ts.source[present]])
    digits = torch.stack([ts.labels // 100 % 10, ts.labels // 10 % 10, ts.labels % 10], 1)
    three = ts.ndigits == 3
    assert torch.equal(labels[ts.source[three]], digits[three])


def test_same_seed_builds_the_same_set():
    assert torch.equal(testsets.generate("C").raw[:500], testsets.generate("C").raw[:500])


def test_damaged_file_is_rejected_or_rebuilt(tmp_path, capsys):
    testsets.build("C", root=tmp_path)
    path = tmp_path / "test_C.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(TestSetError, match="damaged"):
        testsets.verify("C", root=tmp_path)
    ts = testsets.load("C", root=tmp_path)
    assert "rebuilding" in capsys.readouterr().out and len(ts) == 45330
    testsets.verify("C", root=tmp_path)


def test_stale_manifest_is_rejected(tmp_path):
    testsets.build("W", root=tmp_path)
    manifest_path = tmp_path / "test_W.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["seed"] = 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(TestSetError, match="stale: manifest seed"):
        testsets.verify("W", root=tmp_path)
    manifest_path.write_text("{not json")
    with pytest.raises(TestSetError, match="not valid JSON"):
        testsets.verify("W", root=tmp_path)


def test_missing_set_without_rebuild(tmp_path):
    with pytest.raises(TestSetError, match="not built yet"):
        testsets.verify("W", root=tmp_path)


def test_subset_is_fixed(built):
    _, ts = built
    a, b = ts.subset(1000), ts.subset(1000)
    assert len(a) == 1000 and torch.equal(a.labels, b.labels)
    assert ts.subset(None) is ts


def test_robust_variant_moves_digits_and_is_verified_apart(tmp_path, mnist_test):
    robust = testsets.build("C", root=tmp_path, variant="robust")
    clean = testsets.generate("C")
    assert torch.equal(robust.labels, clean.labels) and not torch.equal(robust.source, clean.source)
    manifest = testsets.verify("C", root=tmp_path, variant="robust")
    assert manifest["variant"] == "robust" and manifest["max_shift_xy"] == list(
        testsets.VARIANTS["robust"].layout_shift
    )
    images, _ = mnist_test
    present = robust.source >= 0
    moved = (robust.raw[present] != images[robust.source[present]]).flatten(1).any(1).float().mean()
    assert moved > 0.9  # nearly every digit sits off its grid position
    kept = robust.raw[present].flatten(1).float().sum(1) / images[robust.source[present]].flatten(1).float().sum(1)
    assert kept.mean() > 0.99 and kept.min() > 0.75  # a shift cuts off ink only from digits that touch an edge
    with pytest.raises(TestSetError, match="not built yet"):
        testsets.verify("W", root=tmp_path, variant="robust")
    with pytest.raises(ValueError, match="valid: clean, robust"):
        testsets.paths("W", variant="rotated")

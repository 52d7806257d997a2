"""The predict API and `python -m lib.reading.predict` on page-like numbers written with MNIST test digits.

Tests marked with the `classifier` fixture read with the chosen committed weights
(the ones res/weights/chosen.json names): when they are missing, those tests fail, as the notebook and CLI would.
"""

import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from lib.infra.paths import ROOT
from lib.reading import pages, predict
from lib.reading.digitize import BlankImageError, DigitizeError


@pytest.fixture(scope="module")
def classifier():
    return predict.default_classifier()


@pytest.fixture(scope="module")
def written(mnist_test):
    return pages.sample(40, seed=21, rotate=8)


class FakeClassifier:
    """Records what it is shown; its probabilities rise with the number, so the top k is known."""

    version, dataset, preprocessing, meta = 0, "W", "resize32", {}

    def __init__(self):
        self.calls = []

    def number_probs(self, slots, ndigits):
        self.calls.append((slots.clone(), ndigits.clone()))
        p = torch.arange(1000, dtype=torch.float32) + 1
        return (p / p.sum()).expand(len(slots), 1000)


def test_predict_passes_slots_and_returns_the_top_k(written):
    fake = FakeClassifier()
    w = next(w for w in written if len(str(w.number)) == 2)
    pred = predict.predict(w.image, fake, top_k=3)
    ((slots, ndigits),) = fake.calls
    assert slots.shape == (1, 3, 28, 28) and slots.dtype == torch.uint8 and ndigits.tolist() == [2]
    assert slots[0, 2].sum() == 0 and slots[0, :2].flatten(1).amax(1).tolist() == [255, 255]
    assert all(torch.equal(a, b) for a, b in zip(pred.digits.slots(), (slots, ndigits)))  # what it was shown
    assert [n for n, _ in pred.top] == [999, 998, 997]
    assert pred.number == 999 and pred.probability == pytest.approx(1000 / 500500)
    with pytest.raises(ValueError, match="top_k"):
        predict.predict(w.image, fake, top_k=0)


def test_predict_reads_page_like_numbers(classifier, written):
    right = 0
    for w in written:
        pred = predict.predict(w.image, classifier)
        assert len(pred.top) == 5 and pred.top[0] == (pred.number, pred.probability)
        probs = [p for _, p in pred.top]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-5
        right += pred.number == w.number
    assert right >= 0.9 * len(written)  # tools/check_predict.py measures it on 1000 pages


def test_every_kind_of_input_reads_the_same(classifier, written, tmp_path):
    w = written[0]
    path = tmp_path / "number.png"
    Image.fromarray(w.image).save(path)
    inputs = [
        w.image,
        255 - w.image,
        Image.fromarray(w.image).convert("RGB"),
        str(path),
        path,
        torch.from_numpy(w.image),
    ]
    assert len({predict.predict(x, classifier).number for x in inputs}) == 1


def test_bad_inputs_get_clear_errors(classifier, mnist_test, tmp_path):
    with pytest.raises(BlankImageError, match="blank"):
        predict.predict(np.full((100, 200), 250, np.uint8), classifier)
    images, labels = mnist_test
    digits = [images[int(np.flatnonzero(labels.numpy() == d)[0])].numpy() for d in (1, 2, 3, 4)]
    with pytest.raises(DigitizeError, match="(found|read) 4 digits"):  # a digit reader finds, a strip reader reads
        predict.predict(pages.write_number(digits, np.random.default_rng(1))[0], classifier)
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"not a png at all")
    with pytest.raises(DigitizeError, match="cannot read image file"):
        predict.predict(garbage, classifier)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lib.reading.predict", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_prints_tab_separated_readings_and_reports_bad_files(classifier, written, tmp_path):
    good = []
    for i, w in enumerate(written[:3]):
        good.append(tmp_path / f"page{i}.png")
        Image.fromarray(w.image).save(good[-1])
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)

    run = _cli(good[0], garbage, good[1], blank, good[2])
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(p) for p in good]  # the others still classified
    for line, path in zip(lines, good):
        name, number, prob = line.split("\t")
        assert re.fullmatch(r"\d{1,3}", number) and re.fullmatch(r"[01]\.\d{4}", prob)
        pred = predict.predict(path, classifier)
        assert int(number) == pred.number and float(prob) == pytest.approx(pred.probability, abs=1e-4)
    assert f"{garbage}: cannot read image file" in run.stderr and f"{blank}: the image is blank" in run.stderr

    run = _cli(good[0], "--top-k", 3)
    assert run.returncode == 0 and run.stderr == ""
    fields = run.stdout.strip().split("\t")
    top3 = predict.predict(good[0], classifier, 3).top
    assert len(fields) == 7 and [int(n) for n in fields[1::2]] == [n for n, _ in top3]


def test_cli_without_weights_says_so(tmp_path):
    run = _cli(tmp_path / "any.png", "--weights", tmp_path / "missing.pt")
    assert run.returncode == 2 and "missing.pt" in run.stderr and run.stdout == ""

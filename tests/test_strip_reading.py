"""People's images read by a strip reader (no segmentation), and the choice of the reading network on
validation pages. A strip reader trained for a few batches at profile smoke checks the plumbing, not accuracy."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from scipy import ndimage

from lib.data.preprocess import normalise
from lib.reading import choose, digitize, pages, predict, weights
from lib.study import experiment, heads
from lib.study.run_key import RunKey


@pytest.fixture(scope="module")
def strip_weights(tmp_path_factory):
    """A smoke-trained version 27 exported as weights.export writes committed weights (as if a cpu run)."""
    folder = tmp_path_factory.mktemp("strip")
    run = experiment.run(
        RunKey(27, "W"), "smoke", "cpu", precision="fp32", runs_dir=folder, record_dir=folder, progress="off"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(weights, "WEIGHTS_DIR", folder / "weights")
        written = weights.export(
            SimpleNamespace(metrics={**run.metrics, "profile": "cpu"}, model=run.model, key=run.key)
        )
    path = folder / "weights" / "v27_W.pt"
    assert written.startswith(str(path)) or path.name in written  # not best_W.pt: version 21 stays
    return path


@pytest.fixture(scope="module")
def written(mnist_test):
    return pages.sample(6, seed=8, rotate=8, kind="touching")


def test_a_number_becomes_one_mnist_like_strip(written, mnist_test):
    for w in written:
        s = digitize.number_strip(w.image)
        assert s.images.shape[0] == len(s.boxes) == 1
        image, box = s.images[0], s.boxes[0]
        assert image.dtype == np.uint8 and image.shape[0] == 28 and image.shape[1] >= 84
        rows = np.flatnonzero(image.max(1) > 64)
        assert rows[-1] - rows[0] + 1 <= digitize.MAX_INK_HEIGHT
        assert abs(ndimage.center_of_mass(image.astype(float))[0] - 14) <= 1.5
        cols = np.flatnonzero(image.max(0))
        assert cols[0] >= digitize.STRIP_MARGIN and cols[-1] < image.shape[1] - digitize.STRIP_MARGIN
        x0, y0, x1, y1 = box  # the number's ink: all its digits'
        tol = 0.15 * max(b1 - b0 for _, b0, _, b1 in w.boxes)  # faint rims fall below the ink threshold
        a0, b0 = min(b[0] for b in w.boxes), min(b[1] for b in w.boxes)
        a1, b1 = max(b[2] for b in w.boxes), max(b[3] for b in w.boxes)
        assert abs(x0 - a0) <= tol and abs(y0 - b0) <= tol and abs(x1 - a1) <= tol and abs(y1 - b1) <= tol
    (long,) = pages.sample(1, seed=1, numbers=[8130472])
    assert digitize.number_strip(long.image).images.shape[2] > 84  # wider for a longer number
    with pytest.raises(digitize.BlankImageError):
        digitize.number_strip(np.full((50, 80), 255, np.uint8))


class FakeStripReader:
    """Reads a fixed string; its probabilities rise with the number."""

    version, dataset, preprocessing, reads_strips = 27, "W", "native", True

    def __init__(self, string):
        self.string, self.shown = string, []

    def read_strips(self, strips):
        self.shown.append(strips)
        p = torch.arange(1000, dtype=torch.float32) + 1
        return (p / p.sum()).expand(len(strips), 1000), [self.string] * len(strips)


def test_a_strip_reader_reads_the_strip_and_refuses_a_fourth_digit(written):
    fake = FakeStripReader("41")
    pred = predict.predict(written[0].image, fake, top_k=2)
    (shown,) = fake.shown
    assert shown.dtype == torch.uint8 and shown.shape[:2] == (1, 28)
    assert np.array_equal(pred.digits.images, shown.numpy())
    assert [n for n, _ in pred.top] == [999, 998]
    with pytest.raises(digitize.DigitizeError, match="read 4 digits .1234.; a number 0-999 has at most 3"):
        predict.predict(written[0].image, FakeStripReader("1234"))


def test_a_strip_checkpoint_loads_and_reads_pages(strip_weights, written):
    clf = predict.load(strip_weights)
    assert (clf.version, clf.dataset, clf.head, clf.reads_strips) == (27, "W", "ctc", True)
    s = torch.from_numpy(digitize.number_strip(written[0].image).images)
    probs, strings = clf.read_strips(s)
    with torch.no_grad():
        logits = clf.model(normalise(s.float()[:, None]))
    assert torch.allclose(probs, heads.number_log_probs(logits, "ctc").exp(), atol=1e-6)
    assert strings == heads.decode_strings(logits) and probs.shape == (1, 1000)
    with pytest.raises(ValueError, match=r"uint8 \[B, 28, W\]"):
        clf.read_strips(torch.zeros(1, 32, 84))
    for w in written:
        if (
            len(
                heads.decode_strings(
                    clf.model(normalise(torch.from_numpy(digitize.number_strip(w.image).images).float()[:, None]))
                )[0]
            )
            > 3
        ):
            with pytest.raises(digitize.DigitizeError, match="at most 3"):
                predict.predict(w.image, clf)
        else:
            pred = predict.predict(w.image, clf, top_k=3)
            assert pred.digits.images.shape[:2] == (1, 28) and 0 <= pred.number <= 999 and len(pred.top) == 3
    digit_reader = predict.load(weights.path_for("W"))
    with pytest.raises(ValueError, match="reads digit slots"):
        digit_reader.read_strips(s)


def test_the_choice_takes_the_best_on_validation_pages_and_the_smaller_on_a_tie(strip_weights, monkeypatch):
    committed = weights.path_for("W")
    scores = {}
    monkeypatch.setattr(choose, "page_accuracies", lambda clf, written: scores[clf.version])
    scores.update({27: {"ordinary": 0.9, "touching": 0.9}, 21: {"ordinary": 0.99, "touching": 0.5}})
    chosen, rows = choose.choose([committed, strip_weights], {})
    assert chosen == strip_weights and [r["version"] for r in rows] == [21, 27]
    scores.update({27: {"ordinary": 0.5, "touching": 0.99}})  # a tie: the fewer parameters
    smaller = min(rows, key=lambda r: r["params"])["weights"]
    assert choose.choose([committed, strip_weights], {})[0].name == smaller
    with pytest.raises(ValueError, match="no candidate"):
        choose.choose([], {})


def test_choosing_writes_its_record_and_the_default_follows_it(strip_weights, tmp_path, monkeypatch):
    monkeypatch.setattr(weights, "WEIGHTS_DIR", strip_weights.parent)
    monkeypatch.setattr(weights, "CHOICE", tmp_path / "chosen.json")
    monkeypatch.setattr(pages, "sample", lambda count, seed, **style: [])
    monkeypatch.setattr(choose, "page_accuracies", lambda clf, written: {"ordinary": 0.25, "touching": 0.5})
    choice = choose.main(["--pages", "2"])
    assert json.loads((tmp_path / "chosen.json").read_text()) == choice
    assert choice["weights"] == "v27_W.pt" and choice["candidates"][0]["mean"] == pytest.approx(0.375)
    assert weights.default_weights() == strip_weights


def test_the_committed_choice_is_the_best_of_its_candidates():
    choice = json.loads(weights.CHOICE.read_text())
    rows = choice["candidates"]
    best = max(rows, key=lambda r: (r["mean"], -r["params"], -r["version"]))
    assert choice["weights"] == best["weights"] and (weights.WEIGHTS_DIR / best["weights"]).exists()
    assert weights.default_weights() == weights.WEIGHTS_DIR / choice["weights"]
    assert {r["weights"] for r in rows} == {p.name for p in weights.WEIGHTS_DIR.glob("*.pt")}


def test_page_accuracies_read_validation_pages(mnist_train):
    few = {k: pages.sample(3, kind=k, source="validation", rotate=choose.CHOICE_ROTATE) for k in pages.KINDS}
    assert [w.number for w in few["ordinary"]] == [w.number for w in few["touching"]]  # the same numbers, two ways
    assert choose.page_accuracies(predict.load(weights.path_for("W")), few)["ordinary"] == 1.0
    assert choose.page_accuracies(FakeStripReader("999"), few) == {"ordinary": 0.0, "touching": 0.0}
    assert choose.page_accuracies(FakeStripReader("9999"), few) == {"ordinary": 0.0, "touching": 0.0}  # unreadable

"""The strip reader (versions 27 and 28): its ctc head, its network, the layouts it trains on, the `curved` test
variant, numbers longer than 3 digits, and a smoke run of each version end to end."""

import itertools
import json
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from lib.data import augment, layouts, testsets
from lib.data.numbers import DigitBank, NumberGenerator
from lib.study import evaluate, experiment, heads, models, strips, versions
from lib.study.run_key import RunKey

B = heads.BLANK


def columns(*rows, length=None):
    """Logits [len(rows), T, 11] whose greedy path is each row's classes (B = blank), padded with blanks."""
    t = length or max(len(r) for r in rows)
    logits = torch.full((len(rows), t, 11), -5.0)
    for i, row in enumerate(rows):
        for j, c in enumerate(list(row) + [B] * (t - len(row))):
            logits[i, j, c] = 5.0
    return logits


def test_greedy_decoding_collapses_repeats_drops_blanks_and_refuses_what_is_no_number():
    logits = columns(
        [3, 3, B, 0, 0, 5],  # 305
        [7, 7, 7],  # 7
        [1, B, 1],  # 11: a blank separates a doubled digit
        [1, 1],  # 1: repeats without a blank are one digit
        [0],  # 0 is a number
        [0, B, 5],  # "05": a leading zero
        [B, B],  # nothing read
        [1, 2, 3, 4],  # 4 digits
        [9, B, 9, 8, 7, B, 7],  # 5 digits
    )
    assert heads.greedy_numbers(logits).tolist() == [305, 7, 11, 1, 0, -1, -1, -1, -1]
    assert heads.predicted_numbers(logits, "ctc").tolist() == [305, 7, 11, 1, 0, -1, -1, -1, -1]
    assert heads.decode_strings(logits) == ["305", "7", "11", "1", "0", "05", "", "1234", "99877"]


def test_ctc_loss_is_torchs_per_number():
    torch.manual_seed(0)
    logits = torch.randn(5, 21, 11) * 2
    labels = torch.tensor([0, 7, 44, 305, 999])
    lengths = heads.ndigits_of(labels)
    targets = torch.cat([torch.tensor([int(c) for c in str(n)]) for n in labels.tolist()])
    manual = F.ctc_loss(
        logits.log_softmax(2).transpose(0, 1), targets, torch.full((5,), 21), lengths, blank=B, reduction="none"
    )
    assert torch.allclose(heads.ctc_losses(logits, labels), manual)
    assert torch.isclose(heads.loss(logits, labels, "ctc"), manual.mean())
    assert (heads.ctc_number_log_probs(logits).exp().sum(1) <= 1 + 1e-5).all()
    with pytest.raises(ValueError, match="no label smoothing"):
        heads.loss(logits, labels, "ctc", label_smoothing=0.1)


def test_every_numbers_probability_sums_its_alignments():
    """Against brute force over all 11^4 paths of 4 columns: a number's probability is the sum over the paths that
    collapse to it (repeats merged, blanks dropped); one that needs more columns (111 needs 5) is impossible."""
    torch.manual_seed(1)
    logits = torch.randn(1, 4, 11)
    p = logits[0].double().softmax(1)
    by_number = torch.zeros(1000, dtype=torch.float64)
    for path in itertools.product(range(11), repeat=4):
        digits = [c for i, c in enumerate(path) if c != B and (i == 0 or c != path[i - 1])]
        if digits and len(digits) <= 3 and (digits[0] != 0 or len(digits) == 1):
            by_number[int("".join(map(str, digits)))] += torch.prod(p[range(4), list(path)])
    found = heads.ctc_number_log_probs(logits)[0].double().exp()
    assert torch.allclose(found, by_number, atol=1e-6) and found[111] == 0 and found[305] > 0


def test_every_numbers_probability_is_torchs_ctc_over_a_strips_columns():
    """The prefix-tree forward pass against torch's CTC, number by number, on 21 columns of peaked and flat odds."""
    torch.manual_seed(2)
    logits = torch.randn(3, 21, 11) * torch.tensor([1.0, 4.0, 12.0])[:, None, None]
    numbers = torch.arange(1000)
    lengths = heads.ndigits_of(numbers)
    targets = heads.digits_of(numbers, lengths).clamp(min=0)
    for row, found in zip(logits, heads.ctc_number_log_probs(logits)):
        log_probs = row.double().log_softmax(1)[:, None].expand(-1, 1000, -1)
        torchs = -F.ctc_loss(log_probs, targets, torch.full((1000,), 21), lengths, blank=B, reduction="none")
        close = torchs > -600  # far below that both are 0 in probability; the tree's may reach -inf first
        assert torch.allclose(found[close].double(), torchs[close], rtol=1e-5, atol=1e-4)
        assert found.argmax() == torchs.argmax()


def test_reading_a_batch_gives_prediction_confidence_and_the_true_numbers_loss():
    logits = columns([4, B, 2], [0, 5], [1, 2, 3, 4], length=8)
    assert heads.read(logits[1:], torch.tensor([5, 123]), "ctc")[0].tolist() == [-1, -1]  # none valid
    pred, conf, loss = heads.read(logits, torch.tensor([42, 5, 123]), "ctc")
    assert pred.tolist() == [42, -1, -1]
    assert conf[0] > 0.9 and conf[1] > 0.9 and conf[2] > 0.9  # sure of 42, and sure 05 and 1234 are no number
    assert loss[0] < 0.1 and loss[1] > 5 and loss[2] > 5
    assert heads.ctc_number_log_probs(logits).argmax(1)[0] == 42
    best, conf, same_loss = heads.read(logits, torch.tensor([42, 5, 123]), "ctc", "best number")
    assert best[0] == 42 and (best >= 0).all() and torch.equal(same_loss, loss)  # always some number 0-999
    assert torch.allclose(conf, heads.ctc_number_log_probs(logits).exp().amax(1))
    with pytest.raises(ValueError, match="decoding"):
        heads.read(logits, torch.tensor([42, 5, 123]), "ctc", "beam")


def test_no_number_is_wrong_at_every_place_and_in_length():
    labels, preds = torch.tensor([999, 5]), torch.tensor([-1, 5])
    metrics = evaluate.summarize(labels, preds, torch.zeros(2))
    assert metrics["digit_error_hundreds"] == 1.0 and metrics["length_error"] == 0.5 and metrics["test_acc"] == 0.5


def test_the_strip_reader_reads_any_width_with_under_a_million_parameters():
    model = models.build(27, "W").eval()
    assert models.count_params(model) == 157_419 <= 1_000_000
    with torch.no_grad():
        assert model(torch.randn(2, 1, 28, 84)).shape == (2, 21, 11)
        assert model(torch.randn(2, 1, 28, 140)).shape == (2, 35, 11)
    assert models.count_params(models.build(28, "W")) == 157_419
    recurrent = models.build(29, "W").eval()  # the columns read through a bidirectional LSTM: still any width
    assert models.count_params(recurrent) == 561_899 <= 1_000_000
    with torch.no_grad():
        assert recurrent(torch.randn(2, 1, 28, 140)).shape == (2, 35, 11)
    with pytest.raises(ValueError, match="use dataset 'W'"):
        models.build(27, "C")


def test_the_new_versions_change_what_their_rows_say():
    v21, v27, v28 = (versions.get(v) for v in (21, 27, 28))
    assert (v27.parent, v27.datasets, v27.head, v27.encoder) == (21, ("W",), "ctc", "strip")
    same = ("digit_probs", "augment_digits", "augment_layout", "optimizer", "lr", "schedule", "epochs", "batch_size")
    assert all(getattr(v27, f) == getattr(v21, f) for f in same)  # version 21's training distribution and recipe
    assert v28.parent == 27 and v28.augment_spacing == (-3, 12, 4, 0.15) and v28.augment_layout == ()
    assert versions.why(27) and "probe" in versions.why(28)
    v29 = versions.get(29)
    assert (v29.parent, v29.recurrent, v29.augment_spacing) == (28, 96, v28.augment_spacing) and not v28.recurrent
    with pytest.raises(ValueError, match="go together"):
        replace(v21, version=99, head="ctc")


@pytest.fixture(scope="module")
def numbers(mnist_test):
    return NumberGenerator(DigitBank(*mnist_test), (0.2, 0.3, 0.5), 0).batch(3000)


def test_written_layouts_keep_ink_inside_and_range_from_overlap_to_wide_gaps(numbers):
    g = torch.Generator().manual_seed(1)
    draws = augment.spacing_draws(len(numbers), -3, 12, 4, 0.15, g, "cpu")
    raw, boxes = layouts.get("W").spaced(numbers.slots, numbers.ndigits, *draws)
    present = torch.arange(3)[None, :] < numbers.ndigits[:, None]
    x0, y0, x1, y1 = boxes[present].unbind(1)
    assert x0.min() >= layouts.BORDER and x1.max() <= 84 - layouts.BORDER
    assert y0.min() >= layouts.BORDER and y1.max() <= 28 - layouts.BORDER
    gaps = (boxes[:, 1:, 0] - boxes[:, :-1, 2])[present[:, 1:]]
    assert gaps.min() < -2 and gaps.max() > 10  # overlapping ink and wide spacing both occur
    # every digit's ink lands inside: drawn on a canvas 8 px larger on each side, nothing falls outside the strip
    left, right = layouts.ink_extent(numbers.slots, 2)
    top, _ = layouts.ink_extent(numbers.slots, 3)
    scale = (boxes[..., 2] - boxes[..., 0]) / (right - left + 1).clamp(min=1)
    wide = layouts.draw_boxes(
        numbers.slots, left.float(), top.float(), boxes[..., 0] + 8, boxes[..., 1] + 8, scale.clamp(min=0.1), 44, 100
    )
    wide = (wide * present[..., None, None]).amax(1)
    inside = torch.zeros(44, 100, dtype=torch.bool)
    inside[8:36, 8:92] = True
    assert wide[:, ~inside].max() <= 32 and (raw > 0).any()
    # the augmentation draws them from the version's row
    assert augment.augment(numbers, "W", g, versions.get(28)).shape == (len(numbers), 28, 84)


def test_mixed_layouts_draw_each_number_as_written_or_in_its_slot(numbers):
    """Version 30: every number is version 28's written layout or version 27's slot layout of the same digits."""
    v27, v28, v30 = (versions.get(v) for v in (27, 28, 30))
    assert (v30.parent, v30.augment_spacing, v30.augment_layout) == (28, v28.augment_spacing, v27.augment_layout)
    g = torch.Generator().manual_seed(2)
    mixed = augment.augment(numbers, "W", g, v30)
    g, w = torch.Generator().manual_seed(2), layouts.get("W")  # the same draws, one step at a time
    slots = augment.augment_digit_images(numbers.slots, g, v30)
    written = w.spaced(slots, numbers.ndigits, *augment.spacing_draws(len(numbers), *v28.augment_spacing, g, "cpu"))[0]
    placed = w.place(slots, *augment.random_shifts(len(numbers), *v27.augment_layout, g, "cpu"))
    as_written = (mixed == written).flatten(1).all(1)
    assert (as_written | (mixed == placed).flatten(1).all(1)).all()
    assert 0.4 < as_written.float().mean() < 0.6
    with pytest.raises(ValueError, match="written_share"):
        replace(v28, version=99, written_share=0.5)  # a share needs augment_layout for the rest
    with pytest.raises(ValueError, match="written_share"):
        replace(v27, version=99, written_share=0.5)  # and augment_spacing for its written part


def test_the_curved_variant_is_deterministic_differs_from_clean_and_keeps_ink(numbers):
    curved = testsets.VARIANTS["curved"]
    for dataset in ("W", "C"):
        one = curved.draw(numbers, dataset, torch.Generator().manual_seed(5))
        two = curved.draw(numbers, dataset, torch.Generator().manual_seed(5))
        clean = numbers.raw(dataset)
        assert torch.equal(one, two) and not torch.equal(one, clean)
        assert (one > 127).sum() > 1.3 * (clean > 127).sum()  # strokes 2 px thicker
    assert curved.manifest()["thicken"] == 2 and "curved" in experiment.VARIANTS


def test_longer_strips_are_test_digits_side_by_side():
    raw, truth = strips.strips(5, 20)
    assert raw.shape == (20, 28, 140) and all(len(t) == 5 and t[0] != "0" for t in truth)
    raw3, _ = strips.strips(3, 4)
    assert raw3.shape == (4, 28, 84)


@pytest.mark.parametrize("version", [27, 28])
def test_a_smoke_run_of_the_strip_reader_is_scored_on_every_variant(version, tmp_path):
    dirs = {"record_dir": tmp_path / "record", "runs_dir": tmp_path / "state"}
    result = experiment.run(RunKey(version, "W"), "smoke", "cpu", precision="fp32", progress="off", **dirs)
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["params"] == 157_419
    for variant in experiment.VARIANTS:
        assert 0 <= metrics[f"{variant}_test_acc"] <= 1 and f"{variant}_acc_3digit" in metrics
    assert "curved" in json.loads((result.run_dir / "errors.json").read_text())
    # the test sets are read with the decoding that read more validation numbers (greedy on a tie)
    by_decoding = (metrics["val_acc_greedy"], metrics["val_acc_best_number"])
    assert metrics["decoding"] == heads.DECODINGS[by_decoding[1] > by_decoding[0]]
    assert metrics["val_acc"] == max(by_decoding)
    lengths = strips.by_length(result.model, count=20)
    assert list(lengths.index) == [1, 2, 3, 4, 5] and lengths["accuracy"].between(0, 1).all()
    if version == 27:  # the held-out split trains too
        held = experiment.run(
            RunKey(27, "W", split="heldout"), "smoke", "cpu", precision="fp32", progress="off", **dirs
        )
        assert held.metrics["split"] == "heldout" and held.metrics["acc_heldout"] is not None

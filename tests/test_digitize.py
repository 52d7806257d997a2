"""Preparing drawn or scanned numbers as MNIST was prepared: ink, digits, 20x20 fit, centre of mass."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from lib.reading import pages
from lib.reading.digitize import BlankImageError, DigitizeError, digitize, strip


@pytest.fixture(scope="module")
def written(mnist_test):
    return pages.sample(60, seed=11, rotate=6)


def _same_digit(found, true) -> bool:
    """The found box (of the ink above threshold) lies in the written digit's box and covers most of it."""
    inside = all(f >= t - 2 for f, t in zip(found[:2], true[:2])) and all(
        f <= t + 2 for f, t in zip(found[2:], true[2:])
    )
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    return inside and area(found) > 0.5 * area(true)


def test_digits_found_in_reading_order(written):
    right = 0
    for w in written:
        d = digitize(w.image)
        if len(d) == len(str(w.number)):
            right += 1
            assert all(_same_digit(found, true) for found, true in zip(d.boxes, w.boxes))  # same digits, same order
    assert right >= 59  # a broken stroke may rarely count as a digit of its own


def test_fitted_digits_are_like_mnist(written):
    for w in written[:20]:
        for img in digitize(w.image).images:
            assert img.dtype == np.uint8 and img.shape == (28, 28) and img.max() == 255
            ys, xs = np.nonzero(img)
            assert max(ys.max() - ys.min(), xs.max() - xs.min()) + 1 in (20, 21)  # the longer side fits 20 px
            assert ys.max() - ys.min() < 21 and xs.max() - xs.min() < 21
            m = img.astype(float)
            cy = (m.sum(1) * np.arange(28)).sum() / m.sum()
            cx = (m.sum(0) * np.arange(28)).sum() / m.sum()
            assert abs(cy - 14) < 0.75 and abs(cx - 14) < 0.75  # where MNIST's centres of mass are


def test_an_mnist_digit_comes_back_as_it_was(mnist_test):
    images = mnist_test[0][:200].numpy()
    corr = [np.corrcoef(digitize(img).images[0].ravel(), img.ravel())[0, 1] for img in images]
    assert np.median(corr) > 0.999 and np.percentile(corr, 5) > 0.98


def test_off_centre_and_size_do_not_matter(mnist_test):
    images, labels = mnist_test
    digits = [images[int(np.flatnonzero(labels.numpy() == d)[5])].numpy() for d in (3, 7)]
    page, _ = pages.write_number(digits, np.random.default_rng(0), noise=0)
    paper = np.bincount(page.ravel()).argmax()
    reference = digitize(page).images
    for top, left in [(0, 0), (300, 10), (40, 500)]:  # the same writing anywhere on a bigger page
        bigger = np.full((page.shape[0] + 320, page.shape[1] + 520), paper, np.uint8)
        bigger[top : top + page.shape[0], left : left + page.shape[1]] = page
        assert np.array_equal(digitize(bigger).images, reference)
    for scale in (0.5, 2.0):  # smaller or larger writing: the same digits up to resampling
        img = Image.fromarray(page)
        resized = digitize(img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.BILINEAR))
        assert len(resized) == 2
        assert np.abs(resized.images.astype(int) - reference).mean() < 12


def test_a_large_photo_is_shrunk_first_and_boxes_stay_in_its_pixels(written):
    w = next(w for w in written if len(str(w.number)) == 3)
    k = int(np.ceil((4_500_000 / w.image.size) ** 0.5))  # above MAX_PIXELS
    big = np.kron(w.image, np.ones((k, k), np.uint8))
    d, small = digitize(big), digitize(w.image)
    assert len(d) == 3
    for (a0, b0, a1, _), (c0, e0, c1, _) in zip(d.boxes, small.boxes):
        assert abs(a0 - k * c0) <= 2 * k and abs(a1 - k * c1) <= 2 * k and abs(b0 - k * e0) <= 2 * k


def test_polarity_colour_and_input_types(written, tmp_path):
    w = next(w for w in written if len(str(w.number)) == 3)
    reference = digitize(w.image).images
    inverted = digitize(255 - w.image)  # light ink on a dark page
    rgb = np.stack([w.image, (w.image * 0.9).astype(np.uint8), w.image], axis=-1)  # ink with a tint
    rgba = np.zeros(w.image.shape + (4,), np.uint8)
    rgba[..., 3] = 255 - w.image  # dark ink on a transparent page, as a canvas exports it
    path = tmp_path / "page.png"
    Image.fromarray(w.image).save(path)
    same = [
        inverted,
        digitize(rgb),
        digitize(rgba),
        digitize(Image.fromarray(rgb)),
        digitize(str(path)),
        digitize(path),
        digitize(torch.from_numpy(w.image)[None].float() / 255),
        digitize(w.image / 255.0),
    ]
    for d in same:
        assert len(d) == 3
        assert np.abs(d.images.astype(int) - reference).max() <= 40  # grey levels may differ slightly
        assert np.abs(d.images.astype(int) - reference).mean() < 2


def _drawing(strokes, size=(300, 160), width=10):
    """Black strokes on white: each stroke a list of points."""
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    for s in strokes:
        draw.line(s, fill=0, width=width, joint="curve")
    return img


def test_pieces_of_one_digit_are_merged_and_specks_dropped():
    four = [[(60, 30), (40, 90), (95, 90)], [(85, 40), (85, 130)]]  # a 4 in two strokes that do not touch
    five = [[(160, 22), (215, 22)], [(160, 60), (155, 90), (200, 95), (205, 120), (160, 130)]]  # 5, flag far off
    d = digitize(_drawing(four + five))
    assert len(d) == 2
    assert d.boxes[0][0] < 50 and d.boxes[1][0] > 140
    speck = _drawing(four + five)
    ImageDraw.Draw(speck).ellipse((270, 140, 273, 143), fill=0)  # a speck of dirt
    assert np.array_equal(digitize(speck).images, d.images)


def test_hairlines_are_widened_to_mnist_strokes(mnist_test):
    one_seven = [[(110, 40), (100, 340)], [(200, 45), (400, 45), (270, 340)]]  # 300 px tall, a 2 px pen
    d = digitize(_drawing(one_seven, size=(600, 400), width=2))
    assert len(d) == 2
    images, labels = mnist_test[0].numpy(), mnist_test[1].numpy()
    for img, digit in zip(d.images, (1, 7)):
        assert img.sum() > 0.5 * images[labels == digit].sum((1, 2)).mean()  # not a faint hairline
    thick = digitize(_drawing(one_seven, size=(600, 400), width=40)).images  # already MNIST-like: left as is
    assert np.abs(thick.astype(int) - d.images).mean() < 40


def test_strip_is_what_the_network_sees(written):
    d = digitize(written[0].image)
    s = strip(d.images)
    assert s.shape == (28, 28 * len(d) + len(d) - 1)
    slots, ndigits = d.slots()
    assert slots.shape == (1, 3, 28, 28) and slots.dtype == torch.uint8 and ndigits.tolist() == [len(d)]
    assert torch.equal(slots[0, : len(d)], torch.from_numpy(d.images)) and slots[0, len(d) :].sum() == 0


def test_blank_images_are_refused():
    rng = np.random.default_rng(0)
    paper = (240 + rng.normal(0, 2, (200, 300))).clip(0, 255).astype(np.uint8)
    for blank in (paper, np.zeros((50, 50), np.uint8), np.full((28, 28), 255, np.uint8), Image.new("RGBA", (64, 64))):
        with pytest.raises(BlankImageError, match="blank"):
            digitize(blank)


def test_more_than_three_digits_are_refused(mnist_test):
    images, labels = mnist_test
    digits = [images[int(np.flatnonzero(labels.numpy() == d)[0])].numpy() for d in (1, 2, 3, 4)]
    page, _ = pages.write_number(digits, np.random.default_rng(0))
    with pytest.raises(DigitizeError, match="found 4 digits"):
        digitize(page)
    assert len(digitize(page, max_digits=4)) == 4


def test_unreadable_inputs_are_refused(tmp_path):
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    for bad, message in [
        (garbage, "cannot read image file"),
        (tmp_path / "missing.png", "cannot read image file"),
        (np.zeros((5, 5, 7)), r"cannot read a ndarray of float64 \(5, 5, 7\)"),
        (np.array([[np.nan]]), "NaN"),
        (42, "cannot read a int"),
    ]:
        with pytest.raises(DigitizeError, match=message):
            digitize(bad)

"""The drawing widget's Python side: a drawing in, the prepared input and the top 5 out.

tests/browser/test_draw_notebook.py drives the whole thing in a real browser.
"""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from lib.reading import draw_widget, pages, predict, weights


@pytest.fixture(scope="module")
def widget():
    return draw_widget.DrawWidget(predict.default_classifier())


@pytest.mark.parametrize("reader", ["best_W.pt", "v28_W.pt"], ids=["digit reader", "strip reader"])
def test_a_drawing_is_read(reader, mnist_test):
    """A digit reader shows the two digits it found, side by side; a strip reader the one strip it read."""
    classifier = predict.default_classifier(weights.WEIGHTS_DIR / reader)
    widget = draw_widget.DrawWidget(classifier)
    w = pages.sample(1, seed=4, numbers=[47])[0]
    widget.drawing = draw_widget.to_data_url(w.image)
    assert widget.message == ""
    assert len(widget.top) == 5 and widget.top[0]["number"] == predict.predict(w.image, classifier).number == 47
    prepared = draw_widget.from_data_url(widget.prepared)
    if classifier.reads_strips:
        assert len(widget.boxes) == 1 and prepared.size == (84, 28)
    else:
        assert len(widget.boxes) == 2 and widget.boxes[0][0] < widget.boxes[1][0] and prepared.size == (57, 28)


def test_clear_and_blank_show_the_hint_and_junk_a_message(widget):
    widget.drawing = draw_widget.to_data_url(np.full((60, 90), 255, np.uint8))
    assert widget.top == [] and widget.prepared == "" and widget.message == draw_widget.HINT
    widget.drawing = "data:image/png;base64," + base64.b64encode(b"junk").decode()
    assert widget.top == [] and widget.message.startswith("Cannot read this")
    widget.drawing = ""
    assert widget.top == [] and widget.boxes == [] and widget.message == draw_widget.HINT


def test_data_urls_round_trip():
    img = (np.arange(12, dtype=np.uint8) * 20).reshape(3, 4)
    assert np.array_equal(np.asarray(draw_widget.from_data_url(draw_widget.to_data_url(img))), img)
    buf = io.BytesIO()
    Image.new("RGBA", (5, 5)).save(buf, format="PNG")  # what canvas.toDataURL gives
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    assert draw_widget.from_data_url(url).mode == "RGBA"
    with pytest.raises(draw_widget.DigitizeError, match="not an image data URL"):
        draw_widget.from_data_url("hello")

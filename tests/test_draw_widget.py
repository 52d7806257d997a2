"""The drawing widget's Python side: a drawing in, the prepared input and the top 5 out.

tests/browser/test_draw_notebook.py drives the whole thing in a real browser.
"""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from lib.reading import draw_widget, pages, predict


@pytest.fixture(scope="module")
def widget():
    return draw_widget.DrawWidget(predict.default_classifier())


def test_a_drawing_is_read(widget, mnist_test):
    w = pages.sample(1, seed=4, numbers=[47])[0]
    widget.drawing = draw_widget.to_data_url(w.image)
    assert widget.message == ""
    assert len(widget.top) == 5 and widget.top[0]["number"] == predict.predict(w.image).number
    assert len(widget.boxes) == 2 and widget.boxes[0][0] < widget.boxes[1][0]
    prepared = draw_widget.from_data_url(widget.prepared)
    assert prepared.size == (28 * 2 + 1, 28)


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

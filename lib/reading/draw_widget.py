"""A canvas to draw a number on in JupyterLab, read live by the network as the pen moves (an anywidget)."""

import base64
import io
from pathlib import Path

import anywidget
import numpy as np
import traitlets
from PIL import Image

from .digitize import BlankImageError, DigitizeError, strip
from .predict import predict

HINT = "Draw a number from 0 to 999 with the mouse."


def to_data_url(image: np.ndarray) -> str:
    """uint8 [H, W] grey image -> PNG data URL."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def from_data_url(url: str) -> Image.Image:
    """An image data URL -> PIL image; DigitizeError when it is not one."""
    head, _, data = url.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        raise DigitizeError(f"not an image data URL: {url[:40]!r}")
    try:
        img = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
        img.load()
    except (ValueError, OSError) as e:
        raise DigitizeError(f"the drawing could not be decoded: {e}") from e
    return img


class DrawWidget(anywidget.AnyWidget):
    """Draw, clear, and see the prepared input and the top 5 numbers with their probabilities."""

    _esm = Path(__file__).parent / "draw_widget.js"
    _css = Path(__file__).parent / "draw_widget.css"
    width = traitlets.Int(480).tag(sync=True)  # canvas size in pixels
    height = traitlets.Int(240).tag(sync=True)
    brush = traitlets.Int(18).tag(sync=True)  # pen width: about MNIST's stroke width for digits half the canvas tall
    drawing = traitlets.Unicode("").tag(sync=True)  # from the browser: the canvas as a PNG data URL, "" when cleared
    prepared = traitlets.Unicode("").tag(sync=True)  # to the browser: the network's input as a PNG data URL
    boxes = traitlets.List([]).tag(sync=True)  # [[x0, y0, x1, y1], ...] of what was found on the canvas
    top = traitlets.List([]).tag(sync=True)  # [{"number": n, "probability": p}, ...], most probable first
    message = traitlets.Unicode(HINT).tag(sync=True)

    def __init__(self, classifier=None, top_k: int = 5, **kwargs):
        super().__init__(**kwargs)
        self._classifier, self._top_k = classifier, top_k
        self.observe(lambda change: self.read(change["new"]), names="drawing")

    def read(self, url: str):
        """Read a drawing (a data URL; "" is a cleared canvas) and publish what was seen, in one update."""
        state = {"prepared": "", "boxes": [], "top": [], "message": HINT}
        if url:
            try:
                pred = predict(from_data_url(url), self._classifier, self._top_k)
                state = {
                    "prepared": to_data_url(strip(pred.digits.images)),
                    "boxes": [list(b) for b in pred.digits.boxes],
                    "top": [{"number": n, "probability": p} for n, p in pred.top],
                    "message": "",
                }
            except BlankImageError:
                pass
            except DigitizeError as e:
                state["message"] = f"Cannot read this: {e}."
            except Exception as e:  # noqa: BLE001 - a callback's traceback would go unseen: show it
                state["message"] = f"Error: {type(e).__name__}: {e}"
        with self.hold_sync():  # one message to the browser, so the display never shows a half update
            for name, value in state.items():
                setattr(self, name, value)

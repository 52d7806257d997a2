"""Read the number in an image: digitize it as MNIST was prepared, then ask the chosen committed network.

    python -m lib.reading.predict IMAGE... [--weights PATH] [--top-k K]

The network is the one that reads best on page-like validation images (res/weights/chosen.json, written by
`python -m lib.reading.choose`). A digit reader is shown the digits found by segmentation; a strip
reader the whole number as one strip (no segmentation, so touching digits are read as written).

prints `path<TAB>number<TAB>probability` per image (with K > 1, the next K-1 readings follow as
further number/probability columns). An image that cannot be read or classified gets a message on
stderr and the exit status becomes 1; the other images are still classified. Missing or unreadable
weights: exit status 2, nothing classified.
"""

import argparse
import sys
from dataclasses import dataclass
from functools import cache

import torch

from ..infra.checkpoint import CheckpointError
from . import inference
from .digitize import MAX_DIGITS, DigitizeError, Digits, Strip, digitize, number_strip


@dataclass
class Prediction:
    number: int  # the most probable reading
    probability: float
    top: list  # [(number, probability), ...], most probable first
    digits: Digits | Strip  # what the network was shown (digits, or one strip), and where it was found

    def _slots(self) -> tuple:
        if isinstance(self.digits, Strip):
            raise ValueError("a strip reader is shown the whole strip, not digit slots: see .digits.image")
        return self.digits.slots()

    @property
    def slots(self) -> torch.Tensor:
        """uint8 [1, 3, 28, 28]: the network's input, as given to Classifier.number_probs."""
        return self._slots()[0]

    @property
    def ndigits(self) -> torch.Tensor:
        """int64 [1]: how many digits were found."""
        return self._slots()[1]


@cache
def _load(path, device):
    return inference.load(path, device=device)


def default_classifier(weights=None, device="cpu"):
    """The classifier for `weights` (None: the chosen committed network), loaded once per process."""
    return _load(None if weights is None else str(weights), device)


def predict(image, classifier=None, top_k: int = 5) -> Prediction:
    """The number in `image` (path, PIL image, array or tensor) and its `top_k` readings.

    Raises DigitizeError when the image is unreadable, blank or holds more than three digits.
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    clf = default_classifier() if classifier is None else classifier
    if getattr(clf, "reads_strips", False):
        digits = number_strip(image)
        with torch.no_grad():
            probs, (read,) = clf.read_strips(torch.from_numpy(digits.image)[None])
        if len(read) > MAX_DIGITS:
            raise DigitizeError(f"read {len(read)} digits ({read}); a number 0-999 has at most {MAX_DIGITS}")
        probs = probs[0].float().cpu()
    else:
        digits = digitize(image)
        slots, ndigits = digits.slots()
        with torch.no_grad():
            probs = clf.number_probs(slots, ndigits)[0].float().cpu()
    p, n = probs.topk(min(top_k, probs.numel()))
    top = [(int(a), float(b)) for a, b in zip(n, p)]
    return Prediction(top[0][0], top[0][1], top, digits)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lib.reading.predict", description="Read handwritten numbers 0-999 in image files."
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    parser.add_argument("--weights", help="a checkpoint (default: the chosen committed network)")
    parser.add_argument(
        "--top-k", type=int, default=1, metavar="K", help="print the K most probable numbers (default 1)"
    )
    args = parser.parse_args(argv)
    if args.top_k < 1:
        parser.error("--top-k must be at least 1")
    try:
        clf = default_classifier(args.weights)
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = 0
    for path in args.images:
        try:
            pred = predict(path, clf, args.top_k)
        except DigitizeError as e:
            print(f"{path}: {e}", file=sys.stderr)
            failed += 1
            continue
        print("\t".join([path] + [f"{n}\t{p:.4f}" for n, p in pred.top]), flush=True)
    if failed:
        print(f"{failed} of {len(args.images)} images could not be classified", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

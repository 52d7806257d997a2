"""Read the number in an image with the network chosen on validation pages (res/weights/chosen.json).

    python -m lib.reading.predict IMAGE... [--weights PATH] [--top-k K]

Prints `path<TAB>number<TAB>probability` per image, then the next K-1 readings. An image that cannot be read gets a
message on stderr and exit status 1, the others are still read; missing or unreadable weights: exit status 2.
"""

import argparse
import sys
from dataclasses import dataclass
from functools import cache

import torch

from ..infra.checkpoint import CheckpointError
from . import inference
from .digitize import MAX_DIGITS, DigitizeError, Digits, digitize, number_strip

default_classifier = cache(inference.load)  # the chosen committed network (or `path`), loaded once per process


@dataclass
class Prediction:
    number: int  # the most probable reading
    probability: float
    top: list  # [(number, probability), ...], most probable first
    digits: Digits  # what the network was shown (digits, or one strip), and where it was found


def predict(image, classifier=None, top_k: int = 5) -> Prediction:
    """The number in `image` (path, PIL image, array or tensor) and its `top_k` readings: a digit reader is shown
    the digits found by segmentation, a strip reader the whole number as one strip (touching digits as written).
    Raises DigitizeError when the image is unreadable, blank or holds more than three digits."""
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    clf = default_classifier() if classifier is None else classifier
    if getattr(clf, "reads_strips", False):
        digits = number_strip(image)
        probs, (read,) = clf.read_strips(torch.from_numpy(digits.images))
        if len(read) > MAX_DIGITS:
            raise DigitizeError(f"read {len(read)} digits ({read}); a number 0-999 has at most {MAX_DIGITS}")
    else:
        digits = digitize(image)
        probs = clf.number_probs(*digits.slots())
    p, n = probs[0].float().cpu().topk(min(top_k, probs.shape[-1]))
    top = [(int(a), float(b)) for a, b in zip(n, p)]
    return Prediction(top[0][0], top[0][1], top, digits)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lib.reading.predict", description="Read handwritten numbers 0-999 in image files."
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    parser.add_argument("--weights", help="a checkpoint (default: the chosen committed network)")
    parser.add_argument("--top-k", type=int, default=1, metavar="K", help="print the K most probable numbers")
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

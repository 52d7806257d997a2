"""Read the number in an image with the network chosen on validation pages (res/weights/chosen.json)."""

import argparse
import sys
from dataclasses import dataclass
from functools import cache

import torch

from ..data import layouts
from ..data.preprocess import normalise, prepare
from ..infra import checkpoint
from ..study import heads, models
from ..study.versions import get
from .digitize import MAX_DIGITS, DigitizeError, Digits, digitize, number_strip
from .weights import default_weights


class Classifier:
    """A trained network that reads as training did: composed as W or C, its version's preprocessing and head."""

    def __init__(self, model: torch.nn.Module, meta: dict, device="cpu"):
        self.model, self.meta, self.device = model.eval(), meta, torch.device(device)
        self.version, self.dataset, self.preprocessing = meta["version"], meta["dataset"], meta["preprocessing"]
        self.head = get(self.version).head
        self.reads_strips = get(self.version).encoder == "strip"  # a whole strip, no segmentation

    @torch.inference_mode()
    def number_probs(self, slots: torch.Tensor, ndigits: torch.Tensor) -> torch.Tensor:
        """slots uint8 [B,3,28,28] in reading order (empty slots zero), ndigits [B] -> [B,1000] probabilities."""
        if slots.dtype != torch.uint8 or slots.dim() != 4 or tuple(slots.shape[1:]) != (3, 28, 28):
            raise ValueError(f"slots must be uint8 [B, 3, 28, 28], got {slots.dtype} {tuple(slots.shape)}")
        slots, ndigits = slots.to(self.device), torch.as_tensor(ndigits, device=self.device).long()
        x = prepare(layouts.get(self.dataset).compose(slots), ndigits, self.dataset, self.preprocessing)
        return heads.number_log_probs(self.model(x), self.head).exp()

    @torch.inference_mode()
    def read_strips(self, strips: torch.Tensor) -> tuple:
        """strips uint8 [B, 28, W] -> ([B, 1000] probabilities, greedy readings as digit strings of any length)."""
        if not self.reads_strips or strips.dtype != torch.uint8 or strips.dim() != 3 or strips.shape[1] != 28:
            reads = f"version {self.version} reads {'strips' if self.reads_strips else 'digit slots'}"
            raise ValueError(f"read_strips takes uint8 [B, 28, W] strips: {reads}, got {strips.dtype} {strips.shape}")
        logits = self.model(normalise(strips.to(self.device).float().unsqueeze(1)))
        return heads.number_log_probs(logits, "ctc").exp(), heads.decode_strings(logits)


def load(path=None, device="cpu") -> Classifier:
    """The network saved at `path` (default: the chosen weights) with its version, dataset and preprocessing."""
    path = default_weights() if path is None else path
    meta = checkpoint.read(path).get("meta", {})
    try:
        model = models.build(meta["version"], meta["dataset"])
        checkpoint.load_into(model, path)
    except (KeyError, ValueError) as e:  # no version, dataset or preprocessing, or a model this code cannot build
        raise checkpoint.CheckpointError(f"checkpoint {path} does not name a model this code builds: {e!r}") from e
    return Classifier(model.to(device), meta, device)


default_classifier = cache(load)  # loaded once per process


@dataclass
class Prediction:
    number: int  # the most probable reading
    probability: float
    top: list  # [(number, probability), ...], most probable first
    digits: Digits  # what the network was shown (digits, or one strip), and where it was found


def predict(image, classifier=None, top_k: int = 5) -> Prediction:
    """The number in `image` and its `top_k` readings: a digit reader reads the segmented digits, a strip reader
    the whole strip; DigitizeError when the image is unreadable, blank or holds more than three digits."""
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
    try:
        clf = default_classifier(args.weights)
    except checkpoint.CheckpointError as e:
        parser.exit(2, f"error: {e}\n")
    failed = 0
    for path in args.images:
        try:
            pred = predict(path, clf, args.top_k)
            print("\t".join([path] + [f"{n}\t{p:.4f}" for n, p in pred.top]), flush=True)
        except ValueError as e:  # DigitizeError, or a --top-k below 1
            print(f"{path}: {e}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"{failed} of {len(args.images)} images could not be classified", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

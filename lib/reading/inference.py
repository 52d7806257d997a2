"""A trained network as a function from digit slots, or a strip, to probabilities over the numbers 0-999.

It reads them as training did: composed as W or C, with the version's preprocessing and its head's distribution.
"""

import torch

from ..data import layouts
from ..data.preprocess import normalise, prepare
from ..infra import checkpoint
from ..study import heads, models
from ..study.versions import get
from .weights import default_weights


class Classifier:
    """A loaded network and what it needs to read numbers: its version, dataset and preprocessing."""

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
        if not self.reads_strips:
            raise ValueError(f"version {self.version} reads digit slots, not strips: use number_probs")
        if strips.dtype != torch.uint8 or strips.dim() != 3 or strips.shape[1] != 28:
            raise ValueError(f"strips must be uint8 [B, 28, W], got {strips.dtype} {tuple(strips.shape)}")
        logits = self.model(normalise(strips.to(self.device).float().unsqueeze(1)))
        return heads.number_log_probs(logits, "ctc").exp(), heads.decode_strings(logits)


def load(path=None, device="cpu") -> Classifier:
    """The network saved at `path` with its version, dataset and preprocessing (default: the chosen weights)."""
    path = default_weights() if path is None else path
    meta = checkpoint.read(path).get("meta", {})
    missing = [k for k in checkpoint.IDENTITY if k not in meta]
    if missing:
        raise checkpoint.CheckpointError(
            f"checkpoint {path} has no {', '.join(missing)} in its metadata; it was not written by checkpoint.save"
        )
    try:
        model = models.build(meta["version"], meta["dataset"])
    except ValueError as e:
        raise checkpoint.CheckpointError(f"checkpoint {path} names a model this code cannot build: {e}") from e
    checkpoint.load_into(model, path, **{k: meta[k] for k in checkpoint.IDENTITY})
    return Classifier(model.to(device), meta, device)

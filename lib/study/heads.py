"""Output heads: what a network's last layer predicts, and how that becomes a number 0-999.

"number": 1000 logits, one per number (versions 1-14). It can only name numbers it saw in training.
"digits": 3 x 11 logits, one head per reading position, each a digit 0-9 or 10 = "no digit"
          (version 15 on). A number's probability is the product of its three positions'
          probabilities, renormalised over the 1000 valid numbers (so "05" or "5_3" are never read),
          which names any number whose digits were seen in their positions.
Both give log-probabilities over the same 1000 numbers, so evaluation, loss and top-k are shared.
"""

from functools import cache

import torch
import torch.nn.functional as F

from ..data.numbers import NO_DIGIT, position_targets  # noqa: F401 (NO_DIGIT: the digits head's class 10)
from ..infra.choices import pick

HEADS = {"number": 1000, "digits": 33}  # head -> logits per sample


def check_head(head: str) -> str:
    pick(HEADS, head, "head")
    return head


@cache
def _number_table(device: str) -> torch.Tensor:
    """[1000, 3]: the position classes of every number 0-999 (cached per device)."""
    return position_targets(torch.arange(1000, device=device))


def number_log_probs(logits: torch.Tensor, head: str) -> torch.Tensor:
    """[B, 1000] log-probabilities of the numbers 0-999 from a head's logits."""
    if check_head(head) == "number":
        return logits.float().log_softmax(1)
    per_position = logits.float().view(-1, 3, 11).log_softmax(2)  # [B, 3, 11]
    table = _number_table(str(logits.device))  # [1000, 3]
    joint = sum(per_position[:, k, table[:, k]] for k in range(3))  # [B, 1000]
    return joint.log_softmax(1)


def loss(logits: torch.Tensor, labels: torch.Tensor, head: str, label_smoothing: float = 0.0) -> torch.Tensor:
    """Training loss: cross-entropy over 1000 numbers, or the mean over the three positions' 11 classes."""
    if check_head(head) == "number":
        return F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    return F.cross_entropy(logits.view(-1, 11), position_targets(labels).view(-1), label_smoothing=label_smoothing)


def loss_name(spec) -> str:
    """What a version's training loss measures, so losses of different heads are never read as one quantity."""
    name = (
        "1000-way cross-entropy"
        if check_head(spec.head) == "number"
        else "11-way cross-entropy per position (mean of 3)"
    )
    return name + (f", label smoothing {spec.label_smoothing:g}" if spec.label_smoothing else "")


def predicted_numbers(logits: torch.Tensor, head: str) -> torch.Tensor:
    """The most probable valid number per sample."""
    return number_log_probs(logits, head).argmax(1)

"""Output heads: what a network's last layer predicts, and how that becomes a number 0-999.

"number": 1000 logits, one per number (versions 1-14). It can only name numbers it saw in training.
"digits": 3 x 11 logits, one head per reading position, each a digit 0-9 or 10 = "no digit"
          (version 15 on). A number's probability is the product of its three positions'
          probabilities, renormalised over the 1000 valid numbers (so "05" or "5_3" are never read),
          which names any number whose digits were seen in their positions.
Both give log-probabilities over the same 1000 numbers, so evaluation, loss and top-k are shared.
"ctc":    11 logits per column of the image ([B, T, 11]: digits 0-9 and 10 = blank; version 27 on),
          trained with CTC (Graves et al. 2006), which sums over every way the columns can spell the
          number's digits, and read greedily: the most probable class per column, repeats collapsed,
          blanks dropped. A string that is no number 0-999 (empty, longer than 3 digits, a leading zero)
          reads as -1, always wrong; `decode_strings` reads strings of any length.
"""

from functools import cache

import torch
import torch.nn.functional as F

from ..data.numbers import NO_DIGIT, digits_of, ndigits_of, position_targets  # noqa: F401 (NO_DIGIT: re-exported)
from ..infra.choices import pick

HEADS = {"number": 1000, "digits": 33, "ctc": 11}  # head -> logits per sample (ctc: per column)
BLANK = 10  # the blank class of a column in the ctc head
NOT_A_NUMBER = -1  # what the ctc head reads when its string is no number 0-999


def check_head(head: str) -> str:
    pick(HEADS, head, "head")
    return head


@cache
def _number_table(device: str) -> torch.Tensor:
    """[1000, 3]: the position classes of every number 0-999 (cached per device)."""
    return position_targets(torch.arange(1000, device=device))


def number_log_probs(logits: torch.Tensor, head: str) -> torch.Tensor:
    """[B, 1000] log-probabilities of the numbers 0-999 from a head's logits (ctc: renormalised over them)."""
    if check_head(head) == "number":
        return logits.float().log_softmax(1)
    if head == "ctc":
        return ctc_number_log_probs(logits).log_softmax(1)
    per_position = logits.float().view(-1, 3, 11).log_softmax(2)  # [B, 3, 11]
    table = _number_table(str(logits.device))  # [1000, 3]
    joint = sum(per_position[:, k, table[:, k]] for k in range(3))  # [B, 1000]
    return joint.log_softmax(1)


def loss(logits: torch.Tensor, labels: torch.Tensor, head: str, label_smoothing: float = 0.0) -> torch.Tensor:
    """Training loss: cross-entropy over 1000 numbers, or the mean over the three positions' 11 classes, or
    the mean CTC negative log-likelihood of the numbers' digits."""
    if check_head(head) == "number":
        return F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    if head == "ctc":
        if label_smoothing:
            raise ValueError("the ctc head has no label smoothing; set label_smoothing=0.0 in the version's row")
        return ctc_losses(logits, labels).mean()
    return F.cross_entropy(logits.view(-1, 11), position_targets(labels).view(-1), label_smoothing=label_smoothing)


def loss_name(spec) -> str:
    """What a version's training loss measures, so losses of different heads are never read as one quantity."""
    name = {
        "number": "1000-way cross-entropy",
        "digits": "11-way cross-entropy per position (mean of 3)",
        "ctc": "CTC negative log-likelihood of the digits (mean per number)",
    }[check_head(spec.head)]
    return name + (f", label smoothing {spec.label_smoothing:g}" if spec.label_smoothing else "")


def predicted_numbers(logits: torch.Tensor, head: str) -> torch.Tensor:
    """The most probable valid number per sample; the ctc head's greedy reading (-1 where it is no number)."""
    if check_head(head) == "ctc":
        return greedy_numbers(logits)
    return number_log_probs(logits, head).argmax(1)


def read(logits: torch.Tensor, labels: torch.Tensor, head: str) -> tuple:
    """Per-sample (prediction, confidence, loss) of a batch: what the head reads, the network's probability of
    it, and the negative log-probability of the true number (the training loss per number for ctc)."""
    if check_head(head) != "ctc":
        log_probs = number_log_probs(logits, head)
        log_prob, pred = log_probs.max(1)
        return pred, log_prob.exp(), F.nll_loss(log_probs, labels, reduction="none")
    best, kept = greedy_columns(logits)
    first = torch.sort((~kept).int(), dim=1, stable=True).indices  # each row's kept columns first, in order
    read_string = best.gather(1, first)  # padded past its length, which CTC ignores
    confidence = (-_ctc(logits, read_string, kept.sum(1))).exp()  # P(the string read), even one of no number
    return greedy_numbers(logits), confidence, ctc_losses(logits, labels)


def ctc_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """[B] CTC negative log-likelihood of each number's digits (1-3 of them) under the columns [B, T, 11]; an
    alignment the columns cannot hold (too few) costs 0 rather than infinity (zero_infinity)."""
    nd = ndigits_of(labels)
    return _ctc(logits, digits_of(labels, nd).clamp(min=0), nd)  # padded past each length (ignored there)


def _ctc(logits: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """[B] torch's CTC negative log-likelihood of padded digit strings [B, S] of `lengths` (0 allowed)."""
    log_probs = logits.float().log_softmax(2).transpose(0, 1)  # [T, B, 11], as CTC wants
    columns = torch.full((len(targets),), log_probs.shape[0], dtype=torch.long, device=logits.device)
    return F.ctc_loss(log_probs, targets, columns, lengths, blank=BLANK, reduction="none", zero_infinity=True)


def greedy_columns(logits: torch.Tensor) -> tuple:
    """(classes [B, T], kept [B, T]): the most probable class per column, and which columns spell a digit
    (not blank, not a repeat of the column before)."""
    best = logits.argmax(2)
    before = F.pad(best, (1, 0), value=-1)[:, :-1]
    return best, (best != BLANK) & (best != before)


def greedy_numbers(logits: torch.Tensor) -> torch.Tensor:
    """[B] the greedy reading as a number 0-999, or NOT_A_NUMBER (-1) when the string is empty, longer
    than 3 digits or starts with a 0 that is not the whole number."""
    best, kept = greedy_columns(logits)
    count = kept.sum(1)
    rank = kept.cumsum(1) - 1  # each kept digit's place in the string
    power = (count[:, None] - 1 - rank).clamp(0, 2)  # clamped: only strings of 1-3 digits are used
    value = (torch.where(kept, best * 10**power, 0)).sum(1)
    first = torch.where(kept & (rank == 0), best, 0).sum(1)
    valid = (count >= 1) & (count <= 3) & ((first != 0) | (count == 1))
    return torch.where(valid, value, torch.full_like(value, NOT_A_NUMBER))


def decode_strings(logits: torch.Tensor) -> list:
    """The greedy reading of each sample as a string of digits of any length ("" when all blank): for
    numbers longer than the head's 0-999."""
    best, kept = greedy_columns(logits)
    return ["".join(str(d) for d in row[keep].tolist()) for row, keep in zip(best.cpu(), kept.cpu())]


def ctc_number_log_probs(logits: torch.Tensor) -> torch.Tensor:
    """[B, 1000] log P(number | image) under CTC for every number 0-999 at once: the forward algorithm over the
    trie of their digits (a number's states up to its k-th digit are its k-digit prefix's, so 10 + 100 + 1000
    prefixes hold them all), in probabilities rescaled every column (float64; a number below 1e-300 of the
    best reads as -inf). They sum to at most 1, the rest being strings of no number 0-999."""
    p = logits.double().softmax(2)  # [B, T, 11]
    blank, digit = p[..., BLANK], p[..., :10]
    b = len(p)
    same = torch.eye(10, dtype=torch.bool, device=p.device)  # a repeated digit needs the blank between
    start = blank[:, 0]  # only blanks so far: shared by every number
    one = digit[:, 0]  # [B, 10] states "d1" and the blank after it
    one_b = torch.zeros_like(one)
    two = torch.zeros(b, 10, 10, dtype=p.dtype, device=p.device)  # "d1 d2" and the blank after it
    two_b = torch.zeros_like(two)
    three = torch.zeros(b, 10, 10, 10, dtype=p.dtype, device=p.device)  # "d1 d2 d3" and the blank after it
    three_b = torch.zeros_like(three)
    log_scale = torch.zeros(b, dtype=p.dtype, device=p.device)
    for t in range(1, p.shape[1]):
        d, bl = digit[:, t], blank[:, t, None]
        three, three_b = (
            (three + two_b[..., None] + torch.where(same, 0, two[..., None])) * d[:, None, None, :],
            (three_b + three) * bl[..., None, None],
        )
        two, two_b = (
            (two + one_b[..., None] + torch.where(same, 0, one[..., None])) * d[:, None, :],
            (two_b + two) * bl[..., None],
        )
        one, one_b = (one + start[:, None]) * d, (one_b + one) * bl
        start = start * bl[:, 0]
        scale = torch.stack([start, one.amax(1), one_b.amax(1), two.amax((1, 2)), two_b.amax((1, 2))], 1).amax(1)
        scale = torch.maximum(scale, torch.maximum(three.flatten(1).amax(1), three_b.flatten(1).amax(1)))
        scale = scale.clamp(min=1e-300)
        start, one, one_b = start / scale, one / scale[:, None], one_b / scale[:, None]
        two, two_b = two / scale[:, None, None], two_b / scale[:, None, None]
        three, three_b = three / scale[:, None, None, None], three_b / scale[:, None, None, None]
        log_scale += scale.log()
    numbers = torch.cat([one + one_b, (two + two_b).flatten(1)[:, 10:], (three + three_b).flatten(1)[:, 100:]], 1)
    return (numbers.log() + log_scale[:, None]).float()


def best_numbers(logits: torch.Tensor) -> torch.Tensor:
    """[B] the number 0-999 the columns spell with the highest CTC probability (summed over alignments): a
    reading that never answers -1, the alternative to greedy decoding."""
    return ctc_number_log_probs(logits).argmax(1)

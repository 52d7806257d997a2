"""Output heads: what a network's last layer predicts, and how that becomes a number 0-999.

Every head gives log-probabilities over the same 1000 numbers, so evaluation, loss and top-k are shared."""

import torch
import torch.nn.functional as F

from ..data.numbers import NO_DIGIT, digits_of, ndigits_of, position_targets  # noqa: F401 (NO_DIGIT: re-exported)
from ..infra.choices import pick

HEADS = {"number": 1000, "digits": 33, "ctc": 11}  # logits: 1000 numbers, 3 x (a digit or none), 11 per column
BLANK = 10  # the blank class of a column in the ctc head
NOT_A_NUMBER = -1  # what the ctc head reads when its string is no number 0-999
# How the ctc head's columns become a number: its greedy string, or the number 0-999 with the most probable
# alignments. Each run takes the one that reads more of its validation numbers (lib/study/experiment.py).
DECODINGS = ("greedy", "best number")


def decodings(head: str) -> tuple:
    """The decodings a run of this head compares on validation: the other heads have one (the best number)."""
    return DECODINGS if check_head(head) == "ctc" else DECODINGS[1:]


def check_head(head: str) -> str:
    return pick(tuple(HEADS), head, "head")


NUMBER_TABLE = position_targets(torch.arange(1000))  # [1000, 3]: the position classes of every number 0-999


def number_log_probs(logits: torch.Tensor, head: str) -> torch.Tensor:
    """[B, 1000] log-probabilities of the numbers 0-999 (ctc: renormalised over them)."""
    if check_head(head) == "number":
        return logits.float().log_softmax(1)
    if head == "ctc":
        return ctc_number_log_probs(logits).log_softmax(1)
    per_position = logits.float().view(-1, 3, 11).log_softmax(2)  # [B, 3, 11]
    table = NUMBER_TABLE.to(logits.device)
    joint = sum(per_position[:, k, table[:, k]] for k in range(3))  # [B, 1000]
    return joint.log_softmax(1)


def loss(logits: torch.Tensor, labels: torch.Tensor, head: str, label_smoothing: float = 0.0) -> torch.Tensor:
    """Training loss: cross-entropy over 1000 numbers, its mean over 3 positions' 11 classes, or CTC's."""
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


def read(logits: torch.Tensor, labels: torch.Tensor, head: str, decoding: str = DECODINGS[0]) -> tuple:
    """Per-sample (prediction, its probability, -log P(true number); ctc: its training loss) of a batch. `decoding`
    is the ctc head's (DECODINGS); the other heads always read the most probable number."""
    if check_head(head) == "ctc" and pick(DECODINGS, decoding, "decoding") == "best number":
        log_prob, pred = ctc_number_log_probs(logits).max(1)
        return pred, log_prob.exp(), ctc_losses(logits, labels)
    if head != "ctc":
        log_probs = number_log_probs(logits, head)
        log_prob, pred = log_probs.max(1)
        return pred, log_prob.exp(), F.nll_loss(log_probs, labels, reduction="none")
    best, kept = greedy_columns(logits)
    first = torch.sort((~kept).int(), dim=1, stable=True).indices  # each row's kept columns first, in order
    read_string = best.gather(1, first)  # padded past its length, which CTC ignores
    confidence = (-_ctc(logits, read_string, kept.sum(1))).exp()  # P(the string read), even one of no number
    return greedy_numbers(logits), confidence, ctc_losses(logits, labels)


def ctc_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """[B] CTC negative log-likelihood of each number's digits under the columns [B, T, 11] (zero_infinity)."""
    nd = ndigits_of(labels)
    return _ctc(logits, digits_of(labels, nd).clamp(min=0), nd)  # padded past each length (ignored there)


def _ctc(logits: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """[B] torch's CTC negative log-likelihood of padded digit strings [B, S] of `lengths` (0 allowed)."""
    log_probs = logits.float().log_softmax(2).transpose(0, 1)  # [T, B, 11], as CTC wants
    columns = torch.full((len(targets),), log_probs.shape[0], dtype=torch.long, device=logits.device)
    return F.ctc_loss(log_probs, targets, columns, lengths, blank=BLANK, reduction="none", zero_infinity=True)


def greedy_columns(logits: torch.Tensor) -> tuple:
    """(best class [B, T], whether the column spells a digit: not blank, not a repeat of the one before)."""
    best = logits.argmax(2)
    before = F.pad(best, (1, 0), value=-1)[:, :-1]
    return best, (best != BLANK) & (best != before)


def greedy_numbers(logits: torch.Tensor) -> torch.Tensor:
    """[B] the greedy reading as a number 0-999, or -1 when empty, over 3 digits or with a leading 0."""
    best, kept = greedy_columns(logits)
    count = kept.sum(1)
    rank = kept.cumsum(1) - 1  # each kept digit's place in the string
    power = (count[:, None] - 1 - rank).clamp(0, 2)  # clamped: only strings of 1-3 digits are used
    value = (torch.where(kept, best * 10**power, 0)).sum(1)
    first = torch.where(kept & (rank == 0), best, 0).sum(1)
    valid = (count >= 1) & (count <= 3) & ((first != 0) | (count == 1))
    return torch.where(valid, value, torch.full_like(value, NOT_A_NUMBER))


def decode_strings(logits: torch.Tensor) -> list:
    """The greedy reading of each sample as a string of digits of any length ("" when all blank)."""
    best, kept = greedy_columns(logits)
    return ["".join(str(d) for d in row[keep].tolist()) for row, keep in zip(best.cpu(), kept.cpu())]


def ctc_number_log_probs(logits: torch.Tensor) -> torch.Tensor:
    """[B, 1000] log P(number | image) under CTC for every number 0-999 (impossible, or below about 1e-300 of the
    columns' best path: -inf). The forward pass runs over the numbers as a tree of prefixes, so 100-999 extend the
    states of 10-99, which extend those of 1-9: about 10x faster than torch's CTC called once per image."""
    p = logits.double().softmax(2).transpose(0, 1)  # [T, B, 11]
    scale = p.amax(2, keepdim=True)  # each column divided by its largest probability: no underflow along a path
    y = p / scale
    blank = y[..., BLANK:]
    start = F.pad(blank[..., 0].cumprod(0), (0, 0, 1, 0), value=1.0)[:-1, :, None]  # all blank before column t
    label, trailing = _extend(start.expand(-1, -1, 10), y[..., :10], blank)  # the numbers 0-9
    ends = [label[-1] + trailing[-1]]
    for prefixes in (torch.arange(1, 10), torch.arange(10, 100)):  # 10-99 extend 1-9; 100-999 extend 10-99
        n = len(prefixes)
        label, trailing = label[..., -n:], trailing[..., -n:]
        repeat = ((prefixes % 10)[:, None] == torch.arange(10)).view(-1).to(p.device)  # a digit after itself
        enter = _ten_each(trailing) + _ten_each(label) * ~repeat  # needs a blank between, so only from the blank
        enter = F.pad(enter, (0, 0, 0, 0, 1, 0))[:-1]  # mass at column t-1 steps into the new digit at column t
        digits = y[..., None, :10].expand(-1, -1, n, 10).reshape(*y.shape[:2], 10 * n)
        label, trailing = _extend(enter, digits, blank)
        ends.append(label[-1] + trailing[-1])
    return (torch.cat(ends, 1).log() + scale.log().sum(0)).float()


def _extend(enter: torch.Tensor, digit: torch.Tensor, blank: torch.Tensor) -> tuple:
    """[T, B, N] CTC forward probabilities of strings at their last digit and at a blank after it, given the mass
    `enter` that may step into that digit at each column and the columns' (scaled) probabilities."""
    label, trailing = torch.empty_like(enter), torch.empty_like(enter)
    label[0], trailing[0] = enter[0] * digit[0], 0
    for t in range(1, len(enter)):
        torch.mul(label[t - 1] + enter[t], digit[t], out=label[t])
        torch.mul(trailing[t - 1] + label[t - 1], blank[t], out=trailing[t])
    return label, trailing


def _ten_each(series: torch.Tensor) -> torch.Tensor:
    """[T, B, N] -> [T, B, 10 N]: each string's series once for each digit that may follow it."""
    return series[..., None].expand(*series.shape, 10).reshape(*series.shape[:2], 10 * series.shape[2])

"""Output heads: what a network's last layer predicts, and how that becomes a number 0-999.

Every head gives log-probabilities over the same 1000 numbers, so evaluation, loss and top-k are shared."""

import torch
import torch.nn.functional as F

from ..data.numbers import NO_DIGIT, digits_of, ndigits_of, position_targets  # noqa: F401 (NO_DIGIT: re-exported)
from ..infra.choices import pick

HEADS = {"number": 1000, "digits": 33, "ctc": 11}  # logits: 1000 numbers, 3 x (a digit or none), 11 per column
BLANK = 10  # the blank class of a column in the ctc head
NOT_A_NUMBER = -1  # what the ctc head reads when its string is no number 0-999


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


def read(logits: torch.Tensor, labels: torch.Tensor, head: str) -> tuple:
    """Per-sample (prediction, its probability, -log P(true number); ctc: its training loss) of a batch."""
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
    """[B, 1000] log P(number | image) under CTC for every number 0-999 (float64 in torch's CTC; impossible: -inf)."""
    numbers = torch.arange(1000, device=logits.device)
    lengths = ndigits_of(numbers)
    targets = digits_of(numbers, lengths).clamp(min=0)
    columns = torch.full((1000,), logits.shape[1], dtype=torch.long, device=logits.device)
    rows = [
        -F.ctc_loss(p[:, None].expand(-1, 1000, -1), targets, columns, lengths, blank=BLANK, reduction="none")
        for p in logits.double().log_softmax(2)
    ]
    return torch.stack(rows).float() if rows else logits.new_zeros(0, 1000)

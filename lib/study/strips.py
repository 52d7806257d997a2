"""What a strip reader (encoder "strip", head "ctc") reads beyond the study's numbers 0-999.

A reader that spells a number column by column has no notion of a fourth digit being impossible: a strip
28 px high and 28 px per digit wide is read the same way whatever its width. `by_length` measures that on
numbers of 1-5 digits made of MNIST *test* digits, composed side by side as the fixed test sets are (a
digit per 28 px; strips of 1-3 digits are 84 px wide like the test set's, longer ones 28 px per digit).
`decodings` compares greedy decoding with the best number 0-999 on validation, where that choice is made.
"""

import pandas as pd
import torch

from ..data import mnist
from ..data.numbers import DigitBank
from ..data.preprocess import normalise
from . import experiment, heads
from .evaluate import predict

SEED = 20250830  # the longer numbers' own draw (not the test sets')
NEEDS_CHECKPOINT = "needs the run's checkpoint (not on this machine: shown from its record)"


def strips(length: int, count: int, seed: int = SEED, mnist_dir=None) -> tuple:
    """(raw uint8 [count, 28, max(84, 28 * length)], numbers as digit strings): uniform `length`-digit numbers
    (no leading zero; 1 digit: 0-9) made of MNIST test digits drawn uniformly, side by side."""
    if not 1 <= length <= 20:
        raise ValueError(f"length must be 1-20 digits, got {length}")
    bank = DigitBank(*mnist.load_split("test", mnist_dir=mnist_dir))
    gen = torch.Generator().manual_seed(seed + length)
    digits = torch.randint(0, 10, (count, length), generator=gen)
    if length > 1:
        digits[:, 0] = torch.randint(1, 10, (count,), generator=gen)
    u = torch.rand(count, length, generator=gen)
    pick = bank.offsets[digits] + (u * bank.counts[digits]).long().clamp(max=bank.counts[digits] - 1)
    images = bank.images[pick]  # [count, length, 28, 28]
    raw = torch.zeros(count, 28, max(84, 28 * length), dtype=torch.uint8)
    raw[:, :, : 28 * length] = images.permute(0, 2, 1, 3).reshape(count, 28, 28 * length)
    return raw, ["".join(map(str, row)) for row in digits.tolist()]


@torch.inference_mode()
def read_strings(model, raw: torch.Tensor, batch_size: int = 256) -> list:
    """A strip reader's greedy reading of raw W strips of any width, as digit strings."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    for start in range(0, len(raw), batch_size):
        x = normalise(raw[start : start + batch_size].to(device).float().unsqueeze(1))
        out += heads.decode_strings(model(x))
    return out


def by_length(model, lengths=(1, 2, 3, 4, 5), count: int = 2000, seed: int = SEED, mnist_dir=None) -> pd.DataFrame:
    """Per length: the fraction of numbers read exactly, the fraction read with the right number of digits, and
    the commonest way a wrong reading differs (a digit dropped, added, or changed)."""
    rows = []
    for n in lengths:
        raw, truth = strips(n, count, seed, mnist_dir)
        read = read_strings(model, raw)
        right = [r == t for r, t in zip(read, truth)]
        kinds = pd.Series(
            ["dropped" if len(r) < n else "added" if len(r) > n else "changed" for r, t in zip(read, truth) if r != t]
        )
        rows.append(
            {
                "digits": n,
                "numbers": count,
                "accuracy": sum(right) / count,
                "right length": sum(len(r) == n for r in read) / count,
                "commonest error": kinds.mode()[0] if len(kinds) else "–",
            }
        )
    return pd.DataFrame(rows).set_index("digits")


def longer_numbers(results, count: int = 2000) -> pd.DataFrame | None:
    """`by_length` for each run with its model at hand (a run shown from its record has none: it says so)."""
    frames = {}
    for r in results:
        if r.model is None:
            print(f"{r.key.label}: numbers of 1-5 digits {NEEDS_CHECKPOINT}.")
            continue
        frames[r.key.label] = by_length(r.model, count=count)
    if not frames:
        return None
    return pd.concat(frames, names=["run"])


@torch.inference_mode()
def decodings(results, profile: str) -> pd.DataFrame | None:
    """Validation accuracy of greedy decoding and of the best number 0-999 (CTC probability summed over
    alignments), per run with its model at hand: the choice between them is made here, on validation."""
    rows = []
    for r in results:
        if r.model is None:
            print(f"{r.key.label}: the decodings compared on validation {NEEDS_CHECKPOINT}.")
            continue
        val = experiment.load_val_set(r.key.dataset, profile)
        device = next(r.model.parameters()).device
        greedy, _, _ = predict(r.model, val, r.key.preprocessing, device, head="ctc")
        model = r.model.eval()
        best = torch.cat(
            [
                heads.best_numbers(model(normalise(val.raw[s : s + 256].to(device).float().unsqueeze(1)))).cpu()
                for s in range(0, len(val), 256)
            ]
        )
        rows.append(
            {
                "run": r.key.label,
                "validation numbers": len(val),
                "greedy": (greedy == val.labels).float().mean().item(),
                "best number 0-999": (best == val.labels).float().mean().item(),
                "greedy reads no number": (greedy < 0).float().mean().item(),
            }
        )
    return pd.DataFrame(rows).set_index("run") if rows else None

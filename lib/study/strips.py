"""What a strip reader (encoder "strip", head "ctc") reads beyond the study's numbers 0-999: numbers of 1-5
digits of MNIST test digits (`by_length`), and which decoding each run chose on validation (`decodings`)."""

import pandas as pd
import torch

from ..data import mnist
from ..data.numbers import DigitBank
from ..data.preprocess import normalise
from . import heads

SEED = 20250830  # the longer numbers' own draw (not the test sets')


def strips(length: int, count: int, seed: int = SEED, mnist_dir=None) -> tuple:
    """(raw uint8 [count, 28, max(84, 28 * length)], digit strings): uniform `length`-digit numbers side by side."""
    if not 1 <= length <= 20:
        raise ValueError(f"length must be 1-20 digits, got {length}")
    bank = DigitBank(*mnist.load_split("test", mnist_dir=mnist_dir))
    gen = torch.Generator().manual_seed(seed + length)
    digits = torch.randint(0, 10, (count, length), generator=gen)
    if length > 1:
        digits[:, 0] = torch.randint(1, 10, (count,), generator=gen)
    images = bank.images[bank.pick(digits, torch.rand(count, length, generator=gen))]  # [count, length, 28, 28]
    raw = torch.zeros(count, 28, max(84, 28 * length), dtype=torch.uint8)
    raw[:, :, : 28 * length] = images.permute(0, 2, 1, 3).reshape(count, 28, 28 * length)
    return raw, ["".join(map(str, row)) for row in digits.tolist()]


@torch.inference_mode()
def _read(model, raw: torch.Tensor, decode, batch_size: int = 256) -> list:
    """`decode` of a strip reader's outputs for raw W strips of any width, batch by batch, concatenated."""
    model.eval()
    device = next(model.parameters()).device
    return [
        decode(model(normalise(raw[s : s + batch_size].to(device).float().unsqueeze(1))))
        for s in range(0, len(raw), batch_size)
    ]


def by_length(model, lengths=(1, 2, 3, 4, 5), count: int = 2000, seed: int = SEED, mnist_dir=None) -> pd.DataFrame:
    """Per length: accuracy, the fraction read with the right length, and the commonest kind of error."""
    rows = []
    for n in lengths:
        raw, truth = strips(n, count, seed, mnist_dir)
        read = [s for batch in _read(model, raw, heads.decode_strings) for s in batch]
        wrong = pd.Series(
            ["dropped" if len(r) < n else "added" if len(r) > n else "changed" for r, t in zip(read, truth) if r != t]
        )
        rows.append(
            {
                "digits": n,
                "numbers": count,
                "accuracy": sum(r == t for r, t in zip(read, truth)) / count,
                "right length": sum(len(r) == n for r in read) / count,
                "commonest error": wrong.mode()[0] if len(wrong) else "–",
            }
        )
    return pd.DataFrame(rows).set_index("digits")


def _with_models(results, what: str) -> list:
    """The runs with their model at hand; a run shown from its record has none, and says so."""
    for r in results:
        if r.model is None:
            print(f"{r.key.label}: {what} needs the run's checkpoint (not on this machine: shown from its record).")
    return [r for r in results if r.model is not None]


def longer_numbers(results, count: int = 2000) -> pd.DataFrame | None:
    """`by_length` for each run with its model at hand, on no more numbers per length than its test set has."""
    runs = _with_models(results, "numbers of 1-5 digits")
    frames = {r.key.label: by_length(r.model, count=min(count, len(r.test_set))) for r in runs}
    return pd.concat(frames, names=["run"]) if frames else None


def decodings(results) -> pd.DataFrame | None:
    """Each run's validation accuracy read greedily and as the best number 0-999, and the decoding its test scores
    use (the better of the two; lib/study/experiment.py), from its record."""
    rows = [
        {
            "run": r.key.label,
            "validation, greedy": _percent(r.metrics.get("val_acc_greedy")),
            "validation, best number 0-999": _percent(r.metrics.get("val_acc_best_number")),
            "test sets read with": r.metrics.get("decoding"),
        }
        for r in results
        if r.key.spec.head == "ctc"
    ]
    return pd.DataFrame(rows).set_index("run") if rows else None


def _percent(fraction) -> str:
    return "–" if fraction is None else f"{fraction:.2%}"

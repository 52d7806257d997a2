"""Scores on a fixed test set: loss, accuracy by digit count, errors by digit place, confusions, held-out numbers."""

from collections import Counter

import torch
from torch.fx.experimental.optimization import fuse

from ..data.numbers import ndigits_of
from ..data.preprocess import prepare
from ..data.splits import held_out
from ..data.testsets import TestSet
from . import heads

PLACES = ("hundreds", "tens", "units")
BATCH = 64  # numbers per forward pass: smaller batches keep activations in cache (res/bench/eval_batch_cpu.md)


def for_inference(model):
    """The model in eval mode, batch norms folded into their convolutions (torch.fx): 1.2x faster on a CPU."""
    model.eval()
    try:
        return fuse(model)
    except Exception:  # noqa: BLE001 - a model fx cannot trace still evaluates, only slower
        return model


@torch.inference_mode()
def predict(model, test_set: TestSet, preprocessing, device, batch_size=BATCH, head="number", decoding="greedy"):
    """Per-sample (prediction, confidence, loss) for the whole set, in batches (lib/study/heads.py's `read`)."""
    model = for_inference(model)
    preds, confs, losses = [], [], []
    for start in range(0, len(test_set), batch_size):
        sl = slice(start, start + batch_size)
        raw, nd, labels = (t[sl].to(device) for t in (test_set.raw, test_set.ndigits, test_set.labels))
        pred, conf, loss = heads.read(model(prepare(raw, nd, test_set.dataset, preprocessing)), labels, head, decoding)
        preds.append(pred.cpu()), confs.append(conf.cpu()), losses.append(loss.cpu())
    return torch.cat(preds), torch.cat(confs), torch.cat(losses)


def summarize(labels: torch.Tensor, preds: torch.Tensor, losses: torch.Tensor, top_confusions: int = 10) -> dict:
    """Metrics from per-sample predictions; pure, so a hand-made case can check it."""
    correct = preds == labels
    nd = ndigits_of(labels)
    metrics = {"n": len(labels), "test_loss": losses.mean().item(), "test_acc": correct.float().mean().item()}
    for n in (1, 2, 3):
        rows = nd == n
        metrics[f"acc_{n}digit"] = correct[rows].float().mean().item() if rows.any() else float("nan")
    # a digit place is wrong when the prediction's digit there differs (a missing digit counts as 0); a reading
    # that is no number (-1, ctc head) is wrong at every place and in length
    nothing = preds < 0
    for i, place in enumerate(PLACES):
        value = 10 ** (2 - i)
        has = labels >= (value if i < 2 else 0)
        wrong = ((labels // value % 10) != (preds // value % 10)) | nothing
        metrics[f"digit_error_{place}"] = wrong[has].float().mean().item()
    metrics["length_error"] = ((ndigits_of(preds) != nd) | nothing).float().mean().item()
    metrics.update(held_out_scores(labels, correct))
    pairs = Counter(zip(labels[~correct].tolist(), preds[~correct].tolist()))
    metrics["top_confusions"] = [{"true": t, "pred": p, "count": c} for (t, p), c in pairs.most_common(top_confusions)]
    return metrics


HELD_OUT_KEYS = tuple(
    f"acc_{part}{suffix}"
    for part in ("seen", "heldout")
    for suffix in ("", "_1digit", "_2digit", "_3digit", "_per_number")
)


def held_out_scores(labels: torch.Tensor, correct: torch.Tensor) -> dict:
    """Accuracy on the held-out numbers and the others, by digit count and per number (one 1-digit number is many)."""
    held, nd = torch.isin(labels, torch.tensor(held_out(), device=labels.device)), ndigits_of(labels)
    scores = {}
    for part, rows in (("seen", ~held), ("heldout", held)):
        scores[f"acc_{part}"] = correct[rows].float().mean().item()
        for n in (1, 2, 3):
            some = rows & (nd == n)
            scores[f"acc_{part}_{n}digit"] = correct[some].float().mean().item() if some.any() else None
        per_number = [correct[labels == x].float().mean() for x in labels[rows].unique()]
        scores[f"acc_{part}_per_number"] = torch.stack(per_number).mean().item() if per_number else None
    return scores


def evaluate(model, test_set: TestSet, preprocessing, device, batch_size=BATCH, head="number", decoding="greedy"):
    """(metrics, predictions) on a test set; predictions are kept for galleries."""
    preds, confs, losses = predict(model, test_set, preprocessing, device, batch_size, head, decoding)
    return summarize(test_set.labels, preds, losses), {"pred": preds, "confidence": confs, "loss": losses}

"""What a single-digit model's test says: loss and accuracy, per-class accuracy, confusion, scikit-learn's report.

One place scores every learner, so validation during training and the final test read the same way
for the PyTorch and NumPy models, and the misread test digits are kept (errors.json) so a run shown
from its committed record still shows its mistakes.
"""

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import classification_report, confusion_matrix

from .data import CLASSES


def score_digits(learner, images, labels) -> tuple:
    """(mean cross-entropy, accuracy, logits) of a learner on labelled digits."""
    logits = learner.logits(images)
    accuracy = (logits.argmax(1) == labels).sum().item() / len(labels)
    return F.cross_entropy(logits, labels).item(), accuracy, logits


def digit_test_report(labels: torch.Tensor, logits: torch.Tensor) -> tuple:
    """(metrics, report rows): loss, accuracy, per-class accuracy, confusion matrix, precision/recall/F1."""
    pred = logits.argmax(1)
    cm = confusion_matrix(labels, pred, labels=CLASSES)
    report = classification_report(
        labels, pred, labels=CLASSES, target_names=[str(c) for c in CLASSES], output_dict=True, zero_division=0
    )
    metrics = {
        "test_acc": (pred == labels).sum().item() / len(labels),
        "test_loss": F.cross_entropy(logits, labels).item(),
        "n_test": len(labels),
        "per_class_acc": (cm.diagonal() / np.maximum(cm.sum(1), 1)).tolist(),
        "macro_f1": report["macro avg"]["f1-score"],
        "confusion": cm.tolist(),
    }
    return metrics, [_report_row(k, v, len(labels)) for k, v in report.items()]


def _report_row(key: str, value, n: int) -> dict:
    """One row of classification_report.csv; scikit-learn gives the accuracy as a bare number."""
    if key == "accuracy":
        return {"class": key, "precision": "", "recall": "", "f1-score": value, "support": n}
    return {"class": key, **value, "support": int(value["support"])}


def misread_digits(labels: torch.Tensor, logits: torch.Tensor) -> dict:
    """The test digits read wrong: index, prediction and softmax confidence (the record's errors.json)."""
    confidence, pred = logits.softmax(1).max(1)
    wrong = (pred != labels).nonzero().squeeze(1)
    return {
        "index": wrong.tolist(),
        "pred": pred[wrong].tolist(),
        "confidence": [round(c, 4) for c in confidence[wrong].tolist()],
    }


def run_summary(metrics: dict) -> str:
    """One line with a run's measured numbers, for notebooks."""
    return (
        f"{metrics['model']} ({metrics['profile']}, seed {metrics['seed']}): test accuracy "
        f"{100 * metrics['test_acc']:.2f}% (loss {metrics['test_loss']:.4f}, {metrics['n_test']:,} images); "
        f"best validation {100 * metrics['best_val_acc']:.2f}% ({metrics['n_val']:,} images) "
        f"at epoch {metrics['best_epoch']}/{metrics['epochs']}; "
        f"{metrics['params']:,} parameters; {metrics['seconds_per_epoch']:.1f} s per training epoch "
        f"({metrics['n_train']:,} images) on {metrics['hardware']}"
    )

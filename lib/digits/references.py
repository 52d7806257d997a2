"""What the reference READMEs 001-004 reported for single-digit LeNet-5, the targets, and how a run compares, as
data, so that notebooks 30 and 31 state their verdicts from a run's metrics."""

# Reported on the MNIST test set, on their own machines: (source, system, test accuracy, epochs, note)
REFERENCES = [
    ("001", "LeNet-5 from scratch in NumPy, tanh, SGD with step decay", 0.9843, 7, "~30 min per epoch"),
    ("002", "LeNet-5 in PyTorch, tanh, average pooling, SGD lr 0.01", 0.9880, 15, ""),
    ("003", "LeNet-style CNN from scratch in NumPy, sigmoid/ReLU", (0.91, 0.97), 3, "35 min to 2 h per run"),
    ("004", "6-10-120-84 CNN in PyTorch, max pooling, Adam, batch 10", 0.9876, 10, "50k/10k train/validation split"),
]
TARGETS = {"lenet5-classic": 0.989, "lenet5-modern": 0.995, "lenet5-numpy": 0.985}  # test accuracy, full profile
# issue 14's single-digit reader: MNIST test accuracy of one model, its parameters, its training on 2 CPU cores
READER_TARGETS = {"test_acc": 0.997, "params": 1_000_000, "train_seconds": 20 * 60}


def target_check(metrics: dict) -> str:
    """Whether a run meets its model's test-accuracy target (targets are for the full profile)."""
    target = TARGETS[metrics["model"]]
    verdict = "met" if metrics["test_acc"] >= target else "NOT met"
    note = "" if metrics["profile"] == "full" else f" (a {metrics['profile']} run: the target is for full)"
    return f"{metrics['model']}: {100 * metrics['test_acc']:.2f}% vs target {100 * target:.1f}%: {verdict}{note}"


def comparison_rows(*runs: dict) -> list:
    """Rows for a table: the references' reported test accuracy, then these runs' measured numbers."""
    ours = [
        (
            f"this repo ({m['profile']})",
            m["model"],
            m["test_acc"],
            m["epochs"],
            f"{m['seconds_per_epoch']:.1f} s/epoch, {m['hardware']}",
        )
        for m in runs
    ]
    return [
        {"source": source, "system": system, "epochs": epochs, "test accuracy %": _percent(acc), "note": note}
        for source, system, acc, epochs, note in REFERENCES + ours
    ]


def _percent(acc) -> str:
    return f"{100 * acc[0]:.0f}-{100 * acc[1]:.0f}" if isinstance(acc, tuple) else f"{100 * acc:.2f}"

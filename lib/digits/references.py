"""The single-digit targets as data, so notebooks 30-32 and the benchmark state their verdicts from a run's metrics.
What the reference READMEs 001-004 reported is stated once, in notebooks 30 and 31."""

TARGETS = {"lenet5-classic": 0.989, "lenet5-modern": 0.995, "lenet5-numpy": 0.985}  # test accuracy, full profile
# issue 14's single-digit reader: MNIST test accuracy of one model, its parameters, its training on 2 CPU cores
READER_TARGETS = {"test_acc": 0.997, "params": 1_000_000, "train_seconds": 20 * 60}


def target_check(metrics: dict) -> str:
    """Whether a run meets its model's test-accuracy target (targets are for the full profile)."""
    target = TARGETS[metrics["model"]]
    verdict = "met" if metrics["test_acc"] >= target else "NOT met"
    note = "" if metrics["profile"] == "full" else f" (a {metrics['profile']} run: the target is for full)"
    return f"{metrics['model']}: {100 * metrics['test_acc']:.2f}% vs target {100 * target:.1f}%: {verdict}{note}"

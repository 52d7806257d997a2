"""Markdown the notebooks display: what a version is, and what a run showed beside the original."""
from IPython.display import Markdown

from . import profiles
from .versions import table


def version_card(version: int) -> Markdown:
    """The registry row of a version as a short table."""
    row = next(r for r in table() if r["version"] == version)
    keys = ["datasets", "convs", "fcs", "act", "bn", "dropout", "optimizer", "digit_probs", "batch",
            "samples_per_epoch", "epochs"]
    return Markdown("| " + " | ".join(keys) + " |\n|" + "---|" * len(keys) + "\n| "
                    + " | ".join(str(row[k]) for k in keys) + " |")


def comparison(results) -> Markdown:
    """What each run gave next to what the original README reported, with the profile's caveat."""
    lines = ["| run | profile | seed | samples seen | test acc | 1/2/3-digit acc | test loss | train loss (last 50) "
             "| original acc | original loss |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        m = r.metrics
        name = f"v{m['version']}{m['dataset']}" + (" +wrap" if m["preprocessing"].endswith("+wrap") else "")
        orig = (f"{m['reported_acc']}%", f"{m['reported_loss']:g}") if m["reported_acc"] is not None else ("–", "–")
        lines.append(f"| {name} | {m['profile']} | {m['seed']} | {m['epochs'] * m['samples_per_epoch']:,} "
                     f"| {m['test_acc']:.2%} | {m['acc_1digit']:.1%} / {m['acc_2digit']:.1%} / {m['acc_3digit']:.1%} "
                     f"| {m['test_loss']:.3f} | {m['train_loss_final']:.3f} | {orig[0]} | {orig[1]} |")
    profile = results[0].metrics["profile"]
    notes = [""]
    if profile != "full":
        notes.append(f"Profile `{profile}`: {profiles.get(profile).purpose}. Its accuracies sit far below the "
                     "original's, which trained on the full recipe; compare versions with each other at the same "
                     "profile, and the `full` profile with the original.")
    if any(r.metrics["dataset"] == "C" for r in results):
        notes.append("The original's C numbers came from its wrap-around pipeline (pitfall 1); rows without "
                     "`+wrap` use the correct C images.")
    notes.append("The original's accuracy is floor-rounded, from one unseeded run; its loss is a training loss "
                 "(the mean of the last 50 batches, as `train loss (last 50)` here).")
    return Markdown("\n".join(lines + notes))


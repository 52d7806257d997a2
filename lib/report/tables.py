"""Markdown the notebooks display: what a version is, and what a run showed beside the original
or beside the previous version."""
import json

from IPython.display import Markdown

from ..study import profiles
from ..study.experiment import state_files
from ..study.run_key import RunKey
from ..infra.paths import RECORD_DIR, relative
from ..study.versions import ORIGINAL_LAST, get, table


def label(result) -> str:
    """A run's short name in legends: v7W, v5C +wrap, with its seed."""
    return result.key.label


def checkpoints(results):
    """Where each run's weights are, or that the run is shown from its record without them."""
    for r in results:
        path = state_files(r.metrics["profile"], r.run_dir.name)["model"]
        size = f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else "not on this machine (shown from the record)"
        print(f"{label(r)}: {relative(path)}, {size}")


def version_card(version: int) -> Markdown:
    """The registry row of a version as a short table."""
    row = next(r for r in table() if r["version"] == version)
    keys = ["datasets", "convs", "fcs", "act", "bn", "dropout", "optimizer", "digit_probs", "batch",
            "samples_per_epoch", "epochs"]
    if version > ORIGINAL_LAST:
        keys = ["datasets", "input", "head", "convs", "fcs", "bn", "dropout", "optimizer", "schedule", "augment",
                "batch", "samples_per_epoch", "epochs"]
    return Markdown("| " + " | ".join(keys) + " |\n|" + "---|" * len(keys) + "\n| "
                    + " | ".join(str(row[k]) for k in keys) + " |")


def comparison(results) -> Markdown:
    """What each run gave next to what the original README reported, with the profile's caveat."""
    lines = ["| run | profile | seed | samples seen | test acc | 1/2/3-digit acc | test loss | train loss (last 50) "
             "| original acc | original loss |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        m = r.metrics
        name = r.key.family
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
    if any(r.key.wrap for r in results):
        notes.append("The original's C numbers came from its wrap-around pipeline (bug 1 in `docs/original_study.md`); rows without "
                     "`+wrap` use the correct C images.")
    notes.append("The original's accuracy is floor-rounded, from one unseeded run; its loss is a training loss "
                 "(the mean of the last 50 batches, as `train loss (last 50)` here).")
    return Markdown("\n".join(lines + notes))



def _row(m: dict, name: str) -> str:
    return (f"| {name} | {m['params']:,} | {m['test_acc']:.2%} | {m['acc_1digit']:.1%} / {m['acc_2digit']:.1%} / "
            f"{m['acc_3digit']:.1%} | {m.get('robust_test_acc', float('nan')):.2%} "
            f"| {m.get('acc_heldout', float('nan')):.2%} | {m['test_loss']:.3f} | {m['train_seconds']:.0f} |")


def against(results, previous: int, runs_dir=RECORD_DIR) -> Markdown:
    """Each run beside the same run (profile, dataset, seed) of the previous version, read from its
    metrics.json: one change, measured against the version it changed."""
    lines = ["| run | params | test acc | 1/2/3-digit acc | robust acc | held-out numbers acc | test loss "
             "| train s |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    missing = []
    for r in results:
        m = r.metrics
        before = runs_dir / m["profile"] / RunKey(previous, m["dataset"], m["seed"]).name / "metrics.json"
        if before.is_file():
            lines.append(_row(json.loads(before.read_text()), f"v{previous}{m['dataset']} (before)"))
        else:
            missing.append(f"v{previous}{m['dataset']} seed {m['seed']} ({m['profile']})")
        lines.append(_row(m, f"**v{m['version']}{m['dataset']}**"))
    notes = ["", f"Profile `{results[0].metrics['profile']}`, seeds as listed in each run's metrics. "
             "`robust acc`: the robust test set (digits moved by up to 4 px across and 3 px up or down). "
             "`held-out numbers acc`: the 10% of numbers that a held-out split never trains on; these runs "
             "trained on all numbers, so it is their accuracy on ordinary numbers too."]
    if missing:
        notes.append(f"No finished run to compare with for {', '.join(missing)}: run that version's notebook first.")
    return Markdown("\n".join(lines + notes))


def unseen(results, runs_dir=RECORD_DIR) -> Markdown:
    """Accuracy on numbers seen in training and on the held-out numbers, for runs on the held-out split,
    beside the same version trained on every number."""
    lines = ["| version | head | trained on | seen numbers acc | held-out numbers acc | all test numbers acc |",
             "|---|---|---|---:|---:|---:|"]
    for r in results:
        m = r.metrics
        same = runs_dir / m["profile"] / RunKey(m["version"], m["dataset"], m["seed"]).name / "metrics.json"
        head = get(m["version"]).head
        for trained, mm in (("all numbers", json.loads(same.read_text()) if same.is_file() else None),
                            ("all but the held-out 10%", m)):
            if mm is not None:
                seen, held = (mm.get(k, float("nan")) for k in ("acc_seen", "acc_heldout"))  # nan: run predates them
                lines.append(f"| v{m['version']}{m['dataset']} | {head} | {trained} | {seen:.2%} "
                             f"| {held:.2%} | {mm['test_acc']:.2%} |")
    return Markdown("\n".join(lines + ["", f"Profile `{results[0].metrics['profile']}`; held-out numbers: "
                                       "`lib.data.splits.held_out()` (100 of 0–999, fixed)."]))


def robustness(frame) -> Markdown:
    """Clean and robust test accuracy of every run in a results frame that has both."""
    lines = ["| run | profile | seeds | test acc | robust acc | change | robust 1/2/3-digit |",
             "|---|---|---:|---:|---:|---:|---|"]
    part = frame.dropna(subset=["robust_test_acc"])
    for (profile, version, dataset, prep), g in part.groupby(["profile", "version", "dataset", "preprocessing"],
                                                             sort=False):
        clean, robust = g["test_acc"].mean(), g["robust_test_acc"].mean()
        digits = " / ".join(f"{g[f'robust_acc_{n}digit'].mean():.1%}" for n in (1, 2, 3))
        lines.append(f"| {RunKey.of(g.iloc[0].to_dict()).family} | {profile} | {len(g)} "
                     f"| {clean:.2%} | {robust:.2%} | {100 * (robust - clean):+.1f} pts | {digits} |")
    return Markdown("\n".join(lines))

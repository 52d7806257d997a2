"""Markdown the notebooks display: what a version is, what its runs showed beside the version it changed and
beside the original, and the closing "what this run showed" that every version notebook ends with.

Every number here is read from the runs' records; the verdicts (seed noise, reproduction) follow the
rules of lib/report/compare.py, which the tables state where they use them.
"""

from IPython.display import Markdown

from ..infra.paths import RECORD_DIR, relative
from ..study import heads, profiles
from ..study.experiment import state_files
from ..study.run_key import RunKey
from ..study.versions import ORIGINAL_LAST, get, table
from . import compare
from .shown import needs_runs

SHARED_CPU = 0.2  # other processes kept more cores than this busy on average while a run trained


def label(result) -> str:
    """A run's short name in legends: v7W, v5C +wrap, with its seed."""
    return result.key.label


def shared_mark(others, device) -> str:
    """How a training time is marked: other processes busy beside it make it an upper bound. On a GPU they
    are other runs trained side by side on the same card (tools/train_queue.py --workers)."""
    if others is None or others != others:  # not measured (NaN in a table)
        return " (?)"
    if others <= SHARED_CPU:
        return ""
    return " (shared GPU)" if device == "cuda" else " (shared CPU)"


def train_seconds(m: dict) -> str:
    """Training time, marked when other processes shared the machine (it is then an upper bound)."""
    return f"{m['train_seconds']:.0f}{shared_mark(m.get('train_others_cores'), m.get('device'))}"


def loss_note(version: int) -> str:
    return heads.loss_name(get(version))


def checkpoints(results):
    """Where each run's weights are, or that the run is shown from its record without them."""
    for r in results:
        path = state_files(r.metrics["profile"], r.run_dir.name)["model"]
        size = (
            f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else "not on this machine (shown from the record)"
        )
        print(f"{label(r)}: {relative(path)}, {size}")


def version_card(version: int, profile: str) -> Markdown:
    """The registry row of a version as a short table, and what this profile runs of its recipe."""
    row = next(r for r in table() if r["version"] == version)
    keys = ["datasets", "convs", "fcs", "act", "bn", "dropout", "optimizer", "digit_probs", "batch"]
    if version > ORIGINAL_LAST:
        keys = [
            "datasets",
            "input",
            "head",
            "convs",
            "fcs",
            "bn",
            "dropout",
            "optimizer",
            "schedule",
            "augment",
            "batch",
        ]
    epochs, samples = profiles.schedule(profile, get(version))
    keys_shown = keys + ["recipe: epochs × samples", f"this run ({profile}): epochs × samples"]
    values = [str(row[k]) for k in keys] + [
        f"{row['epochs']} × {row['samples_per_epoch']:,}",
        f"{epochs} × {samples:,}",
    ]
    return Markdown(
        "| " + " | ".join(keys_shown) + " |\n|" + "---|" * len(keys_shown) + "\n| " + " | ".join(values) + " |"
    )


def _families(results) -> dict:
    """Results grouped by run family (the key without its seed), in order."""
    groups = {}
    for r in results:
        groups.setdefault(r.key.family, []).append(r)
    return groups


@needs_runs
def against_original(results) -> Markdown:
    """Each run family beside what the original reported; at profile full, whether it reproduces."""
    profile = results[0].metrics["profile"]
    lines = [
        "| run | seeds | samples seen | test acc | 1 / 2 / 3-digit | train loss¹ | original acc | original loss "
        "| verdict |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for family, rs in _families(results).items():
        m = rs[0].metrics
        acc = compare.Seeds([r.metrics["test_acc"] for r in rs])
        digits = " / ".join(f"{compare.Seeds([r.metrics[f'acc_{n}digit'] for r in rs]).mean:.1%}" for n in (1, 2, 3))
        loss = compare.Seeds([r.metrics["train_loss_final"] for r in rs]).text(pct=False)
        rep_acc, rep_loss = m.get("reported_acc"), m.get("reported_loss")
        if rep_acc is None:
            verdict = "the original did not run this"
        elif profile == "full":
            verdict = compare.reproduction_text(acc.mean, rep_acc)
        else:
            verdict = (
                f"not comparable: profile {profile} trains on {profiles.get(profile).sample_scale:.3g} of the samples"
            )
        lines.append(
            f"| {family} | {acc.n} | {m['epochs'] * m['samples_per_epoch']:,} | {acc.text()} | {digits} "
            f"| {loss} | {'–' if rep_acc is None else f'{rep_acc}%'} | {'–' if rep_loss is None else f'{rep_loss:g}'} "
            f"| {verdict} |"
        )
    notes = [
        "",
        f"¹ {loss_note(results[0].metrics['version'])}, mean of the last 50 batches of training. The "
        'original\'s "loss" is undefined in its README; reading it as the same quantity is our assumption '
        "(`docs/original_study.md`, bug 6).",
        "The original's accuracies are floor-rounded, from one unseeded run; a run reproduces one when ours lies "
        f'within {compare.REPRODUCE_MARGIN:g} point of its range ("98" = 98.00–98.99%).',
    ]
    if any(r.key.wrap for r in results):
        notes.append(
            "The original's C figures came from its wrap-around pipeline (bug 1 in `docs/original_study.md`): "
            "the `+wrap` rows reproduce it, the others use correct images."
        )
    return Markdown("\n".join(lines + notes))


def _metric_row(name: str, ms: list, keys: tuple) -> str:
    cells = []
    for k in keys:
        values = [m[k] for m in ms if m.get(k) is not None]
        cells.append(compare.Seeds(values).text() if values else "–")
    return f"| {name} | {len(ms)} | " + " | ".join(cells) + " |"


ROW_KEYS = ("val_acc", "test_acc", "acc_1digit", "acc_2digit", "acc_3digit", "robust_test_acc")


@needs_runs
def against_parent(results, parent: int, record_dir=RECORD_DIR) -> Markdown:
    """Each run family beside the same family of the parent version at the same profile (every seed found)."""
    profile = results[0].metrics["profile"]
    lines = [
        "| run | seeds | val acc | test acc | 1-digit | 2-digit | 3-digit | robust acc¹ |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = [""]
    for family, rs in _families(results).items():
        key = rs[0].key
        before = compare.seed_records(RunKey(parent, key.dataset, 0, key.wrap, key.split), profile, record_dir)
        if before:
            lines.append(_metric_row(f"v{parent}{key.dataset} (parent)", before, ROW_KEYS))
        elif key.dataset not in get(parent).datasets:
            notes.append(
                f"Version {parent} was not trained on {key.dataset}, so {family} has no parent run to compare with."
            )
        else:
            notes.append(f"No finished v{parent}{key.dataset} run at profile {profile} to compare {family} with.")
        lines.append(_metric_row(f"**{family}**", [r.metrics for r in rs], ROW_KEYS))
    notes.append(
        f"Profile `{profile}`. ¹ The robust set moves each digit by up to 4 px across and 3 px up or down; it is "
        "in distribution for versions trained with layout shifts (17 and later)."
    )
    return Markdown("\n".join(lines + notes))


@needs_runs
def what_it_showed(results, parent: int | None, finding: str = "", record_dir=RECORD_DIR) -> Markdown:
    """The closing section: the change against the parent version and against the original, from the records,
    each set against seed noise; then the written reading of the result, where it needs one."""
    profile = results[0].metrics["profile"]
    out = []
    for family, rs in _families(results).items():
        key = rs[0].key
        ours = [r.metrics["test_acc"] for r in rs]
        parts = []
        if parent:
            before = compare.seed_records(RunKey(parent, key.dataset, 0, key.wrap, key.split), profile, record_dir)
            if before:
                d = compare.difference(ours, [m["test_acc"] for m in before], profile, record_dir)
                parts.append(f"against version {parent} ({d.base.text()}): {d.text()}")
        rep = rs[0].metrics.get("reported_acc")
        if rep is not None and profile == "full":
            parts.append(f"against the original's {rep}%: {compare.reproduction_text(compare.Seeds(ours).mean, rep)}")
        elif rep is not None:
            parts.append(
                f"the original's {rep}% was reached with its full recipe; profile `{profile}` is compared "
                "with itself, not with it"
            )
        out.append(
            f"- **{family}**: test accuracy {compare.Seeds(ours).text()}"
            + ("; " + "; ".join(parts) if parts else "")
            + "."
        )
    rule = (
        "A difference is *larger than seed noise* when it exceeds twice its standard error, from the seeds "
        "shown, or from the most-seeded run of this profile where they are fewer (`lib/report/compare.py`)."
    )
    text = "\n".join(out + ["", rule])
    if finding:
        text += f"\n\n**Reading.** {finding}"
    return Markdown(text)


@needs_runs
def unseen(results, record_dir=RECORD_DIR) -> Markdown:
    """Numbers never seen in training against numbers seen, per digit count and averaged per number (so the one
    held-out 1-digit number does not weigh 38%): runs trained without the held-out numbers only."""
    if not results:
        return Markdown("No run trained without the held-out numbers at this profile.")
    suffixes = ("", "_1digit", "_2digit", "_3digit", "_per_number")
    lines = [
        "| run | head | part | all samples | 1-digit | 2-digit | 3-digit | mean per number |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        m = r.metrics
        for part, name in (("seen", "seen"), ("heldout", "held out")):
            cells = [m.get(f"acc_{part}{s}") for s in suffixes]
            lines.append(
                f"| {r.key.label} | {get(m['version']).head} | {name} | "
                + " | ".join("–" if c is None else f"{c:.2%}" for c in cells)
                + " |"
            )
    return Markdown(
        "\n".join(
            lines
            + [
                "",
                f"Profile `{results[0].metrics['profile']}`. Held-out numbers: "
                "`lib.data.splits.held_out()` (100 of 0–999, fixed; 1, 5 and 94 of 1, 2 and 3 "
                "digits). Only runs trained without them are shown: for other runs these "
                "numbers were ordinary training numbers. Runs recorded before seen numbers were scored per digit "
                "count show – there.",
            ]
        )
    )


def robustness(frame) -> Markdown:
    """Clean and robust test accuracy of every run in a results frame that has both."""
    lines = [
        "| run | profile | seeds | test acc | robust acc | change | robust 1/2/3-digit |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    part = frame.dropna(subset=["robust_test_acc"])
    for (profile, *_), g in part.groupby(["profile", "version", "dataset", "preprocessing"], sort=False):
        clean, robust = g["test_acc"].mean(), g["robust_test_acc"].mean()
        digits = " / ".join(f"{g[f'robust_acc_{n}digit'].mean():.1%}" for n in (1, 2, 3))
        lines.append(
            f"| {RunKey.of(g.iloc[0].to_dict()).family} | {profile} | {len(g)} "
            f"| {clean:.2%} | {robust:.2%} | {100 * (robust - clean):+.1f} pts | {digits} |"
        )
    return Markdown("\n".join(lines))

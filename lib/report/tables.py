"""Markdown the notebooks display: what a version is, what its runs showed beside the version it changed and
beside the original. The tables of results are res/results.md's (lib/report/summary.py) for a notebook's runs;
every verdict is lib/report/compare.py's.
"""

from IPython.display import Markdown, display

from ..infra.paths import RECORD_DIR, relative
from ..study import heads, profiles
from ..study.experiment import state_files
from ..study.run_key import RunKey
from ..study.versions import ORIGINAL_LAST, get, table
from . import compare, results, summary

NOTHING_YET = (
    "*Nothing to show yet: no run of this notebook has finished at this profile (the runs still to come are "
    "named above).*"
)
ROOT = "../../.."  # the repository root from a rendered notebook (res/rendered/<profile>/)


def nothing_yet(runs) -> bool:
    """True, after a note in place of the table or figure, where no run has finished (run_all.sh --no-train)."""
    if not runs:
        display(Markdown(NOTHING_YET))
    return not runs


def checkpoints(runs):
    """Where each run's weights are, or that the run is shown from its record without them."""
    for r in runs:
        path = state_files(r.metrics["profile"], r.run_dir.name)["model"]
        size = (
            f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else "not on this machine (shown from the record)"
        )
        print(f"{r.key.label}: {relative(path)}, {size}")


def version_card(version: int, profile: str) -> Markdown:
    """The registry row of a version as a short table, and what this profile runs of its recipe."""
    row = next(r for r in table() if r["version"] == version)
    keys = "datasets convs fcs act bn dropout optimizer digit_probs batch".split()  # noqa: SIM905
    if version > ORIGINAL_LAST:
        keys = "datasets input head convs fcs bn dropout optimizer schedule augment batch".split()  # noqa: SIM905
    epochs, samples = profiles.schedule(profile, get(version))
    keys_shown = keys + ["recipe: epochs × samples", f"this run ({profile}): epochs × samples"]
    values = [str(row[k]) for k in keys] + [
        f"{row['epochs']} × {row['samples_per_epoch']:,}",
        f"{epochs} × {samples:,}",
    ]
    return Markdown(
        "| " + " | ".join(keys_shown) + " |\n|" + "---|" * len(keys_shown) + "\n| " + " | ".join(values) + " |"
    )


def against_original(runs) -> Markdown | None:
    """Each run family beside what the original reported: res/results.md's table of the original study."""
    if nothing_yet(runs):
        return None
    frame = results.of_runs(runs)
    lines = summary.original_table(frame, frame["profile"].iloc[0], ROOT)
    return Markdown(
        "\n".join(lines)
        + f"\n\n¹ {heads.loss_name(get(runs[0].metrics['version']))}, mean of the last 50 batches of training. The "
        'original\'s "loss" is undefined in its README; reading it as the same quantity is our assumption '
        "(`docs/original_study.md`, bug 6). The verdicts follow `lib/report/compare.py` (stated in "
        "`res/results.md`); `+wrap` rows use the original's wrap-around images (bug 1)."
    )


def _parent_runs(key: RunKey, parent: int | None, profile: str, record_dir) -> list:
    """The metrics of every seed of the same family of the parent version at this profile."""
    return (
        compare.seed_records(RunKey(parent, key.dataset, 0, key.wrap, key.split), profile, record_dir) if parent else []
    )


def _metric_row(name: str, ms: list) -> str:
    keys = ("val_acc", "test_acc", "acc_1digit", "acc_2digit", "acc_3digit", "robust_test_acc")
    return f"| {name} | {len(ms)} | " + " | ".join(summary.pct([m.get(k) for m in ms]) for k in keys) + " |"


def _by_family(runs) -> dict:
    groups = {}
    for r in runs:
        groups.setdefault(r.key.family, []).append(r)
    return groups


def against_parent(runs, parent: int, record_dir=RECORD_DIR) -> Markdown | None:
    """Each run family beside the same family of the parent version at the same profile (every seed found)."""
    if nothing_yet(runs):
        return None
    profile = runs[0].metrics["profile"]
    lines = [
        "| run | seeds | val acc | test acc | 1-digit | 2-digit | 3-digit | robust acc¹ |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = [""]
    for family, rs in _by_family(runs).items():
        key = rs[0].key
        before = _parent_runs(key, parent, profile, record_dir)
        if before:
            lines.append(_metric_row(f"v{parent}{key.dataset} (parent)", before))
        elif key.dataset not in get(parent).datasets:
            notes.append(
                f"Version {parent} was not trained on {key.dataset}, so {family} has no parent run to compare with."
            )
        else:
            notes.append(f"No finished v{parent}{key.dataset} run at profile {profile} to compare {family} with.")
        lines.append(_metric_row(f"**{family}**", [r.metrics for r in rs]))
    notes.append(
        f"Profile `{profile}`. ¹ The robust set moves each digit by up to 4 px across and 3 px up or down; it is "
        "in distribution for versions trained with layout shifts (17 and later)."
    )
    return Markdown("\n".join(lines + notes))


def what_it_showed(runs, parent: int | None, record_dir=RECORD_DIR) -> Markdown | None:
    """The closing section: each run family against the same family of its parent version and against the
    original, by compare.difference and compare.reproduction."""
    if nothing_yet(runs):
        return None
    profile = runs[0].metrics["profile"]
    verdicts = summary.reproductions(results.of_runs(runs))
    out = []
    for family, rs in _by_family(runs).items():
        ours = [r.metrics["test_acc"] for r in rs]
        parts = []
        before = _parent_runs(rs[0].key, parent, profile, record_dir)
        if before:
            d = compare.difference(ours, [m["test_acc"] for m in before])
            parts.append(f"against version {parent} ({d.base.text()}): {d.text()}")
        rep = rs[0].metrics.get("reported_acc")
        if rep is not None and profile == "full":
            verdict, cause = verdicts[family]
            parts.append(f"against the original's {rep}%: {verdict.text()}" + (f"; {cause}" if cause else ""))
        elif rep is not None:
            parts.append(f"profile `{profile}` is compared with itself, not with the original's {rep}%")
        out.append(
            f"- **{family}**: test accuracy {compare.Seeds(ours).text()}" + "".join(f"; {p}" for p in parts) + "."
        )
    return Markdown(
        "\n".join(out + ["", f"Verdicts: `lib/report/compare.py` ({compare.MIN_SEEDS} seeds a side or none)."])
    )


def unseen(runs) -> Markdown | None:
    """Numbers never seen in training against numbers seen (res/results.md's table): runs trained without the
    held-out numbers only."""
    if nothing_yet(runs):
        return None
    return Markdown("\n".join(summary.unseen_table(results.of_runs(runs))))


def robustness(frame) -> Markdown:
    """Each run family of a results frame (one profile) on every test-set variant: res/results.md's table."""
    part = frame.dropna(subset=["robust_test_acc"])
    if part.empty:
        return Markdown("No run of this profile was scored on the test-set variants.")
    lines = summary.runs_table(part, part["profile"].iloc[0], ROOT)
    return Markdown("\n".join(lines + ["² ³ ⁴: the test-set variants, as `res/results.md` describes them."]))

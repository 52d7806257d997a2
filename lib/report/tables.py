"""Markdown the notebooks display: a version's runs beside its parent and the original, as res/results.md has them."""

import functools

from IPython.display import Markdown, display

from ..data import testsets
from ..infra.paths import RECORD_DIR, relative
from ..study import heads, profiles
from ..study.experiment import state_files
from ..study.run_key import RunKey
from ..study.versions import ORIGINAL_LAST, get, table
from . import compare, results, summary

NOTHING_YET = "*Nothing yet: no run of this notebook has finished at this profile (the runs to come are named above).*"
ROOT = "../../.."  # the repository root from a rendered notebook (res/rendered/<profile>/)


def needs_runs(show):
    """`show` where a run has finished, else a note in its place and None (run_all.sh --no-train renders early)."""

    @functools.wraps(show)
    def shown(runs, *args, **kwargs):
        if runs:
            return show(runs, *args, **kwargs)
        display(Markdown(NOTHING_YET))

    return shown


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
    keys = "datasets input head convs fcs bn dropout optimizer schedule augment batch"
    if version <= ORIGINAL_LAST:
        keys = "datasets convs fcs act bn dropout optimizer digit_probs batch"
    epochs, samples = profiles.schedule(profile, get(version))
    cells = {k: row[k] for k in keys.split()} | {
        "recipe: epochs × samples": f"{row['epochs']} × {row['samples_per_epoch']:,}",
        f"this run ({profile}): epochs × samples": f"{epochs} × {samples:,}",
    }
    return Markdown(f"| {' | '.join(cells)} |\n|{'---|' * len(cells)}\n| {' | '.join(map(str, cells.values()))} |")


@needs_runs
def against_original(runs) -> Markdown | None:
    """Each run family beside what the original reported: res/results.md's table of the original study."""
    frame = results.frame_of((r.metrics, r.run_dir) for r in runs)
    lines = summary.original_table(frame, frame["profile"].iloc[0], ROOT)
    loss = heads.loss_name(get(runs[0].metrics["version"]))
    note = "the original's undefined loss read as this quantity: our assumption, `docs/original_study.md` bug 6"
    return Markdown("\n".join(lines) + f"\n\n¹ {loss}, mean of the last 50 batches of training ({note}).")


METRICS = ("val_acc", "test_acc", "acc_1digit", "acc_2digit", "acc_3digit", "robust_test_acc")


def _metric_row(name: str, ms: list) -> str:
    return f"| {name} | {len(ms)} | " + " | ".join(summary.pct([m.get(k) for m in ms]) for k in METRICS) + " |"


def _with_parent(runs, parent: int | None, record_dir):
    """(family, its key, its seeds' metrics, those of the parent version's same family at this profile) per family."""
    groups = {}
    for r in runs:
        groups.setdefault(r.key.family, []).append(r)
    for family, rs in groups.items():
        k, profile = rs[0].key, rs[0].metrics["profile"]
        before = RunKey(parent, k.dataset, 0, k.wrap, k.split) if parent else None  # version 1 has none
        yield family, k, [r.metrics for r in rs], compare.seed_records(before, profile, record_dir) if before else []


@needs_runs
def against_parent(runs, parent: int, record_dir=RECORD_DIR) -> Markdown | None:
    """Each run family beside the same family of the parent version at the same profile (0 seeds: not run)."""
    profile = runs[0].metrics["profile"]
    lines = ["| run | seeds | val acc | test acc | 1-digit | 2-digit | 3-digit | robust acc¹ |", "|---|" + "---:|" * 7]
    for family, key, ms, before in _with_parent(runs, parent, record_dir):
        lines += [_metric_row(f"v{parent}{key.dataset} (parent)", before), _metric_row(f"**{family}**", ms)]
    robust = testsets.VARIANTS["robust"].description
    return Markdown("\n".join(lines) + f"\n\nProfile `{profile}`. ¹ The robust set: {robust}.")


@needs_runs
def what_it_showed(runs, parent: int | None, record_dir=RECORD_DIR) -> Markdown | None:
    """The closing table: each run family's verdicts against its parent version and the original's figure."""
    profile = runs[0].metrics["profile"]
    verdicts = summary.reproductions(results.frame_of((r.metrics, r.run_dir) for r in runs))
    head = "| run | test acc | against the parent version | on validation, against the parent | against the original |"
    out = [head, "|---|---:|---|---|---|"]
    for family, key, ms, before in _with_parent(runs, parent, record_dir):
        ours = [m["test_acc"] for m in ms]
        d = compare.Difference(ours, [m["test_acc"] for m in before])
        vs_parent = f"v{parent}{key.dataset} {d.base.text()}: {d.text()}" if before else "–"
        val = compare.Difference(
            *([m["val_acc"] for m in side if m.get("val_acc") is not None] for side in (ms, before))
        )
        on_val = f"{val.this.text()} against {val.base.text()}: {val.text()}" if val.base.n and val.this.n else "–"
        rep, verdict = ms[0].get("reported_acc"), verdicts.get(family, (None, ""))[1]
        verdict = verdict if profile == "full" else f"profile `{profile}` is compared with itself"
        vs_original = "–" if rep is None else f"{rep}%: {verdict}"
        out.append(f"| **{family}** | {compare.Seeds(ours).text()} | {vs_parent} | {on_val} | {vs_original} |")
    note = "decisions (the kept version, the decoding) are made on validation; the test set only reports"
    return Markdown(
        "\n".join(out + ["", f"Verdicts: `lib/report/compare.py` ({compare.MIN_SEEDS} seeds a side or none); {note}."])
    )


@needs_runs
def unseen(runs) -> Markdown | None:
    """Numbers never seen in training against numbers seen, for runs trained without the held-out numbers."""
    held = results.frame_of((r.metrics, r.run_dir) for r in runs)
    trained_on = results.collect(profiles=list(held["profile"].unique()))
    return Markdown("\n".join(summary.unseen_table(held) + summary.unseen_control_table(held, trained_on)))


def robustness(frame) -> Markdown:
    """Each run family of a results frame (one profile) on every test-set variant: res/results.md's table."""
    part = frame.dropna(subset=["robust_test_acc"])
    if part.empty:
        return Markdown("No run of this profile was scored on the test-set variants.")
    lines = summary.runs_table(part, part["profile"].iloc[0], ROOT)
    return Markdown("\n".join(lines + ["² ³ ⁴: the test-set variants, as `res/results.md` describes them."]))

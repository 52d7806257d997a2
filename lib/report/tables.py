"""Markdown the notebooks display: what a version is, what its runs showed beside the version it changed and
beside the original, and the closing "what this run showed" that every version notebook ends with.

Every number here is read from the runs' records; the verdicts (seed noise, reproduction) follow the
rules of lib/report/compare.py, which the tables state where they use them.
"""

from IPython.display import Markdown

from ..data.testsets import VARIANTS
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


def _families(results) -> dict:
    """Results grouped by run family (the key without its seed), in order."""
    groups = {}
    for r in results:
        groups.setdefault(r.key.family, []).append(r)
    return groups


@needs_runs
def against_original(results) -> Markdown:
    """Each run family beside what the original reported; at profile full, whether it reproduces
    (compare.reproduction), with the wrap-around bug named where the family's `+wrap` twin reproduces."""
    profile = results[0].metrics["profile"]
    lines = [
        "| run | seeds | samples seen | test acc | 1 / 2 / 3-digit | train loss¹ | original acc | original loss "
        "| verdict |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    families = _families(results)
    for family, rs in families.items():
        m = rs[0].metrics
        acc = compare.Seeds([r.metrics["test_acc"] for r in rs])
        digits = " / ".join(f"{compare.Seeds([r.metrics[f'acc_{n}digit'] for r in rs]).mean:.1%}" for n in (1, 2, 3))
        loss = compare.Seeds([r.metrics["train_loss_final"] for r in rs]).text(pct=False)
        rep_acc, rep_loss = m.get("reported_acc"), m.get("reported_loss")
        if rep_acc is None:
            verdict = "the original did not run this"
        elif profile == "full":
            verdict = _reproduction(family, families, rep_acc)
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
        "(`docs/original_study.md`, bug 6). The verdicts follow `lib/report/compare.py` (stated in "
        "`res/results.md`); `+wrap` rows use the original's wrap-around images (bug 1).",
    ]
    return Markdown("\n".join(lines + notes))


def _reproduction(family: str, families: dict, k: int) -> str:
    """compare.reproduction's verdict of a family, with the wrap-around bug as the cause where its twin shows it."""
    ours = compare.reproduction([r.metrics["test_acc"] for r in families[family]], k)
    twin = families.get(f"{family} +wrap")
    if not ours.reproduced and twin and compare.reproduction([r.metrics["test_acc"] for r in twin], k).reproduced:
        return ours.text() + "; its `+wrap` twin reproduces: the wrap-around bug"
    return ours.text()


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
    """The closing section: each run family against the same family of its parent version and against the
    original, by compare.difference and compare.reproduction; then the written reading, where there is one."""
    profile = results[0].metrics["profile"]
    families = _families(results)
    out = []
    for family, rs in families.items():
        key = rs[0].key
        ours = [r.metrics["test_acc"] for r in rs]
        parts = []
        if parent:
            before = compare.seed_records(RunKey(parent, key.dataset, 0, key.wrap, key.split), profile, record_dir)
            if before:
                d = compare.difference(ours, [m["test_acc"] for m in before])
                parts.append(f"against version {parent} ({d.base.text()}): {d.text()}")
        rep = rs[0].metrics.get("reported_acc")
        if rep is not None and profile == "full":
            parts.append(f"against the original's {rep}%: {_reproduction(family, families, rep)}")
        elif rep is not None:
            parts.append(f"profile `{profile}` is compared with itself, not with the original's {rep}%")
        out.append(
            f"- **{family}**: test accuracy {compare.Seeds(ours).text()}"
            + ("; " + "; ".join(parts) if parts else "")
            + "."
        )
    text = "\n".join(out + ["", f"Verdicts: `lib/report/compare.py` ({compare.MIN_SEEDS} seeds a side or none)."])
    return Markdown(text + (f"\n\n**Reading.** {finding}" if finding else ""))


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


def _pcts(column, fmt=".1%") -> str:
    """The mean of a column as a percentage; – where no run recorded it."""
    return "–" if column.isna().all() else format(column.mean(), fmt)


def robustness(frame) -> Markdown:
    """Clean accuracy and each test-set variant's, with its accuracy per digit count, for every run family in a
    results frame; "–" marks a run recorded before that variant existed (it predates it)."""
    variants = [v for v in VARIANTS if v != "clean"]
    lines = [
        "| run | profile | seeds | test acc | " + " | ".join(f"{v} acc | {v} 1 / 2 / 3-digit" for v in variants) + " |",
        "|---|---|---:|---:|" + "---:|---|" * len(variants),
    ]
    part = frame.dropna(subset=["robust_test_acc"])
    for (profile, *_), g in part.groupby(["profile", "version", "dataset", "preprocessing", "split"], sort=False):
        cells = [
            _pcts(g[f"{v}_test_acc"], ".2%") + " | " + " / ".join(_pcts(g[f"{v}_acc_{n}digit"]) for n in (1, 2, 3))
            for v in variants
        ]
        lines.append(
            f"| {RunKey.of(g.iloc[0].to_dict()).family} | {profile} | {len(g)} | {g['test_acc'].mean():.2%} "
            f"| {' | '.join(cells)} |"
        )
    predate = {v: int(part[f"{v}_test_acc"].isna().sum()) for v in variants}
    lines += [
        "",
        "Runs recorded before a variant existed (shown –): " + ", ".join(f"{v} {n}" for v, n in predate.items()),
    ]
    return Markdown("\n".join(lines))

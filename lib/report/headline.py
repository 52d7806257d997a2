"""The README's first table, computed from the committed records, and the cell formats every table shares."""

import json
from pathlib import Path

import pandas as pd

from ..infra.paths import RES_DIR, ROOT
from ..study import versions
from ..study.run_key import RunKey
from . import compare

STRIP_READERS = (27, 28)  # W readers that find their own digits (CTC over the whole strip)


def md_table(head: str, rows) -> list:
    """Markdown lines: `head` names the columns between `|`, a trailing `:` right-aligns one; rows: `a | b`."""
    names = [n.strip() for n in head.split("|")]
    return [
        f"| {' | '.join(n.removesuffix(':') for n in names)} |",
        "|" + "".join("---:|" if n.endswith(":") else "---|" for n in names),
        *(f"| {r} |" for r in rows),
    ]


def seeds(values) -> compare.Seeds:
    """The recorded values of a column (None and NaN are runs that did not record it)."""
    return compare.Seeds([v for v in values if v is not None and v == v])


def pct(values, as_pct: bool = True, one_seed: str = "") -> str:
    """The seeds' mean ± sd (compare.Seeds), `one_seed` after a single seed; – where none recorded it."""
    s = seeds(values)
    return s.text(as_pct) + one_seed * (s.n == 1) if s.n else "–"


def link(profile: str, notebook: str, root: str = ".") -> str:
    """The rendered notebook at this profile, or its source while no render exists (every table links so)."""
    path = f"res/rendered/{profile}/{Path(notebook).stem}.ipynb"
    if not (ROOT / path).is_file():
        return f"[notebooks/{notebook}]({root}/notebooks/{notebook}) (not rendered at `{profile}` yet)"
    return f"[{path.removeprefix('res/rendered/')}]({root}/{path})"


def _family(frame: pd.DataFrame, profile: str, version: int, dataset: str, split: str = "all") -> pd.DataFrame:
    """The finished runs of one family, on the correct images (no `+wrap`)."""
    rows = frame.query("profile == @profile and version == @version and dataset == @dataset and split == @split")
    return rows[~rows["preprocessing"].astype(str).str.contains("wrap")].dropna(subset=["test_acc"])


def _pct(values) -> str:
    return pct(values, one_seed=" (1 seed)")


def _original_row(frame) -> list:
    v7 = _family(frame, "full", versions.ORIGINAL_KEPT, "W")
    reported = versions.get(versions.ORIGINAL_KEPT).reported["W"].acc
    ours = "not run at `full` yet"
    if len(v7):
        hardware = ", ".join(sorted(set(v7["hardware"].dropna())))
        ours = f"{_pct(v7['test_acc'])} on {hardware}: {compare.Reproduction(v7['test_acc'], reported).text()}"
    return [
        f"The original's kept version {versions.ORIGINAL_KEPT} on W, at its own recipe",
        f"original {reported}% (one run, floor-rounded); our rerun {ours}",
        link("full", "01_cnnW.ipynb"),
    ]


def _best_rows(frame) -> list:
    """Per kept network (versions.BEST): its test accuracy, on numbers never seen, on the variants it was scored on."""
    kept, unseen, ood = [], [], []
    for dataset, version in versions.BEST.items():
        runs, notebook = _family(frame, "cpu", version, dataset), versions.get(version).notebook
        value = f"{_pct(runs['test_acc'])}, {int(runs['params'].iloc[0]):,} parameters" if len(runs) else ""
        what = f"Kept small network on {dataset} (version {version}, profile `cpu`)"
        kept.append([what, value or "no finished run at `cpu` yet", link("cpu", notebook)])
        held = _family(frame, "cpu", version, dataset, split="heldout")
        value = f"{RunKey(version, dataset, split='heldout').family} at `cpu`: queued, no finished run yet"
        if len(held):
            value = (
                f"never seen {_pct(held['acc_heldout_per_number'])} against seen "
                f"{_pct(held['acc_seen_per_number'])} (mean per number)"
            )
        what = f"Numbers never seen in training, {dataset} (version {version})"
        unseen.append([what, value, link("cpu", "35_unseen_and_robust.ipynb")])
        if runs.empty or runs["ood_test_acc"].isna().all():
            continue
        value = f"`ood` {_pct(runs['ood_test_acc'])}, 3-digit numbers {_pct(runs['ood_acc_3digit'])}"
        if runs["curved_test_acc"].notna().any():
            value += f"; `curved` {_pct(runs['curved_test_acc'])}"
        what = (
            f"Out of distribution, {dataset} (version {version}; `ood`: sizes, strokes, touching neighbours; "
            "`curved`: bent baselines, thick strokes)"
        )
        ood.append([what, value, link("cpu", notebook)])
    return kept + unseen + ood


def _strip_rows(frame) -> list:
    rows = []
    for version in STRIP_READERS:
        runs, spec = _family(frame, "cpu", version, "W"), versions.get(version)
        value = "queued at `cpu`, no finished run yet"
        if not runs.empty:
            value = f"clean {_pct(runs['test_acc'])}; `ood` {_pct(runs['ood_test_acc'])}; `curved` {_pct(runs['curved_test_acc'])}"
        what = f"Reads its own digits: version {version} on W ({spec.slug.replace('_', ' ')})"
        rows.append([what, value, link("cpu", spec.notebook)])
    return rows


def speed_row(bench_dir: Path, root: str = ".") -> list:
    record = bench_dir / "time_to_99_cpu.json"
    what = "99% on W within 5 minutes of training on 2 CPU cores (mean of ≥ 5 seeds)"
    if not record.is_file():
        return [what, "no record yet under the validation-first rule", f"[docs/speed.md]({root}/docs/speed.md)"]
    b = json.loads(record.read_text())
    value = (
        f"{b['mean_test_acc']:.2%} ± {b['sd_test_acc'] * 100:.2f} over {len(b['seeds'])} seeds, worst "
        f"{b['worst_seed']['test_acc']:.2%}, at most {b['slowest_train_seconds']:.0f} s each on {b['hardware']}: "
        + ("met" if b["met"] else "not met")
    )
    return [what, value, f"[res/bench/time_to_99_cpu.md]({root}/res/bench/time_to_99_cpu.md)"]


def table(frame: pd.DataFrame, bench_dir=None) -> str:
    """The headline table as Markdown."""
    rows = [_original_row(frame), *_best_rows(frame), *_strip_rows(frame)]
    rows.append(speed_row(Path(bench_dir or RES_DIR / "bench")))
    return "\n".join(md_table("what | result | record", map(" | ".join, rows)))

"""res/results.md: every record, as a reader needs it. The original study at its own recipe comes first, each
run beside the original's figure with a verdict; then the versions past it, the small networks, numbers never
seen in training, the quick record (compared with itself), the single-digit models, and the conclusions.

Every figure is read from the runs' metrics.json (via lib/report/results.py's frame); the verdicts follow
lib/report/compare.py, whose rules the page states.
"""

import json
import math
from pathlib import Path

import pandas as pd

from ..data import testsets
from ..digits.references import READER_TARGETS
from ..infra.paths import RES_DIR
from ..study.plan import QUEUES
from ..study.run_key import RunKey
from ..study.versions import BEST, ORIGINAL_LAST
from . import compare, tables


def _seeds(values) -> compare.Seeds:
    return compare.Seeds([v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))])


def _pct(values) -> str:
    s = _seeds(values)
    return s.text() if s.n else "–"


def _train_s(g: pd.DataFrame) -> str:
    s = _seeds(g["train_seconds"])
    if not s.n:
        return "–"
    devices = g["device"] if "device" in g else [None] * len(g)
    marks = {tables.shared_mark(o, d) for o, d in zip(g["train_others_cores"], devices)}
    mark = next((m for m in (" (?)", " (shared GPU)", " (shared CPU)") if m in marks), "")
    return f"{s.mean:,.0f}{mark}"


def _links(g: pd.DataFrame, profile: str) -> str:
    return (
        ", ".join(sorted({f"[{nb.removesuffix('.ipynb')}](rendered/{profile}/{nb})" for nb in g["notebook"].dropna()}))
        or "–"
    )


def families(part: pd.DataFrame):
    """(run family name, its rows) per version, dataset, wrap and split, in the frame's order."""
    keys = [RunKey.of(row) for row in part.to_dict("records")]
    part = part.assign(_family=[k.family for k in keys])
    return [(name, g) for name, g in part.groupby("_family", sort=False)]


def header(part: pd.DataFrame) -> list:
    return [
        f"- hardware: {', '.join(sorted(part['hardware'].unique()))}",
        f"- precision: {', '.join(sorted(part['precision'].dropna().unique())) or 'fp32 (recorded before precision was)'}",
        f"- code commits: {', '.join(sorted(part['commit'].unique()))}",
        f"- test numbers per run: {', '.join(f'{n:,}' for n in sorted(part['n_test'].unique()))} of the fixed "
        f"{testsets.SIZE:,}",
        "",
    ]


def original_section(frame: pd.DataFrame) -> list:
    """The original study at profile full: each run beside the original's figure, reproduced or not."""
    part = frame[(frame["profile"] == "full") & (frame["version"] <= ORIGINAL_LAST) & (frame["split"] == "all")]
    out = ["## The original study at its own recipe (profile `full`)", ""]
    planned = {k.family for k in QUEUES["full"] if k.version <= ORIGINAL_LAST}
    done = {name for name, _ in families(part)} if not part.empty else set()
    if part.empty:
        return out + ["No run of the full record has finished yet (`tools/train_queue.py` trains them).", ""]
    out += header(part)
    out += [
        "| run | params | seeds | test acc | original | verdict | 1 / 2 / 3-digit | train loss¹ | original loss "
        "| train s | notebook |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---|",
    ]
    for name, g in families(part):
        first = g.iloc[0]
        acc = _seeds(g["test_acc"])
        rep, rep_loss = first["seed_reported_acc"], first["seed_reported_loss"]
        verdict = "–" if pd.isna(rep) else compare.reproduction_text(acc.mean, round(100 * rep))
        digits = " / ".join(f"{_seeds(g[f'acc_{n}digit']).mean:.1%}" for n in (1, 2, 3))
        out.append(
            f"| {name} | {first['params']:,} | {acc.n} | {acc.text()} | "
            f"{'–' if pd.isna(rep) else f'{round(100 * rep)}%'} | {verdict} | {digits} "
            f"| {_seeds(g['train_loss_final']).text(pct=False)} "
            f"| {'–' if pd.isna(rep_loss) else f'{rep_loss:g}'} "
            f"| {_train_s(g)} | {_links(g, 'full')} |"
        )
    pending = sorted(planned - done)
    out += [
        "",
        "¹ 1000-way cross-entropy, mean of the last 50 training batches; reading the original's undefined "
        '"loss" as this quantity is our assumption (`docs/original_study.md`, bug 6).',
    ]
    if pending:
        out.append(f"Not finished yet at profile full (the training queue trains them): {', '.join(pending)}.")
    return out + [""]


def runs_table(part: pd.DataFrame, profile: str, variants=("robust", "ood")) -> list:
    """One row per run family: parameters, seeds, validation and test accuracy, the test-set variants."""
    marks = {"robust": "robust²", "ood": "ood³"}
    head = "| run | params | seeds | val acc | test acc | 1 / 2 / 3-digit | " + " | ".join(marks[v] for v in variants)
    out = [head + " | train s | notebook |", "|---|---:|---:|---:|---:|---|" + "---:|" * (len(variants) + 1) + "---|"]
    for name, g in families(part):
        digits = " / ".join(f"{_seeds(g[f'acc_{n}digit']).mean:.2%}" for n in (1, 2, 3))
        cells = " | ".join(_pct(g[f"{v}_test_acc"]) for v in variants)
        out.append(
            f"| {name} | {g.iloc[0]['params']:,} | {len(g)} | {_pct(g['val_acc'])} | {_pct(g['test_acc'])} "
            f"| {digits} | {cells} | {_train_s(g)} | {_links(g, profile)} |"
        )
    return out + [""]


def beyond_section(frame: pd.DataFrame, profile: str, title: str) -> list:
    """Versions past the original at one profile: validation (what choices use) and test, robust and ood."""
    part = frame[(frame["profile"] == profile) & (frame["version"] > ORIGINAL_LAST) & (frame["split"] == "all")]
    if part.empty:
        return []
    return [f"## {title}", ""] + header(part) + runs_table(part, profile)


def unseen_section(frame: pd.DataFrame) -> list:
    """Runs trained without the held-out numbers, and only those: accuracy on numbers never seen."""
    part = frame[frame["split"] == "heldout"]
    if part.empty:
        return []
    out = [
        "## Numbers never seen in training",
        "",
        "Only runs trained without the 100 held-out numbers (1, 5 and 94 of 1, 2 and 3 digits) are shown; the "
        "one 1-digit number carries many test samples, so accuracy is also given per digit count and as a mean "
        "over numbers.",
        "",
        "Each cell: seen numbers, then held-out numbers (mean ± sd over seeds). Seen per digit count and per "
        "number are recorded by runs from this round on; earlier runs show –.",
        "",
        "| run | profile | seeds | all samples | 1-digit | 2-digit | 3-digit | mean per number |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for profile, by_profile in part.groupby("profile", sort=False):
        for name, g in families(by_profile):
            suffixes = ("", "_1digit", "_2digit", "_3digit", "_per_number")
            cells = [f"{_pct(g.get(f'acc_seen{s}', []))} / {_pct(g[f'acc_heldout{s}'])}" for s in suffixes]
            out.append(f"| {name} | {profile} | {len(g)} | " + " | ".join(cells) + " |")
    return out + [""]


def quick_section(frame: pd.DataFrame) -> list:
    part = frame[(frame["profile"] == "quick") & (frame["split"] == "all")]
    if part.empty:
        return []
    out = [
        "## The quick record: the whole study at 1/50 of the samples, compared with itself",
        "",
        "Profile `quick` trains every version on 1/50 of its recipe's samples and tests on a fixed 15,000 of the "
        "test numbers. It compares versions with each other at the same size, never with the original, which "
        "used the full recipe.",
        "",
    ] + header(part)
    return out + runs_table(part, "quick", variants=("robust",))


def kept_reader(single: pd.DataFrame | None):
    """(model, profile, p): the digit reader (else the single-digit model) with the best mean validation
    accuracy, its p; an exact tie goes to the earlier model (one run each: no seed noise to weigh). None
    without single-digit runs."""
    if single is None or single.empty:
        return None
    readers = single[single["model"].str.startswith("reader-")]
    single = single if readers.empty else readers
    column = "best_val_acc" if single["best_val_acc"].notna().any() else "test_acc"
    means = single.groupby(["model", "profile"], sort=False)[column].mean()  # in the models' order
    (model, profile), p = means.idxmax(), float(means.max())
    return model, profile, p


def expected_from_digits(single: pd.DataFrame | None):
    """(model, p) of kept_reader: with independent errors an n-digit number is read right about p**n of the
    time; None without single-digit runs."""
    kept = kept_reader(single)
    return kept and (f"{kept[0]} ({kept[1]}, validation)", kept[2])


def _setting(value) -> str:
    """A setting as it was given on the command line (JSON turns tuples into lists)."""
    return repr(tuple(value)) if isinstance(value, list) else repr(value)


def other_targets(single: pd.DataFrame | None, bench_dir=None) -> list:
    """Issue 14's targets besides the numbers: the digit reader kept on validation against READER_TARGETS,
    and the time-to-99% benchmark's record; each with its gap, from the records alone."""
    out = []
    kept = kept_reader(single)
    if kept and kept[0].startswith("reader-"):
        model, profile, p = kept
        runs = single[(single["model"] == model) & (single["profile"] == profile)]
        acc, params, seconds = runs["test_acc"].mean(), int(runs["params"].iloc[0]), runs["train_seconds"].mean()
        goal = READER_TARGETS
        gap = 100 * (goal["test_acc"] - acc)
        short = [f"gap {gap:.2f} points"] if gap > 0 else []
        if params > goal["params"]:
            short.append("too many parameters")
        if seconds > goal["train_seconds"]:
            short.append("trained too long")
        out.append(
            f"- **Single-digit reader** (≥ {goal['test_acc']:.1%} on the MNIST test set, one model ≤ "
            f"{goal['params']:,} parameters, ≤ {goal['train_seconds'] // 60} min of training on 2 CPU cores): the "
            f"reader first on validation, {model} ({profile}, {len(runs)} run{'s' * (len(runs) != 1)}, validation "
            f"{p:.2%}), reads {acc:.2%} of the test digits with {params:,} parameters in {seconds:,.0f} s of "
            f"training: {'not met, ' + ', '.join(short) if short else 'met'}."
        )
    record = Path(bench_dir or RES_DIR / "bench") / "time_to_99_cpu.json"
    if record.is_file():
        b = json.loads(record.read_text())
        last = b["per_epoch"][-1]
        reached = b["reached_at_seconds"]
        out.append(
            f"- **Speed** ({b['target']:.0%} on {b['dataset']} within {b['limit_seconds']:.0f} s of training on "
            f"{b['hardware']}; `bench/time_to_accuracy.py`, record `res/bench/time_to_99_cpu.md`): version "
            f"{b['version']}, {b['epochs']} epochs × {b['samples_per_epoch']:,} numbers"
            + (f" ({', '.join(f'{k}={_setting(v)}' for k, v in b['settings'].items())})" if b.get("settings") else "")
            + ": "
            + (
                f"reached {b['target']:.0%} after {reached:.0f} s (seed {b['seed']}, one run): "
                f"{'met' if b['met'] else 'not met'}"
                if reached
                else f"{last.get('acc', last.get('test_acc')):.2%} after {last['train_seconds']:.0f} s: not met"
            )
            + "."
        )
    return out


def notes() -> list:
    return [
        "How to read these tables:",
        "",
        f"- The original's accuracies are floor-rounded percentages from one unseeded run; a run reproduces one "
        f'when ours lies within {compare.REPRODUCE_MARGIN:g} point of its range ("98" = 98.00–98.99%).',
        "- `±` is the standard deviation over seeds. A difference is larger than seed noise when it exceeds twice "
        "its standard error (`lib/report/compare.py`).",
        "- ² `robust`: the same numbers, each digit moved by up to 4 px across and 3 px up or down: in "
        "distribution for versions trained with layout shifts (17 and later). ³ `ood`: digits scaled "
        "0.75–1.25, strokes 1 px thinner or thicker, moved up to 8 px across and 6 px up or down, touching "
        "neighbours on W: beyond every training augmentation. `–`: recorded before the variant existed.",
        "- `train s` marked *(shared CPU)*: other processes kept CPU busy during that training, so the time is "
        "an upper bound; *(shared GPU)*: other runs trained side by side on the same GPU (how the full "
        "record was made: README), so the time is that run's share of the card; *(?)*: recorded before this was "
        "measured. Clean speeds are in `res/bench/`.",
        "- Choices (the kept version, epochs, hyperparameters) are made on `val acc`, the fixed validation "
        "numbers made of MNIST train digits that no training draws; the test set is read once per finished run.",
        "",
    ]


def markdown(frame: pd.DataFrame, single: pd.DataFrame | None, single_digit_markdown, conclusions: str = "") -> str:
    out = [
        "# Results: numbers 0–999",
        "",
        "Generated by `notebooks/90_results.ipynb` from `res/runs/*/*/metrics.json`; do not edit by hand. "
        "Each run links to the rendered notebook that shows it.",
        "",
    ] + notes()
    out += original_section(frame)
    out += beyond_section(frame, "full", "Past the original, like for like with version 7 (profile `full`)")
    out += beyond_section(
        frame,
        "cpu",
        "Small networks on 2 CPU cores (profile `cpu`; the committed weights are "
        + ", ".join(f"version {v}'s on {d}" for d, v in BEST.items())
        + ")",
    )
    out += unseen_section(frame)
    out += quick_section(frame)
    expected = expected_from_digits(single)
    if expected:
        model, p = expected
        out += [
            "## Single-digit models",
            "",
            f"A number is right only when all its digits are. With per-digit accuracy p and independent errors, "
            f"n-digit numbers are read right about p^n of the time: an expectation, not a bound. With p = {p:.2%} "
            f"from {model}: p = {p:.2%}, p² = {p**2:.2%}, p³ = {p**3:.2%}.",
            "",
            single_digit_markdown(single),
        ]
    if conclusions:
        out += ["## Conclusions", "", conclusions, ""]
    return "\n".join(out)


TARGETS = {"test_acc": 0.995, "acc_3digit": 0.988}  # issue 14, on W and C, mean of 3 seeds
MAX_PARAMS = 1_000_000  # per model


def _candidates(frame: pd.DataFrame, profile: str) -> pd.DataFrame:
    """The runs that compete to be kept: versions past the original at a profile, on all numbers."""
    return frame[(frame["profile"] == profile) & (frame["version"] > ORIGINAL_LAST) & (frame["split"] == "all")]


def validation_ranking(frame: pd.DataFrame, profile: str) -> pd.DataFrame:
    """Versions past the original at a profile, per dataset, ranked by mean validation accuracy over their seeds
    (`val_seeds`: those with a validation figure); `eligible` marks those within the parameter budget."""
    table = (
        _candidates(frame, profile)
        .groupby(["version", "dataset"])
        .agg(
            val_acc=("val_acc", "mean"),
            seeds=("seed", "count"),
            val_seeds=("val_acc", "count"),
            params=("params", "first"),
        )
        .reset_index()
    )
    table["eligible"] = table["params"] <= MAX_PARAMS
    # best validation first; a tie goes to the smaller network, then the earlier version
    return table.sort_values(["dataset", "val_acc", "params", "version"], ascending=[False, False, True, True])


def seed_noise(frame: pd.DataFrame, profile: str) -> float:
    """The spread of validation accuracy between seeds of one network: the standard deviation pooled over the
    candidate versions (past the original) of a profile run with two seeds or more; 0 while none has."""
    runs = _candidates(frame, profile).dropna(subset=["val_acc"])
    groups = [g["val_acc"] for _, g in runs.groupby(["version", "dataset", "preprocessing"]) if len(g) >= 2]
    dof = sum(len(g) - 1 for g in groups)
    return math.sqrt(sum(((g - g.mean()) ** 2).sum() for g in groups) / dof) if dof else 0.0


def kept_on_validation(frame: pd.DataFrame, profile: str = "cpu") -> dict:
    """dataset -> the kept version, what versions.BEST must name. Of the versions within the parameter budget,
    those whose mean validation accuracy is below the first's by no more than seed noise (compare.beyond_noise,
    with seed_noise's spread) read as well as it; of those the smallest network, then the earliest version (the
    fewest changes), is kept: a newer network of the same size, or a larger one, must lead by more than seed noise;
    a smaller one need only be level."""
    ranked = validation_ranking(frame, profile)
    ranked = ranked[ranked["eligible"] & ranked["val_acc"].notna()]
    noise = seed_noise(frame, profile)
    kept = {}
    for dataset, g in ranked.groupby("dataset", sort=False):
        level = g[[not _behind(g.iloc[0], r, noise) for r in g.itertuples()]]
        kept[dataset] = int(level.sort_values(["params", "version"]).iloc[0]["version"])
    return kept


def _behind(first, row, noise: float) -> bool:
    """Whether a ranked row reads fewer validation numbers than the first by more than seed noise."""
    return compare.beyond_noise(first["val_acc"] - row.val_acc, noise, int(first["val_seeds"]), int(row.val_seeds))


def best_network(frame: pd.DataFrame, single: pd.DataFrame | None = None) -> str:
    """The kept version of each dataset (versions.BEST, whose weights are committed) at the largest profile it
    ran, against the targets, with the digit expectation p, p², p³ beside it; then every version past the
    original at that profile ranked by validation, the ground on which BEST is chosen."""
    rows = []
    for dataset, version in BEST.items():
        part = frame[(frame["version"] == version) & (frame["dataset"] == dataset) & (frame["split"] == "all")]
        if not part.empty:
            profile = next(p for p in ("full", "cpu", "quick", "smoke") if (part["profile"] == p).any())
            rows.append((dataset, version, profile, part[part["profile"] == profile]))
    if not rows:
        return "No run of the kept versions yet: " + ", ".join(f"v{v} on {d}" for d, v in BEST.items()) + "."
    both = pd.concat([g for *_, g in rows])
    out = [
        f"The kept version of each dataset (`BEST`: {', '.join(f'{d} v{v}' for d, v in BEST.items())}), at the "
        f"largest profile it ran ({', '.join(sorted(both['hardware'].unique()))}; commits "
        f"{', '.join(sorted(both['commit'].unique()))}). Targets: test accuracy ≥ {TARGETS['test_acc']:.1%} and "
        f"3-digit ≥ {TARGETS['acc_3digit']:.1%}, mean of 3 seeds, ≤ {MAX_PARAMS:,} parameters per model.",
        "",
        "| dataset | version | profile | params | seeds | val acc | test acc | target | 1 / 2 / 3-digit "
        "| 3-digit target | robust | ood |",
        "|---|---:|---|---:|---:|---:|---:|---|---|---|---:|---:|",
    ]
    for dataset, version, profile, g in rows:
        acc, three = _seeds(g["test_acc"]), _seeds(g["acc_3digit"])
        seeds = len(g) if int(g["params"].max()) <= MAX_PARAMS else 0

        def verdict(value, target, seeds=seeds):
            gap = 100 * (target - value)
            met = "met" if value >= target else f"not met, gap {gap:.{2 if gap >= 0.01 else 3}f} points"
            return met + ("" if seeds >= 3 else f" ({seeds} seed{'s' * (seeds != 1)} of 3)")

        digits = " / ".join(f"{_seeds(g[f'acc_{n}digit']).mean:.2%}" for n in (1, 2, 3))
        out.append(
            f"| {dataset} | {version} | `{profile}` | {int(g['params'].iloc[0]):,} | {len(g)} | {_pct(g['val_acc'])} "
            f"| {acc.text()} | {verdict(acc.mean, TARGETS['test_acc'])} | {digits} "
            f"| {verdict(three.mean, TARGETS['acc_3digit'])} | {_pct(g['robust_test_acc'])} | {_pct(g['ood_test_acc'])} |"
        )
    expected = expected_from_digits(single)
    if expected:
        model, p = expected
        out += [
            "",
            f"Expected from the best single-digit reader's validation accuracy p = {p:.2%} ({model}) with "
            f"independent digit errors: 1 / 2 / 3-digit {p:.2%} / {p**2:.2%} / {p**3:.2%}.",
        ]
    others = other_targets(single)
    if others:
        out += ["", "The other targets:", "", *others]
    profile = rows[0][2]
    table, noise = validation_ranking(frame, profile), seed_noise(frame, profile)
    if not table.empty:
        out += [
            "",
            f"Versions past the original at profile `{profile}`, ranked by mean validation accuracy over their "
            f"seeds. Of the networks within {MAX_PARAMS:,} parameters, those below the first by no more than seed "
            f"noise read as well as it (twice the standard error of the difference; between seeds of one network "
            f"validation accuracy spreads by {noise:.3%}, pooled over the versions run with several seeds), and of "
            "those the smallest network, then the earliest version, is kept (bold): a newer version of the same "
            "size, or a larger one, must lead by more than seed noise, a smaller one need only be level. The "
            "choice is made here, never on the test set.",
            "",
            "| dataset | version | params | seeds | val acc | below the first |",
            "|---|---:|---:|---:|---:|---|",
        ]
        first = table[table["eligible"] & table["val_acc"].notna()].groupby("dataset").first()  # ranked order

        def below(r):
            if not r.eligible or pd.isna(r.val_acc) or r.dataset not in first.index:
                return "–"
            lead = first.loc[r.dataset]
            if lead["version"] == r.version:
                return "first"
            gap = f"{100 * (lead['val_acc'] - r.val_acc):.2f} points"
            return gap if _behind(lead, r, noise) else gap + ", within seed noise"

        out += [
            f"| {r.dataset} | {'**' + str(r.version) + '**' if BEST.get(r.dataset) == r.version else r.version} "
            f"| {r.params:,}{'' if r.eligible else ' (over budget)'} | {r.seeds} "
            f"| {'–' if pd.isna(r.val_acc) else f'{r.val_acc:.2%}'} | {below(r)} |"
            for r in table.itertuples()
        ]
    return "\n".join(out)


def conclusions_facts(frame: pd.DataFrame) -> str:
    """What the records say, counted from them: how much of the original study reproduced, how large the
    seed noise is, and what the versions past it changed."""
    out = []
    full = frame[(frame["profile"] == "full") & (frame["version"] <= ORIGINAL_LAST) & (frame["split"] == "all")]
    verdicts = {}
    for name, g in families(full) if not full.empty else []:
        rep = g.iloc[0]["seed_reported_acc"]
        ours = _seeds(g["test_acc"]).mean
        verdicts[name] = (
            None if pd.isna(rep) else (compare.reproduction(ours, round(100 * rep))[0], ours, round(100 * rep))
        )
    planned = len({k.family for k in QUEUES["full"] if k.version <= ORIGINAL_LAST})
    compared = {n: v for n, v in verdicts.items() if v is not None}
    if compared:
        ok = [n for n, (good, *_) in compared.items() if good]
        bad = {n: v for n, v in compared.items() if not v[0]}
        text = (
            f"- **Reproduction at the original's recipe:** {len(verdicts)} of the {planned} runs of the full "
            f"record have finished, {len(compared)} of them with a figure of the original; {len(ok)} reproduce it "
            f"within {compare.REPRODUCE_MARGIN:g} point"
        )
        if bad:
            listed = ", ".join(f"{n} ({100 * acc:.1f}% against {rep}%)" for n, (_, acc, rep) in bad.items())
            text += f"; {len(bad)} do not: {listed}"
            twins = [n for n in bad if compared.get(f"{n} +wrap", (False,))[0]]
            if len(twins) == len(bad):
                text += (
                    ". Each of these uses correct C images, and its `+wrap` twin (the original's images) reproduces: "
                    "the gap is the wrap-around bug, not the recipe"
                )
        out.append(text + ".")
    else:
        out.append(
            f"- **Reproduction at the original's recipe:** none of the {planned} runs of the full record "
            "has finished yet."
        )
    for profile in ("full", "quick"):
        std, source = compare.reference_noise(profile)
        if std is not None:
            out.append(
                f"- **Seed noise ({profile}):** test accuracy varies by {100 * std:.2f} points (std, {source}); "
                "differences between versions smaller than about twice that are not evidence of a change."
            )
    return "\n".join(out)

"""res/results.md: every record, as a reader needs it, filled into results_page.md (the page's prose). The
tables are built here, once, and the notebooks show the same ones (lib/report/tables.py); every verdict is
compare.py's. What the records show is written in docs/conclusions.md, which the page links.
"""

import math
from pathlib import Path

import pandas as pd

from ..data import testsets
from ..digits.references import READER_TARGETS
from ..infra import provenance
from ..infra.paths import RES_DIR
from ..study import profiles
from ..study.plan import QUEUES
from ..study.run_key import RunKey
from ..study.versions import BEST, ORIGINAL_LAST
from . import compare, headline

PAGE = Path(__file__).with_name("results_page.md")
VARIANT_MARKS = {"robust": "²", "ood": "³", "curved": "⁴"}  # every variant but clean; – where a run predates it
SHARED_CPU = 0.2  # other processes kept more cores than this busy on average while a run trained


def seeds(values) -> compare.Seeds:
    """The recorded values of a column (None and NaN are runs that did not record it)."""
    return compare.Seeds([v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))])


def pct(values) -> str:
    s = seeds(values)
    return s.text() if s.n else "–"


def _digits(g: pd.DataFrame, prefix: str = "") -> str:
    """Mean accuracy on 1-, 2- and 3-digit numbers, e.g. `99.9 / 98.1 / 97.0`; – where not recorded."""
    means = [seeds(g.get(f"{prefix}acc_{n}digit", [])) for n in (1, 2, 3)]
    return " / ".join(f"{100 * s.mean:.1f}" if s.n else "–" for s in means)


def shared_mark(others, device) -> str:
    """How a training time is marked: other processes busy beside it make it an upper bound. On a GPU they
    are other runs trained side by side on the same card (tools/train_queue.py --workers)."""
    if others is None or others != others:  # not measured (NaN in a table)
        return " (?)"
    if others <= SHARED_CPU:
        return ""
    return " (shared GPU)" if device == "cuda" else " (shared CPU)"


def _train_s(g: pd.DataFrame) -> str:
    s = seeds(g["train_seconds"])
    if not s.n:
        return "–"
    marks = {shared_mark(o, d) for o, d in zip(g["train_others_cores"], g.get("device", [None] * len(g)))}
    mark = next((m for m in (" (?)", " (shared GPU)", " (shared CPU)") if m in marks), "")
    return f"{s.mean:,.0f}{mark}"


def _links(g: pd.DataFrame, profile: str, root: str) -> str:
    """The rendered notebooks that show a run family, or their sources while not rendered at this profile."""
    names = sorted({nb.removesuffix(".ipynb") for nb in g["notebook"].dropna()})
    links = [
        f"[{n}]({root}/res/rendered/{profile}/{n}.ipynb)"
        if (RES_DIR / "rendered" / profile / f"{n}.ipynb").is_file()
        else f"[{n}]({root}/notebooks/{n}.ipynb) (not rendered yet)"
        for n in names
    ]
    return ", ".join(links) or "–"


def families(part: pd.DataFrame):
    """(run family name, its rows) per version, dataset, wrap and split, in the frame's order."""
    keys = [RunKey.of(row) for row in part.to_dict("records")]
    part = part.assign(_family=[k.family for k in keys])
    return [(name, g) for name, g in part.groupby("_family", sort=False)]


def header(part: pd.DataFrame) -> list:
    """Where the runs were made: hardware, precision, the code that trained them, torch where it differs from
    requirements.txt's pin, TF32 where it was not off, and how many test numbers each read."""
    commits = sorted(
        {f"{c}" + ("" if c == r else f" (recorded as {r})") for c, r in zip(part["code_commit"], part["commit"])}
    )
    pin = provenance.torch_pin()
    torches = sorted(t for t in part["torch"].dropna().unique() if t.split("+")[0] != pin)
    tf32 = sorted(str(t) for t in part["tf32"].dropna().unique() if t is not False)
    return [
        f"- hardware: {', '.join(sorted(part['hardware'].unique()))}",
        f"- precision: {', '.join(sorted(part['precision'].dropna().unique())) or 'fp32 (recorded before precision was)'}"
        + (f"; TF32: {', '.join(tf32)}" if tf32 else ""),
        f"- code commits: {', '.join(commits)}",
        *([f"- torch: {', '.join(torches)} (requirements.txt pins {pin})"] if torches else []),
        f"- test numbers per run: {', '.join(f'{n:,}' for n in sorted(part['n_test'].unique()))} of the fixed "
        f"{testsets.SIZE:,}",
        "",
    ]


def reproductions(part: pd.DataFrame) -> dict:
    """run family -> (compare.Reproduction, its likely cause or ''), for the families with a figure of the
    original. A correct-image run that misses while its `+wrap` twin (the original's images) reproduces misses
    by the wrap-around bug."""
    found = {
        name: compare.reproduction(g["test_acc"].tolist(), round(100 * g.iloc[0]["seed_reported_acc"]))
        for name, g in families(part)
        if not pd.isna(g.iloc[0]["seed_reported_acc"])
    }
    causes = {}
    for name, r in found.items():
        twin = found.get(f"{name} +wrap")
        wrap = not r.reproduced and twin is not None and twin.reproduced
        causes[name] = (r, "the wrap-around bug: its `+wrap` twin reproduces" if wrap else "")
    return causes


def original_table(part: pd.DataFrame, profile: str, root: str, between=()) -> list:
    """Each run family beside the original's figure; at profile full how many reproduce it, and each verdict
    (other profiles train on fewer samples and are compared with themselves). `between`: lines put between
    the count and the table."""
    verdicts = reproductions(part) if profile == "full" else {}
    out = []
    if verdicts:
        missed = [
            f"{n} ({cause or 'cause not shown by the records'})"
            for n, (r, cause) in verdicts.items()
            if not r.reproduced
        ]
        out += [
            f"**{len(verdicts) - len(missed)} of {len(verdicts)} run families reproduce the original's figure** "
            f"(mean ± 2 sd of their seeds overlaps its range [k, k+1)%; below {compare.MIN_SEEDS} seeds sd is at "
            f"least {100 * compare.SD_FLOOR:.2f} points)" + (f"; not: {', '.join(missed)}." if missed else "."),
            "",
        ]
    table = [
        *between,
        "| run | params | seeds | test acc | original | verdict | 1 / 2 / 3-digit % | train loss¹ | original loss "
        "| train s | notebook |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---|",
    ]
    for name, g in families(part):
        first = g.iloc[0]
        rep, rep_loss = first["seed_reported_acc"], first["seed_reported_loss"]
        verdict = verdicts[name][0].text() if name in verdicts else "–"
        if profile != "full" and not pd.isna(rep):
            verdict = (
                f"not comparable: profile {profile} trains on {profiles.get(profile).sample_scale:.3g} of the samples"
            )
        table.append(
            f"| {name} | {first['params']:,} | {len(g)} | {pct(g['test_acc'])} | "
            f"{'–' if pd.isna(rep) else f'{round(100 * rep)}%'} | {verdict} | {_digits(g)} "
            f"| {seeds(g['train_loss_final']).text(pct=False)} | {'–' if pd.isna(rep_loss) else f'{rep_loss:g}'} "
            f"| {_train_s(g)} | {_links(g, profile, root)} |"
        )
    return out + table


def original_section(frame: pd.DataFrame, root: str = "..") -> list:
    """The original study at profile full: how many runs reproduce, then each beside the original's figure."""
    part = frame[(frame["profile"] == "full") & (frame["version"] <= ORIGINAL_LAST) & (frame["split"] == "all")]
    if part.empty:
        return ["No run of the full record has finished yet (`tools/train_queue.py` trains them).", ""]
    return original_table(part, "full", root, header(part)) + [""]


def not_finished(frame: pd.DataFrame) -> list:
    """The run families of the original study in the full queue without a record yet."""
    part = frame[(frame["profile"] == "full") & (frame["version"] <= ORIGINAL_LAST) & (frame["split"] == "all")]
    return sorted({k.family for k in QUEUES["full"] if k.version <= ORIGINAL_LAST} - {n for n, _ in families(part)})


def runs_table(part: pd.DataFrame, profile: str, root: str = "..", variants=("robust", "ood", "curved")) -> list:
    """One row per run family: parameters, seeds, validation and test accuracy, each test-set variant with its
    accuracy per digit count."""
    cols = "".join(f" {v}{VARIANT_MARKS[v]} | {v} 1 / 2 / 3-digit % |" for v in variants)
    out = [
        f"| run | params | seeds | val acc | test acc | 1 / 2 / 3-digit % |{cols} train s | notebook |",
        "|---|---:|---:|---:|---:|---|" + "---:|---|" * len(variants) + "---:|---|",
    ]
    for name, g in families(part):
        cells = "".join(f" {pct(g[f'{v}_test_acc'])} | {_digits(g, f'{v}_')} |" for v in variants)
        out.append(
            f"| {name} | {g.iloc[0]['params']:,} | {len(g)} | {pct(g['val_acc'])} | {pct(g['test_acc'])} "
            f"| {_digits(g)} |{cells} {_train_s(g)} | {_links(g, profile, root)} |"
        )
    return out + [""]


def _section(part: pd.DataFrame, profile: str, root: str, **variants) -> str:
    """A profile's provenance and its runs table; empty without runs."""
    if part.empty:
        return "No finished run at this profile yet.\n"
    return "\n".join(header(part) + runs_table(part, profile, root, **variants))


def unseen_table(part: pd.DataFrame) -> list:
    """Runs trained without the held-out numbers: each cell seen against held-out numbers."""
    out = [
        "| run | profile | seeds | all samples | 1-digit | 2-digit | 3-digit | mean per number |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for profile, by_profile in part.groupby("profile", sort=False):
        for name, g in families(by_profile):
            suffixes = ("", "_1digit", "_2digit", "_3digit", "_per_number")
            cells = [f"{pct(g.get(f'acc_seen{s}', []))} / {pct(g[f'acc_heldout{s}'])}" for s in suffixes]
            out.append(f"| {name} | {profile} | {len(g)} | " + " | ".join(cells) + " |")
    return out + [""]


def kept_reader(single: pd.DataFrame | None):
    """(model, profile, p): the digit reader (else the single-digit model) with the best mean validation
    accuracy, its p; an exact tie goes to the earlier model. None without single-digit runs."""
    if single is None or single.empty:
        return None
    readers = single[single["model"].str.startswith("reader-")]
    single = single if readers.empty else readers
    column = "best_val_acc" if single["best_val_acc"].notna().any() else "test_acc"
    means = single.groupby(["model", "profile"], sort=False)[column].mean()  # in the models' order
    (model, profile), p = means.idxmax(), float(means.max())
    return model, profile, p


def other_targets(single: pd.DataFrame | None, bench_dir=None, root: str = "..") -> list:
    """Issue 14's targets besides the numbers: the digit reader kept on validation against READER_TARGETS,
    and the time-to-99% benchmark's record; each with its gap."""
    out = []
    kept = kept_reader(single)
    if kept and kept[0].startswith("reader-"):
        model, profile, p = kept
        runs = single[(single["model"] == model) & (single["profile"] == profile)]
        acc, params, seconds = runs["test_acc"].mean(), int(runs["params"].iloc[0]), runs["train_seconds"].mean()
        goal = READER_TARGETS
        short = [f"gap {100 * (goal['test_acc'] - acc):.2f} points"] if acc < goal["test_acc"] else []
        short += ["too many parameters"] if params > goal["params"] else []
        short += ["trained too long"] if seconds > goal["train_seconds"] else []
        out.append(
            f"- **Single-digit reader** (≥ {goal['test_acc']:.1%} on the MNIST test set, one model ≤ "
            f"{goal['params']:,} parameters, ≤ {goal['train_seconds'] // 60} min of training on 2 CPU cores): the "
            f"reader first on validation, {model} ({profile}, {len(runs)} run{'s' * (len(runs) != 1)}, validation "
            f"{p:.2%}), reads {acc:.2%} of the test digits with {params:,} parameters in {seconds:,.0f} s of "
            f"training: {'not met, ' + ', '.join(short) if short else 'met'}."
        )
    what, value, link = headline.speed_row(Path(bench_dir or RES_DIR / "bench"), root)
    out.append(f"- **Speed** ({what}; `bench/time_to_accuracy.py`, {link}): {value}.")
    return out


def _spread(values, as_pct=True) -> str:
    """mean ± sd without the seed count."""
    s = seeds(values)
    return s.text(as_pct).split(" (")[0] if s.n else "–"


def single_digit_table(single: pd.DataFrame) -> list:
    """One row per single-digit model and profile."""
    out = [
        "| model | profile | seeds | params | epochs | test acc | best val acc (epoch) | s / epoch | hardware | commit |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for (model, profile), g in single.groupby(["model", "profile"], sort=False):
        first = g.iloc[0]
        out.append(
            f"| {model} | {profile} | {len(g)} | {first['params']:,} | {first['epochs']} "
            f"| {_spread(g['test_acc'])} | {first['best_val_acc']:.2%} ({first['best_epoch']}) "
            f"| {_spread(g['seconds_per_epoch'], False)} | {first['hardware']} | {first['commit']} |"
        )
    return out


def markdown(frame: pd.DataFrame, single: pd.DataFrame | None, root: str = "..") -> str:
    """The whole page; `root`: the repository root relative to where the page is written (for its links)."""
    by = {p: frame[(frame["profile"] == p) & (frame["split"] == "all")] for p in ("full", "cpu", "quick")}
    pending = not_finished(frame)
    kept = kept_reader(single)
    unseen = frame[frame["split"] == "heldout"]
    return PAGE.read_text().format(
        root=root,
        min_seeds=compare.MIN_SEEDS,
        sd_floor=f"{100 * compare.SD_FLOOR:.2f}",
        variants=" ".join(
            f"{VARIANT_MARKS[n]} `{n}`: {v.description}." for n, v in testsets.VARIANTS.items() if n in VARIANT_MARKS
        ),
        original="\n".join(original_section(frame, root)),
        pending=f"Not finished yet at profile full (the training queue trains them): {', '.join(pending)}.\n"
        if pending
        else "",
        beyond_full=_section(by["full"][by["full"]["version"] > ORIGINAL_LAST], "full", root),
        kept=", ".join(f"version {v}'s on {d}" for d, v in BEST.items()),
        beyond_cpu=_section(by["cpu"][by["cpu"]["version"] > ORIGINAL_LAST], "cpu", root),
        best=best_network(frame, single, root),
        unseen="\n".join(unseen_table(unseen)) if len(unseen) else "No run trained without them yet.\n",
        quick=_section(by["quick"], "quick", root, variants=("robust",)),
        expected=f"p = {kept[2]:.2%} from {kept[0]} ({kept[1]}, validation): p² = {kept[2] ** 2:.2%}, p³ = "
        f"{kept[2] ** 3:.2%}."
        if kept
        else "No single-digit run yet.",
        single="\n".join(single_digit_table(single)) if single is not None else "",
    )


TARGETS = {"test_acc": 0.995, "acc_3digit": 0.988}  # issue 14, on W and C, mean of 3 seeds
MAX_PARAMS = 1_000_000  # per model


def validation_ranking(frame: pd.DataFrame, profile: str) -> pd.DataFrame:
    """Versions past the original at a profile, per dataset, ranked by mean validation accuracy over their seeds
    (`vals`: the seeds' validation accuracies, `val_seeds` their count); `eligible`: within the parameter budget."""
    part = frame[(frame["profile"] == profile) & (frame["version"] > ORIGINAL_LAST) & (frame["split"] == "all")]
    table = (
        part.groupby(["version", "dataset"])
        .agg(
            val_acc=("val_acc", "mean"),
            vals=("val_acc", lambda v: v.dropna().tolist()),
            seeds=("seed", "count"),
            val_seeds=("val_acc", "count"),
            params=("params", "first"),
        )
        .reset_index()
    )
    table["eligible"] = table["params"] <= MAX_PARAMS
    table = table.sort_values(["dataset", "val_acc", "params", "version"], ascending=[False, False, True, True])
    competing = table[table["eligible"] & (table["val_seeds"] >= compare.MIN_SEEDS)]
    return table.assign(competing=table.index.isin(competing.index))


def kept_on_validation(frame: pd.DataFrame, profile: str = "cpu") -> dict:
    """dataset -> the kept version, what versions.BEST must name. Only versions within the parameter budget with
    at least MIN_SEEDS validated seeds compete; an ensemble (version 24) competes on its own runs, each averaging
    a disjoint set of its parent's seeds, so one run of it is one seed. Of the competitors, those not below the
    first beyond seed noise (compare.difference on validation accuracy) read as well as it, and of those the
    smallest network, then the earliest version, is kept. A dataset without a competitor keeps none."""
    kept = {}
    ranked = validation_ranking(frame, profile)
    for dataset, g in ranked[ranked["competing"]].groupby("dataset", sort=False):
        first = g.iloc[0]["vals"]
        level = g[[not compare.difference(r.vals, first).verdict.startswith("lower") for r in g.itertuples()]]
        kept[dataset] = int(level.sort_values(["params", "version"]).iloc[0]["version"])
    return kept


def _target(value: float, target: float, n: int) -> str:
    gap = 100 * (target - value)
    met = "met" if value >= target else f"not met, gap {gap:.{2 if gap >= 0.01 else 3}f} points"
    return met + ("" if n >= 3 else f" ({n} seed{'s' * (n != 1)} of 3)")


def best_network(frame: pd.DataFrame, single: pd.DataFrame | None = None, root: str = "..") -> str:
    """The kept version of each dataset (versions.BEST) at the largest profile it ran, against the targets;
    then every version past the original at that profile ranked by validation, each against the first
    competitor by compare.difference: the ground on which BEST is chosen."""
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
        f"{', '.join(sorted(both['code_commit'].unique()))}). Targets: test accuracy ≥ {TARGETS['test_acc']:.1%} "
        f"and 3-digit ≥ {TARGETS['acc_3digit']:.1%}, mean of 3 seeds, ≤ {MAX_PARAMS:,} parameters per model.",
        "",
        "| dataset | version | profile | params | seeds | val acc | test acc | target | 1 / 2 / 3-digit % "
        "| 3-digit target | robust | ood | ood 1 / 2 / 3-digit % |",
        "|---|---:|---|---:|---:|---:|---:|---|---|---|---:|---:|---|",
    ]
    for dataset, version, profile, g in rows:
        acc, three = seeds(g["test_acc"]), seeds(g["acc_3digit"])
        n = len(g) if int(g["params"].max()) <= MAX_PARAMS else 0
        out.append(
            f"| {dataset} | {version} | `{profile}` | {int(g['params'].iloc[0]):,} | {len(g)} | {pct(g['val_acc'])} "
            f"| {acc.text()} | {_target(acc.mean, TARGETS['test_acc'], n)} | {_digits(g)} "
            f"| {_target(three.mean, TARGETS['acc_3digit'], n)} | {pct(g['robust_test_acc'])} "
            f"| {pct(g['ood_test_acc'])} | {_digits(g, 'ood_')} |"
        )
    kept = kept_reader(single)
    if kept:
        p = kept[2]
        out += [
            "",
            f"Expected from the best single-digit reader's validation accuracy p = {p:.2%} ({kept[0]} "
            f"({kept[1]}, validation)) with independent digit errors: 1 / 2 / 3-digit {p:.2%} / {p**2:.2%} / "
            f"{p**3:.2%}.",
        ]
    out += ["", "The other targets:", "", *other_targets(single, root=root)]
    profile = rows[0][2]
    table = validation_ranking(frame, profile)
    if table.empty:
        return "\n".join(out)
    firsts = table[table["competing"]].groupby("dataset").first()  # the first competitor of each dataset

    def against(r):
        if not r.eligible or r.dataset not in firsts.index:
            return "over budget" if not r.eligible else compare.TOO_FEW
        lead = firsts.loc[r.dataset]
        return "first" if lead["version"] == r.version else compare.difference(r.vals, lead["vals"]).text()

    out += [
        "",
        f"Versions past the original at profile `{profile}`, ranked by mean validation accuracy; the kept "
        "version (bold) follows `summary.kept_on_validation` (its docstring states the rule). Each is set "
        "against the first version that has enough seeds to compete. The test set chooses nothing here.",
        "",
        "| dataset | version | params | seeds | val acc | against the first competitor |",
        "|---|---:|---:|---:|---:|---|",
    ]
    out += [
        f"| {r.dataset} | {'**' + str(r.version) + '**' if BEST.get(r.dataset) == r.version else r.version} "
        f"| {r.params:,} | {r.seeds} | {'–' if pd.isna(r.val_acc) else f'{r.val_acc:.2%}'} | {against(r)} |"
        for r in table.itertuples()
    ]
    return "\n".join(out)

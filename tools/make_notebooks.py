"""Write the study's notebook sources (without outputs) from templates, the version registry and the readings.

Every version notebook comes from one template, so no notebook holds code another holds differently; their
prose comes from lib/study/versions.py (what changed and why) and tools/findings.py (what a record showed).
Run after adding a version or changing a template: `.venv/bin/python tools/make_notebooks.py`; it also writes
the generated parts of the docs (tools/make_docs.py), so a new row needs this one command.
Notebooks 30, 31 and 40 are written by hand.
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.data import testsets  # noqa: E402
from lib.study import profiles, versions  # noqa: E402
from tools import findings, make_docs  # noqa: E402

SETUP = """import sys, pathlib
sys.path.insert(0, str(pathlib.Path.cwd().parent))  # the repository root, so `lib` imports (notebooks run from notebooks/)
{imports}
NOTEBOOK = "{name}"  # recorded with each run, so results link back here"""

PARAMETERS = """profile = "quick"  # run size ({profiles}), lib/study/profiles.py
seeds = 1  # runs per version and dataset: seeds 0 .. seeds-1
device = "auto"  # "cpu", "cuda" or "auto" (cuda when available)
precision = "auto"  # "fp32", "bf16" or "auto" (bf16 where the hardware computes it natively)
force = False  # True: retrain even if a finished run with the same config exists
train = True  # False: show finished runs only, never train (the training queue trains the rest)
progress = "bar"  # "bar" in JupyterLab; run_all.sh passes "lines": one line per epoch"""
RUN_OPTIONS = "device, precision=precision, force=force, train=train, progress=progress, notebook=NOTEBOOK"


def notebook(name, cells):
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    for i, cell in enumerate(nb.cells):
        cell.id = f"{name.split('_')[0]}-{i:02d}"  # stable ids: regenerating changes only what changed
        if cell.cell_type == "code" and cell.source.startswith("profile = "):
            cell.metadata["tags"] = ["parameters"]
    nbformat.write(nb, ROOT / "notebooks" / name)
    return name


def imports(modules: str) -> str:
    """`from lib.<package> import ...` lines for module names, found in whichever package of lib/ holds them."""
    by_package = {}
    for module in (m.strip() for m in modules.split(",")):
        package = next(p.parent.name for p in (ROOT / "lib").glob(f"*/{module}.py"))
        by_package.setdefault(package, []).append(module)
    return "\n".join(f"from lib.{p} import {', '.join(ms)}" for p, ms in by_package.items())


def setup(name, modules):
    return [
        new_code_cell(SETUP.format(imports=imports(modules), name=name)),
        new_code_cell(PARAMETERS.format(profiles=" | ".join(profiles.PROFILES))),
    ]


def version_runs(spec=None):
    """The cells every version notebook shares: train and evaluate its runs (an ensemble: read its members
    together), then their curves and accuracies."""
    if spec is not None and spec.ensemble:
        run_text = (
            f"## Read together\n\nAn ensemble trains nothing of its own: `plan.run_shown` takes {spec.ensemble} "
            f"finished runs of version {spec.parent} (or trains them, like its notebook would), averages their "
            "probabilities, and tests that once on the fixed test set and its variants."
        )
        curves = [
            new_markdown_cell(
                f"Its members' training curves are in version {spec.parent}'s notebook; the ensemble's "
                "validation accuracy is in the tables below."
            )
        ]
    else:
        run_text = (
            "## Train and evaluate\n\n`plan.run_shown` trains each run on fresh numbers from MNIST "
            "train digits (never the validation digits), validating after every epoch, or reuses a "
            "finished run; then tests it once on the fixed test set and its variants. With "
            "`train=False` it shows finished runs only."
        )
        curves = [
            new_markdown_cell(
                "## Training curves\n\nTraining loss and batch accuracy as the network saw them (dropout "
                "on, where the version has dropout), and the error on the fixed validation numbers after "
                "each epoch."
            ),
            new_code_cell("plots.training_curves(results);"),
        ]
    return [
        new_markdown_cell(run_text),
        new_code_cell("results = plan.run_shown(plan.version_runs(VERSION, seeds), profile, " + RUN_OPTIONS + ")"),
        *curves,
        new_markdown_cell(
            "## Accuracy by digit count\n\nA number is right only when every digit is, so longer numbers are harder."
        ),
        new_code_cell("plots.accuracy_by_digits(results);"),
    ]


def closing(v):
    """ "What this run showed": the generated comparison, then the written reading where there is one."""
    cells = [new_markdown_cell("## What this run showed"), new_code_cell("tables.what_it_showed(results, PARENT)")]
    if v in findings.VERSIONS:
        cells.append(new_markdown_cell(f"**Reading.** {findings.VERSIONS[v]}"))
    if v in findings.FULL:
        cells.append(new_markdown_cell(f"**At the original's recipe (profile `full`).** {findings.FULL[v]}"))
    return cells


def ctc_cells():
    """A strip reader's own cells: what it sees column by column, its decodings compared on validation, and
    numbers longer than any it trained on. Each needs the run's model, so a run shown from its record says so."""
    return [
        new_markdown_cell(
            "## What it sees\n\nFor a few `ood` numbers (W neighbours touch, digits moved and rescaled) read "
            "right and a few it fails: the strip, then each column's probabilities of the ten digits and the "
            "blank (–) under the pixels that column reads, and the greedy reading (repeats collapsed, blanks "
            "dropped; a reading that is no number 0–999 counts as wrong)."
        ),
        new_code_cell("plots.column_readings(results, profile);"),
        new_markdown_cell(
            "## Greedy or the best number, chosen on validation\n\nGreedy decoding reads each column's most "
            "probable class; the best number 0–999 sums the CTC probability over every alignment of each "
            "number and takes the most probable. The runs are scored greedily; this compares both on "
            "validation."
        ),
        new_code_cell("strips.decodings(results, profile)"),
        new_markdown_cell(
            "## Numbers longer than it was trained on\n\nWithout retraining: numbers of 1–5 digits made of "
            "MNIST test digits, side by side as in the test set (strips of 4 and 5 digits are 112 and 140 px "
            "wide), read greedily as strings of any length. No 1000-way or 3-position network can name a "
            "4-digit number at all."
        ),
        new_code_cell("strips.longer_numbers(results)"),
    ]


def version_notebook(v):
    """One version: what changed and why, its run, beside its parent and (versions 1-13) the original."""
    spec = versions.get(v)
    ours = v > versions.ORIGINAL_LAST
    if v == 1:
        head = f"**The starting point:** {spec.change}"
    else:
        head = f"**What changed from version {spec.parent}:** {spec.change}"
    if ours:
        head += f"\n\n**Why:** {spec.why}"
    else:
        head += f"\n\n**What the original reported:** {spec.original_note}"
    cells = [
        new_markdown_cell(
            f"# Version {v}: {spec.slug.replace('_', ' ')}\n\n{head}\n\nThe registry row it runs "
            "(`lib/study/versions.py`), and the schedule this profile runs of it:"
        ),
        *setup(spec.notebook, "plan, plots, tables" + (", strips" if spec.head == "ctc" else "")),
        new_code_cell(
            f"VERSION, PARENT = {v}, {spec.parent or None}  # PARENT: the version this one changes\n"
            "tables.version_card(VERSION, profile)"
        ),
    ]
    augmentation = ("augment_digits", "augment_layout", "augment_elastic", "augment_spacing")
    if spec.parent and any(getattr(spec, f) != getattr(versions.get(spec.parent), f) for f in augmentation):
        dataset = "W" if "W" in spec.datasets else spec.datasets[0]  # W shows a digit's shape best
        cells += [
            new_markdown_cell(
                "## What it trains on\n\nThis version changes what the network sees in training: a few "
                "3-digit training numbers as drawn, and three draws of its augmentation of them."
            ),
            new_code_cell(f'plots.augmented_numbers(VERSION, "{dataset}");'),
        ]
    cells += version_runs(spec)
    if spec.parent:
        cells += [
            new_markdown_cell(
                f"## Beside version {spec.parent}\n\nThe same runs of the version this one "
                "changes, at the same profile, read from their records (every seed found)."
            ),
            new_code_cell("tables.against_parent(results, PARENT)"),
        ]
    if not ours:
        cells += [new_markdown_cell("## Beside the original"), new_code_cell("tables.against_original(results)")]
    if spec.head == "digits":
        cells += [
            new_markdown_cell(
                "## Which digits it misreads\n\nWith one head per reading position, the errors "
                "can be read position by position."
            ),
            new_code_cell("plots.digit_confusion(results);"),
        ]
    if spec.head == "ctc":
        cells += ctc_cells()
    cells += [
        new_markdown_cell(
            "## What it still gets wrong\n\nA sample of misclassified test numbers: true → "
            "read (the network's probability for what it read)."
        ),
        new_code_cell("plots.misclassified(results);"),
        *closing(v),
    ]
    if v in versions.BEST.values():
        cells += [
            new_markdown_cell(
                "## Weights\n\nThis version is the one kept on "
                + " and ".join(d for d, kept in versions.BEST.items() if kept == v)
                + " (chosen on validation by the rule stated with the ranking in res/results.md)."
                " Its weights are small enough to commit: of its `full` or "
                "`cpu` runs on that dataset, the seed read best on validation is exported with its checkpoint metadata to "
                "`res/weights/best_<dataset>.pt`, which the predict API, its command line and the "
                "drawing notebook load."
            ),
            new_code_cell(
                "from lib.reading import weights\n"
                "for written in weights.export_best(results, profile):  # of its seeds, the best on validation\n"
                "    print(written)"
            ),
        ]
    return notebook(spec.notebook, cells)


def test_sets():
    name = "00_test_sets.ipynb"
    variants = ", ".join(f"`{v.name}` ({v.description})" for v in testsets.VARIANTS.values())
    cells = [
        new_markdown_cell(
            f"# 00 · The fixed test and validation sets\n\nEvery model in this study is tested on the same sets of "
            f"{testsets.SIZE:,} numbers, one per layout (**W**: digits side by side; **C**: digits as channels): "
            "1,500 numbers per class for 0–9, 167 for 10–99 and 17 for 100–999, as the original. Their digits come "
            "from MNIST *test* images only, drawn uniformly with replacement from a fixed seed. Test-set variants "
            f"draw the same numbers again: {variants}.\n\n"
            f"Every choice (epoch, version, hyperparameters) is made on **validation** numbers instead: "
            f"{testsets.PARTS['val'].size:,} per layout, a third of the test quotas, made of a fixed 5,000 MNIST "
            "*train* images (500 per digit) that no training draw ever uses.\n\n"
            "Each set is stored once as raw uint8 images in one `.npz` under `data/` with a JSON manifest "
            "(format, seed, counts, SHA-256 of the MNIST files); loading verifies it and rebuilds a stale or "
            "damaged set. With `force=True` this notebook rebuilds them all from scratch."
        ),
        *setup(name, "layouts, plots, testsets"),
        new_code_cell(
            "sets = {}\n"
            "for part in testsets.PARTS:\n"
            '    for variant in (testsets.VARIANTS if part == "test" else ["clean"]):\n'
            "        for d in layouts.LAYOUTS:\n"
            "            load = testsets.build if force else testsets.load\n"
            "            sets[part, variant, d] = load(d, variant=variant, part=part)\n"
            "            manifest = testsets.verify(d, variant=variant, part=part)\n"
            '            print(f"{part:4} {variant:6} {d}: {len(sets[part, variant, d]):,} numbers, by digit count "\n'
            "                  f\"{manifest['count_by_digit_count']}, SHA-256 {manifest['file_sha256'][:12]}…\")"
        ),
        new_markdown_cell(
            "## W samples\n\nA W image is 28 pixels high and 28 per digit wide; versions 1–13 see it "
            "squashed to 32×32, so the aspect ratio depends on the digit count (bug 3 in "
            "`docs/original_study.md`)."
        ),
        new_code_cell('plots.sample_grid(sets["test", "clean", "W"]);'),
        new_markdown_cell(
            "## C samples\n\nC holds the digits as channels in reading order: channel 0 is the "
            'leading digit, so "5", "50" and "500" all have a 5 in channel 0 (bug 2 in '
            "`docs/original_study.md`). Channels 0/1/2 are drawn as red/green/blue, then one 2-digit "
            "number channel by channel: its third channel is empty."
        ),
        new_code_cell('plots.sample_grid(sets["test", "clean", "C"]);'),
        new_code_cell(
            'two_digit = int((sets["test", "clean", "C"].ndigits == 2).nonzero()[0])\n'
            'plots.channel_panels(sets["test", "clean", "C"], two_digit);'
        ),
        new_markdown_cell(
            "## The variants on W and C\n\nThe same numbers in each variant (other digit images): `robust` moves "
            "each digit a little, `ood` scales, thickens or thins and moves digits further and, on W, packs "
            "neighbours touching, which moves the 2nd and 3rd digit out of their slots (the variants above)."
        ),
        new_code_cell(
            'plots.test_set_variants({(v, d): sets["test", v, d] for d in layouts.LAYOUTS for v in testsets.VARIANTS});'
        ),
        new_markdown_cell(
            "## Pixel statistics\n\nRaw pixels (0–255, over the digits' own width for W) and the "
            "model input after the original's preprocessing (resize to 32×32, normalise with "
            "0.1307/0.3081). Longer W numbers squashed into 32 pixels carry more ink per pixel; "
            "C's empty channels pull the mean down (they normalise to −0.424)."
        ),
        new_code_cell('testsets.pixel_stats(sets["test", "clean", "W"]).round(3)'),
        new_code_cell('testsets.pixel_stats(sets["test", "clean", "C"]).round(3)'),
    ]
    return notebook(name, cells)


KEPT_INTROS = {
    "01_cnnW.ipynb": "# 01 · cnnW: the kept network (version 7) on W\n\nThe original kept version 7: three conv "
    "blocks (32, 64, 256 channels, 5×5, batch norm), FC 4096→2048→1024→1000 with dropout 0.5 and "
    "0.5, Adam at lr 1e-3, 10 epochs of 150,000 fresh numbers in batches of 64. It reported 98% "
    "(floor-rounded) and a training loss of 0.059. This notebook shows its runs, where they fail, "
    "and how they compare with the original.",
    "02_cnnC.ipynb": "# 02 · cnnC: version 7 on C\n\nThe original's C networks stopped at version 5 (95%), and "
    "their numbers came from a pipeline with a uint8 wrap-around bug: 1- and 2-digit images had "
    "their pixels mapped v → (256 − v) mod 256 (bug 1 in `docs/original_study.md`). Here the kept "
    "network, version 7, is trained on C twice: on correct images, and with the original's "
    "wrap-around (`+wrap`), which measures what the bug cost.",
}


def kept(name):
    cells = [
        new_markdown_cell(KEPT_INTROS[name]),
        *setup(name, "plan, plots, tables"),
        new_code_cell(
            f"PARENT = None  # compared with the original, not with another version\n"
            f"runs = [k.with_seed(s) for k in plan.KEPT_NOTEBOOKS[{name!r}] for s in range(seeds)]\n"
            "results = plan.run_shown(runs, profile, " + RUN_OPTIONS + ")"
        ),
        new_markdown_cell("## Training curves"),
        new_code_cell("plots.training_curves(results);"),
        new_markdown_cell(
            "## Accuracy by digit count\n\nA number is right only when every digit is, so longer "
            "numbers are harder: the original's own logs showed 3-digit numbers as the weakest."
        ),
        new_code_cell("plots.accuracy_by_digits(results);"),
        new_markdown_cell(
            "## What it gets wrong\n\nA sample of misclassified test numbers (first run): true → "
            "read (the network's probability for what it read), then the most frequent confusions and "
            "the error rate at each digit place."
        ),
        new_code_cell("plots.misclassified(results);"),
        new_code_cell("plots.confusions_table(results)"),
        new_code_cell(
            "{tables.label(r): {k: round(r.metrics[k], 4) for k in ('digit_error_hundreds', 'digit_error_tens', "
            "'digit_error_units', 'length_error')} for r in results}"
        ),
        new_markdown_cell("## Beside the original"),
        new_code_cell("tables.against_original(results)"),
        new_markdown_cell("## What this run showed"),
        new_code_cell("tables.what_it_showed(results, PARENT)"),
    ]
    if name in findings.NOTEBOOKS:
        cells.append(new_markdown_cell(f"**Reading.** {findings.NOTEBOOKS[name]}"))
    if name in findings.FULL_NOTEBOOKS:
        cells.append(
            new_markdown_cell(f"**At the original's recipe (profile `full`).** {findings.FULL_NOTEBOOKS[name]}")
        )
    cells += [
        new_markdown_cell(
            "## Weights\n\nEach run's final weights are saved with their metadata (version, dataset, "
            "preprocessing, profile, seed, recipe, commit, test metrics) in `$RUNS_DIR` (default "
            "`runs/`, git-ignored: 48 MB each); `lib.infra.checkpoint.load_into` refuses weights of "
            "another model."
        ),
        new_code_cell("tables.checkpoints(results)"),
    ]
    return notebook(name, cells)


def unseen_and_robust():
    name = "35_unseen_and_robust.ipynb"
    cells = [
        new_markdown_cell(
            "# 35 · Numbers never seen in training, and digits that are not on a grid\n\n"
            "**Unseen numbers.** A fixed 10% of the numbers 0–999 (`lib.data.splits.held_out()`) is kept out of "
            "training; every digit still appears in every reading position among the rest. The test set keeps "
            "them, so a run trained without them is scored on numbers it saw and on numbers it never saw. A "
            "1000-way softmax (version 7) has no reason to give a never-seen class any probability; the "
            "per-position heads (version 15 on) read a number from its digits, so they can name it.\n\n"
            "**Robustness.** The test-set variants draw the same numbers again with other digit images, each digit "
            "moved (`lib.data.testsets.VARIANTS`). The table lists every run of this profile that was scored on "
            "them; runs recorded before a variant existed have none."
        ),
        *setup(name, "plan, plots, results, splits, tables"),
        new_code_cell('held = splits.held_out()\nprint(f"{len(held)} held-out numbers, e.g. {held[:12]}")'),
        new_markdown_cell(
            "## Trained without the held-out numbers\n\n"
            "Which runs, per profile, is data: `lib.study.plan.HELDOUT` (at `quick` the 1000-way softmax v7, the "
            "per-position heads of v15, the small network v19 and the kept version 21; at `cpu` version 21 on W "
            "and C). Each run is read on the numbers it saw and on those it never saw, per digit count and per "
            "number."
        ),
        new_code_cell(
            "keys = plan.heldout_runs(profile, seeds)\n"
            "unseen = plan.run_shown(keys, profile, " + RUN_OPTIONS + ")\n"
            "tables.unseen(unseen)"
        ),
        new_markdown_cell("## Robustness: every run of this profile"),
        new_code_cell('frame = results.collect(profiles=[profile])\ntables.robustness(frame[frame["split"] == "all"])'),
        new_code_cell("plots.robustness_bars(frame, profile);"),
    ]
    if name in findings.NOTEBOOKS:
        cells += [new_markdown_cell("## What this run showed"), new_markdown_cell(findings.NOTEBOOKS[name])]
    return notebook(name, cells)


def digit_reader_notebook():
    name = "32_digit_reader.ipynb"
    cells = [
        new_markdown_cell(
            "# 32 · How well can one digit be read?\n\nA number is right only when all its digits are, so the "
            "ceiling of every 0–999 reader is how well it reads one digit. The versions that read each digit with "
            "one network (encoder `per_digit`, version 20 on) can be trained on single digits too: the same "
            "network with 10 outputs, the version's own optimiser, augmentation and weight average, on the 55,000 "
            "MNIST training digits, choosing its epoch on the 5,000 validation digits that no 0–999 run ever "
            "trains on, then tested once on the 10,000 MNIST test digits. The best validation accuracy among the "
            "versions' readers is the p behind the expectations p, p², p³ in `res/results.md`.\n\nTarget: at "
            "least 99.7% on the MNIST test set as one model of at most 1M parameters, trained in at most 20 "
            "minutes on 2 CPU cores, as measured by "
            f"`bench/digit_reader.py` (`res/bench/digit_reader_v{versions.DIGIT_READER}_cpu.md`)."
        ),
        *setup(name, "digit_plots, reader, versions"),
        new_code_cell(
            f"VERSION = {versions.DIGIT_READER}  # the version whose digit reader this is "
            "(lib/study/versions.py: DIGIT_READER)\n"
            "run = reader.run_reader(VERSION, profile, seeds - 1, device, force=force, progress=progress, train=train)\n"
            "print(versions.get(VERSION).change)"
        ),
        new_markdown_cell("## Training and validation per epoch"),
        new_code_cell("digit_plots.plot_curves(run.epochs, reader.reader_name(VERSION));"),
        new_markdown_cell("## On the MNIST test set\n\nRead once, with the weights of the best validation epoch."),
        new_code_cell(
            "m = run.metrics\n"
            "print(f\"{m['model']}: {m['params']:,} parameters; test accuracy {m['test_acc']:.2%}; best validation \"\n"
            "      f\"{m['best_val_acc']:.2%} at epoch {m['best_epoch']} of {m['epochs']}; {m['train_seconds']:,.0f} s of training\")"
        ),
        new_code_cell("digit_plots.plot_confusion(run.metrics);"),
        new_code_cell("digit_plots.plot_misclassified(run);"),
    ]
    if name in findings.NOTEBOOKS:
        cells += [new_markdown_cell("## What this run showed"), new_markdown_cell(findings.NOTEBOOKS[name])]
    return notebook(name, cells)


def results_notebook():
    name = "90_results.ipynb"
    cells = [
        new_markdown_cell(
            "# 90 · Results\n\nGathers every run's `metrics.json` under `res/runs/` into "
            "`res/results.csv` (one row per run, full precision) and `res/results.md`: the original "
            "study at its own recipe first, each run beside the original's figure with a verdict, then "
            "the versions past it, the small networks, numbers never seen in training, the quick "
            "record (compared with itself) and the single-digit models. It draws accuracy per version "
            "for each profile on its own axes. What the records show is written once, in "
            "`docs/conclusions.md`. A smoke run writes to `res/smoke/` (git-ignored), so a check never "
            "overwrites the record."
        ),
        *setup(name, "atomic, headline, paths, plots, profiles, results"),
        new_code_cell(
            'shown = None if profile == "smoke" else [p for p in profiles.PROFILES if p != "smoke"]\n'
            "frame = results.collect(profiles=shown)\n"
            "single = results.collect_single_digit(profiles=shown)\n"
            "csv_path, md_path = results.write(frame, single, results.output_dir(profile))\n"
            'print(f"{len(frame)} 0-999 runs and {len(single)} single-digit runs -> {paths.relative(md_path)}, "\n'
            '      f"{paths.relative(csv_path)}")'
        ),
        new_markdown_cell(
            "## Accuracy per version\n\nOne figure per profile: a profile is never drawn on the same "
            "axes as another, and the original's floor-rounded figures appear only beside the full "
            "recipe."
        ),
        new_code_cell(
            'for p in frame["profile"].unique():\n'
            "    fig = plots.results_figure(frame, p)\n"
            '    atomic.write_with(results.output_dir(profile) / f"results_{p}.png", '
            'lambda f: fig.savefig(f, format="png", dpi=110))'
        ),
        new_code_cell("from IPython.display import Markdown\nMarkdown(md_path.read_text())"),
        new_markdown_cell(
            "## The headline\n\nThe README's first table, computed from the records above; a run of the record "
            "(not smoke) writes it into the README's generated block."
        ),
        new_code_cell(
            "table = headline.table(frame)\n"
            'if profile != "smoke":\n'
            '    print("README updated" if results.update_readme("headline", table) else "README has no such block")\n'
            "Markdown(table)"
        ),
    ]
    return notebook(name, cells)


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    made = [
        test_sets(),
        *(kept(name) for name in KEPT_INTROS),
        *(version_notebook(v) for v in versions.VERSIONS),
        unseen_and_robust(),
        digit_reader_notebook(),
        results_notebook(),
    ]
    print("\n".join(made))
    make_docs.main()

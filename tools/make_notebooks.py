"""Write the study's notebook sources (without outputs) from templates, the version registry and the readings.

Notebooks come from the Markdown templates in tools/templates/, so no notebook holds code another holds differently; their
prose comes from lib/study/versions.py (what changed and why) and notebooks/readings/ (what a record showed).
Run after adding a version or changing a template: `.venv/bin/python tools/make_notebooks.py`; it also writes
the generated parts of the docs (tools/make_docs.py), so a new row needs this one command.
Notebooks 30, 31 and 40 are written by hand.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.data import testsets  # noqa: E402
from lib.study import plan, profiles, versions  # noqa: E402
from tools import make_docs  # noqa: E402

TEMPLATES = ROOT / "tools" / "templates"

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


def fill(text, values):
    """Put values into a template's `{{name}}` placeholders (braces alone are code and stay)."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: str(values[m[1]]), text)


def reading(name):
    """The notebook's written reading (notebooks/readings/<stem>.md), one Markdown cell per paragraph."""
    path = ROOT / "notebooks" / "readings" / name.replace(".ipynb", ".md")
    return [new_markdown_cell(p) for p in path.read_text().strip().split("\n\n")] if path.exists() else []


def cells(text, name):
    """Markdown to cells: a ```python fence is a code cell, a heading starts a Markdown cell, and
    `<!-- reading -->` is where the notebook's reading goes."""
    out, md, lines = [], [], iter(text.splitlines())

    def flush():
        if "\n".join(md).strip():
            out.append(new_markdown_cell("\n".join(md).strip()))
        md.clear()

    for line in lines:
        if line == "```python":
            flush()
            out.append(new_code_cell("\n".join(iter(lines.__next__, "```"))))
        elif line == "<!-- reading -->":
            flush()
            out += reading(name)
        else:
            if line.startswith("#"):
                flush()
            md.append(line)
    flush()
    return out


def from_template(name, modules, text, **values):
    """A notebook from a template: its first cell, the setup cells, then the rest."""
    first, *rest = cells(fill(text, {"run_options": RUN_OPTIONS, **values}), name)
    return notebook(name, [first, *setup(name, modules), *rest])


def pieces():
    """tools/templates/version.md by piece name; a version notebook is made of the pieces that apply to it."""
    parts = re.split(r"^<!-- piece (\w+) -->\n", (TEMPLATES / "version.md").read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def version_notebook(v):
    """One version: what changed and why, its run, beside its parent and (versions 1-13) the original."""
    spec, piece = versions.get(v), pieces()
    ours = v > versions.ORIGINAL_LAST
    head = (
        f"**The starting point:** {spec.change}"
        if v == 1
        else f"**What changed from version {spec.parent}:** {spec.change}"
    )
    head += f"\n\n**Why:** {spec.why}" if ours else f"\n\n**What the original reported:** {spec.original_note}"
    augmentation = ("augment_digits", "augment_layout", "augment_elastic", "augment_spacing")
    shown = {
        "intro": True,
        "augmented": spec.parent
        and any(getattr(spec, f) != getattr(versions.get(spec.parent), f) for f in augmentation),
        "ensemble": spec.ensemble,
        "train": not spec.ensemble,
        "by_digits": True,
        "parent": spec.parent,
        "original": not ours,
        "digits": spec.head == "digits",
        "ctc": spec.head == "ctc",
        "closing": True,
        "weights": v in versions.BEST.values(),
    }
    text = "".join(piece[p] for p, on in shown.items() if on)
    modules = "plan, plots, tables" + (", strips" if spec.head == "ctc" else "")
    return from_template(
        spec.notebook,
        modules,
        text,
        v=v,
        title=spec.slug.replace("_", " "),
        head=head,
        parent=spec.parent or None,
        ensemble=spec.ensemble,
        dataset="W" if "W" in spec.datasets else spec.datasets[0],  # W shows a digit's shape best
        kept_on=" and ".join(d for d, kept in versions.BEST.items() if kept == v),
    )


def test_sets():
    return from_template(
        "00_test_sets.ipynb",
        "layouts, plots, testsets",
        (TEMPLATES / "00_test_sets.md").read_text(),
        size=f"{testsets.SIZE:,}",
        variants=", ".join(f"`{v.name}` ({v.description})" for v in testsets.VARIANTS.values()),
        val_size=f"{testsets.PARTS['val'].size:,}",
    )


def kept(name):
    intro = (TEMPLATES / name.replace(".ipynb", ".intro.md")).read_text().strip()
    return from_template(
        name, "plan, plots, tables", (TEMPLATES / "kept.md").read_text(), intro=intro, notebook=repr(name)
    )


def static(name, modules, **values):
    return from_template(name, modules, (TEMPLATES / name.replace(".ipynb", ".md")).read_text(), **values)


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    made = [
        test_sets(),
        *(kept(name) for name in plan.KEPT_NOTEBOOKS),
        *(version_notebook(v) for v in versions.VERSIONS),
        static("35_unseen_and_robust.ipynb", "plan, plots, results, splits, tables"),
        static("32_digit_reader.ipynb", "digit_plots, reader, versions", digit_reader=versions.DIGIT_READER),
        static("90_results.ipynb", "atomic, headline, paths, plots, profiles, results"),
    ]
    print("\n".join(made))
    make_docs.main()

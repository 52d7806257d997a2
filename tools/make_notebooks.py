"""Write the notebook sources (no outputs) and the docs' generated tables from the code, so neither can drift.

From tools/templates/, the registry and notebooks/readings/ (30, 31 and 40 are written by hand)."""

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.data import testsets
from lib.infra import atomic
from lib.report.results import fill
from lib.study import models, plan, profiles, versions

TEMPLATES = ROOT / "tools" / "templates"

RUN_OPTIONS = (
    "device, precision=precision, force=force, train=train, rescore=rescore, progress=progress, notebook=NOTEBOOK"
)


def imports(modules: str) -> str:
    """`from lib.<package> import ...` lines for module names, found in whichever package of lib/ holds them."""
    by_package = {}
    for module in (m.strip() for m in modules.split(",")):
        package = next(p.parent.name for p in (ROOT / "lib").glob(f"*/{module}.py"))
        by_package.setdefault(package, []).append(module)
    return "\n".join(f"from lib.{p} import {', '.join(ms)}" for p, ms in by_package.items())


def cells(text, name):
    """Markdown to cells: a ```python fence is a code cell, a heading starts a cell, `<!-- reading -->` the reading
    (notebooks/readings/<stem>.md, a Markdown cell per paragraph)."""
    out, md, lines = [], [], iter(text.splitlines())
    reading = ROOT / "notebooks" / "readings" / name.replace(".ipynb", ".md")

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
            out += [new_markdown_cell(p) for p in reading.read_text().strip().split("\n\n")] if reading.exists() else []
        else:
            if line.startswith("#"):
                flush()
            md.append(line)
    flush()
    return out


def notebook(name, modules, text=None, **values):
    """(name, text) of a notebook from a template whose `{{name}}` placeholders take `values`: its first cell, the
    setup and parameter cells, then the rest; stable cell ids, so regenerating changes only what changed."""
    text = text or template(name.replace(".ipynb", ".md"))
    text = re.sub(r"\{\{(\w+)\}\}", lambda m: str({"run_options": RUN_OPTIONS, **values}[m[1]]), text)
    first, *rest = cells(text, name)
    setup, parameters = re.findall(r"^```python\n(.*?)\n```$", template("setup.md"), flags=re.M | re.S)
    setup = new_code_cell(setup.format(imports=imports(modules), name=name))
    parameters = parameters.format(profiles=" | ".join(profiles.PROFILES))
    parameters = new_code_cell(parameters, metadata={"tags": ["parameters"]})  # papermill sets these
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb = new_notebook(cells=[first, setup, parameters, *rest], metadata={**kernel, "language_info": {"name": "python"}})
    for i, cell in enumerate(nb.cells):
        cell.id = f"{name.split('_')[0]}-{i:02d}"
    return name, nbformat.writes(nb).rstrip("\n") + "\n"  # as nbformat.write writes it


def template(name):
    return (TEMPLATES / name).read_text()


def version_notebook(v):
    """One version's notebook: the pieces of tools/templates/version.md that apply to it."""
    spec = versions.get(v)
    ours = v > versions.ORIGINAL_LAST
    changed = "The starting point" if v == 1 else f"What changed from version {spec.parent}"
    head = f"**{changed}:** {spec.change}\n\n**{'Why' if ours else 'What the original reported'}:** {versions.why(v)}"
    parent = vars(versions.get(spec.parent)) if spec.parent else {}
    optional = {  # the pieces a version may lack; every other piece is in every version notebook
        "augmented": any(value != parent.get(f) for f, value in vars(spec).items() if parent and "augment" in f),
        "ensemble": spec.ensemble,
        "train": not spec.ensemble,
        "parent": spec.parent,
        "original": not ours,
        "digits": spec.head == "digits",
        "ctc": spec.head == "ctc",
        "weights": v in versions.BEST.values(),
    }
    parts = re.split(r"^<!-- piece (\w+) -->\n", template("version.md"), flags=re.M)
    text = "".join(text for name, text in zip(parts[1::2], parts[2::2]) if optional.get(name, True))
    return notebook(
        spec.notebook,
        "plan, plots, tables" + (", strips" if spec.head == "ctc" else ""),
        text,
        v=v,
        title=spec.slug.replace("_", " "),
        head=head,
        parent=spec.parent or None,
        ensemble=spec.ensemble,
        dataset="W" if "W" in spec.datasets else spec.datasets[0],  # W shows a digit's shape best
        kept_on=" and ".join(d for d, kept in versions.BEST.items() if kept == v),
    )


def _summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _table(head: list, rows: list, rule: str = "") -> str:
    """A Markdown table; `rule` aligns its columns (default: left)."""
    lines = [head, *rows]
    text = ["| " + " | ".join(map(str, line)) + " |" for line in lines]
    return "\n".join([text[0], rule or "|---" * len(head) + "|", *text[1:]])


def modules_table() -> str:
    """Every package and module of lib/, from their docstrings."""
    rows = []
    for package in sorted(p for p in (ROOT / "lib").iterdir() if (p / "__init__.py").is_file()):
        rows.append([f"**`lib/{package.name}/`**", f"**{_summary(package / '__init__.py')}**"])
        modules = sorted(m for m in package.glob("*.py") if m.name != "__init__.py")
        rows += [[f"`lib/{package.name}/{m.name}`", _summary(m)] for m in modules]
    return _table(["module", "job"], rows)


def profiles_table() -> str:
    """The run sizes (lib/study/profiles.py); what a profile validates on after each epoch and at the end."""
    limit = lambda n: "all" if n is None else f"a fixed {n:,}"
    rows = []
    for p in profiles.PROFILES.values():
        scale = "the recipe's" if p.sample_scale == 1 else f"1/{round(1 / p.sample_scale)} of the recipe's"
        val = limit(p.val_limit)
        if profiles.final_val_limit(p.name) != p.val_limit:
            val += f" after each epoch; all {testsets.size('val'):,} at the end of a run"
        rows.append([f"`{p.name}`", scale, p.epochs or "the recipe's", limit(p.test_limit), val, p.purpose])
    head = ["profile", "samples per epoch", "epochs", "test numbers", "validation numbers", "for"]
    return _table(head, rows)


def beyond_table() -> str:
    """The versions past the original, from the registry."""
    rows = [
        [v, spec.parent, spec.change, " / ".join(f"{models.count_params(models.build(v, d)):,}" for d in spec.datasets)]
        for v, spec in versions.VERSIONS.items()
        if v > versions.ORIGINAL_LAST
    ]
    return _table(["version", "parent", "change", "params (W / C)"], rows, "|---:|---:|---|---:|")


def versions_table() -> str:
    """The original's versions as versions.table() writes them, with what the original reported."""
    keys = ["convs", "fcs", "act", "bn", "dropout", "optimizer", "digit_probs", "samples_per_epoch", "epochs"]
    rows = [
        [row["version"], row["change"], *(row[k] for k in keys)]
        + [
            "; ".join(
                f"{d}: {r.loss:g}, {r.acc}%, {r.params:,}" for d, r in versions.get(row["version"]).reported.items()
            )
        ]
        for row in versions.table()
        if row["version"] <= versions.ORIGINAL_LAST
    ]
    return _table(["version", "change", *keys, "reported (loss, acc, params)"], rows)


DOCS = {
    "docs/running.md": {"modules": modules_table, "profiles": profiles_table},
    "docs/continue.md": {"beyond": beyond_table},
    "docs/original_study.md": {"versions": versions_table},
}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a notebook or doc is stale")
    check = ap.parse_args().check
    variants = ", ".join(f"`{v.name}` ({v.description})" for v in testsets.VARIANTS.values())
    sizes = dict(size=f"{testsets.SIZE:,}", val_size=f"{testsets.size('val'):,}", variants=variants)
    kept = template("kept.md")
    made = [
        notebook("00_test_sets.ipynb", "layouts, plots, testsets", **sizes),
        *(
            notebook(name, "plan, plots, tables", kept, notebook=repr(name), intro=template(f"{name[:-6]}.intro.md"))
            for name in plan.KEPT_NOTEBOOKS
        ),
        *(version_notebook(v) for v in versions.VERSIONS),
        notebook("35_unseen_and_robust.ipynb", "plan, plots, results, splits, tables, testsets"),
        notebook("32_digit_reader.ipynb", "plots, runs, versions", digit_reader=versions.DIGIT_READER),
        notebook("90_results.ipynb", "atomic, paths, plots, profiles, results, summary"),
    ]
    files = {ROOT / "notebooks" / name: text for name, text in made}
    for file, parts in DOCS.items():
        text = (ROOT / file).read_text()
        for name, make in parts.items():
            text = fill(text, name, make())
        files[ROOT / file] = text
    stale = {path: text for path, text in files.items() if not (path.is_file() and path.read_text() == text)}
    names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
    if check and stale:
        sys.exit(f"out of date: {names}; run .venv/bin/python tools/make_notebooks.py")
    for path, text in stale.items():
        atomic.write_text(path, text)
    print(f"written: {names or 'nothing changed'}")

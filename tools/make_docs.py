"""Write the generated parts of the docs from the code, so they cannot drift.

Each part (PARTS) sits between begin/end markers; the text around it is written by hand.
Usage: .venv/bin/python tools/make_docs.py [--check]   (--check: exit 1 if a part is out of date; CI runs it)
"""

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.data import testsets
from lib.infra import atomic
from lib.study import models, profiles, versions


def _summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.split("\n\n")[0].split())


def modules_table() -> str:
    """Every package and module of lib/, from their docstrings."""
    lines = ["| module | job |", "|---|---|"]
    for package in sorted(p for p in (ROOT / "lib").iterdir() if (p / "__init__.py").is_file()):
        lines.append(f"| **`lib/{package.name}/`** | **{_summary(package / '__init__.py')}** |")
        modules = sorted(m for m in package.glob("*.py") if m.name != "__init__.py")
        lines += [f"| `lib/{package.name}/{m.name}` | {_summary(m)} |" for m in modules]
    return "\n".join(lines)


def _limit(n) -> str:
    return "all" if n is None else f"a fixed {n:,}"


def profiles_table() -> str:
    """The run sizes (lib/study/profiles.py); what a profile validates on after each epoch and at the end."""
    lines = [
        "| profile | samples per epoch | epochs | test numbers | validation numbers | for |",
        "|---|---|---|---|---|---|",
    ]
    for p in profiles.PROFILES.values():
        scale = "the recipe's" if p.sample_scale == 1 else f"1/{round(1 / p.sample_scale)} of the recipe's"
        val = _limit(p.val_limit)
        if profiles.final_val_limit(p.name) != p.val_limit:
            val += f" after each epoch; all {testsets.PARTS['val'].size:,} at the end of a run"
        epochs = p.epochs or "the recipe's"
        lines.append(f"| `{p.name}` | {scale} | {epochs} | {_limit(p.test_limit)} | {val} | {p.purpose} |")
    return "\n".join(lines)


def beyond_table() -> str:
    """The versions past the original, from the registry."""
    lines = ["| version | parent | change | params (W / C) |", "|---:|---:|---|---:|"]
    for v, spec in versions.VERSIONS.items():
        if v > versions.ORIGINAL_LAST:
            params = " / ".join(f"{models.count_params(models.build(v, d)):,}" for d in spec.datasets)
            lines.append(f"| {v} | {spec.parent} | {spec.change} | {params} |")
    return "\n".join(lines)


def versions_table() -> str:
    """The original's versions, from the registry, with what it reported."""
    keys = ["convs", "fcs", "act", "bn", "dropout", "optimizer", "digit_probs", "samples_per_epoch", "epochs"]
    lines = [f"| version | change | {' | '.join(keys)} | reported (loss, acc, params) |", "|---|---|" + "---|" * 10]
    for row in (r for r in versions.table() if r["version"] <= versions.ORIGINAL_LAST):
        reported = versions.get(row["version"]).reported.items()
        reported = "; ".join(f"{d}: {r.loss:g}, {r.acc}%, {r.params:,}" for d, r in reported)
        lines.append(f"| {row['version']} | {row['change']} | {' | '.join(str(row[k]) for k in keys)} | {reported} |")
    return "\n".join(lines)


PARTS = {
    "docs/running.md": {"modules": modules_table, "profiles": profiles_table},
    "docs/continue.md": {"beyond": beyond_table},
    "docs/original_study.md": {"versions": versions_table},
}


def fill(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- {name}:begin (written by tools/make_docs.py) -->", f"<!-- {name}:end -->"
    if begin not in text or end not in text:
        raise SystemExit(f"markers for {name!r} are missing: add the lines\n{begin}\n{end}")
    head, rest = text.split(begin, 1)
    return f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}"


def update(path: Path, text: str, check: bool) -> bool:
    """Whether a generated file differs from `text`; it is written (atomically) unless `check`."""
    if path.is_file() and path.read_text() == text:
        return False
    if not check:
        atomic.write_text(path, text)
    return True


def report(stale: list, check: bool, tool: str) -> int:
    """Say what was written, or with `check` what is stale and how to fix it (exit status 1)."""
    if check and stale:
        print(f"out of date: {', '.join(stale)}; run .venv/bin/python {tool}")
        return 1
    print("written: " + (", ".join(stale) or "nothing changed"))
    return 0


def main(check: bool = False) -> int:
    stale = []
    for file, parts in PARTS.items():
        text = (ROOT / file).read_text()
        for name, make in parts.items():
            text = fill(text, name, make())
        if update(ROOT / file, text, check):
            stale.append(file)
    return report(stale, check, "tools/make_docs.py")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a generated part is stale")
    sys.exit(main(parser.parse_args().check))

"""Write the generated parts of the docs from the code, so they cannot drift.

Each part sits between begin/end markers; the text around it is written by hand. Parts:
  docs/running.md  `modules`   every package and module of lib/, from their docstrings
  docs/running.md  `profiles`  the run sizes, from lib/study/profiles.py
  docs/continue.md `beyond`    the versions past the original, from the registry
  docs/original_study.md `versions`  the original's versions, from the registry (lib/study/versions.py)
Usage: .venv/bin/python tools/make_docs.py [--check]   (--check: exit 1 if a part is out of date; CI runs it)
"""

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.data import testsets  # noqa: E402
from lib.study import models, profiles, versions  # noqa: E402


def _summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.split("\n\n")[0].split())


def modules_table() -> str:
    lines = ["| module | job |", "|---|---|"]
    for package in sorted(p for p in (ROOT / "lib").iterdir() if (p / "__init__.py").is_file()):
        lines.append(f"| **`lib/{package.name}/`** | **{_summary(package / '__init__.py')}** |")
        lines += [
            f"| `lib/{package.name}/{m.name}` | {_summary(m)} |"
            for m in sorted(package.glob("*.py"))
            if m.name != "__init__.py"
        ]
    return "\n".join(lines)


def _validation(p) -> str:
    """What a profile validates on: after each epoch, and at the end of a finished run (final_val_limit)."""
    every, final = p.val_limit, profiles.final_val_limit(p.name)
    if every == final:
        return "all" if every is None else f"a fixed {every:,}"
    return f"a fixed {every:,} after each epoch; all {testsets.PARTS['val'].size:,} at the end of a run"


def profiles_table() -> str:
    lines = [
        "| profile | samples per epoch | epochs | test numbers | validation numbers | for |",
        "|---|---|---|---|---|---|",
    ]
    for p in profiles.PROFILES.values():
        scale = "the recipe's" if p.sample_scale == 1 else f"1/{round(1 / p.sample_scale)} of the recipe's"
        lines.append(
            f"| `{p.name}` | {scale} | {p.epochs or 'the recipe' + chr(39) + 's'} "
            f"| {'all' if p.test_limit is None else f'a fixed {p.test_limit:,}'} "
            f"| {_validation(p)} "
            f"| {p.purpose} |"
        )
    return "\n".join(lines)


def beyond_table() -> str:
    lines = ["| version | parent | change | params (W / C) |", "|---:|---:|---|---:|"]
    for v, spec in versions.VERSIONS.items():
        if v > versions.ORIGINAL_LAST:
            params = " / ".join(f"{models.count_params(models.build(v, d)):,}" for d in spec.datasets)
            lines.append(f"| {v} | {spec.parent} | {spec.change} | {params} |")
    return "\n".join(lines)


def versions_table() -> str:
    keys = ["convs", "fcs", "act", "bn", "dropout", "optimizer", "digit_probs", "samples_per_epoch", "epochs"]
    lines = [
        "| version | change | " + " | ".join(keys) + " | reported (loss, acc, params) |",
        "|---|---|" + "---|" * len(keys) + "---|",
    ]
    for row in versions.table():
        spec = versions.get(row["version"])
        if spec.version <= versions.ORIGINAL_LAST:
            reported = "; ".join(f"{d}: {r.loss:g}, {r.acc}%, {r.params:,}" for d, r in spec.reported.items())
            lines.append(
                f"| {spec.version} | {spec.change} | " + " | ".join(str(row[k]) for k in keys) + f" | {reported} |"
            )
    return "\n".join(lines)


PARTS = [
    (ROOT / "docs" / "running.md", "modules", modules_table),
    (ROOT / "docs" / "running.md", "profiles", profiles_table),
    (ROOT / "docs" / "continue.md", "beyond", beyond_table),
    (ROOT / "docs" / "original_study.md", "versions", versions_table),
]


def markers(name: str) -> tuple:
    return f"<!-- {name}:begin (written by tools/make_docs.py) -->", f"<!-- {name}:end -->"


def fill(text: str, name: str, body: str) -> str:
    begin, end = markers(name)
    if begin not in text or end not in text:
        raise SystemExit(f"markers for {name!r} are missing: add the lines\n{begin}\n{end}")
    head, rest = text.split(begin, 1)
    return f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}"


def main(check: bool = False) -> int:
    stale = []
    for path in dict.fromkeys(p for p, _, _ in PARTS):
        text = path.read_text()
        new = text
        for p, name, make in PARTS:
            if p == path:
                new = fill(new, name, make())
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new)
    if check and stale:
        print(f"out of date: {', '.join(map(str, stale))}; run .venv/bin/python tools/make_docs.py")
        return 1
    print("written: " + (", ".join(map(str, stale)) or "nothing changed"))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a generated part is stale")
    sys.exit(main(parser.parse_args().check))

"""Continuing the study: a duplicate version number or a row without its words fails clearly, and asking a tool for
help writes nothing."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lib.study import versions

ROOT = Path(__file__).resolve().parents[1]
TOOLS = sorted((ROOT / "tools").glob("*.py"))


def _registry_with(line: str):
    """Import lib/study/versions.py with `line` run just before its rows become versions."""
    path = ROOT / "lib/study/versions.py"
    loop = "for _number, _parent, _slug, _changes in _steps:"
    assert loop in path.read_text()
    source = path.read_text().replace(loop, f"{line}\n{loop}")
    names = {"__name__": "lib.study.versions", "__package__": "lib.study", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), names)


def test_a_row_whose_version_number_exists_fails_with_a_clear_error():
    with pytest.raises(ValueError, match="in the registry twice; give the new row the next free number"):
        _registry_with("_steps.append(_steps[-1])")


def test_a_row_without_its_words_fails_naming_the_section_to_write():
    with pytest.raises(ValueError, match=r"versions.md needs a section `## 99 next` with two paragraphs"):
        _registry_with('_steps.append((99, 21, "next", dict(ema=0.99)))')


def test_the_documented_example_row_takes_a_free_number():
    """docs/continue.md's example must still work once the study has grown past its number."""
    doc = (ROOT / "docs/continue.md").read_text()
    row = re.search(r"^    \((\d+), (\d+), \"(\w+)\", (dict\(.*\))\),$", doc, re.M)
    assert row and int(row[1]) not in versions.VERSIONS and int(row[2]) in versions.VERSIONS
    assert f"## {row[1]} {row[3]}" in doc and f"10_v{row[1]}_{row[3]}.ipynb" in doc


def test_every_tool_answers_help_without_writing_anything():
    """All tools at once: each spends its time importing torch, which two cores do side by side."""
    before = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    started = {tool.name: subprocess.Popen([sys.executable, str(tool), "--help"], cwd=ROOT, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE) for tool in TOOLS}  # fmt: skip
    for name, process in started.items():
        out, err = process.communicate()
        assert process.returncode == 0 and out.startswith("usage:"), f"{name}: {err}"
    assert subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout == before

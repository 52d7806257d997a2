"""Continuing the study: a duplicate version number fails clearly, and asking a tool for help writes nothing."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = sorted((ROOT / "tools").glob("*.py"))


def test_a_row_whose_version_number_exists_fails_with_a_clear_error():
    source = (ROOT / "lib/study/versions.py").read_text()
    loop = "for _number, _parent, _slug, _change, _changes in _steps:"
    assert loop in source
    twice = source.replace(loop, f"_steps.append(_steps[-1])\n{loop}")
    with pytest.raises(ValueError, match="in the registry twice; give the new row the next free number"):
        exec(compile(twice, "versions.py", "exec"), {"__name__": "lib.study.versions", "__package__": "lib.study"})


@pytest.mark.parametrize("tool", TOOLS, ids=lambda p: p.name)
def test_every_tool_answers_help_without_writing_anything(tool):
    before = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    done = subprocess.run([sys.executable, str(tool), "--help"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("usage:"), done.stderr
    assert subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout == before

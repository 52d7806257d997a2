"""Every relative link in the committed Markdown (README, docs, the results table) points at a file the
repository has: a link to a record that was never written reads as evidence that does not exist."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCUMENTS = [ROOT / "README.md", ROOT / "res" / "results.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_at_files_the_repository_has(document):
    targets = [t.split("#")[0] for t in LINK.findall(document.read_text()) if "://" not in t and not t.startswith("#")]
    missing = [t for t in targets if t and not (document.parent / t).exists()]
    assert not missing, f"{document.relative_to(ROOT)} links to missing files: {missing}"

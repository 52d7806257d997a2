"""Check rendered notebooks the way a reader meets them: clean outputs, no machine paths, no dead references,
and every version notebook ending with what its run showed.

Usage: .venv/bin/python tools/check_rendered.py res/rendered/smoke [res/rendered/full ...]   (exit 1 on a problem)
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_OUTPUTS = 20  # stored outputs per cell: more means progress-bar refreshes were kept
MACHINE_PATH = re.compile(r"(?<![\w.~$])/(work|tmp|home|root|usr|opt|var)/[\w.-]")
REFERENCE = re.compile(r"(?<![\w/.-])((?:lib|docs|notebooks|res|tools|bench|tests)/[\w./-]*\w)")
GONE = re.compile(r"seed-ablations|shared/seeds|\bpitfall \d")


def _text(output) -> str:
    if "text" in output:
        return "".join(output["text"])
    data = output.get("data", {})
    return "".join("".join(data[k]) for k in ("text/plain", "text/markdown", "text/html") if k in data)


def problems_of(path: Path) -> list:
    nb = json.loads(path.read_text())
    found = []
    for i, cell in enumerate(nb["cells"]):
        outputs = cell.get("outputs", [])
        if len(outputs) > MAX_OUTPUTS:
            found.append(f"cell {i} stores {len(outputs)} outputs (more than {MAX_OUTPUTS})")
        text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else "\n".join(map(_text, outputs))
        if cell["cell_type"] == "code" and MACHINE_PATH.search(text):
            found.append(f"cell {i} shows a machine path: {MACHINE_PATH.search(text).group(0)}…")
        if GONE.search(text):
            found.append(f"cell {i} refers to material outside the repository: {GONE.search(text).group(0)}")
        for ref in REFERENCE.findall(text):
            ref = ref.rstrip(".")
            if any(ch in ref for ch in "*<{") or ref.startswith("res/rendered/") and "/" not in ref[13:]:
                continue
            if not (ROOT / ref).exists() and not list(ROOT.glob(ref + "*")):
                found.append(f"cell {i} refers to {ref}, which the repository lacks")
    if path.name.startswith("10_v"):
        headings = [c for c in nb["cells"] if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")]
        if not any("## What this run showed" in "".join(c["source"]) for c in headings):
            found.append('no "What this run showed" section')
    return found


def main(folders) -> int:
    bad = 0
    for folder in folders:
        for path in sorted(Path(folder).glob("*.ipynb")):
            for problem in problems_of(path):
                print(f"{path}: {problem}")
                bad += 1
    print(f"{bad} problem(s)" if bad else "rendered notebooks read cleanly")
    return 1 if bad else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", default=["res/rendered/smoke"], help="folders of rendered notebooks")
    sys.exit(main(parser.parse_args().folders))

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
    cells, found = json.loads(path.read_text())["cells"], []
    for i, cell in enumerate(cells):
        outputs = cell.get("outputs", [])
        if len(outputs) > MAX_OUTPUTS:
            found.append(f"cell {i} stores {len(outputs)} outputs (more than {MAX_OUTPUTS})")
        text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else "\n".join(map(_text, outputs))
        if cell["cell_type"] == "code" and MACHINE_PATH.search(text):
            found.append(f"cell {i} shows a machine path: {MACHINE_PATH.search(text).group(0)}…")
        if GONE.search(text):
            found.append(f"cell {i} refers to material outside the repository: {GONE.search(text).group(0)}")
        for ref in (r.rstrip(".") for r in REFERENCE.findall(text)):
            if any(ch in ref for ch in "*<{") or ref.startswith("res/rendered/") and "/" not in ref[13:]:
                continue
            if not (ROOT / ref).exists() and not list(ROOT.glob(ref + "*")):
                found.append(f"cell {i} refers to {ref}, which the repository lacks")
    sections = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    if path.name.startswith("10_v") and not any(s.startswith("## What this run showed") for s in sections):
        found.append('no "What this run showed" section')
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", default=["res/rendered/smoke"], help="folders of rendered notebooks")
    problems = [
        f"{p}: {problem}"
        for f in parser.parse_args().folders
        for p in sorted(Path(f).glob("*.ipynb"))
        for problem in problems_of(p)
    ]
    print("\n".join(problems + [f"{len(problems)} problem(s)" if problems else "rendered notebooks read cleanly"]))
    sys.exit(1 if problems else 0)

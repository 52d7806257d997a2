"""Choose the weights people's images are read with on validation pages (res/weights/chosen.json), never on test."""

import argparse
import contextlib
import json

from ..infra import atomic
from ..infra.paths import relative
from ..study.models import count_params
from . import pages, weights
from .digitize import DigitizeError
from .predict import load, predict

CHOICE_PAGES, CHOICE_SEED, CHOICE_ROTATE = 300, 0, 8.0  # validation pages of each kind read by each candidate


def page_accuracies(classifier, written: dict) -> dict:
    """{kind: fraction of pages read right} for {kind: [WrittenNumber, ...]}; a page that cannot be read is wrong."""
    out = {}
    for kind, ws in written.items():
        right = 0
        for w in ws:
            with contextlib.suppress(DigitizeError):
                right += predict(w.image, classifier, top_k=1).number == w.number
        out[kind] = right / len(ws)
    return out


def choose(candidates: list, written: dict) -> tuple:
    """(chosen path, a row per candidate): the best mean accuracy over page kinds; ties: smaller, then earlier."""
    if not candidates:
        raise ValueError(
            f"no candidate weights to choose from: export a finished run first ({weights.WEIGHTS_DIR.name}/)"
        )
    rows = []
    for path in candidates:
        clf = load(path)
        acc = page_accuracies(clf, written)
        row = {"weights": path.name, "version": clf.version, "dataset": clf.dataset, "params": count_params(clf.model)}
        rows.append({**row, **acc, "mean": sum(acc.values()) / len(acc)})
    best = max(range(len(rows)), key=lambda i: (rows[i]["mean"], -rows[i]["params"], -rows[i]["version"]))
    return candidates[best], rows


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=CHOICE_PAGES, help="validation pages of each kind")
    count = ap.parse_args(argv).pages
    written = {
        k: pages.sample(count, CHOICE_SEED, kind=k, source="validation", rotate=CHOICE_ROTATE) for k in pages.KINDS
    }
    chosen, rows = choose(sorted(weights.WEIGHTS_DIR.glob("*.pt")), written)
    choice = {
        "weights": chosen.name,
        "rule": "best mean accuracy over the page kinds; ties: fewer parameters, then the earlier version",
        "pages": {"kinds": list(pages.KINDS), "per_kind": count, "seed": CHOICE_SEED, "rotate": CHOICE_ROTATE},
        "digits": "MNIST train images that are validation digits (lib/data/splits.py), never test digits",
        "candidates": rows,
    }
    atomic.write_text(weights.CHOICE, json.dumps(choice, indent=2) + "\n")
    for row in rows:
        accuracies = ", ".join(f"{kind} {row[kind]:.2%}" for kind in pages.KINDS)
        print(f"{row['weights']}: version {row['version']} {row['dataset']}, {accuracies}")
    print(f"chosen: {chosen.name} ({relative(weights.CHOICE)})")
    return choice


if __name__ == "__main__":
    main()

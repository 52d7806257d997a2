"""The choice of the weights people's images are read with: the candidate in res/weights/ that reads best on
page-like *validation* images (MNIST train digits no network trained on, lib/reading/pages.py), with and without
touching digits; the test set chooses nothing. The choice and every candidate's accuracies go to
res/weights/chosen.json, which lib/reading/weights.default_weights reads.

    python -m lib.reading.choose [--pages N]
"""

import argparse
import contextlib
import json

from ..infra import atomic
from ..infra.paths import relative
from ..study.models import count_params
from . import pages, weights
from .digitize import DigitizeError
from .inference import load
from .predict import predict

KINDS = ("ordinary", "touching")  # page kinds: digits apart (pages.GAPS), digits touching (pages.TOUCHING)
CHOICE_PAGES, CHOICE_SEED, CHOICE_ROTATE = 300, 0, 8.0  # validation pages of each kind read by each candidate


def page_accuracies(classifier, written: dict) -> dict:
    """{kind: fraction of pages read right} for pages {kind: [WrittenNumber, ...]}; a page that cannot be
    read (DigitizeError) is read wrong."""
    out = {}
    for kind, ws in written.items():
        right = 0
        for w in ws:
            with contextlib.suppress(DigitizeError):  # a page that cannot be read is read wrong
                right += predict(w.image, classifier, top_k=1).number == w.number
        out[kind] = right / len(ws)
    return out


def validation_pages(count: int = CHOICE_PAGES, seed: int = CHOICE_SEED, rotate: float = CHOICE_ROTATE) -> dict:
    """{kind: pages} written with validation digits, `count` of each kind in KINDS."""
    images, labels, usable = pages.digit_source("validation")
    return {
        kind: pages.sample(count, seed, images, labels, usable=usable, touching=kind == "touching", rotate=rotate)
        for kind in KINDS
    }


def choose(candidates: list, written: dict) -> tuple:
    """(chosen path, rows): each candidate checkpoint reads the validation pages `written` ({kind: pages});
    the best mean accuracy over the kinds wins, a tie goes to the smaller network, then the earlier version.
    Rows hold each candidate's version, dataset, parameters and accuracies, in the order given."""
    if not candidates:
        raise ValueError(
            f"no candidate weights to choose from: export a finished run first ({weights.WEIGHTS_DIR.name}/)"
        )
    rows = []
    for path in candidates:
        clf = load(path)
        acc = page_accuracies(clf, written)
        rows.append(
            {
                "weights": path.name,
                "version": clf.version,
                "dataset": clf.dataset,
                "params": count_params(clf.model),
                **acc,
                "mean": sum(acc.values()) / len(acc),
            }
        )
    best = max(range(len(rows)), key=lambda i: (rows[i]["mean"], -rows[i]["params"], -rows[i]["version"]))
    return candidates[best], rows


def choose_and_record(count: int = CHOICE_PAGES, seed: int = CHOICE_SEED, record=None) -> dict:
    """Choose among the committed weights (res/weights/*.pt) on validation pages and write the choice."""
    candidates, record = sorted(weights.WEIGHTS_DIR.glob("*.pt")), record or weights.CHOICE
    chosen, rows = choose(candidates, validation_pages(count, seed))
    choice = {
        "weights": chosen.name,
        "rule": "best mean accuracy over the page kinds; ties: fewer parameters, then the earlier version",
        "pages": {"kinds": list(KINDS), "per_kind": count, "seed": seed, "rotate": CHOICE_ROTATE},
        "digits": "MNIST train images that are validation digits (lib/data/splits.py), never test digits",
        "candidates": rows,
    }
    atomic.write_text(record, json.dumps(choice, indent=2) + "\n")
    return choice


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=CHOICE_PAGES, help="validation pages of each kind")
    choice = choose_and_record(ap.parse_args().pages)
    for row in choice["candidates"]:
        print(
            f"{row['weights']}: version {row['version']} {row['dataset']}, "
            + ", ".join(f"{kind} {row[kind]:.2%}" for kind in KINDS)
        )
    print(f"chosen: {choice['weights']} ({relative(weights.CHOICE)})")

"""Accuracy of the predict API on page-like numbers of MNIST test digits; exit 1 when a kind is below --target."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.reading import pages, predict  # noqa: E402
from lib.reading.choose import page_accuracies  # noqa: E402


def check(kind: str, classifier, args) -> float:
    """Read `args.n` pages of `kind`, print and return the accuracy; a page that cannot be read is wrong."""
    written = pages.sample(args.n, seed=args.seed, rotate=args.rotate, kind=kind)
    by_count = {n: ws for n in (1, 2, 3) if (ws := [w for w in written if len(str(w.number)) == n])}
    right = {n: round(a * len(by_count[n])) for n, a in page_accuracies(classifier, by_count).items()}
    accuracy = sum(right.values()) / args.n
    counts = ", ".join(
        f"{n} digit{'s' * (n > 1)} {right[n] / len(by_count[n]):.2%} of {len(by_count[n])}" for n in right
    )
    print(f"{kind} pages: {args.n}, seed {args.seed}: accuracy {accuracy:.2%} ({counts})")
    print(f"{kind} pages, target {args.target:.0%}: {'met' if accuracy >= args.target else 'NOT met'}")
    return accuracy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="how many pages of each kind")
    parser.add_argument("--kinds", nargs="+", choices=pages.KINDS, default=list(pages.KINDS), help="default: both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rotate", type=float, default=8.0, help="largest rotation of a digit, degrees")
    parser.add_argument("--weights", help="a checkpoint (default: the chosen committed network)")
    parser.add_argument("--target", type=float, default=0.95, help="least accuracy on each kind (issue 7's 95%%)")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("n must be at least 1")
    classifier = predict.load(args.weights)
    accuracies = [check(kind, classifier, args) for kind in args.kinds]
    return 0 if min(accuracies) >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())

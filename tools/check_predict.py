"""Accuracy of the predict API on page-like numbers of MNIST test digits; exit 1 when a kind is below --target."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.reading import pages, predict
from lib.reading.choose import page_accuracies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, help="how many pages of each kind")
    parser.add_argument("--kinds", nargs="+", choices=pages.KINDS, default=list(pages.KINDS), help="default: both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rotate", type=float, default=8.0, help="largest rotation of a digit, degrees")
    parser.add_argument("--weights", help="a checkpoint (default: the chosen committed network)")
    parser.add_argument("--target", type=float, default=0.95, help="least accuracy on each kind (issue 7's 95%%)")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("n must be at least 1")
    classifier, met = predict.load(args.weights), True
    for kind in args.kinds:  # a page that cannot be read is wrong
        written = pages.sample(args.n, seed=args.seed, rotate=args.rotate, kind=kind)
        by_count = {n: ws for n in (1, 2, 3) if (ws := [w for w in written if len(str(w.number)) == n])}
        acc = page_accuracies(classifier, by_count)
        accuracy = sum(round(a * len(by_count[n])) for n, a in acc.items()) / args.n
        counts = ", ".join(f"{n} digit{'s' * (n > 1)} {a:.2%} of {len(by_count[n])}" for n, a in acc.items())
        print(f"{kind} pages: {args.n}, seed {args.seed}: accuracy {accuracy:.2%} ({counts})")
        print(f"{kind} pages, target {args.target:.0%}: {'met' if accuracy >= args.target else 'NOT met'}")
        met = met and accuracy >= args.target
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

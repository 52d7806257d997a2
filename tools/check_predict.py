"""Accuracy of `python -m lib.reading.predict` on page-like numbers written with MNIST test digits.

    MNIST_DIR=../shared/mnist .venv/bin/python tools/check_predict.py 1000 [--kinds ordinary touching] [--seed 0]

Writes N pages of each kind (lib/reading/pages.py: digits apart, or touching or overlapping), reads each kind with
one command-line call, prints its accuracy overall and by digit count, and exits 1 when a kind is below --target.
"""

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.reading import pages  # noqa: E402


def check(kind: str, args) -> float:
    """Write `args.n` pages of `kind`, read them with the command line, print and return the accuracy."""
    written = pages.sample(args.n, seed=args.seed, rotate=args.rotate, kind=kind)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [f"{tmp}/{i:05d}.png" for i in range(args.n)]
        for w, path in zip(written, paths):
            Image.fromarray(w.image).save(path)
        weights = ["--weights", args.weights] if args.weights else []
        run = subprocess.run(
            [sys.executable, "-m", "lib.reading.predict", *paths, *weights], cwd=ROOT, capture_output=True, text=True
        )
    if run.returncode not in (0, 1):  # 2: no classifier at all
        sys.stderr.write(run.stderr)
        raise SystemExit(2)
    read = dict(line.split("\t")[:2] for line in run.stdout.splitlines())
    total = Counter(len(str(w.number)) for w in written)
    right = Counter(len(str(w.number)) for w, path in zip(written, paths) if read.get(path) == str(w.number))
    accuracy = sum(right.values()) / args.n
    by_count = ", ".join(f"{n} digit{'s' * (n > 1)} {right[n] / total[n]:.2%} of {total[n]}" for n in sorted(total))
    print(
        f"{kind} pages: {args.n}, seed {args.seed}: accuracy {accuracy:.2%} ({by_count}); {args.n - len(read)} could not be classified"
    )
    return accuracy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="how many pages of each kind")
    parser.add_argument("--kinds", nargs="+", choices=pages.KINDS, default=list(pages.KINDS), help="default: both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rotate", type=float, default=8.0, help="largest rotation of a digit, degrees")
    parser.add_argument("--weights", help="checkpoint for lib.reading.predict (default: the chosen committed network)")
    parser.add_argument("--target", type=float, default=0.95, help="least accuracy on each kind (issue 7's 95%%)")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("n must be at least 1")
    met = True
    for kind in args.kinds:
        accuracy = check(kind, args)
        print(f"{kind} pages, target {args.target:.0%}: {'met' if accuracy >= args.target else 'NOT met'}")
        met &= accuracy >= args.target
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

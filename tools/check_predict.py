"""Accuracy of the command line on page-like images of numbers written with MNIST test digits.

    MNIST_DIR=../shared/mnist .venv/bin/python tools/check_predict.py 1000 [--kinds ordinary touching] [--seed 0]

Writes N pages of each kind (random numbers 0-999, digit counts uniform, lib/reading/pages.py): `ordinary`
pages whose digits stand apart, `touching` pages whose neighbours touch or overlap. Classifies each kind
with one `python -m lib.reading.predict` call and prints its accuracy overall and by digit count. Exits 1
when a kind's accuracy is below its target (--target, issue 7's 95%; --touching-target).
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

KINDS = ("ordinary", "touching")


def check(kind: str, args) -> float:
    """Write `args.n` pages of `kind`, read them with the command line, print and return the accuracy."""
    written = pages.sample(args.n, seed=args.seed, rotate=args.rotate, touching=kind == "touching")
    with tempfile.TemporaryDirectory() as tmp:
        folder = (args.keep / kind) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [str(folder / f"{i:05d}_{w.number}.png") for i, w in enumerate(written)]
        for w, path in zip(written, paths):
            Image.fromarray(w.image).save(path)
        cmd = [sys.executable, "-m", "lib.reading.predict", *paths] + (
            ["--weights", args.weights] if args.weights else []
        )
        run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if run.returncode not in (0, 1):  # 2: no classifier at all
        sys.stderr.write(run.stderr)
        raise SystemExit(2)
    read = {line.split("\t")[0]: int(line.split("\t")[1]) for line in run.stdout.splitlines()}
    total, right = Counter(), Counter()
    for w, path in zip(written, paths):
        n = len(str(w.number))
        total[n] += 1
        right[n] += read.get(path) == w.number
    accuracy = sum(right.values()) / args.n
    by_count = ", ".join(f"{n} digit{'s' * (n > 1)} {right[n] / total[n]:.2%} of {total[n]}" for n in sorted(total))
    print(
        f"{kind} pages: {args.n}, seed {args.seed}: accuracy {accuracy:.2%} ({by_count}); "
        f"{args.n - len(read)} could not be classified"
    )
    return accuracy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="how many pages of each kind")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="page kinds (default both)")
    parser.add_argument("--touching", action="store_true", help="only touching pages (as --kinds touching)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rotate", type=float, default=8.0, help="largest rotation of a digit, degrees")
    parser.add_argument("--weights", help="checkpoint for lib.reading.predict (default: the chosen committed network)")
    parser.add_argument("--target", type=float, default=0.95, help="least accuracy on ordinary pages")
    parser.add_argument("--touching-target", type=float, default=0.95, help="least accuracy on touching pages")
    parser.add_argument("--keep", type=Path, help="write the pages here (a folder per kind) instead of a temporary one")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("n must be at least 1")
    kinds = ["touching"] if args.touching else args.kinds
    met = True
    for kind in kinds:
        target = args.touching_target if kind == "touching" else args.target
        accuracy = check(kind, args)
        print(f"{kind} pages, target {target:.0%}: {'met' if accuracy >= target else 'NOT met'}")
        met &= accuracy >= target
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

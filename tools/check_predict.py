"""Accuracy of the command line on page-like images of numbers written with MNIST test digits.

    MNIST_DIR=../shared/mnist .venv/bin/python tools/check_predict.py 1000 [--seed 0] [--rotate 8]

Writes N pages (random numbers 0-999, digit counts uniform, lib/reading/pages.py) as PNG files, classifies
them all with one `python -m lib.reading.predict` call, and prints the accuracy overall and by digit count.
Exits 1 when the accuracy is below --target (issue 7 asks for 95%).
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="how many pages")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rotate", type=float, default=8.0, help="largest rotation of a digit, degrees")
    parser.add_argument("--weights", help="checkpoint for lib.reading.predict (default: the committed best network)")
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--keep", type=Path, help="write the pages here instead of a temporary folder")
    args = parser.parse_args()

    written = pages.sample(args.n, seed=args.seed, rotate=args.rotate)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
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
        return 2
    read = {line.split("\t")[0]: int(line.split("\t")[1]) for line in run.stdout.splitlines()}
    total, right = Counter(), Counter()
    for w, path in zip(written, paths):
        n = len(str(w.number))
        total[n] += 1
        right[n] += read.get(path) == w.number
    accuracy = sum(right.values()) / args.n
    by_count = ", ".join(f"{n} digit{'s' * (n > 1)} {right[n] / total[n]:.2%} of {total[n]}" for n in sorted(total))
    print(
        f"{args.n} pages, seed {args.seed}: accuracy {accuracy:.2%} ({by_count}); "
        f"{args.n - len(read)} could not be classified"
    )
    print(f"target {args.target:.0%}: {'met' if accuracy >= args.target else 'NOT met'}")
    return 0 if accuracy >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())

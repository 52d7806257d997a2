"""How fast each W reader reads: numbers/s over the first numbers of the clean W test set, scored as runs are
(lib/study/evaluate.predict: batch norms folded, inference mode, the scoring batch), per decoding, against the kept
version 21 in the same run. Untrained networks: weights do not change the cost. Record: <out>/reading_<device>.*"""

from functools import partial

from bench import record
from lib.data import testsets
from lib.study import heads, models, versions
from lib.study.evaluate import BATCH, predict

READERS = (21, 27, 28, 29)  # the kept W network (it reads three digit positions), then the strip readers


def main():
    ap = record.parser(__doc__)
    ap.add_argument("--numbers", type=int, default=2000, help="numbers read per timed call (default 2000)")
    ap.add_argument("--rounds", type=int, default=5, help="timed calls per reader and decoding; the fastest counts")
    args = ap.parse_args()
    numbers = testsets.load("W").subset(args.numbers)
    reads = {}
    for version in READERS:
        spec = versions.get(version)
        model = models.network(spec, "W").to(args.device)
        for decoding in heads.decodings(spec.head):
            reads[f"v{version} {decoding}"] = partial(
                predict, model, numbers, spec.preprocessing, args.device, head=spec.head, decoding=decoding
            )
    seconds = {name: [] for name in reads}
    for _ in range(args.rounds):  # interleaved, so a slow spell of the machine touches every reader alike
        for name, read in reads.items():
            seconds[name].append(record.seconds(read, 1))
    rates = {name: len(numbers) / min(times) for name, times in seconds.items()}  # the least disturbed round
    baseline = rates["v21 best number"]
    rows = [[name, f"{rate:,.0f}", f"{rate / baseline:.2f}×"] for name, rate in rates.items()]
    lines = [
        f"{len(numbers):,} numbers of the clean W test set per call, batch {BATCH}, {args.device.type}, the fastest of "
        f"{args.rounds} calls each (interleaved). Version 21 "
        "reads the most probable of its 1000 numbers; a strip reader reads greedily or the best number 0-999, "
        "whichever read more of its validation numbers (lib/study/experiment.py).",
        "",
        *record.table(["reader, decoding", "numbers/s", "/ v21"], rows),
        "",
        "Versions 27 and 28 are one network (they differ in training only): the gap between their rates, "
        f"{abs(rates['v27 greedy'] / rates['v28 greedy'] - 1):.0%} read greedily, is how far equal work differs here.",
    ]
    result = {"numbers": len(numbers), "batch": BATCH, "rounds": args.rounds, "numbers_per_second": rates}
    record.write(args, f"reading_{args.device.type}", "Reading speed of the W readers", result, lines)


if __name__ == "__main__":
    main()

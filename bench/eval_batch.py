"""Scoring numbers/s by batch size against the default (lib.study.evaluate.BATCH) on fixed W test numbers: on a CPU
a large batch's activations outgrow the caches. --numbers 100000 times the whole test set."""

from functools import partial

from bench import record
from lib.data import testsets
from lib.study import evaluate, models, versions


def main():
    ap = record.parser(__doc__)
    ap.add_argument("--versions", type=int, nargs="+", default=[7, versions.BEST["W"]])
    ap.add_argument("--batches", type=int, nargs="+", default=[1000, 256, 64])
    ap.add_argument("--numbers", type=int, default=3000, help="a fixed subset of the W test set")
    args = ap.parse_args()
    test_set = testsets.load("W").subset(args.numbers)
    batches = [evaluate.BATCH] + [b for b in args.batches if b != evaluate.BATCH]
    rows, cells = [], []
    for version in args.versions:
        spec, model = versions.get(version), models.build(version, "W").to(args.device)
        score = partial(evaluate.predict, model, test_set, spec.preprocessing, args.device, head=spec.head)
        rates = {b: len(test_set) / record.seconds(partial(score, batch_size=b), 2) for b in batches}
        rows.append({"version": version, "params": models.count_params(model), "numbers_per_s": rates})
        best = max(rates, key=rates.get)
        ratio = f"{rates[best] / rates[evaluate.BATCH]:.2f}× at batch {best}"
        cells.append([f"v{version}", f"{rows[-1]['params']:,}", *(f"{r:,.0f}" for r in rates.values()), ratio])
    head = ["version", "params", *(f"batch {b} (numbers/s)" for b in batches), "best / default"]
    lines = [
        f"{len(test_set):,} fixed W test numbers, 2 passes after 2 warm-up passes.",
        "",
        *record.table(head, cells),
    ]
    result = {"default_batch": evaluate.BATCH, "rows": rows}
    record.write(args, f"eval_batch_{args.device.type}", "Evaluation speed by batch size", result, lines)


if __name__ == "__main__":
    main()

"""Speed of the input pipeline and of training, each against a baseline in the same run: the original's per-sample
DataLoader against lib's batched generator, fed or from one pre-made batch; bf16, unfused and NCHW against what runs
use; every version as its runs train (tools/train_queue.py's estimates). Record: <out>/<device>.json and .md."""

import random

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from bench import record
from lib.data.augment import augment
from lib.data.mnist import load_split
from lib.data.numbers import NumberGenerator
from lib.data.preprocess import prepare
from lib.study import heads, models, train, versions
from lib.study.experiment import train_bank

BATCH = 64  # the original's training batch
TRANSFORM = transforms.Compose(
    [
        transforms.ToPILImage(),
        transforms.Resize((32, 32)),
        transforms.ToTensor(),
        transforms.Normalize((0.1307,), (0.3081,)),
    ]
)


class PerSampleNumbers(Dataset):
    """The original's input pipeline, the speed baseline: one random number per __getitem__, via PIL and resize."""

    def __init__(self, images, labels, dataset, length):
        self.by_digit = [images[labels == d] for d in range(10)]
        self.dataset, self.length = dataset, length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        n = random.randint(1, 3)
        number = random.randint(0 if n == 1 else 10 ** (n - 1), 10**n - 1)
        digits = [self.by_digit[int(c)][torch.randint(len(self.by_digit[int(c)]), (1,))][0] for c in str(number)]
        if self.dataset == "W":
            image = torch.cat(digits, dim=1)
        else:
            image = torch.stack(digits + [torch.zeros(28, 28, dtype=torch.uint8)] * (3 - n))
        return TRANSFORM(image), number


def baseline_feed(device, dataset="W", batch=BATCH):
    """The baseline as a function returning one model-ready batch (x, labels) on `device`."""
    numbers = PerSampleNumbers(*load_split("train"), dataset, length=10**9)
    batches = iter(DataLoader(numbers, batch_size=batch, num_workers=0))
    return lambda: [t.to(device, non_blocking=True) for t in next(batches)]


def lib_feed(device, version, dataset="W", batch=BATCH):
    """Batches as a version's runs see them: lib's generator, preprocessing and augmentation."""
    spec = versions.get(version)
    gen = NumberGenerator(train_bank(str(device)), spec.digit_probs, seed=0)

    def feed():
        b = gen.batch(batch)
        return prepare(augment(b, dataset, gen.generator, spec), b.ndigits, dataset, spec.preprocessing), b.labels

    return feed


def premade(feed):
    batch = feed()
    return lambda: batch


def train_rate(device, version, feed, steps, compute="fp32", fused=True, channels_last=True):
    """Training numbers/s of a version on W at batch 64, fed by `feed()` -> (x, labels)."""
    spec = versions.get(version)
    model = models.build(version, "W", channels_last=channels_last).to(device)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    opt = train.optimizer_for(model, spec, fused=fused)

    def step():
        x, y = feed()
        with train.autocast(compute, device):
            logits = model(x.contiguous(memory_format=layout))
        loss = heads.loss(logits.float(), y, spec.head)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return BATCH / record.seconds(step, steps)


def section(title, rows, ratios=(), label="version") -> list:
    """A Markdown table of rows {name: {column: value}}, with a column a / b for each ratio (a, b); printed too."""
    columns = list(next(iter(rows.values())))
    cells = [
        [name, *(f"{r[c]:,.0f}" for c in columns), *(f"{r[a] / r[b]:.2f}×" for a, b in ratios)]
        for name, r in rows.items()
    ]
    lines = [f"## {title}", "", *record.table([label, *columns, *(f"{a} / {b}" for a, b in ratios)], cells), ""]
    print("\n".join(lines), flush=True)
    return lines


def main():
    ap = record.parser(__doc__, device="auto")
    ap.add_argument("--steps", type=int, default=30, help="timed training steps per measurement")
    ap.add_argument("--versions", type=int, nargs="+", default=[1, 3, 7, 11, 12], help="fed by each pipeline")
    ap.add_argument("--option-versions", type=int, nargs="+", default=[1, 7, 12, 19], help="with each option")
    args = ap.parse_args()
    dev, steps, native = args.device, args.steps, train.bf16_native(args.device)
    report = {"batch": BATCH, "steps": steps}
    calls = (2560 if dev.type == "cpu" else 200_000) // BATCH
    report["data"] = {
        f"{dev.type}/{dataset}": {
            "baseline": BATCH / record.seconds(baseline_feed(dev, dataset), calls),
            "lib": BATCH / record.seconds(lib_feed(dev, 1, dataset), calls),
            "lib_4096": 4096 / record.seconds(lib_feed(dev, 1, dataset, 4096), calls * BATCH // 4096),
        }
        for dataset in ("W", "C")
    }
    ratios = [("lib", "baseline"), ("lib_4096", "baseline")]
    lines = section("Numbers made ready for a model (numbers/s)", report["data"], ratios, label="where")

    report["versions"] = {f"v{v}": train_rate(dev, v, lib_feed(dev, v), steps) for v in versions.VERSIONS}
    report["train"] = {
        f"v{v}": {
            "baseline": train_rate(dev, v, baseline_feed(dev), steps),
            "lib": report["versions"][f"v{v}"],
            "premade": train_rate(dev, v, premade(lib_feed(dev, v)), steps),
        }
        for v in args.versions
    }
    title = f"Training at batch {BATCH}, W, {dev.type}, fed by each pipeline or one pre-made batch (numbers/s)"
    lines += section(title, report["train"], [("lib", "baseline"), ("lib", "premade")])

    # each option beside the setting runs train with (fp32, fused optimiser step, channels_last); emulated bf16 is
    # slow, so without native bf16 it is timed on 2 steps
    options = {"bf16": dict(compute="bf16", steps=steps if native else 2), "unfused": dict(fused=False)}
    options["nchw"] = dict(channels_last=False)
    report["bf16_native"], report["options"] = native, {}
    for v in args.option_versions:
        feed = premade(lib_feed(dev, v))
        row = {"as runs train": train_rate(dev, v, feed, steps)}
        report["options"][f"v{v}"] = row | {
            o: train_rate(dev, v, feed, **{"steps": steps, **kw}) for o, kw in options.items()
        }
    title = f"Training options on a pre-made batch, W, {dev.type}, bf16 native: {'yes' if native else 'no'} (numbers/s)"
    lines += section(title, report["options"], [(o, "as runs train") for o in options])

    rows = {k: {"numbers/s": r} for k, r in report["versions"].items()}
    lines += section(f"Every version as its runs train (its input, head, augmentation), {dev.type} (numbers/s)", rows)
    record.write(args, dev.type, "Benchmark", report, lines)


if __name__ == "__main__":
    main()

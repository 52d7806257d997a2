"""Speed of the input pipeline, training and evaluation, against the original's per-sample baseline.

One command measures, in one run on one machine:
  1. numbers/s made ready for a model: the per-sample Dataset+DataLoader baseline (bench/baseline.py)
     and lib's batched generators, W and C, on the CPU and (if present) the GPU;
  2. training numbers/s at batch 64 for versions 1, 3, 7, 11, 12, fed by each pipeline and by one
     pre-made batch reused every step (the compute-only ceiling);
  3. the time to evaluate a model on the whole fixed test set;
  4. training numbers/s on a pre-made batch with NCHW vs channels_last (NHWC) memory format, for v7 and
     the small v19 (lib.study.experiment.CHANNELS_LAST chooses from this);
  5. precision: fp32 vs bf16 autocast, side by side, and whether this hardware computes bf16 natively
     (lib/study/train.py: `auto` uses bf16 only then);
  6. the optimiser step: torch's default implementation vs the fused one (lib.study.models.FUSED);
  7. every version's training speed as its runs train (its input, head, augmentation, fed by lib):
     lib/study/eta.py estimates the time left of the training queue from these.
Results: a table on stdout with ratios to the baseline, and res/bench/<device>.json and .md.
Run it on a quiet machine: stop the training queue first (the record notes other CPU load it saw).

Usage: .venv/bin/python bench/bench.py [--device cpu|cuda|auto] [--steps N] [--versions 1 3 7 11 12]
"""

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import record  # noqa: E402
from bench.baseline import loader  # noqa: E402
from lib.data import testsets
from lib.data.augment import augment  # noqa: E402
from lib.data.mnist import load_split  # noqa: E402
from lib.data.numbers import NumberGenerator  # noqa: E402
from lib.data.preprocess import prepare  # noqa: E402
from lib.infra import provenance  # noqa: E402
from lib.study import heads, models, train, versions
from lib.study.evaluate import predict  # noqa: E402
from lib.study.experiment import train_bank  # noqa: E402

BATCH = 64  # the original's training batch


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device, warmup=2, repeat=5):
    """Median seconds of `fn()` after warm-up calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        sync(device)
        t = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def pipelines(device, dataset, batch):
    """Each input pipeline as a function returning one model-ready batch (x, y) on `device`."""
    images, labels = load_split("train")
    base_iter = iter(loader(images, labels, dataset, length=10**9, batch_size=batch))
    gen = NumberGenerator(train_bank(str(device)), seed=0)

    def baseline():
        x, y = next(base_iter)
        return x.to(device, non_blocking=True), y.to(device, non_blocking=True)

    def generated():
        b = gen.batch(batch)
        return prepare(b.raw(dataset), b.ndigits, dataset), b.labels

    premade = generated()
    return {"baseline": baseline, "lib": generated, "premade": lambda: premade}


def data_rate(device, dataset, numbers):
    """numbers/s of each pipeline: the baseline at batch 64, lib at 64 and at 4096."""
    rates = {}
    for name, batch in (("baseline", BATCH), ("lib", BATCH), ("lib_4096", 4096)):
        fn = pipelines(device, dataset, batch)[name.split("_")[0]]
        batches = max(1, numbers // batch)
        rates[name] = batch * batches / timed(lambda fn=fn, n=batches: [fn() for _ in range(n)], device, 1, 3)
    return rates


def train_rate(device, version, feed, steps, compute="fp32", fused=None, repeat=3, channels_last=True):
    """Training numbers/s of a version on W at batch 64, fed by `feed()` -> (x, labels)."""
    spec = versions.get(version)
    model = models.build(version, "W", channels_last=channels_last).to(device)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    opt = models.optimizer_for(model, spec, fused=fused)

    def step():
        x, y = feed()
        with train.autocast(compute, device):
            logits = model(x.contiguous(memory_format=layout))
        loss = heads.loss(logits.float(), y, spec.head)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return BATCH * steps / timed(lambda: [step() for _ in range(steps)], device, warmup=1, repeat=repeat)


def own_feed(device, version, dataset="W"):
    """Batches as a version's runs see them: its preprocessing and augmentation, fed by lib."""
    spec = versions.get(version)
    gen = NumberGenerator(train_bank(str(device)), spec.digit_probs, seed=0)

    def feed():
        b = gen.batch(BATCH)
        raw = augment(b, dataset, gen.generator, spec)
        return prepare(raw, b.ndigits, dataset, spec.preprocessing), b.labels

    return feed


def premade(device, version):
    """One batch in the version's own input, reused every step: training without the input pipeline."""
    batch = own_feed(device, version)()
    return lambda: batch


def eval_seconds(device, version=7):
    model = models.build(version, "W").to(device)
    ts = testsets.load("W")
    return timed(
        lambda: predict(model, ts, "resize32", device), device, warmup=1, repeat=1 if device.type == "cpu" else 3
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="auto", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--steps", type=int, default=10, help="training steps per timed repeat")
    ap.add_argument("--versions", type=int, nargs="+", default=[1, 3, 7, 11, 12])
    ap.add_argument("--precision-versions", type=int, nargs="+", default=[1, 7])
    ap.add_argument("--optimizer-versions", type=int, nargs="+", default=[1, 7, 12, 19])
    args = ap.parse_args()
    device = provenance.resolve_device(args.device)
    devices = [torch.device("cpu")] + ([device] if device.type == "cuda" else [])
    report = {
        "hardware_by_device": {d.type: provenance.hardware(d) for d in devices},
        "batch": BATCH,
        "steps": args.steps,
        "data": {},
        "train": {},
        "eval_seconds": None,
    }
    lines = [
        "## Numbers made ready for a model (numbers/s)",
        "",
        "| where | dataset | baseline (batch 64) | lib (batch 64) | lib (batch 4096) | lib 64 / baseline | lib 4096 / baseline |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for d in devices:
        for dataset in ("W", "C"):
            r = data_rate(d, dataset, numbers=2560 if d.type == "cpu" else 200_000)
            report["data"][f"{d.type}/{dataset}"] = r
            lines.append(
                f"| {d.type} | {dataset} | {r['baseline']:,.0f} | {r['lib']:,.0f} | {r['lib_4096']:,.0f} "
                f"| {r['lib'] / r['baseline']:.1f}× | {r['lib_4096'] / r['baseline']:.1f}× |"
            )
            print(lines[-1], flush=True)

    lines += [
        "",
        f"## Training at batch {BATCH} on {device.type} (numbers/s, W)",
        "",
        "| version | fed by baseline | fed by lib | pre-made batch (ceiling) | lib / baseline | lib / ceiling |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    f = pipelines(device, "W", BATCH)
    for v in args.versions:
        r = {name: train_rate(device, v, fn, args.steps) for name, fn in f.items()}
        report["train"][f"v{v}"] = r
        lines.append(
            f"| v{v} | {r['baseline']:,.0f} | {r['lib']:,.0f} | {r['premade']:,.0f} "
            f"| {r['lib'] / r['baseline']:.2f}× | {r['lib'] / r['premade']:.0%} |"
        )
        print(lines[-1], flush=True)

    report["eval_seconds"] = eval_seconds(device)
    lines += [
        "",
        f"## Evaluation\n\nv7 on the {testsets.SIZE:,}-number W test set, batch 1000, inference mode, {device.type}: "
        f"{report['eval_seconds']:.1f} s ({testsets.SIZE / report['eval_seconds']:,.0f} numbers/s)",
        "",
    ]
    native = train.bf16_native(device)
    lines += [
        "",
        f"## Precision: training at batch {BATCH} on a pre-made batch, {device.type} (numbers/s)",
        "",
        f"bf16 computed natively here: **{'yes' if native else 'no'}** (lib/study/train.py; `auto` picks "
        f"{train.resolve_precision('auto', device)}). "
        + (
            ""
            if native
            else "Without native support oneDNN "
            "emulates bf16, so bf16 is measured on a few steps only, to show the cost."
        ),
        "",
        "| version | fp32 | bf16 autocast | bf16 / fp32 |",
        "|---|---:|---:|---:|",
    ]
    report["precision"] = {"bf16_native": native}
    for v in args.precision_versions:
        feed = premade(device, v)
        r = {
            "fp32": train_rate(device, v, feed, args.steps),
            "bf16": train_rate(device, v, feed, args.steps if native else 2, "bf16", repeat=3 if native else 1),
        }
        report["precision"][f"v{v}"] = r
        lines.append(f"| v{v} | {r['fp32']:,.0f} | {r['bf16']:,.0f} | {r['bf16'] / r['fp32']:.2f}× |")
        print(lines[-1], flush=True)

    lines += [
        "",
        f"## Optimiser step: training at batch {BATCH} on a pre-made batch, fp32, {device.type} (numbers/s)",
        "",
        "| version | optimiser | torch default | fused | fused / default |",
        "|---|---|---:|---:|---:|",
    ]
    report["optimizer"] = {}
    for v in args.optimizer_versions:
        feed = premade(device, v)
        r = {
            "default": train_rate(device, v, feed, args.steps, fused=False),
            "fused": train_rate(device, v, feed, args.steps, fused=True),
        }
        report["optimizer"][f"v{v}"] = r
        lines.append(
            f"| v{v} | {versions.get(v).optimizer} | {r['default']:,.0f} | {r['fused']:,.0f} "
            f"| {r['fused'] / r['default']:.2f}× |"
        )
        print(lines[-1], flush=True)

    lines += [
        "",
        f"## Every version as its runs train: W, batch {BATCH}, fp32, fed by lib with its own input, head "
        f"and augmentation, {device.type} (numbers/s)",
        "",
        "| version | params | numbers/s |",
        "|---|---:|---:|",
    ]
    report["versions"] = {}
    for v in versions.VERSIONS:
        rate = train_rate(device, v, own_feed(device, v), args.steps)
        report["versions"][f"v{v}"] = rate
        lines.append(f"| v{v} | {models.count_params(models.build(v, 'W')):,} | {rate:,.0f} |")
        print(lines[-1], flush=True)

    lines += [
        "",
        f"## Memory format: training at batch {BATCH} on a pre-made W batch, {device.type} (numbers/s)",
        "",
        "| version | NCHW | channels_last | channels_last / NCHW |",
        "|---|---:|---:|---:|",
    ]
    report["memory_format"] = {}
    for v in (7, 19):
        feed = premade(device, v)
        r = {
            n: train_rate(device, v, feed, args.steps, channels_last=cl)
            for n, cl in (("nchw", False), ("channels_last", True))
        }
        report["memory_format"][f"v{v}"] = r
        lines.append(f"| v{v} | {r['nchw']:,.0f} | {r['channels_last']:,.0f} | {r['channels_last'] / r['nchw']:.2f}× |")
        print(lines[-1], flush=True)
    lines.append("")
    with provenance.CpuMeter() as idle:  # other load on the machine right after the measurements
        time.sleep(2)
    report["others_cores_after"] = idle.others_cores
    lines.append(
        f"Other processes kept {idle.others_cores or 0:.2f} cores busy during a 2 s check after the "
        "measurements (0 on a quiet machine)."
    )
    record.write(device.type, device, "Benchmark", report, lines)


if __name__ == "__main__":
    main()

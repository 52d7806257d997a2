"""The original study's 13 network versions as data: one row per version, like seed-ablations.md.

Each row is the previous one with what changed (`derive`), so the registry reads
as the ablation it was. Versions 14+ go past the original, one change at a time
from version 7 (they train on W; the last one on W and C). Conv blocks are Conv(stride 1) -> [BN] -> act -> MaxPool 2x2;
FC blocks are Linear -> act -> [Dropout]; a last Linear gives 1000 logits.
`reported` holds the original README's (train loss, test accuracy %) per dataset:
accuracies there are floor-rounded percentages from one unseeded run.
"""
from dataclasses import dataclass, field, replace

from .numbers import UNIFORM, check_dataset


@dataclass(frozen=True)
class Version:
    version: int
    change: str  # what changed from the previous version, and why (the original README)
    datasets: tuple  # datasets the original trained this version on
    convs: tuple  # (out_channels, kernel, padding) per conv block
    fcs: tuple  # hidden fully connected widths
    act: str  # "tanh" | "relu"
    batchnorm: bool  # BN after every conv
    dropout: tuple  # dropout p after each hidden FC, () for none
    optimizer: str  # "sgd" | "adam" | "adamw" (decoupled weight decay)
    lr: float
    momentum: float  # SGD only
    weight_decay: float
    decay_on: str  # "all" params, or "weights" of conv/linear only (biases and BN exempt)
    digit_probs: tuple  # P(1, 2, 3 digits) when drawing training numbers
    batch_size: int
    samples_per_epoch: int
    epochs: int
    preprocessing: str = "resize32"  # lib/preprocess.py: "resize32" (1-13) or "native" (shape kept)
    head: str = "number"  # lib/heads.py: "number" (1000-way) or "digits" (an 11-way head per position)
    augment_digits: tuple = ()  # lib/augment.py: (degrees, scale, shear degrees, shift px) per digit image
    augment_layout: tuple = ()  # lib/augment.py: (max x shift, max y shift) px of each digit in the layout
    schedule: str = "constant"  # "constant" lr, or "onecycle" (lr warms up to `lr`, then anneals to ~0)
    label_smoothing: float = 0.0
    reported: dict = field(default_factory=dict)  # dataset -> (loss, acc %) from the original README


def derive(previous: Version, version: int, change: str, **changes) -> Version:
    return replace(previous, version=version, change=change, **changes)


LENET = ((32, 5, 2), (64, 5, 2))
FIVE_CONVS = LENET + ((128, 5, 2), (256, 5, 2), (512, 5, 2))
THREE_CONVS = LENET + ((256, 5, 2),)
SMALL_KERNELS = ((32, 3, 3), (64, 3, 2), (256, 3, 2), (512, 3, 2))
SMALL_NET = ((32, 3, 1), (64, 3, 1), (128, 3, 1))

_rows = [Version(
    version=1, change="Baseline: LeNet-5 with 1000 outputs and more filters in its two conv layers.",
    datasets=("W", "C"), convs=LENET, fcs=(3072, 2048), act="tanh", batchnorm=False, dropout=(),
    optimizer="sgd", lr=1e-3, momentum=0.9, weight_decay=0.0, decay_on="all", digit_probs=UNIFORM,
    batch_size=64, samples_per_epoch=500_000, epochs=2, reported={"W": (0.49, 90), "C": (1.152, 73)})]
_steps = [
    (2, "Tanh -> ReLU; training set 500k -> 150k samples per epoch; epochs 2 -> 3.",
     dict(act="relu", samples_per_epoch=150_000, epochs=3, reported={"W": (0.501, 85), "C": (1.272, 65)})),
    (3, "Three more conv blocks (five in all), so the maps shrink to 1x1 before the FC layers.",
     dict(convs=FIVE_CONVS, fcs=(4096, 2048), reported={"W": (1.088, 72), "C": (4.203, 11)})),
    (4, "Back to three conv blocks (the third with 256 channels), batch norm on every conv, "
        "dropout 0.5/0.3 on the FC layers, smaller FC layers.",
     dict(convs=THREE_CONVS, fcs=(2048, 1024), batchnorm=True, dropout=(0.5, 0.3),
          reported={"W": (0.385, 95), "C": (1.348, 68)})),
    (5, "Epochs 3 -> 10.", dict(epochs=10, reported={"W": (0.103, 98), "C": (0.219, 95)})),
    (6, "SGD -> Adam (lr 1e-3); from here on the original trained W only.",
     dict(optimizer="adam", momentum=0.0, datasets=("W",), reported={"W": (0.053, 98)})),
    (7, "Second dropout 0.3 -> 0.5. The version the original kept.",
     dict(dropout=(0.5, 0.5), reported={"W": (0.059, 98)})),
    (8, "More 2- and 3-digit numbers in training (P = .2/.3/.5), as those had the higher error.",
     dict(digit_probs=(0.2, 0.3, 0.5), reported={"W": (0.069, 98)})),
    (9, "Even more 2- and 3-digit numbers (P = .1/.2/.7).",
     dict(digit_probs=(0.1, 0.2, 0.7), reported={"W": (0.069, 98)})),
    (10, "The opposite direction: more 1-digit numbers (P = .5/.3/.2).",
     dict(digit_probs=(0.5, 0.3, 0.2), reported={"W": (0.076, 98)})),
    (11, "Back to v7 with uniform digit counts; 3x3 kernels and a fourth conv block "
         "(paddings 3,2,2,2 grow the maps: 36/20/12/8 before pooling).",
     dict(digit_probs=UNIFORM, convs=SMALL_KERNELS, reported={"W": (0.064, 98)})),
    (12, "One more, wider FC layer (8192 -> 4096 -> 2048 -> 1024), dropout 0.5 on each.",
     dict(fcs=(4096, 2048, 1024), dropout=(0.5, 0.5, 0.5), reported={"W": (0.097, 98)})),
    (13, "Back to the v7 network, plus weight decay 1e-4 (coupled L2 in Adam) on conv and linear "
         "weights only; biases and BN parameters get none.",
     dict(convs=THREE_CONVS, fcs=(2048, 1024), dropout=(0.5, 0.5), weight_decay=1e-4, decay_on="weights",
          reported={"W": (0.131, 98)})),
]
# Beyond the original: each row changes one thing of the previous best.
_steps += [
    (14, "Input that keeps the digits' shape: W as composed, 28x84 (no resize to 32x32), so a digit looks "
         "the same whatever the number's length. Otherwise version 7.",
     dict(preprocessing="native", reported={})),
    (15, "A factorised output: one 11-way head per reading position (digit 0-9 or no digit) instead of "
         "1000 classes, so every training number teaches every digit it contains.",
     dict(head="digits")),
    (16, "Augmented digit images: each digit gets a small random affine change (rotation 10 degrees, "
         "scale 10%, shear 8 degrees, shift 2 px).",
     dict(augment_digits=(10.0, 0.1, 8.0, 2))),
    (17, "Augmented layout: each digit moves by up to 4 px sideways and 3 px up or down, so gaps and "
         "vertical offsets between digits vary.",
     dict(augment_layout=(4, 3))),
    (18, "A modern recipe: AdamW (decoupled weight decay 0.05), a one-cycle learning-rate schedule "
         "peaking at 2e-3, label smoothing 0.1.",
     dict(optimizer="adamw", lr=2e-3, weight_decay=0.05, decay_on="weights", schedule="onecycle",
          label_smoothing=0.1)),
    (19, "A much smaller network: three 3x3 conv blocks (32/64/128 channels, batch norm), no hidden FC "
         "layer, no dropout: about 1/90 of the parameters. Trained on W and C.",
     dict(convs=SMALL_NET, fcs=(), dropout=(), datasets=("W", "C"))),
]
for _number, _change, _changes in _steps:
    base = _rows[6] if _number in (11, 14) else _rows[-1]  # v11 and v14 start again from v7
    _rows.append(derive(base, _number, _change, **_changes))

VERSIONS = {v.version: v for v in _rows}
KEPT = 7  # the version the original study kept
ORIGINAL_LAST = 13  # versions after this one go past the original study


def get(version: int) -> Version:
    if version not in VERSIONS:
        raise ValueError(f"unknown version {version!r}; valid: {', '.join(map(str, VERSIONS))}")
    return VERSIONS[version]


def runs():
    """Every (version, dataset) pair the original trained: 13 on W and 5 on C (versions 1-13)."""
    return [(v.version, d) for v in VERSIONS.values() for d in v.datasets if v.version <= ORIGINAL_LAST]


def beyond():
    """The (version, dataset) pairs past the original study (versions 14+)."""
    return [(v.version, d) for v in VERSIONS.values() for d in v.datasets if v.version > ORIGINAL_LAST]


def check_run(version: int, dataset: str) -> Version:
    """The version's row, after checking both names. Any version builds for W or C (cnnC runs v7 on C);
    `runs()` lists the pairs the original trained."""
    check_dataset(dataset)
    return get(version)


def table():
    """The registry as rows of plain values, for notebooks and the README."""
    rows = []
    for v in VERSIONS.values():
        rows.append({
            "version": v.version, "datasets": "".join(v.datasets), "change": v.change,
            "convs": " ".join(f"{c}k{k}p{p}" for c, k, p in v.convs), "fcs": "-".join(map(str, v.fcs)),
            "act": v.act, "bn": v.batchnorm, "dropout": "/".join(map(str, v.dropout)) or "-",
            "optimizer": f"{v.optimizer} lr {v.lr:g}" + (f" mom {v.momentum:g}" if v.optimizer == "sgd" else "")
            + (f" wd {v.weight_decay:g} ({v.decay_on})" if v.weight_decay else ""),
            "digit_probs": "/".join(f"{p:.2g}" for p in v.digit_probs), "batch": v.batch_size,
            "samples_per_epoch": v.samples_per_epoch, "epochs": v.epochs, "input": v.preprocessing,
            "head": v.head, "augment": "; ".join(filter(None, [
                v.augment_digits and "digits ±{:g}° ×1±{:g} shear {:g}° ±{}px".format(*v.augment_digits),
                v.augment_layout and "layout ±{}px x ±{}px y".format(*v.augment_layout)])) or "-",
            "schedule": v.schedule + (f", smoothing {v.label_smoothing:g}" if v.label_smoothing else "")})
    return rows

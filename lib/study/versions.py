"""The study's network versions as data: one row per version, derived from its parent, so the registry reads as
the ablation it was; what changed and why: lib/study/versions.md."""

import hashlib
import re
from collections import namedtuple
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..data import layouts
from ..data.numbers import UNIFORM
from ..infra.choices import pick

Reported = namedtuple("Reported", "loss acc params")  # what the original reported: training loss, test acc %


@dataclass(frozen=True)
class Version:
    version: int
    slug: str  # short name: the notebook is notebooks/10_v<version>_<slug>.ipynb
    parent: int  # the version this one changes (the row it was derived from)
    change: str  # what changed from the parent, from versions.md (the original README's words for versions 1-13)
    datasets: tuple  # datasets the original trained this version on
    convs: tuple  # (out_channels, kernel, padding[, pool]) per conv block; pool=False: no 2x2 max-pool after it
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
    preprocessing: str = "resize32"  # lib/data/preprocess.py: "resize32" (1-13) or "native" (shape kept)
    head: str = "number"  # lib/study/heads.py: "number" (1000-way), "digits" (11-way per position) or "ctc"
    augment_digits: tuple = ()  # lib/data/augment.py: (degrees, scale, shear degrees, shift px) per digit image
    augment_layout: tuple = ()  # lib/data/augment.py: (max x shift, max y shift) px of each digit in the layout
    augment_elastic: tuple = ()  # lib/data/augment.py: (alpha px, sigma px) of each digit's elastic distortion
    augment_spacing: tuple = ()  # lib/data/augment.py: (min gap, max gap, max y offset px, scale ±): W as written
    written_share: float = 1.0  # augment_spacing: this share of each batch as written, the rest by augment_layout
    schedule: str = "constant"  # "constant" lr, or "onecycle" (lr warms up to `lr`, then anneals to ~0)
    label_smoothing: float = 0.0
    ema: float = 0.0  # decay of an exponential moving average of the weights, updated every step; 0: none
    ensemble: int = 0  # > 0: this version is that many trained runs of its parent, their probabilities averaged
    encoder: str = "whole"  # lib/study/models.py: "whole" image, "per_digit" view or "strip" (head "ctc")
    view_margin: int = 0  # per_digit: px of the neighbours' slots a W window also sees (digits may stray)
    recurrent: int = 0  # strip: hidden size of a 2-layer bidirectional LSTM over the columns; 0: none

    def __post_init__(self):
        pick(("whole", "per_digit", "strip"), self.encoder, f"encoder (v{self.version})")
        if (self.encoder == "strip") != (self.head == "ctc") or (
            self.encoder == "strip" and self.preprocessing != "native"
        ):
            raise ValueError(
                f"v{self.version}: a strip encoder reads one column at a time and a ctc head reads columns: "
                "they go together, with preprocessing='native'"
            )
        if self.augment_spacing and (
            len(self.augment_spacing) != 4 or bool(self.augment_layout) != (self.written_share < 1)
        ):
            raise ValueError(
                f"v{self.version}: augment_spacing is (min gap, max gap, max vertical offset, scale); it replaces "
                "augment_layout (set augment_layout=()), or shares each batch with it (0 < written_share < 1)"
            )
        if not 0 < self.written_share <= 1 or (self.written_share < 1 and not self.augment_spacing):
            raise ValueError(f"v{self.version}: written_share is a share of augment_spacing's numbers, in (0, 1]")
        if self.encoder == "per_digit" and (self.head != "digits" or self.preprocessing != "native"):
            raise ValueError(
                f"v{self.version}: a per_digit encoder reads digit views of the native input and "
                "answers per position: it needs head='digits' and preprocessing='native'"
            )

    @property
    def recipe_digest(self) -> str:
        """A hash of what trains the network; fields at their default are left out, so a new field changes no digest."""
        recipe = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("version", "slug", "parent", "change") and getattr(self, f.name) != f.default
        }
        return hashlib.sha256(repr(sorted(recipe.items())).encode()).hexdigest()[:12]

    @property
    def notebook(self) -> str:
        """The version's notebook: one prefix for all, so a new version never collides with another notebook."""
        return f"10_v{self.version:02d}_{self.slug}.ipynb"

    @property
    def reported(self) -> dict:
        """dataset -> what the original reported for this version (versions 1-13), else {}."""
        return ORIGINAL.get(self.version, {})


# What the original reported per version and dataset: training loss, test accuracy, parameters (docs/original_study.md).
ORIGINAL = {
    1: {"W": Reported(0.49, 90, 20_980_584), "C": Reported(1.152, 73, 20_982_184)},
    2: {"W": Reported(0.501, 85, 20_980_584), "C": Reported(1.272, 65, 20_982_184)},
    3: {"W": Reported(1.088, 72, 16_894_696), "C": Reported(4.203, 11, 16_896_296)},
    4: {"W": Reported(0.385, 95, 11_976_488), "C": Reported(1.348, 68, 11_978_088)},
    5: {"W": Reported(0.103, 98, 11_976_488), "C": Reported(0.219, 95, 11_978_088)},
    6: {"W": Reported(0.053, 98, 11_976_488)},
    7: {"W": Reported(0.059, 98, 11_976_488)},
    8: {"W": Reported(0.069, 98, 11_976_488)},
    9: {"W": Reported(0.069, 98, 11_976_488)},
    10: {"W": Reported(0.076, 98, 11_976_488)},
    11: {"W": Reported(0.064, 98, 21_250_856)},
    12: {"W": Reported(0.097, 98, 46_420_776)},
    13: {"W": Reported(0.131, 98, 11_976_488)},
}
LENET = ((32, 5, 2), (64, 5, 2))
FIVE_CONVS = LENET + ((128, 5, 2), (256, 5, 2), (512, 5, 2))
THREE_CONVS = LENET + ((256, 5, 2),)
SMALL_KERNELS = ((32, 3, 3), (64, 3, 2), (256, 3, 2), (512, 3, 2))
SMALL_NET = ((32, 3, 1), (64, 3, 1), (128, 3, 1))
DIGIT_NET = ((32, 3, 1, False), (32, 3, 1), (64, 3, 1, False), (64, 3, 1), (128, 3, 1))  # two 3x3 convs per pool
STRIP_NET = DIGIT_NET[:-1] + ((128, 3, 1, False),)  # the same, no last pooling: a column per 4 px of the strip


def _prose() -> dict:
    """version -> (slug, what changed, why) from versions.md, the registry's prose."""
    parts = re.split(r"^## (\d+) (\w+)\n", Path(__file__).with_suffix(".md").read_text(), flags=re.M)
    sections = {}
    for number, slug, text in zip(parts[1::3], parts[2::3], parts[3::3]):
        if int(number) in sections:
            raise ValueError(f"lib/study/versions.md has two sections for version {number}; keep one")
        sections[int(number)] = (slug, *text.strip().split("\n\n"))
    return sections


PROSE = _prose()


def _change(version: int, slug: str) -> str:
    """The row's `change`: the first paragraph of its section of versions.md, which a row must have."""
    heading, *paragraphs = PROSE.get(version, ("",))
    if heading != slug or len(paragraphs) != 2:
        raise ValueError(
            f"version {version}: lib/study/versions.md needs a section `## {version} {slug}` with two paragraphs, "
            "what changed from its parent and why it is tried (each on one line)"
        )
    return paragraphs[0]


BASELINE = Version(
    version=1,
    slug="baseline",
    parent=0,
    change=_change(1, "baseline"),
    datasets=("W", "C"),
    convs=LENET,
    fcs=(3072, 2048),
    act="tanh",
    batchnorm=False,
    dropout=(),
    optimizer="sgd",
    lr=1e-3,
    momentum=0.9,
    weight_decay=0.0,
    decay_on="all",
    digit_probs=UNIFORM,
    batch_size=64,
    samples_per_epoch=500_000,
    epochs=2,
)
# (version, parent, slug, the fields that change); what changed and why, in words: lib/study/versions.md
_steps = [
    (2, 1, "relu", dict(act="relu", samples_per_epoch=150_000, epochs=3)),
    (3, 2, "five_convs", dict(convs=FIVE_CONVS, fcs=(4096, 2048))),
    (4, 3, "bn_dropout", dict(convs=THREE_CONVS, fcs=(2048, 1024), batchnorm=True, dropout=(0.5, 0.3))),
    (5, 4, "ten_epochs", dict(epochs=10)),
    (6, 5, "adam", dict(optimizer="adam", momentum=0.0, datasets=("W",))),
    (7, 6, "dropout_05", dict(dropout=(0.5, 0.5))),
    (8, 7, "more_long_numbers", dict(digit_probs=(0.2, 0.3, 0.5))),
    (9, 8, "even_more_long_numbers", dict(digit_probs=(0.1, 0.2, 0.7))),
    (10, 9, "more_short_numbers", dict(digit_probs=(0.5, 0.3, 0.2))),
    (11, 7, "kernels_3x3", dict(digit_probs=UNIFORM, convs=SMALL_KERNELS)),
    (12, 11, "wider_fc", dict(fcs=(4096, 2048, 1024), dropout=(0.5, 0.5, 0.5))),
    (
        13,
        12,
        "weight_decay",
        dict(convs=THREE_CONVS, fcs=(2048, 1024), dropout=(0.5, 0.5), weight_decay=1e-4, decay_on="weights"),
    ),
    (14, 7, "native_input", dict(preprocessing="native")),
    (15, 14, "digit_heads", dict(head="digits")),
    (16, 15, "digit_augment", dict(augment_digits=(10.0, 0.1, 8.0, 2))),
    (17, 16, "layout_augment", dict(augment_layout=(4, 3))),
    (
        18,
        17,
        "modern_recipe",
        dict(
            optimizer="adamw", lr=2e-3, weight_decay=0.05, decay_on="weights", schedule="onecycle", label_smoothing=0.1
        ),
    ),
    (19, 18, "small_net", dict(convs=SMALL_NET, fcs=(), dropout=(), datasets=("W", "C"))),
    (20, 19, "shared_digit_reader", dict(encoder="per_digit", view_margin=4)),
    (21, 20, "deeper_digit_reader", dict(convs=DIGIT_NET, fcs=(128,), dropout=(0.3,))),
    (22, 21, "weight_average", dict(ema=0.999)),
    (24, 21, "ensemble_of_three", dict(ensemble=3)),
    (25, 21, "elastic_digits", dict(augment_elastic=(34.0, 4.0))),
    (26, 25, "milder_elastic", dict(augment_elastic=(8.0, 3.0))),
    (
        27,
        21,
        "strip_reader",
        dict(encoder="strip", head="ctc", convs=STRIP_NET, view_margin=0, label_smoothing=0.0, datasets=("W",)),
    ),
    (28, 27, "written_layouts", dict(augment_layout=(), augment_spacing=(-3, 12, 4, 0.15))),
    (29, 28, "recurrent_columns", dict(recurrent=96)),
    (30, 28, "mixed_layouts", dict(written_share=0.5, augment_layout=(4, 3))),
]
VERSIONS = {1: BASELINE}
for _number, _parent, _slug, _changes in _steps:
    if _number in VERSIONS:
        raise ValueError(f"version {_number} is in the registry twice; give the new row the next free number")
    VERSIONS[_number] = replace(
        VERSIONS[_parent], version=_number, slug=_slug, parent=_parent, change=_change(_number, _slug), **_changes
    )

ORIGINAL_KEPT = 7  # the version the original study kept
ORIGINAL_LAST = 13  # versions after this one go past the original study
# The kept version per dataset, chosen on validation at profile cpu (lib/report/summary.py's kept_on_validation,
# checked against the records by tests/test_kept.py); its notebook exports res/weights/best_<dataset>.pt.
BEST = {"W": 21, "C": 21}
DIGIT_READER = 21  # the version whose digit reader notebook 32 trains on single digits (the per-digit p)


def get(version: int) -> Version:
    return pick(VERSIONS, version, "version")


def why(version: int) -> str:
    """Why a version was tried (versions 1-13: what the original reported), from lib/study/versions.md."""
    return PROSE[version][2]


def runs():
    """Every (version, dataset) pair of the registry, the original's (versions 1-13) first."""
    return [(v, d) for v, spec in VERSIONS.items() for d in spec.datasets]


def check_run(version: int, dataset: str) -> Version:
    """The version's row, after checking both names: any version builds for W or C but a strip reader (W only)."""
    layout, spec = layouts.get(dataset), get(version)
    if (spec.encoder == "strip" or spec.augment_spacing) and layout.channels != 1:
        raise ValueError(
            f"version {version} reads (or lays out) digits side by side in one channel; {dataset} holds them "
            f"as {layout.channels} channels: use dataset 'W'"
        )
    return spec


def conv_notation(convs) -> str:
    """32k5p2 = 32 channels, kernel 5, padding 2; convs joined by + share one 2x2 max-pool, which ends each group."""
    groups, current = [], []
    for conv in convs:
        out, kernel, pad, pool = (*conv, True)[:4]
        current.append(f"{out}k{kernel}p{pad}")
        if pool:
            groups.append("+".join(current))
            current = []
    return " ".join(groups + (["+".join(current)] if current else []))


def _augment(v: Version) -> str:
    parts = [
        v.augment_digits and "digits ±{:g}° ×1±{:g} shear {:g}° ±{}px".format(*v.augment_digits),
        v.augment_elastic and "elastic α {:g}px σ {:g}px".format(*v.augment_elastic),
        v.augment_layout and "layout ±{}px x ±{}px y".format(*v.augment_layout),
        v.augment_spacing and "ink gaps {:g}..{:g}px, ±{:g}px y, size ×1±{:g}".format(*v.augment_spacing),
        v.written_share < 1 and f"{v.written_share:.0%} as written, the rest by layout",
    ]
    return "; ".join(filter(None, parts)) or "-"


def table():
    """The registry as rows of plain values, for notebooks and the README."""
    return [
        {
            "version": v.version,
            "datasets": "".join(v.datasets),
            "change": v.change,
            "convs": conv_notation(v.convs),
            "fcs": "-".join(map(str, v.fcs)),
            "act": v.act,
            "bn": v.batchnorm,
            "dropout": "/".join(map(str, v.dropout)) or "-",
            "optimizer": f"{v.optimizer} lr {v.lr:g}"
            + (f" mom {v.momentum:g}" if v.optimizer == "sgd" else "")
            + (f" wd {v.weight_decay:g} ({v.decay_on})" if v.weight_decay else ""),
            "digit_probs": "/".join(f"{p:.2g}" for p in v.digit_probs),
            "batch": v.batch_size,
            "samples_per_epoch": v.samples_per_epoch,
            "epochs": v.epochs,
            "input": v.preprocessing,
            "head": v.head,
            "augment": _augment(v),
            "schedule": v.schedule + (f", smoothing {v.label_smoothing:g}" if v.label_smoothing else ""),
        }
        for v in VERSIONS.values()
    ]

"""A run's identity: version, dataset (layout), seed, the original's wrap-around bug, the numbers it trains on."""

from dataclasses import dataclass

from ..data import layouts, preprocess, splits
from .versions import Version, check_run, get


@dataclass(frozen=True)
class RunKey:
    version: int
    dataset: str
    seed: int = 0
    wrap: bool = False  # the original's uint8 wrap-around of 1- and 2-digit images (its C pipeline)
    split: str = "all"  # "heldout": trained without the held-out numbers (lib/data/splits.py)

    def __post_init__(self):
        spec, layout = check_run(self.version, self.dataset), layouts.get(self.dataset)
        splits.check_split(self.split)
        if self.wrap and not (layout.has_wrap_bug and spec.preprocessing == "resize32"):
            raise ValueError(
                "the wrap-around reproduces a bug of the original's C resize32 pipeline; it does not apply to "
                f"{self.dataset} with v{self.version}'s {spec.preprocessing!r} input: drop wrap=True"
            )

    @property
    def spec(self) -> Version:
        return get(self.version)

    @property
    def preprocessing(self) -> str:
        return preprocess.name_of(self.spec.preprocessing, self.wrap)

    @property
    def name(self) -> str:
        """Folder name of the run's record and state: v7W_s0, v5C-wrap_s0, v19W-heldout_s1."""
        return (
            f"v{self.version}{self.dataset}{'-wrap' * self.wrap}{'-heldout' * (self.split == 'heldout')}_s{self.seed}"
        )

    @property
    def label(self) -> str:
        """Name in legends and tables: v7W, v5C +wrap, v19W held out, with the seed."""
        return self.name.replace("-wrap", " +wrap").replace("-heldout", " held out").replace("_s", " seed ")

    @property
    def family(self) -> str:
        """The label without the seed: what seeds of one run share."""
        return self.label.rsplit(" seed ", 1)[0]

    def with_seed(self, seed: int) -> "RunKey":
        return RunKey(self.version, self.dataset, seed, self.wrap, self.split)

    @classmethod
    def of(cls, metrics: dict) -> "RunKey":
        """The key of a recorded run, from its metrics.json."""
        split = metrics.get("split")
        return cls(
            int(metrics["version"]),
            metrics["dataset"],
            int(metrics["seed"]),
            preprocess.parse(metrics["preprocessing"])[1],
            split if isinstance(split, str) else "all",
        )

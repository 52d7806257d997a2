"""The record's two verdicts, one rule each: a difference beyond seed noise, a reproduced figure."""

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from scipy import stats

from ..infra.paths import RECORD_DIR
from ..study.run_key import RunKey

MIN_SEEDS = 3  # fewer seeds on either side: too few to tell
CONFIDENCE = 0.95
# Test-accuracy sd of one network between seeds, pooled over the >= 3-seed families of profile full (v7W, 3
# seeds: 0.19 points); tests/test_compare.py checks it against the committed records.
SD_FLOOR = 0.0019
TOO_FEW = "too few seeds to tell"


@dataclass
class Seeds:
    """One run family's recorded values over its seeds (None and NaN: not recorded): n, mean and sd (None below two)."""

    values: list

    def __post_init__(self):
        self.values = [v for v in self.values if v is not None and v == v]
        self.n = len(self.values)
        self.mean = statistics.mean(self.values) if self.n else math.nan
        self.std = statistics.stdev(self.values) if self.n > 1 else None

    def text(self, pct: bool = True) -> str:
        scale, unit = (100, "%") if pct else (1, "")
        spread = f" ± {self.std * scale:.2f}" if self.std is not None else ""
        return f"{self.mean * scale:.2f}{spread}{unit}" + (f" ({self.n} seeds)" if self.n > 1 else "")


class Difference:
    """Values (one per seed) against a base's: `interval`, Welch's t-interval of the means' difference or None."""

    def __init__(self, this: list, base: list):
        self.this, self.base = Seeds(this), Seeds(base)
        self.delta = self.this.mean - self.base.mean
        self.interval = None
        if min(self.this.n, self.base.n) >= MIN_SEEDS:
            welch = stats.ttest_ind(self.this.values, self.base.values, equal_var=False)
            low, high = welch.confidence_interval(CONFIDENCE)  # NaN when neither side varies: no spread at all
            self.interval = (self.delta, self.delta) if math.isnan(low) else (low, high)

    @property
    def verdict(self) -> str:
        if self.interval is None:
            return TOO_FEW
        low, high = self.interval
        return "within seed noise" if low <= 0 <= high else f"{'higher' if low > 0 else 'lower'}, beyond seed noise"

    def text(self) -> str:
        if self.interval is None:
            return f"{TOO_FEW} ({self.this.n} against {self.base.n} seeds; {MIN_SEEDS} a side needed)"
        low, high = self.interval
        return (
            f"{100 * self.delta:+.2f} points ({CONFIDENCE:.0%} interval {100 * low:+.2f} to {100 * high:+.2f}): "
            f"{self.verdict}"
        )


def seed_records(key: RunKey, profile: str, record_dir=RECORD_DIR) -> list:
    """metrics.json of every finished seed of a run family at a profile, by seed."""
    pattern = key.with_seed(0).name.removesuffix("_s0") + "_s*"
    found = [json.loads(p.read_text()) for p in sorted(Path(record_dir, profile).glob(f"{pattern}/metrics.json"))]
    return sorted(found, key=lambda m: m["seed"])


class Reproduction:
    """Test accuracies (one per seed) against the original's figure k%; `distance`: points from [k, k+1)."""

    def __init__(self, ours: list, k: int):
        self.ours, self.k = Seeds(ours), int(k)
        own, k = self.ours.std or 0.0, self.k
        self.floored = self.ours.n < MIN_SEEDS and own < SD_FLOOR
        self.sd = own if self.ours.n >= MIN_SEEDS else max(own, SD_FLOOR)
        self.interval = 100 * (self.ours.mean - 2 * self.sd), 100 * (self.ours.mean + 2 * self.sd)
        self.reproduced = self.interval[0] < k + 1 and self.interval[1] >= k
        mean = 100 * self.ours.mean
        self.distance = mean - (k + 1) if mean >= k + 1 else min(0.0, mean - k)

    def text(self) -> str:
        low, high = math.floor(100 * self.interval[0]) / 100, math.ceil(100 * self.interval[1]) / 100  # outward
        sd = f", sd floored at {100 * SD_FLOOR:.2f}" if self.floored else ""
        if self.reproduced:
            return f"reproduced ([{low:.2f}, {high:.2f}]% meets [{self.k}, {self.k + 1})%{sd})"
        d = self.distance
        return (
            f"not reproduced: {abs(d):.2f} points ({abs(d) / (100 * self.sd):.1f} sd{sd}) "
            f"{'above' if d > 0 else 'below'} [{self.k}, {self.k + 1})%"
        )

"""Comparisons a reader can trust: a difference is set against seed-to-seed noise, and a run against the
original's floor-rounded figure, by one rule each, stated where it is shown.

Seed noise: with several seeds on both sides, the pooled standard deviation of their test accuracies;
otherwise the spread of the most-seeded run of the same profile (the kept version 7 on W, 3 seeds at profile
full), said so, unless the side with several seeds has as many: then its own spread. A difference of means
is "larger than seed noise" when it exceeds twice its standard error, sd * sqrt(1/n1 + 1/n2).
Reproduction: the original's accuracies are floor-rounded percentages ("98" means 98.00-98.99); a run
reproduces one when ours lies within 1 point of that range, i.e. in [acc - 1, acc + 2).
"""

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from ..infra.paths import RECORD_DIR
from ..study.run_key import RunKey

REPRODUCE_MARGIN = 1.0  # percentage points around the original's floor-rounded range
NOISE_ERRORS = 2  # a difference of means is larger than seed noise beyond this many standard errors


def standard_error(sd: float, n1: int, n2: int) -> float:
    """Standard error of the difference of two means of n1 and n2 seeds with seed standard deviation sd."""
    return sd * math.sqrt(1 / n1 + 1 / n2)


def beyond_noise(delta: float, sd: float, n1: int, n2: int) -> bool:
    """Whether a difference of means is larger than seed noise: the one rule every comparison here uses."""
    return abs(delta) > NOISE_ERRORS * standard_error(sd, n1, n2)


@dataclass
class Seeds:
    """One run family's values over its seeds."""

    values: list

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return statistics.mean(self.values)

    @property
    def std(self) -> float | None:
        return statistics.stdev(self.values) if self.n > 1 else None

    def text(self, pct: bool = True) -> str:
        scale, unit = (100, "%") if pct else (1, "")
        spread = f" ± {self.std * scale:.2f}" if self.std is not None else ""
        return f"{self.mean * scale:.2f}{spread}{unit}" + (f" ({self.n} seeds)" if self.n > 1 else "")


def seed_records(key: RunKey, profile: str, record_dir=RECORD_DIR) -> list:
    """metrics.json of every finished seed of a run family at a profile, by seed."""
    pattern = key.with_seed(0).name.removesuffix("_s0") + "_s*"
    found = [json.loads(p.read_text()) for p in sorted(Path(record_dir, profile).glob(f"{pattern}/metrics.json"))]
    return sorted(found, key=lambda m: m["seed"])


def _most_seeded(profile: str, record_dir=RECORD_DIR) -> tuple | None:
    """(seeds, run family, std of test accuracy) of the most-seeded run of a profile; None if none has two."""
    families = {}
    for path in Path(record_dir, profile).glob("v*/metrics.json"):
        m = json.loads(path.read_text())
        families.setdefault(RunKey.of(m).family, []).append(m["test_acc"])
    seeded = [(len(v), name, statistics.stdev(v)) for name, v in families.items() if len(v) > 1]
    return max(seeded) if seeded else None


def reference_noise(profile: str, record_dir=RECORD_DIR, most=None) -> tuple:
    """(std of test accuracy over seeds, which run it comes from) for the most-seeded run of a profile
    (`most`: _most_seeded's answer, where the caller has it already)."""
    most = most or _most_seeded(profile, record_dir)
    if most is None:
        return None, "no run of this profile has more than one seed"
    n, name, std = most
    return std, f"{name}, {n} seeds"


@dataclass
class Difference:
    this: Seeds
    base: Seeds
    sd: float | None  # the seed standard deviation the verdict uses
    sd_source: str

    @property
    def delta(self) -> float:
        return self.this.mean - self.base.mean

    @property
    def standard_error(self) -> float | None:
        return None if self.sd is None else standard_error(self.sd, self.this.n, self.base.n)

    @property
    def verdict(self) -> str:
        if self.standard_error is None:
            return "seed noise unknown"
        beyond = beyond_noise(self.delta, self.sd, self.this.n, self.base.n)
        return "larger than seed noise" if beyond else "within seed noise"

    def text(self) -> str:
        noise = "" if self.sd is None else f"; seed std {100 * self.sd:.2f} points ({self.sd_source})"
        return f"{100 * self.delta:+.2f} points, {self.verdict}{noise}"


def difference(this: list, base: list, profile: str, record_dir=RECORD_DIR) -> Difference:
    """This run family's test accuracies against a base family's, with the noise they are judged by."""
    this_s, base_s = Seeds(this), Seeds(base)
    if this_s.n > 1 and base_s.n > 1:
        sd = math.sqrt((this_s.std**2 + base_s.std**2) / 2)
        return Difference(this_s, base_s, sd, "pooled over these seeds")
    seeded = next((s for s in (this_s, base_s) if s.n > 1), None)
    most = _most_seeded(profile, record_dir)
    if seeded and (most is None or seeded.n >= most[0]):  # as many seeds, of the very version and dataset
        return Difference(this_s, base_s, seeded.std, f"the {seeded.n} seeds shown")
    sd, source = reference_noise(profile, record_dir, most)
    return Difference(this_s, base_s, sd, source)


def reproduction(ours: float, reported_pct: int) -> tuple:
    """(reproduced?, the range that counts) for our accuracy (a fraction) against the original's floor-rounded %."""
    low, high = reported_pct - REPRODUCE_MARGIN, reported_pct + 1 + REPRODUCE_MARGIN
    return low <= 100 * ours < high, (low, high)


def reproduction_text(ours: float, reported_pct: int) -> str:
    ok, (low, high) = reproduction(ours, reported_pct)
    if ok:
        return f"reproduced ({100 * ours:.2f}% lies in [{low:g}, {high:g})%)"
    gap = 100 * ours - (low if 100 * ours < low else high)
    return f"not reproduced ({100 * ours:.2f}% is {abs(gap):.2f} points {'below' if gap < 0 else 'above'} [{low:g}, {high:g})%)"

"""Which runs make up the study, which notebook shows each, and the order the training queue follows."""

import re

from ..data import layouts
from . import experiment
from .run_key import RunKey
from .versions import ORIGINAL_KEPT, ORIGINAL_LAST, VERSIONS, get


def version_runs(version: int, seeds: int = 1) -> list:
    """The runs a version's notebook shows: each of its datasets; the original's C runs also with the wrap-around."""
    wraps = lambda d: (False, True) if layouts.get(d).has_wrap_bug and version <= ORIGINAL_LAST else (False,)
    return [RunKey(version, d, s, w) for d in get(version).datasets for w in wraps(d) for s in range(seeds)]


def _keys(names: str) -> list:
    """RunKeys from their names as RunKey.name writes them, the seed `_s0` left out (v7W, v5C-wrap, v21W-heldout_s1)."""
    found = {name: re.fullmatch(r"v(\d+)([A-Z])(-wrap)?(-heldout)?(?:_s(\d+))?", name) for name in names.split()}
    if bad := [name for name, m in found.items() if m is None]:
        raise ValueError(f"not run names: {bad}; write them as RunKey.name does, e.g. v5C-wrap or v21W-heldout_s1")
    return [RunKey(int(m[1]), m[2], int(m[5] or 0), bool(m[3]), "heldout" if m[4] else "all") for m in found.values()]


# Runs trained without the held-out numbers (lib/data/splits.py), shown by notebook 35, per profile.
HELDOUT = {"quick": _keys("v7W-heldout v15W-heldout v19W-heldout v21W-heldout v21C-heldout")}
# At cpu also the better strip reader on validation (issue 24): version 27 read more validation numbers than 28 on
# each of their 3 seeds.
HELDOUT |= {"smoke": HELDOUT["quick"], "cpu": _keys("v21W-heldout v21C-heldout v27W-heldout")}
KEPT_NOTEBOOKS = {
    "01_cnnW.ipynb": [RunKey(ORIGINAL_KEPT, "W")],
    "02_cnnC.ipynb": [RunKey(ORIGINAL_KEPT, "C"), RunKey(ORIGINAL_KEPT, "C", wrap=True)],
}


def heldout_runs(profile: str, seeds: int = 1) -> list:
    """The held-out runs notebook 35 shows at a profile, seeds 0..seeds-1 of each."""
    return [k.with_seed(s) for k in HELDOUT.get(profile, ()) for s in range(seeds)]


def notebooks_showing(key: RunKey) -> list:
    """The notebooks that show a run (any seed): the kept notebooks, the version's, notebook 35."""
    base = key.with_seed(0)
    shown = [name for name, keys in KEPT_NOTEBOOKS.items() if base in keys]
    shown += [spec.notebook for v, spec in VERSIONS.items() if base in version_runs(v)]
    if any(base in heldout_runs(p) for p in HELDOUT):
        shown.append("35_unseen_and_robust.ipynb")
    return shown


# The full-size record of the original study on a CPU in the order of issue 11, then versions 14-19 at its recipe.
FULL_QUEUE = _keys(
    "v7W v5C v5C-wrap v1W v1C v1C-wrap v7C v7C-wrap v2W v3W v4W v5W v6W v8W v9W v10W v11W v12W v13W v2C v2C-wrap v3C "
    "v3C-wrap v4C v4C-wrap v7W_s1 v7W_s2 v14W v15W v16W v17W v18W v19W v19C"
)
# The cpu record's queue this round: the strip readers' first seeds, then what the issues ask for (27 and 28 to 3
# seeds, the held-out runs of 21 and of the better strip reader), then version 29's further seeds.
CPU_QUEUE = _keys(
    "v21W-heldout v27W v28W v29W v27W_s1 v28W_s1 v27W_s2 v28W_s2 v21C-heldout v21W-heldout_s1 v21C-heldout_s1 "
    "v21W-heldout_s2 v21C-heldout_s2 v27W-heldout v27W-heldout_s1 v27W-heldout_s2 v29W_s1 v30W v30W_s1 v30W_s2 v29W_s2"
)
QUEUES = {"full": FULL_QUEUE, "cpu": CPU_QUEUE}


def run_shown(keys, profile: str, device: str = "auto", *, force=False, train=True, rescore=False, **options) -> list:
    """The runs a notebook shows: read from their records, else scored from their checkpoints, else trained (an
    ensemble's members first; train=False names them). rescore=True scores finished runs again from their
    checkpoints (after a change to scoring). `options` go to lib.study.experiment.run."""
    results, pending = [], []
    for k in keys:
        result = None
        if not force:
            scored = experiment.run(k, profile, device, train=False, **options) if rescore else None
            result = scored or experiment.shown(
                k, profile, device, options.get("precision", "auto"), options.get("record_dir"), options.get("runs_dir")
            )
            if result is None and not rescore:  # a checkpoint without a complete record: score it
                result = experiment.run(k, profile, device, train=False, **options)
        if result is None and train:
            for member in experiment.ensemble_members(k) if k.spec.ensemble else []:  # run() reuses a trained one
                experiment.run(member, profile, device, force=force, **{**options, "notebook": member.spec.notebook})
            result = experiment.run(k, profile, device, force=force, **options)
        (results.append(result) if result is not None else pending.append(k.name))
    if pending:
        print(f"Not trained yet at profile {profile!r}: {', '.join(pending)}; tools/train_queue.py trains them.")
    return results

"""How long the training that is left will take, from speeds measured on this machine.

The speed of a run (numbers per second of training) comes, in order of preference, from its own
finished epochs (a resumable run's progress file), from finished runs of the same version and dataset on
this hardware, or from the benchmark record (res/bench/<device>.json, training at batch 64 fed by lib).
"""

import argparse
import json
from pathlib import Path

from ..infra import provenance
from ..infra.paths import RECORD_DIR, RES_DIR
from . import experiment, plan, profiles
from .versions import check_run


def _rate_from_records(key, profile: str, hardware: str, record_dir=RECORD_DIR):
    """numbers/s of finished runs of the same family on this hardware, this profile first; smoke runs are
    too short to tell a speed."""
    family = key.with_seed(0).name.removesuffix("_s0")
    for prof in dict.fromkeys([profile, "full", "cpu", "quick"]):
        for path in sorted(Path(record_dir, prof).glob(f"{family}_s*/metrics.json")):
            m = json.loads(path.read_text())
            if m.get("hardware") == hardware and m.get("train_seconds"):
                numbers = m["epochs"] * m["samples_per_epoch"]
                return numbers / m["train_seconds"], f"finished {path.parent.name} ({prof})"
    return None


def _rate_from_bench(version, device):
    path = RES_DIR / "bench" / f"{device.type}.json"
    if path.is_file():
        report = json.loads(path.read_text())
        rate = report.get("versions", {}).get(f"v{version}") or report.get("train", {}).get(f"v{version}", {}).get(
            "lib"
        )
        if rate and report.get("hardware") == provenance.hardware(device):
            return rate, f"res/bench/{path.name}"
    return None


def remaining(key, profile: str, device, precision: str = "auto", runs_dir=None):
    """(numbers left to train, numbers/s, where the speed came from) for one run; speed None if unknown."""
    spec = check_run(key.version, key.dataset)
    epochs, samples = profiles.schedule(profile, spec)
    state = experiment.state_files(profile, key.name, runs_dir)["train_state"].with_suffix(".json")
    done = 0
    if state.is_file():
        progress = json.loads(state.read_text())
        done = progress["epoch"]
        if progress["seconds"] > 0:
            return (epochs - done) * samples, done * samples / progress["seconds"], "its finished epochs"
    hardware = provenance.hardware(device)
    found = _rate_from_records(key, profile, hardware) or _rate_from_bench(key.version, device)
    rate, source = found if found else (None, "no measurement")
    return (epochs - done) * samples, rate, source


def estimate(keys, profile: str, device="auto", precision: str = "auto", runs_dir=None) -> str:
    """One line: runs left, and the training time they need where every speed is known."""
    device = provenance.resolve_device(device)
    left = [k for k in keys if not experiment.finished(k, profile, device.type, precision)]
    if not left:
        return f"profile {profile}: every run is finished"
    seconds, unknown = 0.0, []
    for k in left:
        numbers, rate, _ = remaining(k, profile, device, precision, runs_dir)
        if rate:
            seconds += numbers / rate
        else:
            unknown.append(k.name)
    hours = seconds / 3600
    text = f"profile {profile}: {len(left)} runs left, about {hours:.1f} h of training on {provenance.hardware(device)}"
    return text + (f" plus {len(unknown)} runs of unknown speed ({', '.join(unknown)})" if unknown else "")


def main(argv=None):
    """`python -m lib.study.eta --profile full --seeds 1 [NOTEBOOK ...]`: the time left for the runs those notebooks
    show (all study notebooks when none is named); run_all.sh prints it before each notebook."""
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--profile", required=True, choices=list(profiles.PROFILES))
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", default="auto")
    ap.add_argument("notebooks", nargs="*")
    args = ap.parse_args(argv)
    shown = plan.notebook_runs(args.seeds)
    names = [Path(n).name for n in args.notebooks] or list(shown)
    keys = list(dict.fromkeys(k for n in names for k in shown.get(n, [])))
    print("estimated time left:", estimate(keys, args.profile, args.device, args.precision) if keys else "no training")


if __name__ == "__main__":
    main()

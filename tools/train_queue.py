"""The background training queue: trains a profile's record run by run in lib/study/plan.py's order, at low
priority, and renders each finished run's notebooks; restarted, it resumes. More: docs/running.md."""

import argparse
import contextlib
import fcntl
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.infra import provenance
from lib.infra.paths import state_dir
from lib.study import experiment, plan


def with_seeds(queue, seeds: int) -> list:
    """The queue, then each of its runs again with seeds 1..seeds-1 (those it does not hold already)."""
    more = [k.with_seed(s) for s in range(1, seeds) for k in queue if k.seed == 0]
    return list(queue) + [k for k in dict.fromkeys(more) if k not in queue]


@contextlib.contextmanager
def claimed(key, profile):
    """True while this process holds the run's lock (the kernel drops it with the process), else False."""
    folder = state_dir() / profile
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{key.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def left(keys, profile: str, device, precision: str) -> str:
    """One line: the runs of the queue not finished yet."""
    names = [k.name for k in keys if not experiment.finished(k, profile, device.type, precision)]
    return f"profile {profile}: {len(names)} runs left" + (f" ({', '.join(names)})" if names else "")


def render(notebooks, profile, queue, device, precision):
    """Render the notebooks that show a finished run from the records, with as many seeds as the queue holds."""
    for name in notebooks:
        seeds = 1 + max((k.seed for k in queue if name in plan.notebooks_showing(k)), default=0)
        args = f"--profile {profile} --only {Path(name).stem} --no-train --device {device} --seeds {seeds}"
        args += f" --precision {precision}"  # else `auto` may pick bf16 and miss the run's fp32 checkpoint
        print("[queue]", args, flush=True)
        if subprocess.run([str(ROOT / "run_all.sh"), *args.split()], cwd=ROOT).returncode != 0:
            print(f"[queue] rendering {name} failed; the record is written: rerun that command to retry", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="full", choices=list(plan.QUEUES))
    ap.add_argument("--device", default="auto", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--precision", default="auto", choices=["fp32", "bf16", "auto"])
    ap.add_argument("--seeds", type=int, default=1, help="after the queue, every run again with seeds 1..N-1")
    ap.add_argument("--workers", type=int, default=1, help="runs trained side by side (a GPU; never on 2 cores)")
    ap.add_argument("--no-render", action="store_true", help="write records only; render them elsewhere")
    ap.add_argument("--dry-run", action="store_true", help="list the runs left; train nothing")
    args = ap.parse_args()
    if args.seeds < 1 or args.workers < 1:
        ap.error("--seeds and --workers take a number of at least 1")
    if os.nice(0) < 10:
        os.nice(19 - os.nice(0))  # low priority: tests and short experiments take the CPU first
    if os.getsid(0) == os.getpid():  # started with setsid: its own session, so its own scheduler autogroup
        # where Linux groups processes by session, nice orders them only within one: lower the group too
        with contextlib.suppress(OSError):  # no autogroup scheduling here: nice alone does it
            Path("/proc/self/autogroup").write_text("19")
    queue = with_seeds(plan.QUEUES[args.profile], args.seeds)
    device = provenance.resolve_device(args.device)
    if args.workers > 1 and not args.dry_run:  # n-1 more copies of this command, each in its own session
        for _ in range(args.workers - 1):  # the last --workers wins: each copy is one worker
            subprocess.Popen([sys.executable, *sys.argv, "--workers", "1"], start_new_session=True)
    for i, key in enumerate(queue):
        if experiment.finished(key, args.profile, device.type, args.precision):
            continue
        print(f"[queue] next: {key.name}; {left(queue[i:], args.profile, device, args.precision)}", flush=True)
        if args.dry_run:
            continue
        with claimed(key, args.profile) as mine:
            if not mine:
                continue
            shown_in = plan.notebooks_showing(key)
            own = next((n for n in shown_in if n.startswith("10_v")), shown_in[0])
            plan.run_shown([key], args.profile, device.type, precision=args.precision, progress="lines", notebook=own)
        if not args.no_render:
            render(shown_in + ["90_results.ipynb"], args.profile, queue, device.type, args.precision)
    print(f"[queue] {left(queue, args.profile, device, args.precision)}", flush=True)


if __name__ == "__main__":
    main()

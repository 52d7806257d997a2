"""The background training queue: trains a profile's record run by run, in the order lib/study/plan.py gives,
at low priority, and renders the notebooks that show each run as soon as it has finished.

    RUNS_DIR=/somewhere/outside/the/work/tree nice -n 19 .venv/bin/python tools/train_queue.py --profile full

Stop it at any moment (Ctrl-C, kill, the machine stops): started again, it skips finished runs and resumes
the interrupted one from its last finished epoch (lib/study/train.py saves the state after every epoch, in
$RUNS_DIR). Finished runs write their record (res/runs/<profile>/<run>/) and the queue renders their
notebooks with `run_all.sh --no-train`, which never trains: a notebook lists the runs still to come.
Never run two queues, or a queue beside other long trainings, on the same 2 cores. On a GPU, several
workers may share the queue (`--workers N`): each takes the next run no other worker holds (a lock per
run in $RUNS_DIR, released when its worker ends, however it ends), and `--no-render` leaves rendering to
a machine with Jupyter (`run_all.sh --no-train`).
"""

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
from lib.study import eta, experiment, plan  # noqa: E402


def seeds_shown(queue, notebook: str) -> int:
    """How many seeds a notebook shows in this record: one more than the highest queued seed it shows."""
    return 1 + max((k.seed for k in queue if notebook in plan.notebooks_showing(k)), default=0)


def render(notebooks, profile, queue, device):
    for name in notebooks:
        cmd = [
            str(ROOT / "run_all.sh"),
            "--profile",
            profile,
            "--only",
            Path(name).stem,
            "--no-train",
            "--device",
            device,
            "--seeds",
            str(seeds_shown(queue, name)),
        ]
        print("[queue]", " ".join(cmd[1:]), flush=True)
        if subprocess.run(cmd, cwd=ROOT).returncode != 0:
            print(
                f"[queue] rendering {name} failed; the run's record is written, rerun that command to retry.",
                flush=True,
            )


def with_seeds(queue, seeds: int) -> list:
    """The queue, then each of its runs again with seeds 1..seeds-1 (those it does not hold already)."""
    more = [k.with_seed(s) for s in range(1, seeds) for k in queue if k.seed == 0]
    return list(queue) + [k for k in dict.fromkeys(more) if k not in queue]


@contextlib.contextmanager
def claimed(key, profile):
    """True while this process holds the run's lock; False if another worker holds it. The kernel drops
    the lock when the process ends, so a killed worker never leaves a run claimed."""
    folder = state_dir() / profile
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{key.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def spawn_workers(n: int) -> None:
    """Start n-1 more copies of this command (without --workers), each in its own session, as peers."""
    argv = [a for i, a in enumerate(sys.argv) if a != "--workers" and sys.argv[i - 1] != "--workers"]
    for _ in range(n - 1):
        subprocess.Popen([sys.executable, *argv], start_new_session=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="full", choices=list(plan.QUEUES))
    ap.add_argument("--device", default="auto", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--precision", default="auto", choices=["fp32", "bf16", "auto"])
    ap.add_argument("--seeds", type=int, default=1, help="after the queue, every run again with seeds 1..N-1")
    ap.add_argument("--workers", type=int, default=1, help="runs trained side by side (a GPU; never on 2 cores)")
    ap.add_argument("--no-render", action="store_true", help="write records only; render them elsewhere")
    ap.add_argument("--dry-run", action="store_true", help="list the runs left and the time they need")
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
    device = provenance.resolve_device(args.device).type
    if args.workers > 1 and not args.dry_run:
        spawn_workers(args.workers)
    for i, key in enumerate(queue):
        if experiment.finished(key, args.profile, device, args.precision):
            continue
        print(f"[queue] next: {key.name}; {eta.estimate(queue[i:], args.profile, device, args.precision)}", flush=True)
        if args.dry_run:
            continue
        with claimed(key, args.profile) as mine:
            if not mine:
                continue
            shown_in = plan.notebooks_showing(key)
            own = next((n for n in shown_in if n.startswith("10_v")), shown_in[0])
            plan.run_shown([key], args.profile, device, precision=args.precision, progress="lines", notebook=own)
        if not args.no_render:
            render(shown_in + ["90_results.ipynb"], args.profile, queue, device)
    print(f"[queue] {eta.estimate(queue, args.profile, device, args.precision)}", flush=True)


if __name__ == "__main__":
    main()

"""The training queue's bookkeeping: more seeds extend the record, and workers never train the same run twice."""

import importlib.util
from pathlib import Path

import torch

from lib.report import summary
from lib.study import experiment, plan
from lib.study.run_key import RunKey

spec = importlib.util.spec_from_file_location("train_queue", Path(__file__).parent.parent / "tools" / "train_queue.py")
train_queue = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_queue)


def test_more_seeds_come_after_the_record_and_repeat_no_run():
    queue = plan.QUEUES["full"]
    longer = train_queue.with_seeds(queue, 3)
    assert longer[: len(queue)] == list(queue)
    assert len(longer) == len(set(longer))
    assert {k.with_seed(s) for k in queue for s in range(3)} == set(longer)
    assert train_queue.with_seeds(queue, 1) == list(queue)


def test_a_run_held_by_one_worker_is_skipped_by_another(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))
    key = RunKey(7, "W")
    with train_queue.claimed(key, "full") as first:
        assert first
        with open(tmp_path / "full" / f"{key.name}.lock") as other:  # a second worker: another open file
            import fcntl

            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                taken = False
            except BlockingIOError:
                taken = True
        assert taken
    with train_queue.claimed(key, "full") as again:  # released when the holder is done
        assert again


def test_training_time_says_what_shared_the_machine():
    assert summary.shared_mark(0.0, "cpu") == ""
    assert summary.shared_mark(1.5, "cpu") == " (shared CPU)"
    assert summary.shared_mark(12.0, "cuda") == " (shared GPU)"
    assert summary.shared_mark(None, "cpu") == " (?)"
    assert summary.shared_mark(float("nan"), "cuda") == " (?)"


def test_the_queue_names_the_runs_it_has_left(tmp_path, monkeypatch):
    keys, cpu = [RunKey(7, "W"), RunKey(5, "C")], torch.device("cpu")
    monkeypatch.setattr(experiment, "finished", lambda key, *args: key.version == 7)
    assert train_queue.left(keys, "full", cpu, "auto") == "profile full: 1 runs left (v5C_s0)"
    monkeypatch.setattr(experiment, "finished", lambda key, *args: True)
    assert train_queue.left(keys, "full", cpu, "auto") == "profile full: 0 runs left"

"""The training queue's bookkeeping: more seeds extend the record, workers never train the same run twice, and the
time left comes from the speeds measured on this hardware."""

import importlib.util
import json
from pathlib import Path

import torch

from lib.infra import provenance
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


def test_the_time_left_comes_from_the_runs_own_epochs_else_its_finished_seeds_on_this_hardware(tmp_path):
    key, cpu = RunKey(7, "W"), torch.device("cpu")
    progress = experiment.state_files("full", key.name, tmp_path)["train_state"].with_suffix(".json")
    progress.parent.mkdir(parents=True)
    progress.write_text(json.dumps({"epoch": 4, "epochs": 10, "samples_per_epoch": 150_000, "seconds": 2000.0}))
    assert train_queue.remaining(key, "full", cpu, runs_dir=tmp_path) == (900_000, 300.0)
    seed1 = tmp_path / "records" / "cpu" / "v7W_s1" / "metrics.json"
    seed1.parent.mkdir(parents=True)
    record = {"epochs": 10, "samples_per_epoch": 30_000, "train_seconds": 600.0}
    seed1.write_text(json.dumps({**record, "hardware": "another machine"}))
    fresh = tmp_path / "no-state"
    assert train_queue.remaining(key, "full", cpu, fresh, tmp_path / "records")[1] != 500.0  # not this hardware
    seed1.write_text(json.dumps({**record, "hardware": provenance.hardware(cpu)}))
    assert train_queue.remaining(key, "full", cpu, fresh, tmp_path / "records") == (1_500_000, 500.0)

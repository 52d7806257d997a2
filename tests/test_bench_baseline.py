"""The benchmarks' own logic: the per-sample baseline makes the same kind of batches as lib, and a short budget
changes only training settings (speed itself is bench/'s job, never a test's)."""

import json
import sys
from types import SimpleNamespace

import pytest
import torch

from bench.bench import baseline_feed
from lib.data.numbers import ndigits_of
from lib.study import versions


def test_baseline_batches_look_like_lib_batches():
    for dataset, channels in (("W", 1), ("C", 3)):
        x, y = baseline_feed(torch.device("cpu"), dataset, batch=640)()
        assert x.shape == (640, channels, 32, 32) and x.dtype == torch.float32
        assert y.min() >= 0 and y.max() <= 999
        counts = torch.bincount(ndigits_of(y), minlength=4)[1:]
        assert (counts > 640 / 3 - 70).all()  # about a third each
        assert abs(x.min().item() + 0.1307 / 0.3081) < 1e-4  # background normalises to -0.424


def test_a_short_budget_changes_training_settings_only_and_checks_them():
    from bench.time_to_accuracy import with_settings

    spec, settings = with_settings(versions.get(21), ["lr=4e-3", "augment_layout=()", "schedule=constant"])
    assert (spec.lr, spec.augment_layout, spec.schedule) == (4e-3, (), "constant")
    assert settings == {"lr": 4e-3, "augment_layout": (), "schedule": "constant"}
    assert with_settings(versions.get(21), ["lr=1"])[0].lr == 1.0  # an int reads as a float setting
    for wrong in ("convs=((8, 3, 1),)", "lr", "augment_layout=3", "batch_size=32.0", "ema=True"):
        with pytest.raises(SystemExit, match="--set"):
            with_settings(versions.get(21), [wrong])


def test_the_time_to_99_record_refuses_a_budget_that_no_validation_trial_tried(tmp_path):
    """The test set decides nothing: a record's budget must first have been tried on validation."""
    from argparse import Namespace

    from bench.time_to_accuracy import budget_text, record

    spec, settings = versions.get(21), {}
    budget = budget_text(4, 12_000, spec, settings)
    assert budget == "4 epochs × 12,000 numbers, batch 64, its own recipe"
    args = Namespace(version=21, dataset="W", epochs=4, samples=12_000, seeds=5, target=0.99, limit=300.0)
    args.device, args.out = torch.device("cpu"), tmp_path
    trials = tmp_path / "time_to_99_cpu_trials.md"
    with pytest.raises(SystemExit, match="no trial on validation"):
        record(args, spec, settings, budget, trials)
    trials.write_text(f"| abc | cpu | v21 | {budget.replace('4 epochs', '5 epochs')} |")
    with pytest.raises(SystemExit, match="no trial on validation"):
        record(args, spec, settings, budget, trials)


def test_a_benchmark_writes_its_record_where_out_says(tmp_path):
    """One way of writing a record: its numbers with the provenance in JSON, a title, provenance and tables in Markdown."""
    from argparse import Namespace

    from bench import record

    args = Namespace(device=torch.device("cpu"), out=tmp_path)
    record.write(args, "x_cpu", "A title", {"rate": 2.0}, record.table(["version", "numbers/s"], [["v1", "2"]]))
    saved = json.loads((tmp_path / "x_cpu.json").read_text())
    assert saved["rate"] == 2.0 and {"commit", "hardware", "torch", "others_cores_after"} <= saved.keys()
    text = (tmp_path / "x_cpu.md").read_text().splitlines()
    assert text[0] == "# A title" and text[-3:] == ["| version | numbers/s |", "|---|---:|", "| v1 | 2 |"]


def test_the_digit_reader_benchmark_checks_its_run_against_the_targets(tmp_path, monkeypatch):
    from bench import digit_reader

    metrics = {"model": "reader-v21", "params": 288_362, "epochs": 12, "test_acc": 0.9968, "best_val_acc": 0.996}
    metrics |= {"best_epoch": 10, "train_seconds": 1131.5, "train_others_cores": 0.03}
    run = SimpleNamespace(metrics=metrics)
    monkeypatch.setattr(digit_reader.runs, "run", lambda *a, **k: run)
    monkeypatch.setattr(sys, "argv", ["digit_reader", "--out", str(tmp_path)])
    digit_reader.main()
    saved = json.loads((tmp_path / "digit_reader_v21_cpu.json").read_text())
    assert saved["targets"] == {"accuracy": False, "parameters": True, "time": True}
    assert saved["recorded_in"] is None and abs(saved["others_cores"] - 0.03) < 1e-9


def test_the_reading_benchmark_times_every_reader_in_each_of_its_decodings(tmp_path, monkeypatch):
    from bench import reading

    monkeypatch.setattr(sys, "argv", ["reading", "--numbers", "64", "--rounds", "1", "--out", str(tmp_path)])
    reading.main()
    rates = json.loads((tmp_path / "reading_cpu.json").read_text())["numbers_per_second"]
    strip_readers = [f"v{v} {d}" for v in reading.READERS[1:] for d in ("greedy", "best number")]
    assert list(rates) == ["v21 best number", *strip_readers] and all(r > 0 for r in rates.values())
    assert "| v29 best number |" in (tmp_path / "reading_cpu.md").read_text()

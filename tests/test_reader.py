"""A version's digit reader on single digits: the same network as its 0-999 reader, with 10 outputs."""

import torch

from lib.digits import runs, torch_lenet
from lib.study import models, versions


def test_the_digit_reader_is_the_versions_per_digit_network():
    spec = versions.get(versions.DIGIT_READER)
    assert spec.encoder == "per_digit"
    single = torch_lenet.build_reader(versions.DIGIT_READER)
    number = models.build(versions.DIGIT_READER, "C")  # C reads each 28x28 channel: the same view
    assert single(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    # the same layers but the last, which reads 10 digit classes instead of 11 (a digit, or nothing)
    last_inputs = number.classifier[-1].in_features
    assert models.count_params(number) - models.count_params(single) == last_inputs + 1


def test_a_smoke_reader_run_records_validation_and_test(tmp_path):
    name, dirs = f"reader-v{versions.DIGIT_READER}", {"record_dir": tmp_path, "runs_dir": tmp_path}
    run = runs.run(name, "smoke", device="cpu", progress="off", **dirs)
    m = run.metrics
    assert m["model"] == f"reader-v{versions.DIGIT_READER}" and m["params"] <= 1_000_000
    assert 0 <= m["test_acc"] <= 1 and 0 <= m["best_val_acc"] <= 1 and m["config"]["validation_digits"] == 5000
    again = runs.run(name, "smoke", device="cpu", progress="off", **dirs)
    assert again.from_record and again.metrics == m  # shown from its record, not trained again

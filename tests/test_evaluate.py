import math

import torch

from lib.study.evaluate import summarize


def test_metrics_on_a_hand_checked_case():
    labels = torch.tensor([5, 12, 123, 7])
    preds = torch.tensor([5, 13, 124, 70])
    losses = torch.tensor([0.1, 1.0, 2.0, 3.0])
    m = summarize(labels, preds, losses)
    assert m["n"] == 4 and math.isclose(m["test_loss"], 1.525, rel_tol=1e-6)
    assert m["test_acc"] == 0.25
    assert (m["acc_1digit"], m["acc_2digit"], m["acc_3digit"]) == (0.5, 0.0, 0.0)
    assert m["digit_error_units"] == 0.75  # 12->13, 123->124, 7->70 (units 7 vs 0)
    assert m["digit_error_tens"] == 0.0  # 12 and 123 keep their tens
    assert m["digit_error_hundreds"] == 0.0
    assert m["length_error"] == 0.25  # 7 read as a 2-digit number
    assert {(c["true"], c["pred"], c["count"]) for c in m["top_confusions"]} == {(12, 13, 1), (123, 124, 1), (7, 70, 1)}


def test_confusions_are_counted_and_sorted():
    labels = torch.tensor([1, 1, 1, 2, 3])
    preds = torch.tensor([7, 7, 1, 5, 3])
    m = summarize(labels, preds, torch.zeros(5))
    assert m["top_confusions"][0] == {"true": 1, "pred": 7, "count": 2}
    assert math.isnan(m["acc_3digit"])

"""A layout is one object: a third one (digits stacked top to bottom) trains and tests with no other change."""

import torch

from lib.data import layouts, testsets
from lib.data.numbers import NumberGenerator
from lib.study import experiment
from lib.study.run_key import RunKey


class Vertical(layouts.Layout):
    """Digits top to bottom, 84 x 28: W's operations on transposed images."""

    name = "V"
    channels = 1
    native = (1, 84, 28)
    seed_offset = 2
    wide = layouts.SideBySide()

    def compose(self, slots):
        return self.wide.compose(slots.transpose(-1, -2)).transpose(-1, -2)

    def place(self, slots, shift_x, shift_y):
        return self.wide.place(slots.transpose(-1, -2), shift_y, shift_x).transpose(-1, -2)

    def resize32(self, raw, ndigits):
        return self.wide.resize32(raw.transpose(-1, -2), ndigits).transpose(-1, -2)

    def as_input(self, raw):
        return raw.float().unsqueeze(1)

    def digits_region(self, raw, ndigits):
        return raw[..., : 28 * ndigits, :]

    def show(self, raw_one, ndigits):
        return self.digits_region(raw_one, ndigits).cpu().numpy()


def test_w_and_c_compose_the_slots(train_bank):
    batch = NumberGenerator(train_bank, seed=0).batch(8)
    w, c = layouts.get("W").compose(batch.slots), layouts.get("C").compose(batch.slots)
    assert w.shape == (8, 28, 84) and c.shape == (8, 3, 28, 28)
    assert torch.equal(w[:, :, 28:56], c[:, 1]) and torch.equal(batch.raw("W"), w)


def test_a_third_layout_is_one_new_object(monkeypatch, tmp_path):
    monkeypatch.setitem(layouts.LAYOUTS, "V", Vertical())
    # small fixed sets of every part: the new layout's sets are built here (only V's, then deleted)
    monkeypatch.setattr(testsets, "PER_CLASS", dict.fromkeys(testsets.PARTS, {1: 20, 2: 2, 3: 1}))
    try:
        result = experiment.run(RunKey(19, "V"), "smoke", "cpu", progress="off", record_dir=tmp_path, runs_dir=tmp_path)
        assert result.test_set.raw.shape[1:] == (84, 28) and 0 <= result.metrics["test_acc"] <= 1
        assert result.metrics["params"] > 0 and "robust_test_acc" in result.metrics
    finally:
        for variant in testsets.VARIANTS:
            for part in testsets.PARTS:
                for path in testsets.paths("V", variant=variant, part=part):
                    path.unlink(missing_ok=True)

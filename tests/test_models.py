from dataclasses import replace

import pytest
import torch
from torch import nn

from lib.data import layouts
from lib.study import models, train, versions

ORIGINAL_RUNS = [r for r in versions.runs() if r[0] <= versions.ORIGINAL_LAST]


def test_the_study_has_13_w_and_5_c_runs():
    runs = ORIGINAL_RUNS
    assert [v for v, d in runs if d == "W"] == list(range(1, 14))
    assert [v for v, d in runs if d == "C"] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("version, dataset", ORIGINAL_RUNS)
def test_parameter_count_and_output_shape(version, dataset):
    model = models.build(version, dataset)
    assert models.count_params(model) == versions.get(version).reported[dataset].params  # as the original's
    model.eval()
    with torch.no_grad():
        assert model(torch.randn(2, layouts.get(dataset).channels, 32, 32)).shape == (2, 1000)


def test_registry_reads_like_the_document():
    v = versions.VERSIONS
    assert (v[1].act, v[1].samples_per_epoch, v[1].epochs, v[1].optimizer) == ("tanh", 500_000, 2, "sgd")
    assert (v[2].act, v[2].samples_per_epoch, v[2].epochs) == ("relu", 150_000, 3)
    assert v[4].convs[-1] == (256, 5, 2) and v[4].dropout == (0.5, 0.3) and v[4].batchnorm
    assert v[6].optimizer == "adam" and v[7].dropout == (0.5, 0.5)
    assert [v[k].digit_probs for k in (8, 9, 10)] == [(0.2, 0.3, 0.5), (0.1, 0.2, 0.7), (0.5, 0.3, 0.2)]
    assert v[11].digit_probs == versions.UNIFORM and v[11].convs[0] == (32, 3, 3)
    assert (v[13].weight_decay, v[13].decay_on, v[13].fcs) == (1e-4, "weights", (2048, 1024))
    assert all(x.batch_size == 64 for x in v.values())
    assert len(v) >= 19


def test_versions_past_the_original_change_one_thing_each():
    """Each of 14-19 differs from its parent (v14: from v7) only in the fields its change names."""
    v = versions.VERSIONS
    notes = ("version", "slug", "parent", "change")
    fields = lambda spec: {k: getattr(spec, k) for k in spec.__dataclass_fields__ if k not in notes}  # noqa: E731
    changed = {k: {f for f in fields(v[k]) if fields(v[k])[f] != fields(v[v[k].parent])[f]} for k in range(14, 20)}
    assert changed == {
        14: {"preprocessing"},
        15: {"head"},
        16: {"augment_digits"},
        17: {"augment_layout"},
        18: {"optimizer", "lr", "weight_decay", "decay_on", "schedule", "label_smoothing"},
        19: {"convs", "fcs", "dropout", "datasets"},
    }
    assert [r for r in versions.runs() if 13 < r[0] <= 19] == [
        (14, "W"),
        (15, "W"),
        (16, "W"),
        (17, "W"),
        (18, "W"),
        (19, "W"),
        (19, "C"),
    ]


@pytest.mark.parametrize(
    "version, dataset, params, outputs",
    [(14, "W", 19_316_520, 1000), (15, "W", 18_325_345, 33), (19, "W", 219_873, 33), (19, "C", 131_745, 33)],
)
def test_new_versions_build_for_native_input(version, dataset, params, outputs):
    model = models.build(version, dataset, channels_last=True).eval()
    assert models.count_params(model) == params
    assert models.count_params(models.build(19, "W")) <= 1_000_000  # the budget for the small network
    with torch.no_grad():
        assert model(torch.randn(2, *layouts.get(dataset).native)).shape == (2, outputs)


def test_one_cycle_schedule_and_adamw():
    spec = versions.get(18)
    model = models.build(19, "C")
    opt = train.optimizer_for(model, spec)
    sched = train.scheduler_for(opt, spec, total_steps=100)
    assert isinstance(opt, torch.optim.AdamW) and opt.param_groups[0]["weight_decay"] == 0.05
    lrs = []
    for _ in range(100):
        opt.step(), sched.step(), lrs.append(opt.param_groups[0]["lr"]) if len(lrs) < 99 else None
    assert max(lrs) == pytest.approx(2e-3, rel=0.01) and lrs[-1] < 1e-5 and lrs[0] < 2e-4
    assert train.scheduler_for(opt, versions.get(7), 100) is None


def test_unknown_version_or_dataset_lists_the_valid_ones():
    unknown = max(versions.VERSIONS) + 1
    with pytest.raises(ValueError, match=rf"unknown version {unknown}; valid: 1, 2, .*{unknown - 1}"):
        models.build(unknown, "W")
    with pytest.raises(ValueError, match="valid: W, C"):
        models.build(7, "X")
    assert models.count_params(models.build(7, "C")) == versions.get(7).reported["W"].params + 1600  # cnnC: v7 on C


def test_v13_decays_only_conv_and_linear_weights():
    spec = versions.get(13)
    model = models.build(13, "W")
    decay, rest = train.optimizer_for(model, spec).param_groups
    assert decay["weight_decay"] == 1e-4 and rest["weight_decay"] == 0
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert {id(p) for p in decay["params"]} == {id(m.weight) for m in layers}
    assert len(rest["params"]) == len(layers) + 2 * 3  # biases, plus BN weight and bias of 3 convs


def test_optimisers():
    opt = train.optimizer_for(models.build(1, "W"), versions.get(1))
    assert isinstance(opt, torch.optim.SGD) and opt.defaults["momentum"] == 0.9 and opt.defaults["lr"] == 1e-3
    assert isinstance(train.optimizer_for(models.build(7, "W"), versions.get(7)), torch.optim.Adam)


def test_generated_notebooks_and_docs_are_up_to_date():
    """The notebooks, the docs' module and profile tables and the original's version table are written from the code."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "tools/make_notebooks.py", "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_version_notebooks_never_collide():
    """Each version's notebook name is its own, and no hand-written notebook shares the version prefix."""
    from pathlib import Path

    names = [spec.notebook for spec in versions.VERSIONS.values()]
    assert len(set(names)) == len(names)
    added = replace(versions.get(versions.BEST["W"]), version=max(versions.VERSIONS) + 1, slug="next")
    others = [p.name for p in Path("notebooks").glob("*.ipynb") if not p.name.startswith("10_v")]
    assert (
        added.notebook.startswith("10_v")
        and added.notebook not in names
        and not any(o.startswith("10_") for o in others)
    )

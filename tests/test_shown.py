"""A notebook rendered before its runs finish (run_all.sh --no-train) shows a note, not an error."""

from lib.report import plots, tables


def test_tables_and_figures_of_no_finished_run_show_a_note(monkeypatch):
    notes = []
    monkeypatch.setattr(tables, "display", lambda md: notes.append(md.data))
    assert plots.training_curves([]) is None
    assert plots.accuracy_by_digits([]) is None
    assert plots.digit_confusion([]) is None
    assert plots.misclassified([]) is None
    assert plots.confusions_table([]) is None
    assert plots.column_readings([], "cpu") is None
    assert tables.against_parent([], 6) is None
    assert tables.against_original([]) is None
    assert tables.what_it_showed([], 6) is None
    assert tables.unseen([]) is None
    assert notes == [tables.NOTHING_YET] * 10


def test_accuracy_by_digits_draws_one_family_and_several():
    from types import SimpleNamespace

    import matplotlib.pyplot as plt

    def run(family, acc):
        metrics = {"acc_1digit": acc, "acc_2digit": acc - 0.01, "acc_3digit": acc - 0.02}
        return SimpleNamespace(key=SimpleNamespace(family=family), metrics=metrics)

    cases = (
        ([run("v7W", 0.99), run("v7W", 0.98)], ["v7W (2 seeds)"]),
        ([run("v7W", 0.99), run("v7C", 0.97)], ["v7W (1 seed)", "v7C (1 seed)"]),
    )
    for runs, legend in cases:
        fig = plots.accuracy_by_digits(runs)
        assert fig.axes[0].get_legend_handles_labels()[1] == legend
        plt.close(fig)


def test_the_closing_tables_of_the_first_version_have_no_parent_to_compare_with():
    import json
    from types import SimpleNamespace

    from lib.infra.paths import RECORD_DIR
    from lib.study.run_key import RunKey

    folder = RECORD_DIR / "full" / "v1W_s0"  # a committed record of version 1, which has no parent version
    metrics = json.loads((folder / "metrics.json").read_text())
    runs = [SimpleNamespace(key=RunKey.of(metrics), metrics=metrics, run_dir=folder)]
    shown = tables.what_it_showed(runs, None).data
    assert "| **v1W** |" in shown and "| – |" in shown  # no parent: a dash, not an error


def test_the_closing_table_judges_a_version_against_its_parent_on_validation_too():
    """Decisions are made on validation: the closing table gives that verdict beside the test set's."""
    import json
    from types import SimpleNamespace

    from lib.infra.paths import RECORD_DIR
    from lib.study.run_key import RunKey

    runs = []
    for seed in range(3):  # committed records: version 28 at cpu, 3 seeds, against version 27's 3
        folder = RECORD_DIR / "cpu" / f"v28W_s{seed}"
        metrics = json.loads((folder / "metrics.json").read_text())
        runs.append(SimpleNamespace(key=RunKey.of(metrics), metrics=metrics, run_dir=folder))
    row = next(line for line in tables.what_it_showed(runs, 27).data.splitlines() if line.startswith("| **v28W**"))
    test_verdict, val_verdict = row.split(" | ")[2:4]
    assert test_verdict.endswith("within seed noise") and val_verdict.endswith("lower, beyond seed noise")

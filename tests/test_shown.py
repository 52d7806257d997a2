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

"""Provenance names the code's commit, also in a copy of the tree without git (a GPU machine, say)."""

from lib.infra import provenance


def test_a_copy_without_git_names_the_commit_it_was_given(monkeypatch):
    monkeypatch.setattr(provenance, "_git", lambda *args: "")
    monkeypatch.setenv("SOURCE_COMMIT", "a8da38e83b")
    provenance.commit.cache_clear()
    try:
        assert provenance.commit() == "a8da38e83b"
        monkeypatch.delenv("SOURCE_COMMIT")
        provenance.commit.cache_clear()
        assert provenance.commit() == "unknown"
    finally:
        provenance.commit.cache_clear()

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


def test_fp32_on_a_gpu_turns_tf32_off_and_the_record_says_so():
    import torch

    from lib.study import train

    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    before = matmul.allow_tf32, cudnn.allow_tf32
    try:
        matmul.allow_tf32 = cudnn.allow_tf32 = True
        train.strict_fp32("bf16", "cuda")  # bf16 autocast is not fp32: left alone
        train.strict_fp32("fp32", "cpu")
        assert matmul.allow_tf32 and cudnn.allow_tf32
        train.strict_fp32("fp32", "cuda")
        assert not matmul.allow_tf32 and not cudnn.allow_tf32
    finally:
        matmul.allow_tf32, cudnn.allow_tf32 = before
    assert provenance.describe("cpu")["tf32"] is False


def test_the_full_records_name_the_code_that_trained_them():
    from lib.report import results

    full = results.collect(profiles=["full"])
    assert set(full["code_commit"]) == {"a8da38e"} and set(full["commit"]) == {"c840443f66+dirty"}
    assert set(full["tf32"]) == {"not disabled (unknown)"}
    cpu = results.collect(profiles=["cpu"])
    assert (cpu["code_commit"] == cpu["commit"]).all()

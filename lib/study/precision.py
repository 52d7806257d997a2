"""Numeric precision of a training run: fp32, or bf16 autocast where the hardware computes it natively.

`auto` picks bf16 only where it is native: a CUDA GPU with bf16, or a CPU whose oneDNN reports bf16
support (AVX512-BF16 or AMX). Elsewhere oneDNN emulates bf16, which is slower than fp32 by an order of
magnitude (bench/bench.py measures both), so `auto` is fp32 there and an explicit `bf16` still runs,
slowly, for parity checks. Weights, optimiser state and the loss stay fp32 either way (autocast).
"""

from contextlib import nullcontext

import torch

from ..infra.choices import pick

PRECISIONS = ("fp32", "bf16", "auto")


def check(precision: str) -> str:
    return pick(PRECISIONS, precision, "precision")


def bf16_native(device) -> bool:
    """True where bf16 matrix products run in hardware on `device`."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve(precision: str, device) -> str:
    """'fp32' or 'bf16': what a run with this setting computes in on `device`."""
    if check(precision) == "auto":
        return "bf16" if bf16_native(device) else "fp32"
    return precision


def strict_fp32(precision: str, device):
    """fp32 on a CUDA GPU means fp32: turn off TF32 matrix products and convolutions (cuDNN allows TF32 by
    default), which would otherwise round their inputs to 10 mantissa bits. provenance.describe records it."""
    if precision == "fp32" and torch.device(device).type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def autocast(precision: str, device):
    """The forward pass's context: bf16 autocast, or nothing for fp32 (`precision` already resolved)."""
    if precision == "fp32":
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)

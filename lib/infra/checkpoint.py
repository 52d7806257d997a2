"""Model checkpoints with metadata, written atomically and refused when they do not fit the model."""

from pathlib import Path

import torch

from . import atomic

IDENTITY = ("version", "dataset", "preprocessing")  # what a checkpoint names so that its model can be built and fed


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable, or of another model."""


def save(path, model: torch.nn.Module, meta: dict):
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return atomic.torch_save(path, {"meta": meta, "state_dict": state})


def read(path) -> dict:
    if not Path(path).is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated zip, pickle refused by weights_only, ...
        raise CheckpointError(
            f"checkpoint {path} cannot be read ({type(e).__name__}: {e}); delete it and train again"
        ) from e


def load_into(model: torch.nn.Module, path) -> dict:
    """Load weights into `model` (a run's identity is its config, compared by store.same_config); return its meta."""
    ckpt = read(path)
    try:
        model.load_state_dict(ckpt["state_dict"])
    except (RuntimeError, KeyError) as e:
        raise CheckpointError(f"checkpoint {path} does not fit this model: {e}") from e
    return ckpt.get("meta", {})

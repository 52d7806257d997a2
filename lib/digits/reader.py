"""The digit reader of a version, trained on single MNIST digits: how well one digit can be read.

A version whose encoder is "per_digit" (lib/study/models.py's DigitReader) reads every digit of a number
with one network. The same network, with 10 outputs instead of 11 and the version's own optimiser,
augmentation and weight average, trained on the 55,000 training digits and validated on the 5,000
validation digits, gives the per-digit accuracy p that bounds what any 0-999 reader built on it can do:
with independent errors an n-digit number is read right about p**n of the time. Input is the 28x28
digit as MNIST made it (no 32x32 padding: the 0-999 readers see the same).
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..data.augment import augment_digit_images
from ..data.preprocess import normalise
from ..infra import provenance
from ..study.evaluate import for_inference
from ..study.models import conv_stack, fc_stack, optimizer_for
from ..study.train import weight_average
from ..study.versions import get
from .data import EVAL_BATCH
from .runs import DigitRun, run_digit_model
from .torch_lenet import TorchLearner

WARMUP = 0.25  # fraction of the run the learning rate rises for, as the versions' one-cycle schedule


def build_reader(version: int) -> nn.Module:
    """A version's digit reader for one 28x28 digit: its conv blocks, its FC layers and 10 outputs."""
    spec = get(version)
    features, channels, height, width = conv_stack(spec, 1, 28, 28)
    return nn.Sequential(features, fc_stack(spec, channels * height * width, 10))


def reader_recipe(version: int) -> dict:
    """What the shared single-digit loop needs of a version's recipe (lib/digits/training.py)."""
    spec = get(version)
    return {
        "version": version,
        "recipe_digest": spec.recipe_digest,
        "batch_size": spec.batch_size,
        "lr": spec.lr,
        "schedule": "cosine",
        "warmup": WARMUP,
        "label_smoothing": spec.label_smoothing,
    }


class ReaderLearner(TorchLearner):
    """What the shared loop drives: one step of the version's optimiser on augmented digits; logits and weights
    of the weight average when the version keeps one (state, load_state, params: TorchLearner's)."""

    def __init__(self, version: int, device, seed: int):
        self.spec, self.device = get(version), torch.device(device)
        self.model = build_reader(version).to(self.device).to(memory_format=torch.channels_last)
        self.optimizer = optimizer_for(self.model, self.spec)
        self.average = weight_average(self.model, self.spec)
        self.generator = torch.Generator().manual_seed(seed)  # the augmentation draws

    @property
    def scored(self) -> nn.Module:
        return self.model if self.average is None else self.average.module

    def _inputs(self, images: torch.Tensor) -> torch.Tensor:
        return normalise(images[:, None].float()).to(self.device).contiguous(memory_format=torch.channels_last)

    def train_batch(self, images, labels, lr):
        """One step; returns (summed loss, number correct) of the batch."""
        self.model.train()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = self._inputs(augment_digit_images(images, self.generator, self.spec)), labels.to(self.device)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=self.spec.label_smoothing)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self.average is not None:
            self.average.update_parameters(self.model)
        return loss.item() * len(y), (logits.argmax(1) == y).sum().item()

    @torch.inference_mode()
    def logits(self, images) -> torch.Tensor:
        model = for_inference(self.scored)
        return torch.cat([model(self._inputs(chunk)).float().cpu() for chunk in images.split(EVAL_BATCH)])


def reader_name(version: int) -> str:
    return f"reader-v{version}"


def run_reader(
    version: int,
    profile: str = "quick",
    seed: int = 0,
    device: str = "auto",
    force: bool = False,
    progress="bar",
    **options,
) -> DigitRun:
    """Train and test a version's digit reader on single digits under a profile, or show a finished run from its record;
    `options` go to run_digit_model (record_dir, runs_dir, train)."""
    dev = provenance.resolve_device(device)

    def make_learner():
        torch.manual_seed(seed)  # initial weights
        return ReaderLearner(version, dev, seed)

    recipe = reader_recipe(version)
    return run_digit_model(reader_name(version), profile, seed, recipe, make_learner, dev, force, progress, **options)

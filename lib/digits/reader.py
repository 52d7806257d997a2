"""The digit reader of a version, trained on single MNIST digits: how well one digit can be read.

A version whose encoder is "per_digit" reads every digit of a number with one network. That network with 10
outputs, the version's optimiser, augmentation and weight average, trained on single 28x28 digits (unpadded, as
the 0-999 readers see them), gives the per-digit accuracy p that bounds any 0-999 reader built on it: with
independent errors an n-digit number is read right about p**n of the time.
"""

import torch
from torch import nn

from ..data.augment import augment_digit_images
from ..data.preprocess import normalise
from ..study.models import conv_stack, fc_stack
from ..study.train import optimizer_for, weight_average
from ..study.versions import get
from .torch_lenet import TorchLearner

WARMUP = 0.25  # fraction of the run the learning rate rises for, as the versions' one-cycle schedule


def build_reader(version: int) -> nn.Module:
    """A version's digit reader for one 28x28 digit: its conv blocks, its FC layers and 10 outputs."""
    spec = get(version)
    features, channels, height, width = conv_stack(spec, 1, 28, 28)
    return nn.Sequential(features, fc_stack(spec, channels * height * width, 10))


def reader_recipe(version: int) -> dict:
    """What of a version's recipe the single-digit runner needs, and the config records."""
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


def learner(version: int, seed: int, device) -> TorchLearner:
    """The version's reader with fresh weights from `seed`; its augmentation draws from a generator of `seed`."""
    spec = get(version)
    torch.manual_seed(seed)
    model = build_reader(version).to(device).to(memory_format=torch.channels_last)
    generator = torch.Generator().manual_seed(seed)

    def inputs(images, train):
        images = augment_digit_images(images, generator, spec) if train else images
        return normalise(images[:, None].float()).to(device).contiguous(memory_format=torch.channels_last)

    return TorchLearner(model, optimizer_for(model, spec), inputs, spec.label_smoothing, weight_average(model, spec))

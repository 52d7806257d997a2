"""MNIST digits as the single-digit models see them, validated on the 5,000 digits no 0-999 run trains on."""

import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from ..data import mnist, splits
from ..data.preprocess import MEAN, STD

N_VAL = 10 * splits.VALIDATION_PER_DIGIT  # 5,000
N_TRAIN = mnist.FILES["train-labels-idx1-ubyte"][1] - N_VAL  # 55,000
N_TEST = mnist.FILES["t10k-labels-idx1-ubyte"][1]  # 10,000
PAD = 2  # 28x28 -> 32x32 as LeCun et al. 1998: stroke ends near the border reach the centre of the top detectors
EVAL_BATCH = 1000  # images per forward pass when scoring
# The distortions 001 and 004 proposed, on the padded image: rotation, shift (10% of 32 px), zoom.
AUGMENT = {"degrees": 10, "translate": (0.1, 0.1), "scale": (0.9, 1.1)}
AUGMENTER = v2.RandomAffine(**AUGMENT, interpolation=v2.InterpolationMode.BILINEAR)  # draws from torch's global seed


def load_digits(size: dict) -> dict:
    """{'train'|'val'|'test': (images, labels)}, the first size[split] of each."""
    images, labels = mnist.load_split("train")  # read from disk once (lib/data/mnist.py caches it)
    test_images, test_labels = mnist.load_split("test")
    train = splits.training_digits(labels)[: size["train"]]
    val = splits.validation_digits(labels)[: size["val"]]
    return {
        "train": (images[train], labels[train]),
        "val": (images[val], labels[val]),
        "test": (test_images[: size["test"]], test_labels[: size["test"]]),
    }


def digit_inputs(images: torch.Tensor, augment: bool = False) -> torch.Tensor:
    """uint8 [B,28,28] -> float32 [B,1,32,32]: zero-pad, distort each image when `augment`, normalise."""
    x = F.pad(images[:, None], (PAD,) * 4)
    if augment:  # per image: a batched v2 transform would draw one set of parameters for all
        x = torch.stack([AUGMENTER(img) for img in x])
    return (x.float() / 255 - MEAN) / STD

import pytest
import torch
from torchvision import transforms

from lib.data import preprocess
from lib.data.numbers import NumberGenerator


def original_pipeline(image_uint8):
    """The original's per-sample path: tensor -> PIL -> Resize(32x32) -> ToTensor -> Normalize."""
    t = transforms.Compose(
        [
            transforms.ToPILImage(),
            transforms.Resize((32, 32)),
            transforms.ToTensor(),
            transforms.Normalize((0.1307,), (0.3081,)),
        ]
    )
    return t(image_uint8)


@pytest.mark.parametrize("dataset", ["W", "C"])
def test_batched_preprocessing_matches_the_per_sample_pil_path(train_bank, dataset):
    b = NumberGenerator(train_bank, seed=0).batch(60)
    x = preprocess.prepare(b.raw(dataset), b.ndigits, dataset)
    assert x.shape == (60, 3 if dataset == "C" else 1, 32, 32) and x.dtype == torch.float32
    for i in range(60):
        if dataset == "W":
            ref = original_pipeline(b.raw("W")[i, :, : 28 * b.ndigits[i]])
        else:
            ref = original_pipeline(b.raw("C")[i])
        # PIL and torchvision's antialiased bilinear may round a pixel differently: at most one grey level
        assert (x[i] - ref).abs().max() <= 1.01 / 255 / 0.3081


def test_wrap_applies_to_c_only(train_bank):
    b = NumberGenerator(train_bank, seed=0).batch(32)
    clean = preprocess.prepare(b.raw("C"), b.ndigits, "C", "resize32")
    wrapped = preprocess.prepare(b.raw("C"), b.ndigits, "C", "resize32+wrap")
    three = b.ndigits == 3
    assert torch.equal(clean[three], wrapped[three]) and not torch.equal(clean[~three], wrapped[~three])
    with pytest.raises(ValueError, match="C pipeline"):
        preprocess.prepare(b.raw("W"), b.ndigits, "W", "resize32+wrap")


def test_unknown_preprocessing():
    with pytest.raises(ValueError, match="valid: resize32"):
        preprocess.parse("resize28")

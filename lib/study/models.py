"""Networks built from a version's row: the whole image, each digit's view, or the W strip column by column."""

import torch
from torch import nn

from ..data import layouts
from ..data.preprocess import normalise
from .heads import HEADS
from .versions import VERSIONS, Version, check_run

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
EMPTY = normalise(torch.tensor(0.0)).item()  # the input value of a pixel with no ink


def conv_stack(spec: Version, channels: int, height: int, width: int) -> tuple:
    """(The version's conv blocks, their output's channels, height and width); pool=False skips a block's pool."""
    act, layers = ACTIVATIONS[spec.act], []
    for conv in spec.convs:
        out, kernel, pad, pool = (*conv, True)[:4]
        layers += [nn.Conv2d(channels, out, kernel, padding=pad)]
        layers += [nn.BatchNorm2d(out)] if spec.batchnorm else []
        layers += [act(), nn.MaxPool2d(2)] if pool else [act()]
        channels, height, width = out, height + 2 * pad - kernel + 1, width + 2 * pad - kernel + 1
        if pool:
            height, width = height // 2, width // 2
    return nn.Sequential(*layers), channels, height, width


def fc_stack(spec: Version, width_in: int, outputs: int) -> nn.Sequential:
    """Flatten, the version's FC blocks (linear, act, [dropout]), then a linear layer with `outputs` logits."""
    act, layers = ACTIVATIONS[spec.act], [nn.Flatten()]
    for i, hidden in enumerate(spec.fcs):
        layers += [nn.Linear(width_in, hidden), act()]
        layers += [nn.Dropout(spec.dropout[i])] if spec.dropout else []
        width_in = hidden
    return nn.Sequential(*layers, nn.Linear(width_in, outputs))


class NumberNet(nn.Module):
    """LeNet-like CNN over the whole image: conv blocks, FC blocks, then the head's outputs."""

    def __init__(self, spec: Version, in_shape: tuple):
        super().__init__()
        self.features, channels, height, width = conv_stack(spec, *in_shape)
        self.classifier = fc_stack(spec, channels * height * width, HEADS[spec.head])

    def forward(self, x):
        return self.classifier(self.features(x))


class DigitReader(nn.Module):
    """One network applied to each reading position's view (a W window, a C channel): every digit trains it."""

    def __init__(self, spec: Version, layout):
        super().__init__()
        self.layout, self.margin = layout, spec.view_margin
        self.features, channels, height, width = conv_stack(spec, *layout.view_shape(spec.view_margin))
        self.classifier = fc_stack(spec, channels * height * width, HEADS["digits"] // 3)

    def forward(self, x):
        views = self.layout.digit_views(x, self.margin, EMPTY).contiguous(memory_format=torch.channels_last)
        return self.classifier(self.features(views)).view(x.shape[0], HEADS["digits"])


class StripReader(nn.Module):
    """Conv blocks, height averaged away, [a bidirectional LSTM across the columns,] FC blocks per column:
    [B, width / 4, 11] logits, so a strip of any width is read."""

    def __init__(self, spec: Version, in_shape: tuple):
        super().__init__()
        self.features, channels, _, _ = conv_stack(spec, *in_shape)
        self.rnn = spec.recurrent and nn.LSTM(channels, spec.recurrent, 2, batch_first=True, bidirectional=True)
        channels = 2 * spec.recurrent or channels
        self.columns = fc_stack(spec, channels, HEADS["ctc"])[1:]  # without the Flatten: per column

    def forward(self, x):
        columns = self.features(x).mean(2).transpose(1, 2)
        return self.columns(self.rnn(columns)[0] if self.rnn else columns)


class Ensemble(nn.Module):
    """Trained networks of one version, their probabilities averaged (per position) as log-probabilities."""

    def __init__(self, members: list, head: str):
        super().__init__()
        self.members, self.head = nn.ModuleList(members), head

    def forward(self, x):
        if self.head == "number":
            return torch.stack([m(x).float().softmax(1) for m in self.members]).mean(0).log()
        per_position = [m(x).float().view(x.shape[0], 3, 11).softmax(2) for m in self.members]
        return torch.stack(per_position).mean(0).log().view(x.shape[0], HEADS["digits"])


def build(version: int, dataset: str, channels_last: bool = False) -> nn.Module:
    """The version's network for a dataset, after checking both names."""
    return network(check_run(version, dataset), dataset, channels_last)


def network(spec: Version, dataset: str, channels_last: bool = False) -> nn.Module:
    """The network of a checked row for a dataset (an ensemble's members untrained: their checkpoints fill them)."""
    if spec.ensemble:
        members = [network(VERSIONS[spec.parent], dataset, channels_last) for _ in range(spec.ensemble)]
        return Ensemble(members, spec.head)
    layout = layouts.LAYOUTS[dataset]
    shape = layout.native if spec.preprocessing == "native" else (layout.channels, 32, 32)  # resize32: 32 x 32
    if spec.encoder == "per_digit":
        model = DigitReader(spec, layout)
    else:
        model = (StripReader if spec.encoder == "strip" else NumberNet)(spec, shape)
    return model.to(memory_format=torch.channels_last) if channels_last else model


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

"""The torch single-digit models: LeNet-5 classic and modern (the same layers), and a version's digit reader."""

from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn

from ..data.augment import augment_digit_images
from ..data.preprocess import normalise
from ..infra.choices import pick
from ..study.evaluate import for_inference
from ..study.models import conv_stack, count_params, fc_stack
from ..study.train import optimizer_for, weight_average
from ..study.versions import get
from .data import EVAL_BATCH, digit_inputs

# LeCun et al. 1998 with SGD + momentum and softmax cross-entropy (not SDLM and RBF outputs)
CLASSIC = {
    "act": "tanh",
    "pool": "avg",  # 2x2 subsampling by averaging (the paper's has a trainable scale and bias)
    "batchnorm": False,
    "augment": False,
    "batch_size": 64,
    "lr": 0.05,  # peak learning rate
    "momentum": 0.9,
    "nesterov": False,
    "weight_decay": 0.0,
    "label_smoothing": 0.0,
    "schedule": "cosine",  # cosine decay to zero over the run
    "warmup": 0.0,
}
RECIPES = {
    "classic": CLASSIC,
    "modern": {
        **CLASSIC,
        "act": "relu",
        "pool": "max",
        "batchnorm": True,  # after every conv and hidden dense layer, before the activation
        "augment": True,  # lib/digits/data.py's AUGMENT, drawn anew every epoch
        "batch_size": 128,
        "lr": 0.1,
        "nesterov": True,
        "weight_decay": 5e-4,  # on conv and dense weights only, not on biases or batch-norm parameters
        "warmup": 0.1,  # linear warm-up over the first 10% of steps (one-cycle-like)
    },
}


def build_lenet5(model: str) -> nn.Sequential:
    """LeNet-5 on 32x32 (C3 sees all maps, softmax outputs); fan-in init: 001 found it learns much faster."""
    recipe = pick(RECIPES, model, "model")
    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[recipe["act"]]
    pool = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[recipe["pool"]]

    def block(layer, norm):  # layer, [batch norm], activation
        return [layer, *([norm(len(layer.weight))] if recipe["batchnorm"] else []), act()]

    net = nn.Sequential(
        *block(nn.Conv2d(1, 6, 5), nn.BatchNorm2d),
        pool(2),
        *block(nn.Conv2d(6, 16, 5), nn.BatchNorm2d),
        pool(2),
        nn.Flatten(),
        *block(nn.Linear(400, 120), nn.BatchNorm1d),
        *block(nn.Linear(120, 84), nn.BatchNorm1d),
        nn.Linear(84, 10),
    )
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for m in layers:  # variance 1/fan_in (tanh, output layer) or 2/fan_in (ReLU); zero biases
        nn.init.kaiming_uniform_(m.weight, nonlinearity="relu" if act is nn.ReLU and m is not layers[-1] else "linear")
        nn.init.zeros_(m.bias)
    return net


class TorchLearner:
    """A torch model on cross-entropy; `inputs(images, train)` makes its inputs; a weight average is what is scored."""

    def __init__(self, model, optimizer, inputs, label_smoothing=0.0, average=None):
        self.model, self.optimizer, self.inputs = model, optimizer, inputs
        self.label_smoothing, self.average = label_smoothing, average
        self.scored = model if average is None else average.module

    def train_batch(self, images, labels) -> tuple:
        """One step; (summed loss, number correct) of the batch."""
        self.model.train()
        x = self.inputs(images, True)
        y = labels.to(x.device)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=self.label_smoothing)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self.average is not None:
            self.average.update_parameters(self.model)
        return loss.item() * len(y), (logits.argmax(1) == y).sum().item()

    @torch.inference_mode()
    def logits(self, images) -> torch.Tensor:
        model = for_inference(self.scored)
        return torch.cat([model(self.inputs(chunk, False)).float().cpu() for chunk in images.split(EVAL_BATCH)])

    def state(self) -> dict:
        return {k: v.detach().cpu().clone() for k, v in self.scored.state_dict().items()}

    def load_state(self, state: dict):
        self.scored.load_state_dict(state)

    def params(self) -> int:
        return count_params(self.model)


def learner(model: str, seed: int, device) -> TorchLearner:
    """lenet5-<model> with fresh weights from `seed`, which also draws its augmentation."""
    recipe = RECIPES[model]
    torch.manual_seed(seed)
    net = build_lenet5(model).to(device)

    def inputs(images, train):
        return digit_inputs(images, train and recipe["augment"]).to(device)

    spec = SimpleNamespace(**recipe, optimizer="sgd", decay_on="weights")  # decay on conv and dense weights only
    return TorchLearner(net, optimizer_for(net, spec), inputs, recipe["label_smoothing"])


def reader_recipe(version: int) -> dict:
    """What of a version's recipe the runner needs, and the config records (its warm-up: the versions' one-cycle)."""
    spec = get(version)
    keys = ("recipe_digest", "batch_size", "lr", "label_smoothing")
    return {"version": version, **{k: getattr(spec, k) for k in keys}, "schedule": "cosine", "warmup": 0.25}


def build_reader(version: int) -> nn.Module:
    """A version's digit reader for one 28x28 digit: its conv blocks, its FC layers and 10 outputs."""
    features, channels, height, width = conv_stack(get(version), 1, 28, 28)
    return nn.Sequential(features, fc_stack(get(version), channels * height * width, 10))


def reader_learner(version: int, seed: int, device) -> TorchLearner:
    """The version's reader with fresh weights from `seed`; its augmentation draws from a generator of `seed`."""
    spec, generator = get(version), torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = build_reader(version).to(device).to(memory_format=torch.channels_last)

    def inputs(images, train):
        images = augment_digit_images(images, generator, spec) if train else images
        return normalise(images[:, None].float()).to(device).contiguous(memory_format=torch.channels_last)

    return TorchLearner(model, optimizer_for(model, spec), inputs, spec.label_smoothing, weight_average(model, spec))

"""LeNet-5 in PyTorch, the classic 1998 network and a modern one, and the learner the shared loop drives.

Both have the same 6-16-120-84-10 layers, so the modern recipe's gain over the classic one is the
training (ReLU, max pooling, batch norm, augmentation, Nesterov momentum, weight decay, warm-up), not size.
Training, bookkeeping and the test report are lib/digits/runs.py's, shared with the NumPy network.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..infra import provenance
from ..infra.choices import pick
from ..study.models import count_params
from .data import digit_augmenter, digit_inputs, input_batches
from .runs import DigitRun, run_digit_model

# How each model is built and trained.
RECIPES = {
    "classic": {  # LeCun et al. 1998 with SGD+momentum and softmax cross-entropy (not SDLM and RBF outputs)
        "act": "tanh",  # activation
        "pool": "avg",  # 2x2 subsampling by averaging (the paper's has a trainable scale and bias)
        "batchnorm": False,  # no normalisation layers
        "augment": False,  # the plain training images
        "batch_size": 64,  # images per step
        "lr": 0.05,  # peak learning rate
        "momentum": 0.9,  # SGD momentum
        "nesterov": False,  # plain momentum
        "weight_decay": 0.0,  # no L2 penalty
        "label_smoothing": 0.0,  # hard targets
        "schedule": "cosine",  # cosine decay to zero over the run
        "warmup": 0.0,  # no warm-up
    },
    "modern": {  # the same 6-16-120-84-10 layers with today's defaults
        "act": "relu",
        "pool": "max",
        "batchnorm": True,  # after every conv and hidden dense layer, before the activation
        "augment": True,  # random rotation, shift and zoom (lib/digits/data.py's AUGMENT), new every epoch
        "batch_size": 128,
        "lr": 0.1,
        "momentum": 0.9,
        "nesterov": True,
        "weight_decay": 5e-4,  # on conv and dense weights only, not on biases or batch-norm parameters
        "label_smoothing": 0.0,
        "schedule": "cosine",
        "warmup": 0.1,  # linear warm-up over the first 10% of steps (one-cycle-like)
    },
}


class LeNet5(nn.Module):
    """Conv 6@5x5, pool, conv 16@5x5, pool, dense 120, 84, 10 on a 32x32 input.

    As in most re-implementations, C3 connects to all 6 maps (the paper's sparse table
    is left out), C5 is a dense layer on the 16x5x5 maps (the same thing on a 32x32
    input), and the output is a dense layer for softmax instead of RBF units. Weights start
    from LeCun's fan-in rule, which 001 found learns much faster than unit-normal weights
    (PyTorch's default has a third of its variance).
    """

    def __init__(self, act="tanh", pool="avg", batchnorm=False):
        super().__init__()
        act_layer = {"tanh": nn.Tanh, "relu": nn.ReLU}[act]
        pool_layer = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[pool]

        def block(layer, width, norm):  # layer, [batch norm], activation
            return [layer, *([norm(width)] if batchnorm else []), act_layer()]

        self.features = nn.Sequential(
            *block(nn.Conv2d(1, 6, 5), 6, nn.BatchNorm2d),
            pool_layer(2),
            *block(nn.Conv2d(6, 16, 5), 16, nn.BatchNorm2d),
            pool_layer(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            *block(nn.Linear(400, 120), 120, nn.BatchNorm1d),
            *block(nn.Linear(120, 84), 84, nn.BatchNorm1d),
            nn.Linear(84, 10),
        )
        self._fan_in_init(act)

    def _fan_in_init(self, act):
        """Variance 1/fan_in (tanh, output layer) or 2/fan_in (ReLU), as the NumPy network; zero biases."""
        layers = [m for m in self.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        for m in layers:
            gain = "relu" if act == "relu" and m is not layers[-1] else "linear"
            nn.init.kaiming_uniform_(m.weight, nonlinearity=gain)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.features(x))


def lenet5_recipe(model: str) -> dict:
    """The recipe of 'classic' or 'modern'; another name fails listing the valid ones."""
    return pick(RECIPES, model, "model")


def build_lenet5(model: str) -> LeNet5:
    """The network of a recipe, with fresh fan-in weights from torch's current seed."""
    recipe = lenet5_recipe(model)
    return LeNet5(recipe["act"], recipe["pool"], recipe["batchnorm"])


def sgd_for(model: nn.Module, recipe: dict) -> torch.optim.SGD:
    """SGD with the recipe's momentum; weight decay on conv and dense weights only (not biases, batch norm)."""
    weights = [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    ids = {id(w) for w in weights}
    rest = [p for p in model.parameters() if id(p) not in ids]
    groups = [{"params": weights, "weight_decay": recipe["weight_decay"]}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=recipe["lr"], momentum=recipe["momentum"], nesterov=recipe["nesterov"])


class TorchLearner:
    """What the shared loop drives for a PyTorch model: one SGD step per batch, logits, weights."""

    def __init__(self, model: nn.Module, recipe: dict, device):
        self.model, self.device, self.recipe = model.to(device), torch.device(device), recipe
        self.optimizer = sgd_for(model, recipe)
        self.augment = digit_augmenter() if recipe["augment"] else None

    def train_batch(self, images, labels, lr):
        """One step; returns (summed loss, number correct) of the batch."""
        self.model.train()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = digit_inputs(images, self.augment).to(self.device), labels.to(self.device)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=self.recipe["label_smoothing"])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item() * len(y), (logits.argmax(1) == y).sum().item()

    @torch.inference_mode()
    def logits(self, images) -> torch.Tensor:
        self.model.eval()
        return torch.cat([self.model(x.to(self.device)).float().cpu() for x in input_batches(images)])

    @property
    def scored(self) -> nn.Module:
        """The weights that are validated, kept and tested (a weight average, where a learner keeps one)."""
        return self.model

    def state(self) -> dict:
        return {k: v.detach().cpu().clone() for k, v in self.scored.state_dict().items()}

    def load_state(self, state: dict):
        self.scored.load_state_dict(state)

    def params(self) -> int:
        return count_params(self.model)


def run_lenet5(
    model: str = "classic",
    profile: str = "quick",
    seed: int = 0,
    device: str = "auto",
    force: bool = False,
    progress="bar",
    **options,
) -> DigitRun:
    """Train and test lenet5-<model> ('classic' or 'modern') under a profile, or show a finished run from its record;
    `options` go to run_digit_model (record_dir, runs_dir, train)."""
    recipe, dev = lenet5_recipe(model), provenance.resolve_device(device)

    def make_learner():
        torch.manual_seed(seed)  # initial weights and augmentation draws
        return TorchLearner(build_lenet5(model), recipe, dev)

    return run_digit_model(f"lenet5-{model}", profile, seed, recipe, make_learner, dev, force, progress, **options)

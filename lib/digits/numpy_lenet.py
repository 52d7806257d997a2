"""LeNet-5 from scratch in NumPy: the network of lib/digits/numpy_layers.py, SGD, a gradient check, its learner.

The network is the PyTorch classic model's (lib/digits/torch_lenet.py) without autograd or a GPU, and it
runs through the same split, loop and test report (lib/digits/runs.py), so its numbers compare directly.
"""

import numpy as np
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from .data import digit_inputs, input_batches
from .numpy_layers import AvgPool2, Conv2D, Dense, Flatten, MaxPool2, ReLU, SoftmaxCrossEntropy, Tanh
from .runs import DigitRun, run_digit_model

NAME = "lenet5-numpy"

RECIPE = {  # 001's recipe (mini-batch SGD, step decay, fan-in init) with momentum and a larger batch
    "act": "tanh",  # LeNet-5's activation (001's choice)
    "pool": "avg",  # 2x2 average pooling (subsampling)
    "batch_size": 32,  # images per step, as 001 (measured: the fastest epoch here too)
    "lr": 0.025,  # starting learning rate (001: 0.05 without momentum)
    "momentum": 0.9,  # SGD momentum (001: none)
    "schedule": "step",  # 001's step decay: lr * decay every `step` epochs
    "step": 3,  # epochs between decays
    "decay": 0.3,  # factor per decay
    "dtype": "float32",  # training precision (the tests use float64)
    "blas_threads": 1,  # these small products run faster on one BLAS thread than on two (measured on 2 cores)
}


class Network:
    """Layers applied in order; backward runs them in reverse, leaving each layer's gradients in it."""

    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)

    def named_params(self):
        """(key, layer, name) for every parameter; keys like '0.W' name the checkpoint entries."""
        return [(f"{i}.{n}", layer, n) for i, layer in enumerate(self.layers) for n in layer.params]


def build_numpy_lenet5(act="tanh", pool="avg", seed=0, dtype="float32") -> Network:
    """LeNet-5 as torch_lenet.LeNet5 without batch norm: 32x32x1 -> 6, 16 maps -> 120 -> 84 -> 10."""
    rng = np.random.default_rng(seed)
    Act, Pool = {"tanh": Tanh, "relu": ReLU}[act], {"avg": AvgPool2, "max": MaxPool2}[pool]
    features = [Conv2D(1, 6, 5, rng, act, dtype, input_grad=False), Act(), Pool(),
                Conv2D(6, 16, 5, rng, act, dtype), Act(), Pool()]  # fmt: skip
    classifier = [Flatten(), Dense(400, 120, rng, act, dtype), Act(), Dense(120, 84, rng, act, dtype), Act(),
                  Dense(84, 10, rng, "linear", dtype)]  # fmt: skip
    return Network(features + classifier)


class SGD:
    """SGD with momentum as torch.optim.SGD: v = momentum*v + g; p -= lr*v."""

    def __init__(self, net: Network, momentum=0.9):
        self.net, self.momentum = net, momentum
        self.velocity = {key: np.zeros_like(layer.params[n]) for key, layer, n in net.named_params()}

    def step(self, lr):
        for key, layer, n in self.net.named_params():
            v = self.velocity[key]
            v *= self.momentum
            v += layer.grads[n]
            layer.params[n] -= lr * v


def gradient_check(act="tanh", pool="avg", seed=0, entries=5, eps=1e-6) -> dict:
    """Max relative error between backprop and central finite differences, per parameter, in float64.

    Independent of PyTorch (the tests compare with torch autograd); a few random entries per parameter.
    """
    rng = np.random.default_rng(seed)
    net, ce = build_numpy_lenet5(act, pool, seed, "float64"), SoftmaxCrossEntropy()
    x, y = rng.standard_normal((2, 32, 32, 1)), rng.integers(0, 10, 2)
    ce.forward(net.forward(x), y)
    net.backward(ce.backward())
    loss = lambda: ce.forward(net.forward(x), y)
    return {
        key: _worst_error(layer.params[n], layer.grads[n], loss, rng, entries, eps)
        for key, layer, n in net.named_params()
    }


def _worst_error(p, grad, loss, rng, entries, eps) -> float:
    """Largest relative difference between `grad` and a central difference of `loss` at a few entries of p."""
    worst = 0.0
    for flat in rng.choice(p.size, min(entries, p.size), replace=False):
        i = np.unravel_index(flat, p.shape)
        keep = p[i]
        p[i] = keep + eps
        up = loss()
        p[i] = keep - eps
        down = loss()
        p[i] = keep
        numeric, analytic = (up - down) / (2 * eps), grad[i]
        worst = max(worst, abs(numeric - analytic) / max(abs(numeric) + abs(analytic), 1e-12))
    return float(worst)


class NumpyLearner:
    """What the shared loop drives: one SGD step per batch, logits, weights; inputs are the PyTorch models'."""

    def __init__(self, recipe: dict, seed: int):
        self.dtype = np.dtype(recipe["dtype"])
        self.net = build_numpy_lenet5(recipe["act"], recipe["pool"], seed, self.dtype)
        self.loss = SoftmaxCrossEntropy()
        self.optimizer = SGD(self.net, recipe["momentum"])

    def _nhwc(self, x: torch.Tensor) -> np.ndarray:  # [B,1,32,32] -> NHWC [B,32,32,1]
        return x.numpy().reshape(len(x), 32, 32, 1).astype(self.dtype)

    def train_batch(self, images, labels, lr):
        """One step; returns (summed loss, number correct) of the batch."""
        y = labels.numpy()
        logits = self.net.forward(self._nhwc(digit_inputs(images)))
        loss = self.loss.forward(logits, y)
        self.net.backward(self.loss.backward())
        self.optimizer.step(lr)
        return float(loss) * len(y), int((logits.argmax(1) == y).sum())

    def logits(self, images) -> torch.Tensor:
        return torch.cat(
            [torch.from_numpy(self.net.forward(self._nhwc(x)).astype(np.float32)) for x in input_batches(images)]
        )

    def state(self) -> dict:
        return {key: torch.from_numpy(layer.params[n].copy()) for key, layer, n in self.net.named_params()}

    def load_state(self, state: dict):
        for key, layer, n in self.net.named_params():
            layer.params[n] = state[key].numpy().astype(self.dtype)

    def params(self) -> int:
        return sum(layer.params[n].size for _, layer, n in self.net.named_params())


def run_numpy_lenet5(
    profile: str = "quick",
    seed: int = 0,
    force: bool = False,
    progress="bar",
    **options,
) -> DigitRun:
    """Train and test the NumPy LeNet-5 under a profile (always on the CPU), or show a finished run from its record;
    `options` go to run_digit_model (record_dir, runs_dir, train)."""
    with threadpool_limits(RECIPE["blas_threads"], user_api="blas"):
        threads = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=1)
        learner, cpu, extra = lambda: NumpyLearner(RECIPE, seed), torch.device("cpu"), {"blas_threads": threads}
        return run_digit_model(NAME, profile, seed, RECIPE, learner, cpu, force, progress, extra=extra, **options)

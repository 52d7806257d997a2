"""LeNet-5 from scratch in NumPy (what 001 and 003 built), fast enough to train on 2 CPU cores.

Layers are small classes with forward/backward. Activations are NHWC (batch, height,
width, channels) so that im2col is a strided view and each convolution one matmul
(BLAS), where 001 took ~30 min per epoch and 003 up to 2 h per run. Weights use
PyTorch's layouts ([out, in, kh, kw] and [out, in]) so tests compare with torch
directly. Training, the data split and the test report are lib.digits.lenet5's, so the
numbers compare with the PyTorch models'.
"""
import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import threadpool_info, threadpool_limits

from . import lenet5
from ..infra.paths import RECORD_DIR

NAME = "lenet5-numpy"

# Images used from each split (None: all of it) and epochs, by profile.
SIZES = {
    "smoke": {"train": 512, "val": 256, "test": 1000, "epochs": 1},  # a few batches: checks that everything runs
    "quick": {"train": None, "val": None, "test": None, "epochs": 3},  # the whole split, 3 epochs: ~1 min on 2 cores
    "full": {"train": None, "val": None, "test": None, "epochs": 12},  # four steps of the decay: ~3 min on 2 cores
}
SIZES["cpu"] = SIZES["full"]  # the single-digit recipes already fit a CPU

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


def fan_in_init(rng, shape, fan_in, act, dtype):
    """Uniform weights with variance 1/fan_in (tanh) or 2/fan_in (ReLU).

    001 found LeCun's fan-in scaling much faster to learn than unit-normal weights.
    LeCun et al. used +-2.4/fan_in for their scaled tanh; variance 1/fan_in is the
    same rule for the plain tanh used here.
    """
    bound = np.sqrt((6.0 if act == "relu" else 3.0) / fan_in)
    return rng.uniform(-bound, bound, shape).astype(dtype)


class Layer:
    """forward caches what backward needs; backward fills self.grads and returns the input gradient."""
    params: dict = {}
    grads: dict = {}

    def forward(self, x):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __repr__(self):
        shapes = ", ".join(f"{n} {tuple(p.shape)}" for n, p in self.params.items())
        return f"{type(self).__name__}({shapes})"


class Conv2D(Layer):
    """Valid 'convolution' (cross-correlation, as torch) with stride 1 through im2col and one matmul."""

    def __init__(self, c_in, c_out, k, rng, act="tanh", dtype="float32", input_grad=True):
        self.k, self.input_grad = k, input_grad  # the first layer needs no input gradient
        self.params = {"W": fan_in_init(rng, (c_out, c_in, k, k), c_in * k * k, act, dtype),
                       "b": np.zeros(c_out, dtype)}

    def forward(self, x):
        b, h, w, c = x.shape
        k = self.k
        self.shape = x.shape
        # [B, Ho, Wo, C, k, k] view -> one row per output pixel, ordered (C, kh, kw) like torch's weights
        self.cols = sliding_window_view(x, (k, k), axis=(1, 2)).reshape(b * (h - k + 1) * (w - k + 1), c * k * k)
        out = self.cols @ self.params["W"].reshape(len(self.params["b"]), -1).T + self.params["b"]
        return out.reshape(b, h - k + 1, w - k + 1, -1)

    def backward(self, dout):
        W = self.params["W"]
        d = dout.reshape(-1, W.shape[0])
        self.grads = {"W": (d.T @ self.cols).reshape(W.shape), "b": d.sum(0)}
        if not self.input_grad:
            return None
        b, h, w, c = self.shape
        k, ho, wo = self.k, h - self.k + 1, w - self.k + 1
        dcols = (d @ W.reshape(W.shape[0], -1)).reshape(b, ho, wo, c, k, k)
        dx = np.zeros(self.shape, dout.dtype)
        for i in range(k):  # col2im: k*k strided adds instead of a scatter per pixel
            for j in range(k):
                dx[:, i:i + ho, j:j + wo, :] += dcols[..., i, j]
        return dx


class AvgPool2(Layer):
    """2x2 average pooling, stride 2 (LeNet-5's subsampling without its trainable scale and bias)."""

    def forward(self, x):
        b, h, w, c = x.shape
        return x.reshape(b, h // 2, 2, w // 2, 2, c).mean((2, 4))

    def backward(self, dout):
        b, h2, w2, c = dout.shape
        return np.broadcast_to((dout / 4)[:, :, None, :, None, :], (b, h2, 2, w2, 2, c)).reshape(b, 2 * h2, 2 * w2, c)


class MaxPool2(Layer):
    """2x2 max pooling, stride 2; the gradient goes to the first maximum of each window, as in torch."""

    def forward(self, x):
        b, h, w, c = x.shape
        win = x.reshape(b, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4).reshape(b, h // 2, w // 2, c, 4)
        self.arg = win.argmax(-1)[..., None]
        return np.take_along_axis(win, self.arg, -1)[..., 0]

    def backward(self, dout):
        b, h2, w2, c = dout.shape
        d = np.zeros((b, h2, w2, c, 4), dout.dtype)
        np.put_along_axis(d, self.arg, dout[..., None], -1)
        return d.reshape(b, h2, w2, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(b, 2 * h2, 2 * w2, c)


class Dense(Layer):
    def __init__(self, n_in, n_out, rng, act="tanh", dtype="float32"):
        self.params = {"W": fan_in_init(rng, (n_out, n_in), n_in, act, dtype), "b": np.zeros(n_out, dtype)}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"].T + self.params["b"]

    def backward(self, dout):
        self.grads = {"W": dout.T @ self.x, "b": dout.sum(0)}
        return dout @ self.params["W"]


class Tanh(Layer):
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out * self.out)


class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class Flatten(Layer):
    """NHWC maps -> vectors in (h, w, c) order (torch flattens NCHW as (c, h, w))."""

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dout):
        return dout.reshape(self.shape)


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits); backward gives d loss / d logits."""

    def forward(self, logits, labels):
        z = logits - logits.max(1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(1, keepdims=True))
        self.p, self.labels = np.exp(log_p), labels
        return -log_p[np.arange(len(labels)), labels].mean()

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.labels)), self.labels] -= 1
        return d / len(self.labels)


class Network:
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


def build(act="tanh", pool="avg", seed=0, dtype="float32") -> Network:
    """LeNet-5 as lib.digits.lenet5.LeNet5 without batch norm: 32x32x1 -> 6, 16 maps -> 120 -> 84 -> 10."""
    rng = np.random.default_rng(seed)
    Act, Pool = {"tanh": Tanh, "relu": ReLU}[act], {"avg": AvgPool2, "max": MaxPool2}[pool]
    return Network([Conv2D(1, 6, 5, rng, act, dtype, input_grad=False), Act(), Pool(),
                    Conv2D(6, 16, 5, rng, act, dtype), Act(), Pool(), Flatten(),
                    Dense(400, 120, rng, act, dtype), Act(), Dense(120, 84, rng, act, dtype), Act(),
                    Dense(84, 10, rng, "linear", dtype)])


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
    net, ce = build(act, pool, seed, "float64"), SoftmaxCrossEntropy()
    x, y = rng.standard_normal((2, 32, 32, 1)), rng.integers(0, 10, 2)
    ce.forward(net.forward(x), y)
    net.backward(ce.backward())
    errors = {}
    for key, layer, n in net.named_params():
        p, worst = layer.params[n], 0.0
        for flat in rng.choice(p.size, min(entries, p.size), replace=False):
            i = np.unravel_index(flat, p.shape)
            keep = p[i]
            p[i] = keep + eps
            up = ce.forward(net.forward(x), y)
            p[i] = keep - eps
            down = ce.forward(net.forward(x), y)
            p[i] = keep
            numeric, analytic = (up - down) / (2 * eps), layer.grads[n][i]
            worst = max(worst, abs(numeric - analytic) / max(abs(numeric) + abs(analytic), 1e-12))
        errors[key] = float(worst)
    return errors


class NumpyLearner:
    """What lib.digits.lenet5's loop drives: one SGD step per batch, logits, weights."""

    def __init__(self, recipe: dict, seed: int):
        self.dtype = np.dtype(recipe["dtype"])
        self.net = build(recipe["act"], recipe["pool"], seed, self.dtype)
        self.loss = SoftmaxCrossEntropy()
        self.optimizer = SGD(self.net, recipe["momentum"])

    def _input(self, images):  # uint8 [B,28,28] -> NHWC [B,32,32,1], the PyTorch models' inputs
        return lenet5.prepare(images).numpy().reshape(len(images), 32, 32, 1).astype(self.dtype)

    def train_batch(self, images, labels, lr):
        y = labels.numpy()
        logits = self.net.forward(self._input(images))
        loss = self.loss.forward(logits, y)
        self.net.backward(self.loss.backward())
        self.optimizer.step(lr)
        return float(loss) * len(y), int((logits.argmax(1) == y).sum())

    def logits(self, images) -> torch.Tensor:
        return torch.cat([torch.from_numpy(self.net.forward(self._input(chunk)).astype(np.float32))
                          for chunk in images.split(lenet5.EVAL_BATCH)])

    def state(self) -> dict:
        return {key: torch.from_numpy(layer.params[n].copy()) for key, layer, n in self.net.named_params()}

    def load_state(self, state: dict):
        for key, layer, n in self.net.named_params():
            layer.params[n] = state[key].numpy().astype(self.dtype)

    def params(self) -> int:
        return sum(layer.params[n].size for _, layer, n in self.net.named_params())


def run(profile: str = "quick", seed: int = 0, force: bool = False, runs_dir=RECORD_DIR,
        progress: bool = True) -> lenet5.RunResult:
    """Train and test the NumPy LeNet-5 under a profile (always on CPU); reuse a finished run."""
    size = lenet5.sizes(profile, SIZES)
    with threadpool_limits(RECIPE["blas_threads"], user_api="blas"):
        threads = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=1)
        return lenet5.execute(NAME, profile, seed, RECIPE, size, size["epochs"], lambda: NumpyLearner(RECIPE, seed),
                              torch.device("cpu"), force, runs_dir, progress, extra={"blas_threads": threads})

"""LeNet-5 from scratch in NumPy, fast on 2 cores: NHWC makes im2col a strided view, each convolution one matmul."""

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from .data import EVAL_BATCH, digit_inputs

NAME = "lenet5-numpy"
RECIPE = {  # 001's recipe (mini-batch SGD, step decay, fan-in init) with momentum and a larger batch
    "act": "tanh",
    "pool": "avg",
    "batch_size": 32,  # as 001 (measured: the fastest epoch here too)
    "lr": 0.025,  # 001: 0.05 without momentum
    "momentum": 0.9,  # 001: none
    "schedule": "step",  # 001's step decay: lr * decay every `step` epochs
    "step": 3,
    "decay": 0.3,
    "dtype": "float32",  # training precision (the tests use float64)
    "blas_threads": 1,  # these small products run faster on one BLAS thread than on two (measured on 2 cores)
}


def fan_in_init(rng, shape, act, dtype) -> dict:
    """Uniform weights of variance 1/fan_in (tanh: LeCun's rule, 001 found it learns faster) or 2/fan_in (ReLU)."""
    bound = np.sqrt((6.0 if act == "relu" else 3.0) / np.prod(shape[1:]))
    return {"W": rng.uniform(-bound, bound, shape).astype(dtype), "b": np.zeros(shape[0], dtype)}


class Layer:
    """forward keeps what backward needs; backward fills self.grads and returns the input gradient."""

    params: dict = {}

    def __repr__(self):
        inside = ", ".join(f"{n} {p.shape}" for n, p in self.params.items()) or getattr(self, "kind", "")
        return f"{type(self).__name__}({inside})"


class Conv2D(Layer):
    """Valid cross-correlation (as torch), stride 1: one row of the strided view per output pixel, one matmul."""

    def __init__(self, c_in, c_out, k, rng, act="tanh", dtype="float32", input_grad=True):
        self.k, self.input_grad = k, input_grad  # the first layer needs no input gradient
        self.params = fan_in_init(rng, (c_out, c_in, k, k), act, dtype)

    def forward(self, x):
        b, h, w, c = self.shape = x.shape
        self.out = (b, h - self.k + 1, w - self.k + 1)
        self.cols = sliding_window_view(x, (self.k, self.k), axis=(1, 2)).reshape(np.prod(self.out), -1)  # (c, kh, kw)
        W = self.params["W"]
        return (self.cols @ W.reshape(len(W), -1).T + self.params["b"]).reshape(*self.out, len(W))

    def backward(self, dout):
        W, k = self.params["W"], self.k
        d = dout.reshape(-1, len(W))
        self.grads = {"W": (d.T @ self.cols).reshape(W.shape), "b": d.sum(0)}
        if not self.input_grad:
            return None
        dcols = (d @ W.reshape(len(W), -1)).reshape(*self.out, self.shape[3], k, k)
        dx = np.zeros(self.shape, dout.dtype)
        for i in range(k):  # col2im as k*k strided adds
            for j in range(k):
                dx[:, i : i + self.out[1], j : j + self.out[2]] += dcols[..., i, j]
        return dx


class Pool2(Layer):
    """2x2 pooling, stride 2, 'avg' or 'max' (to the first maximum, as torch); each window's inputs weigh `share`."""

    def __init__(self, kind):
        self.kind = kind

    def forward(self, x):
        b, h, w, c = x.shape
        win = x.reshape(b, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4).reshape(b, h // 2, w // 2, c, 4)
        self.share = np.full(4, 0.25, x.dtype) if self.kind == "avg" else np.eye(4, dtype=x.dtype)[win.argmax(-1)]
        return (win * self.share).sum(-1)

    def backward(self, dout):
        b, h, w, c = dout.shape
        d = dout[..., None] * self.share
        return d.reshape(b, h, w, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(b, 2 * h, 2 * w, c)


class Dense(Layer):
    """x @ W.T + b, W laid out [out, in] as torch.nn.Linear; NHWC maps are flattened in (h, w, c) order."""

    def __init__(self, n_in, n_out, rng, act="tanh", dtype="float32"):
        self.params = fan_in_init(rng, (n_out, n_in), act, dtype)

    def forward(self, x):
        self.shape, self.x = x.shape, x.reshape(len(x), -1)
        return self.x @ self.params["W"].T + self.params["b"]

    def backward(self, dout):
        self.grads = {"W": dout.T @ self.x, "b": dout.sum(0)}
        return (dout @ self.params["W"]).reshape(self.shape)


class Act(Layer):
    """tanh or ReLU; backward multiplies by the slope that forward kept."""

    def __init__(self, kind):
        self.kind = kind

    def forward(self, x):
        out = np.tanh(x) if self.kind == "tanh" else np.maximum(x, 0)
        self.slope = 1 - out * out if self.kind == "tanh" else (x > 0).astype(x.dtype)
        return out

    def backward(self, dout):
        return dout * self.slope


def softmax_cross_entropy(logits, labels) -> tuple:
    """Mean cross-entropy of softmax(logits), and its gradient d loss / d logits."""
    z = logits - logits.max(1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(1, keepdims=True))
    rows, d = np.arange(len(labels)), np.exp(log_p)
    d[rows, labels] -= 1
    return -log_p[rows, labels].mean(), d / len(labels)


class NumpyLeNet5:
    """torch_lenet's classic LeNet-5; torch.optim.SGD steps tensors that share the layers' arrays (torch's rule)."""

    def __init__(self, recipe: dict, seed: int):
        act, pool, dtype, rng = recipe["act"], recipe["pool"], np.dtype(recipe["dtype"]), np.random.default_rng(seed)
        self.layers = [
            Conv2D(1, 6, 5, rng, act, dtype, input_grad=False), Act(act), Pool2(pool),
            Conv2D(6, 16, 5, rng, act, dtype), Act(act), Pool2(pool),
            Dense(400, 120, rng, act, dtype), Act(act), Dense(120, 84, rng, act, dtype), Act(act),
            Dense(84, 10, rng, "linear", dtype),
        ]  # fmt: skip
        self.named = [(f"{i}.{n}", layer, n) for i, layer in enumerate(self.layers) for n in layer.params]
        self.tensors = {key: torch.from_numpy(layer.params[n]) for key, layer, n in self.named}
        self.optimizer = torch.optim.SGD(self.tensors.values(), lr=recipe["lr"], momentum=recipe["momentum"])
        self.dtype = dtype

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dlogits):
        """Backpropagate; each parameter's gradient becomes its tensor's .grad."""
        for layer in reversed(self.layers):
            dlogits = layer.backward(dlogits)
        for key, layer, n in self.named:
            self.tensors[key].grad = torch.from_numpy(layer.grads[n])

    def _nhwc(self, images) -> np.ndarray:  # [B,1,32,32] -> [B,32,32,1]
        return digit_inputs(images).numpy().reshape(len(images), 32, 32, 1).astype(self.dtype)

    def train_batch(self, images, labels) -> tuple:
        """One step; (summed loss, number correct) of the batch."""
        y = labels.numpy()
        logits = self.forward(self._nhwc(images))
        loss, dlogits = softmax_cross_entropy(logits, y)
        self.backward(dlogits)
        self.optimizer.step()
        return float(loss) * len(y), int((logits.argmax(1) == y).sum())

    def logits(self, images) -> torch.Tensor:
        return torch.cat([torch.from_numpy(self.forward(self._nhwc(c))).float() for c in images.split(EVAL_BATCH)])

    def state(self) -> dict:
        return {key: t.clone() for key, t in self.tensors.items()}

    def load_state(self, state: dict):
        for key, t in self.tensors.items():
            t.copy_(state[key])

    def params(self) -> int:
        return sum(t.numel() for t in self.tensors.values())


def gradient_check(act="tanh", pool="avg", seed=0, entries=5, eps=1e-6) -> dict:
    """Per parameter, the largest relative error of backprop against central differences (float64, no torch)."""
    rng = np.random.default_rng(seed)
    net = NumpyLeNet5({**RECIPE, "act": act, "pool": pool, "dtype": "float64"}, seed)
    x, y = rng.standard_normal((2, 32, 32, 1)), rng.integers(0, 10, 2)
    net.backward(softmax_cross_entropy(net.forward(x), y)[1])
    worst = {}
    for key, t in net.tensors.items():
        p, grad, worst[key] = t.numpy(), t.grad.numpy(), 0.0
        for flat in rng.choice(p.size, min(entries, p.size), replace=False):
            i, keep = np.unravel_index(flat, p.shape), p.flat[flat]
            p[i] = keep + eps
            up = softmax_cross_entropy(net.forward(x), y)[0]
            p[i] = keep - eps
            down = softmax_cross_entropy(net.forward(x), y)[0]
            p[i] = keep
            numeric = (up - down) / (2 * eps)
            worst[key] = max(worst[key], float(abs(numeric - grad[i]) / max(abs(numeric) + abs(grad[i]), 1e-12)))
    return worst

"""LeNet-5's layers and loss written in NumPy, each with forward and backward, fast enough for 2 CPU cores.

What 001 and 003 built without a deep-learning library, where 001 took ~30 min per epoch and 003 up to
2 h per run. Activations are NHWC (batch, height, width, channels) so that im2col is a strided view and
each convolution one matmul (BLAS). Weights use PyTorch's layouts ([out, in, kh, kw] and [out, in]) so
the tests compare every layer with torch autograd directly (tests/test_numpy_lenet.py).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


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
        self.params = {
            "W": fan_in_init(rng, (c_out, c_in, k, k), c_in * k * k, act, dtype),
            "b": np.zeros(c_out, dtype),
        }

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
        return self._col2im(d @ W.reshape(W.shape[0], -1), dout.dtype)

    def _col2im(self, dcols, dtype):
        """Input gradient from per-pixel window gradients: k*k strided adds instead of a scatter per pixel."""
        b, h, w, c = self.shape
        k, ho, wo = self.k, h - self.k + 1, w - self.k + 1
        dcols = dcols.reshape(b, ho, wo, c, k, k)
        dx = np.zeros(self.shape, dtype)
        for i in range(k):
            for j in range(k):
                dx[:, i : i + ho, j : j + wo, :] += dcols[..., i, j]
        return dx


class AvgPool2(Layer):
    """2x2 average pooling, stride 2 (LeNet-5's subsampling without its trainable scale and bias)."""

    def forward(self, x):
        b, h, w, c = x.shape
        return x.reshape(b, h // 2, 2, w // 2, 2, c).mean((2, 4))

    def backward(self, dout):
        b, h2, w2, c = dout.shape
        spread = np.broadcast_to((dout / 4)[:, :, None, :, None, :], (b, h2, 2, w2, 2, c))
        return spread.reshape(b, 2 * h2, 2 * w2, c)


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
    """Fully connected: x @ W.T + b, W laid out [out, in] as torch.nn.Linear."""

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

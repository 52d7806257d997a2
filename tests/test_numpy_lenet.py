"""The NumPy LeNet-5 against PyTorch autograd: every layer's output and gradients, in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib.digits import numpy_lenet as nl

TOL = {"rtol": 1e-10, "atol": 1e-12}


def _t(a, nhwc=True):
    """NumPy NHWC array -> float64 torch NCHW leaf that records gradients."""
    a = a.transpose(0, 3, 1, 2) if nhwc and a.ndim == 4 else a
    return torch.tensor(np.ascontiguousarray(a), dtype=torch.float64, requires_grad=True)


def _nhwc(t):
    return t.detach().permute(0, 2, 3, 1).numpy() if t.ndim == 4 else t.detach().numpy()


def _compare(layer, x, torch_fn, params=()):
    """Forward on x, backward of a random upstream gradient; the same through torch; compare all."""
    rng = np.random.default_rng(1)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    xt = _t(x)
    pt = [_t(layer.params[n], nhwc=False) for n in params]
    out_t = torch_fn(xt, *pt)
    np.testing.assert_allclose(out, _nhwc(out_t), **TOL)
    (out_t * _t(dout).detach()).sum().backward()
    if dx is not None:
        np.testing.assert_allclose(dx, _nhwc(xt.grad), **TOL)
    for n, p in zip(params, pt):
        np.testing.assert_allclose(layer.grads[n], p.grad.numpy(), **TOL)
    return dx


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("c_in, c_out, k, size", [(1, 6, 5, 32), (6, 16, 5, 14), (3, 4, 3, 7)])
def test_conv_matches_torch(rng, c_in, c_out, k, size):
    layer = nl.Conv2D(c_in, c_out, k, rng, dtype="float64")
    layer.params["b"] = rng.standard_normal(c_out)  # biases start at zero; test non-zero ones
    _compare(layer, rng.standard_normal((3, size, size, c_in)), F.conv2d, ("W", "b"))


def test_first_conv_skips_the_input_gradient(rng):
    layer = nl.Conv2D(1, 6, 5, rng, dtype="float64", input_grad=False)
    assert _compare(layer, rng.standard_normal((2, 32, 32, 1)), F.conv2d, ("W", "b")) is None


@pytest.mark.parametrize(
    "layer, fn",
    [
        (nl.Pool2("avg"), lambda x: F.avg_pool2d(x, 2)),
        (nl.Pool2("max"), lambda x: F.max_pool2d(x, 2)),
        (nl.Act("tanh"), torch.tanh),
        (nl.Act("relu"), torch.relu),
    ],
)
def test_pooling_and_activations_match_torch(rng, layer, fn):
    _compare(layer, rng.standard_normal((3, 10, 10, 6)), fn)


def test_dense_matches_torch(rng):
    layer = nl.Dense(400, 120, rng, dtype="float64")
    layer.params["b"] = rng.standard_normal(120)
    _compare(layer, rng.standard_normal((5, 400)), F.linear, ("W", "b"))


def test_dense_flattens_nhwc_maps_in_hwc_order(rng):
    x = rng.standard_normal((2, 5, 5, 16))
    layer = nl.Dense(400, 3, rng, dtype="float64")
    np.testing.assert_allclose(layer.forward(x)[1], layer.params["W"] @ x[1].ravel())
    assert layer.backward(np.ones((2, 3))).shape == x.shape


def test_softmax_cross_entropy_matches_torch(rng):
    logits, labels = rng.standard_normal((7, 10)) * 5, rng.integers(0, 10, 7)
    loss, dlogits = nl.softmax_cross_entropy(logits, labels)
    lt = _t(logits)
    loss_t = F.cross_entropy(lt, torch.from_numpy(labels))
    loss_t.backward()
    np.testing.assert_allclose(loss, loss_t.item(), **TOL)
    np.testing.assert_allclose(dlogits, lt.grad.numpy(), **TOL)


@pytest.mark.parametrize("act, pool", [("tanh", "avg"), ("relu", "max")])
def test_whole_network_loss_and_gradients_match_torch(act, pool):
    net = nl.NumpyLeNet5({**nl.RECIPE, "act": act, "pool": pool, "dtype": "float64"}, seed=3)
    rng = np.random.default_rng(4)
    x, labels = rng.standard_normal((4, 32, 32, 1)), rng.integers(0, 10, 4)
    loss, dlogits = nl.softmax_cross_entropy(net.forward(x), labels)
    net.backward(dlogits)

    p = {key: _t(t.numpy(), nhwc=False) for key, t in net.tensors.items()}
    a = torch.tanh if act == "tanh" else torch.relu
    pool_t = F.avg_pool2d if pool == "avg" else F.max_pool2d
    h = pool_t(a(F.conv2d(_t(x).detach(), p["0.W"], p["0.b"])), 2)
    h = pool_t(a(F.conv2d(h, p["3.W"], p["3.b"])), 2).permute(0, 2, 3, 1).flatten(1)  # NHWC order, as Dense
    h = a(F.linear(a(F.linear(h, p["6.W"], p["6.b"])), p["8.W"], p["8.b"]))
    loss_t = F.cross_entropy(F.linear(h, p["10.W"], p["10.b"]), torch.from_numpy(labels))
    loss_t.backward()
    np.testing.assert_allclose(loss, loss_t.item(), **TOL)
    for key, t in net.tensors.items():
        np.testing.assert_allclose(t.grad.numpy(), p[key].grad.numpy(), **TOL, err_msg=key)


def test_fan_in_init_has_variance_one_over_fan_in(rng):
    w = nl.fan_in_init(rng, (200, 400), "tanh", "float64")["W"]
    assert abs(w.var() * 400 - 1) < 0.02 and np.abs(w).max() <= np.sqrt(3 / 400)
    assert abs(nl.fan_in_init(rng, (200, 400), "relu", "float64")["W"].var() * 400 - 2) < 0.04


def test_a_few_steps_on_mnist_reduce_the_loss(mnist_train):
    images, labels = mnist_train[0][:512], mnist_train[1][:512]
    learner = nl.NumpyLeNet5({**nl.RECIPE, "lr": 0.05}, seed=0)
    first = [learner.train_batch(images[i : i + 64], labels[i : i + 64])[0] / 64 for i in range(0, 512, 64)]
    for _ in range(2):  # two more passes over the same 512 images
        last = [learner.train_batch(images[i : i + 64], labels[i : i + 64])[0] / 64 for i in range(0, 512, 64)]
    assert np.mean(last) < np.mean(first[:2]) - 1.0
    assert learner.logits(images[:10]).shape == (10, 10)
    assert learner.params() == 61_706  # the same count as the PyTorch classic model


@pytest.mark.parametrize("act, pool", [("tanh", "avg"), ("relu", "max")])
def test_finite_difference_check_agrees_with_backprop(act, pool):
    errors = nl.gradient_check(act, pool)
    assert len(errors) == 10 and max(errors.values()) < 1e-5

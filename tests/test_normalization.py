"""Tests of dlf.normalization against PyTorch modules, autograd and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

from dlf import normalization as nz

F64 = torch.float64


@pytest.mark.parametrize("shape", [(16, 5), (8, 3, 4, 4), (6, 2, 7)])
def test_batchnorm_layer_matches_torch_train_and_eval(shape):
    rng = np.random.default_rng(0)
    C = shape[1]
    ours = nz.BatchNorm(C, momentum=0.2)
    ours.gamma, ours.beta = rng.uniform(0.5, 2, C), rng.standard_normal(C)
    cls = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)]
    ref = cls(C, momentum=0.2).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ours.gamma))
        ref.bias.copy_(torch.tensor(ours.beta))
    for _ in range(20):
        x = 3 + 2 * rng.standard_normal(shape)
        np.testing.assert_allclose(ours(x), ref(torch.tensor(x)).detach(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.running_mean, ref.running_mean, rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, ref.running_var, rtol=1e-12)
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ours.eval()(x), ref.eval()(torch.tensor(x)).detach(), atol=1e-12)


def test_running_mean_closed_form():
    rng = np.random.default_rng(1)
    layer = nz.BatchNorm(3)
    for _ in range(15):
        z = rng.standard_normal((10, 3))
        layer((z - z.mean(0)) / z.std(0, ddof=1) * 2 + 1)  # mean 1, unbiased var 4
    np.testing.assert_allclose(layer.running_mean, 1 - 0.9**15, rtol=1e-13)
    np.testing.assert_allclose(layer.running_var, 0.9**15 + 4 * (1 - 0.9**15), rtol=1e-13)


@pytest.mark.parametrize("shape", [(16, 5), (6, 3, 4, 4)])
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_batch_norm_backward_vs_autograd(shape, eps):
    rng = np.random.default_rng(2)
    x, g = 2 + rng.standard_normal(shape), rng.standard_normal(shape)
    gamma, beta = rng.uniform(0.5, 2, shape[1]), rng.standard_normal(shape[1])
    y, cache = nz.batch_norm(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = nz.batch_norm_backward(g, cache)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    yt = torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y, yt.detach(), atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, gt.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, bt.grad, rtol=1e-10, atol=1e-12)


def test_backward_orthogonality_at_eps_zero():
    rng = np.random.default_rng(3)
    x, g = rng.standard_normal((32, 4)), rng.standard_normal((32, 4))
    y, cache = nz.batch_norm(x, eps=0.0)
    dx = nz.batch_norm_backward(g, cache)[0]
    np.testing.assert_allclose(dx.sum(0), 0, atol=1e-13)
    np.testing.assert_allclose((dx * y).sum(0), 0, atol=1e-13)


@pytest.mark.parametrize("G", [1, 2, 6])
def test_group_norm_vs_torch(G):
    rng = np.random.default_rng(4)
    x, g = rng.standard_normal((4, 6, 3, 3)), rng.standard_normal((4, 6, 3, 3))
    gamma, beta = rng.uniform(0.5, 2, 6), rng.standard_normal(6)
    mod = torch.nn.GroupNorm(G, 6).double()
    with torch.no_grad():
        mod.weight.copy_(torch.tensor(gamma))
        mod.bias.copy_(torch.tensor(beta))
    y, cache = nz.group_norm(x, G, gamma, beta)
    dx, dgamma, dbeta = nz.group_norm_backward(g, cache)
    xt = torch.tensor(x, requires_grad=True)
    yt = mod(xt)
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y, yt.detach(), atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, mod.weight.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, mod.bias.grad, rtol=1e-10, atol=1e-12)


def test_instance_norm_is_group_norm_with_one_channel_per_group():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4, 5, 5))
    ref = torch.nn.InstanceNorm2d(4).double()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(nz.group_norm(x, 4)[0], ref, atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 7), (3, 4, 2, 2)])
def test_layer_norm_vs_torch(shape):
    rng = np.random.default_rng(6)
    x, g = rng.standard_normal(shape), rng.standard_normal(shape)
    ln = torch.nn.LayerNorm(shape[1:]).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(rng.uniform(0.5, 2, shape[1:])))
        ln.bias.copy_(torch.tensor(rng.standard_normal(shape[1:])))
    y, cache = nz.layer_norm(x, ln.weight.detach(), ln.bias.detach())
    dx, dgamma, dbeta = nz.layer_norm_backward(g, cache)
    xt = torch.tensor(x, requires_grad=True)
    (ln(xt) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y, ln(xt).detach(), atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, ln.weight.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, ln.bias.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_fold_matches_torch_fusion(kind):
    torch.manual_seed(0)
    if kind == "linear":
        layer, bn, fuse = torch.nn.Linear(5, 3), torch.nn.BatchNorm1d(3), fuse_linear_bn_eval
    else:
        layer, bn, fuse = torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), fuse_conv_bn_eval
    layer, bn = layer.double().eval(), bn.double().eval()
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.uniform_(0.5, 2)
        bn.bias.uniform_(-1, 1)
    W, b = nz.fold_batch_norm(layer.weight.detach(), layer.bias.detach(), bn.running_mean,
                              bn.running_var, bn.weight.detach(), bn.bias.detach(), bn.eps)
    ref = fuse(layer, bn)
    np.testing.assert_allclose(W, ref.weight.detach(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b, ref.bias.detach(), rtol=1e-12, atol=1e-15)


def test_fold_without_bias():
    W, b = nz.fold_batch_norm(np.ones((2, 3)), None, [1.0, 2.0], [3.0, 0.0], eps=1.0)
    np.testing.assert_allclose(W, [[0.5] * 3, [1.0] * 3])
    np.testing.assert_allclose(b, [-0.5, -2.0])


def test_weight_decay_equivalent_lr_and_equilibrium():
    np.testing.assert_allclose(nz.weight_decay_equivalent_lr(0.5, 0.02, np.arange(3)),
                               0.5 * 0.99 ** -np.array([1.0, 3.0, 5.0]), rtol=1e-15)
    # hand values: eta lam = 0.1 gives sqrt(0.19) / 0.9 = 0.484322...; eta lam = 0.5, sqrt(3)
    assert np.isclose(np.tan(nz.equilibrium_angle(0.5, 0.2)), 0.4843221048, rtol=1e-9)
    assert np.isclose(nz.equilibrium_angle(1.0, 0.5), np.pi / 3, rtol=1e-12)
    # independent oracle: the fixed point of the deterministic norm recursion
    # n^2 <- q^2 n^2 + eta^2 G^2 / n^2 (gradient norm G / n at |w| = n, by scale invariance);
    # then tan = eta (G / n) / (q n)
    eta, lam, G, n2 = 0.5, 0.02, 1.0, 1.0
    q = 1 - eta * lam
    for _ in range(20000):
        n2 = q * q * n2 + eta**2 * G**2 / n2
    assert np.isclose(np.tan(nz.equilibrium_angle(eta, lam)), eta * G / (q * n2),
                      rtol=1e-10)


def test_angular_update():
    assert np.isclose(nz.angular_update([1.0, 0.0], [1.0, 1.0]), np.pi / 4)
    assert np.isclose(nz.angular_update([1.0, 0.0], [1.0, 1e-9]), 1e-9, rtol=1e-12)
    assert np.isclose(nz.angular_update([1.0, 0.0], [-1.0, 0.0]), np.pi)


def test_scale_invariant_mlp_and_exp_lr_equivalence():
    rng = np.random.default_rng(7)
    X = torch.tensor(rng.standard_normal((40, 6)))
    y = torch.tensor(rng.integers(0, 3, 40))
    for norm in ["batch", "layer"]:
        m = nz.ScaleInvariantMLP([6, 5, 4], 3, norm=norm, seed=1)
        out = m(X)
        with torch.no_grad():
            for W in m.weights:
                W.mul_(7.0)
        torch.testing.assert_close(m(X), out, rtol=1e-12, atol=1e-12)
    batches = [(X[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)] * 5
    eta, lam, T = 0.3, 0.05, len(batches)
    wd = nz.train_scale_invariant(nz.ScaleInvariantMLP([6, 5], 3, seed=2), batches, eta, lam,
                                  keep_weights=True)
    lrs = nz.weight_decay_equivalent_lr(eta, lam, np.arange(T))
    ex = nz.train_scale_invariant(nz.ScaleInvariantMLP([6, 5], 3, seed=2), batches, lrs,
                                  keep_weights=True)
    shrink = (1 - eta * lam) ** np.arange(T + 1)[:, None]
    np.testing.assert_allclose(wd["weights"], shrink * ex["weights"], rtol=1e-10, atol=1e-13)
    n2 = wd["norm"] ** 2
    np.testing.assert_allclose(n2[1:], (1 - eta * lam) ** 2 * n2[:-1]
                               + eta**2 * wd["grad_norm"] ** 2, rtol=1e-12)


def test_bad_input():
    x = np.ones((4, 6, 2, 2))
    with pytest.raises(ValueError, match="groups"):
        nz.group_norm(x, 4)
    with pytest.raises(ValueError, match="x"):
        nz.batch_norm(np.ones((1, 3)))
    with pytest.raises(ValueError, match="x"):
        nz.BatchNorm(3)(np.ones((1, 3)))
    with pytest.raises(ValueError, match="momentum"):
        nz.BatchNorm(3, momentum=-0.1)
    with pytest.raises(ValueError, match="eps"):
        nz.batch_norm(np.random.default_rng(0).standard_normal((4, 3)), eps=-1.0)
    with pytest.raises(ValueError, match="gamma"):
        nz.batch_norm(np.random.default_rng(0).standard_normal((4, 3)), gamma=np.ones(2))
    with pytest.raises(ValueError, match="channels"):
        nz.BatchNorm(3)(np.ones((4, 2)))
    with pytest.raises(ValueError, match="lam"):
        nz.weight_decay_equivalent_lr(0.5, 3.0, 1)
    with pytest.raises(ValueError, match="t must"):
        nz.weight_decay_equivalent_lr(0.5, 0.1, -1)
    with pytest.raises(ValueError, match="norm"):
        nz.ScaleInvariantMLP([3, 2], 2, norm="group")
    with pytest.raises(ValueError, match="w_prev"):
        nz.angular_update([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="running_var"):
        nz.fold_batch_norm(np.ones((2, 3)), None, [0.0, 0.0], [1.0, 0.0], eps=0.0)
    m = nz.ScaleInvariantMLP([3, 2], 2, seed=0)
    batch = [(torch.ones(4, 3, dtype=torch.float64), torch.tensor([0, 1, 0, 1]))]
    with pytest.raises(ValueError, match="lr"):
        nz.train_scale_invariant(m, batch, 2.0, 0.5)
    with pytest.raises(ValueError, match="eps = 0"):
        m(torch.ones(4, 3, dtype=torch.float64))  # every example equal: batch variance 0

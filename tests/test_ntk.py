"""Tests for dlf.ntk against torch.autograd, Monte Carlo (5 SE), scipy and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch

from dlf import ntk

K_SE = 5.0


def _sphere(n, d, seed):
    X = np.random.default_rng(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.mark.parametrize("a,b,cos", [(1.0, 4.0, 0.3), (2.0, 0.5, -0.7), (1.0, 1.0, 0.0)])
def test_arccos_step_monte_carlo(a, b, cos):
    rng = np.random.default_rng(2)
    c = cos * math.sqrt(a * b)
    uv = rng.multivariate_normal([0, 0], [[a, c], [c, b]], size=200_000)
    S, Sd = ntk.arccos_step([[c]], [a], [b])
    for s, exact in [(2 * np.maximum(uv[:, 0], 0) * np.maximum(uv[:, 1], 0), S[0, 0]),
                     (2.0 * (uv[:, 0] > 0) * (uv[:, 1] > 0), Sd[0, 0])]:
        assert abs(s.mean() - exact) <= K_SE * s.std(ddof=1) / math.sqrt(s.size)


def test_arccos_special_angles():
    S, Sd = ntk.arccos_step([[0.0, -1.0, 1.0]], [1.0], [1.0, 1.0, 1.0])
    assert np.allclose(S, [[1 / math.pi, 0.0, 1.0]], atol=1e-7)
    assert np.allclose(Sd, [[0.5, 0.0, 1.0]], atol=1e-7)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_layerwise_equals_autograd_jacobian(depth):
    X = _sphere(5, 4, 3)
    net = ntk.ReLUNet(4, 32, depth, seed=depth)
    assert np.allclose(net.layerwise_ntk(X), ntk.jacobian_ntk(net, X), rtol=1e-12, atol=1e-12)
    Z = _sphere(3, 4, 4)
    assert np.allclose(net.layerwise_ntk(X, Z), ntk.jacobian_ntk(net, X, Z), atol=1e-12)


def test_diagonal_is_depth_plus_one():
    X = _sphere(6, 5, 5)
    for depth in (1, 2, 4):
        _, T = ntk.relu_nngp_ntk(X, depth=depth)
        assert np.allclose(np.diag(T), depth + 1, rtol=1e-7)


def test_empirical_ntk_approaches_recursion():
    X = _sphere(6, 5, 6)
    _, T = ntk.relu_nngp_ntk(X, depth=2)
    errs = [np.linalg.norm(ntk.ReLUNet(5, 1024, 2, seed=s).layerwise_ntk(X) - T)
            / np.linalg.norm(T) for s in range(3)]
    assert max(errs) < 0.25


def test_antisymmetric_init_is_zero():
    # zero in exact arithmetic; in floating point the paired terms a_j g_j and -a_j g_j cancel
    # only up to the summation order of the CPU's kernel, so the bound is the standard one for a
    # sum of m terms, m * eps * sum |a_j g_j| (exact 0 held on some CPUs, not on all)
    net = ntk.ReLUNet(3, 10, 1, seed=0, antisymmetric=True)
    X = _sphere(7, 3, 7)
    with torch.no_grad():
        f, g = net.forward_layers(X)
        terms = (g[-1] * net.weights[-1][0]).abs().sum(dim=1)
        assert torch.all(f[-1][:, 0].abs() <= 10 * 2.0 ** -52 * terms)
        assert terms.max() > 0.5  # not vacuous: the terms are of order one


def test_two_layer_kernel_monte_carlo_and_series():
    X = _sphere(5, 4, 8)
    W = np.random.default_rng(9).standard_normal((4, 200_000))
    act = (X @ W > 0).astype(float)
    H_mc = (X @ X.T) * (act @ act.T) / W.shape[1]
    assert np.abs(H_mc - ntk.two_layer_ntk(X)).max() < 0.01
    G = X @ X.T
    off = ~np.eye(5, dtype=bool)
    assert np.allclose(ntk.two_layer_ntk_series(G, 400)[off], ntk.two_layer_ntk(X)[off],
                       atol=1e-12)
    assert math.isclose(np.trace(ntk.two_layer_ntk(X)), 2.5, rel_tol=1e-8)


def test_kernel_flow_against_expm():
    rng = np.random.default_rng(10)
    B = rng.standard_normal((5, 7))
    K, Ks = B @ B.T / 7, rng.standard_normal((2, 7)) @ B.T / 7
    y, f0, f0s = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(2)
    tr, te = ntk.kernel_flow(K, y, 1.7, K_test=Ks, f0=f0, f0_test=f0s)
    E = scipy.linalg.expm(-1.7 * K)
    assert np.allclose(tr, y + E @ (f0 - y), atol=1e-12)
    assert np.allclose(te, f0s + Ks @ np.linalg.solve(K, (np.eye(5) - E) @ (y - f0)), atol=1e-10)


def test_kernel_gd_against_iteration():
    rng = np.random.default_rng(11)
    B = rng.standard_normal((6, 3))  # rank 3: zero eigenvalues
    K, Ks, y = B @ B.T, rng.standard_normal((2, 3)) @ B.T, rng.standard_normal(6)
    eta = 0.3 / np.linalg.eigvalsh(K).max()
    u, fx = np.zeros(6), np.zeros(2)
    for _ in range(25):
        u, fx = u - eta * K @ (u - y), fx - eta * Ks @ (u - y)
    tr, te = ntk.kernel_gd_predict(K, y, eta=eta, steps=25, K_test=Ks)
    assert np.allclose(tr, u, atol=1e-12) and np.allclose(te, fx, atol=1e-12)


def test_gp_posterior_matches_sklearn():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    rng = np.random.default_rng(12)
    X, Xs = rng.uniform(-2, 2, (6, 1)), rng.uniform(-2, 2, (4, 1))
    y = np.sin(X[:, 0])
    kern = RBF(length_scale=0.8)
    gp = GaussianProcessRegressor(kern, alpha=1e-10, optimizer=None).fit(X, y)
    mean_ref, std_ref = gp.predict(Xs, return_std=True)
    K = kern(X) + 1e-10 * np.eye(6)
    mean, var = ntk.gp_posterior(K, kern(Xs, X), np.ones(4), y)
    assert np.allclose(mean, mean_ref, atol=1e-6)
    assert np.allclose(np.sqrt(np.maximum(var, 0)), std_ref, atol=1e-4)


def test_complexity_formula():
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    y = np.array([1.0, -1.0])
    ref = math.sqrt(2 * y @ np.linalg.solve(H, y) * 3.0) / 2
    assert math.isclose(ntk.ntk_complexity(H, y), ref, rel_tol=1e-12)


def test_train_gd_decreases_loss():
    X = _sphere(6, 3, 13)
    net = ntk.ReLUNet(3, 64, 1, seed=1)
    losses = ntk.train_gd(net, X, np.ones(6), eta=0.1, steps=20)
    assert len(losses) == 21 and losses[-1] < losses[0]


def test_bad_inputs():
    X = _sphere(3, 2, 0)
    with pytest.raises(ValueError, match="X"):
        ntk.relu_nngp_ntk(np.array([[np.nan, 1.0]]), depth=1)
    with pytest.raises(TypeError, match="X"):
        ntk.relu_nngp_ntk(X + 1j, depth=1)
    with pytest.raises(ValueError, match="depth"):
        ntk.relu_nngp_ntk(X, depth=0)
    with pytest.raises(TypeError, match="depth"):
        ntk.relu_nngp_ntk(X, depth=1.5)
    with pytest.raises(ValueError, match="nonzero"):
        ntk.relu_nngp_ntk(np.zeros((2, 2)), depth=1)
    with pytest.raises(ValueError, match="same number of columns"):
        ntk.two_layer_ntk(X, np.ones((2, 3)))
    with pytest.raises(ValueError, match="diag_x"):
        ntk.arccos_step([[0.1]], [-1.0], [1.0])
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        ntk.two_layer_ntk_series(np.array([[2.0]]), 5)
    with pytest.raises(ValueError, match="antisymmetric"):
        ntk.ReLUNet(2, 5, 1, antisymmetric=True)
    with pytest.raises(ValueError, match="shape"):
        ntk.ReLUNet(2, 4, 1)(np.ones((3, 5)))
    with pytest.raises(ValueError, match="symmetric"):
        ntk.kernel_flow(np.array([[1.0, 2.0], [0.0, 1.0]]), [1.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="t must"):
        ntk.kernel_flow(np.eye(2), [1.0, 1.0], -1.0)
    with pytest.raises(ValueError, match="eta"):
        ntk.kernel_gd_predict(np.eye(2), [1.0, 1.0], eta=0.0, steps=3)
    with pytest.raises(ValueError, match="y must have shape"):
        ntk.kernel_gd_predict(np.eye(2), [1.0, 1.0, 1.0], eta=0.1, steps=3)
    with pytest.raises(ValueError, match="positive definite"):
        ntk.gp_posterior(np.zeros((2, 2)), np.ones((1, 2)), [1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="K_test"):
        ntk.gp_posterior(np.eye(2), np.ones((1, 3)), [1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="positive definite"):
        ntk.ntk_complexity(-np.eye(2), [1.0, 1.0])
    with pytest.raises(TypeError, match="model"):
        ntk.jacobian_ntk("not a model", X)
    with pytest.raises(TypeError, match="model"):
        ntk.train_gd(None, X, [1.0, 1.0, 1.0], eta=0.1, steps=1)

"""Tests for dlf.regularization against dlf.linear, dlf.optim, scikit-learn, PyTorch, SciPy,
mask enumeration written out by hand, the SVD nuclear norm and Monte Carlo (5 SE)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy import integrate, optimize
from sklearn.linear_model import Ridge

from dlf import linear, optim
from dlf import regularization as reg

K_SE = 5.0


def _mean_within(samples, expected):
    s = np.asarray(samples, dtype=float).ravel()
    se = s.std(ddof=1) / math.sqrt(s.size)
    assert abs(s.mean() - expected) <= K_SE * se, (s.mean(), expected, se)


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 7))
    return X, rng.standard_normal(12), rng


# ---------------------------------------------------------------------------------------------
# filters


@pytest.mark.parametrize("shape", [(12, 7), (5, 9)])
def test_ridge_filter_matches_linear_ridge_and_sklearn(shape):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
    w = reg.spectral_fit(X, y, lambda s: reg.ridge_filter(s, 0.7))
    np.testing.assert_allclose(w, linear.ridge(X, y, 0.7), rtol=1e-12, atol=1e-14)
    sk = Ridge(alpha=0.7, fit_intercept=False, solver="svd").fit(X, y).coef_
    np.testing.assert_allclose(w, sk, rtol=1e-10, atol=1e-12)


def test_gd_path_matches_optim(problem):
    X, y, _ = problem
    eta = 0.5 / np.linalg.norm(X, 2) ** 2
    ref = optim.gradient_descent(lambda w: X.T @ (X @ w - y), np.zeros(7), eta, 50)
    np.testing.assert_allclose(reg.gd_path(X, y, eta, np.arange(51)), ref, atol=1e-12)


def test_flow_filter_matches_ode(problem):
    X, y, _ = problem
    sol = integrate.solve_ivp(lambda t, w: -X.T @ (X @ w - y), (0, 0.4), np.zeros(7),
                              rtol=1e-12, atol=1e-14, method="DOP853")
    np.testing.assert_allclose(reg.spectral_fit(X, y, lambda s: reg.flow_filter(s, 0.4)),
                               sol.y[:, -1], atol=1e-9)


def test_multi_output_spectral_fit(problem):
    X, _, rng = problem
    Y = rng.standard_normal((12, 3))
    np.testing.assert_allclose(reg.spectral_fit(X, Y, lambda s: reg.ridge_filter(s, 0.2)),
                               linear.ridge(X, Y, 0.2), atol=1e-12)


def test_filter_risk_monte_carlo(problem):
    X, _, rng = problem
    beta, sigma = rng.standard_normal(7), 0.5
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    phi = reg.ridge_filter(s, 0.3)
    Y = X @ beta + sigma * rng.standard_normal((20_000, 12))
    W = (Y @ U) * (phi / s) @ Vt
    b2, v = reg.filter_risk(X, beta, sigma, phi)
    _mean_within(np.sum((W - beta) ** 2, axis=1), b2 + v)
    b2i, vi = reg.filter_risk(X, beta, sigma, phi, in_sample=True)
    _mean_within(np.sum(((W - beta) @ X.T) ** 2, axis=1) / 12, b2i + vi)


def test_filter_risk_null_space_bias():
    X = np.array([[1.0, 0.0]])
    b2, v = reg.filter_risk(X, np.array([0.0, 2.0]), 1.0, np.array([1.0]))
    assert math.isclose(b2, 4.0) and math.isclose(v, 1.0)


def test_constant_matches_scipy():
    C, x = reg.early_stopping_constant()
    res = optimize.minimize_scalar(lambda t: -(-math.expm1(-t) * (1 + t) / t) ** 2,
                                   bounds=(0.1, 10), method="bounded", options={"xatol": 1e-12})
    assert math.isclose(C, -res.fun, rel_tol=1e-12)
    assert abs(x - res.x) < 1e-5
    assert 1.68590 < C < 1.68592 and 1.7932 < x < 1.7934


def test_gd_ratio_sup_closed_forms():
    assert math.isclose(reg.gd_variance_ratio_sup(1), 4.0, rel_tol=1e-12)
    # t = 2: ((1 - (1-u)^2)(1 + 2u)/(2u))^2 = ((2 - u)(1 + 2u)/2)^2, maximal at u = 3/4
    assert math.isclose(reg.gd_variance_ratio_sup(2), ((2 - 0.75) * 2.5 / 2) ** 2, rel_tol=1e-10)
    assert reg.gd_variance_ratio_sup(10) > reg.early_stopping_constant()[0]


# ---------------------------------------------------------------------------------------------
# dropout


def test_dropout_matches_torch_statistics():
    rng = np.random.default_rng(3)
    h = rng.uniform(1, 2, 100_000)
    out = reg.dropout(h, 0.4, rng)
    _mean_within(out == 0, 0.4)
    kept = out != 0
    np.testing.assert_array_equal(out[kept], h[kept] / 0.6)
    torch.manual_seed(0)
    t = torch.nn.functional.dropout(torch.tensor(h), 0.4, training=True).numpy()
    np.testing.assert_allclose(t[t != 0], h[t != 0] / 0.6, rtol=1e-15)
    np.testing.assert_array_equal(reg.dropout(h, 0.4, rng, train=False), h)
    assert np.all(reg.dropout(h, 0.0, rng) == h)


def test_expected_over_masks_by_hand():
    w = np.array([1.0, -2.0, 0.5])
    p = 0.3
    total = 0.0
    for bits in itertools.product([0, 1], repeat=3):
        b = np.array(bits)
        total += np.prod(np.where(b == 1, 1 - p, p)) * np.sum(b / (1 - p) * w) ** 2
    assert math.isclose(reg.expected_over_masks(lambda m: np.sum(m * w) ** 2, 3, p), total,
                        rel_tol=1e-13)
    # and the closed form: (sum w)^2 + p/(1-p) sum w^2
    assert math.isclose(total, w.sum() ** 2 + p / (1 - p) * np.sum(w**2), rel_tol=1e-13)


def test_input_dropout_penalty_and_minimizer(problem):
    X, y, _ = problem
    p = 0.25
    w = np.linspace(-1, 1, 7)
    exact = reg.expected_over_masks(lambda m: np.sum((y - X @ (m * w)) ** 2), 7, p)
    assert math.isclose(exact, np.sum((y - X @ w) ** 2) + reg.input_dropout_penalty(X, w, p),
                        rel_tol=1e-12)
    w_p = reg.input_dropout_minimizer(X, y, p)
    def f(v):
        return np.sum((y - X @ v) ** 2) + reg.input_dropout_penalty(X, v, p)

    w_num = optimize.minimize(f, np.zeros(7), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(w_p, w_num, atol=1e-6)
    # isotropic columns of equal norm: ordinary ridge with lam = p/(1-p) * ||X_j||^2
    Q = np.linalg.qr(np.random.default_rng(5).standard_normal((12, 7)))[0] * 2.0
    np.testing.assert_allclose(reg.input_dropout_minimizer(Q, y, p),
                               linear.ridge(Q, y, p / (1 - p) * 4.0), atol=1e-12)


def test_last_layer_penalty_enumeration():
    rng = np.random.default_rng(7)
    A, W = rng.standard_normal((20, 6)), rng.standard_normal((2, 6))
    Y = rng.standard_normal((20, 2))
    p = 0.5
    exact = reg.expected_over_masks(lambda m: np.mean(np.sum((Y - (A * m) @ W.T) ** 2, 1)), 6, p)
    plain = np.mean(np.sum((Y - A @ W.T) ** 2, 1))
    assert math.isclose(exact, plain + reg.last_layer_dropout_penalty(W, A, p), rel_tol=1e-12)


def test_mc_dropout_linear_and_modes():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(4, 1, bias=False),
                              torch.nn.BatchNorm1d(1))
    net.eval().requires_grad_(False)
    x = torch.randn(1, 4)
    net[2].train(False)
    lin = torch.nn.Sequential(net[0], net[1])
    mean, var = reg.mc_dropout(lin, x, 20_000, seed=0)
    w = net[1].weight.numpy().ravel()
    expected_var = float(np.sum(w**2 * x.numpy().ravel() ** 2))  # p/(1-p) = 1
    assert abs(float(mean) - float(lin(x))) <= K_SE * math.sqrt(expected_var / 20_000)
    assert abs(float(var) / expected_var - 1) < 0.05
    reg.mc_dropout(net, x, 3)
    assert not net.training and not net[0].training and not net[2].training
    m1, _ = reg.mc_dropout(lin, x, 10, seed=4)
    m2, _ = reg.mc_dropout(lin, x, 10, seed=4)
    assert torch.equal(m1, m2)


# ---------------------------------------------------------------------------------------------
# factorization, ensembles, augmentation


@pytest.mark.parametrize("d1", [3, 4, 8])
def test_equalize_factors_attains_nuclear_bound(d1):
    rng = np.random.default_rng(d1)
    M = rng.standard_normal((6, 3)) @ rng.standard_normal((3, 5))
    U, V = reg.equalize_factors(M, d1)
    nuc = np.linalg.svd(M, compute_uv=False).sum()
    np.testing.assert_allclose(U @ V.T, M, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(U, axis=0) * np.linalg.norm(V, axis=0), nuc / d1,
                               rtol=1e-10)
    assert math.isclose(reg.factorization_penalty(U, V), nuc**2 / d1, rel_tol=1e-10)
    G = rng.standard_normal((d1, d1))
    assert reg.factorization_penalty(U @ G, V @ np.linalg.inv(G).T) >= nuc**2 / d1 * (1 - 1e-12)


def test_bootstrap_and_bagging():
    rng = np.random.default_rng(0)
    frac = [np.unique(reg.bootstrap_indices(100, rng)).size / 100 for _ in range(20_000)]
    _mean_within(frac, 1 - 0.99**100)
    X, y = rng.standard_normal((30, 2)), rng.standard_normal(30)
    preds = reg.bagging_predict(lambda a, b: linear.least_squares(a, b), lambda w, Z: Z @ w,
                                X, y, X[:5], 7, 0)
    assert preds.shape == (7, 5)
    again = reg.bagging_predict(lambda a, b: linear.least_squares(a, b), lambda w, Z: Z @ w,
                                X, y, X[:5], 7, 0)
    np.testing.assert_array_equal(preds, again)


def test_ambiguity_decomposition_identity():
    rng = np.random.default_rng(2)
    F, y = rng.standard_normal((9, 40)), rng.standard_normal(40)
    d = reg.ambiguity_decomposition(F, y)
    np.testing.assert_allclose(d["ensemble"], d["average_member"] - d["ambiguity"], atol=1e-12)
    np.testing.assert_allclose(d["ensemble"], (F.mean(0) - y) ** 2, atol=1e-15)


def test_flips_and_shifts():
    X = np.arange(128.0).reshape(2, 64)
    F = reg.flip_digits(X)
    np.testing.assert_array_equal(F.reshape(2, 8, 8), X.reshape(2, 8, 8)[:, :, ::-1])
    np.testing.assert_array_equal(reg.flip_digits(F), X)
    S = reg.shift_digits(X, 1, 0).reshape(2, 8, 8)
    np.testing.assert_array_equal(S[:, :, 1:], X.reshape(2, 8, 8)[:, :, :-1])
    np.testing.assert_array_equal(S[:, :, 0], 0)
    S2 = reg.shift_digits(X.reshape(2, 8, 8), -2, 3)
    np.testing.assert_array_equal(S2[:, 3:, :6], X.reshape(2, 8, 8)[:, :5, 2:])
    np.testing.assert_array_equal(reg.shift_digits(X, 0, 0), X)


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("call,exc,match", [
    (lambda: reg.ridge_filter([1.0], 0.0), ValueError, "lam"),
    (lambda: reg.ridge_filter([np.nan], 1.0), ValueError, "s must be finite"),
    (lambda: reg.ridge_filter([1j], 1.0), TypeError, "real"),
    (lambda: reg.gd_filter([1.0], 0.1, 1.5), ValueError, "integers"),
    (lambda: reg.gd_filter([1.0], -0.1, 1), ValueError, "eta"),
    (lambda: reg.flow_filter([1.0], -1.0), ValueError, "t must be"),
    (lambda: reg.spectral_fit(np.ones(3), np.ones(3), lambda s: s), ValueError, "X must have 2"),
    (lambda: reg.spectral_fit(np.ones((3, 2)), np.ones(4), lambda s: s), ValueError, "3 rows"),
    (lambda: reg.spectral_fit(np.ones((3, 2)), np.ones(3), 1.0), TypeError, "phi"),
    (lambda: reg.filter_risk(np.eye(2), np.ones(3), 1.0, np.ones(2)), ValueError, "beta"),
    (lambda: reg.filter_risk(np.eye(2), np.ones(2), 1.0, np.ones(3)), ValueError, "phi"),
    (lambda: reg.dropout_mask((2, 2), 1.0, 0), ValueError, "p must"),
    (lambda: reg.dropout_mask((2, 2), "0.5", 0), TypeError, "p must"),
    (lambda: reg.dropout([1.0], 0.5, "seed"), TypeError, "rng"),
    (lambda: reg.expected_over_masks(lambda m: 0, 21, 0.5), ValueError, "m must"),
    (lambda: reg.expected_over_masks(3, 2, 0.5), TypeError, "fn"),
    (lambda: reg.input_dropout_penalty(np.eye(2), np.ones(3), 0.5), ValueError, "w must"),
    (lambda: reg.input_dropout_minimizer(np.zeros((3, 2)), np.ones(3), 0.5), ValueError,
     "zero column"),
    (lambda: reg.last_layer_dropout_penalty(np.ones((2, 3)), np.ones((4, 2)), 0.5), ValueError,
     "columns"),
    (lambda: reg.mc_dropout(lambda x: x, torch.ones(1), 5), TypeError, "model"),
    (lambda: reg.mc_dropout(torch.nn.Identity(), np.ones(1), 5), TypeError, "x must"),
    (lambda: reg.mc_dropout(torch.nn.Identity(), torch.ones(1), 1), ValueError, "n_samples"),
    (lambda: reg.factorization_penalty(np.ones((2, 3)), np.ones((2, 2))), ValueError, "columns"),
    (lambda: reg.equalize_factors(np.eye(3), 2), ValueError, "rank"),
    (lambda: reg.bootstrap_indices(0, 0), ValueError, "n must"),
    (lambda: reg.bagging_predict(None, None, np.ones((3, 2)), np.ones(3), np.ones((2, 3)), 2, 0),
     ValueError, "X_test"),
    (lambda: reg.ambiguity_decomposition(np.ones((2, 3)), np.ones(4)), ValueError, "preds"),
    (lambda: reg.flip_digits(np.ones((2, 63))), ValueError, "64"),
    (lambda: reg.shift_digits(np.ones((2, 64)), 8, 0), ValueError, "dx"),
    (lambda: reg.gd_variance_ratio_sup(0), ValueError, "t must"),
    (lambda: reg.variance_ratio([-1.0]), ValueError, "x must"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

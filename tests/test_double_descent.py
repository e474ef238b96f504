"""Tests of dlf.double_descent against independent oracles (sklearn, scipy, numpy, closed forms)."""

import numpy as np
import pytest
from scipy.interpolate import BarycentricInterpolator
from scipy.stats import invwishart
from sklearn.linear_model import LinearRegression, Ridge

from dlf import double_descent as dd
from dlf import linear


def test_relu_features_nested_and_scaled():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((7, 3))
    big, small = dd.relu_features(X, 20, 5), dd.relu_features(X, 8, 5)
    np.testing.assert_allclose(small * np.sqrt(8), big[:, :8] * np.sqrt(20), rtol=1e-14)
    W = dd.relu_weights(3, 20, 5)
    np.testing.assert_allclose(big, np.maximum(X @ W.T, 0) / np.sqrt(20), rtol=1e-14)
    np.testing.assert_allclose(dd.relu_features(X, 20, weights=W), big, rtol=1e-14)
    # the kernel limit: E relu(w.x) relu(w.x) = ||x||^2 / 2
    x = np.array([[1.0, 2.0, -1.0]])
    phi = dd.relu_features(x, 200_000, 1)
    assert abs(phi @ phi.T - 3.0) < 0.05


def test_polynomial_smoother_matches_numpy_fit():
    rng = np.random.default_rng(1)
    x, xs, y = rng.uniform(0, 1, 12), np.linspace(0, 1, 30), rng.standard_normal(12)
    for k in [0, 3, 11]:
        ref = np.polynomial.Polynomial.fit(x, y, k)(xs)
        np.testing.assert_allclose(dd.polynomial_smoother(x, xs, k) @ y, ref, atol=1e-6)


def test_smoother_bias_variance_and_mc():
    x = (np.arange(10) + 0.5) / 10
    xs = (np.arange(50) + 0.5) / 50
    f = lambda t: np.sin(2 * np.pi * t)  # noqa: E731
    S = dd.polynomial_smoother(x, xs, 3)
    ex = dd.smoother_bias_variance(S, f(x), f(xs), 0.3)
    mc = dd.bias_variance_mc(lambda a, b, c: np.polynomial.Polynomial.fit(a, b, 3)(c), f, 0.3,
                             xs, reps=3000, rng=0, x_train=x)
    assert abs(mc["risk"] - ex["risk"]) < 5 * mc["risk_se"]
    assert abs(mc["bias2"] - ex["bias2"]) < 0.1 * ex["bias2"] + 1e-3
    assert abs(mc["variance"] - ex["variance"]) < 0.1 * ex["variance"]


def test_ols_formulas_vs_sklearn_and_invwishart():
    n, p = 30, 5
    Sigma = np.diag([0.5, 1, 2, 3, 4.0])
    expected = 0.49 * np.trace(np.linalg.inv(Sigma)) / (n - p - 1)
    assert dd.ols_parameter_error(n, Sigma, 0.7) == pytest.approx(expected, rel=1e-12)
    mean_inv = invwishart(df=n, scale=np.linalg.inv(Sigma)).mean()  # E (X^T X)^{-1}
    assert dd.ols_parameter_error(n, Sigma, 1.0) == pytest.approx(np.trace(mean_inv), rel=1e-12)
    assert dd.ols_excess_risk(n, p, 1.0) == pytest.approx(np.trace(Sigma @ mean_inv), rel=1e-12)
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    coef = LinearRegression(fit_intercept=False).fit(X, y).coef_
    Phi, y2 = rng.standard_normal((n, p)), rng.standard_normal(n)
    r = dd.features_curve(Phi, y2, Phi, y2, [p])
    assert r["mse"][0] == pytest.approx(np.mean((Phi @ LinearRegression(
        fit_intercept=False).fit(Phi, y2).coef_ - y2) ** 2), rel=1e-10)
    assert np.all(np.isfinite(coef))


def test_min_norm_risk_closed_form_and_mc():
    # L's set-up values
    D, n, s = 128, 32, 0.5
    R = lambda p: dd.min_norm_risk(n, p, p / D, 1 - p / D, s)  # noqa: E731
    assert R(16) == pytest.approx(2.325, abs=1e-3)
    assert R(64) == pytest.approx(1.774, abs=1e-3)
    assert R(128) == pytest.approx(1.084, abs=1e-3)
    assert R(0) == pytest.approx(1.25)
    assert R(32) == np.inf
    beta = np.full(D, 1 / np.sqrt(D))
    mc = dd.gaussian_curve(n, [8, 96], beta, s, reps=1500, rng=3)
    for k, p in enumerate([8, 96]):
        se = mc[:, k].std(ddof=1) / np.sqrt(mc.shape[0])
        assert abs(mc[:, k].mean() - R(p)) < 5 * se


def test_gaussian_curve_ridge_matches_linear_ridge_and_sklearn():
    rng_seed = 4
    beta = np.linspace(-1, 1, 12)
    lam = 0.7
    out = dd.gaussian_curve(6, [9], beta, 0.3, reps=1, rng=rng_seed, lams=[lam])
    rng = np.random.default_rng(rng_seed)
    X = rng.standard_normal((1, 6, 12))[0]
    y = X @ beta + 0.3 * rng.standard_normal((1, 6))[0]
    w = linear.ridge(X[:, :9], y, lam)
    w_sk = Ridge(alpha=lam, fit_intercept=False).fit(X[:, :9], y).coef_
    np.testing.assert_allclose(w, w_sk, rtol=1e-8)
    expected = np.sum((w - beta[:9]) ** 2) + beta[9:] @ beta[9:] + 0.09
    assert out[0, 0, 0] == pytest.approx(expected, rel=1e-10)
    mn = dd.gaussian_curve(6, [9], beta, 0.3, reps=1, rng=rng_seed)
    w0 = np.linalg.pinv(X[:, :9]) @ y
    assert mn[0, 0] == pytest.approx(np.sum((w0 - beta[:9]) ** 2) + beta[9:] @ beta[9:] + 0.09)


def test_features_curve_ridge_vs_sklearn():
    rng = np.random.default_rng(5)
    Phi, y = rng.standard_normal((20, 30)), rng.standard_normal(20)
    Pt, yt = rng.standard_normal((15, 30)), rng.standard_normal(15)
    r = dd.features_curve(Phi, y, Pt, yt, [10, 30], lams=[0.1, 2.0])
    for k, p in enumerate([10, 30]):
        for j, lam in enumerate([0.1, 2.0]):
            c = Ridge(alpha=lam, fit_intercept=False).fit(Phi[:, :p], y).coef_
            assert r["ridge_mse"][k, j] == pytest.approx(np.mean((Pt[:, :p] @ c - yt) ** 2),
                                                         rel=1e-8)
    assert r["s_min"][1] == pytest.approx(np.linalg.svd(Phi, compute_uv=False)[-1])


def test_lagrange_and_lebesgue_vs_scipy():
    nodes = np.linspace(0, 1, 9)
    x = np.linspace(-0.1, 1.1, 301)
    B = dd.lagrange_basis(nodes, x)
    ref = np.column_stack([BarycentricInterpolator(nodes, np.eye(9)[i])(x) for i in range(9)])
    np.testing.assert_allclose(B, ref, atol=1e-9)
    np.testing.assert_allclose(B.sum(axis=1), 1.0, atol=1e-10)
    np.testing.assert_array_equal(dd.lagrange_basis(nodes, nodes[:3]), np.eye(9)[:3])
    np.testing.assert_allclose(dd.lebesgue_function(nodes, x), np.abs(ref).sum(axis=1), atol=1e-9)


def test_interpolation_noise_pl_vs_np_interp():
    rng = np.random.default_rng(6)
    x = np.sort(rng.uniform(0, 1, 15))
    t = np.linspace(0, 1, 200_001)
    # noise term given the design: sum over labels of (interpolant of a unit vector)^2
    var = sum(np.interp(t, x, np.eye(15)[i]) ** 2 for i in range(15))
    assert dd.interpolation_noise_pl(x) == pytest.approx(np.trapezoid(var, t), rel=1e-6)


def test_nadaraya_watson_interpolates_and_averages():
    x = np.array([0.1, 0.4, 0.5, 0.9])
    y = np.array([1.0, -2.0, 3.0, 5.0])
    np.testing.assert_array_equal(dd.nadaraya_watson(x, y, x, 0.2), y)
    # at 0.45 the two neighbours within h = 0.2 are equidistant: plain average
    assert dd.nadaraya_watson(x, y, [0.45], 0.2)[0] == pytest.approx(0.5)
    # no neighbour within h: the nearest label
    assert dd.nadaraya_watson(x, y, [0.75], 0.1)[0] == 5.0


@pytest.mark.parametrize("call, exc, match", [
    (lambda: dd.relu_features(np.ones(3), 2), ValueError, "X"),
    (lambda: dd.relu_features(np.ones((2, 3)), 0), ValueError, "p"),
    (lambda: dd.relu_features(np.ones((2, 3)), 2, rng="a"), TypeError, "rng"),
    (lambda: dd.relu_features(np.ones((2, 3)), 2, weights=np.ones((3, 3))), ValueError, "weights"),
    (lambda: dd.relu_features(np.array([[np.nan, 1.0]]), 2), ValueError, "finite"),
    (lambda: dd.relu_features(np.ones((2, 2)) * 1j, 2), TypeError, "real"),
    (lambda: dd.polynomial_smoother([0, 1], [0.5], 2), ValueError, "degree"),
    (lambda: dd.ols_excess_risk(10, 9, 1.0), ValueError, "n >= p \\+ 2"),
    (lambda: dd.ols_excess_risk(10, 2, -1.0), ValueError, "sigma"),
    (lambda: dd.ols_parameter_error(10, -np.eye(2), 1.0), ValueError, "positive definite"),
    (lambda: dd.min_norm_risk(10, 5, 1.0, 0.0, float("nan")), ValueError, "sigma"),
    (lambda: dd.gaussian_curve(5, [20], np.ones(10), 0.1, reps=2, rng=0), ValueError, "p must"),
    (lambda: dd.lagrange_basis([0, 0, 1], [0.5]), ValueError, "distinct"),
    (lambda: dd.interpolation_noise_pl([0.2, 1.5]), ValueError, "\\[0, 1\\]"),
    (lambda: dd.nadaraya_watson([0, 1], [1, 2], [0.5], 0.1, alpha=1.5), ValueError, "alpha"),
    (lambda: dd.nadaraya_watson([0, 1], [1], [0.5], 0.1), ValueError, "y_train"),
    (lambda: dd.bias_variance_mc(lambda a, b, c: c, np.sin, 0.1, [0.5], reps=3, rng=0),
     ValueError, "x_train"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

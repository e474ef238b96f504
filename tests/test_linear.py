"""Tests of dlf.linear against closed forms, scikit-learn, torch.autograd, finite differences
(dlf.gradcheck) and the perceptron's mistake bound, plus bad-input tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from dlf import gradcheck, linear


def separable(n=300, d=5, margin=0.2, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    X = rng.standard_normal((4 * n, d))
    X = X[np.abs(X @ u) > margin][:n]
    return X, np.sign(X @ u), u


# --------------------------------------------------------------------------------------------
# least squares and ridge


def test_least_squares_solves_normal_equations_and_matches_sklearn():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 6)), rng.standard_normal(50)
    w = linear.least_squares(X, y)
    np.testing.assert_allclose(w, np.linalg.solve(X.T @ X, X.T @ y), rtol=1e-10)
    np.testing.assert_allclose(w, LinearRegression(fit_intercept=False).fit(X, y).coef_,
                               rtol=1e-10)
    np.testing.assert_allclose(X.T @ (X @ w - y), 0.0, atol=1e-10)  # residual orthogonal
    Y = rng.standard_normal((50, 3))
    np.testing.assert_allclose(linear.least_squares(X, Y)[:, 1], linear.least_squares(X, Y[:, 1]),
                               rtol=1e-12)


def test_least_squares_rank_deficient_gives_min_norm_solution():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 12))  # d > n: infinitely many interpolants
    y = rng.standard_normal(5)
    w = linear.least_squares(X, y)
    np.testing.assert_allclose(X @ w, y, atol=1e-12)
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ y, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.floats(1e-3, 1e3))
def test_ridge_matches_sklearn_and_augmented_least_squares(n, d, lam):
    rng = np.random.default_rng(n * 100 + d)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    w = linear.ridge(X, y, lam)
    aug = np.linalg.lstsq(np.vstack([X, np.sqrt(lam) * np.eye(d)]),
                          np.concatenate([y, np.zeros(d)]), rcond=None)[0]
    np.testing.assert_allclose(w, aug, rtol=1e-8, atol=1e-12)
    sk = Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(X, y).coef_
    np.testing.assert_allclose(w, sk, rtol=1e-8, atol=1e-12)


def test_ridge_limits():
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((20, 4)), rng.standard_normal((20, 2))
    np.testing.assert_array_equal(linear.ridge(X, Y, 0.0), linear.least_squares(X, Y))
    np.testing.assert_allclose(linear.ridge(X, Y, 1e-12), linear.least_squares(X, Y), rtol=1e-8)
    assert linear.ridge(X, Y, 1e12).shape == (4, 2)
    assert np.abs(linear.ridge(X, Y, 1e12)).max() < 1e-9


# --------------------------------------------------------------------------------------------
# perceptron


def test_perceptron_converges_within_the_mistake_bound():
    X, y, u = separable()
    R, rho = np.linalg.norm(X, axis=1).max(), np.min(y * (X @ u))
    for seed in range(5):
        res = linear.perceptron(X, y, seed=seed)
        assert res.converged
        assert np.all(y * (X @ res.w) > 0)
        assert res.mistakes <= R**2 / rho**2
        assert res.mistakes == res.alpha.sum()
        np.testing.assert_allclose(res.w, (res.alpha * y) @ X, rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 12), st.floats(0.05, 1.0))
def test_mistake_bound_property(seed, d, margin):
    X, y, u = separable(n=80, d=d, margin=margin, seed=seed)
    res = linear.perceptron(X, y, seed=seed, max_epochs=100_000)
    bound = np.max(np.sum(X**2, axis=1)) / np.min(y * (X @ u)) ** 2
    assert res.converged and res.mistakes <= bound


def test_add_bias():
    Xb = linear.add_bias([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(Xb, [[1.0, 2.0, 1.0], [3.0, 4.0, 1.0]])
    with pytest.raises(ValueError, match="2-D"):
        linear.add_bias([1.0, 2.0])


@pytest.mark.parametrize("shuffle", [True, False])
def test_dual_perceptron_makes_the_same_updates(shuffle):
    X, y, _ = separable(n=120, d=4, seed=3)
    primal = linear.perceptron(X, y, seed=7, shuffle=shuffle)
    dual = linear.perceptron_dual(X @ X.T, y, seed=7, shuffle=shuffle)
    np.testing.assert_array_equal(primal.alpha, dual.alpha)
    assert dual.w is None
    assert (primal.mistakes, primal.epochs, primal.converged) == \
        (dual.mistakes, dual.epochs, dual.converged)


def test_perceptron_bound_is_attained_on_orthonormal_examples():
    d = 7  # x_i = e_i, all labels +1: R = 1, rho = 1/sqrt(d), bound d
    res = linear.perceptron(np.eye(d), np.ones(d), seed=0)
    assert res.mistakes == d and res.converged


def test_perceptron_on_xor_does_not_converge():
    X = np.array([[1.0, 1, 1], [-1, -1, 1], [1, -1, 1], [-1, 1, 1]])
    res = linear.perceptron(X, [1, 1, -1, -1], max_epochs=30)
    assert not res.converged and res.epochs == 30
    dual = linear.perceptron_dual(X @ X.T, [1, 1, -1, -1], max_epochs=30)
    assert not dual.converged


def test_kernel_perceptron_separates_circles():
    rng = np.random.default_rng(4)
    r = np.concatenate([rng.uniform(0, 1, 60), rng.uniform(2, 3, 60)])
    a = rng.uniform(0, 2 * np.pi, 120)
    X, y = np.column_stack([r * np.cos(a), r * np.sin(a)]), np.repeat([1.0, -1.0], 60)
    G = (1 + X @ X.T) ** 2  # quadratic kernel: circles become separable
    res = linear.perceptron_dual(G, y)
    assert res.converged
    assert np.all(y * (G @ (res.alpha * y)) > 0)


# --------------------------------------------------------------------------------------------
# logistic regression


@pytest.fixture
def binary_data():
    rng = np.random.default_rng(5)
    X = linear.add_bias(rng.standard_normal((200, 4)))
    p = 1 / (1 + np.exp(-(X @ np.array([1.0, -2.0, 0.5, 0.0, 0.3]))))
    return X, (rng.random(200) < p).astype(float)


def test_logistic_objective_against_torch_and_finite_differences(binary_data):
    X, y = binary_data
    w = np.random.default_rng(6).standard_normal(5)
    val, g = linear.logistic_objective(w, X, y, lam=0.1)
    tw = torch.tensor(w, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(torch.tensor(X) @ tw, torch.tensor(y)) \
        + 0.05 * (tw @ tw)
    loss.backward()
    assert val == pytest.approx(loss.item(), rel=1e-13)
    np.testing.assert_allclose(g, tw.grad.numpy(), rtol=1e-12)
    fd = gradcheck.numerical_gradient(lambda v: linear.logistic_objective(v, X, y, 0.1)[0], w)
    assert gradcheck.relative_error(g, fd) < 1e-8


def test_logistic_regression_matches_sklearn_and_gd(binary_data):
    X, y = binary_data
    n, lam = len(y), 0.05
    w = linear.logistic_regression(X, y, lam=lam)
    assert np.linalg.norm(linear.logistic_objective(w, X, y, lam)[1]) < 1e-9
    sk = LogisticRegression(C=1 / (n * lam), fit_intercept=False, tol=1e-12, max_iter=10_000)
    np.testing.assert_allclose(w, sk.fit(X, y).coef_[0], rtol=1e-6, atol=1e-8)
    w_gd = linear.logistic_regression(X, y, lam=lam, method="gd", n_steps=3000)
    np.testing.assert_allclose(w_gd, w, rtol=1e-6, atol=1e-8)
    w0 = linear.logistic_regression(X, y)  # not separable: lam = 0 is fine
    assert np.linalg.norm(linear.logistic_objective(w0, X, y)[1]) < 1e-9


def test_logistic_regression_without_ridge_fails_loudly_on_separable_data():
    X, y, _ = separable(n=50, d=3)
    with pytest.raises((ValueError, RuntimeError), match="separable"):
        linear.logistic_regression(X, (y + 1) / 2)
    with pytest.raises((ValueError, RuntimeError), match="separable"):
        linear.logistic_regression(X, (y + 1) / 2, max_iter=3)
    with pytest.raises(ValueError, match="separable"):
        linear.softmax_regression(X, ((y + 1) / 2).astype(np.int64))
    w = linear.logistic_regression(X, (y + 1) / 2, lam=1e-3)
    assert np.all(np.sign(X @ w) == y)


def test_newton_backtracks_when_the_full_step_overshoots():
    # f(w) = sum sqrt(1 + w_i^2): from |w_i| > 1 the full Newton step -w^3 overshoots, so the
    # Armijo backtracking must shorten it; the minimizer is 0
    def fun(w):
        r = np.sqrt(1 + w**2)
        return float(r.sum()), w / r

    def hess(w):
        return np.diag((1 + w**2) ** -1.5)

    w = linear._newton(fun, hess, np.array([3.0, -2.0]), 1e-12, 100, "test")
    np.testing.assert_allclose(w, 0.0, atol=1e-10)


# --------------------------------------------------------------------------------------------
# softmax regression


@pytest.fixture
def multiclass_data():
    rng = np.random.default_rng(8)
    centers = rng.standard_normal((4, 3)) * 2
    y = rng.integers(0, 4, 240)
    X = linear.add_bias(centers[y] + rng.standard_normal((240, 3)))
    return X, y


def test_softmax_objective_against_torch_and_finite_differences(multiclass_data):
    X, y = multiclass_data
    W = np.random.default_rng(9).standard_normal((4, 4))
    val, g = linear.softmax_objective(W, X, y, lam=0.2)
    tW = torch.tensor(W, requires_grad=True)
    loss = F.cross_entropy(torch.tensor(X) @ tW, torch.tensor(y)) + 0.1 * (tW**2).sum()
    loss.backward()
    assert val == pytest.approx(loss.item(), rel=1e-13)
    np.testing.assert_allclose(g, tW.grad.numpy(), rtol=1e-12, atol=1e-15)
    fd = gradcheck.numerical_gradient(lambda V: linear.softmax_objective(V, X, y, 0.2)[0], W)
    assert gradcheck.relative_error(g, fd) < 1e-8


def test_softmax_regression_matches_sklearn_and_gd(multiclass_data):
    X, y = multiclass_data
    n, lam = len(y), 0.01
    W = linear.softmax_regression(X, y, lam=lam)
    assert W.shape == (4, 4)
    assert np.linalg.norm(linear.softmax_objective(W, X, y, lam)[1]) < 1e-9
    sk = LogisticRegression(C=1 / (n * lam), fit_intercept=False, tol=1e-12, max_iter=10_000)
    np.testing.assert_allclose(W, sk.fit(X, y).coef_.T, rtol=1e-5, atol=1e-7)
    W_gd = linear.softmax_regression(X, y, lam=0.1, method="gd", n_steps=1500)
    np.testing.assert_allclose(W_gd, linear.softmax_regression(X, y, lam=0.1), rtol=1e-6,
                               atol=1e-8)


def test_softmax_regression_without_ridge_is_min_norm_and_shift_free(multiclass_data):
    X, y = multiclass_data
    W = linear.softmax_regression(X, y, lam=0.0)
    assert np.linalg.norm(linear.softmax_objective(W, X, y)[1]) < 1e-8
    np.testing.assert_allclose(W.sum(axis=1), 0.0, atol=1e-8)  # no component along (1, ..., 1)


def test_two_class_softmax_is_logistic_regression(binary_data):
    X, y = binary_data
    lam = 0.1  # ridge on (w0, w1) puts w0 = -w1, i.e. lam/2 on the difference w1 - w0
    W = linear.softmax_regression(X, y.astype(np.int64), lam=lam)
    w = linear.logistic_regression(X, y, lam=lam / 2)
    np.testing.assert_allclose(W[:, 1] - W[:, 0], w, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(W[:, 0], -W[:, 1], rtol=1e-8, atol=1e-10)


# --------------------------------------------------------------------------------------------
# bad input


def test_bad_inputs_raise_clear_errors():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="shape \\(n, d\\)"):
        linear.least_squares(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="to match X with 4 rows"):
        linear.least_squares(X, np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        linear.least_squares(np.full((2, 2), np.nan), np.ones(2))
    with pytest.raises(ValueError, match="lam must be a finite number >= 0"):
        linear.ridge(X, np.ones(4), -1.0)
    with pytest.raises(ValueError, match="-1 or \\+1"):
        linear.perceptron(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="max_epochs must be an int >= 1"):
        linear.perceptron(X, [1, -1, 1, -1], max_epochs=0)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        linear.perceptron(X, [1, -1, 1, -1], seed=-3)
    with pytest.raises(ValueError, match="gram must be square"):
        linear.perceptron_dual(np.ones((4, 3)), [1, -1, 1, -1])
    with pytest.raises(ValueError, match="gram must be symmetric"):
        linear.perceptron_dual(np.triu(np.ones((2, 2))), [1, -1])
    with pytest.raises(ValueError, match="0 or 1"):
        linear.logistic_regression(X, [1, -1, 1, -1])
    with pytest.raises(ValueError, match="w must have shape \\(2,\\)"):
        linear.logistic_objective(np.ones(3), X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="method must be"):
        linear.logistic_regression(X, [0, 1, 0, 1], method="sgd")
    with pytest.raises(TypeError, match="integer class indices"):
        linear.softmax_regression(X, np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        linear.softmax_regression(X, np.array([0, 0, 0, 0]), n_classes=1)
    with pytest.raises(ValueError, match="y must lie in"):
        linear.softmax_regression(X, np.array([0, 1, 2, 3]), n_classes=3)
    with pytest.raises(ValueError, match="W must have shape \\(2, K\\)"):
        linear.softmax_objective(np.ones((3, 2)), X, np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="tol must be > 0"):
        linear.logistic_regression(X, [0, 1, 0, 1], lam=1.0, tol=0.0)

"""Tests of dlf.optim against closed forms, torch.optim.SGD and the bounds of chapter opt-gd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import optim, problems


def test_gradient_descent_on_quadratic_matches_closed_form():
    """x_k - x* = (I - eta A)^k (x_0 - x*) exactly."""
    q = problems.quadratic_with_spectrum([0.5, 1.0, 4.0], seed=0, x_star=[1.0, 2.0, -1.0])
    x0 = np.array([3.0, -1.0, 0.5])
    eta = 0.3
    xs = optim.gradient_descent(q.grad, x0, eta, 25)
    assert xs.shape == (26, 3) and xs.dtype == np.float64
    M = np.eye(3) - eta * q.A
    for k in (0, 1, 7, 25):
        expected = q.minimizer() + np.linalg.matrix_power(M, k) @ (x0 - q.minimizer())
        np.testing.assert_allclose(xs[k], expected, rtol=1e-12, atol=1e-12)


def test_gradient_descent_agrees_with_torch_sgd():
    """Plain torch.optim.SGD (no momentum, no weight decay) is gradient descent."""
    X = np.random.default_rng(1).standard_normal((30, 4))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    lr = problems.LogisticRegression(X, y, lam=0.1)
    eta, steps = 0.7 / lr.L, 40
    xs = optim.gradient_descent(lr.grad, np.zeros(4), eta, steps)
    t = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=eta)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.softplus(-yt * (Xt @ t)).mean() + 0.05 * (t @ t)
        loss.backward()
        opt.step()
    np.testing.assert_allclose(xs[-1], t.detach().numpy(), rtol=1e-10, atol=1e-13)


def test_gradient_descent_schedule_callback_and_no_aliasing():
    q = problems.Quadratic(np.diag([1.0, 2.0]))
    x0 = np.array([1.0, 1.0])
    seen = []
    xs = optim.gradient_descent(q.grad, x0, lambda k: 0.1 / (k + 1), 3,
                                callback=lambda k, x: seen.append((k, x.copy(), x.flags.writeable)))
    x, manual = x0.copy(), [x0.copy()]
    for k in range(3):
        x = x - 0.1 / (k + 1) * q.grad(x)
        manual.append(x)
    np.testing.assert_allclose(xs, manual, rtol=1e-15)
    assert [k for k, _, _ in seen] == [0, 1, 2, 3]
    np.testing.assert_array_equal(np.array([v for _, v, _ in seen]), xs)
    assert not any(w for _, _, w in seen)  # the callback cannot modify the history
    np.testing.assert_array_equal(x0, [1.0, 1.0])  # x0 is not modified
    np.testing.assert_array_equal(optim.gradient_descent(q.grad, x0, 0.1, 0), [x0])


def test_gradient_descent_divergence_raises_floating_point_error():
    with pytest.raises(FloatingPointError, match="iterate .* is not finite"), \
            np.errstate(over="ignore", invalid="ignore"):  # the user's gradient may overflow
        optim.gradient_descent(lambda x: 1e10 * x, np.ones(2), 1.0, 100)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((None, [1.0], 0.1, 3), {}, TypeError, "grad must be callable"),
        ((np.negative, [[1.0]], 0.1, 3), {}, ValueError, r"x0 must be a non-empty 1-D array"),
        ((np.negative, [np.nan], 0.1, 3), {}, ValueError, "x0 must be finite"),
        ((np.negative, [1.0], 0.0, 3), {}, ValueError, "step must be a finite number > 0"),
        ((np.negative, [1.0], "0.1", 3), {}, TypeError, "step must be a number or a callable"),
        ((np.negative, [1.0], 0.1, -1), {}, ValueError, "n_steps must be >= 0"),
        ((np.negative, [1.0], 0.1, 3.0), {}, TypeError, "n_steps must be an int"),
        ((np.negative, [1.0], lambda k: -1.0, 3), {}, ValueError, r"step\(0\) must be"),
        ((np.negative, [1.0], 0.1, 3), {"callback": 1}, TypeError, "callback must be callable"),
        ((lambda x: np.ones(3), [1.0, 2.0], 0.1, 3), {}, ValueError, r"grad returned shape \(3,\)"),
    ],
)
def test_gradient_descent_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        optim.gradient_descent(*args, **kwargs)


def test_quadratic_contraction_and_optimal_step():
    lam = np.array([0.1, 0.7, 2.0])
    assert optim.quadratic_contraction(0.5, lam) == pytest.approx(max(abs(1 - 0.5 * lam)))
    eta_opt = optim.optimal_quadratic_step(0.1, 2.0)
    assert eta_opt == pytest.approx(2 / 2.1)
    assert optim.quadratic_contraction(eta_opt, lam) == pytest.approx(1.9 / 2.1, rel=1e-12)
    grid = np.linspace(0.01, 1.2, 5000)
    values = [optim.quadratic_contraction(e, lam) for e in grid]
    assert min(values) >= optim.quadratic_contraction(eta_opt, lam) - 1e-12
    assert abs(grid[int(np.argmin(values))] - eta_opt) < 1e-3


def test_quadratic_contraction_is_attained_on_an_eigenvector():
    q = problems.quadratic_with_spectrum([1.0, 3.0, 10.0], seed=2)
    for eta in (0.05, 0.15, 0.19):
        rho = optim.quadratic_contraction(eta, q.eigenvalues)
        worst = q.eigenvectors[:, np.argmax(np.abs(1 - eta * q.eigenvalues))]
        xs = optim.gradient_descent(q.grad, worst, eta, 30)
        np.testing.assert_allclose(np.linalg.norm(xs, axis=1), rho ** np.arange(31), rtol=1e-10)


@pytest.mark.parametrize(
    ("fn", "args", "exc", "match"),
    [
        (optim.quadratic_contraction, (0.0, [1.0]), ValueError, "step must be a finite number > 0"),
        (optim.quadratic_contraction, (0.1, []), ValueError, "eigenvalues must be non-empty"),
        (optim.quadratic_contraction, ("a", [1.0]), TypeError, "step must be a number"),
        (optim.optimal_quadratic_step, (2.0, 1.0), ValueError, "need mu <= L"),
        (optim.optimal_quadratic_step, (0.0, 1.0), ValueError, "mu must be a finite number > 0"),
        (optim.optimal_quadratic_step, (1.0, None), TypeError, "L must be a number"),
    ],
)
def test_quadratic_helpers_bad_input(fn, args, exc, match):
    with pytest.raises(exc, match=match):
        fn(*args)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), d=st.integers(1, 8), c=st.floats(0.05, 1.95))
def test_quadratic_rate_bound_property(seed, d, c):
    """||x_k - x*|| <= rho(eta)^k ||x_0 - x*|| for random spectra and steps below 2/L."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.1, 5.0, d)
    q = problems.quadratic_with_spectrum(lam, seed=rng, x_star=rng.standard_normal(d))
    eta = c / q.L
    rho = optim.quadratic_contraction(eta, q.eigenvalues)
    assert rho < 1
    xs = optim.gradient_descent(q.grad, rng.standard_normal(d), eta, 30)
    err = np.linalg.norm(xs - q.minimizer(), axis=1)
    assert np.all(err <= rho ** np.arange(31) * err[0] * (1 + 1e-9) + 1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), d=st.integers(1, 6))
def test_descent_lemma_step_one_over_L_property(seed, d):
    """For L-smooth f (here a random, possibly indefinite quadratic), a step 1/L decreases f by at
    least ||grad f||^2 / (2L)."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d))
    q = problems.Quadratic((M + M.T) / 2, rng.standard_normal(d))
    x = rng.standard_normal(d)
    g = q.grad(x)
    x1 = optim.gradient_descent(q.grad, x, 1 / q.L, 1)[-1]
    assert q.f(x1) <= q.f(x) - (g @ g) / (2 * q.L) + 1e-12 * (1 + abs(q.f(x)))


def test_convex_rate_on_nesterov_function():
    """f(x_k) - f* <= L ||x_0 - x*||^2 / (2k) on a convex function (Theorem thm-gd-convex)."""
    q = problems.nesterov_worst_case(50, L=1.0)
    xs = optim.gradient_descent(q.grad, np.zeros(50), 1.0, 200)
    r2 = np.sum(q.minimizer() ** 2)
    k = np.arange(1, 201)
    assert np.all(q.f(xs[1:]) - q.f_star <= r2 / (2 * k))


def test_lower_bound_for_gradient_descent():
    """GD on f_{2k+1} stays above 3 L ||x_0 - x*||^2 / (32 (k+1)^2) (Theorem thm-gd-lower-bound)."""
    for k in (1, 3, 10, 25):
        q = problems.nesterov_worst_case(2 * k + 1)
        x_k = optim.gradient_descent(q.grad, np.zeros(2 * k + 1), 1.0, k)[-1]
        assert np.all(x_k[k:] == 0.0) and x_k[k - 1] != 0.0
        r2 = np.sum(q.minimizer() ** 2)
        assert q.f(x_k) - q.f_star >= 3 * r2 / (32 * (k + 1) ** 2)

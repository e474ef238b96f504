"""Tests of dlf.problems against closed forms, finite differences and torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import gradcheck, problems


def fd_grad(f, x, h=1e-6):
    """Central finite-difference gradient of a scalar function at x (1-D)."""
    e = np.eye(x.size)
    return np.array([(f(x + h * e[i]) - f(x - h * e[i])) / (2 * h) for i in range(x.size)])


def fd_hess(grad, x, h=1e-6):
    """Central finite-difference Jacobian of a gradient at x (1-D)."""
    e = np.eye(x.size)
    cols = [(grad(x + h * e[i]) - grad(x - h * e[i])) / (2 * h) for i in range(x.size)]
    return np.column_stack(cols)


def random_symmetric(rng, d):
    M = rng.standard_normal((d, d))
    return (M + M.T) / 2


# --------------------------------------------------------------------------------------------
# Quadratic


def test_quadratic_value_gradient_hessian_vs_finite_differences():
    rng = np.random.default_rng(0)
    A, b = random_symmetric(rng, 6), rng.standard_normal(6)
    q = problems.Quadratic(A, b)
    x = rng.standard_normal(6)
    assert q.f(x) == pytest.approx(0.5 * x @ A @ x - b @ x, rel=1e-13)
    np.testing.assert_allclose(q.grad(x), fd_grad(q.f, x), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(q.hess(x), fd_hess(q.grad, x), rtol=1e-7, atol=1e-8)


def test_quadratic_gradient_vs_torch_autograd():
    rng = np.random.default_rng(1)
    A, b = random_symmetric(rng, 5), rng.standard_normal(5)
    q = problems.Quadratic(A, b)
    x = rng.standard_normal(5)
    t = torch.tensor(x, requires_grad=True)
    (0.5 * t @ torch.tensor(A) @ t - torch.tensor(b) @ t).backward()
    np.testing.assert_allclose(q.grad(x), t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_quadratic_batch_evaluation_matches_loop():
    rng = np.random.default_rng(2)
    q = problems.Quadratic(random_symmetric(rng, 4), rng.standard_normal(4))
    xs = rng.standard_normal((3, 7, 4))
    np.testing.assert_allclose(q.f(xs), [[q.f(x) for x in row] for row in xs], rtol=1e-12)
    np.testing.assert_allclose(q.grad(xs), [[q.grad(x) for x in row] for row in xs], rtol=1e-12)
    assert isinstance(q.f(xs[0, 0]), float)


def test_quadratic_constants_from_spectrum():
    rng = np.random.default_rng(3)
    A = random_symmetric(rng, 5)
    q = problems.Quadratic(A)
    lam = np.linalg.eigvalsh(A)
    assert q.L == pytest.approx(np.abs(lam).max(), rel=1e-12)
    assert q.mu == pytest.approx(lam.min(), rel=1e-12)
    if lam.min() > 0:
        assert q.kappa == pytest.approx(q.L / q.mu)
    else:
        assert q.kappa == float("inf")
    assert q.L == pytest.approx(np.linalg.norm(A, 2), rel=1e-12)


def test_quadratic_minimizer_positive_definite():
    q = problems.quadratic_with_spectrum([1.0, 2.0, 5.0], seed=4, x_star=[1.0, -2.0, 3.0])
    np.testing.assert_allclose(q.minimizer(), [1.0, -2.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(q.minimizer(np.ones(3)), [1.0, -2.0, 3.0], atol=1e-12)
    assert q.f_star == pytest.approx(-0.5 * q.b @ np.linalg.solve(q.A, q.b), rel=1e-12)
    assert q.kappa == pytest.approx(5.0)


def test_quadratic_minimizer_singular_is_nearest_to_x0():
    rng = np.random.default_rng(5)
    q = problems.quadratic_with_spectrum([0.0, 0.0, 1.0, 3.0], seed=6,
                                         x_star=rng.standard_normal(4))
    x0 = rng.standard_normal(4)
    xs = q.minimizer(x0)
    np.testing.assert_allclose(q.grad(xs), 0.0, atol=1e-12)
    # x* - x0 is orthogonal to the null space, so no other minimizer is closer to x0
    null = q.eigenvectors[:, np.abs(q.eigenvalues) < 1e-12]
    assert null.shape[1] == 2
    np.testing.assert_allclose(null.T @ (xs - x0), 0.0, atol=1e-12)
    np.testing.assert_allclose(xs, x0 - np.linalg.pinv(q.A) @ (q.A @ x0 - q.b), atol=1e-10)


def test_quadratic_unbounded_below_raises():
    q_neg = problems.Quadratic(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="negative eigenvalue"):
        q_neg.minimizer()
    q_range = problems.Quadratic(np.diag([1.0, 0.0]), [0.0, 1.0])
    with pytest.raises(ValueError, match="not in the range"):
        q_range.minimizer()


@pytest.mark.parametrize(
    ("A", "b", "match"),
    [
        (np.ones(3), None, "2-D"),
        (np.ones((2, 3)), None, "square"),
        ([[1.0, 2.0], [0.0, 1.0]], None, "symmetric"),
        ([[1.0, np.nan], [np.nan, 1.0]], None, "finite"),
        (np.eye(2), [1.0, 2.0, 3.0], r"b must have shape \(2,\)"),
    ],
)
def test_quadratic_bad_input(A, b, match):
    with pytest.raises(ValueError, match=match):
        problems.Quadratic(A, b)


def test_quadratic_bad_point_shape():
    q = problems.Quadratic(np.eye(3))
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 3\), got shape \(2,\)"):
        q.f(np.zeros(2))
    with pytest.raises(ValueError, match="x0 must have shape"):
        q.minimizer(np.zeros((3, 1)))


def test_quadratic_with_spectrum_eigenvalues_and_determinism():
    lam = np.array([3.0, 0.5, 1.0, 7.0])
    q1 = problems.quadratic_with_spectrum(lam, seed=7)
    q2 = problems.quadratic_with_spectrum(lam, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(q1.A, q2.A)
    np.testing.assert_allclose(q1.eigenvalues, np.sort(lam), rtol=1e-12)
    np.testing.assert_array_equal(q1.A, q1.A.T)
    assert not np.allclose(q1.A, np.diag(np.diag(q1.A)))  # a random basis, not the standard one
    np.testing.assert_array_equal(problems.quadratic_with_spectrum(lam).A, np.diag(lam))


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        (([[1.0]],), {}, ValueError, "1-D"),
        (([1.0, np.inf],), {}, ValueError, "finite"),
        (([1.0, 2.0], 1.5), {}, TypeError, "seed must be an int"),
        (([1.0, 2.0], -1), {}, ValueError, "non-negative"),
        (([1.0, 2.0],), {"x_star": [1.0]}, ValueError, "x_star must have shape"),
    ],
)
def test_quadratic_with_spectrum_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        problems.quadratic_with_spectrum(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# Nesterov's worst-case function


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 40), frac=st.floats(0.0, 1.0), L=st.floats(0.1, 10.0))
def test_nesterov_closed_forms(d, frac, L):
    p = max(1, int(round(frac * d)))
    q = problems.nesterov_worst_case(d, p=p, L=L)
    i = np.arange(1, d + 1)
    xbar = np.where(i <= p, 1 - i / (p + 1), 0.0)
    np.testing.assert_allclose(q.minimizer(), xbar, atol=1e-10)
    assert q.f_star == pytest.approx(-(L / 8) * (1 - 1 / (p + 1)), rel=1e-10)
    assert xbar @ xbar <= (p + 1) / 3
    assert 0.0 <= q.L <= L  # convex and L-smooth
    assert q.mu >= -1e-12 * L


def test_nesterov_matches_its_formula():
    rng = np.random.default_rng(8)
    d, p, L = 9, 6, 2.5
    q = problems.nesterov_worst_case(d, p=p, L=L)
    x = rng.standard_normal(d)
    direct = (L / 4) * (0.5 * (x[0] ** 2 + np.sum(np.diff(x[:p]) ** 2) + x[p - 1] ** 2) - x[0])
    assert q.f(x) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [((0,), ValueError, "d must be an int >= 1"), ((3.0,), TypeError, "d must be an int"),
     ((3, 4), ValueError, "p must satisfy"), ((3, 2, 0.0), ValueError, "L must be a finite")],
)
def test_nesterov_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        problems.nesterov_worst_case(*args)


# --------------------------------------------------------------------------------------------
# logistic regression


def logistic_data(seed=0, n=50, d=4, scale=1.0):
    rng = np.random.default_rng(seed)
    X = scale * rng.standard_normal((n, d))
    y = np.where(rng.standard_normal(n) > 0, 1.0, -1.0)
    return X, y


def torch_logistic(X, y, lam):
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loss(t):
        return torch.nn.functional.softplus(-yt * (Xt @ t)).mean() + 0.5 * lam * (t @ t)

    return loss


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_logistic_value_gradient_hessian_vs_torch(lam):
    X, y = logistic_data()
    lr = problems.LogisticRegression(X, y, lam=lam)
    theta = np.random.default_rng(9).standard_normal(4)
    loss = torch_logistic(X, y, lam)
    t = torch.tensor(theta, requires_grad=True)
    value = loss(t)
    value.backward()
    assert lr.f(theta) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(lr.grad(theta), t.grad.numpy(), rtol=1e-10, atol=1e-14)
    H = torch.autograd.functional.hessian(loss, torch.tensor(theta)).numpy()
    np.testing.assert_allclose(lr.hess(theta), H, rtol=1e-10, atol=1e-14)


def test_logistic_extreme_inputs_are_finite_without_warnings():
    X, y = logistic_data(scale=1e3)
    lr = problems.LogisticRegression(X, y)
    theta = np.full(4, 1e3)  # margins of order 1e6 in both signs
    loss = torch_logistic(X, y, 0.0)
    t = torch.tensor(theta, requires_grad=True)
    value = loss(t)
    value.backward()
    assert np.isfinite(lr.f(theta))
    assert lr.f(theta) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(lr.grad(theta), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert np.all(np.isfinite(lr.hess(theta)))


def test_logistic_smoothness_constant_is_sup_of_hessian_norm():
    X, y = logistic_data(seed=1, n=80, d=5)
    lr = problems.LogisticRegression(X, y, lam=0.05)
    assert lr.L == pytest.approx(np.linalg.svd(X, compute_uv=False)[0] ** 2 / 320 + 0.05)
    assert np.linalg.eigvalsh(lr.hess(np.zeros(5)))[-1] == pytest.approx(lr.L, rel=1e-12)
    for theta in 2 * np.random.default_rng(10).standard_normal((50, 5)):
        eig = np.linalg.eigvalsh(lr.hess(theta))
        assert eig[-1] <= lr.L * (1 + 1e-12)
        assert eig[0] >= lr.mu * (1 - 1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), c=st.floats(0.05, 1.99))
def test_logistic_sufficient_decrease_property(seed, c):
    """One step with eta = c/L, 0 < c < 2, decreases f by at least eta (1 - L eta / 2) ||g||^2."""
    X, y = logistic_data(seed=seed % 1000, n=30, d=3)
    lr = problems.LogisticRegression(X, y, lam=0.01)
    theta = np.random.default_rng(seed).standard_normal(3) * 3
    g = lr.grad(theta)
    eta = c / lr.L
    assert lr.f(theta - eta * g) <= lr.f(theta) - eta * (1 - lr.L * eta / 2) * (g @ g) + 1e-13


def test_logistic_minimizer_by_newton():
    X, y = logistic_data(seed=2, n=60, d=3)
    lr = problems.LogisticRegression(X, y, lam=0.1)
    xs = lr.minimizer()
    assert np.linalg.norm(lr.grad(xs)) < 1e-12
    # strongly convex: every other point is worse, by at least mu/2 ||x - x*||^2
    pts = xs + np.random.default_rng(11).standard_normal((100, 3))
    assert np.all(lr.f(pts) - lr.f_star >= 0.5 * lr.mu * np.sum((pts - xs) ** 2, axis=1) - 1e-14)
    np.testing.assert_array_equal(lr.minimizer(), xs)  # cached


@pytest.mark.parametrize(
    ("X", "y", "lam", "exc", "match"),
    [
        (np.ones(3), [1.0], 0.0, ValueError, "X must be a non-empty 2-D"),
        (np.ones((3, 2)), [1.0, -1.0], 0.0, ValueError, r"y must have shape \(3,\)"),
        (np.ones((3, 2)), [1.0, 0.0, -1.0], 0.0, ValueError, "only -1 and \\+1"),
        (np.ones((3, 2)), [1.0, 1.0, -1.0], -0.1, ValueError, "lam must be a finite number >= 0"),
        (np.ones((3, 2)), [1.0, 1.0, -1.0], "0", TypeError, "lam must be a real number"),
    ],
)
def test_logistic_bad_input(X, y, lam, exc, match):
    with pytest.raises(exc, match=match):
        problems.LogisticRegression(X, y, lam=lam)


def test_logistic_minimizer_needs_ridge():
    X, y = logistic_data()
    with pytest.raises(ValueError, match="lam > 0"):
        problems.LogisticRegression(X, y).minimizer()


# --------------------------------------------------------------------------------------------
# the PL example and Cauchy regression


def test_pl_example_derivatives_and_constants():
    pl = problems.pl_example(3)
    x = np.array([0.3, -2.0, 5.0])
    np.testing.assert_allclose(pl.grad(x), fd_grad(pl.f, x), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(pl.hess(x), fd_hess(pl.grad, x), rtol=1e-6, atol=1e-7)
    grid = np.linspace(-30, 30, 600_001)[:, None]
    one = problems.PLExample(1)
    second = 2 + 6 * np.cos(2 * grid)
    assert second.min() == pytest.approx(-4.0, abs=1e-6)
    assert np.abs(second).max() <= one.L
    nonzero = grid[grid[:, 0] != 0]
    ratio = one.grad(nonzero)[:, 0] ** 2 / (2 * one.f(nonzero))
    assert ratio.min() >= one.mu  # PL with mu = 1/32 (the best constant is about 0.1755)
    assert ratio.min() == pytest.approx(0.17553, abs=1e-4)
    assert pl.f(pl.minimizer()) == pl.f_star == 0.0


def test_pl_example_bad_input():
    with pytest.raises(ValueError, match="d must be an int >= 1"):
        problems.pl_example(0)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\)"):
        problems.pl_example(2).f(np.zeros(3))


def test_cauchy_regression_vs_torch():
    rng = np.random.default_rng(12)
    X, y = rng.standard_normal((40, 3)), 5 * rng.standard_normal(40)
    cr = problems.CauchyRegression(X, y)
    theta = rng.standard_normal(3)

    def loss(t):
        return torch.log1p((torch.tensor(X) @ t - torch.tensor(y)) ** 2).mean()

    t = torch.tensor(theta, requires_grad=True)
    value = loss(t)
    value.backward()
    assert cr.f(theta) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(cr.grad(theta), t.grad.numpy(), rtol=1e-10, atol=1e-14)
    H = torch.autograd.functional.hessian(loss, torch.tensor(theta)).numpy()
    np.testing.assert_allclose(cr.hess(theta), H, rtol=1e-10, atol=1e-14)


def test_cauchy_regression_smoothness_and_nonconvexity():
    rng = np.random.default_rng(13)
    X, y = rng.standard_normal((40, 3)), 10 * rng.standard_normal(40)
    cr = problems.CauchyRegression(X, y)
    assert cr.L == pytest.approx(2 * np.linalg.norm(X, 2) ** 2 / 40)
    thetas = 3 * rng.standard_normal((100, 3))
    norms = [np.abs(np.linalg.eigvalsh(cr.hess(t))).max() for t in thetas]
    assert max(norms) <= cr.L
    assert np.linalg.eigvalsh(cr.hess(np.zeros(3)))[0] < 0  # large residuals: nonconvex
    assert np.all(cr.f(rng.standard_normal((100, 3))) >= cr.f_low)


def test_cauchy_regression_bad_input():
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        problems.CauchyRegression(np.ones((4, 2)), np.ones(3))
    with pytest.raises(ValueError, match="y must be finite"):
        problems.CauchyRegression(np.ones((2, 2)), [1.0, np.nan])


# --- opt-momentum ----------------------------------------------------------------------------


def test_lessard_example_derivatives_vs_finite_differences():
    les = problems.LessardExample()
    for x in np.linspace(-3.0, 4.0, 71) + 1e-3:  # avoid the kinks at 1 and 2
        p = np.array([x])
        np.testing.assert_allclose(les.grad(p), fd_grad(les.f, p), rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(les.hess(p), fd_hess(les.grad, p), rtol=1e-6)
    assert les.f(les.minimizer()) == les.f_star == 0.0
    np.testing.assert_array_equal(les.grad(les.minimizer()), [0.0])


def test_lessard_example_is_continuous_and_has_constants_mu_L():
    les = problems.LessardExample()
    for kink, left_slope in ((1.0, 25.0), (2.0, 1.0)):
        below, above = np.array([kink - 1e-12]), np.array([kink])
        assert les.f(below) == pytest.approx(les.f(above), abs=1e-9)
        np.testing.assert_allclose(les.grad(below), les.grad(above), atol=1e-9)
        assert les.hess(below)[0, 0] == left_slope
    # secant slopes of f' lie in [mu, L] = [1, 25], and both ends are attained
    x = np.random.default_rng(0).uniform(-5, 5, (2000, 1))
    slopes = (les.grad(x[1:]) - les.grad(x[:-1]))[:, 0] / (x[1:, 0] - x[:-1, 0])
    assert slopes.min() >= les.mu - 1e-9 and slopes.max() <= les.L + 1e-9
    assert les.hess([1.5])[0, 0] == les.mu and les.hess([0.0])[0, 0] == les.L
    # batch evaluation: shapes (..., 1) -> (...)
    assert les.f(np.zeros((3, 4, 1))).shape == (3, 4)
    assert les.grad(np.zeros((3, 4, 1))).shape == (3, 4, 1)


def test_lessard_example_bad_input():
    les = problems.LessardExample()
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 1\)"):
        les.f(np.zeros(2))
    with pytest.raises(ValueError, match=r"x must have shape \(1,\)"):
        les.hess(np.zeros((2, 1)))


# --- LogisticRegression.minimizer near convergence (lead) ---


def test_logistic_minimizer_when_armijo_test_is_rounding_noise():
    # this problem made the line search reject every Newton step once the predicted decrease
    # was below the rounding error of f (reported by the opt-stochastic author)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.sign(X @ rng.standard_normal(3) + 0.3 * rng.standard_normal(40))
    prob = problems.LogisticRegression(X, y, lam=0.1)
    theta = prob.minimizer()
    assert np.linalg.norm(prob.grad(theta)) < 1e-13
    g = gradcheck.numerical_gradient(prob.f, theta)  # the gradient oracle agrees: a minimum
    assert np.linalg.norm(g) < 1e-7

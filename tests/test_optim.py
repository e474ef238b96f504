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


# --- opt-momentum ----------------------------------------------------------------------------


def _companion(eta, beta, lam, nesterov=False):
    """2x2 matrix mapping (e_k, e_{k-1}) to (e_{k+1}, e_k) on an eigenvalue lam."""
    if nesterov:
        a = 1.0 - eta * lam
        return np.array([[(1 + beta) * a, -beta * a], [1.0, 0.0]])
    return np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]])


def _logreg(seed=1, n=40, d=4, lam=0.05):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(X @ rng.standard_normal(d) > 0, 1.0, -1.0)
    return problems.LogisticRegression(X, y, lam=lam)


def _torch_sgd(lr_problem, lr, momentum, nesterov, steps):
    """Iterates of torch.optim.SGD in float64 on the logistic problem (independent gradient)."""
    t = torch.zeros(lr_problem.d, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=lr, momentum=momentum, nesterov=nesterov)
    Xt, yt = torch.tensor(lr_problem.X), torch.tensor(lr_problem.y)
    out = [t.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss = (torch.nn.functional.softplus(-yt * (Xt @ t)).mean()
                + 0.5 * lr_problem.lam * (t @ t))
        loss.backward()
        opt.step()
        out.append(t.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_methods_match_companion_matrix_powers(nesterov):
    """On a diagonal quadratic each coordinate follows (e_{k+1}, e_k) = M (e_k, e_{k-1})."""
    lam = np.array([0.2, 1.0, 3.0])
    q = problems.quadratic_with_spectrum(lam)  # diagonal, x* = 0
    eta, beta, x0 = 0.25, 0.6, np.array([1.0, -2.0, 0.5])
    method = optim.nesterov if nesterov else optim.heavy_ball
    xs = method(q.grad, x0, eta, 30, beta)
    for i in range(3):
        M = _companion(eta, beta, lam[i], nesterov)
        for k in (1, 2, 17, 30):
            expected = np.linalg.matrix_power(M, k) @ np.array([x0[i], x0[i]])
            assert xs[k, i] == pytest.approx(expected[0], rel=1e-11, abs=1e-14)


@settings(max_examples=60, deadline=None)
@given(eta=st.floats(0.01, 2.0), beta=st.floats(0.0, 0.99), nesterov=st.booleans(),
       lam=st.lists(st.floats(0.01, 3.0), min_size=1, max_size=4))
def test_momentum_contraction_is_spectral_radius_of_companion(eta, beta, nesterov, lam):
    radius = max(np.abs(np.linalg.eigvals(_companion(eta, beta, v, nesterov))).max()
                 for v in lam)
    got = optim.momentum_contraction(eta, beta, lam, nesterov=nesterov)
    assert got == pytest.approx(radius, rel=2e-7, abs=1e-7)  # double roots: sqrt(eps) accuracy


def test_heavy_ball_parameters_optimal_on_quadratics():
    mu, L = 1.0, 100.0
    eta, beta = optim.heavy_ball_parameters(mu, L)
    assert eta == pytest.approx(4 / 121) and beta == pytest.approx((9 / 11) ** 2)
    lam = np.linspace(mu, L, 500)
    assert optim.momentum_contraction(eta, beta, lam) == pytest.approx(9 / 11, rel=1e-6)
    # no (eta, beta) on a grid does better than (sqrt(kappa) - 1) / (sqrt(kappa) + 1)
    best = min(optim.momentum_contraction(e, b, [mu, L])
               for e in np.linspace(0.001, 0.06, 120) for b in np.linspace(0, 0.95, 96))
    assert best >= 9 / 11 - 1e-7
    eta_n, beta_n = optim.nesterov_parameters(mu, L)
    assert (eta_n, beta_n) == (pytest.approx(0.01), pytest.approx(9 / 11))
    assert optim.momentum_contraction(eta_n, beta_n, lam, nesterov=True) == \
        pytest.approx(0.9, rel=1e-6)


def test_heavy_ball_bound_on_quadratic_with_kappa_100():
    """||x_k - x*|| <= (1 + r)(k + 1) r^k ||x_0 - x*||; exact at the top eigenvector."""
    q = problems.quadratic_with_spectrum(np.linspace(1.0, 100.0, 20), seed=3,
                                         x_star=np.ones(20))
    eta, beta = optim.heavy_ball_parameters(q.mu, q.L)
    r, k = 9 / 11, np.arange(81)
    x0 = np.random.default_rng(0).standard_normal(20)
    err = np.linalg.norm(optim.heavy_ball(q.grad, x0, eta, 80, beta) - q.minimizer(), axis=1)
    assert np.all(err <= (1 + r) * (k + 1) * r**k * err[0] * (1 + 1e-9))
    top = q.minimizer() + q.eigenvectors[:, -1]
    err = np.linalg.norm(optim.heavy_ball(q.grad, top, eta, 80, beta) - q.minimizer(), axis=1)
    np.testing.assert_allclose(err, r**k * (1 + k * (1 + r)), rtol=1e-8)


def test_zero_momentum_is_gradient_descent():
    lr = _logreg()
    gd = optim.gradient_descent(lr.grad, np.ones(4), 0.5, 20)
    for method in (optim.heavy_ball, optim.nesterov, optim.velocity_momentum):
        np.testing.assert_allclose(method(lr.grad, np.ones(4), 0.5, 20, 0.0), gd, rtol=1e-14)


def test_velocity_and_ema_forms_are_heavy_ball():
    lr, beta = _logreg(), 0.8
    eta = 0.5 / lr.L
    hb = optim.heavy_ball(lr.grad, np.ones(4), eta, 50, beta)
    np.testing.assert_allclose(optim.velocity_momentum(lr.grad, np.ones(4), eta, 50, beta), hb,
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(optim.ema_momentum(lr.grad, np.ones(4), eta / (1 - beta), 50,
                                                  beta), hb, rtol=1e-12, atol=1e-14)


def test_pytorch_nesterov_iterates_are_the_look_ahead_points():
    lr, beta = _logreg(), 0.7
    eta = 0.8 / lr.L
    xs = optim.nesterov(lr.grad, np.zeros(4), eta, 40, beta)
    ys = xs[1:] + beta * (xs[1:] - xs[:-1])  # y_k for k = 1..40 (y_0 = x_0)
    ps = optim.velocity_momentum(lr.grad, np.zeros(4), eta, 40, beta, nesterov=True)
    np.testing.assert_allclose(ps[1:], ys, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_velocity_momentum_agrees_with_torch_sgd(nesterov):
    lr, beta, steps = _logreg(), 0.9, 60
    eta = 0.3 / lr.L
    ours = optim.velocity_momentum(lr.grad, np.zeros(4), eta, steps, beta, nesterov=nesterov)
    np.testing.assert_allclose(ours, _torch_sgd(lr, eta, beta, nesterov, steps),
                               rtol=1e-10, atol=1e-13)


def test_nesterov_convex_rate_and_schedule():
    assert [optim.convex_momentum(k) for k in range(4)] == [0.0, 0.0, 0.25, 0.4]
    q = problems.nesterov_worst_case(101)
    xs = optim.nesterov(q.grad, np.zeros(101), 1 / q.L, 150, "convex")
    r2, k = np.sum(q.minimizer() ** 2), np.arange(151)
    assert np.all(q.f(xs) - q.f_star <= 2 * q.L * r2 / (k + 1) ** 2)


def test_nesterov_strongly_convex_rate_on_logistic_regression():
    lr = _logreg(lam=0.02)
    eta, beta = optim.nesterov_parameters(lr.mu, lr.L)
    xs = optim.nesterov(lr.grad, np.zeros(4), eta, 40, beta)
    x_star = lr.minimizer()
    gap = lr.f(xs) - lr.f(x_star)
    phi0 = gap[0] + lr.mu / 2 * np.sum(x_star**2)
    q = np.sqrt(lr.mu / lr.L)
    assert np.all(gap <= (1 - q) ** np.arange(41) * phi0 + 1e-15)


def test_nesterov_ode_matches_bessel_closed_form():
    """For f = x^T diag(lam) x / 2, X_i(t) = x0_i 2 J_1(sqrt(lam_i) t) / (sqrt(lam_i) t)."""
    from scipy.special import j1

    lam, x0 = np.array([2.0, 0.3]), np.array([1.0, -2.0])
    q = problems.quadratic_with_spectrum(lam)
    t = np.linspace(0.0, 6.0, 61)
    z = np.sqrt(lam) * t[1:, None]
    exact = np.vstack([x0, x0 * 2 * j1(z) / z])
    np.testing.assert_allclose(optim.nesterov_ode(q.grad, x0, t), exact, atol=1e-9)


def test_velocity_momentum_with_schedule_matches_torch_lambdalr():
    """With lr_k, the velocity form is heavy ball with momentum beta lr_k / lr_{k-1}."""
    lr, beta, steps = _logreg(), 0.8, 40
    sched = lambda k: 0.5 / lr.L if k < 20 else 0.05 / lr.L  # noqa: E731
    ours = optim.velocity_momentum(lr.grad, np.zeros(4), sched, steps, beta)
    t = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=sched(0), momentum=beta)
    lam = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: sched(k) / sched(0))
    Xt, yt, theirs = torch.tensor(lr.X), torch.tensor(lr.y), [np.zeros(4)]
    for _ in range(steps):
        opt.zero_grad()
        (torch.nn.functional.softplus(-yt * (Xt @ t)).mean() + 0.5 * lr.lam * (t @ t)).backward()
        opt.step()
        lam.step()
        theirs.append(t.detach().numpy().copy())
    np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-10, atol=1e-13)
    hb = optim.heavy_ball(lr.grad, np.zeros(4), sched, steps,
                          lambda k: beta * sched(k) / sched(max(k - 1, 0)))
    np.testing.assert_allclose(ours, hb, rtol=1e-12, atol=1e-14)
    assert np.abs(optim.heavy_ball(lr.grad, np.zeros(4), sched, steps, beta) - ours).max() > 1e-3


def test_momentum_callback_and_divergence():
    seen = []
    q = problems.Quadratic(np.diag([1.0, 2.0]))
    xs = optim.heavy_ball(q.grad, [1.0, 1.0], 0.1, 3, 0.5,
                          callback=lambda k, x: seen.append((k, x.flags.writeable)))
    assert [k for k, _ in seen] == [0, 1, 2, 3] and not any(w for _, w in seen)
    assert xs.shape == (4, 2)
    with pytest.raises(FloatingPointError, match="iterate .* of nesterov is not finite"), \
            np.errstate(over="ignore", invalid="ignore"):
        optim.nesterov(lambda x: 1e10 * x, np.ones(2), 1.0, 100, 0.5)


@pytest.mark.parametrize(
    ("fn", "args", "kwargs", "exc", "match"),
    [
        (optim.heavy_ball, (np.negative, [1.0], 0.1, 3, 1.0), {}, ValueError,
         r"momentum must be in \[0, 1\)"),
        (optim.nesterov, (np.negative, [1.0], 0.1, 3, -0.1), {}, ValueError,
         r"momentum must be in \[0, 1\)"),
        (optim.nesterov, (np.negative, [1.0], 0.1, 3, "fast"), {}, ValueError,
         'momentum must be a number, a callable or "convex"'),
        (optim.heavy_ball, (np.negative, [1.0], 0.1, 3, True), {}, TypeError,
         "momentum must be a number"),
        (optim.heavy_ball, (np.negative, [1.0], 0.1, 3, lambda k: 1.5), {}, ValueError,
         r"momentum\(0\) must be in \[0, 1\)"),
        (optim.ema_momentum, (np.negative, [1.0], 0.0, 3, 0.5), {}, ValueError,
         "step must be a finite number > 0"),
        (optim.velocity_momentum, (np.negative, [1.0], 0.1, 3, 0.5), {"nesterov": 1},
         TypeError, "nesterov must be a bool"),
        (optim.heavy_ball, (np.negative, [[1.0]], 0.1, 3, 0.5), {}, ValueError,
         "x0 must be a non-empty 1-D array"),
        (optim.convex_momentum, (-1,), {}, ValueError, "k must be an int >= 0"),
        (optim.heavy_ball_parameters, (2.0, 1.0), {}, ValueError, "need mu <= L"),
        (optim.nesterov_parameters, (0.0, 1.0), {}, ValueError, "mu must be a finite number"),
        (optim.momentum_contraction, (0.1, "convex", [1.0]), {}, TypeError,
         "step and momentum must be numbers"),
        (optim.momentum_contraction, (0.1, 0.5, []), {}, ValueError,
         "eigenvalues must be non-empty"),
        (optim.nesterov_ode, (np.negative, [1.0], [0.0, 0.0]), {}, ValueError,
         "times must be a non-empty, non-decreasing"),
        (optim.nesterov_ode, (np.negative, [1.0], [1.0, 0.5]), {}, ValueError,
         "times must be a non-empty, non-decreasing"),
    ],
)
def test_momentum_bad_input(fn, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


# --- opt-stochastic --------------------------------------------------------------------------
# Stochastic and adaptive methods: NumPy functions and torch.optim-compatible classes, checked
# against torch.optim (float64, 100 steps), exact enumeration, closed forms and a Monte Carlo.

@pytest.fixture
def one_torch_thread():
    """Tiny tensors: one thread is faster, and much faster on a busy machine."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


def _random_mlp_losses(seed: int):
    """A small float64 MLP regression problem with two parameter groups."""
    gen = torch.Generator().manual_seed(seed)
    data_in = torch.randn(40, 3, dtype=torch.float64, generator=gen)
    data_out = torch.randn(40, 1, dtype=torch.float64, generator=gen)

    def make():
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(),
                                   torch.nn.Linear(8, 1)).double()

    def loss(net):
        return torch.mean((net(data_in) - data_out) ** 2)

    return make, loss


def _run_torch(make_opt, seed, hyper, steps=100):
    make, loss = _random_mlp_losses(seed)
    net = make()
    groups = [{"params": net[0].parameters()},
              {"params": net[2].parameters(), "lr": hyper["lr"] * 0.5}]
    opt = make_opt(groups, **hyper)
    history = []
    for k in range(steps):
        def closure():
            opt.zero_grad()
            out = loss(net)
            out.backward()
            return out
        if k % 2:
            opt.step(closure)
        else:
            closure()
            opt.step()
        history.append(torch.cat([p.detach().flatten() for p in net.parameters()]).numpy())
    return np.array(history)


def _rel_dev(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


TORCH_PAIRS = [
    ("SGD", optim.SGD, torch.optim.SGD, {"lr": 0.05}),
    ("SGD-momentum", optim.SGD, torch.optim.SGD,
     {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 1e-2}),
    ("SGD-nesterov", optim.SGD, torch.optim.SGD,
     {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2}),
    ("AdaGrad", optim.AdaGrad, torch.optim.Adagrad,
     {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 1e-2, "initial_accumulator_value": 0.1,
      "eps": 1e-10}),
    ("RMSProp", optim.RMSProp, torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
    ("RMSProp-centered-momentum", optim.RMSProp, torch.optim.RMSprop,
     {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 1e-2}),
    ("Adam", optim.Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99)}),
    ("Adam-L2", optim.Adam, torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", optim.AdamW, torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
    ("AMSGrad", optim.AMSGrad, None, {"lr": 0.01, "weight_decay": 1e-2}),
]


@pytest.mark.parametrize("seed", [0, 1])
def test_torch_classes_reproduce_torch_optim(seed, one_torch_thread):
    """dlf.optim classes give the iterates of torch.optim to relative 1e-6 over 100 steps
    (float64, two parameter groups, with and without closures)."""
    worst = {}
    for name, ours, theirs, hyper in TORCH_PAIRS:
        a = _run_torch(ours, seed, hyper)
        if theirs is None:  # AMSGrad is torch's Adam with amsgrad=True
            b = _run_torch(lambda g, **h: torch.optim.Adam(g, amsgrad=True, **h), seed, hyper)
        else:
            b = _run_torch(theirs, seed, hyper)
        worst[name] = _rel_dev(a, b)
        assert worst[name] <= 1e-6, (name, worst[name])
    print(f"seed {seed}: max relative deviation from torch.optim over 100 steps: "
          + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))


def _torch_quadratic_run(make_opt, A, b, x0, steps=100, **hyper):
    t = torch.tensor(x0, requires_grad=True)
    opt = make_opt([t], **hyper)
    At, bt = torch.tensor(A), torch.tensor(b)
    out = [x0.copy()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * t @ At @ t - bt @ t).backward()
        opt.step()
        out.append(t.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numpy_functions_reproduce_torch_optim(seed, one_torch_thread):
    """The NumPy functions follow torch.optim on random quadratics (relative 1e-6)."""
    rng = np.random.default_rng(seed)
    q = problems.quadratic_with_spectrum(rng.uniform(0.5, 2.0, 6), seed=rng,
                                         x_star=rng.standard_normal(6))
    # start far from x*, so that no gradient changes sign within 100 steps: adaptive methods
    # amplify rounding differences chaotically once they oscillate around the minimizer
    x0 = q.minimizer() + 10.0 * rng.choice([-1.0, 1.0], 6)
    cases = {
        "sgd": (optim.sgd(q.grad, x0, 0.1, 100),
                _torch_quadratic_run(torch.optim.SGD, q.A, q.b, x0, lr=0.1)),
        "adagrad": (optim.adagrad(q.grad, x0, 0.3, 100, initial_accumulator=0.05),
                    _torch_quadratic_run(torch.optim.Adagrad, q.A, q.b, x0, lr=0.3,
                                         initial_accumulator_value=0.05)),
        "rmsprop": (optim.rmsprop(q.grad, x0, 0.01, 100, alpha=0.9),
                    _torch_quadratic_run(torch.optim.RMSprop, q.A, q.b, x0, lr=0.01,
                                         alpha=0.9)),
        "adam": (optim.adam(q.grad, x0, 0.05, 100, weight_decay=0.1),
                 _torch_quadratic_run(torch.optim.Adam, q.A, q.b, x0, lr=0.05,
                                      weight_decay=0.1)),
        "adamw": (optim.adamw(q.grad, x0, 0.05, 100, weight_decay=0.1),
                  _torch_quadratic_run(torch.optim.AdamW, q.A, q.b, x0, lr=0.05,
                                       weight_decay=0.1)),
        "amsgrad": (optim.amsgrad(q.grad, x0, 0.05, 100),
                    _torch_quadratic_run(torch.optim.Adam, q.A, q.b, x0, lr=0.05,
                                         amsgrad=True)),
    }
    worst = {k: _rel_dev(a, b) for k, (a, b) in cases.items()}
    print(f"seed {seed}: max relative deviation of the NumPy functions: "
          + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    assert max(worst.values()) <= 1e-6, worst


def test_torch_optimizer_state_dict_roundtrip(one_torch_thread):
    """Interrupting and resuming through state_dict gives the same iterates."""
    make, loss = _random_mlp_losses(3)
    for cls in (optim.Adam, optim.AdaGrad, optim.RMSProp, optim.SGD):
        hyper = {"lr": 0.01, "momentum": 0.9} if cls in (optim.SGD, optim.RMSProp) else \
            {"lr": 0.01}
        nets = [make(), make()]
        opts = [cls(nets[0].parameters(), **hyper), cls(nets[1].parameters(), **hyper)]
        for k in range(20):
            if k == 10:  # move the second run's state into a fresh optimizer
                state = opts[1].state_dict()
                opts[1] = cls(nets[1].parameters(), **hyper)
                opts[1].load_state_dict(state)
            for net, opt in zip(nets, opts, strict=True):
                opt.zero_grad()
                loss(net).backward()
                opt.step()
        for p0, p1 in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
            torch.testing.assert_close(p0, p1, rtol=0, atol=0)


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (optim.SGD, {"lr": -0.1}, "lr must be >= 0"),
        (optim.SGD, {"lr": 0.1, "momentum": -0.5}, "momentum must be >= 0"),
        (optim.SGD, {"lr": 0.1, "weight_decay": -1e-4}, "weight_decay must be >= 0"),
        (optim.SGD, {"lr": 0.1, "nesterov": True}, "nesterov=True needs momentum > 0"),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
         "dampening = 0"),
        (optim.AdaGrad, {"lr": -1.0}, "lr must be >= 0"),
        (optim.AdaGrad, {"eps": -1e-10}, "eps must be >= 0"),
        (optim.AdaGrad, {"lr_decay": -0.1}, "lr_decay must be >= 0"),
        (optim.AdaGrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        (optim.RMSProp, {"alpha": 1.0}, r"alpha must be in \[0, 1\)"),
        (optim.RMSProp, {"eps": -1.0}, "eps must be >= 0"),
        (optim.Adam, {"lr": -1e-3}, "lr must be >= 0"),
        (optim.Adam, {"betas": (1.0, 0.999)}, r"betas\[0\] must be in \[0, 1\)"),
        (optim.Adam, {"betas": (0.9, -0.1)}, r"betas\[1\] must be in \[0, 1\)"),
        (optim.Adam, {"eps": -1e-8}, "eps must be >= 0"),
        (optim.Adam, {"weight_decay": -0.1}, "weight_decay must be >= 0"),
        (optim.AdamW, {"weight_decay": -0.1}, "weight_decay must be >= 0"),
        (optim.AMSGrad, {"betas": (0.9, 1.5)}, r"betas\[1\]"),
    ],
)
def test_torch_classes_validate_hyperparameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls([torch.zeros(2, requires_grad=True)], **kwargs)


def test_torch_classes_type_errors():
    with pytest.raises(TypeError, match="betas must be a pair"):
        optim.Adam([torch.zeros(2, requires_grad=True)], betas=0.9)
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD([torch.zeros(2, requires_grad=True)], lr="0.1")


# ---- SGD, sampling, averaging


def _ls_data(seed=0, n=12, d=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n)

    def grad_batch(w, idx):
        Xb = X[idx]
        r = np.einsum("...bd,...d->...b", Xb, w) - y[idx]
        return np.einsum("...b,...bd->...d", r, Xb) / idx.shape[-1]

    return X, y, grad_batch


def test_minibatch_oracle_without_replacement_is_an_epoch_of_a_permutation():
    seen = []
    oracle = optim.minibatch_oracle(lambda w, idx: (seen.append(idx.copy()), w * 0)[1], 10, 3,
                                    replace=False)
    rng = np.random.default_rng(0)
    for _ in range(9):
        oracle(np.zeros(2), rng)
    for epoch in range(3):  # 3 batches of 3 per epoch; the remaining example is dropped
        used = np.concatenate(seen[3 * epoch:3 * epoch + 3])
        assert len(set(used.tolist())) == 9
    stacked = []
    oracle = optim.minibatch_oracle(lambda w, idx: (stacked.append(idx.copy()), w * 0)[1], 6, 2,
                                    replace=False)
    for _ in range(3):
        oracle(np.zeros((4, 2)), rng)
    per_run = np.concatenate(stacked, axis=1)  # shape (4, 6): each run sees a permutation
    assert np.all(np.sort(per_run, axis=1) == np.arange(6))


@pytest.mark.parametrize("replace", [True, False])
def test_minibatch_oracle_mean_and_covariance(replace):
    """Monte Carlo mean and covariance agree with (eq-sto-minibatch-cov)."""
    X, y, grad_batch = _ls_data()
    n, b = X.shape[0], 4
    w = np.array([0.3, -0.2, 1.0])
    v = X * (X @ w - y)[:, None]
    Sigma = np.cov(v.T, bias=True)
    factor = 1.0 if replace else (n - b) / (n - 1)
    oracle = optim.minibatch_oracle(grad_batch, n, b, replace=replace)
    gs = oracle(np.tile(w, (40_000, 1)), np.random.default_rng(1))
    np.testing.assert_allclose(gs.mean(axis=0), v.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(np.cov(gs.T), Sigma / b * factor, rtol=0.05,
                               atol=0.02 * np.abs(Sigma).max())


def test_minibatch_covariance_formula_by_enumeration():
    """Exact enumeration of all batches (n = 5, b = 3) reproduces both covariance formulas."""
    import itertools

    rng = np.random.default_rng(2)
    v = rng.standard_normal((5, 2))
    Sigma = np.cov(v.T, bias=True)
    with_r = np.array([v[list(B)].mean(0) for B in itertools.product(range(5), repeat=3)])
    without = np.array([v[list(B)].mean(0) for B in itertools.combinations(range(5), 3)])
    np.testing.assert_allclose(np.cov(with_r.T, bias=True), Sigma / 3, atol=1e-14)
    np.testing.assert_allclose(np.cov(without.T, bias=True), Sigma / 3 * 2 / 4, atol=1e-14)


def test_sgd_without_rng_is_gradient_descent_and_every_subsamples():
    q = problems.quadratic_with_spectrum([0.5, 2.0], seed=1, x_star=[1.0, -1.0])
    np.testing.assert_allclose(optim.sgd(q.grad, [0.0, 0.0], 0.3, 30),
                               optim.gradient_descent(q.grad, [0.0, 0.0], 0.3, 30), rtol=1e-15)
    X, y, grad_batch = _ls_data()
    full = optim.sgd(optim.minibatch_oracle(grad_batch, 12, 2), np.zeros((5, 3)), 0.05, 40,
                     rng=3)
    sub = optim.sgd(optim.minibatch_oracle(grad_batch, 12, 2), np.zeros((5, 3)), 0.05, 40,
                    rng=3, every=10)
    assert full.shape == (41, 5, 3) and sub.shape == (5, 5, 3)
    np.testing.assert_array_equal(sub, full[::10])


def test_polyak_average_matches_cumulative_means():
    xs = np.random.default_rng(4).standard_normal((30, 2, 3))
    avg = optim.polyak_average(xs, start=5)
    assert avg.shape == (25, 2, 3)
    for j in (0, 7, 24):
        np.testing.assert_allclose(avg[j], xs[5:6 + j].mean(axis=0), rtol=1e-13)


def _moment_by_iteration(X, y, eta, b, n_iter=20_000):
    """Iterate the second-moment recursion (eq-sto-ls-moment) with explicit sums."""
    n, d = X.shape
    H = X.T @ X / n
    w_star = np.linalg.solve(H, X.T @ y / n)
    c = X * (X @ w_star - y)[:, None]
    Sigma = c.T @ c / n
    M = np.zeros((d, d))
    for _ in range(n_iter):
        AMA = sum(np.outer(x, x) @ M @ np.outer(x, x) for x in X) / n
        M = (M - eta * (H @ M + M @ H) + eta**2 * (AMA / b + (1 - 1 / b) * H @ M @ H)
             + eta**2 * Sigma / b)
    return 0.5 * np.trace(H @ M), Sigma, H


def test_sgd_floor_least_squares_exact_and_sandwich():
    X, y, grad_batch = _ls_data(n=8, d=2)
    for eta, b in ((0.05, 1), (0.1, 2)):
        floor = optim.sgd_floor_least_squares(X, y, eta, b)
        iterated, Sigma, H = _moment_by_iteration(X, y, eta, b, n_iter=3000)
        np.testing.assert_allclose(floor, iterated, rtol=1e-10)
        R2 = np.max(np.sum(X**2, axis=1))
        c = eta / 2 * (R2 / b + np.linalg.eigvalsh(H)[-1])
        assert c < 1
        first = eta * np.trace(Sigma) / (4 * b)
        assert first <= floor <= first / (1 - c)


def test_sgd_floor_least_squares_one_dimension_closed_form():
    x = np.array([0.5, 1.0, 1.5, 2.0])
    y = np.array([0.7, 0.9, 1.7, 2.2])
    eta, b = 0.1, 3
    h, q4 = np.mean(x**2), np.mean(x**4)
    w = np.sum(x * y) / np.sum(x**2)
    s = np.mean((x * (x * w - y)) ** 2)
    M = eta**2 * s / b / (2 * eta * h - eta**2 * (q4 / b + (1 - 1 / b) * h**2))
    floor, moment = optim.sgd_floor_least_squares(x[:, None], y, eta, b, moment=True)
    np.testing.assert_allclose(floor, h * M / 2, rtol=1e-12)
    np.testing.assert_allclose(moment, [[M]], rtol=1e-12)


def test_sgd_floor_least_squares_matches_monte_carlo():
    X, y, grad_batch = _ls_data(n=20, d=2, seed=5)
    eta = 0.05
    floor = optim.sgd_floor_least_squares(X, y, eta, 1)
    H = X.T @ X / 20
    w_star = np.linalg.solve(H, X.T @ y / 20)
    xs = optim.sgd(optim.minibatch_oracle(grad_batch, 20, 1), np.tile(w_star, (2000, 1)), eta,
                   1200, rng=6, every=10)
    e = xs[40:] - w_star
    measured = 0.5 * np.mean(np.einsum("...i,ij,...j->...", e, H, e))
    np.testing.assert_allclose(measured, floor, rtol=0.05)


# ---- variance reduction


def _logistic(seed=0, n=40, d=3, lam=0.1):
    from scipy.special import expit

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)  # L_max = 1/4 + lam
    y = np.where(X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)
    prob = problems.LogisticRegression(X, y, lam=lam)

    def grad_i(th, i):
        m = y[i] * (X[i] @ th)
        return -y[i] * expit(-m) * X[i] + lam * th

    L_max = np.max(np.sum(X**2, axis=1)) / 4 + lam
    return prob, grad_i, L_max


def test_variance_reduced_methods_converge_linearly_on_logistic_regression():
    prob, grad_i, L_max = _logistic()
    n = prob.n
    f_star = prob.f_star
    x0 = np.zeros(prob.d)
    saga = optim.saga(grad_i, x0, 1 / (3 * L_max), 40 * n, n, rng=0)
    sag = optim.sag(grad_i, x0, 1 / (16 * L_max), 40 * n, n, rng=0)
    svrg = optim.svrg(grad_i, x0, 1 / (5 * L_max), 8, n, rng=0)
    for xs in (saga, sag):
        gaps = prob.f(xs[::n]) - f_star
        assert gaps[-1] < 1e-10 and gaps[10] < 1e-2 * gaps[0]
    assert prob.f(svrg[-1]) - f_star < 1e-10
    sgd = optim.sgd(lambda th, g: grad_i(th, g.integers(n)), x0, 1 / (3 * L_max), 40 * n, rng=0)
    assert prob.f(sgd[-1]) - f_star > 1e-6  # SGD stalls at its noise floor


def test_svrg_theorem_bound_in_expectation():
    prob, grad_i, L_max = _logistic(seed=2)
    eta, m = 1 / (10 * L_max), 4 * prob.n
    alpha = (1 / (prob.lam * eta * (1 - 2 * L_max * eta) * m)
             + 2 * L_max * eta / (1 - 2 * L_max * eta))
    assert alpha < 1
    gaps = np.mean([prob.f(optim.svrg(grad_i, np.zeros(prob.d), eta, 3, prob.n, rng=s, m=m,
                                      snapshot="random")) - prob.f_star for s in range(6)],
                   axis=0)
    assert np.all(gaps[1:] <= alpha ** np.arange(1, 4) * gaps[0])


def test_single_example_finite_sum_methods_are_gradient_descent():
    """With n = 1, SAG, SAGA and SVRG all reduce to gradient descent."""
    q = problems.quadratic_with_spectrum([0.3, 1.0], seed=2, x_star=[1.0, 2.0])

    def grad_i(x, i):
        assert i == 0
        return q.grad(x)

    gd = optim.gradient_descent(q.grad, [0.0, 0.0], 0.5, 12)
    np.testing.assert_allclose(optim.sag(grad_i, [0.0, 0.0], 0.5, 12, 1, rng=0), gd,
                               rtol=1e-14)
    np.testing.assert_allclose(optim.saga(grad_i, [0.0, 0.0], 0.5, 12, 1, rng=0), gd,
                               rtol=1e-14)
    np.testing.assert_allclose(optim.svrg(grad_i, [0.0, 0.0], 0.5, 4, 1, rng=0, m=3), gd[::3],
                               rtol=1e-14)


# ---- adaptive methods


def test_adam_bias_correction_is_exact_for_a_constant_gradient():
    g = np.array([2.0, -0.5, 1e-3])
    for betas in ((0.9, 0.999), (0.5, 0.9), (0.0, 0.99)):
        xs = optim.adam(lambda x: g, np.zeros(3), 0.01, 30, betas=betas)
        expected = -np.arange(31)[:, None] * 0.01 * g / (np.abs(g) + 1e-8)
        np.testing.assert_allclose(xs, expected, rtol=1e-11, atol=1e-15)
    raw = optim.adam(lambda x: g, np.zeros(3), 0.01, 1, bias_correction=False, eps=0.0)
    np.testing.assert_allclose(raw[1], -0.01 * 0.1 / np.sqrt(0.001) * np.sign(g), rtol=1e-12)


def test_sign_descent_is_adam_without_averages():
    q = problems.quadratic_with_spectrum([0.2, 3.0], seed=4)
    a = optim.sign_descent(q.grad, [1.0, -1.0], 0.02, 200)
    b = optim.adam(q.grad, [1.0, -1.0], 0.02, 200, betas=(0.0, 0.0), eps=0.0)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(np.abs(np.diff(a, axis=0)).max(axis=1), 0.02, rtol=1e-9)


def test_adamw_decays_and_adam_l2_is_scale_invariant():
    def grad(x):
        return np.array([4.0 * (x[0] - 1.0), 0.0])

    for wd in (0.01, 0.3):
        dec = optim.adamw(grad, [0.0, 2.0], 0.05, 100, weight_decay=wd)
        np.testing.assert_allclose(dec[:, 1], 2.0 * (1 - 0.05 * wd) ** np.arange(101),
                                   rtol=1e-12)
    a = optim.adam(grad, [0.0, 2.0], 0.05, 100, weight_decay=0.01, eps=0.0)
    b = optim.adam(grad, [0.0, 2.0], 0.05, 100, weight_decay=0.3, eps=0.0)
    np.testing.assert_allclose(a[:, 1], b[:, 1], rtol=1e-12, atol=1e-15)


def test_reddi_counterexample_adam_fails_amsgrad_converges():
    import itertools

    C = 3.0

    def oracle():
        t = itertools.count(1)
        return lambda x: np.array([C if next(t) % 3 == 1 else -1.0])

    kw = {"betas": (0.0, 1 / (1 + C**2)), "eps": 0.0, "bounds": (-1.0, 1.0),
          "lr": lambda k: 0.5 / np.sqrt(k + 1)}
    for correction in (True, False):
        x_adam = optim.adam(oracle(), [0.0], n_steps=3000, bias_correction=correction, **kw)
        x_ams = optim.amsgrad(oracle(), [0.0], n_steps=3000, bias_correction=correction, **kw)
        assert np.all(x_adam[-300:, 0] > 0.98)
        assert x_ams[-1, 0] < -0.99


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), T=st.integers(5, 300), d=st.integers(1, 5))
def test_adagrad_regret_bound_on_linear_losses(seed, T, d):
    """Theorem thm-sto-adagrad for linear losses f_t(x) = <c_t, x> on the box [-1, 1]^d,
    whose best fixed point is the vertex -sign(sum_t c_t)."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((T, d)) * (rng.random((T, d)) < 0.3)  # sparse gradients
    t_iter = iter(range(T))
    eta = 2.0 / np.sqrt(2)
    xs = optim.adagrad(lambda x: c[next(t_iter)], np.zeros(d), eta, T, bounds=(-1, 1),
                       eps=0.0)[:-1]
    u = -np.sign(c.sum(axis=0))
    regret = np.sum(c * xs) - np.sum(c @ u)
    bound = np.sqrt(2) * 2.0 * np.sqrt(np.sum(c**2, axis=0)).sum()
    assert regret <= bound + 1e-9


def test_adaptive_methods_leave_zero_gradient_coordinates_alone():
    """With eps = 0 a coordinate whose gradients are all zero does not move (0/0 := 0)."""
    grad = lambda x: np.array([x[0] - 1.0, 0.0])  # noqa: E731
    for method in (optim.adagrad, optim.rmsprop, optim.adam, optim.amsgrad):
        xs = method(grad, [0.0, 0.7], 0.1, 20, eps=0.0)
        np.testing.assert_array_equal(xs[:, 1], 0.7)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: optim.sgd(np.negative, [1.0], -0.1, 3), ValueError, "step must be a finite"),
        (lambda: optim.sgd(np.negative, [1.0], 0.1, 5, every=2), ValueError,
         "must be a multiple of every"),
        (lambda: optim.sgd(np.negative, [[[1.0]]], 0.1, 3), ValueError, "x0 must be"),
        (lambda: optim.sgd(np.negative, [1.0], 0.1, 3, rng="seed"), TypeError, "rng must be"),
        (lambda: optim.sgd(lambda x: 1e300 * x, [1e300], 10.0, 3), FloatingPointError,
         "not finite"),
        (lambda: optim.minibatch_oracle(np.negative, 5, 0), ValueError, "b must be an int"),
        (lambda: optim.minibatch_oracle(np.negative, 5, 6, replace=False), ValueError,
         "cannot exceed"),
        (lambda: optim.polyak_average(np.zeros((3, 2)), start=3), ValueError, "start must be"),
        (lambda: optim.sgd_floor_least_squares(np.ones((3, 2)), np.ones(3), 0.1), ValueError,
         "positive definite"),
        (lambda: optim.sgd_floor_least_squares(np.eye(2), np.ones(3), 0.1), ValueError,
         "y must be"),
        (lambda: optim.saga(lambda x, i: x, [1.0], 0.1, 3, 2, rng=None), TypeError,
         "rng must be an int seed"),
        (lambda: optim.sag(lambda x, i: x, [1.0], 0.0, 3, 2, rng=0), ValueError,
         "step must be > 0"),
        (lambda: optim.svrg(lambda x, i: x, [1.0], 0.1, 3, 2, rng=0, snapshot="best"),
         ValueError, "snapshot must be"),
        (lambda: optim.svrg(lambda x, i: x, [1.0], 0.1, -1, 2, rng=0), ValueError,
         "n_epochs must be >= 0"),
        (lambda: optim.svrg(lambda x, i: np.ones(2), [1.0], 0.1, 1, 2, rng=0), ValueError,
         r"grad_i returned shape \(2,\)"),
        (lambda: optim.adam(np.negative, [1.0], 0.1, 3, betas=(0.9, 1.0)), ValueError,
         r"betas\[1\] must be in"),
        (lambda: optim.adam(np.negative, [1.0], 0.1, 3, eps=-1.0), ValueError, "eps must be"),
        (lambda: optim.adam(np.negative, [1.0], 0.1, 3, bounds=(1.0, -1.0)), ValueError,
         "bounds must satisfy"),
        (lambda: optim.adagrad(np.negative, [1.0], -0.1, 3), ValueError, "lr must be"),
        (lambda: optim.adagrad(np.negative, [1.0], lambda k: -1.0, 3), ValueError,
         r"lr\(0\) must be"),
        (lambda: optim.rmsprop(np.negative, [1.0], 0.1, 3, alpha=1.0), ValueError,
         "alpha must be in"),
        (lambda: optim.adam(lambda x: np.ones(2), [1.0], 0.1, 3), ValueError,
         r"grad returned shape \(2,\)"),
    ],
)
def test_stochastic_methods_bad_input(call, exc, match):
    with pytest.raises(exc, match=match), np.errstate(over="ignore", invalid="ignore"):
        call()


# ---- regression tests of the referee pass on opt-stochastic (complex parameters, groups)


TORCH_COMPLEX_PAIRS = [
    (optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    (optim.AdaGrad, torch.optim.Adagrad, {"lr": 0.1, "weight_decay": 0.01}),
    (optim.RMSProp, torch.optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    (optim.Adam, torch.optim.Adam, {"lr": 0.05}),
    (optim.AdamW, torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
    (optim.AMSGrad, lambda ps, **h: torch.optim.Adam(ps, amsgrad=True, **h), {"lr": 0.05}),
]


@pytest.mark.parametrize(("ours", "theirs", "hyper"), TORCH_COMPLEX_PAIRS)
def test_torch_classes_complex_parameters(ours, theirs, hyper, one_torch_thread):
    """A complex parameter is a pair of real ones (torch's convention): g*g would be wrong."""
    gen = torch.Generator().manual_seed(0)
    c = torch.randn(5, dtype=torch.complex128, generator=gen)
    w0 = torch.randn(5, dtype=torch.complex128, generator=gen)
    paths = []
    for make in (ours, theirs):
        w = w0.clone().requires_grad_(True)
        opt = make([w], **hyper)
        for _ in range(20):
            opt.zero_grad()
            torch.sum(torch.abs(w - c) ** 2).backward()
            opt.step()
        paths.append(w.detach())
    torch.testing.assert_close(paths[0], paths[1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("cls", "group", "exc", "match"),
    [
        (optim.Adam, {"lr": -1.0}, ValueError, r"lr \(param group 1\) must be >= 0"),
        (optim.Adam, {"lr": True}, TypeError, r"lr \(param group 1\) must be a real number"),
        (optim.Adam, {"betas": (0.9, 1.0)}, ValueError, r"betas\[1\] \(param group 1\)"),
        (optim.Adam, {"amsgrad": 1}, TypeError, r"amsgrad \(param group 1\) must be True"),
        (optim.AdaGrad, {"eps": -1e-3}, ValueError, r"eps \(param group 1\)"),
        (optim.RMSProp, {"alpha": 1.0}, ValueError, r"alpha \(param group 1\)"),
        (optim.RMSProp, {"centered": "yes"}, TypeError, r"centered \(param group 1\)"),
        (optim.SGD, {"momentum": -0.5}, ValueError, r"momentum \(param group 1\)"),
        (optim.SGD, {"nesterov": True}, ValueError, r"nesterov=True needs momentum > 0"),
    ],
)
def test_torch_classes_validate_param_groups(cls, group, exc, match):
    """Overrides in a param group are checked like the constructor's arguments."""
    groups = [{"params": [torch.zeros(2, requires_grad=True)]},
              {"params": [torch.zeros(3, requires_grad=True)], **group}]
    with pytest.raises(exc, match=match):
        cls(groups, lr=0.1)
    opt = cls(groups[:1], lr=0.1)
    with pytest.raises(exc, match=match):
        opt.add_param_group(groups[1])


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (optim.SGD, {"lr": True}, "lr must be a real number"),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": 1}, "nesterov must be True"),
        (optim.Adam, {"amsgrad": "yes"}, "amsgrad must be True"),
        (optim.RMSProp, {"centered": 0}, "centered must be True"),
    ],
)
def test_torch_classes_reject_booleans_and_non_booleans(cls, kwargs, match):
    with pytest.raises(TypeError, match=match):
        cls([torch.zeros(2, requires_grad=True)], **kwargs)


def test_numpy_adam_flags_are_booleans():
    for flag in ("decoupled", "amsgrad", "bias_correction"):
        with pytest.raises(TypeError, match=f"{flag} must be True or False"):
            optim.adam(np.negative, [1.0], 0.1, 3, **{flag: "yes"})


def test_torch_state_dict_into_dlf_adam_continues_exactly(one_torch_thread):
    """torch keeps "step" as a float32 tensor; dlf resumes from it with an exact count."""
    make, loss = _random_mlp_losses(3)
    nets = [make(), make()]
    opts = [torch.optim.Adam(nets[0].parameters(), lr=0.01),
            torch.optim.Adam(nets[1].parameters(), lr=0.01)]
    for k in range(10):
        if k == 5:
            state = opts[1].state_dict()
            opts[1] = optim.Adam(nets[1].parameters(), lr=0.01)
            opts[1].load_state_dict(state)
        for net, opt in zip(nets, opts, strict=True):
            opt.zero_grad()
            loss(net).backward()
            opt.step()
    for p0, p1 in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p0, p1, rtol=1e-14, atol=0)


def test_variance_reduced_divergence_raises_without_warnings():
    """A diverging SAG/SAGA/SVRG run raises FloatingPointError and prints no RuntimeWarning."""
    import warnings

    def grad_i(x, i):
        with np.errstate(over="ignore", invalid="ignore"):  # this oracle itself is silent
            return 10.0 * x  # a step of 1 multiplies x by about -9 per step

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in (lambda: optim.sag(grad_i, [1.0], 1.0, 2000, 2, rng=0),
                     lambda: optim.saga(grad_i, [1.0], 1.0, 2000, 2, rng=0),
                     lambda: optim.svrg(grad_i, [1.0], 1.0, 500, 2, rng=0)):
            with pytest.raises(FloatingPointError, match="not finite"):
                call()


@pytest.mark.parametrize(("ours", "theirs", "hyper"), TORCH_COMPLEX_PAIRS)
def test_torch_classes_maximize(ours, theirs, hyper, one_torch_thread):
    """maximize=True ascends the objective, exactly as torch.optim's option does."""
    make, loss = _random_mlp_losses(4)
    runs = []
    for cls in (ours, theirs):
        net = make()
        opt = cls(net.parameters(), maximize=True, **hyper)
        for _ in range(10):
            opt.zero_grad()
            (-loss(net)).backward()  # maximize -loss, i.e. minimize the loss
            opt.step()
        runs.append(torch.cat([q.detach().flatten() for q in net.parameters()]))
    torch.testing.assert_close(runs[0], runs[1], rtol=1e-12, atol=1e-14)

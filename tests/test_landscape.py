"""Tests of dlf.landscape against closed forms, finite differences (dlf.gradcheck) and
torch.autograd."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import gradcheck, hessian, landscape


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one torch thread avoids oversubscribing a busy CPU."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _torch_hessian(f, x):
    t = torch.tensor(np.asarray(x, dtype=np.float64))
    return torch.autograd.functional.hessian(f, t).numpy()


# ---------------------------------------------------------------------------
# condition ratios


def test_condition_ratios_quadratic():
    """On f = x^T diag(mu, L) x / 2 the ratios lie in closed-form ranges."""
    mu, L = 0.5, 4.0
    D = np.array([mu, L])
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 2))
    r = landscape.condition_ratios(lambda x: 0.5 * (x**2) @ D, lambda x: x * D, X,
                                   np.zeros(2), 0.0)
    assert np.all(r["wqc"] == pytest.approx(2.0))  # Euler: <grad f, x> = 2 f
    for key in ("rsi", "qg"):
        assert np.all((r[key] >= mu - 1e-12) & (r[key] <= L + 1e-12))
    assert np.all((r["eb"] >= mu - 1e-12) & (r["eb"] <= L + 1e-12))
    assert np.all((r["pl"] >= mu - 1e-12) & (r["pl"] <= L + 1e-12))


def test_condition_ratios_bad_input():
    f, g = (lambda x: np.sum(x**2, axis=1)), (lambda x: 2 * x)
    with pytest.raises(ValueError, match="f_star"):
        landscape.condition_ratios(f, g, np.ones((3, 2)), np.zeros(2), 5.0)
    with pytest.raises(ValueError, match="x != x_star"):
        landscape.condition_ratios(f, g, np.zeros((3, 2)), np.zeros(2), -1.0)
    with pytest.raises(ValueError, match="x_star"):
        landscape.condition_ratios(f, g, np.ones((3, 2)), np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="shapes"):
        landscape.condition_ratios(f, lambda x: x[:, :1], np.ones((3, 2)), np.zeros(2), 0.0)


# ---------------------------------------------------------------------------
# twisted valley


def _twisted_torch(c, kappa):
    def f(x):
        t = 0.5 * c * torch.log1p((x**2).sum())
        u = torch.cos(t) * x[0] - torch.sin(t) * x[1]
        v = torch.sin(t) * x[0] + torch.cos(t) * x[1]
        return 0.5 * (u**2 + kappa * v**2)
    return f


@given(st.floats(0.1, 3.0), st.floats(1.0, 20.0),
       st.lists(st.floats(-5, 5), min_size=2, max_size=2))
@settings(max_examples=40, deadline=None)
def test_twisted_valley_grad_vs_autograd(c, kappa, x):
    tv = landscape.TwistedValley(c, kappa)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    val = _twisted_torch(c, kappa)(t)
    (g,) = torch.autograd.grad(val, t)
    assert tv.f(x) == pytest.approx(val.item(), rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(tv.grad(x), g.numpy(), rtol=1e-10, atol=1e-12)


def test_twisted_valley_constants():
    tv = landscape.TwistedValley(1.5, 5.0)
    assert tv.pl_mu == pytest.approx(0.25)  # ((2.5 - 1.5) / 2)^2
    assert not tv.rsi and landscape.TwistedValley(1.0, 4.0).rsi
    r, th = np.meshgrid(np.geomspace(1e-3, 1e3, 200), np.linspace(0, 2 * np.pi, 181))
    X = np.stack([r * np.cos(th), r * np.sin(th)], axis=-1).reshape(-1, 2)
    ratios = landscape.condition_ratios(tv.f, tv.grad, X, np.zeros(2), 0.0)
    assert ratios["pl"].min() >= tv.pl_mu
    assert ratios["qg"].min() >= 1.0 - 1e-9
    assert ratios["rsi"].min() < 0  # the gradient can point away from 0
    x = np.array([1.3, -0.4])
    fd = gradcheck.numerical_gradient(tv.f, x)
    assert gradcheck.relative_error(tv.grad(x), fd) < 1e-8
    # batch evaluation agrees with pointwise
    np.testing.assert_allclose(tv.f(X[:5]), [tv.f(p) for p in X[:5]], rtol=1e-14)


def test_twisted_valley_bad_input():
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        landscape.TwistedValley(1.0, 0.5)
    with pytest.raises(ValueError, match="c must be finite and > 0"):
        landscape.TwistedValley(-1.0)
    with pytest.raises(TypeError, match="c must be a real number"):
        landscape.TwistedValley("1")
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        landscape.TwistedValley().f(np.ones(3))


# ---------------------------------------------------------------------------
# sigmoid GLM


def _glm_torch(glm):
    X, y = torch.tensor(glm.X), torch.tensor(glm.y)

    def squared(w):
        return 0.5 * ((torch.sigmoid(X @ w) - y) ** 2).mean()

    def matching(w):
        z = X @ w
        return (torch.nn.functional.softplus(z) - y * z).mean()
    return squared, matching


def test_glm_against_torch():
    glm = landscape.SigmoidGLM.realizable(60, 4, seed=1)
    squared, matching = _glm_torch(glm)
    rng = np.random.default_rng(2)
    for w in 2 * rng.standard_normal((5, 4)):
        t = torch.tensor(w, requires_grad=True)
        for ours, grad, hess, ref in (
                (glm.squared_loss, glm.squared_grad, glm.squared_hess, squared),
                (glm.matching_loss, glm.matching_grad, glm.matching_hess, matching)):
            val = ref(t)
            (g,) = torch.autograd.grad(val, t)
            assert ours(w) == pytest.approx(val.item(), rel=1e-12)
            np.testing.assert_allclose(grad(w), g.numpy(), rtol=1e-10, atol=1e-15)
            np.testing.assert_allclose(hess(w), _torch_hessian(ref, w), rtol=1e-9,
                                       atol=1e-15)


def test_glm_landscape_facts():
    glm = landscape.SigmoidGLM.realizable(200, 5, seed=0)
    ws = glm.w_star
    assert glm.squared_loss(ws) == 0.0
    assert np.linalg.norm(glm.matching_grad(ws)) < 1e-15
    assert np.linalg.eigvalsh(glm.squared_hess(3 * ws))[0] < 0  # nonconvex
    rng = np.random.default_rng(3)
    W = 3 * rng.standard_normal((300, 5))
    assert min(np.linalg.eigvalsh(glm.matching_hess(w))[0] for w in W) >= 0
    corr = np.sum(glm.squared_grad(W) * (W - ws), axis=1)
    assert corr.min() > 0  # the only critical point is w*
    assert np.all(glm.squared_loss(W) <= 0.5)
    fd = gradcheck.numerical_gradient(glm.squared_loss, W[0])
    assert gradcheck.relative_error(glm.squared_grad(W[0]), fd) < 1e-7


def test_glm_bad_input():
    with pytest.raises(ValueError, match=r"y must take values in \[0, 1\]"):
        landscape.SigmoidGLM(np.ones((3, 2)), [0.0, 0.5, 2.0])
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        landscape.SigmoidGLM(np.ones((3, 2)), [0.0, 0.5])
    with pytest.raises(ValueError, match="X must be 2-D"):
        landscape.SigmoidGLM(np.ones(3), [0.0, 0.5, 1.0])
    glm = landscape.SigmoidGLM.realizable(10, 3)
    with pytest.raises(ValueError, match=r"w must have shape \(3,\)"):
        glm.squared_hess(np.ones((2, 3)))
    with pytest.raises(TypeError, match="n must be an int"):
        landscape.SigmoidGLM.realizable(10.0, 3)


# ---------------------------------------------------------------------------
# top eigenvector


def _eig_problem(spectrum, seed=0):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(spectrum),) * 2))
    return landscape.TopEigenvector(Q @ np.diag(spectrum) @ Q.T)


def test_top_eigenvector_derivatives():
    prob = _eig_problem([5.0, 3.0, 2.0, 1.0, 0.5, 0.1])
    At = torch.tensor(prob.M)
    ref = lambda x: 0.25 * ((At - torch.outer(x, x)) ** 2).sum()  # noqa: E731
    x = np.random.default_rng(1).standard_normal(6)
    assert prob.f(x) == pytest.approx(ref(torch.tensor(x)).item(), rel=1e-13)
    fd = gradcheck.numerical_gradient(prob.f, x)
    assert gradcheck.relative_error(prob.grad(x), fd) < 1e-8
    np.testing.assert_allclose(prob.hess(x), _torch_hessian(ref, x), rtol=1e-12, atol=1e-12)


@given(st.lists(st.floats(-3, 6), min_size=2, max_size=6, unique=True), st.integers(0, 100))
@settings(max_examples=40, deadline=None)
def test_top_eigenvector_critical_points(spectrum, seed):
    spectrum = np.sort(spectrum)[::-1]
    if np.min(np.abs(np.diff(spectrum))) < 1e-2 or np.min(np.abs(spectrum)) < 1e-2:
        return
    prob = _eig_problem(spectrum, seed)
    pts, vals, index = prob.critical_points()
    assert len(pts) == 1 + 2 * int(np.sum(spectrum > 0))
    for x, val, i in zip(pts, vals, index, strict=True):
        assert np.linalg.norm(prob.grad(x)) < 1e-9 * max(1, spectrum[0]) ** 1.5
        neg, zero, _ = landscape.hessian_inertia(prob.hess(x))
        assert neg == i and zero == 0
        lam_i = np.sum(x**2)
        assert val == pytest.approx(0.25 * (np.sum(spectrum**2) - lam_i**2), abs=1e-9)
    assert vals.min() == pytest.approx(prob.f_star, abs=1e-9)


def test_top_eigenvector_bad_input():
    with pytest.raises(ValueError, match="M must be symmetric"):
        landscape.TopEigenvector([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="M must be square"):
        landscape.TopEigenvector(np.ones((2, 3)))
    with pytest.raises(ValueError, match="distinct eigenvalues"):
        landscape.TopEigenvector(np.eye(3)).critical_points()
    with pytest.raises(ValueError, match=r"x must have shape \(2,\)"):
        landscape.TopEigenvector(np.eye(2)).hess(np.ones((1, 2)))


# ---------------------------------------------------------------------------
# deep linear network


def _dln(seed=0, n=100, d=4, k=4, m=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    Y = X @ rng.standard_normal((d, k)) + 0.5 * rng.standard_normal((n, k))
    return landscape.DeepLinear(X, Y, m)


def test_deep_linear_loss_and_grad():
    net = _dln(d=5, k=3)
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((3, 2)), rng.standard_normal((2, 5))
    direct = np.sum((net.Y - net.X @ (A @ B).T) ** 2) / (2 * net.n)
    assert net.loss(A, B) == pytest.approx(direct, rel=1e-12)
    theta = net.join(A, B)
    fd = gradcheck.numerical_gradient(net.loss_flat, theta)
    assert gradcheck.relative_error(net.grad_flat(theta), fd) < 1e-8
    At, Bt = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    val = 0.5 * ((torch.tensor(net.Y) - torch.tensor(net.X) @ (At @ Bt).T) ** 2).sum() / net.n
    gA, gB = torch.autograd.grad(val, [At, Bt])
    ours = net.grad(A, B)
    np.testing.assert_allclose(ours[0], gA.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(ours[1], gB.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(net.split(theta)[1], B)


def test_deep_linear_critical_points_and_inertia():
    net = _dln(seed=3)
    Xt, Yt = torch.tensor(net.X), torch.tensor(net.Y)
    rng = np.random.default_rng(4)
    subsets = net.subsets()
    assert len(subsets) == math.comb(4, 2)
    for S in subsets:
        A, B = net.critical_point(S, rng.standard_normal((2, 2)) + 2 * np.eye(2))
        assert np.linalg.norm(net.grad_flat(net.join(A, B))) < 1e-12
        assert net.loss(A, B) == pytest.approx(net.critical_value(S), rel=1e-12)
        theta = torch.tensor(net.join(A, B), requires_grad=True)

        def loss_fn(theta=theta):
            At, Bt = theta[:8].reshape(4, 2), theta[8:].reshape(2, 4)
            return 0.5 * ((Yt - Xt @ (At @ Bt).T) ** 2).sum() / net.n
        H = hessian.hessian(loss_fn, theta)
        assert landscape.hessian_inertia(H, rtol=1e-9) == net.inertia(S)
    values = [net.critical_value(S) for S in subsets]
    assert int(np.argmin(values)) == 0  # the top-p set (0, 1)


def test_deep_linear_bad_input():
    net = _dln()
    with pytest.raises(ValueError, match="distinct indices"):
        net.critical_point([0, 0])
    with pytest.raises(ValueError, match="distinct indices"):
        net.critical_value([0, 7])
    with pytest.raises(ValueError, match="C must be an invertible"):
        net.critical_point([0, 1], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="theta must have length 16"):
        net.split(np.ones(3))
    with pytest.raises(ValueError, match="A and B must have shapes"):
        net.loss(np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="m must be <= min"):
        landscape.DeepLinear(net.X, net.Y, 5)
    with pytest.raises(ValueError, match="must be invertible"):
        landscape.DeepLinear(np.ones((10, 2)), np.ones((10, 2)), 1)
    with pytest.raises(ValueError, match="Y must have 100 rows"):
        landscape.DeepLinear(net.X, net.Y[:5], 1)


# ---------------------------------------------------------------------------
# inertia, perturbed GD, power iteration


def test_hessian_inertia():
    H = np.diag([-2.0, 0.0, 1e-12, 3.0, 5.0])
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 5)))[0]
    assert landscape.hessian_inertia(Q @ H @ Q.T) == (1, 2, 2)
    assert landscape.hessian_inertia(torch.tensor(H)) == (1, 2, 2)
    with pytest.raises(ValueError, match="H must be symmetric"):
        landscape.hessian_inertia([[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="rtol must be finite and > 0"):
        landscape.hessian_inertia(np.eye(2), rtol=0.0)


def test_perturbed_gd_escapes_where_gd_is_stuck():
    prob = landscape.TopEigenvector(np.diag([2.0, 1.0, 0.5]))
    x0 = np.array([0.0, 0.3, 0.2])  # on the stable manifold of (0, 1, 0)
    from dlf import optim
    stuck = optim.gradient_descent(prob.grad, x0, 0.1, 500)[-1]
    np.testing.assert_allclose(stuck, [0.0, 1.0, 0.0], atol=1e-10)
    xs, kicks = landscape.perturbed_gradient_descent(
        prob.grad, x0, 0.1, 500, radius=1e-3, grad_tol=1e-4, wait=50, seed=0)
    assert kicks and prob.f(xs[-1]) == pytest.approx(prob.f_star, abs=1e-10)
    # between kicks the iterates are gradient descent
    k = kicks[0]
    np.testing.assert_array_equal(xs[: k + 1], optim.gradient_descent(prob.grad, x0, 0.1, k))
    # reproducible, and a kick lies in the ball
    xs2, _ = landscape.perturbed_gradient_descent(
        prob.grad, x0, 0.1, 500, radius=1e-3, grad_tol=1e-4, wait=50, seed=0)
    np.testing.assert_array_equal(xs, xs2)
    jump = xs[k + 1] - (xs[k] - 0.1 * prob.grad(xs[k]))
    assert 0 < np.linalg.norm(jump) <= 1e-3 * 1.2  # kick plus its step


def test_perturbed_gd_bad_input():
    g = lambda x: x  # noqa: E731
    with pytest.raises(ValueError, match="radius must be finite and > 0"):
        landscape.perturbed_gradient_descent(g, [1.0], 0.1, 5, radius=0.0, grad_tol=1e-3,
                                             wait=1)
    with pytest.raises(ValueError, match="wait must be an int >= 1"):
        landscape.perturbed_gradient_descent(g, [1.0], 0.1, 5, radius=1.0, grad_tol=1e-3,
                                             wait=0)
    with pytest.raises(TypeError, match="grad must be callable"):
        landscape.perturbed_gradient_descent(None, [1.0], 0.1, 5, radius=1.0,
                                             grad_tol=1e-3, wait=1)
    with pytest.raises(ValueError, match=r"grad returned shape \(2,\)"):
        landscape.perturbed_gradient_descent(lambda x: np.ones(2), [1.0], 0.1, 5,
                                             radius=1.0, grad_tol=1e-3, wait=1)
    with pytest.raises(FloatingPointError, match="not finite"):
        landscape.perturbed_gradient_descent(g, [1.0], 1e308, 5, radius=1.0,
                                             grad_tol=1e-3, wait=1)


def _tiny_net(seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(30, 3, generator=g, dtype=torch.float64)
    y = torch.sin(X.sum(1, keepdim=True))
    params = [torch.randn(3, 6, generator=g, dtype=torch.float64).requires_grad_(),
              torch.randn(6, 1, generator=g, dtype=torch.float64).requires_grad_()]

    def loss_fn():
        return 0.5 * ((torch.tanh(X @ params[0]) @ params[1] - y) ** 2).mean()
    return params, loss_fn


def test_power_iteration_vs_eigvalsh():
    params, loss_fn = _tiny_net()
    op = hessian.HessianOperator(loss_fn, params)
    H = hessian.hessian(loss_fn, params).numpy()
    top = np.linalg.eigvalsh(0.5 * (H + H.T))[-1]
    lam, v = landscape.power_iteration(op, n_iter=500)
    assert lam == pytest.approx(top, rel=1e-8)
    lam2, _ = landscape.power_iteration(op, v, n_iter=1)  # warm start
    assert lam2 == pytest.approx(top, rel=1e-8)
    with pytest.raises(ValueError, match="v0 must be a finite vector of length 24"):
        landscape.power_iteration(op, np.ones(3))
    with pytest.raises(ValueError, match="v0 must be nonzero"):
        landscape.power_iteration(op, np.zeros(24))
    with pytest.raises(TypeError, match="op must be a dlf.hessian.HessianOperator"):
        landscape.power_iteration(lambda v: v)


def test_gd_with_sharpness_matches_manual_gd():
    params, loss_fn = _tiny_net()
    res = landscape.gd_with_sharpness(loss_fn, params, 0.1, 12, every=4, n_iter=30)
    np.testing.assert_array_equal(res["steps"], [0, 4, 8, 12])
    assert res["loss"].shape == (13,)
    twin, twin_loss = _tiny_net()  # same seed: the same start
    manual = []
    for _ in range(13):
        loss = twin_loss()
        manual.append(loss.item())
        grads = torch.autograd.grad(loss, twin)
        with torch.no_grad():
            for q, g in zip(twin, grads, strict=True):
                q -= 0.1 * g
    np.testing.assert_allclose(res["loss"], manual, rtol=1e-12)
    # the last estimate is the top eigenvalue at the final parameters
    top = np.linalg.eigvalsh(hessian.hessian(loss_fn, params).numpy())[-1]
    assert res["sharpness"][-1] == pytest.approx(top, rel=1e-6)
    with pytest.raises(ValueError, match="every must be an int >= 1"):
        landscape.gd_with_sharpness(loss_fn, params, 0.1, 3, every=0)
    with pytest.raises(ValueError, match="step must be finite and > 0"):
        landscape.gd_with_sharpness(loss_fn, params, -0.1, 3)


def test_gd_with_sharpness_divergence():
    params, loss_fn = _tiny_net()
    with pytest.raises(FloatingPointError, match="loss is not finite"):
        landscape.gd_with_sharpness(loss_fn, params, 1e100, 10, every=100)


def test_subsets_are_combinations():
    net = _dln(d=5, k=5, m=3)
    assert net.subsets() == list(itertools.combinations(range(5), 3))
    assert net.inertia((0, 1, 2)) == (0, 9, net.size - 9)

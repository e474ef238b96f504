"""Tests of dlf.implicit_bias against independent oracles (scipy, sklearn, torch.autograd)."""

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import torch

from dlf import implicit_bias as ib


def _positive_problem(seed=0, n=4, d=9):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, d))
    return X, X @ rng.uniform(0.2, 2.0, d)


def _separable(seed=0, n=16, d=3):
    rng = np.random.default_rng(seed)
    X, w = rng.standard_normal((n, d)), rng.standard_normal(d)
    return X * np.sign(X @ w)[:, None]


@pytest.mark.parametrize("potential", [ib.euclidean_potential(), ib.entropy_potential(),
                                       ib.hyperbolic_potential(0.3)])
def test_potential_derivatives_and_conjugate(potential):
    w = np.array([0.3, 1.7, 0.05])
    eps = 1e-6
    fd = [(potential.value(w + eps * e) - potential.value(w - eps * e)) / (2 * eps)
          for e in np.eye(3)]
    np.testing.assert_allclose(potential.grad(w), fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(potential.grad_inv(potential.grad(w)), w, rtol=1e-12)
    g = potential.grad
    fd2 = (g(w + eps) - g(w - eps)) / (2 * eps)
    np.testing.assert_allclose(potential.hess(w), fd2, rtol=1e-6)
    theta = potential.grad(w)       # Fenchel-Young equality at the pair (w, grad psi(w))
    assert potential.conj(theta) == pytest.approx(theta @ w - potential.value(w), rel=1e-10)


def test_bregman_divergence_closed_form():
    w, v = np.array([0.5, 2.0]), np.array([1.0, 1.0])
    kl = np.sum(w * np.log(w / v) - w + v)
    assert ib.bregman_divergence(ib.entropy_potential(), w, v) == pytest.approx(kl, rel=1e-13)
    assert ib.bregman_divergence(ib.euclidean_potential(), w, v) == pytest.approx(
        0.5 * np.sum((w - v) ** 2), rel=1e-13)


def test_bregman_projection_matches_slsqp():
    X, y = _positive_problem()
    w0 = np.ones(X.shape[1])
    w = ib.bregman_projection(X, y, ib.entropy_potential(), w0)
    res = scipy.optimize.minimize(
        lambda v: np.sum(v * np.log(v / w0) - v + w0), w0, method="SLSQP",
        jac=lambda v: np.log(v / w0), bounds=[(1e-9, None)] * w0.size,
        constraints={"type": "eq", "fun": lambda v: X @ v - y, "jac": lambda v: X},
        options={"ftol": 1e-14, "maxiter": 500})
    np.testing.assert_allclose(w, res.x, atol=1e-5)
    feas, stat = ib.projection_kkt_residuals(X, y, ib.entropy_potential(), w0, w)
    assert feas < 1e-12 and stat < 1e-12


def test_mirror_descent_reaches_projection_and_gd_special_case():
    X, y = _positive_problem(1)
    w0 = np.ones(X.shape[1])
    grad = lambda w: X.T @ (X @ w - y)  # noqa: E731
    w_md = ib.mirror_descent(grad, ib.entropy_potential(), w0, 0.05, 4000, every=4000)[-1]
    np.testing.assert_allclose(w_md, ib.bregman_projection(X, y, ib.entropy_potential(), w0),
                               atol=1e-10)
    path = ib.mirror_descent(grad, ib.euclidean_potential(), w0, 0.01, 5)
    w = w0.copy()
    for _ in range(5):
        w = w - 0.01 * grad(w)
    np.testing.assert_allclose(path[-1], w, rtol=1e-14)


def test_hyperbolic_projection_tends_to_l2_and_l1():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 12))
    y = X @ np.r_[1.0, -1.0, np.zeros(10)]
    w_big = ib.bregman_projection(X, y, ib.hyperbolic_potential(50.0), np.zeros(12))
    np.testing.assert_allclose(w_big, np.linalg.pinv(X) @ y, atol=1e-7)
    lp = scipy.optimize.linprog(np.ones(24), A_eq=np.hstack([X, -X]), b_eq=y,
                                bounds=(0, None), method="highs")
    w_small = ib.bregman_projection(X, y, ib.hyperbolic_potential(1e-12), np.zeros(12))
    assert np.abs(w_small).sum() == pytest.approx(lp.fun, rel=1e-2)


@pytest.mark.parametrize("p", [1.25, 1.5, 3.0])
def test_lp_step_minimizes(p):
    g = np.array([0.7, -1.3, 0.2, 2.1])
    v = ib.lp_steepest_direction(g, p)
    obj = lambda u: g @ u + 0.5 * np.sum(np.abs(u) ** p) ** (2 / p)  # noqa: E731
    res = scipy.optimize.minimize(obj, -g, method="Nelder-Mead",
                                  options={"xatol": 1e-11, "fatol": 1e-15, "maxiter": 40000})
    np.testing.assert_allclose(v, res.x, atol=1e-5)
    assert obj(v) <= res.fun + 1e-12


def test_steepest_descent_l2_is_gd_and_l1_is_coordinate():
    X = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 0.0]])
    y = np.array([1.0, 10.0])
    grad = lambda w: X.T @ (X @ w - y)  # noqa: E731
    path = ib.steepest_descent(grad, np.zeros(3), 0.05, 3, 2.0)
    w = np.zeros(3)
    for _ in range(3):
        w = w - 0.05 * grad(w)
    np.testing.assert_allclose(path[-1], w, rtol=1e-13)
    step = ib.steepest_descent(grad, np.zeros(3), 1.0, 1, 1)[-1]
    g0 = grad(np.zeros(3))
    expected = np.zeros(3)
    j = np.argmax(np.abs(g0))
    expected[j] = -g0[j]
    np.testing.assert_allclose(step, expected, rtol=1e-14)


def test_quadratic_param_conservation_and_shrinkage():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 6))
    y = rng.standard_normal(3)
    w1, tp, tm = ib.quadratic_param_gd(X, y, 0.4, 0.02, 1)
    r = X.T @ (-y)
    np.testing.assert_allclose(tp * tm, 0.16 * (1 - 4 * 0.02 ** 2 * r ** 2), rtol=1e-14)
    # torch.autograd gives the same step
    theta = torch.full((12,), 0.4, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    loss = 0.5 * ((Xt @ (theta[:6] ** 2 - theta[6:] ** 2) - yt) ** 2).sum()
    (g,) = torch.autograd.grad(loss, theta)
    new = (theta - 0.02 * g).detach().numpy()
    np.testing.assert_allclose(np.r_[tp, tm], new, rtol=1e-14)


def test_svm_matches_sklearn_on_symmetrized_data():
    from sklearn.svm import SVC

    Z = _separable()
    w, a = ib.hard_margin_svm(Z)
    res = ib.svm_kkt_residuals(Z, w, a)
    assert max(res.values()) < 1e-10
    # symmetrized data (z, +1) and (-z, -1) force the optimal bias to zero
    Xs = np.vstack([Z, -Z])
    ys = np.r_[np.ones(len(Z)), -np.ones(len(Z))]
    svc = SVC(kernel="linear", C=1e8, tol=1e-10).fit(Xs, ys)
    np.testing.assert_allclose(svc.coef_[0], w, rtol=1e-4, atol=1e-6)
    assert abs(svc.intercept_[0]) < 1e-4


def test_svm_matches_slsqp():
    Z = _separable(4, n=10, d=4)
    w, _ = ib.hard_margin_svm(Z)
    res = scipy.optimize.minimize(lambda v: 0.5 * v @ v, np.ones(4) * 5, jac=lambda v: v,
                                  method="SLSQP",
                                  constraints={"type": "ineq", "fun": lambda v: Z @ v - 1,
                                               "jac": lambda v: Z},
                                  options={"ftol": 1e-14, "maxiter": 500})
    np.testing.assert_allclose(w, res.x, atol=1e-6)


def test_logistic_gradient_autograd_and_gd():
    Z = _separable(5)
    w = np.array([0.3, -0.2, 0.5])
    wt = torch.tensor(w, requires_grad=True)
    loss = torch.nn.functional.softplus(-(torch.tensor(Z) @ wt)).sum()
    (g,) = torch.autograd.grad(loss, wt)
    np.testing.assert_allclose(ib.logistic_grad_sum(Z, w), g.numpy(), rtol=1e-12)
    assert ib.logistic_loss_sum(Z, w) == pytest.approx(float(loss.detach()), rel=1e-13)
    W = ib.gd_logistic(Z, 0.1, [1, 2])
    w1 = -0.1 * ib.logistic_grad_sum(Z, np.zeros(3))
    np.testing.assert_allclose(W[0], w1, rtol=1e-13)


def test_logtime_flow_matches_solve_ivp():
    Z = _separable(6, n=8, d=2)
    s, W = ib.logistic_flow_logtime(Z, 3.0, 0.01, every=300)
    sol = scipy.integrate.solve_ivp(lambda t, w: -ib.logistic_grad_sum(Z, w), (1.0, np.exp(3.0)),
                                    np.zeros(2), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(W[-1], sol.y[:, -1], rtol=1e-7)


def test_exp_loss_steepest_descent_first_step():
    Z = _separable(7)
    W = ib.exp_loss_steepest_descent(Z, 1, 2.0)
    B = np.max(np.linalg.norm(Z, axis=1))
    g = -Z.sum(0)                                   # gradient at 0, loss n
    np.testing.assert_allclose(W[1], -g / (B * B * len(Z)), rtol=1e-13)
    assert ib.normalized_margin(Z, W[1]) == pytest.approx(
        np.min(Z @ W[1]) / np.linalg.norm(W[1]))


def test_homogeneous_net_autograd_and_margins():
    W, a = ib.homogeneous_relu_net(2, 5, 3, seed=1)
    X = np.array([[1.0, 0.5], [-0.3, 0.8], [0.6, -0.9]])
    f = ib.homogeneous_forward(W, a, X)
    manual = np.einsum("km,knm->kn", a.numpy(),
                       np.maximum(np.einsum("kmd,nd->knm", W.numpy(), X), 0))
    np.testing.assert_allclose(f.numpy(), manual, rtol=1e-14)
    y = np.array([1.0, -1.0, 1.0])
    rec = ib.train_homogeneous(W, a, X, y, 0.01, 3)
    assert rec["loss"].shape == (4, 3)
    assert np.all(rec["smoothed"] <= rec["margin"] + 1e-15)


def test_bad_inputs():
    X, y = _positive_problem()
    with pytest.raises(ValueError, match="y must have shape"):
        ib.bregman_projection(X, y[:-1], ib.entropy_potential(), np.ones(X.shape[1]))
    with pytest.raises(ValueError, match="w0 must be > 0"):
        ib.bregman_projection(X, y, ib.entropy_potential(), -np.ones(X.shape[1]))
    with pytest.raises(TypeError, match="potential"):
        ib.bregman_projection(X, y, "entropy", np.ones(X.shape[1]))
    with pytest.raises(ValueError, match="finite"):
        ib.lp_steepest_direction([1.0, np.nan], 1.5)
    with pytest.raises(ValueError, match="p must be in"):
        ib.lp_steepest_direction([1.0, 2.0], 1.0)
    with pytest.raises(TypeError, match="complex"):
        ib.lp_steepest_direction(np.array([1 + 1j]), 1.5)
    with pytest.raises(ValueError, match="alpha"):
        ib.hyperbolic_potential(0.0)
    with pytest.raises(ValueError, match="step"):
        ib.mirror_descent(lambda w: w, ib.euclidean_potential(), [1.0], -0.1, 3)
    with pytest.raises(ValueError, match="not linearly separable"):
        ib.hard_margin_svm(np.array([[1.0, 0.0], [-1.0, 0.0]]))
    with pytest.raises(ValueError, match="checkpoints"):
        ib.gd_logistic(_separable(), 0.1, [5, 2])
    with pytest.raises(ValueError, match="-1 and \\+1"):
        W, a = ib.homogeneous_relu_net(2, 3)
        ib.train_homogeneous(W, a, np.ones((2, 2)), np.array([0.0, 1.0]), 0.1, 1)
    with pytest.raises(ValueError, match="n_steps"):
        ib.quadratic_param_gd(X, y, 0.5, 0.01, -1)

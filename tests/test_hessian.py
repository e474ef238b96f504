"""Tests of dlf.hessian against torch.autograd.functional.hessian, finite differences and
numpy.linalg.eigvalsh."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlf import gradcheck, hessian


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one torch thread avoids oversubscribing a busy CPU."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


D, M = 3, 5  # a 3-5-1 tanh network: p = 3*5 + 5 + 5 + 1 = 26 parameters


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(40, D, generator=g, dtype=torch.float64)
    y = torch.sin(X.sum(1, keepdim=True))
    return X, y


def _shapes():
    return [(D, M), (M,), (M, 1), (1,)]


def _split(theta):
    out, i = [], 0
    for s in _shapes():
        n = int(np.prod(s))
        out.append(theta[i:i + n].reshape(s))
        i += n
    return out


def _loss_flat(theta, X, y):
    W1, b1, W2, b2 = _split(theta)
    return 0.5 * ((torch.tanh(X @ W1 + b1) @ W2 + b2 - y) ** 2).mean()


def _network(seed=0):
    X, y = _data(seed)
    g = torch.Generator().manual_seed(seed + 1)
    params = [torch.randn(s, generator=g, dtype=torch.float64).requires_grad_() for s in
              _shapes()]

    def loss_fn():
        W1, b1, W2, b2 = params
        return 0.5 * ((torch.tanh(X @ W1 + b1) @ W2 + b2 - y) ** 2).mean()

    theta = torch.cat([p.detach().reshape(-1) for p in params])
    H = torch.autograd.functional.hessian(lambda t: _loss_flat(t, X, y), theta)
    return loss_fn, params, theta, H, (X, y)


def test_hvp_matches_explicit_hessian_with_several_parameter_tensors():
    loss_fn, params, theta, H, _ = _network()
    v = torch.randn(theta.numel(), generator=torch.Generator().manual_seed(7),
                    dtype=torch.float64)
    hv = hessian.hvp(loss_fn, params, v)
    assert hv.shape == (26,) and hv.dtype == torch.float64 and not hv.requires_grad
    torch.testing.assert_close(hv, H @ v, rtol=1e-12, atol=1e-13)


def test_hvp_matches_finite_differences_of_the_gradient():
    loss_fn, params, theta, _, (X, y) = _network(seed=3)

    def grad(t):
        tt = torch.tensor(t, requires_grad=True)
        (g,) = torch.autograd.grad(_loss_flat(tt, X, y), tt)
        return g.numpy()

    v = np.random.default_rng(2).standard_normal(theta.numel())
    h = 1e-5  # central difference of the gradient along v: error O(h^2)
    fd = (grad(theta.numpy() + h * v) - grad(theta.numpy() - h * v)) / (2 * h)
    hv = hessian.hvp(loss_fn, params, v).numpy()
    assert gradcheck.relative_error(hv, fd) < 1e-8
    J = gradcheck.numerical_jacobian(grad, theta.numpy(), h=1e-5)  # all of H, by columns
    assert gradcheck.relative_error(hessian.hessian(loss_fn, params).numpy(), J) < 1e-7


def test_operator_reuses_one_gradient_for_many_products():
    loss_fn, params, theta, H, _ = _network(seed=4)
    op = hessian.HessianOperator(loss_fn, params)
    assert op.size == theta.numel() == 26
    V = torch.randn(26, 5, generator=torch.Generator().manual_seed(3),
                    dtype=torch.float64)
    HV = torch.stack([op(V[:, i]) for i in range(5)], dim=1)
    torch.testing.assert_close(HV, H @ V, rtol=1e-12, atol=1e-13)
    torch.testing.assert_close(op(V[:, 0].numpy()), HV[:, 0])  # array input


def test_start_vector_is_the_documented_one():
    loss_fn, params, theta, H, _ = _network(seed=1)
    res = hessian.top_eigenvalue(loss_fn, params, n_iter=3, seed=11)
    w0 = torch.randn(26, generator=torch.Generator().manual_seed(11),
                     dtype=torch.float64)
    assert res.history[0] == pytest.approx(float(w0 @ H @ w0 / (w0 @ w0)),
                                           rel=1e-12)


def test_hessian_equals_torch_and_is_symmetric():
    loss_fn, params, _, H, _ = _network(seed=5)
    Hd = hessian.hessian(loss_fn, params)
    torch.testing.assert_close(Hd, H, rtol=1e-12, atol=1e-13)
    torch.testing.assert_close(Hd, Hd.T, rtol=1e-12, atol=1e-14)


def test_top_eigenvalue_matches_eigvalsh():
    loss_fn, params, _, H, _ = _network(seed=1)
    eigs = np.linalg.eigvalsh(H.numpy())
    res = hessian.top_eigenvalue(loss_fn, params, n_iter=200, seed=0)  # gap ratio 0.84
    assert res.eigenvalue == pytest.approx(eigs[-1], rel=1e-9)
    Hv = H @ res.vector
    assert torch.linalg.vector_norm(Hv - res.eigenvalue * res.vector) < 1e-4 * eigs[-1]
    assert res.n_hvp == len(res.history)


def test_top_eigenvalue_when_the_most_negative_eigenvalue_dominates():
    Q = torch.linalg.qr(torch.randn(4, 4, generator=torch.Generator().manual_seed(0),
                                    dtype=torch.float64))[0]
    A = Q @ torch.diag(torch.tensor([-6.0, -1.0, 0.5, 2.0], dtype=torch.float64)) @ Q.T
    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    res = hessian.top_eigenvalue(lambda: 0.5 * x @ A @ x, x, n_iter=400)
    assert res.eigenvalue == pytest.approx(2.0, rel=1e-9)
    assert res.n_hvp > 400  # a second, shifted run was needed


def test_tolerance_stops_early_and_seed_is_deterministic():
    loss_fn, params, _, H, _ = _network(seed=2)
    top = np.linalg.eigvalsh(H.numpy())[-1]
    full = hessian.top_eigenvalue(loss_fn, params, n_iter=100, seed=4)  # gap ratio 0.65
    early = hessian.top_eigenvalue(loss_fn, params, n_iter=100, seed=4, tol=1e-12)
    assert early.n_hvp < full.n_hvp == 100
    assert early.eigenvalue == pytest.approx(top, rel=1e-8)
    again = hessian.top_eigenvalue(loss_fn, params, n_iter=100, seed=4, tol=1e-12)
    assert again.eigenvalue == early.eigenvalue and again.history == early.history


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=2, max_size=8, unique=True),
       st.integers(0, 2**31 - 1))
def test_power_iteration_on_random_quadratics(spectrum, seed):
    lam = np.sort(np.array(spectrum))
    mags = np.sort(np.abs(lam))
    assume(mags[-1] > 0.1 and mags[-2] <= 0.8 * mags[-1])  # a gap for the first run
    assume(lam[-1] - lam[-2] >= 0.1 * (lam[-1] - lam[0]))  # and for the shifted run
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(lam), len(lam))))[0]
    A = torch.tensor(Q @ np.diag(lam) @ Q.T)
    x = torch.zeros(len(lam), dtype=torch.float64, requires_grad=True)
    res = hessian.top_eigenvalue(lambda: 0.5 * x @ A @ x + x.sum(), x, n_iter=300, seed=seed,
                                 tol=1e-14)
    assert res.eigenvalue == pytest.approx(np.linalg.eigvalsh(A.numpy())[-1], rel=1e-7,
                                           abs=1e-7 * mags[-1])


def test_affine_loss_and_unused_parameters_give_zero_curvature():
    a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    hv = hessian.hvp(lambda: (a * 2.0).sum(), [a, b], torch.ones(3, dtype=torch.float64))
    torch.testing.assert_close(hv, torch.zeros(3, dtype=torch.float64))
    H = hessian.hessian(lambda: (a**3).sum(), [a, b])
    torch.testing.assert_close(H, torch.diag(torch.tensor([6.0, 12.0, 0.0],
                                                          dtype=torch.float64)))


def test_accepts_module_parameters():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    net = net.double()
    X = torch.randn(10, 2, dtype=torch.float64)
    loss_fn = lambda: net(X).pow(2).mean()  # noqa: E731
    p = sum(q.numel() for q in net.parameters())
    H = hessian.hessian(loss_fn, net.parameters())
    assert H.shape == (p, p)
    v = torch.randn(p, dtype=torch.float64)
    torch.testing.assert_close(hessian.hvp(loss_fn, list(net.parameters()), v), H @ v)


def test_bad_input_raises_clear_errors():
    x = torch.ones(3, dtype=torch.float64, requires_grad=True)
    loss = lambda: (x**2).sum()  # noqa: E731
    with pytest.raises(ValueError, match="does not require grad"):
        hessian.hvp(loss, torch.ones(3), torch.ones(3))
    with pytest.raises(ValueError, match=r"length p = 3.*shape \(2,\)"):
        hessian.hvp(loss, x, torch.ones(2))
    with pytest.raises(ValueError, match="scalar tensor"):
        hessian.hvp(lambda: x**2, x, torch.ones(3))
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        hessian.hvp(loss(), x, torch.ones(3))
    with pytest.raises(TypeError, match="floating dtype"):
        hessian.hvp(loss, [torch.ones(3, dtype=torch.int64)], torch.ones(3))
    with pytest.raises(TypeError, match=r"params\[1\] must be a torch.Tensor"):
        hessian.hvp(loss, [x, 3.0], torch.ones(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        hessian.hvp(loss, [], torch.ones(3))
    with pytest.raises(ValueError, match="n_iter must be a positive int"):
        hessian.top_eigenvalue(loss, x, n_iter=0)
    with pytest.raises(ValueError, match="seed must be"):
        hessian.top_eigenvalue(loss, x, seed=-1)
    with pytest.raises(ValueError, match="tol must be"):
        hessian.top_eigenvalue(loss, x, tol=-1.0)
    with pytest.raises(TypeError, match="iterable of tensors"):
        hessian.hvp(loss, 3.0, torch.ones(3))
    with pytest.raises(ValueError, match=r"length p = 3"):
        hessian.HessianOperator(loss, x)(torch.ones((3, 1)))
    with pytest.raises(ValueError, match="does not depend on params"):
        hessian.hvp(lambda: torch.tensor(1.0), x, torch.ones(3))


@pytest.mark.parametrize("spectrum, n_iter", [((1.0, -1.0, 0.5, 0.1), 100),
                                              ((1.0, -1.0, 0.5, 0.1), 1000),
                                              ((1.0, -0.999, 0.5), 100)])
def test_top_eigenvalue_when_lambda_min_ties_with_lambda_max(spectrum, n_iter):
    # regression: power iteration alone settled at a wrong Rayleigh quotient
    # (0.930 and 0.942) when |lambda_min| equals or nearly equals lambda_max
    k = len(spectrum)
    Q = torch.linalg.qr(torch.randn(k, k, generator=torch.Generator().manual_seed(1),
                                    dtype=torch.float64))[0]
    A = Q @ torch.diag(torch.tensor(spectrum, dtype=torch.float64)) @ Q.T
    x = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    res = hessian.top_eigenvalue(lambda: 0.5 * x @ A @ x, x, n_iter=n_iter, seed=0)
    assert res.eigenvalue == pytest.approx(1.0, rel=1e-8)
    assert res.residual < 1e-6
    Av = A @ res.vector
    assert float(torch.linalg.vector_norm(Av - res.eigenvalue * res.vector)) == pytest.approx(
        res.residual, abs=1e-12)


def test_residual_reports_non_convergence():
    # eigenvalues 1 and 0.99: 5 iterations cannot separate them, and the residual says so
    A = torch.diag(torch.tensor([1.0, 0.99, 0.2], dtype=torch.float64))
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    res = hessian.top_eigenvalue(lambda: 0.5 * x @ A @ x, x, n_iter=5, seed=0)
    assert res.eigenvalue <= 1.0 + 1e-15
    assert res.residual > 1e-4

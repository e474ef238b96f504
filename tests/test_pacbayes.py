"""Tests for dlf.pacbayes (and the gen-modern helpers of dlf.generalization) against
independent oracles: scipy.optimize.brentq, scipy.stats.binom, torch.distributions, closed forms."""

import math

import numpy as np
import pytest
import torch
from scipy.optimize import brentq
from scipy.special import rel_entr
from scipy.stats import binom

from dlf import pacbayes as pb


def test_kl_bernoulli_closed_form_and_edges():
    assert pb.kl_bernoulli(0.3, 0.3) == 0.0
    q, p = 0.1, 0.4
    ref = q * math.log(q / p) + (1 - q) * math.log((1 - q) / (1 - p))
    assert pb.kl_bernoulli(q, p) == pytest.approx(ref)
    assert pb.kl_bernoulli(0.0, 0.5) == pytest.approx(math.log(2))
    assert pb.kl_bernoulli(0.2, 0.0) == math.inf


@pytest.mark.parametrize("q,c", [(0.05, 0.1), (0.3, 0.01), (0.5, 0.2), (0.9, 0.5)])
def test_kl_inverse_against_brentq(q, c):
    f = lambda p: pb.kl_bernoulli(q, p) - c  # noqa: E731
    ref = brentq(f, q, 1 - 1e-15, xtol=1e-14) if f(1 - 1e-15) > 0 else 1.0
    assert pb.kl_inverse(q, c) == pytest.approx(ref, abs=1e-9)


def test_kl_inverse_at_zero_closed_form():
    for c in (0.01, 0.5, 3.0):
        assert pb.kl_inverse(0.0, c) == pytest.approx(1 - math.exp(-c), rel=1e-12)


def test_maurer_xi_equals_binomial_expectation():
    # E_{k ~ Bin(n, p)} exp(n kl(k/n || p)) = xi(n) for every p
    for n in (10, 57, 300):
        k = np.arange(n + 1)
        for p in (0.1, 0.5, 0.77):
            pmf = binom.pmf(k, n, p)
            e = sum(pmf[i] * math.exp(n * pb.kl_bernoulli(i / n, p)) for i in range(n + 1))
            assert pb.maurer_xi(n) == pytest.approx(e, rel=1e-9)
        assert math.sqrt(n) <= pb.maurer_xi(n) <= 2 * math.sqrt(n)


def test_gaussian_kl_against_torch():
    g = torch.Generator().manual_seed(0)
    mq = torch.randn(7, generator=g, dtype=torch.float64)
    mp = torch.randn(7, generator=g, dtype=torch.float64)
    sq = torch.rand(7, generator=g, dtype=torch.float64) + 0.1
    sp = 0.7
    D = torch.distributions
    ref = D.kl_divergence(D.Normal(mq, sq), D.Normal(mp, torch.full_like(mp, sp))).sum().item()
    assert pb.gaussian_kl(mq.numpy(), sq.numpy(), mp.numpy(), sp) == pytest.approx(ref, rel=1e-12)
    post = pb.GaussianPosterior(mq, std=0.3, sigma_prior=sp)
    ref2 = D.kl_divergence(D.Normal(mq, torch.full_like(mq, 0.3)),
                           D.Normal(mp, torch.full_like(mp, sp))).sum()
    assert post.kl(mp).item() == pytest.approx(ref2.item(), rel=1e-10)


def test_bounds_order_and_single_hypothesis_coverage():
    # McAllester is never below the kl form; the kl form covers a single hypothesis exactly
    for emp in (0.0, 0.05, 0.3):
        for kl in (0.0, 5.0, 200.0):
            assert pb.mcallester_bound(emp, kl, 500, 0.05) >= pb.kl_bound(emp, kl, 500, 0.05)
    n, delta = 200, 0.05
    c = math.log(pb.maurer_xi(n) / delta) / n
    k = np.arange(n + 1)
    for p in (0.02, 0.2, 0.5):
        fail = binom.pmf(k, n, p)[[pb.kl_bernoulli(i / n, p) > c for i in k]].sum()
        assert fail <= delta


def test_sample_convergence_bound_monotone():
    assert pb.sample_convergence_bound(0.1, 2000, 0.01) > 0.1
    big, small = (pb.sample_convergence_bound(0.1, M, 0.01) for M in (20000, 2000))
    assert big < small


def _kl_oracle(q, p):
    """Binary kl from scipy.special.rel_entr (independent of pb.kl_bernoulli)."""
    return float(rel_entr(q, p) + rel_entr(1 - q, 1 - p))


def _kl_inv_oracle(q, c):
    return brentq(lambda p: _kl_oracle(q, p) - c, q, 1 - 1e-15, xtol=1e-15)


@pytest.mark.parametrize("emp,kl,n,delta", [(0.0, 0.0, 50, 0.05), (0.04, 350.0, 1347, 0.001),
                                            (0.2, 10.0, 200, 0.1), (0.5, 3.0, 8, 0.5)])
def test_kl_bound_value_against_oracle(emp, kl, n, delta):
    # xi(n) = sum_k P[Bin(n, k/n) = k], kl^{-1} by brentq: catches c/2, a dropped xi(n)
    k = np.arange(n + 1)
    xi = binom.pmf(k, n, k / n).sum()
    ref = _kl_inv_oracle(emp, (kl + math.log(xi / delta)) / n)
    assert pb.kl_bound(emp, kl, n, delta) == pytest.approx(ref, abs=1e-9)
    wrong = _kl_inv_oracle(emp, (kl + math.log(xi / delta)) / (2 * n))
    assert abs(ref - wrong) > 1e-6  # the oracle can tell a halved complexity term


@pytest.mark.parametrize("mc,M,delta", [(0.0, 100, 0.05), (0.06, 2000, 0.01), (0.5, 37, 0.2)])
def test_sample_convergence_bound_value_against_oracle(mc, M, delta):
    ref = _kl_inv_oracle(mc, math.log(2 / delta) / M)
    assert pb.sample_convergence_bound(mc, M, delta) == pytest.approx(ref, abs=1e-9)
    assert ref > mc + 1e-6  # the correction is not the raw Monte Carlo risk


def test_sample_convergence_bound_exact_coverage():
    # For Bernoulli(p) losses the bound from M draws falls below p with probability <= delta/2
    M, delta = 200, 0.05
    k = np.arange(M + 1)
    up = np.array([pb.sample_convergence_bound(i / M, M, delta) for i in k])
    for p in (0.01, 0.05, 0.2, 0.5, 0.9):
        assert binom.pmf(k, M, p)[up < p].sum() <= delta / 2


def test_mlp_logits_against_torch_modules():
    sizes = (5, 4, 3)
    theta = pb.mlp_init(sizes, seed=1) + 0.1
    X = torch.randn(6, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    W1 = theta[:20].reshape(4, 5)
    b1 = theta[20:24]
    W2 = theta[24:36].reshape(3, 4)
    b2 = theta[36:39]
    ref = torch.relu(X @ W1.T + b1) @ W2.T + b2
    assert torch.allclose(pb.mlp_logits(theta, X, sizes), ref)
    both = pb.mlp_logits(torch.stack([theta, theta]), X, sizes)
    assert both.shape == (2, 6, 3) and torch.allclose(both[1], ref)
    assert pb.mlp_num_params(sizes) == 39


def test_gibbs_errors_and_bound_pipeline_small():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 3, dtype=torch.float64, generator=g)
    y = (X[:, 0] > 0).long()
    sizes = (3, 4, 2)
    w0 = pb.mlp_init(sizes, seed=0)
    w = pb.train_sgd(w0, X, y, sizes, epochs=5, seed=0)
    post = pb.GaussianPosterior(w, std=1e-2, sigma_prior=0.1)
    pb.optimize_posterior(post, w0, X, y, sizes, steps=50, lr=1e-2)
    r = pb.pac_bayes_bound(post, w0, X, y, sizes, num_samples=100)
    assert 0 <= r.mc_train_error <= r.train_error_bound <= r.bound <= 1
    errs = pb.gibbs_errors(torch.stack([w, w]), X, y, sizes)
    assert errs.shape == (2,) and errs[0] == errs[1]


@pytest.mark.parametrize("call,exc", [
    (lambda: pb.kl_bernoulli(1.2, 0.5), ValueError),
    (lambda: pb.kl_bernoulli(float("nan"), 0.5), ValueError),
    (lambda: pb.kl_bernoulli(0.1 + 1j, 0.5), TypeError),
    (lambda: pb.kl_inverse(0.1, -1.0), ValueError),
    (lambda: pb.maurer_xi(0), ValueError),
    (lambda: pb.maurer_xi(2.5), TypeError),
    (lambda: pb.gaussian_kl([0.0], [-1.0], [0.0], 1.0), ValueError),
    (lambda: pb.gaussian_kl([0.0, 1.0], [1.0, 1.0, 1.0], [0.0], 1.0), ValueError),
    (lambda: pb.gaussian_kl([np.inf], [1.0], [0.0], 1.0), ValueError),
    (lambda: pb.kl_bound(0.1, 1.0, 100, 0.0), ValueError),
    (lambda: pb.mcallester_bound(0.1, -1.0, 100, 0.1), ValueError),
    (lambda: pb.sample_convergence_bound(0.1, 0, 0.1), ValueError),
    (lambda: pb.mlp_init((5,)), ValueError),
    (lambda: pb.mlp_logits(torch.zeros(3), torch.zeros(2, 5), (5, 4, 3)), ValueError),
    (lambda: pb.mlp_logits(torch.zeros(39), torch.zeros(2, 4), (5, 4, 3)), ValueError),
    (lambda: pb.GaussianPosterior(torch.zeros(3), std=0.0), ValueError),
])
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()


# --- helpers of chapter gen-modern in dlf.generalization ---------------------------------------

from dlf import generalization as gm  # noqa: E402


def test_nk_one_step_and_exact_test_error():
    X, y = gm.nk_sample(30, 400, 3, 0.5, seed=1)
    assert X.shape == (30, 403)
    assert np.allclose(30 * (X[:, :3] * y[:, None]).mean(0) @ np.ones(3), math.sqrt(0.5 / 30) * 30)
    w = gm.nk_one_step(X, y, 3)
    assert np.allclose(w, sum(y[i] * X[i] for i in range(30)))
    wf = gm.nk_one_step(X, y, 3, flip=True)
    assert np.allclose(wf[:3], w[:3]) and np.allclose(wf[3:], -w[3:])
    from scipy.stats import norm
    ref = norm.sf(0.5 * 20 / np.linalg.norm(w[3:]))
    assert gm.nk_test_error(wf, 3, 0.5, 30) == pytest.approx(ref)


def test_sparsify_unbiased_and_variance_closed_form():
    c = np.array([0.6, 0.05, -0.02, 0.0, 0.3])
    p = gm.sparsify_probabilities(c, 0.5)
    assert np.allclose(p, np.minimum(1, 8 * c ** 2 / 0.25))
    u = np.array([0.1, -0.5, 0.7, 0.2, 0.3])
    # exact variance by enumerating the 2^4 keep patterns of the coordinates with 0 < p < 1
    import itertools
    vals = []
    for keep in itertools.product([0, 1], repeat=5):
        prob = np.prod([pi if k else 1 - pi for k, pi in zip(keep, p, strict=True)])
        if prob == 0:
            continue
        ch = np.array([ci / pi if (k and pi > 0) else 0.0
                       for k, ci, pi in zip(keep, c, p, strict=True)])
        vals.append((prob, ch @ u))
    pr, v = np.array(vals).T
    assert pr @ v == pytest.approx(c @ u)
    assert pr @ (v - c @ u) ** 2 == pytest.approx(gm.sparsify_variance(c, u, 0.5))
    assert gm.sparsify(c, 0.5, size=7).shape == (7, 5)


def test_truncate_svd_and_stable_rank():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((8, 6)) @ np.diag(2.0 ** -np.arange(6))
    Ah, r = gm.truncate_svd(A, 0.2)
    s = np.linalg.svd(A, compute_uv=False)
    assert r == int((s >= 0.2 * s[0]).sum()) and np.linalg.matrix_rank(Ah) == r
    assert np.linalg.norm(A - Ah, 2) == pytest.approx(s[r])
    assert gm.stable_rank(A) == pytest.approx((s ** 2).sum() / s[0] ** 2)


def test_sum_exp_jacobian_hessian_against_autograd():
    theta, t = np.array([0.5, 1.5, 2.5]), np.linspace(0, 3, 11)
    tt = torch.tensor(t)
    f = lambda th: torch.exp(-torch.outer(tt, th)).sum(1)  # noqa: E731
    y, J = gm.sum_exp_model(theta, t)
    assert np.allclose(y, f(torch.tensor(theta)).numpy())
    assert np.allclose(J, torch.autograd.functional.jacobian(f, torch.tensor(theta)).numpy())
    H = gm.sum_exp_hessians(theta, t)
    for i in (0, 5, 10):
        Hi = torch.autograd.functional.hessian(lambda th, i=i: f(th)[i],
                                               torch.tensor(theta)).numpy()
        assert np.allclose(H[i], Hi)
    assert np.allclose(gm.fisher_gauss_newton(J, 2.0), J.T @ J / 4)
    assert np.allclose(gm.vandermonde([2.0, 3.0], 3), [[1, 2, 4], [1, 3, 9]])


@pytest.mark.parametrize("call,exc", [
    (lambda: gm.nk_sample(0, 10, 2, 0.5), ValueError),
    (lambda: gm.nk_sample(10, 10, 2, -0.5), ValueError),
    (lambda: gm.nk_one_step(np.zeros((3, 5)), np.ones(4), 2), ValueError),
    (lambda: gm.nk_one_step(np.zeros((3, 5)), np.ones(3), 5), ValueError),
    (lambda: gm.sparsify_probabilities([0.1, np.nan], 0.5), ValueError),
    (lambda: gm.sparsify_probabilities([0.1], 0.0), ValueError),
    (lambda: gm.sparsify_variance([0.1, 0.2], [1.0], 0.5), ValueError),
    (lambda: gm.truncate_svd(np.zeros(3), 0.1), ValueError),
    (lambda: gm.truncate_svd(np.eye(2) * 1j, 0.1), TypeError),
    (lambda: gm.stable_rank(np.zeros((2, 2))), ValueError),
    (lambda: gm.fisher_gauss_newton(np.ones((2, 2)), -1.0), ValueError),
    (lambda: gm.vandermonde([1.0], 0), ValueError),
])
def test_generalization_helpers_bad_input(call, exc):
    with pytest.raises(exc):
        call()

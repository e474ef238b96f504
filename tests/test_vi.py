"""Tests for dlf.vi against independent oracles: torch.distributions, scipy.integrate.quad,
Gauss-Hermite quadrature and brute-force enumeration of K-tuples of draws."""

import itertools
import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats
from scipy.special import logsumexp
from torch.distributions import MultivariateNormal, Normal, kl_divergence

from dlf import vi


def test_gaussian_kl_against_torch():
    rng = np.random.default_rng(0)
    mq, mp = rng.normal(size=5), rng.normal(size=5)
    vq, vp = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    ref = kl_divergence(Normal(torch.tensor(mq), torch.tensor(vq).sqrt()),
                        Normal(torch.tensor(mp), torch.tensor(vp).sqrt())).numpy()
    np.testing.assert_allclose(vi.gaussian_kl(mq, vq, mp, vp), ref, rtol=1e-12)
    assert vi.gaussian_kl(0.7, 0.3) == pytest.approx(0.496986, abs=1e-6)


def test_gaussian_kl_full_against_torch():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    cq, cp = A @ A.T + 0.5 * np.eye(3), B @ B.T + 0.5 * np.eye(3)
    mq, mp = rng.normal(size=3), rng.normal(size=3)
    ref = kl_divergence(MultivariateNormal(torch.tensor(mq), torch.tensor(cq)),
                        MultivariateNormal(torch.tensor(mp), torch.tensor(cp)))
    assert vi.gaussian_kl_full(mq, cq, mp, cp) == pytest.approx(float(ref), rel=1e-10)
    with pytest.raises(ValueError, match="cov_q"):
        vi.gaussian_kl_full(mq, -cq, mp, cp)


def test_estimators_unbiased_and_exact_variances():
    # d/dmu E z^2 = 2 mu; per-sample variances 21.75 (score) and 4 sigma^2 = 1 (reparam)
    n = 100_000
    s = vi.score_function_grads(lambda z: z ** 2, 1.0, 0.5, n, seed=3)
    r = vi.reparam_grads(lambda z: z ** 2, 1.0, 0.5, n, seed=3)
    for g, var in ((s[:, 0], 21.75), (r[:, 0], 1.0)):
        assert abs(g.mean() - 2.0) < 5 * math.sqrt(var / n)
        se_var = np.std((g - g.mean()) ** 2) / math.sqrt(n)
        assert abs(g.var() - var) < 5 * se_var
    # d/dsigma E z^2 = 2 sigma, both estimators
    for g in (s[:, 1], r[:, 1]):
        assert abs(g.mean() - 1.0) < 5 * g.std() / math.sqrt(n)
    # the reparameterised draw is the exact derivative 2 z at z = mu + sigma eps (same eps)
    eps = torch.randn(n, generator=torch.Generator().manual_seed(3), dtype=torch.float64).numpy()
    np.testing.assert_allclose(r[:, 0], 2 * (1.0 + 0.5 * eps), rtol=1e-12)
    np.testing.assert_allclose(s[:, 0], (1.0 + 0.5 * eps) ** 2 * eps / 0.5, rtol=1e-12)


def test_linear_gaussian_against_quadrature():
    model = vi.LinearGaussianModel(2.0, 0.5)
    x = 1.3
    ref = math.log(integrate.quad(lambda z: math.exp(float(model.log_joint(x, z))), -10, 10,
                                  epsabs=0, epsrel=1e-12)[0])
    assert model.log_evidence(x) == pytest.approx(ref, abs=1e-10)
    assert model.log_evidence(x) == pytest.approx(-1.858755, abs=1e-6)
    m, v = 0.5, 0.2
    q = stats.norm(m, math.sqrt(v))
    ref_elbo = integrate.quad(lambda z: q.pdf(z) * (float(model.log_joint(x, z)) - q.logpdf(z)),
                              -8, 8, epsabs=0, epsrel=1e-12)[0]
    assert model.elbo(x, m, v) == pytest.approx(ref_elbo, abs=1e-9)
    pm, pv = model.posterior(x)
    post = lambda z: math.exp(float(model.log_joint(x, z)) - ref)  # noqa: E731
    assert integrate.quad(lambda z: z * post(z), -10, 10)[0] == pytest.approx(pm, abs=1e-9)
    assert model.elbo(x, 0.0, 1.0) == pytest.approx(-6.262365, abs=1e-6)


def test_laplace_against_quad():
    for n, err in ((10, 0.0588), (100, 0.00725), (1000, 0.000747)):
        exact = integrate.quad(lambda w, n=n: math.exp(-n * (w * w / 2 + w ** 4 / 4)), -np.inf,
                               np.inf, epsabs=0, epsrel=1e-13)[0]
        approx = math.exp(vi.laplace_log_integral(0.0, 1.0, n))
        assert approx / exact - 1 == pytest.approx(err, rel=2e-3)
    H = np.array([[2.0, 0.5], [0.5, 1.0]])  # exact for a quadratic
    exact = -0.5 * np.linalg.slogdet(H)[1] + math.log(2 * math.pi / 3.0)
    assert vi.laplace_log_integral(0.0, H, 3.0) == pytest.approx(exact, rel=1e-12)


def test_fit_gaussian_1d_bimodal_and_gaussian():
    grid = np.linspace(-8, 8, 4001)
    lp = np.logaddexp(stats.norm.logpdf(grid, -2, .5), stats.norm.logpdf(grid, 2, .5)) - math.log(2)
    mu, var, kl = vi.fit_gaussian_1d(lp, grid, "reverse", 1.0, 1.0)
    assert mu == pytest.approx(2.0, abs=1e-3) and var == pytest.approx(0.2504, abs=2e-4)
    assert kl == pytest.approx(math.log(2), abs=1e-3)
    mu, var, _ = vi.fit_gaussian_1d(lp, grid, "forward", 1.0, 1.0)
    assert mu == pytest.approx(0.0, abs=1e-5) and var == pytest.approx(4.25, abs=1e-5)
    lp = stats.norm.logpdf(grid, 0.3, 1.2)
    for d in ("reverse", "forward"):
        mu, var, kl = vi.fit_gaussian_1d(lp, grid, d)
        assert (mu, var) == pytest.approx((0.3, 1.44), abs=1e-5) and abs(kl) < 1e-8


def test_mean_field_matches_numerical_minimisation():
    from scipy.optimize import minimize
    cov = np.array([[1.0, 0.9], [0.9, 1.0]])
    mean = np.array([0.5, -1.0])
    for d, v in (("reverse", 0.19), ("forward", 1.0)):
        m, var = vi.mean_field_gaussian(mean, cov, d)
        np.testing.assert_allclose(var, [v, v], rtol=1e-12)

        def obj(t, d=d):
            cq = np.diag(np.exp(t[2:]))
            if d == "reverse":
                return vi.gaussian_kl_full(t[:2], cq, mean, cov)
            return vi.gaussian_kl_full(mean, cov, t[:2], cq)
        res = minimize(obj, np.zeros(4), method="BFGS", options={"gtol": 1e-10})
        np.testing.assert_allclose(np.exp(res.x[2:]), var, rtol=1e-5)
        np.testing.assert_allclose(res.x[:2], m, atol=1e-5)


def test_iwae_exact_discrete_against_brute_force():
    lj = stats.norm.logpdf(0.8, np.array([-3.0, 0.0, 3.0]), 1) + math.log(1 / 3)
    q = np.array([0.2, 0.5, 0.3])
    for K in (1, 2, 3, 4):
        brute = 0.0
        for tup in itertools.product(range(3), repeat=K):
            t = np.array(tup)
            brute += np.prod(q[t]) * (logsumexp(lj[t] - np.log(q[t])) - math.log(K))
        assert vi.iwae_exact_discrete(lj, q, K) == pytest.approx(brute, abs=1e-12)
    prior = np.ones(3) / 3
    vals = [vi.iwae_exact_discrete(lj, prior, K) for K in (1, 8, 64)]
    np.testing.assert_allclose(vals, [-4.238939, -2.337097, -2.232456], atol=1e-6)
    post = np.exp(lj - logsumexp(lj))
    assert vi.iwae_exact_discrete(lj, post, 5) == pytest.approx(logsumexp(lj), abs=1e-12)


def test_iwae_estimate_stable():
    lw = np.array([[-1000.0, -1001.0], [0.0, 0.0]])
    np.testing.assert_allclose(vi.iwae_estimate(lw),
                               [-1000 + math.log((1 + math.exp(-1)) / 2), 0.0], rtol=1e-12)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="var_q"):
        vi.gaussian_kl(0.0, -1.0)
    with pytest.raises(ValueError, match="direction"):
        vi.fit_gaussian_1d(np.zeros(5), np.arange(5.0), "sideways")
    with pytest.raises(ValueError, match="sigma"):
        vi.reparam_grads(lambda z: z, 0.0, 0.0, 3)
    with pytest.raises(TypeError, match="K"):
        vi.iwae_exact_discrete(np.zeros(2), np.ones(2) / 2, 2.5)
    with pytest.raises(ValueError, match="hessian"):
        vi.laplace_log_integral(0.0, -1.0, 3)

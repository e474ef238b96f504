"""Tests for dlf.diffusion against independent oracles: simulated chains, Gaussian conditioning,
autograd of torch.distributions.MixtureSameFamily, brute-force MMD sums."""

import math

import numpy as np
import pytest
import torch

from dlf import diffusion as df


def test_alpha_bar_product_and_schedule():
    b = df.linear_beta_schedule(100, 1e-4, 0.1)
    assert b[0] == 1e-4 and b[-1] == pytest.approx(0.1)
    ab = df.alpha_bar(b)
    assert ab.shape == (101,) and ab[0] == 1.0
    assert ab[57] == pytest.approx(np.prod(1 - b[:57]), rel=1e-12)
    assert ab[100] == pytest.approx(0.0056188, abs=5e-8)


def test_q_sample_matches_simulated_chain():
    b = df.linear_beta_schedule(30, 1e-3, 0.2)
    rng = np.random.default_rng(0)
    x = np.full(200_000, -1.0)
    for t in range(1, 16):
        x = math.sqrt(1 - b[t - 1]) * x + math.sqrt(b[t - 1]) * rng.standard_normal(x.size)
    xs, eps = df.q_sample(np.full(200_000, -1.0), 15, b, 1)
    ab = df.alpha_bar(b)[15]
    se_m = math.sqrt((1 - ab) / x.size)
    for s in (x, xs):
        assert abs(s.mean() + math.sqrt(ab)) < 5 * se_m
        assert abs(s.var() - (1 - ab)) < 5 * (1 - ab) * math.sqrt(2 / x.size)
    assert np.allclose(xs, -math.sqrt(ab) + math.sqrt(1 - ab) * eps)


def test_q_posterior_is_gaussian_conditioning():
    b = df.linear_beta_schedule(50)
    ab = df.alpha_bar(b)
    for t in (1, 2, 25, 50):
        v = 1 - ab[t - 1]
        c = math.sqrt(1 - b[t - 1]) * v
        x0, xt = 0.8, -0.4
        mean = math.sqrt(ab[t - 1]) * x0 + c / (1 - ab[t]) * (xt - math.sqrt(ab[t]) * x0)
        var = v - c * c / (1 - ab[t])
        m, s2 = df.q_posterior(x0, xt, t, b)
        assert m == pytest.approx(mean, abs=1e-13) and s2 == pytest.approx(var, abs=1e-13)


def test_mixture_score_and_eps_star_vs_autograd():
    b = df.linear_beta_schedule(20)
    ab = df.alpha_bar(b)
    _, _, means = df.gaussian_ring(10, k=5, radius=1.5, std=0.3)
    x = torch.tensor(np.random.default_rng(1).normal(size=(9, 2)), requires_grad=True)
    for t in (1, 7, 20):
        a = ab[t]
        comp = torch.distributions.Independent(torch.distributions.Normal(
            torch.tensor(math.sqrt(a) * means), math.sqrt(a * 0.09 + 1 - a)), 1)
        mix = torch.distributions.MixtureSameFamily(
            torch.distributions.Categorical(torch.ones(5, dtype=torch.float64)), comp)
        lp = mix.log_prob(x)
        g = torch.autograd.grad(lp.sum(), x)[0].numpy()
        xn = x.detach().numpy()
        assert np.allclose(df.mixture_log_prob(xn, means, 0.3, a), lp.detach().numpy(), atol=1e-12)
        assert np.allclose(df.mixture_score(xn, means, 0.3, a), g, atol=1e-10)
        assert np.allclose(df.eps_star(xn, t, b, means, 0.3), -math.sqrt(1 - a) * g, atol=1e-10)


def test_gaussian_ring_modes():
    X, lab, means = df.gaussian_ring(8000, k=8, radius=2.0, std=0.2, seed=3)
    assert np.allclose(np.linalg.norm(means, axis=1), 2.0)
    r = X - means[lab]
    assert abs(r.std() - 0.2) < 5 * 0.2 / math.sqrt(2 * r.size)


def _mmd_brute(X, Y, h):
    k = lambda a, b: math.exp(-np.sum((a - b) ** 2) / (2 * h * h))  # noqa: E731
    m, n = len(X), len(Y)
    sxx = sum(k(X[i], X[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    syy = sum(k(Y[i], Y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    sxy = sum(k(X[i], Y[j]) for i in range(m) for j in range(n)) / (m * n)
    return sxx + syy - 2 * sxy


def test_mmd_unbiased_vs_brute_force_and_permutation_validity():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 2)), rng.normal(0.5, 1, size=(9, 2))
    assert df.mmd2_unbiased(X, Y, 0.7) == pytest.approx(_mmd_brute(X, Y, 0.7), abs=1e-12)
    stat, p = df.mmd_permutation_test(X, Y, 0.7, B=50, seed=0)
    assert stat == pytest.approx(_mmd_brute(X, Y, 0.7), abs=1e-12)
    assert 1 / 51 <= p <= 1
    # far apart samples: the observed statistic beats every permutation
    _, p_far = df.mmd_permutation_test(X, Y + 10, 0.7, B=99, seed=0)
    assert p_far == pytest.approx(0.01)


def test_ddpm_sample_with_exact_eps_on_gaussian_data():
    # data N(m, s^2) in 1-D: eps* is linear, samples should have the data's mean and variance
    b = df.linear_beta_schedule(200, 1e-4, 0.05)
    m, s = 1.0, 0.5
    eps = lambda x, t: df.eps_star(x, t, b, np.array([[m]]), s)  # noqa: E731
    S = df.ddpm_sample(eps, 8000, b, d=1, seed=0)[:, 0]
    assert abs(S.mean() - m) < 0.03
    assert abs(S.std() - s) < 0.03


def test_denoiser_training_reduces_loss():
    torch.manual_seed(0)
    b = df.linear_beta_schedule(20)
    X, _, _ = df.gaussian_ring(500, seed=0)
    net = df.DenoiserMLP(20, hidden=32, n_freq=2)
    losses = df.train_denoiser(net, torch.tensor(X, dtype=torch.float32), b, steps=120,
                               lr=3e-3, batch_size=128, seed=0)
    assert losses[-30:].mean() < 0.9 * losses[:10].mean()


def test_bad_inputs():
    with pytest.raises(ValueError, match="betas"):
        df.alpha_bar([0.1, 1.5])
    with pytest.raises(ValueError, match="t"):
        df.q_posterior(0.0, 0.0, 0, [0.1, 0.2])
    with pytest.raises(TypeError, match="T"):
        df.linear_beta_schedule(10.5)
    with pytest.raises(ValueError, match="means"):
        df.mixture_score(np.zeros((3, 2)), np.zeros((2, 3)), 0.2)
    with pytest.raises(ValueError, match="X"):
        df.mmd2_unbiased(np.zeros((1, 2)), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="eps_fn"):
        df.ddpm_sample(None, 3, [0.1])

"""Tests for dlf.diffusion against independent oracles: simulated chains, Gaussian conditioning,
autograd of torch.distributions.MixtureSameFamily, closed-form Gaussian losses and samples."""

import math

import numpy as np
import pytest
import torch

from dlf import data
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
    means = data.ring_centers(5, 1.5)
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


def test_dsm_loss_at_exact_eps_star_is_the_minimal_loss():
    # data N(m, s^2) in 1-D: eps*(x, t) is linear and L(eps*) = mean_t (a s^2) / (a s^2 + 1 - a)
    b = df.linear_beta_schedule(10, 1e-3, 0.3)
    ab = df.alpha_bar(b)
    m, s = 0.7, 0.4

    def model(xt, t):
        x, tt, out = xt.numpy(), t.numpy(), np.empty(tuple(xt.shape))
        for k in np.unique(tt):
            out[tt == k] = df.eps_star(x[tt == k], int(k), b, np.array([[m]]), s)
        return torch.tensor(out)

    n = 200_000
    x0 = torch.tensor(np.random.default_rng(0).normal(m, s, (n, 1)))
    g = torch.Generator().manual_seed(0)
    loss = float(df.dsm_loss(model, x0, torch.tensor(ab), g))
    a = ab[1:]
    exact = np.mean(a * s * s / (a * s * s + 1 - a))
    # per-sample loss is r_t * chi^2_1 with r_t <= 1: variance 3 E r^2 - (E r)^2 <= 3
    assert abs(loss - exact) < 5 * math.sqrt(3 / n)


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
    X, _ = data.gaussian_ring(500, std=0.2, seed=0)
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
    with pytest.raises(ValueError, match="abar"):
        df.dsm_loss(lambda x, t: x, torch.zeros(3, 2), torch.tensor([1.0]))
    with pytest.raises(TypeError, match="eps_fn"):
        df.ddpm_sample(None, 3, [0.1])

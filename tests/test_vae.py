"""Tests for dlf.vae against independent oracles: torch's binary_cross_entropy_with_logits and
torch.distributions, iwae(K=1) = one-draw ELBO on the same noise, quadrature vs Monte Carlo."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from dlf import vae


@pytest.fixture(autouse=True, scope="module")
def _float64():
    """float64 for this module's tests only (a global default would leak into other modules'
    tests that share the worker process)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _data(n=12, d=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, d, generator=g) < 0.4).to(torch.float64)


def test_elbo_matches_an_independent_computation():
    x = _data()
    model = vae.VAE(d=10, m=2, hidden=7, seed=1)
    e = model.elbo(x, beta=2.5, generator=torch.Generator().manual_seed(3), n_samples=4)
    mu, lv = model.encode(x)
    eps = torch.randn((4,) + mu.shape, generator=torch.Generator().manual_seed(3))
    z = mu + (0.5 * lv).exp() * eps
    rec = -F.binary_cross_entropy_with_logits(model.dec(z), x.expand(4, -1, -1),
                                              reduction="none").sum(-1).mean(0)
    kl = kl_divergence(Normal(mu, (0.5 * lv).exp()), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(e, rec - 2.5 * kl, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(model.kl_term(x), kl, rtol=1e-12, atol=1e-12)


def test_iwae_k1_is_the_full_monte_carlo_elbo_on_the_same_noise():
    x = _data()
    model = vae.VAE(d=10, m=2, hidden=7, seed=2)
    L1 = model.iwae(x, 1, generator=torch.Generator().manual_seed(5))
    mu, lv = model.encode(x)
    eps = torch.randn((1,) + mu.shape, generator=torch.Generator().manual_seed(5))[0]
    z = mu + (0.5 * lv).exp() * eps
    q = Normal(mu, (0.5 * lv).exp())
    ref = (-F.binary_cross_entropy_with_logits(model.dec(z), x, reduction="none").sum(-1)
           + Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1))
    torch.testing.assert_close(L1, ref.detach(), rtol=1e-12, atol=1e-12)
    lw = model.log_weights(x, 1, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(lw[0], ref.detach(), rtol=1e-12, atol=1e-12)


def test_iwae_is_the_log_mean_of_the_log_weights():
    x = _data()
    model = vae.VAE(d=10, m=2, hidden=7, seed=2)
    lw = model.log_weights(x, 7, generator=torch.Generator().manual_seed(3), chunk=4)
    assert lw.shape == (7, x.shape[0])
    L7 = model.iwae(x, 7, generator=torch.Generator().manual_seed(3), chunk=4)
    ref = torch.exp(lw).mean(0).log()                 # direct, without log-sum-exp
    torch.testing.assert_close(L7, ref, rtol=1e-12, atol=1e-12)


def test_grid_quantities_on_a_small_model():
    x = _data(n=6)
    model = vae.VAE(d=10, m=2, hidden=7, seed=3)
    lp = vae.log_marginal_grid(model, x, n_grid=200, lim=7.0)
    lp_fine = vae.log_marginal_grid(model, x, n_grid=300, lim=8.0)
    torch.testing.assert_close(lp, lp_fine, rtol=0, atol=1e-8)
    # importance sampling with many draws agrees with quadrature (log p = log E_q w)
    L = model.iwae(x, 20000, generator=torch.Generator().manual_seed(0))
    assert torch.all((L - lp).abs() < 0.02)
    # ELBO identity on the grid: log p - ELBO = KL(q || posterior), ELBO <= log p
    mu, lv = model.encode(x)
    with torch.no_grad():
        e_grid = vae.gaussian_elbo_grid(model, x, mu, lv, n_grid=300, lim=8.0)
    kl = vae.posterior_kl_grid(model, x, n_grid=300, lim=8.0)
    torch.testing.assert_close(lp_fine - e_grid, kl, rtol=0, atol=1e-8)
    assert torch.all(kl > 0)
    e_mc = model.elbo(x, generator=torch.Generator().manual_seed(1), n_samples=20000).detach()
    assert torch.all((e_mc - e_grid).abs() < 0.05)


def test_training_decreases_the_loss_and_errors():
    x = _data(n=40, d=10)
    model, hist = vae.train_vae(x, m=2, hidden=16, steps=300, lr=5e-3, batch_size=20, seed=0)
    assert hist[-1][1] < 0.9 * hist[0][1]
    with pytest.raises(ValueError, match="model"):
        vae.log_marginal_grid(vae.VAE(d=10, m=3, hidden=4), x)
    with pytest.raises(ValueError, match="x"):
        model.elbo(x * 0.5)
    with pytest.raises(ValueError, match="beta"):
        model.elbo(x, beta=-1.0)
    with pytest.raises(TypeError, match="generator"):
        model.iwae(x, 2, generator=3)
    assert model.sample(4).shape == (4, 10)
    assert math.isfinite(float(model.iwae(x, 3).mean()))

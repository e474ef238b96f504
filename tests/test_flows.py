"""Tests for dlf.flows against independent oracles: autograd Jacobians with torch.linalg.slogdet,
torch.distributions.MultivariateNormal, scipy.stats distribution functions, closed forms."""

import math

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from dlf import flows


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _randomize(module, std=0.5, seed=0):
    torch.manual_seed(seed)
    for p in module.parameters():
        p.data.normal_(0.0, std)
    return module


@pytest.mark.parametrize("mask", [[1, 0], [0, 1], [1, 1, 0, 0], [0, 1, 0, 1, 1]])
def test_affine_coupling_logdet_and_inverse(mask):
    layer = _randomize(flows.AffineCoupling(mask, hidden=8))
    x = torch.randn(4, len(mask))
    z, ld = layer(x)
    assert torch.allclose(ld.detach(), flows.autograd_logdet(layer, x), atol=1e-10)
    assert torch.allclose(layer.inverse(z).detach(), x, atol=1e-12)
    keep = torch.tensor(mask, dtype=torch.bool)
    assert torch.equal(z[:, keep], x[:, keep])
    s, tau = layer.scale_shift(x)
    assert torch.equal(s[:, keep], torch.zeros_like(s[:, keep]))
    assert torch.allclose(z.detach(), x * torch.exp(s.detach()) + tau.detach(), atol=1e-12)
    assert torch.allclose(s.sum(dim=1).detach(), ld.detach(), atol=1e-12)
    s_z, _ = layer.scale_shift(z)  # only the kept part is read, and z_A = x_A
    assert torch.equal(s_z, s)


def test_additive_coupling_volume_preserving():
    layer = _randomize(flows.AdditiveCoupling([1, 0, 1], hidden=8))
    x = torch.randn(5, 3)
    z, ld = layer(x)
    assert torch.equal(ld, torch.zeros(5))
    assert torch.allclose(flows.autograd_logdet(layer, x), torch.zeros(5), atol=1e-12)
    assert torch.allclose(layer.inverse(z).detach(), x, atol=1e-12)


def test_flow_stack_logdet_and_log_prob_normalized_in_1d_slices():
    flow = flows.realnvp(2, n_layers=4, hidden=8, seed=1)
    _randomize(flow, 0.4, seed=1)
    x = torch.randn(6, 2)
    z, ld = flow(x)
    assert torch.allclose(ld.detach(), flows.autograd_logdet(flow, x), atol=1e-10)
    assert torch.allclose(flow.inverse(z).detach(), x, atol=1e-12)
    # log_prob integrates to one (grid quadrature)
    g = torch.linspace(-10, 10, 801)
    G = torch.cartesian_prod(g, g)
    with torch.no_grad():
        mass = flow.log_prob(G).exp().sum().item() * (g[1] - g[0]).item() ** 2
    assert mass == pytest.approx(1.0, abs=1e-3)


def test_affine_flow_matches_multivariate_normal():
    layers = []
    for mask in ([1, 0], [0, 1]):
        lin = _randomize(nn.Linear(2, 4), seed=len(layers))
        lin.weight.data[:2] = 0.0
        layers.append(flows.AffineCoupling(mask, net=lin))
    flow = flows.Flow(layers)
    with torch.no_grad():
        c = flow(torch.zeros(1, 2))[0][0]
        M = (flow(torch.eye(2))[0] - c).T
        Minv = torch.linalg.inv(M)
        mvn = torch.distributions.MultivariateNormal(-Minv @ c, Minv @ Minv.T)
        x = torch.randn(7, 2)
        assert torch.allclose(flow.log_prob(x), mvn.log_prob(x), atol=1e-10)


def test_sample_is_inverse_of_standard_normal():
    flow = _randomize(flows.realnvp(2, n_layers=2, hidden=4, seed=0), 0.3)
    s1 = flow.sample(5, torch.Generator().manual_seed(3))
    z = torch.randn(5, 2, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(s1, flow.inverse(z).detach())


def test_inverse_cdf_map_uniform_to_exponential_closed_form():
    T = flows.inverse_cdf_map(stats.uniform.cdf, stats.expon.ppf)
    u = np.array([0.1, 0.5, 0.9])
    assert np.allclose(T(u), -np.log1p(-u), rtol=1e-12)
    T2 = flows.inverse_cdf_map(stats.gamma(2).cdf, stats.norm.ppf)
    x = np.random.default_rng(0).gamma(2.0, size=20_000)
    assert stats.kstest(T2(x), "norm").pvalue > 1e-4


def test_train_flow_decreases_nll():
    torch.set_default_dtype(torch.float32)
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.normal(size=(500, 2)) * [0.3, 2.0] + [1.0, -1.0], dtype=torch.float32)
    flow = flows.realnvp(2, n_layers=2, hidden=8, seed=0)
    losses = flows.train_flow(flow, X, steps=150, lr=1e-2, batch_size=128, seed=0)
    exact = -stats.norm.logpdf(X.numpy(), [1.0, -1.0], [0.3, 2.0]).sum(1).mean()
    assert losses[-20:].mean() < losses[:5].mean() - 0.5
    assert losses[-20:].mean() < exact + 0.3


def test_bad_inputs():
    with pytest.raises(ValueError, match="mask"):
        flows.AffineCoupling([1, 1])
    with pytest.raises(ValueError, match="mask"):
        flows.AffineCoupling([1, 2, 0])
    with pytest.raises(TypeError, match="hidden"):
        flows.AffineCoupling([1, 0], hidden=2.5)
    layer = flows.AffineCoupling([1, 0])
    with pytest.raises(ValueError, match="x"):
        layer(torch.zeros(3, 3))
    with pytest.raises(TypeError, match="x"):
        layer(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="layers"):
        flows.Flow([])
    with pytest.raises(TypeError, match="flow"):
        flows.train_flow(layer, torch.zeros(3, 2))
    with pytest.raises(ValueError, match="eps"):
        flows.inverse_cdf_map(stats.norm.cdf, stats.norm.ppf, eps=0.7)
    with pytest.raises(ValueError, match="d"):
        flows.alternating_masks(1, 3)
    assert math.isfinite(float(flows.inverse_cdf_map(stats.norm.cdf, stats.norm.ppf)(40.0)))

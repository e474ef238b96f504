"""Tests for dlf.init against PyTorch's initializers, closed forms and Monte Carlo (5 SE)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlf import init

K_SE = 5.0


def _mean_within(samples, expected):
    s = np.asarray(samples, dtype=float).ravel()
    se = s.std(ddof=1) / math.sqrt(s.size)
    assert abs(s.mean() - expected) <= K_SE * se, (s.mean(), expected, se)


@pytest.mark.parametrize("shape", [(7, 3), (3, 7), (32, 16, 3, 5), (8, 3, 7), (4, 2, 3, 3, 3)])
def test_fans_match_torch(shape):
    ref = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.fans(shape) == tuple(ref)


@pytest.mark.parametrize("name,param", [("linear", None), ("identity", None), ("sigmoid", None),
                                        ("tanh", None), ("relu", None), ("leaky_relu", None),
                                        ("leaky_relu", 0.3)])
def test_gain_matches_torch(name, param):
    ref = torch.nn.init.calculate_gain("linear" if name == "identity" else name, param)
    assert math.isclose(init.gain(name, param), ref, rel_tol=1e-15)


def test_variance_closed_forms():
    shape = (200, 50)
    assert math.isclose(init.variance(shape, "lecun"), 1 / 50)
    assert math.isclose(init.variance(shape, "xavier"), 2 / 250)
    assert math.isclose(init.variance(shape, "he"), 2 / 50)
    assert math.isclose(init.variance(shape, "he", mode="fan_out"), 2 / 200)
    assert math.isclose(init.variance(shape, "torch_default"), 1 / 150)
    assert math.isclose(init.variance((6, 4, 3, 3), "xavier", gain=2.0), 4 * 2 / (36 + 54))


@pytest.mark.parametrize("scheme,mode,torch_fn", [
    ("xavier", None, lambda t, g: torch.nn.init.xavier_normal_(t, generator=g)),
    ("xavier", None, lambda t, g: torch.nn.init.xavier_uniform_(t, generator=g)),
    ("he", "fan_in", lambda t, g: torch.nn.init.kaiming_normal_(t, generator=g)),
    ("he", "fan_out", lambda t, g: torch.nn.init.kaiming_uniform_(t, mode="fan_out",
                                                                   generator=g)),
])
def test_sample_variance_matches_torch_initializers(scheme, mode, torch_fn):
    shape = (300, 40)  # non-square: a swapped fan or a missing factor 2 fails
    v = init.variance(shape, scheme, mode=mode)
    g = torch.Generator().manual_seed(0)
    _mean_within(torch_fn(torch.empty(shape, dtype=torch.float64), g).numpy() ** 2, v)
    for dist in ("normal", "uniform"):
        w = init.sample(shape, scheme, dist=dist, mode=mode, rng=1)
        assert w.dtype == np.float64 and w.shape == shape
        _mean_within(w ** 2, v)


def test_torch_default_linear_variance():
    torch.manual_seed(0)
    w = torch.nn.Linear(40, 300).weight.detach().double().numpy()
    _mean_within(w ** 2, init.variance(w.shape, "torch_default"))
    assert np.abs(w).max() <= 1 / math.sqrt(40)


def test_init_inplace_torch():
    t = torch.empty(500, 20, dtype=torch.float64)
    g = torch.Generator().manual_seed(2)
    out = init.init_(t, "he", dist="uniform", generator=g)
    assert out is t
    _mean_within(t.numpy() ** 2, 2 / 20)
    assert t.abs().max().item() <= math.sqrt(6 / 20)


def test_orthogonal_shapes_and_gain():
    for shape in [(5, 5), (3, 7), (7, 3), (4, 2, 3, 3)]:
        q = init.orthogonal(shape, gain=2.0, rng=0)
        assert q.shape == shape
        flat = q.reshape(shape[0], -1)
        k = min(flat.shape)
        gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4 * np.eye(k), atol=1e-12)


def test_orthogonal_is_haar_on_average():
    # For Haar Q (d x d), E Q_11^2 = 1/d and E tr Q = 0; without the sign fix E tr Q > 0.
    d, draws = 4, 4000
    qs = np.array([init.orthogonal((d, d), rng=s) for s in range(draws)])
    _mean_within(qs[:, 0, 0] ** 2, 1 / d)
    _mean_within(np.trace(qs, axis1=1, axis2=2), 0.0)


def test_propagate_shapes_and_homogeneity():
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((6, 5, 4)), rng.standard_normal((6, 3, 5))]
    x = rng.standard_normal((6, 4))
    sq = init.propagate(ws, x)
    assert sq.shape == (3, 6)
    np.testing.assert_allclose(init.propagate(ws, 2 * x), 4 * sq, rtol=1e-12)
    h = np.maximum(ws[1][0] @ np.maximum(ws[0][0] @ x[0], 0), 0)
    assert math.isclose(sq[2, 0], h @ h, rel_tol=1e-12)


def test_relu_ratio_moments_against_simulation_and_scipy_free_digamma():
    mom = init.relu_ratio_moments(3, 0.7)
    # m = 3: enumerate B exactly; E log chi2_b = psi(b/2) + log 2
    psi = {1: -0.5772156649015329 - 2 * math.log(2), 2: -0.5772156649015329,
           3: -0.5772156649015329 - 2 * math.log(2) + 2}
    w = {1: 3 / 7, 2: 3 / 7, 3: 1 / 7}
    assert math.isclose(mom["mean_log"], math.log(0.7) + sum(w[b] * (psi[b] + math.log(2))
                                                            for b in w), rel_tol=1e-12)
    assert math.isclose(mom["mean"], 0.7 * 1.5) and math.isclose(mom["p_dead"], 1 / 8)
    assert math.isclose(mom["second"], 0.49 * 3 * 8 / 4)
    rng = np.random.default_rng(5)
    z = rng.standard_normal((200_000, 3)) * math.sqrt(0.7)
    rho = np.sum(np.maximum(z, 0) ** 2, axis=1)
    _mean_within(rho ** 2, mom["second"])
    lr = np.log(rho[rho > 0])
    _mean_within(lr, mom["mean_log"])
    _mean_within((lr - lr.mean()) ** 2, mom["var_log"])


def test_log_ratio_density_integrates_to_one():
    y = np.arange(-60, 10, 0.001)
    dens = init.relu_log_ratio_density(y, 16, 0.125)
    assert abs(dens.sum() * 0.001 - 1) < 1e-6
    mean = np.sum(y * dens) * 0.001
    assert abs(mean - init.relu_ratio_moments(16, 0.125)["mean_log"]) < 1e-6


def test_mean_field_erf_closed_form_and_relu():
    from math import erf
    v_erf = np.vectorize(erf)
    for q in (0.1, 0.5, 1.0):
        val = float(init.gaussian_expectation(lambda t: v_erf(t) ** 2, q))
        assert math.isclose(val, 2 / math.pi * math.asin(2 * q / (1 + 2 * q)), rel_tol=1e-10)
    q = init.mean_field_q(lambda t: np.maximum(t, 0), 1.3, 5, v_w=2.0, v_b=0.0)
    np.testing.assert_allclose(q, 1.3, rtol=1e-12)  # He for ReLU: a fixed point
    chi = init.mean_field_chi(lambda t: (t > 0).astype(float), 1.0, v_w=2.0)
    assert math.isclose(chi, 1.0, rel_tol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="shape"):
        init.fans((5,))
    with pytest.raises(ValueError, match="shape"):
        init.fans((0, 3))
    with pytest.raises(TypeError, match="shape"):
        init.fans(5)
    with pytest.raises(ValueError, match="nonlinearity"):
        init.gain("softplus")
    with pytest.raises(ValueError, match="scheme"):
        init.variance((3, 3), "glorot")
    with pytest.raises(ValueError, match="mode"):
        init.variance((3, 3), "he", mode="fan")
    with pytest.raises(ValueError, match="gain"):
        init.variance((3, 3), "he", gain=-1.0)
    with pytest.raises(ValueError, match="dist"):
        init.sample((3, 3), dist="cauchy", rng=0)
    with pytest.raises(TypeError, match="rng"):
        init.sample((3, 3), rng="seed")
    with pytest.raises(TypeError, match="tensor"):
        init.init_(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="weights"):
        init.propagate([np.ones((2, 3))], np.ones(4))
    with pytest.raises(ValueError, match="activation"):
        init.propagate([np.ones((2, 3))], np.ones(3), activation="gelu")
    with pytest.raises(ValueError, match="m \\(layer width"):
        init.relu_ratio_moments(0, 1.0)
    with pytest.raises(ValueError, match="v \\(weight variance"):
        init.relu_ratio_moments(4, 0.0)
    with pytest.raises(ValueError, match="depth"):
        init.mean_field_q(np.tanh, 1.0, 0)
    with pytest.raises(ValueError, match="n_quad"):
        init.gaussian_expectation(np.tanh, 1.0, n_quad=1)


@pytest.mark.parametrize("activation", ["relu", "linear", "tanh", "sigmoid"])
def test_gradient_norms_match_autograd(activation):
    rng = np.random.default_rng(7)
    widths = [4, 6, 3, 5]
    ws = [rng.standard_normal((2, b, a)) for a, b in zip(widths[:-1], widths[1:], strict=True)]
    x, other = rng.standard_normal((2, 4)), rng.standard_normal((2, 5))
    act = {"relu": torch.relu, "linear": lambda t: t, "tanh": torch.tanh,
           "sigmoid": torch.sigmoid}[activation]
    for kind in ("readout", "target"):
        ours = init.gradient_norms(ws, x, activation, **{kind: other})
        assert ours.shape == (3, 2)
        for n in range(2):
            wt = [torch.tensor(w[n], requires_grad=True) for w in ws]
            h = torch.tensor(x[n])
            for w in wt:
                h = act(w @ h)
            o = torch.tensor(other[n])
            loss = (o * h).sum() if kind == "readout" else 0.5 * ((h - o) ** 2).sum()
            ref = [float((g ** 2).sum()) for g in torch.autograd.grad(loss, wt)]
            np.testing.assert_allclose(ours[:, n], ref, rtol=1e-12)


def test_gradient_norms_bad_input():
    w = [np.ones((2, 3))]
    with pytest.raises(ValueError, match="exactly one"):
        init.gradient_norms(w, np.ones(3))
    with pytest.raises(ValueError, match="exactly one"):
        init.gradient_norms(w, np.ones(3), readout=np.ones(2), target=np.ones(2))
    with pytest.raises(ValueError, match="target"):
        init.gradient_norms(w, np.ones(3), target=np.ones(3))
    with pytest.raises(ValueError, match="weights"):
        init.gradient_norms(w, np.ones(4), readout=np.ones(2))

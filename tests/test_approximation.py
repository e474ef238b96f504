"""Tests for dlf.approximation against independent oracles."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from dlf import approximation as apx


def test_threshold_net_within_eps_and_width():
    g = lambda x: np.sin(2 * np.pi * x)  # noqa: E731
    x = np.linspace(0, 1, 20_001)
    for eps in (0.3, 0.1, 0.02):
        knots, w = apx.threshold_net(g, 2 * np.pi, eps)
        assert knots.size == int(np.ceil(2 * np.pi / eps))
        err = np.max(np.abs(apx.eval_threshold_net(x, knots, w) - g(x)))
        assert err <= eps


def test_threshold_net_is_step_interpolant():
    # oracle: f = g(b_k) on [b_k, b_{k+1}), i.e. a left-continuous lookup
    g = lambda x: x ** 2  # noqa: E731
    knots, w = apx.threshold_net(g, 2.0, 0.1)
    x = np.random.default_rng(0).uniform(0, 1, 500)
    idx = np.searchsorted(knots, x, side="right") - 1
    np.testing.assert_allclose(apx.eval_threshold_net(x, knots, w),
                               g(knots[idx]), atol=1e-14)


def test_eval_threshold_net_matches_dense_sum():
    rng = np.random.default_rng(3)
    knots, w = rng.uniform(0, 1, 30), rng.standard_normal(30)
    x = np.r_[rng.uniform(-0.2, 1.2, 300), knots]  # include the knots themselves
    dense = (x[:, None] >= knots[None, :]).astype(float) @ w
    np.testing.assert_allclose(apx.eval_threshold_net(x, knots, w), dense,
                               atol=1e-12)


def test_relu_hat_and_interpolant():
    x = np.linspace(-1, 2, 3001)
    hat = apx.relu_hat(x, 0.5, 0.25)
    oracle = np.clip(1 - np.abs(x - 0.5) / 0.25, 0, None)
    np.testing.assert_allclose(hat, oracle, atol=1e-14)
    g = lambda x: np.exp(x) * np.sin(3 * x)  # noqa: E731
    knots, c, b0 = apx.relu_interpolant(g, 17)
    xs = np.linspace(0, 1, 2001)
    f = b0 + np.maximum(xs[:, None] - knots, 0) @ c
    grid = np.arange(18) / 17
    np.testing.assert_allclose(f, np.interp(xs, grid, g(grid)), atol=1e-12)


# scipy's binomial pmf (the oracle) overflows inside Boost for x near the smallest normal float
# (m=4, x=2.2e-308): keep x away from 0 and 1 except at the endpoints themselves.
@given(m=st.integers(0, 60),
       x=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(1e-12, 1 - 1e-12)))
@settings(max_examples=60, deadline=None)
def test_bernstein_basis_matches_binomial_pmf(m, x):
    b = apx.bernstein_basis(m, [x])[0]
    np.testing.assert_allclose(b, binom.pmf(np.arange(m + 1), m, x),
                               rtol=1e-9, atol=1e-300)
    assert abs(b.sum() - 1) < 1e-12


def test_bernstein_closed_forms():
    x = np.linspace(0, 1, 101)
    m = 25
    np.testing.assert_allclose(apx.bernstein(lambda t: 3 * t - 1, m, x), 3 * x - 1,
                               atol=1e-12)
    np.testing.assert_allclose(apx.bernstein(lambda t: t ** 2, m, x),
                               x ** 2 + x * (1 - x) / m, atol=1e-12)


def test_maurey_cosine_unbiased_and_variance():
    x = np.random.default_rng(1).standard_normal((50, 4)) * 0.7
    r2 = np.sum(x ** 2, axis=1)
    target = np.exp(-r2 / 2)
    est = np.stack([apx.maurey_cosine(x, 40, seed=s) for s in range(400)])
    var = (1 + np.exp(-2 * r2)) / 2 - np.exp(-r2)
    mse = np.mean((est - target) ** 2)
    assert abs(mse - var.mean() / 40) < 0.15 * var.mean() / 40
    assert np.max(np.abs(est.mean(0) - target)) < 5 * np.sqrt(var.max() / 16000)


def test_sawtooth_closed_form_and_net():
    x = np.linspace(-0.5, 1.5, 4001)
    for depth in range(1, 7):
        # oracle: Delta^L(x) = 1 - |2 frac(2^(L-1) x) - 1| on [0, 1], 0 outside
        frac = np.mod(2.0 ** (depth - 1) * x, 1.0)
        oracle = np.where((x >= 0) & (x <= 1), 1 - np.abs(2 * frac - 1), 0.0)
        oracle[x == 1] = 0.0
        np.testing.assert_allclose(apx.sawtooth(x, depth), oracle, atol=1e-12)
        net = apx.sawtooth_net(depth)
        np.testing.assert_allclose(apx.relu_forward(net, x), oracle, atol=1e-12)
        assert apx.count_pieces(net) == 2 ** depth


def test_relu_forward_matches_torch():
    rng = np.random.default_rng(2)
    widths = [1, 6, 5, 1]
    layers = [(rng.standard_normal((widths[i + 1], widths[i])),
               rng.standard_normal(widths[i + 1])) for i in range(3)]
    mods = []
    for w, b in layers:
        lin = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w))
            lin.bias.copy_(torch.tensor(b))
        mods += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods[:-1])
    x = np.linspace(-3, 3, 301)
    ref = model(torch.tensor(x)[:, None]).detach().numpy()[:, 0]
    np.testing.assert_allclose(apx.relu_forward(layers, x), ref, atol=1e-12)


@given(seed=st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_count_pieces_random_nets(seed):
    rng = np.random.default_rng(seed)
    widths = [1, 4, 4, 1]
    layers = [(rng.standard_normal((widths[i + 1], widths[i])),
               rng.standard_normal(widths[i + 1])) for i in range(3)]
    t, y = apx.breakpoints(layers, -2.0, 2.0)
    x = rng.uniform(-2, 2, 400)
    # completeness: the network is the linear interpolant of its breakpoints
    np.testing.assert_allclose(np.interp(x, t, y), apx.relu_forward(layers, x),
                               atol=1e-9)
    p = apx.count_pieces(layers, -2.0, 2.0)
    assert 1 <= p <= 2 ** 2 * 4 * 4
    # oracle: slope changes seen on a fine grid never exceed the exact count
    xs = np.linspace(-2, 2, 40_001)
    s = np.diff(apx.relu_forward(layers, xs)) / np.diff(xs)
    ds = np.abs(np.diff(s)) > 1e-7 * max(np.abs(s).max(), 1)
    grid_changes = np.sum(ds & ~np.roll(ds, 1))  # a kink shows on 1-2 diffs
    assert grid_changes <= p - 1


def test_count_pieces_known_small_net():
    # |x| = relu(x) + relu(-x): 2 pieces on [-1, 1], 1 on [0, 1]
    layers = [(np.array([[1.0], [-1.0]]), np.zeros(2)),
              (np.array([[1.0, 1.0]]), np.zeros(1))]
    assert apx.count_pieces(layers, -1.0, 1.0) == 2
    assert apx.count_pieces(layers, 0.0, 1.0) == 1


def test_bad_input():
    with pytest.raises(ValueError, match="eps must be finite and > 0"):
        apx.threshold_net(np.sin, 1.0, 0.0)
    with pytest.raises(TypeError, match="lip must be a real number"):
        apx.threshold_net(np.sin, "1", 0.1)
    with pytest.raises(ValueError, match="x must lie in"):
        apx.bernstein_basis(3, [1.5])
    with pytest.raises(TypeError, match="m must be an integer"):
        apx.bernstein(np.sin, 2.5, [0.5])
    with pytest.raises(ValueError, match="depth must be >= 1"):
        apx.sawtooth_net(0)
    with pytest.raises(ValueError, match=r"layers\[1\]: expected W of shape"):
        apx.relu_forward([(np.ones((3, 1)), np.zeros(3)),
                          (np.ones((1, 2)), np.zeros(1))], [0.0])
    with pytest.raises(ValueError, match="need finite lo < hi"):
        apx.count_pieces(apx.sawtooth_net(2), 1.0, 0.0)
    with pytest.raises(ValueError, match="x must have shape"):
        apx.maurey_cosine(np.ones(3), 5, seed=0)
    with pytest.raises(ValueError, match="knots and weights must have equal"):
        apx.eval_threshold_net([0.1], [0.0, 0.5], [1.0])


def test_barron_sigmoid_unbiased_and_bounded():
    # mean of many units = the Gaussian bump, within 5 standard errors; units bounded by 2 r C_g
    from scipy.special import gammaln

    rng = np.random.default_rng(7)
    x = rng.uniform(-0.8, 0.8, size=(12, 3))
    k = 200_000
    f = apx.barron_sigmoid(x, k, radius=1.5, seed=1, steepness=2000.0)
    c_g = np.sqrt(2) * np.exp(gammaln(2.0) - gammaln(1.5))
    se = 2 * 1.5 * c_g / np.sqrt(k)
    np.testing.assert_array_less(np.abs(f - np.exp(-np.sum(x**2, 1) / 2)), 5 * se)
    one = apx.barron_sigmoid(x, 1, radius=1.5, seed=3)
    assert np.all(np.abs(one - 1) <= 2 * 1.5 * c_g)


def test_barron_sigmoid_rejects_bad_input():
    with pytest.raises(ValueError, match="x"):
        apx.barron_sigmoid(np.ones(3), 5, radius=1.0, seed=0)
    with pytest.raises(ValueError, match="radius"):
        apx.barron_sigmoid(np.ones((2, 3)), 5, radius=-1.0, seed=0)
    with pytest.raises(TypeError, match="k"):
        apx.barron_sigmoid(np.ones((2, 3)), 2.5, radius=1.0, seed=0)

"""Tests of dlf.concentration against scipy's exact distributions, closed forms and Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import concentration as cc

# ---------------------------------------------------------------------------------------------
# Markov and Chebyshev


def test_markov_bounds_exponential_tail():
    t = np.linspace(0.1, 10, 50)
    exact = scipy.stats.expon.sf(t)  # E X = 1
    bound = cc.markov_bound(1.0, t)
    assert np.all(exact <= bound)
    assert cc.markov_bound(1.0, 0.5) == 1.0  # capped
    assert cc.markov_bound(2.0, 8.0) == pytest.approx(0.25)


def test_chebyshev_bounds_gaussian_and_is_tight_for_three_points():
    t = np.linspace(0.5, 6, 40)
    assert np.all(2 * scipy.stats.norm.sf(t) <= cc.chebyshev_bound(1.0, t))
    # X in {-1, 0, 1} w.p. (1/8, 3/4, 1/8): Var = 1/4 and P(|X| >= 1) = 1/4 = Var / 1^2
    assert cc.chebyshev_bound(0.25, 1.0) == pytest.approx(0.25)


@pytest.mark.parametrize("func", [cc.markov_bound, cc.chebyshev_bound])
def test_moment_bounds_reject_bad_input(func):
    with pytest.raises(ValueError, match=r"t must lie in \(0"):
        func(1.0, 0.0)
    with pytest.raises(ValueError, match=r"must lie in \[0"):
        func(-1.0, 1.0)
    with pytest.raises(TypeError, match="boolean"):
        func(True, 1.0)


# ---------------------------------------------------------------------------------------------
# Hoeffding


def test_hoeffding_bounds_binomial_mean():
    n, p = 200, 0.3
    t = np.linspace(0.01, 0.3, 30)
    exact = scipy.stats.binom.sf(np.ceil(n * (p + t)) - 1, n, p)  # P(mean >= p + t)
    assert np.all(exact <= cc.hoeffding_bound(t, n))
    two = cc.hoeffding_bound(0.05, n, two_sided=True)
    assert two == pytest.approx(min(1.0, 2 * math.exp(-2 * n * 0.05**2)))


def test_hoeffding_width_scaling():
    # variables in [-1, 1] (width 2): exp(-n t^2 / 2)
    assert cc.hoeffding_bound(0.3, 100, width=2.0) == pytest.approx(math.exp(-100 * 0.09 / 2))


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-3, 0.5), st.floats(1e-6, 0.5), st.booleans())
def test_hoeffding_sample_size_is_smallest(eps, delta, two_sided):
    n = cc.hoeffding_sample_size(eps, delta, two_sided=two_sided)
    k = 2.0 if two_sided else 1.0
    assert k * math.exp(-2 * n * eps**2) <= delta
    if n > 1:
        assert k * math.exp(-2 * (n - 1) * eps**2) > delta


def test_hoeffding_sample_size_value():
    assert cc.hoeffding_sample_size(0.01, 0.01) == 26492  # log(200) / (2 * 1e-4) = 26491.6


def test_hoeffding_bad_input():
    with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\)"):
        cc.hoeffding_sample_size(0.1, 1.5)
    with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\)"):
        cc.hoeffding_sample_size(0.1, 0.0)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        cc.hoeffding_bound(0.1, -3)
    with pytest.raises(ValueError, match=r"width must lie in \(0"):
        cc.hoeffding_bound(0.1, 10, width=0.0)


# ---------------------------------------------------------------------------------------------
# Chernoff


@pytest.mark.parametrize("n,p", [(50, 0.2), (1000, 0.001), (400, 0.05)])
def test_chernoff_upper_forms_bound_binomial_tail(n, p):
    mu = n * p
    delta = np.linspace(0.05, 8, 80)
    k = np.ceil((1 + delta) * mu)
    exact = scipy.stats.binom.sf(k - 1, n, p)  # P(X >= (1 + delta) mu)
    mgf = cc.chernoff_upper(mu, delta)
    assert np.all(exact <= mgf)
    assert np.all(mgf <= cc.chernoff_upper(mu, delta, "2+delta") + 1e-15)
    small = delta[delta <= 1]
    assert np.all(cc.chernoff_upper(mu, small, "2+delta")
                  <= cc.chernoff_upper(mu, small, "simple") + 1e-15)


def test_chernoff_simple_form_fails_beyond_delta_one():
    # the erratum: Binomial(1000, 0.001), delta = 5
    exact = scipy.stats.binom.sf(5, 1000, 0.001)
    assert exact == pytest.approx(5.88e-4, rel=1e-2)
    assert exact > math.exp(-25 / 3)
    assert exact <= cc.chernoff_upper(1.0, 5.0)
    with pytest.raises(ValueError, match=r"requires delta in \(0, 1\], got 5"):
        cc.chernoff_upper(1.0, 5.0, "simple")


def test_chernoff_lower_bounds_binomial_tail():
    n, p = 300, 0.1
    mu = n * p
    delta = np.linspace(0.02, 1.0, 50)
    exact = scipy.stats.binom.cdf(np.floor((1 - delta) * mu), n, p)  # P(X <= (1 - delta) mu)
    mgf = cc.chernoff_lower(mu, delta)
    assert np.all(exact <= mgf)
    assert np.all(mgf <= cc.chernoff_lower(mu, delta, "simple") + 1e-15)
    assert cc.chernoff_lower(mu, 1.0) == pytest.approx(math.exp(-mu))


def test_chernoff_bad_input():
    with pytest.raises(ValueError, match="form must be"):
        cc.chernoff_upper(1.0, 0.5, "quadratic")
    with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\]"):
        cc.chernoff_lower(1.0, 1.5)
    with pytest.raises(ValueError, match=r"mu must lie in \(0"):
        cc.chernoff_upper(0.0, 0.5)
    with pytest.raises(ValueError, match=r"delta must lie in \(0"):
        cc.chernoff_upper(1.0, -0.5)


# ---------------------------------------------------------------------------------------------
# Bernstein, scalar and matrix


def test_bernstein_bounds_sparse_rademacher_sum():
    # X_i = +-1 w.p. q/2 each, 0 otherwise: S is a difference of binomial counts
    n, q = 400, 0.02
    rng = np.random.default_rng(0)
    counts = rng.multinomial(n, [q / 2, q / 2, 1 - q], size=200_000)
    S = counts[:, 0] - counts[:, 1]
    t = np.arange(2, 16)
    empirical = (S[:, None] >= t).mean(axis=0)
    bound = cc.bernstein_bound(t, n * q, 1.0)
    se = np.sqrt(bound * (1 - bound) / S.size)
    assert np.all(empirical <= bound + 4 * se)
    # Bernstein beats Hoeffding (width 2) when the variance is small
    assert np.all(bound[5:] < cc.hoeffding_bound(t[5:] / n, n, width=2.0))


def test_matrix_bernstein_on_rademacher_series():
    rng = np.random.default_rng(1)
    d1, d2, k = 6, 9, 60
    B = rng.standard_normal((k, d1, d2)) / 5
    M = max(np.linalg.norm(b, 2) for b in B)
    v = max(np.linalg.norm(np.einsum("kij,klj->il", B, B), 2),
            np.linalg.norm(np.einsum("kji,kjl->il", B, B), 2))
    eps = rng.choice([-1.0, 1.0], size=(2000, k))
    norms = np.linalg.norm(np.einsum("tk,kij->tij", eps, B), ord=2, axis=(1, 2))
    assert norms.mean() <= cc.matrix_bernstein_mean(v, M, (d1, d2))
    assert np.sqrt(np.mean(norms**2)) >= np.sqrt(v) * (1 - 0.02)  # E||Z||^2 >= v
    for t in np.quantile(norms, [0.5, 0.9, 0.99]):
        assert (norms >= t).mean() <= cc.matrix_bernstein_tail(t, v, M, (d1, d2))


def test_matrix_bernstein_closed_form_and_bad_shape():
    assert cc.matrix_bernstein_mean(2.0, 0.0, (3, 4)) == pytest.approx(math.sqrt(4 * math.log(7)))
    assert cc.matrix_bernstein_tail(10.0, 1.0, 1.0, (2, 2)) == pytest.approx(
        4 * math.exp(-50 / (1 + 10 / 3)))
    with pytest.raises(ValueError, match="shape must be a pair"):
        cc.matrix_bernstein_tail(1.0, 1.0, 1.0, (3,))
    with pytest.raises(ValueError, match=r"shape\[0\] must be an int >= 1"):
        cc.matrix_bernstein_mean(1.0, 1.0, (0, 3))
    with pytest.raises(ValueError, match="not both be zero"):
        cc.bernstein_bound(1.0, 0.0, 0.0)


# ---------------------------------------------------------------------------------------------
# union bound


def test_union_bound_bounds_monte_carlo_union():
    rng = np.random.default_rng(2)
    p = np.array([0.05, 0.1, 0.02, 0.07])
    events = rng.random((100_000, 4)) < p
    assert events.any(axis=1).mean() <= cc.union_bound(p)
    assert cc.union_bound(p) == pytest.approx(p.sum())
    assert cc.union_bound([0.6, 0.7]) == 1.0
    assert cc.union_bound([]) == 0.0


def test_union_bound_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"probs must lie in \[0, 1\], got 1.5"):
        cc.union_bound([0.2, 1.5])
    with pytest.raises(ValueError, match=r"probs must lie in \[0, 1\]"):
        cc.union_bound([-0.1])


# ---------------------------------------------------------------------------------------------
# geometry


def test_ball_volume_against_gamma_function_and_small_cases():
    d = np.arange(1, 30)
    expected = np.pi ** (d / 2) / scipy.special.gamma(d / 2 + 1)
    np.testing.assert_allclose(cc.ball_volume(d), expected, rtol=1e-12)
    assert cc.ball_volume(2) == pytest.approx(np.pi)
    assert cc.ball_volume(3, 2.0) == pytest.approx(4 / 3 * np.pi * 8)
    assert cc.ball_volume(10, 0.5) == pytest.approx(2.49e-3, rel=1e-2)
    assert cc.ball_volume(5000) == 0.0  # underflows quietly
    assert cc.ball_volume(4, 0.0) == 0.0


def test_ball_volume_monte_carlo_in_d3():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(200_000, 3))
    frac = np.mean(np.sum(x**2, axis=1) <= 1)
    assert abs(frac * 8 - cc.ball_volume(3)) < 0.03


def test_shell_fraction_and_sample_ball():
    assert cc.shell_fraction(10, 0.01) == pytest.approx(1 - 0.99**10)
    assert cc.shell_fraction(100, 0.01) == pytest.approx(0.634, abs=1e-3)
    assert cc.shell_fraction(3, 1.0) == 1.0
    x = cc.sample_ball(50_000, 10, seed=4)
    frac = np.mean(np.linalg.norm(x, axis=1) >= 0.9)
    assert abs(frac - cc.shell_fraction(10, 0.1)) < 0.01
    assert np.all(np.linalg.norm(x, axis=1) <= 1)


def test_sample_sphere_inner_products_follow_beta_law():
    d = 20
    u = cc.sample_sphere(20_000, d, seed=5)
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), 1.0, rtol=1e-12)
    # <u, e_1> = 2 B - 1 with B ~ Beta((d-1)/2, (d-1)/2)
    a = (d - 1) / 2
    ks = scipy.stats.kstest((u[:, 0] + 1) / 2, scipy.stats.beta(a, a).cdf)
    assert ks.pvalue > 1e-3
    t = np.linspace(0.05, 0.95, 19)
    exact = scipy.stats.beta(a, a).sf((t + 1) / 2)
    assert np.all(exact <= cc.sphere_cap_bound(t, d))


def test_sampling_is_deterministic_and_accepts_generators():
    np.testing.assert_array_equal(cc.sample_ball(3, 4, seed=7), cc.sample_ball(3, 4, seed=7))
    rng = np.random.default_rng(8)
    assert cc.sample_sphere(2, 3, rng).shape == (2, 3)


def test_geometry_bad_input():
    with pytest.raises(ValueError, match="d must be >= 1"):
        cc.ball_volume(0)
    with pytest.raises(TypeError, match="d must be an int"):
        cc.ball_volume(2.5)
    with pytest.raises(ValueError, match=r"eps must lie in \[0, 1\]"):
        cc.shell_fraction(3, 1.2)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        cc.sample_sphere(-1, 3)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        cc.sample_ball(3, 3, seed=-1)
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\)"):
        cc.sphere_cap_bound(1.0, 5)
    with pytest.raises(ValueError, match="d must be an int >= 2"):
        cc.sphere_cap_bound(0.5, 1)

"""Tests of dlf.sde against closed forms (two-state chains, AR(1), Ornstein-Uhlenbeck, Gibbs
laws), scipy, Monte Carlo with standard-error tolerances, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import sde

# ---------------------------------------------------------------------------------------------
# finite chains


@given(st.floats(0.01, 1.0), st.floats(0.01, 1.0))
@settings(max_examples=60, deadline=None)
def test_invariant_distribution_of_two_state_chain_in_closed_form(p, q):
    P = np.array([[1 - p, p], [q, 1 - q]])
    pi = sde.invariant_distribution(P)
    np.testing.assert_allclose(pi, np.array([q, p]) / (p + q), rtol=1e-12, atol=1e-15)
    # TV contracts by exactly |1 - p - q| per step
    path = sde.distribution_path(P, [1.0, 0.0], 6)
    tv = np.asarray(sde.tv_distance(path, pi))
    np.testing.assert_allclose(tv, tv[0] * np.abs(1 - p - q) ** np.arange(7), rtol=1e-9,
                               atol=1e-15)


def test_invariant_distribution_matches_eigenvector_and_powers():
    rng = np.random.default_rng(0)
    P = rng.random((7, 7)) + 0.01
    P /= P.sum(axis=1, keepdims=True)
    pi = sde.invariant_distribution(P)
    w, V = scipy.linalg.eig(P, left=True, right=False)
    v = np.real(V[:, np.argmin(np.abs(w - 1))])
    np.testing.assert_allclose(pi, v / v.sum(), rtol=1e-10)
    np.testing.assert_allclose(np.linalg.matrix_power(P, 200), np.tile(pi, (7, 1)),
                               rtol=1e-10)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-15)


def test_three_state_chain_of_the_notes():
    P = np.array([[0.1, 0.4, 0.5], [0.4, 0.0, 0.6], [0.0, 0.6, 0.4]])
    path = sde.distribution_path(P, [1.0, 0.0, 0.0], 3)
    np.testing.assert_allclose(path[1:], [[0.1, 0.4, 0.5], [0.17, 0.34, 0.49],
                                          [0.153, 0.362, 0.485]], atol=1e-14)
    np.testing.assert_allclose(sde.invariant_distribution(P), np.array([12, 27, 37]) / 76,
                               rtol=1e-13)


def test_invariant_distribution_with_zeros_and_periodicity():
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(sde.invariant_distribution(swap), [0.5, 0.5])
    cycle = np.roll(np.eye(5), 1, axis=1)  # deterministic 5-cycle
    np.testing.assert_allclose(sde.invariant_distribution(cycle), np.full(5, 0.2))


@pytest.mark.parametrize("P", [
    np.eye(3),
    np.array([[0.3, 0.7, 0, 0], [0.6, 0.4, 0, 0], [0, 0, 0.2, 0.8], [0, 0, 0.5, 0.5]]),
])
def test_invariant_distribution_rejects_non_unique(P):
    with pytest.raises(ValueError, match="more than one invariant distribution"):
        sde.invariant_distribution(P)


def test_chain_functions_reject_bad_input():
    with pytest.raises(ValueError, match="row-stochastic"):
        sde.invariant_distribution([[0.5, 0.4], [0.5, 0.5]])
    with pytest.raises(ValueError, match="square"):
        sde.invariant_distribution(np.ones((2, 3)) / 3)
    with pytest.raises(ValueError, match="non-negative"):
        sde.invariant_distribution([[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"p0 must have shape \(\.\.\., 2\)"):
        sde.distribution_path(np.eye(2), [1.0, 0.0, 0.0], 3)
    with pytest.raises(ValueError, match="sum to 1"):
        sde.distribution_path(np.eye(2), [0.5, 0.6], 3)
    with pytest.raises(ValueError, match="n_steps must be an int >= 0"):
        sde.distribution_path(np.eye(2), [1.0, 0.0], -1)
    with pytest.raises(TypeError, match="n_steps must be an int"):
        sde.distribution_path(np.eye(2), [1.0, 0.0], 2.0)


# ---------------------------------------------------------------------------------------------
# divergences


@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=8), st.integers(0, 10**6))
@settings(max_examples=60, deadline=None)
def test_kl_matches_scipy_and_is_nonnegative(weights, seed):
    p = np.array(weights) / np.sum(weights)
    q = np.random.default_rng(seed).dirichlet(np.ones(p.size))
    q = np.maximum(q, 1e-12)
    q /= q.sum()
    kl = sde.kl_divergence(p, q)
    assert kl >= 0
    np.testing.assert_allclose(kl, scipy.stats.entropy(p, q), rtol=1e-9, atol=1e-15)
    tv = sde.tv_distance(p, q)
    assert kl >= 2 * tv**2 - 1e-12  # Pinsker's inequality


def test_kl_conventions_and_small_values():
    assert sde.kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert sde.kl_divergence([0.5, 0.5], [0.0, 1.0]) == np.inf
    assert sde.kl_divergence([0.3, 0.7], [0.3, 0.7]) == 0.0
    q = np.array([0.1, 0.6, 0.3])
    eps = 1e-9
    p = q + np.array([eps, -eps, 0.0])
    # second-order expansion: sum (p - q)^2 / (2 q)
    assert sde.kl_divergence(p, q) == pytest.approx(eps**2 / 2 * (1 / 0.1 + 1 / 0.6), rel=1e-5)
    batch = sde.kl_divergence(np.array([[0.2, 0.8], [0.5, 0.5]]), [0.5, 0.5])
    assert batch.shape == (2,)


def test_data_processing_inequality_on_random_chains():
    rng = np.random.default_rng(3)
    for _ in range(20):
        M = rng.integers(2, 7)
        P = rng.dirichlet(np.ones(M), size=M)
        p, q = rng.dirichlet(np.ones(M)), rng.dirichlet(np.ones(M))
        assert sde.kl_divergence(p @ P, q @ P) <= sde.kl_divergence(p, q) + 1e-12
        assert sde.tv_distance(p @ P, q @ P) <= sde.tv_distance(p, q) + 1e-12


def test_divergences_reject_bad_input():
    with pytest.raises(ValueError, match="q must have shape"):
        sde.kl_divergence([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="non-negative"):
        sde.tv_distance([1.5, -0.5], [0.5, 0.5])


# ---------------------------------------------------------------------------------------------
# grid discretization and Gibbs laws


def test_gaussian_grid_chain_of_a_linear_map_has_the_ar1_variance():
    # X' = a X + sd xi has the stationary law N(0, sd^2 / (1 - a^2))
    a, sd = 0.8, 0.3
    grid = np.linspace(-3, 3, 601)
    P = sde.discretize_gaussian_chain(grid, a * grid, sd)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    pi = sde.invariant_distribution(P)
    var = np.sum(pi * grid**2)
    assert var == pytest.approx(sd**2 / (1 - a**2), rel=1e-6)


def test_grid_chain_rejects_bad_input():
    with pytest.raises(ValueError, match="evenly spaced"):
        sde.discretize_gaussian_chain([0.0, 1.0, 3.0], [0.0, 1.0, 3.0], 1.0)
    with pytest.raises(ValueError, match="mean must be finite"):
        sde.discretize_gaussian_chain([0.0, 1.0], [0.0], 1.0)
    with pytest.raises(ValueError, match=r"sd must lie in \(0"):
        sde.discretize_gaussian_chain([0.0, 1.0], [0.0, 1.0], 0.0)


def test_gibbs_density_and_bins_match_quadrature():
    f = lambda x: (x**2 - 1) ** 2 + 0.3 * x  # noqa: E731
    beta = 5.0
    Z = scipy.integrate.quad(lambda x: np.exp(-beta * f(x)), -3, 3, limit=200)[0]
    x = np.linspace(-3, 3, 20001)
    np.testing.assert_allclose(sde.gibbs_density(f, x, beta), np.exp(-beta * f(x)) / Z,
                               rtol=1e-6)
    edges = np.linspace(-3, 3, 13)
    masses = sde.gibbs_bin_masses(f, edges, beta)
    exact = [scipy.integrate.quad(lambda x: np.exp(-beta * f(x)), lo, hi)[0] / Z
             for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    np.testing.assert_allclose(masses, exact, rtol=1e-6, atol=1e-12)
    # a quadratic: the Gibbs law is N(0, 1 / (beta lam))
    lam = 2.0
    dens = sde.gibbs_density(lambda x: lam * x**2 / 2, x, beta)
    np.testing.assert_allclose(dens, scipy.stats.norm.pdf(x, scale=1 / np.sqrt(beta * lam)),
                               rtol=1e-8, atol=1e-12)


def test_gibbs_rejects_bad_input():
    with pytest.raises(TypeError, match="f must be callable"):
        sde.gibbs_density(3.0, [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="increasing"):
        sde.gibbs_density(np.cos, [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="finite"):
        sde.gibbs_density(np.cos, [0.0, np.nan, 1.0], 1.0)
    with pytest.raises(ValueError, match=r"beta must lie in \(0"):
        sde.gibbs_bin_masses(np.cos, [0.0, 1.0], -1.0)


# ---------------------------------------------------------------------------------------------
# closed forms


def test_ar1_variance_against_direct_recursion():
    a, v, var0 = -0.7, 0.3, 2.0
    var = var0
    for k in range(1, 30):
        var = a**2 * var + v
        assert sde.ar1_variance(a, v, k=k, var0=var0) == pytest.approx(var, rel=1e-12)
    assert sde.ar1_variance(a, v) == pytest.approx(v / (1 - a**2))
    assert sde.ar1_variance(1.0, v, k=5, var0=1.0) == pytest.approx(1.0 + 5 * v)
    ks = np.arange(4)
    assert sde.ar1_variance(0.5, 1.0, k=ks).shape == (4,)


def test_ar1_cumulant_matches_exact_law_of_a_finite_sum():
    # eps ~ Exponential(1) - 1 has cumulants kappa_2 = 1, kappa_3 = 2
    a = 0.6
    assert sde.ar1_cumulant(a, 1.0, 2) == pytest.approx(1 / (1 - a**2))
    assert sde.ar1_cumulant(a, 2.0, 3, k=4) == pytest.approx(2 * sum(a ** (3 * j)
                                                                 for j in range(4)))
    rng = np.random.default_rng(1)
    eps = rng.exponential(size=(200_000, 4)) - 1
    X = eps @ a ** np.arange(4)
    m3 = np.mean((X - X.mean()) ** 3)
    se = np.std((X - X.mean()) ** 3) / np.sqrt(X.size)
    assert abs(m3 - sde.ar1_cumulant(a, 2.0, 3, k=4)) < 5 * se


def test_sgd_quadratic_variance_closed_form_and_errors():
    eta, lam, v = 0.3, 2.0, 0.5
    assert sde.sgd_quadratic_variance(eta, lam, v) == pytest.approx(
        eta * v / (lam * (2 - eta * lam)))
    np.testing.assert_allclose(sde.sgd_quadratic_variance(np.array([0.1, 0.5]), 1.0, 1.0),
                               [0.1 / 1.9, 0.5 / 1.5])
    with pytest.raises(ValueError, match="0 < eta \\* lam < 2, got eta \\* lam = 2.4"):
        sde.sgd_quadratic_variance(np.array([0.1, 1.2]), 2.0, 1.0)
    with pytest.raises(ValueError, match=r"eta must lie in \(0"):
        sde.sgd_quadratic_variance(0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="k must be a non-negative integer"):
        sde.sgd_quadratic_variance(0.1, 1.0, 1.0, k=2.5)


def test_ou_variance_matches_lyapunov_ode():
    lam, c2, var0 = 1.5, 0.4, 3.0
    sol = scipy.integrate.solve_ivp(lambda t, v: -2 * lam * v + c2, (0, 2), [var0],
                                    rtol=1e-11, atol=1e-13, t_eval=[0.5, 1.0, 2.0])
    np.testing.assert_allclose(sde.ou_variance(lam, c2, t=sol.t, var0=var0), sol.y[0],
                               rtol=1e-8)
    assert sde.ou_variance(lam, c2) == pytest.approx(c2 / (2 * lam))
    assert sde.ou_variance(0.0, c2, t=2.0) == pytest.approx(2 * c2)  # Brownian motion
    with pytest.raises(ValueError, match="lam > 0"):
        sde.ou_variance(0.0, c2)


def test_noise_and_minibatch_covariance():
    rng = np.random.default_rng(2)
    G = rng.standard_normal((50, 3)) @ rng.standard_normal((3, 3))
    S = sde.noise_covariance(G)
    np.testing.assert_allclose(S, np.cov(G.T, bias=True), rtol=1e-12)
    np.testing.assert_allclose(sde.minibatch_covariance(G, 5), S / 5)
    np.testing.assert_allclose(sde.minibatch_covariance(G, 5, replace=False),
                               S * 45 / (5 * 49))
    np.testing.assert_allclose(sde.minibatch_covariance(G, 50, replace=False), 0, atol=1e-15)
    with pytest.raises(ValueError, match="b must be <= n = 50"):
        sde.minibatch_covariance(G, 51, replace=False)
    with pytest.raises(ValueError, match=r"G must be a finite 2-D array"):
        sde.noise_covariance(np.ones(3))


def test_minibatch_covariance_without_replacement_by_enumeration():
    # all C(6, 3) = 20 subsets are equally likely: the covariance is an exact average
    from itertools import combinations

    G = np.arange(12.0).reshape(6, 2) ** 1.5
    subsets = list(combinations(range(6), 3))
    means = np.array([G[list(s)].mean(axis=0) for s in subsets])
    exact = np.cov(means.T, bias=True)
    np.testing.assert_allclose(sde.minibatch_covariance(G, 3, replace=False), exact,
                               rtol=1e-12)


@pytest.mark.parametrize("ell", [1, 2, 8, 32, 3.5])
def test_svag_coefficients(ell):
    r1, r2 = sde.svag_coefficients(ell)
    assert r1 + r2 == pytest.approx(1.0)
    assert r1**2 + r2**2 == pytest.approx(ell)
    assert r1**3 + r2**3 == pytest.approx((3 * ell - 1) / 2)


def test_svag_coefficients_reject_l_below_one():
    with pytest.raises(ValueError, match=r"l must lie in \[1"):
        sde.svag_coefficients(0.5)


# ---------------------------------------------------------------------------------------------
# simulators


def test_sgd_gaussian_oracle_reaches_the_exact_stationary_variance():
    eta, b, N = 0.2, 2.0, 40_000
    oracle = sde.gaussian_oracle(lambda x: 3.0 * x, b)
    x = sde.sgd(oracle, np.zeros((N, 1)), eta, 200, seed=0)
    v, se = sde.central_moment(x[:, 0], 2)
    lam, noise_var = 3.0, 1 / b
    assert abs(v - eta * noise_var / (lam * (2 - eta * lam))) < 4 * se


def test_sgd_with_full_covariance_matches_discrete_lyapunov():
    H = np.array([[2.0, 0.3], [0.3, 1.0]])
    S = np.array([[1.0, -0.4], [-0.4, 0.5]])
    eta, b, N = 0.1, 1.0, 20_000
    x = sde.sgd(sde.gaussian_oracle(lambda x: x @ H, b, cov=S), np.zeros((N, 2)), eta, 250,
                seed=1)
    M = np.eye(2) - eta * H
    C = scipy.linalg.solve_discrete_lyapunov(M, eta**2 * S / b)
    prods = x[:, :, None] * x[:, None, :]
    z = np.abs(prods.mean(axis=0) - C) / (prods.std(axis=0) / np.sqrt(N))
    assert z.max() < 5


def test_sgd_record_every_and_determinism():
    oracle = sde.gaussian_oracle(lambda x: x, 1.0)
    path = sde.sgd(oracle, np.ones((3, 2)), 0.1, 10, seed=4, record_every=5)
    assert path.shape == (3, 3, 2)
    np.testing.assert_array_equal(path[0], np.ones((3, 2)))
    np.testing.assert_array_equal(path[-1], sde.sgd(oracle, np.ones((3, 2)), 0.1, 10, seed=4))
    # without noise (b = inf is not allowed, so use a deterministic oracle): gradient descent
    gd = sde.sgd(lambda x, rng: x, np.ones((1, 1)), 0.1, 7)
    assert gd[0, 0] == pytest.approx(0.9**7)


def test_minibatch_oracle_is_unbiased_with_the_right_variance():
    a = np.linspace(-1.0, 2.0, 10)
    oracle = sde.minibatch_oracle(lambda x, idx: x[:, None, :] - a[idx][..., None], 10, 4)
    g = oracle(np.zeros((100_000, 1)), np.random.default_rng(0))[:, 0]
    assert abs(g.mean() + a.mean()) < 5 * g.std() / np.sqrt(g.size)
    v, se = sde.central_moment(g, 2)
    assert abs(v - a.var() / 4) < 4 * se
    wo = sde.minibatch_oracle(lambda x, idx: x[:, None, :] - a[idx][..., None], 10, 10,
                              replace=False)
    np.testing.assert_allclose(wo(np.zeros((5, 1)), np.random.default_rng(0)), -a.mean())


def test_svag_stationary_variance_and_l_equal_one_is_sgd():
    a = np.random.default_rng(5).standard_normal(500)
    a = (a - a.mean()) / a.std()
    oracle = sde.minibatch_oracle(lambda x, idx: x[:, None, :] - a[idx][..., None], 500, 1)
    eta, ell, N = 0.5, 8, 40_000
    x = sde.svag(oracle, np.zeros((N, 1)), eta, ell, 400, seed=2)
    v, se = sde.central_moment(x[:, 0], 2)
    h = eta / ell  # x' = (1 - h) x + h (r1 a_i + r2 a_j): noise variance h^2 l
    assert abs(v - h**2 * ell / (1 - (1 - h) ** 2)) < 4 * se
    # with l = 1 the second oracle call has weight 0: the first call is plain SGD
    x1 = sde.svag(lambda x, rng: x + rng.standard_normal(x.shape), np.ones((4, 1)), 0.1, 1, 5,
                  seed=3)
    rng = np.random.default_rng(3)
    y = np.ones((4, 1))
    for _ in range(5):
        g1 = y + rng.standard_normal(y.shape)
        rng.standard_normal(y.shape)  # the discarded second draw
        y = y - 0.1 * g1
    np.testing.assert_allclose(x1, y, rtol=1e-14)


def test_euler_maruyama_on_ou_and_geometric_brownian_motion():
    N = 40_000
    # OU: exact EM variance is an AR(1) variance
    X = sde.euler_maruyama(lambda x: -2 * x, lambda x: 0.5, np.full((N, 1), 1.0), 0.01, 100,
                           seed=0)[:, 0]
    v, se = sde.central_moment(X, 2)
    assert abs(v - 0.25 * 0.01 * (1 - 0.98**200) / (1 - 0.98**2)) < 4 * se
    assert abs(X.mean() - 0.98**100) < 4 * X.std() / np.sqrt(N)
    # dX = mu X dt + s X dW: E X_t = x0 exp(mu t); EM gives x0 (1 + mu h)^k exactly in mean
    Y = sde.euler_maruyama(lambda x: 0.5 * x, lambda x: 0.3 * x, np.ones((N, 1)), 0.01, 100,
                           seed=1)[:, 0]
    assert abs(Y.mean() - 1.005**100) < 4 * Y.std() / np.sqrt(N)
    assert abs(1.005**100 - np.exp(0.5)) < 0.01  # weak error O(h)


def test_euler_maruyama_matrix_diffusion_and_shapes():
    N = 40_000
    D = np.array([[1.0, 0.0, 0.5], [0.2, 0.7, 0.0]])  # d = 2, q = 3
    X = sde.euler_maruyama(lambda x: np.zeros_like(x), lambda x: D, np.zeros((N, 2)), 0.5, 4,
                           seed=2)
    C = np.cov(X.T)  # Brownian motion with covariance D D^T t, t = 2
    se = np.sqrt((D @ D.T * 2) ** 2 + np.outer(np.diag(D @ D.T * 2),
                                               np.diag(D @ D.T * 2))) / np.sqrt(N)
    assert np.all(np.abs(C - 2 * D @ D.T) < 5 * se)
    diag = sde.euler_maruyama(lambda x: np.zeros_like(x), lambda x: np.array([1.0, 2.0]),
                              np.zeros((N, 2)), 1.0, 1, seed=3)
    np.testing.assert_allclose(diag.std(axis=0), [1.0, 2.0], rtol=0.03)
    path = sde.euler_maruyama(lambda x: -x, lambda x: 1.0, np.zeros((5, 3)), 0.1, 6,
                              record_every=2)
    assert path.shape == (4, 5, 3)


def test_simulators_reject_bad_input():
    oracle = sde.gaussian_oracle(lambda x: x, 1.0)
    with pytest.raises(ValueError, match=r"x0 must be a non-empty 2-D array of shape \(N, d\)"):
        sde.sgd(oracle, np.zeros(3), 0.1, 5)
    with pytest.raises(ValueError, match=r"eta must lie in \(0"):
        sde.sgd(oracle, np.zeros((2, 1)), -0.1, 5)
    with pytest.raises(TypeError, match="oracle must be callable"):
        sde.sgd(None, np.zeros((2, 1)), 0.1, 5)
    with pytest.raises(ValueError, match="oracle returned shape"):
        sde.sgd(lambda x, rng: x[:, :1] * 0, np.zeros((2, 2)), 0.1, 1)
    with pytest.raises(TypeError, match="seed must be an int or a numpy.random.Generator"):
        sde.sgd(oracle, np.zeros((2, 1)), 0.1, 1, seed="a")
    with pytest.raises(ValueError, match="record_every must be an int >= 1"):
        sde.sgd(oracle, np.zeros((2, 1)), 0.1, 1, record_every=0)
    with pytest.raises(ValueError, match="diffusion returned shape"):
        sde.euler_maruyama(lambda x: x, lambda x: np.ones((4, 4, 4, 4)), np.zeros((2, 2)),
                           0.1, 1)
    with pytest.raises(ValueError, match="ambiguous"):
        sde.euler_maruyama(lambda x: x, lambda x: np.eye(3), np.zeros((3, 3)), 0.1, 1)
    with pytest.raises(ValueError, match="grad returned shape"):
        sde.sgd(sde.gaussian_oracle(lambda x: x[:, :1], 1.0), np.zeros((4, 2)), 0.1, 1)
    with pytest.raises(ValueError, match="positive semidefinite"):
        sde.gaussian_oracle(lambda x: x, 1.0, cov=[[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="symmetric"):
        sde.gaussian_oracle(lambda x: x, 1.0, cov=[[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"b must lie in \(0"):
        sde.gaussian_oracle(lambda x: x, 0.0)
    with pytest.raises(ValueError, match="without replacement b must be <= n"):
        sde.minibatch_oracle(lambda x, idx: x, 3, 4, replace=False)
    bad = sde.minibatch_oracle(lambda x, idx: np.zeros((1, 1, 1)), 3, 2)
    with pytest.raises(ValueError, match="example_grads returned shape"):
        bad(np.zeros((2, 1)), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"l must lie in \[1"):
        sde.svag(oracle, np.zeros((2, 1)), 0.1, 0.5, 3)


# ---------------------------------------------------------------------------------------------
# statistics


def test_central_moment_and_its_standard_error_are_calibrated():
    rng = np.random.default_rng(6)
    z = []
    for _ in range(200):
        x = rng.standard_normal(2000)
        v, se = sde.central_moment(x, 2)
        z.append((v - 1.0) / se)
    z = np.array(z)
    assert abs(z.mean()) < 0.3 and 0.8 < z.std() < 1.2
    with pytest.raises(ValueError, match="order must be an int >= 2"):
        sde.central_moment([1.0, 2.0], 1)
    with pytest.raises(ValueError, match="samples must be a finite 1-D array"):
        sde.central_moment([1.0], 2)


def test_empirical_tv_bound_holds_in_repeated_sampling():
    rng = np.random.default_rng(7)
    q = rng.dirichlet(np.ones(20))
    N, delta = 2000, 0.05
    bound = sde.empirical_tv_bound(q, N, delta)
    misses = 0
    for _ in range(200):
        counts = rng.multinomial(N, q)
        misses += sde.tv_distance(counts / N, q) > bound
    assert misses <= 200 * delta
    with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\)"):
        sde.empirical_tv_bound(q, N, 1.0)
    with pytest.raises(ValueError, match="q must be 1-D"):
        sde.empirical_tv_bound(np.tile(q, (2, 1)), N, 0.1)

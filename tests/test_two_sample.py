"""Tests for dlf.two_sample against enumeration, closed forms, scipy and sampling theory."""

import itertools
import math

import numpy as np
import pytest
from scipy.stats import norm

from dlf import two_sample as ts


def test_mmd2_unbiased_is_exactly_unbiased_on_a_discrete_law():
    # X: 2 draws from p on {0, 1, 3}; Y: 3 draws from q. Enumerate every sample.
    atoms = np.array([0.0, 1.0, 3.0])
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.1, 0.3, 0.6])
    h = 1.3
    K = np.exp(-(atoms[:, None] - atoms[None, :]) ** 2 / (2 * h * h))
    exact = p @ K @ p + q @ K @ q - 2 * p @ K @ q
    mean = 0.0
    for ix in itertools.product(range(3), repeat=2):
        for iy in itertools.product(range(3), repeat=3):
            w = np.prod(p[list(ix)]) * np.prod(q[list(iy)])
            mean += w * ts.mmd2_unbiased(atoms[list(ix)], atoms[list(iy)], bandwidth=h)
    assert mean == pytest.approx(exact, abs=1e-13)


def test_gaussian_kernel_mean_matches_quadrature_and_value():
    # 1-D: E exp(-D^2/2h^2), D ~ N(m, s2), by Gauss-Hermite
    m, s2, h = 0.7, 1.8, 0.9
    z, w = np.polynomial.hermite_e.hermegauss(80)
    quad = np.sum(w * np.exp(-(m + math.sqrt(s2) * z) ** 2 / (2 * h * h))) / math.sqrt(2 * math.pi)
    assert ts.gaussian_kernel_mean([m], [[s2]], bandwidth=h) == pytest.approx(quad, rel=1e-12)
    assert ts.mmd2_gaussian([0.0], [[1.0]], [1.0], [[1.0]]) == pytest.approx(0.1772676, abs=1e-7)


def test_gaussian_kernel_mean_2d_monte_carlo():
    rng = np.random.default_rng(0)
    m = np.array([0.5, -0.2])
    L = np.array([[1.0, 0.0], [0.6, 0.5]])
    S = L @ L.T
    D = m + rng.standard_normal((200_000, 2)) @ L.T
    vals = np.exp(-(D ** 2).sum(1) / 2)
    se = vals.std() / math.sqrt(vals.size)
    assert abs(vals.mean() - ts.gaussian_kernel_mean(m, S)) < 5 * se


def test_permutation_level_is_floor_alpha_B_plus_1():
    # 4000 null repeats; B = 9, alpha = 0.19 -> exact level floor(1.9)/10 = 0.10
    rng = np.random.default_rng(1)
    B, alpha, R = 9, 0.19, 4000
    rej = 0
    for _ in range(R):
        X, Y = rng.standard_normal(8), rng.standard_normal(8)
        rej += ts.permutation_test(X, Y, num_permutations=B, seed=rng)[1] <= alpha
    level = math.floor(alpha * (B + 1)) / (B + 1)
    se = math.sqrt(level * (1 - level) / R)
    assert abs(rej / R - level) < 4 * se
    assert abs(rej / R - alpha) > 4 * se  # the nominal alpha is not the level here


def test_permutation_p_value_is_one_plus_count_over_B_plus_1():
    # the extremes of (1 + #{b: T_b >= T}) / (B + 1): dropping the 1+ or dividing by B moves both
    B = 9
    X = np.arange(10.0) + 100.0  # far from Y: no re-split reaches T (C(25, 10) splits)
    Y = np.arange(15.0)
    for stat in ("mean", "mmd"):
        assert ts.permutation_test(X, Y, statistic=stat, num_permutations=B)[1] == 1 / (B + 1)
    same = np.arange(6.0)  # X = Y as sets: T = 0 <= every T_b for the mean statistic
    assert ts.permutation_test(same, same, num_permutations=B)[1] == 1.0
    rng = np.random.default_rng(3)
    for _ in range(20):  # always on the grid {1, ..., B+1} / (B+1)
        p = ts.permutation_test(rng.standard_normal(7), rng.standard_normal(5),
                                num_permutations=B, seed=rng)[1]
        k = p * (B + 1)
        assert 1 <= round(k) <= B + 1 and abs(k - round(k)) < 1e-12


def test_permutation_mmd_vectorised_matches_direct():
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((5, 2)) + 0.5
    T, _ = ts.permutation_test(X, Y, statistic="mmd", num_permutations=5, bandwidth=0.8)
    assert T == pytest.approx(ts.mmd2_unbiased(X, Y, bandwidth=0.8), rel=1e-12)
    Tm, _ = ts.permutation_test(X, Y, num_permutations=3)
    assert Tm == pytest.approx(np.linalg.norm(X.mean(0) - Y.mean(0)), rel=1e-12)


def test_z_test_power_values():
    assert ts.z_test_power(0.2, 100) == pytest.approx(0.2930, abs=5e-5)
    assert ts.z_test_power(0.0, 50, alpha=0.1) == pytest.approx(0.1, abs=1e-12)
    # power of the one-sided-dominated term: large shift
    d = 3.0 / math.sqrt(2 / 10)
    ref = norm.cdf(d - 1.959964) + norm.cdf(-d - 1.959964)
    assert ts.z_test_power(3.0, 10) == pytest.approx(ref, rel=1e-6)


def test_classifier_test_null_and_alternative():
    rng = np.random.default_rng(3)
    acc, p = ts.classifier_test(rng.standard_normal((400, 2)), rng.standard_normal((400, 2)) + 1.0)
    assert acc > 0.6 and p == 1 / 1000  # the smallest permutation p-value with B = 999
    acc0, p0 = ts.classifier_test(np.zeros((10, 1)) + np.arange(10)[:, None],
                                  np.arange(10)[:, None] + 0.0, seed=1)
    assert 0 <= acc0 <= 1 and 0 < p0 <= 1


@pytest.mark.parametrize("n, m", [(40, 40), (400, 40)])
def test_classifier_test_level_under_h0(n, m):
    # The held-out-label permutation p-value has level alpha for equal AND unequal groups (the
    # Bin(n_test, 1/2) tail rejected a true H0 in every repeat at 400 vs 40). Also exercises
    # Newton's tolerance: raw N(0,1) features used to stall at the rounding floor.
    rng = np.random.default_rng(11)
    R, alpha = 1000, 0.05
    rej = [ts.classifier_test(rng.standard_normal(n), rng.standard_normal(m), num_permutations=99,
                              seed=rng)[1] <= alpha for _ in range(R)]
    assert np.mean(rej) <= alpha + 5 * math.sqrt(alpha * (1 - alpha) / R)


def test_classifier_test_threshold_minus_inf_is_the_held_out_label_fraction():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal(200), 1 + 1.5 * rng.standard_normal(60)
    acc, p = ts.classifier_test(X, Y, threshold=-np.inf, seed=0)
    assert acc == 100 / 130 and p == 1.0  # held out: 100 of X, 30 of Y; "X" always
    acc, p = ts.classifier_test(X[:60], Y, threshold=-np.inf, seed=0)
    assert acc == 0.5 and p == 1.0


@pytest.mark.parametrize("bad", [dict(X=np.ones((1, 2))), dict(bandwidth=0.0),
                                 dict(Y=np.ones((3, 3)))])
def test_bad_input(bad):
    args = dict(X=np.ones((3, 2)), Y=np.zeros((3, 2)), bandwidth=1.0)
    args.update(bad)
    with pytest.raises(ValueError, match=list(bad)[0]):
        ts.mmd2_unbiased(**args)
    with pytest.raises(ValueError, match="statistic"):
        ts.permutation_test(np.ones(3), np.ones(3), statistic="median")

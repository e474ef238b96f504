"""Tests for dlf.generalization against scipy (binomial tails, linprog), brute force and closed
forms. The section appended by gen-modern is tested in tests/test_pacbayes.py."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.optimize import linprog

from dlf import generalization as gen

K_SE = 5.0


# --- conjunctions ---------------------------------------------------------------------------


def test_conjunction_learner_keeps_target_and_eliminates():
    X = np.array([[1, 1, 0, 1], [1, 1, 1, 0], [0, 1, 1, 1]])
    y = np.array([1, 1, 0])
    assert gen.conjunction_learner(X, y).tolist() == [True, True, False, False]
    assert gen.conjunction_predict([True, True, False, False], X).tolist() == [1, 1, 0]


def _failure_brute_force(n, d, k, p, eps):
    """Sum over the number J of positive examples and the survivors K with scipy.stats.binom."""
    q = p ** k
    total = 0.0
    for j in range(n + 1):
        wj = stats.binom.pmf(j, n, q)
        for K in range(d - k + 1):
            if q * (1 - p ** K) > eps:
                total += wj * stats.binom.pmf(K, d - k, p ** j)
    return total


@pytest.mark.parametrize("n,expected", [(20, 0.6799), (40, 0.0554), (60, 0.0017)])
def test_conjunction_failure_matches_issue_numbers(n, expected):
    val = gen.conjunction_failure_probability(n, 20, 3, 0.85, 0.1)
    assert val == pytest.approx(_failure_brute_force(n, 20, 3, 0.85, 0.1), rel=1e-10)
    assert round(val, 4) == expected


def test_conjunction_failure_simulation():
    rng = np.random.default_rng(1)
    d, k, p, eps, n, reps = 8, 2, 0.7, 0.05, 10, 4000
    fails = 0
    for _ in range(reps):
        X = (rng.random((n, d)) < p).astype(float)
        h = gen.conjunction_learner(X, np.all(X[:, :k] == 1, axis=1).astype(float))
        fails += p ** k * (1 - p ** int(h[k:].sum())) > eps
    exact = gen.conjunction_failure_probability(n, d, k, p, eps)
    se = math.sqrt(exact * (1 - exact) / reps)
    assert abs(fails / reps - exact) <= K_SE * se


def test_conjunction_sample_size():
    assert gen.conjunction_sample_size(20, 0.1, 0.05) == math.ceil(200 * math.log(400))


# --- finite classes ---------------------------------------------------------------------------


def test_finite_class_bound_and_tight_instance():
    b = gen.finite_class_bound(200, math.log(1000), 0.05)
    assert b == pytest.approx(math.sqrt(math.log(40000) / 400))
    q95 = gen.max_deviation_quantile(0.95, 200, 1000)
    assert q95 == pytest.approx(0.14)
    assert q95 <= b <= 1.3 * q95 and b / math.sqrt(2) < q95
    assert gen.erm_excess_bound(200, math.log(1000), 0.05) == pytest.approx(2 * b)


def test_max_deviation_cdf_against_scipy():
    n, N = 30, 7
    k = np.arange(n + 1)
    for t in (0.0, 0.05, 0.1, 0.2, 0.5):
        ref = stats.binom.pmf(k[np.abs(k / n - 0.5) <= t + 1e-12], n, 0.5).sum() ** N
        assert gen.max_deviation_cdf(t, n, N) == pytest.approx(ref, rel=1e-10)
    assert gen.max_deviation_cdf(-0.1, n, N) == 0.0


# --- covers ---------------------------------------------------------------------------------


def test_greedy_packing_separated_and_maximal():
    rng = np.random.default_rng(0)
    P = rng.uniform(-1, 1, (800, 2))
    idx = gen.greedy_packing(P, 0.3)
    C = P[idx]
    D = np.linalg.norm(C[:, None] - C[None], axis=2) + 9 * np.eye(len(C))
    assert D.min() > 0.3
    assert np.linalg.norm(P[:, None] - C[None], axis=2).min(axis=1).max() <= 0.3
    assert gen.cover_size_bound(2, 0.3) == pytest.approx((1 + 2 / 0.3) ** 2)


def test_parameter_count_bound_grid_is_minimum():
    fixed = [gen.parameter_count_bound(500, 5, 1.0, 0.05, rho=r) for r in (1e-3, 1e-2, 0.1, 1)]
    best = gen.parameter_count_bound(500, 5, 1.0, 0.05)
    assert best <= min(fixed) + 0.05


# --- growth functions ---------------------------------------------------------------------------


def _lp_dichotomies(X):
    n, p = X.shape
    out = set()
    for lab in itertools.product((-1, 1), repeat=n):
        A = -np.asarray(lab)[:, None] * np.hstack([X, np.ones((n, 1))])
        res = linprog(np.zeros(p + 1), A_ub=A, b_ub=-np.ones(n),
                      bounds=[(None, None)] * (p + 1), method="highs")
        if res.status == 0:
            out.add(lab)
    return out


@pytest.mark.parametrize("n,p", [(3, 2), (5, 2), (6, 2), (4, 3), (6, 3), (3, 1), (5, 1)])
def test_halfspace_dichotomies_match_linprog_and_cover(n, p):
    X = np.random.default_rng(n + 10 * p).standard_normal((n, p))
    dich = gen.halfspace_dichotomies(X)
    assert dich == _lp_dichotomies(X)
    assert len(dich) == gen.cover_count(n, p)


def test_cover_counts_issue_numbers():
    assert [gen.cover_count(n, 2) for n in range(3, 9)] == [8, 14, 22, 32, 44, 58]


def test_interval_dichotomies_brute_force():
    x = np.array([0.3, 0.1, 0.9, 0.5, 0.7])
    grid = np.concatenate([[-1.0], np.sort(x) + 0.05, [2.0]]) - 0.1
    brute = {tuple(np.where((x >= a) & (x <= b), 1, -1)) for a in grid for b in grid}
    brute.add(tuple([-1] * 5))
    assert gen.interval_dichotomies(x) == brute
    assert len(brute) == gen.sauer_bound(5, 2)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), h=st.integers(0, 10))
def test_sauer_properties(n, h):
    s = gen.sauer_bound(n, h)
    assert s <= 2 ** n and (s == 2 ** n) == (h >= n)
    assert gen.sauer_bound(n + 1, h) >= s and gen.sauer_bound(n, h + 1) >= s
    if n >= h >= 1:
        assert s <= (math.e * n / h) ** h * (1 + 1e-12)
    if n >= 1:
        assert gen.cover_count(n, max(h, 1)) <= gen.sauer_bound(n, max(h, 1) + 1)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10 ** 6))
def test_growth_below_sauer_for_random_classes(seed):
    rng = np.random.default_rng(seed)
    A = np.unique(rng.choice([-1, 1], size=(int(rng.integers(1, 40)), 6)), axis=0)
    h = max(r for r in range(7) for cols in itertools.combinations(range(6), r)
            if len({tuple(a) for a in A[:, list(cols)]}) == 2 ** r)
    assert len(A) <= gen.sauer_bound(6, h)


def test_vc_bound_issue_number():
    assert gen.vc_bound(765, 3, 0.05) < 0.5 <= gen.vc_bound(764, 3, 0.05)


# --- Rademacher ----------------------------------------------------------------------------------


def test_rademacher_linear_exact_vs_mc_and_sandwich():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((10, 4))
    exact, se0 = gen.rademacher_linear(X, B=1.5, n_draws=None)
    assert se0 == 0.0
    # brute force over sign vectors, written independently
    vals = [1.5 * np.linalg.norm(np.array(s) @ X) / 10
            for s in itertools.product((-1, 1), repeat=10)]
    assert exact == pytest.approx(np.mean(vals), rel=1e-12)
    est, se = gen.rademacher_linear(X, B=1.5, n_draws=20000, seed=3)
    assert abs(est - exact) <= K_SE * se
    J = 1.5 * math.sqrt((X ** 2).sum()) / 10
    assert J / math.sqrt(2) <= exact <= J


def test_rademacher_kernel_linear_kernel_equals_linear_class():
    X = np.random.default_rng(4).standard_normal((30, 3))
    a, sa = gen.rademacher_kernel(X @ X.T, B=2.0, n_draws=3000, seed=5)
    b, _ = gen.rademacher_linear(X, B=2.0, n_draws=3000, seed=5)
    assert a == pytest.approx(b, rel=1e-10) and sa > 0


def test_massart_and_finite_exact():
    A = np.random.default_rng(6).standard_normal((25, 8))
    exact, _ = gen.rademacher_finite(A, None)
    brute = np.mean([np.max(A @ np.array(s)) for s in itertools.product((-1, 1), repeat=8)]) / 8
    assert exact == pytest.approx(brute, rel=1e-12)
    assert exact <= gen.massart_bound(A)


def test_rademacher_bound_value():
    assert gen.rademacher_bound(0.1, 0.05, 100, 0.05) == pytest.approx(
        0.2 + math.sqrt(math.log(20) / 200))


# --- networks -------------------------------------------------------------------------------


def test_golowich_and_margin_values():
    g = gen.golowich_bound([2.0, 3.0], 1.5, 100)
    assert g == pytest.approx(1.5 * (math.sqrt(4 * math.log(2)) + 1) * 6 / 10)
    assert gen.margin_bound(0.1, 0.2, 0.5, 50, 0.1) == pytest.approx(
        0.1 + 0.8 + math.sqrt(math.log(10) / 100))


def test_fit_mlp_fits_separable_data_and_margins():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = np.sign(X[:, 0] + 1e-9)
    net = gen.fit_mlp(X, y, 16, steps=100, lr=0.05, seed=0)
    assert np.all(gen.margins(net, X, y) > 0)
    net10 = gen.fit_mlp(X, rng.integers(0, 3, 40), 32, n_classes=3, steps=5, seed=0)
    assert net10(torch.as_tensor(X)).shape == (40, 3)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("call,exc", [
    (lambda: gen.conjunction_learner(np.full((3, 2), 2.0), np.ones(3)), ValueError),
    (lambda: gen.conjunction_learner(np.ones((3, 2)), np.ones(4)), ValueError),
    (lambda: gen.conjunction_failure_probability(10, 5, 6, 0.5, 0.1), ValueError),
    (lambda: gen.conjunction_failure_probability(10, 5, 2, 1.5, 0.1), ValueError),
    (lambda: gen.finite_class_bound(0, 1.0, 0.05), ValueError),
    (lambda: gen.finite_class_bound(10, 1.0, 1.0), ValueError),
    (lambda: gen.finite_class_bound(10.5, 1.0, 0.1), TypeError),
    (lambda: gen.finite_class_bound(10, float("nan"), 0.1), ValueError),
    (lambda: gen.cover_size_bound(2, 0.0), ValueError),
    (lambda: gen.greedy_packing(np.ones(3), 0.1), ValueError),
    (lambda: gen.greedy_packing(np.array([[np.inf, 0.0]]), 0.1), ValueError),
    (lambda: gen.halfspace_dichotomies(np.array([[0.0, 0], [1, 1], [2, 2]])), ValueError),
    (lambda: gen.halfspace_dichotomies(np.zeros((17, 2)) + np.arange(17)[:, None]), ValueError),
    (lambda: gen.interval_dichotomies(np.array([1.0, 1.0])), ValueError),
    (lambda: gen.rademacher_linear(np.ones((25, 2)), n_draws=None), ValueError),
    (lambda: gen.rademacher_linear(np.ones((5, 2)) + 1j), TypeError),
    (lambda: gen.rademacher_kernel(np.ones((3, 4))), ValueError),
    (lambda: gen.rademacher_finite(np.ones((3, 4)), n_draws=1), ValueError),
    (lambda: gen.rademacher_finite(np.ones((3, 4)), seed=1.5), TypeError),
    (lambda: gen.golowich_bound([-1.0, 2.0], 1.0, 10), ValueError),
    (lambda: gen.margin_bound(0.1, 0.1, 0.0, 10, 0.1), ValueError),
    (lambda: gen.fit_mlp(np.ones((4, 2)), np.array([0, 1, 0, 1.0]), 4), ValueError),
    (lambda: gen.sauer_bound(-1, 2), ValueError),
])
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()

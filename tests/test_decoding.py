"""Tests of dlf.decoding against exhaustive search, finite differences and closed forms."""

import math

import numpy as np
import pytest
import torch

from dlf import decoding as dc

TREE = {(): {"A": 0.40, "B": 0.35, "C": 0.25}, ("A",): {"A1": 0.5, "A2": 0.2},
        ("B",): {"B1": 0.8}}


def _step(prefix):
    return TREE.get(prefix, {})


def test_lucchi_example():
    assert dc.greedy(_step, 2) == (("A", "A1"), 0.2)
    beam = dc.beam_search(_step, 2, 2)
    assert [b[0] for b in beam] == [("B", "B1"), ("A", "A1")]
    np.testing.assert_allclose([b[1] for b in beam], [0.28, 0.20], rtol=1e-14)
    assert dc.exhaustive_search(_step, 2)[0][0] == ("B", "B1")


def test_wide_beam_is_exhaustive():
    rng = np.random.default_rng(1)
    cache = {}

    def step(prefix):
        if prefix not in cache:
            cache[prefix] = dict(enumerate(rng.dirichlet(np.ones(4))))
        return cache[prefix]

    assert dc.beam_search(step, 3, 16) == dc.exhaustive_search(step, 3)[:16]


def test_temperature_entropy_derivative():
    z = np.array([1.0, -0.5, 2.0, 0.3])
    for T in (0.7, 2.0):
        h = 1e-6
        fd = (dc.entropy(dc.softmax(z, T + h)) - dc.entropy(dc.softmax(z, T - h))) / (2 * h)
        p = dc.softmax(z, T)
        assert fd == pytest.approx((p @ z**2 - (p @ z) ** 2) / T**3, rel=1e-6)


def test_truncate_and_sample():
    p = np.array([0.1, 0.4, 0.2, 0.3])
    np.testing.assert_allclose(dc.truncate(p, top_k=2), [0, 4 / 7, 0, 3 / 7], rtol=1e-14)
    np.testing.assert_allclose(dc.truncate(p, top_p=0.7), [0, 4 / 7, 0, 3 / 7], rtol=1e-14)
    np.testing.assert_allclose(dc.truncate(p, top_p=0.71), [0, 4 / 9, 2 / 9, 3 / 9], rtol=1e-14)
    np.testing.assert_allclose(dc.truncate(p, top_p=1.0), p, rtol=1e-14)
    x = dc.sample(np.log(p), seed=0, top_k=3, size=200_000)
    q = dc.truncate(p, top_k=3)
    f = np.bincount(x, minlength=4) / x.size
    assert np.all(np.abs(f - q) <= 5 * np.sqrt(q * (1 - q) / x.size) + 1e-12)
    batch = dc.sample(np.log(np.tile(p, (5, 1))), seed=0, top_k=1)
    assert np.all(batch == 1)


def test_perplexity_and_entropy_rate():
    assert dc.perplexity(math.log(7)) == pytest.approx(7)
    P = np.array([[0.9, 0.1], [0.5, 0.5]])
    pi = np.array([5 / 6, 1 / 6])
    H = -(pi[0] * (0.9 * math.log(0.9) + 0.1 * math.log(0.1)) + pi[1] * math.log(0.5))
    assert dc.entropy_rate(P) == pytest.approx(H, rel=1e-12)
    seq = dc.markov_sequences(P, 200_000, seed=0)[0]
    Q = dc.bigram_model(seq, 2, 0.0)
    np.testing.assert_allclose(Q, P, atol=0.01)
    assert dc.bigram_excess_ce(P, P) == pytest.approx(0.0, abs=1e-15)


def test_compute_optimal_vs_grid():
    F = 1e23
    N, D = dc.compute_optimal(F)
    grid = np.exp(np.linspace(np.log(N) - 2, np.log(N) + 2, 100_001))
    best = grid[np.argmin(dc.chinchilla_loss(grid, F / (6 * grid)))]
    assert N == pytest.approx(best, rel=1e-4)
    assert 6 * N * D == pytest.approx(F)


def test_gibbs_policy_maximizes_objective():
    rng = np.random.default_rng(0)
    ref, r, beta = rng.dirichlet(np.ones(5)), rng.standard_normal(5), 0.7
    pstar = dc.kl_optimal_policy(ref, r, beta)

    def J(p):
        return p @ r - beta * np.sum(p * np.log(p / ref))

    for _ in range(50):
        other = rng.dirichlet(np.ones(5))
        assert J(other) <= J(pstar) + 1e-12
    assert J(pstar) == pytest.approx(beta * math.log(np.sum(ref * np.exp(r / beta))))


def test_dpo_equals_rlhf_on_sample():
    rng = np.random.default_rng(3)
    X, Y, beta = 3, 4, 0.5
    r = rng.standard_normal((X, Y))
    ref = rng.dirichlet(np.ones(Y) * 2, X)
    n = 600
    x, a = rng.integers(0, X, n), rng.integers(0, Y, n)
    b = (a + rng.integers(1, Y, n)) % Y
    win = rng.random(n) < dc.bt_prob(r[x, a], r[x, b])
    pairs = np.stack([x, np.where(win, a, b), np.where(win, b, a)], 1)
    pi = dc.train_dpo(ref, pairs, beta, steps=500, tol=1e-15)
    np.testing.assert_allclose(pi, dc.kl_optimal_policy(ref, dc.fit_reward(pairs, X, Y), beta),
                               atol=1e-7)
    # the DPO loss gradient agrees with finite differences
    th = torch.tensor(np.log(ref), requires_grad=True)
    dc.dpo_loss(th, ref, pairs, beta).backward()
    e = torch.zeros_like(th)
    e[1, 2] = 1e-6
    fd = (dc.dpo_loss(th.detach() + e, ref, pairs, beta) - dc.dpo_loss(th.detach() - e, ref, pairs,
                                                                         beta)) / 2e-6
    assert float(th.grad[1, 2]) == pytest.approx(float(fd), rel=1e-6)


def test_errors_name_arguments():
    with pytest.raises(ValueError, match="top_p"):
        dc.truncate([0.5, 0.5], top_p=1.5)
    with pytest.raises(ValueError, match="temperature"):
        dc.softmax([1.0, 2.0], temperature=0.0)
    with pytest.raises(TypeError, match="step"):
        dc.greedy(None, 2)
    with pytest.raises(ValueError, match="pairs"):
        dc.fit_reward(np.array([[0, 5, 1]]), 1, 3)


def test_dpo_requires_strongly_connected_win_graph():
    # one response always wins: no maximum likelihood reward, no DPO minimizer
    with pytest.raises(ValueError, match="strongly connected"):
        dc.fit_reward(np.array([[0, 0, 1]] * 5), 1, 2)
    with pytest.raises(ValueError, match="strongly connected"):
        dc.train_dpo(np.array([[0.5, 0.5]]), np.array([[0, 0, 1]] * 5), 0.5)
    # the referee's instance (the chapter's sampling at seed 17): response 0 of prompt 6
    # wins all of its comparisons
    rng = np.random.default_rng(17 + 9)
    X, Y = 10, 5
    r = rng.standard_normal((X, Y))
    rng.dirichlet(np.full(Y, 2.0), X)
    x, a = rng.integers(0, X, 2000), rng.integers(0, Y, 2000)
    b = (a + rng.integers(1, Y, 2000)) % Y
    win = rng.random(2000) < dc.bt_prob(r[x, a], r[x, b])
    pairs = np.stack([x, np.where(win, a, b), np.where(win, b, a)], 1)
    ok = dc.win_graph_connected(pairs, X, Y)
    assert not ok[6] and ok.sum() == 9
    with pytest.raises(ValueError, match="prompt 6"):
        dc.fit_reward(pairs, X, Y)
    # existence without uniqueness: two 2-cycles (the weakly connected components are strongly
    # connected); r = 0 has zero gradient, so the maximum exists but is not unique
    two = np.array([[0, 0, 1], [0, 1, 0], [0, 2, 3], [0, 3, 2]])
    assert not dc.win_graph_connected(two, 1, 4).any()
    nll = lambda r: np.logaddexp(0.0, -(r[two[:, 1]] - r[two[:, 2]])).sum()  # noqa: E731
    assert nll(np.zeros(4)) == pytest.approx(4 * np.log(2), rel=1e-15)
    assert nll(np.array([1.0, 1.0, -1.0, -1.0])) == pytest.approx(4 * np.log(2), rel=1e-15)
    for u in np.random.default_rng(0).standard_normal((50, 4)):
        assert nll(u) >= 4 * np.log(2)
    with pytest.raises(ValueError, match="exist but are not unique"):
        dc.fit_reward(two, 1, 4)
    with pytest.raises(ValueError, match="exist but are not unique"):  # 2 is never compared
        dc.fit_reward(np.array([[0, 0, 1], [0, 1, 0]]), 1, 3)
    with pytest.raises(ValueError, match="do not exist"):
        dc.fit_reward(np.array([[0, 0, 1]] * 5), 1, 2)
    with pytest.raises(ValueError, match="exist but are not unique"):
        dc.train_dpo(np.full((1, 4), 0.25), two, 0.5)
    # a 3-cycle is strongly connected; a chain is not
    assert dc.win_graph_connected(np.array([[0, 0, 1], [0, 1, 2], [0, 2, 0]]), 1, 3).all()
    assert not dc.win_graph_connected(np.array([[0, 0, 1], [0, 1, 2], [0, 0, 2]]), 1, 3).any()

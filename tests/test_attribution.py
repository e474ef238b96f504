"""Tests of dlf.attribution against independent oracles.

Oracles: finite differences of retrained models and torch autograd (influence), dense linear
algebra (inverse Hessian-vector products), brute-force enumeration of orders and subsets written
here from the definitions (Shapley, Banzhaf, KNN-Shapley), and population least squares.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from dlf import attribution as at


def _logistic_data(n=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X @ np.array([1.0, -1.0, 0.5])[:d] + 0.5 * rng.standard_normal(n) > 0).astype(float)
    return X, y


def _brute_shapley(v, N):
    """Shapley values from the definition with frozensets (independent of the bitmask code)."""
    val = {frozenset(i for i in range(N) if m >> i & 1): v[m] for m in range(2**N)}
    s = np.zeros(N)
    for order in itertools.permutations(range(N)):
        S = frozenset()
        for i in order:
            s[i] += val[S | {i}] - val[S]
            S = S | {i}
    return s / math.factorial(N)


def _random_game(N, seed):
    return np.random.default_rng(seed).standard_normal(2**N)


# --------------------------------------------------------------------------- logistic model


def test_logistic_fit_is_stationary_and_matches_torch_gradient():
    X, y = _logistic_data()
    w = np.random.default_rng(1).uniform(0.2, 2.0, X.shape[0])
    th = at.logistic_fit(X, y, 0.3, sample_weight=w)
    t = torch.tensor(th, requires_grad=True)
    Xt, yt, wt = map(torch.tensor, (X, y, w))
    z = Xt @ t
    obj = (wt * (torch.nn.functional.softplus(z) - yt * z)).mean() + 0.15 * t.dot(t)
    (g,) = torch.autograd.grad(obj, t)
    assert g.abs().max().item() < 1e-12


def test_logistic_hessian_and_grads_vs_autograd():
    X, y = _logistic_data()
    th = np.array([0.3, -0.2, 0.1])
    t = torch.tensor(th, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def obj(t):
        z = Xt @ t
        return (torch.nn.functional.softplus(z) - yt * z).mean() + 0.05 * t.dot(t)

    H = torch.autograd.functional.hessian(obj, t).numpy()
    np.testing.assert_allclose(at.logistic_hessian(th, X, 0.1), H, atol=1e-13)
    z = Xt @ t
    per = torch.nn.functional.softplus(z) - yt * z
    np.testing.assert_allclose(at.logistic_losses(th, X, y), per.detach().numpy(), rtol=1e-13)
    G = np.stack([torch.autograd.grad(per[i], t, retain_graph=True)[0].numpy()
                  for i in range(5)])
    np.testing.assert_allclose(at.logistic_grads(th, X, y)[:5], G, atol=1e-14)


def test_influence_matches_central_difference_of_retraining():
    X, y = _logistic_data()
    n, lam = X.shape[0], 0.2
    xz, yz = np.array([[0.5, 1.0, -1.0]]), np.array([1.0])
    th = at.logistic_fit(X, y, lam)
    infl = at.influence(at.logistic_hessian(th, X, lam), at.logistic_grads(th, X, y),
                        at.logistic_grads(th, xz, yz)[0])
    def loss_at(i, eps):  # test loss after refitting with weight 1/n + eps on example i
        w = np.ones(n)
        w[i] += n * eps
        return at.logistic_losses(at.logistic_fit(X, y, lam, sample_weight=w), xz, yz)[0]

    for i in (0, 7):
        D = [(loss_at(i, h) - loss_at(i, -h)) / (2 * h) for h in (1e-5, 2e-5)]
        fd = (4 * D[0] - D[1]) / 3  # Richardson extrapolation removes the h^2 error
        assert abs(fd - infl[i]) <= 1e-8 * abs(infl[i])


def test_influence_single_row_and_damping():
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    g, gz = np.array([1.0, -1.0]), np.array([0.3, 2.0])
    assert at.influence(H, g, gz) == pytest.approx(-gz @ np.linalg.solve(H, g), rel=1e-14)
    assert at.influence(H, g, gz, damping=0.7) == pytest.approx(
        -gz @ np.linalg.solve(H + 0.7 * np.eye(2), g), rel=1e-14)
    with pytest.raises(ValueError, match="damping"):
        at.influence(np.zeros((2, 2)), g, gz)


def test_loo_effects_weight_zero_and_renormalized():
    X, y = _logistic_data(n=30)
    n, lam = 30, 0.5
    f = lambda th: float(th[0])  # noqa: E731
    eff = at.loo_effects(X, y, lam, f, indices=[3])
    keep = np.arange(n) != 3
    # oracle: weight-zero problem = mean over n-1 examples with lam * n/(n-1) ... rescaled
    th_full = at.logistic_fit(X, y, lam)
    th_drop = at.logistic_fit(X[keep], y[keep], lam * n / (n - 1))
    assert eff[0] == pytest.approx(th_drop[0] - th_full[0], rel=1e-9)
    eff2 = at.loo_effects(X, y, lam, f, indices=[3], renormalize=True)
    th_drop2 = at.logistic_fit(X[keep], y[keep], lam)
    assert eff2[0] == pytest.approx(th_drop2[0] - th_full[0], rel=1e-9)


# --------------------------------------------------------------------------- inverse HVPs


def _spd(d=6, seed=0, lo=0.5, hi=3.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return (Q * np.linspace(lo, hi, d)) @ Q.T


def test_neumann_matches_partial_sum_and_limit():
    H = _spd()
    v = np.arange(1.0, 7.0)
    s = 0.3
    direct = s * sum(np.linalg.matrix_power(np.eye(6) - s * H, i) for i in range(7)) @ v
    np.testing.assert_allclose(at.neumann_inverse_hvp(lambda u: H @ u, v, s, 7), direct,
                               rtol=1e-13)
    allp = at.neumann_inverse_hvp(lambda u: H @ u, v, s, 7, return_all=True)
    assert allp.shape == (7, 6)
    np.testing.assert_allclose(allp[-1], direct, rtol=1e-13)
    np.testing.assert_allclose(at.neumann_inverse_hvp(lambda u: H @ u, v, 0.6, 400),
                               np.linalg.solve(H, v), rtol=1e-12)


def test_neumann_accepts_torch_hvp():
    H = torch.tensor(_spd(seed=3))
    v = np.ones(6)
    out = at.neumann_inverse_hvp(lambda u: H @ torch.as_tensor(u), v, 0.3, 500)
    np.testing.assert_allclose(out, np.linalg.solve(H.numpy(), v), rtol=1e-12)


def test_lissa_is_unbiased_and_deterministic():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((20, 4))
    Hs = np.einsum("ni,nj->nij", A, A) / 4 + 0.5 * np.eye(4)
    H = Hs.mean(0)
    v = np.array([1.0, -2.0, 0.5, 0.0])
    s = 1 / max(np.linalg.eigvalsh(h)[-1] for h in Hs)
    sample = lambda idx, u: Hs[idx].mean(0) @ u  # noqa: E731
    target = at.neumann_inverse_hvp(lambda u: H @ u, v, s, 15)
    runs = np.array([at.lissa(sample, 20, v, s, 15, seed=k) for k in range(800)])
    se = runs.std(0, ddof=1) / math.sqrt(800)
    assert np.all(np.abs(runs.mean(0) - target) <= 5 * se)
    np.testing.assert_array_equal(at.lissa(sample, 20, v, s, 15, seed=3),
                                  at.lissa(sample, 20, v, s, 15, seed=3))
    # exact products: LiSSA is S_r v itself, with the same number of terms (catches off-by-one)
    for r in (1, 2, 15):
        np.testing.assert_allclose(at.lissa(lambda idx, u: H @ u, 20, v, s, r),
                                   at.neumann_inverse_hvp(lambda u: H @ u, v, s, r),
                                   rtol=1e-12, atol=1e-15)


def test_cg_exact_in_d_steps_and_rejects_indefinite():
    H = _spd(d=8, seed=2)
    v = np.random.default_rng(1).standard_normal(8)
    np.testing.assert_allclose(at.cg_inverse_hvp(lambda u: H @ u, v), np.linalg.solve(H, v),
                               rtol=1e-10)
    with pytest.raises(ValueError, match="positive definite"):
        at.cg_inverse_hvp(lambda u: -u, v)


# --------------------------------------------------------------------------- Shapley


@pytest.mark.parametrize("N", [1, 2, 4, 6])
def test_shapley_methods_vs_brute_force(N):
    v = _random_game(N, N)
    brute = _brute_shapley(v, N)
    for method in ("subset", "permutation", "harsanyi"):
        np.testing.assert_allclose(at.shapley_exact(v, method=method), brute, atol=1e-12)


def test_game_table_order_and_dividends():
    v = at.game_table(lambda S: float(10 * len(S) + (S.sum() if len(S) else 0)), 3)
    assert v[0b101] == 20 + 0 + 2
    m = at.harsanyi_dividends(v)
    # Moebius inversion by the definition
    for T in range(8):
        subsets = [S for S in range(8) if S & ~T == 0]
        ref = sum((-1) ** (bin(T).count("1") - bin(S).count("1")) * v[S] for S in subsets)
        assert m[T] == pytest.approx(ref, abs=1e-12)


def test_shapley_difference_vs_exact():
    v = _random_game(5, 7)
    s = _brute_shapley(v, 5)
    for i, j in [(0, 1), (4, 2), (3, 3)]:
        assert at.shapley_difference(v, i, j) == pytest.approx(s[i] - s[j], abs=1e-12)


def test_mc_variance_vs_enumerated_orders():
    N = 4
    v = _random_game(N, 11)
    contrib = np.zeros((math.factorial(N), N))
    for k, order in enumerate(itertools.permutations(range(N))):
        mask = 0
        for i in order:
            contrib[k, i] = v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    np.testing.assert_allclose(at.shapley_mc_variance(v), contrib.var(axis=0), atol=1e-12)


def test_shapley_permutation_unbiased_with_predicted_variance():
    v = _random_game(5, 3)
    s = _brute_shapley(v, 5)
    var = at.shapley_mc_variance(v)
    est = np.array([at.shapley_permutation(v, 4, seed=k) for k in range(3000)])
    se = np.sqrt(var / 4 / 3000)
    assert np.all(np.abs(est.mean(0) - s) <= 5 * se)
    ratio = ((est - s) ** 2).sum(1).mean() * 4 / var.sum()
    assert 0.85 < ratio < 1.15


def test_banzhaf_vs_brute_force():
    N, p = 4, 0.3
    v = _random_game(N, 5)
    for i in range(N):
        others = [j for j in range(N) if j != i]
        ref = 0.0
        for bits in itertools.product([0, 1], repeat=N - 1):
            S = sum(b << j for b, j in zip(bits, others, strict=True))
            ref += p ** sum(bits) * (1 - p) ** (N - 1 - sum(bits)) * (v[S | 1 << i] - v[S])
        assert at.banzhaf_exact(v, p)[i] == pytest.approx(ref, abs=1e-12)


def test_knn_shapley_vs_enumeration():
    rng = np.random.default_rng(0)
    Xtr, ytr = rng.standard_normal((7, 2)), rng.integers(0, 2, 7).astype(float)
    Xte, yte = rng.standard_normal((2, 2)), np.array([0.0, 1.0])
    far = [np.argmax(np.sum((Xtr - x) ** 2, axis=1)) for x in Xte]
    assert ytr[far[0]] == yte[0] or ytr[far[1]] == yte[1]  # K > N cases see the initial value
    for K in (1, 2, 3, 7, 8, 10):
        def U(S, K=K):
            if len(S) == 0:
                return 0.0
            tot = 0.0
            for x, y in zip(Xte, yte, strict=True):
                d = np.sum((Xtr[S] - x) ** 2, axis=1)
                nn = S[np.argsort(d, kind="stable")[:K]]
                tot += np.sum(ytr[nn] == y) / K
            return tot / len(Xte)
        ref = _brute_shapley(at.game_table(U, 7), 7)
        np.testing.assert_allclose(at.knn_shapley(Xtr, ytr, Xte, yte, K), ref, atol=1e-13)


def test_datamodel_fit_recovers_a_linear_game_and_population_banzhaf():
    rng = np.random.default_rng(0)
    Z = rng.integers(0, 2, (200, 6))
    theta = np.array([1.0, -2.0, 0.0, 0.5, 3.0, -1.0])
    th, b = at.datamodel_fit(Z, 0.7 + Z @ theta)
    np.testing.assert_allclose(th, theta, atol=1e-12)
    assert b == pytest.approx(0.7, abs=1e-12)
    # all 2^5 subsets once each (p = 1/2): least squares = Banzhaf values
    v = _random_game(5, 9)
    Zall = (np.arange(32)[:, None] >> np.arange(5)) & 1
    th, _ = at.datamodel_fit(Zall, v)
    np.testing.assert_allclose(th, at.banzhaf_exact(v, 0.5), atol=1e-12)


# --------------------------------------------------------------------------- bad input


def test_errors_name_the_argument():
    v = np.zeros(8)
    with pytest.raises(ValueError, match="v must have length"):
        at.shapley_exact(np.zeros(6))
    with pytest.raises(ValueError, match="method"):
        at.shapley_exact(v, method="nope")
    with pytest.raises(ValueError, match="j must"):
        at.shapley_difference(v, 0, 3)
    with pytest.raises(TypeError, match="T must"):
        at.shapley_permutation(v, 2.5)
    with pytest.raises(ValueError, match="p must"):
        at.banzhaf_exact(v, 1.5)
    with pytest.raises(ValueError, match="s must"):
        at.neumann_inverse_hvp(lambda u: u, np.ones(2), -1.0, 3)
    with pytest.raises(TypeError, match="hvp must"):
        at.neumann_inverse_hvp(None, np.ones(2), 1.0, 3)
    with pytest.raises(ValueError, match="y must"):
        at.logistic_fit(np.ones((3, 2)), [0, 1, 2], 0.1)
    with pytest.raises(ValueError, match="lam must"):
        at.logistic_fit(np.ones((3, 2)), [0, 1, 1], 0.0)
    with pytest.raises(ValueError, match="masks must"):
        at.datamodel_fit([[0, 2]], [1.0])
    with pytest.raises(ValueError, match="singular"):
        at.datamodel_fit([[0, 1], [1, 0], [0, 1]], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="test_fn"):
        at.loo_effects(np.ones((3, 2)), [0, 1, 1], 0.1, 3.0)

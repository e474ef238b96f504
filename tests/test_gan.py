"""Tests for dlf.gan against closed forms, quadrature, scipy, linear programming and torch."""

import math

import numpy as np
import pytest
import torch
from scipy.linalg import sqrtm
from scipy.optimize import linprog, minimize_scalar
from scipy.stats import wasserstein_distance

from dlf import data, gan

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.2, 0.2, 0.6])


def test_optimal_discriminator_value_is_2js_minus_log4():
    d = gan.optimal_discriminator(P, Q)
    assert d == pytest.approx(P / (P + Q), rel=1e-15)
    v = gan.gan_value(d, P, Q)
    assert v == pytest.approx(-1.2051627, abs=1e-7)
    assert v == pytest.approx(2 * gan.js_divergence(P, Q) - math.log(4), abs=1e-12)
    rng = np.random.default_rng(0)
    for _ in range(200):
        e = np.clip(d + 0.05 * rng.standard_normal(3), 1e-3, 1 - 1e-3)
        assert gan.gan_value(e, P, Q) <= v + 1e-15


def test_f_divergences_against_direct_formulas():
    m = (P + Q) / 2
    kl = lambda a, b: float(np.sum(a * np.log(a / b)))  # noqa: E731
    direct = {"kl": kl(P, Q), "reverse_kl": kl(Q, P), "tv": 0.5 * np.abs(P - Q).sum(),
              "hellinger2": np.sum((np.sqrt(P) - np.sqrt(Q)) ** 2),
              "js": 0.5 * kl(P, m) + 0.5 * kl(Q, m), "gan": kl(P, m) + kl(Q, m)}
    for name, val in direct.items():
        assert gan.f_divergence(P, Q, name) == pytest.approx(val, abs=1e-13), name
    assert gan.f_divergence(P, Q, "kl") == pytest.approx(0.3600624, abs=1e-7)
    assert gan.f_divergence(P, Q, "hellinger2") == pytest.approx(0.1848262, abs=1e-7)


@pytest.mark.parametrize("name", sorted(gan.F_DIVERGENCES))
def test_conjugates_are_numerical_suprema_and_biconjugate(name):
    fd = gan.F_DIVERGENCES[name]
    lo, hi = fd.domain
    ts = [t for t in (-2.0, -0.7, -0.2, 0.1, 0.3, 0.9, 1.5) if lo < t < hi]
    for t in ts:
        res = minimize_scalar(lambda v, t=t: -(t * math.exp(v) - fd.generator(math.exp(v))),
                              bounds=(-30, 30), method="bounded",
                              options={"xatol": 1e-12})
        assert -res.fun == pytest.approx(float(fd.conjugate(t)), abs=1e-7), (name, t)
    # f** = f at a few u, sup over a t grid inside the domain
    tgrid = np.linspace(max(lo, -40) + 1e-9, min(hi, 40) - 1e-9, 400_001)
    fs = fd.conjugate(tgrid)
    for u in (0.3, 1.0, 2.5):
        assert np.max(u * tgrid - fs) == pytest.approx(float(fd.generator(u)), abs=2e-6)
    # the activation maps into the domain and f*(rho(r)) is finite
    r = np.linspace(-5, 5, 11)
    assert np.all(np.isfinite(fd.conjugate(fd.activation(r))))


def test_gan_activation_identity():
    r = np.linspace(-6, 6, 13)
    fd = gan.F_DIVERGENCES["gan"]
    sig = 1 / (1 + np.exp(-r))
    ref = -np.log(1 - sig) - math.log(4)
    assert fd.conjugate(fd.activation(r)) == pytest.approx(ref, abs=1e-12)


def test_variational_bound_attained_at_f_prime():
    fprime = {"kl": lambda u: 1 + np.log(u), "reverse_kl": lambda u: -1 / u,
              "hellinger2": lambda u: 1 - 1 / np.sqrt(u),
              "gan": lambda u: np.log(u / (1 + u))}
    rng = np.random.default_rng(1)
    for name, fp in fprime.items():
        T = fp(P / Q)
        D = gan.f_divergence(P, Q, name)
        assert gan.variational_bound(T, P, Q, name) == pytest.approx(D, abs=1e-12)
        for _ in range(50):
            Tr = T + 0.1 * rng.standard_normal(3)
            if np.all(np.isfinite(gan.F_DIVERGENCES[name].conjugate(Tr))):
                assert gan.variational_bound(Tr, P, Q, name) <= D + 1e-14


def test_wasserstein_1d_vs_scipy_sorting_and_lp():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(7), rng.standard_normal(5) + 0.4
    assert gan.wasserstein_1d(x, y) == pytest.approx(wasserstein_distance(x, y), rel=1e-12)
    x2, y2 = rng.standard_normal(8), 2 * rng.standard_normal(8)
    assert gan.wasserstein_1d(x2, y2) == pytest.approx(np.mean(np.abs(np.sort(x2) - np.sort(y2))),
                                                       rel=1e-12)
    # transport LP on 7 x 5 atoms
    n, m = x.size, y.size
    C = np.abs(x[:, None] - y[None, :]).ravel()
    A_eq = np.vstack([np.kron(np.eye(n), np.ones(m)), np.kron(np.ones(n), np.eye(m))])
    b_eq = np.concatenate([np.full(n, 1 / n), np.full(m, 1 / m)])
    lp = linprog(C, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert gan.wasserstein_1d(x, y) == pytest.approx(lp.fun, rel=1e-9)


def test_gaussian_w2_and_map_vs_sqrtm():
    rng = np.random.default_rng(3)
    A1, A2 = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    S1, S2 = A1 @ A1.T + 0.1 * np.eye(4), A2 @ A2.T + 0.1 * np.eye(4)
    m1, m2 = rng.standard_normal(4), rng.standard_normal(4)
    R = np.real(sqrtm(S1))
    ref = np.sum((m1 - m2) ** 2) + np.trace(S1 + S2 - 2 * np.real(sqrtm(R @ S2 @ R)))
    assert gan.gaussian_w2(m1, S1, m2, S2) == pytest.approx(ref, rel=1e-10)
    assert gan.fid(m1, S1, m2, S2) == gan.gaussian_w2(m1, S1, m2, S2)
    A, b = gan.gaussian_ot_map(m1, S1, m2, S2)
    assert A @ S1 @ A == pytest.approx(S2, abs=1e-10)
    assert np.linalg.eigvalsh(A).min() > 0
    # E||X - T X||^2 in closed form = W2^2
    M = np.eye(4) - A
    cost = np.sum((m1 - A @ m1 - b) ** 2) + np.trace(M @ S1 @ M.T)
    assert cost == pytest.approx(ref, rel=1e-10)
    # 1-D
    assert gan.gaussian_w2([1.0], [[4.0]], [-1.0], [[1.0]]) == pytest.approx(4 + 1, rel=1e-14)


def test_fid_from_samples_uses_sample_covariances():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((50, 2)), rng.standard_normal((60, 2)) * 2
    ref = gan.gaussian_w2(X.mean(0), np.cov(X.T), Y.mean(0), np.cov(Y.T))
    assert gan.fid_from_samples(X, Y) == pytest.approx(ref, rel=1e-14)
    assert gan.fid_from_samples(X, X) == pytest.approx(0.0, abs=1e-10)


def test_spectral_normalize_vs_torch():
    rng = np.random.default_rng(5)
    W = rng.standard_normal((6, 4))
    Wn = gan.spectral_normalize(W)
    assert np.linalg.norm(Wn, 2) == pytest.approx(1.0, rel=1e-9)
    lin = torch.nn.Linear(4, 6, bias=False).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(W))
    sn = torch.nn.utils.parametrizations.spectral_norm(lin, n_power_iterations=200)
    sn.train()
    for _ in range(5):
        sn(torch.zeros(1, 4, dtype=torch.float64))
    assert sn.weight.detach().numpy() == pytest.approx(Wn, abs=1e-8)


@pytest.mark.parametrize("method", ["simultaneous", "alternating", "extragradient"])
def test_gda_iterates_equal_matrix_powers(method):
    rng = np.random.default_rng(6)
    A = rng.standard_normal((3, 2))
    xs, ys = gda_run = gan.gda(A, 0.3, 7, method, x0=np.ones(3), y0=np.array([0.5, -1.0]))
    M = gan.gda_matrix(A, 0.3, method)
    z = np.linalg.matrix_power(M, 7) @ np.concatenate([np.ones(3), [0.5, -1.0]])
    assert np.concatenate([xs[-1], ys[-1]]) == pytest.approx(z, rel=1e-12)
    assert len(gda_run[0]) == 8


def test_gda_scalar_moduli():
    eta, s = 0.3, 1.7
    mods = {"simultaneous": math.sqrt(1 + (eta * s) ** 2), "alternating": 1.0,
            "extragradient": math.sqrt(1 - (eta * s) ** 2 + (eta * s) ** 4)}
    for method, mod in mods.items():
        ev = np.linalg.eigvals(gan.gda_matrix(s, eta, method))
        assert np.abs(ev) == pytest.approx([mod, mod], rel=1e-12)
    assert np.linalg.det(gan.gda_matrix(s, 1.5, "alternating")) == pytest.approx(1.0, rel=1e-12)
    assert np.abs(np.linalg.eigvals(gan.gda_matrix(s, 2.1 / s, "alternating"))).max() > 1.0


def test_ring_and_mode_count():
    X, lab = data.gaussian_ring(20000, std=0.05, seed=0)
    C = data.ring_centers()
    k, qual = gan.mode_count(X, C, 0.05)
    assert k == 8
    p = 1 - math.exp(-4.5)
    assert abs(qual - p) < 5 * math.sqrt(p * (1 - p) / X.shape[0])
    three = X[lab < 3]
    assert gan.mode_count(three, C, 0.05)[0] == 3


def test_birthday_probability_vs_monte_carlo_and_limit():
    assert gan.birthday_probability(365, 23) == pytest.approx(0.507297, abs=1e-6)
    assert gan.birthday_probability(100, 20) == pytest.approx(0.869600, abs=1e-6)
    assert gan.birthday_probability(10**4, 200) == pytest.approx(0.865120, abs=1e-6)
    rng = np.random.default_rng(7)
    R = 20000
    draws = rng.integers(0, 50, size=(R, 10))
    dup = np.mean([len(set(r)) < 10 for r in draws])
    p = gan.birthday_probability(50, 10)
    assert abs(dup - p) < 5 * math.sqrt(p * (1 - p) / R)
    assert gan.birthday_probability(3, 4) == 1.0


def test_collision_support_estimate():
    b = np.array([[1, 2, 2, 3, 3, 3], [0, 1, 2, 3, 4, 4]])
    M, c = gan.collision_support_estimate(b)
    assert c == 1 + 3 + 1 and M == pytest.approx(2 * 15 / 5)
    with pytest.raises(ValueError, match="no repeated"):
        gan.collision_support_estimate(np.arange(6).reshape(2, 3))


def test_train_gan_runs_and_records():
    h = gan.train_gan(steps=20, hidden=8, batch_size=16, eval_every=10, eval_size=50, seed=0)
    assert h["steps"] == [0, 10, 20] and len(h["modes"]) == 3 and h["samples"].shape == (50, 2)
    h2 = gan.train_gan(steps=20, hidden=8, batch_size=16, eval_every=10, eval_size=50, seed=0)
    assert np.array_equal(h["samples"], h2["samples"])


def test_bad_input_names_argument():
    with pytest.raises(ValueError, match="p must sum"):
        gan.gan_value([0.5, 0.5], [0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="method"):
        gan.gda(1.0, 0.1, 3, "nesterov")
    with pytest.raises(ValueError, match="name"):
        gan.f_divergence(P, Q, "chi2")
    with pytest.raises(ValueError, match="domain"):
        gan.variational_bound([1.0, 1.0, 1.0], P, Q, "gan")
    with pytest.raises(ValueError, match="S1"):
        gan.gaussian_w2([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], [0.0, 0.0], np.eye(2))

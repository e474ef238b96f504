"""Tests for dlf.adversarial against independent oracles: brute-force and convex-optimality
conditions for the projections, the closed form of the linear worst case, finite differences,
scipy.stats.binomtest for Clopper-Pearson, torch.distributions.Normal for the smoothing radius."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri
from scipy.stats import binom, binomtest

from dlf import adversarial as adv

INF = math.inf


def _dual(v, p):
    return {INF: np.abs(v).sum(), 2: np.linalg.norm(v), 1: np.abs(v).max()}[p]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=7), st.floats(0.05, 3),
       st.sampled_from([1, 2, INF]))
def test_projection_optimality_condition(v, eps, p):
    # p = proj(x) iff ||p||_p <= eps and eps ||x - p||_q = <x - p, p> (variational inequality)
    x = np.array(v)
    proj = adv.project(torch.tensor(x), eps, p).numpy()
    assert np.linalg.norm(proj, ord=p) <= eps * (1 + 1e-12) + 1e-15
    r = x - proj
    assert eps * _dual(r, p) == pytest.approx(float(r @ proj), abs=1e-10)


def test_projection_beats_brute_force_l1():
    rng = np.random.default_rng(0)
    x = np.array([0.9, -0.4, 0.2])
    proj = adv.project(torch.tensor(x), 0.5, 1).numpy()
    # random points on the l1 sphere of radius 0.5 are never closer
    z = rng.standard_normal((20000, 3))
    z = 0.5 * z / np.abs(z).sum(axis=1, keepdims=True) * rng.uniform(0, 1, (20000, 1))
    assert np.linalg.norm(x - proj) <= np.linalg.norm(x - z, axis=1).min() + 1e-12
    np.testing.assert_allclose(proj, [0.5, 0.0, 0.0], atol=1e-12)


def test_projection_batch_is_per_row():
    d = torch.tensor([[3.0, 4.0], [0.3, 0.4]], dtype=torch.float64)
    out = adv.project(d, 1.0, 2)
    torch.testing.assert_close(out, torch.tensor([[0.6, 0.8], [0.3, 0.4]], dtype=torch.float64))


def test_project_box():
    x = torch.tensor([0.1, 0.9], dtype=torch.float64)
    out = adv.project_box(x, torch.tensor([-0.3, 0.3], dtype=torch.float64))
    torch.testing.assert_close(out, torch.tensor([-0.1, 0.1], dtype=torch.float64))


def _linear_model(w, b):
    w = torch.tensor(w)
    return lambda x: torch.stack([torch.zeros(x.shape[0], dtype=x.dtype), x @ w + b], dim=1)


@pytest.mark.parametrize("p", [1, 2, INF])
def test_fgsm_and_pgd_exact_on_linear(p):
    rng = np.random.default_rng(1)
    w, b, x0 = rng.standard_normal(6), 0.3, rng.standard_normal(6)
    model = _linear_model(w, b)
    x, y = torch.tensor(x0[None]), torch.tensor([1])
    margin, delta = adv.linear_worst_case(w, b, x0, 1, 0.2, p)
    assert margin == pytest.approx(w @ x0 + b - 0.2 * _dual(w, p), abs=1e-12)
    assert w @ (x0 + delta) + b == pytest.approx(margin, abs=1e-12)
    for xa in (adv.fgsm(model, x, y, 0.2, p=p, clip=None),
               adv.pgd(model, x, y, 0.2, 0.05, 30, p=p, clip=None, random_start=False)):
        assert float(model(xa)[0, 1]) == pytest.approx(margin, abs=1e-12)
    # no random point of the ball does better (lower margin)
    z = adv.project(torch.tensor(rng.standard_normal((2000, 6))), 0.2, p).numpy()
    assert ((x0 + z) @ w + b).min() >= margin - 1e-12


def test_input_gradient_matches_finite_differences():
    torch.manual_seed(0)
    net = adv.digits_mlp(0).double()
    x = torch.rand(1, 1, 8, 8, dtype=torch.float64)
    y = torch.tensor([3])
    g = adv._input_grad(net, x, y, None)
    e = torch.zeros_like(x)
    e[0, 0, 2, 5] = 1e-6
    with torch.no_grad():
        fd = [float(torch.nn.functional.cross_entropy(net(z), y)) for z in (x + e, x - e)]
    fd = (fd[0] - fd[1]) / 2e-6
    assert float(g[0, 0, 2, 5]) == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_pgd_stays_in_ball_and_box_and_is_seeded():
    net = adv.digits_mlp(1).double()
    x = torch.rand(5, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.arange(5)
    for p, eps in ((INF, 0.1), (2, 0.5), (1, 1.0)):
        xa = adv.pgd(net, x, y, eps, eps / 4, 5, p=p, seed=2)
        norms = (xa - x).reshape(5, -1).norm(p=p, dim=1)
        assert bool((norms <= eps + 1e-12).all())
        assert bool(((xa >= 0) & (xa <= 1)).all())
        torch.testing.assert_close(xa, adv.pgd(net, x, y, eps, eps / 4, 5, p=p, seed=2))


def test_robust_accuracy_worst_is_per_example():
    model = _linear_model(np.array([1.0, 0.0]), 0.0)
    X = torch.tensor([[1.0, 0.0], [-1.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([1, 1])
    attacks = {"a": lambda m, x, yy: x * torch.tensor([[1.0], [-1.0]], dtype=torch.float64),
               "b": lambda m, x, yy: -x}
    r = adv.robust_accuracy(model, X, y, attacks)
    assert r == {"clean": 0.5, "a": 1.0, "b": 0.5, "worst": 0.0}


@pytest.mark.parametrize("k,n,alpha", [(0, 10, 0.05), (7, 10, 0.05), (990, 1000, 0.001),
                                       (1000, 1000, 0.001), (51, 100, 0.2)])
def test_clopper_pearson_against_scipy(k, n, alpha):
    ref = binomtest(k, n, alternative="greater").proportion_ci(1 - alpha, "exact").low
    assert adv.clopper_pearson_lower(k, n, alpha) == pytest.approx(ref, abs=1e-12)


def test_certify_linear_base_within_exact_radius():
    w = np.array([0.6, -0.8])
    base = _linear_model(w, 0.1)
    sigma = 0.5
    sm = adv.SmoothedClassifier(base, sigma, 2)
    normal = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64),
                                        torch.tensor(1.0, dtype=torch.float64))
    for i, x0 in enumerate(np.array([[0.5, -0.2], [0.1, 0.1], [-1.0, 0.3]])):
        label, radius = sm.certify(torch.tensor(x0), 100, 2000, 1e-6, seed=i)
        dist = (w @ x0 + 0.1) / np.linalg.norm(w)
        p = float(normal.cdf(torch.tensor(dist / sigma)))
        exact = sigma * float(normal.icdf(torch.tensor(max(p, 1 - p))))
        assert exact == pytest.approx(abs(dist), abs=1e-6)  # torch erfinv: about 1e-7
        # two-sided: the radius is at most the exact one, and at least what Clopper-Pearson
        # gives at a pessimistic count (binomial 1e-7 quantile); a sigma^2 or shrunken radius fails
        k_lo = binom.ppf(1e-7, 2000, max(p, 1 - p))
        p_lo = adv.clopper_pearson_lower(int(k_lo), 2000, 1e-6)
        r_lo = sigma * float(ndtri(p_lo)) if p_lo > 0.5 else 0.0
        if label != -1:
            assert label == int(dist > 0)
            assert radius <= exact
        assert (radius if label != -1 else 0.0) >= r_lo - 1e-12
    assert sm.predict(torch.tensor([0.5, -0.2], dtype=torch.float64), 500, 0.01) == 1


def test_robust_construction_margins():
    rng = np.random.default_rng(0)
    d, m, c = 400, 10, 0.5
    X = rng.standard_normal((m, d))
    X *= math.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.choice([-1, 1], m)
    W, b, a = adv.robust_construction(X, y, c)
    np.testing.assert_allclose(y * adv.relu_net(W, b, a, X), 1.0, atol=1e-12)
    r = (1 - c) * math.sqrt(d) / 4
    Xp = X - r * W / np.linalg.norm(W, axis=1, keepdims=True)
    np.testing.assert_allclose(y * adv.relu_net(W, b, a, Xp), 0.5, atol=1e-12)


def test_tanh_net_gradient_matches_autograd():
    W, a = adv.random_two_layer(7, 20, seed=0)
    X = np.random.default_rng(1).standard_normal((3, 7))
    f, g = adv.tanh_net(W, a, X)
    Xt = torch.tensor(X, requires_grad=True)
    ft = torch.tanh(Xt @ torch.tensor(W).T) @ torch.tensor(a) / math.sqrt(20)
    ft.sum().backward()
    np.testing.assert_allclose(f, ft.detach().numpy(), atol=1e-14)
    np.testing.assert_allclose(g, Xt.grad.numpy(), atol=1e-14)


def test_digit_model_parameter_counts():
    assert sum(p.numel() for p in adv.digits_mlp(0).parameters()) == 4810


def test_training_reduces_loss_and_adversarial_training_runs():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(64, 1, 8, 8, generator=g)
    y = (X.reshape(64, -1).mean(dim=1) > 0.5).long()
    net = adv.digits_mlp(0)
    losses = adv._train_noisy(net, X, y, epochs=15, lr=1e-2, batch_size=32, seed=0,
                              noise_std=0.05)
    assert losses[-1] < 0.5 * losses[0]
    net2 = adv.digits_mlp(0)
    l2 = adv.adversarial_training(net2, X, y, eps=0.05, epochs=3, batch_size=32, attack="pgd",
                                  steps=2, seed=0)
    assert len(l2) == 3 and all(math.isfinite(v) for v in l2)


@pytest.mark.parametrize("attack", ["fgsm_rs", "pgd"])
def test_adversarial_training_attacks_in_eval_mode(attack):
    # BatchNorm's running statistics may be updated only by the training forward passes (one
    # per batch), never by the attack's; every attack forward runs in eval mode.
    g = torch.Generator().manual_seed(1)
    X = torch.rand(48, 1, 8, 8, generator=g)
    y = (X.reshape(48, -1).mean(dim=1) > 0.5).long()
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(4 * 36, 2))
    modes = []
    net.register_forward_pre_hook(lambda m, inp: modes.append(m.training))
    adv.adversarial_training(net, X, y, eps=0.05, epochs=2, batch_size=16, attack=attack,
                             steps=3, seed=0)
    n_batches = 2 * 3
    assert int(net[1].num_batches_tracked) == n_batches
    assert modes.count(True) == n_batches
    per_batch = 1 + (1 if attack == "fgsm_rs" else 3)  # attack forwards, then the training one
    assert modes == ([False] * (per_batch - 1) + [True]) * n_batches
    assert not net.training


@pytest.mark.parametrize("bad", [
    lambda: adv.project(torch.ones(3), -0.1, 2),
    lambda: adv.project(torch.ones(3), 0.1, 3),
    lambda: adv.clopper_pearson_lower(3, 10, 1.0),
    lambda: adv.SmoothedClassifier(lambda x: x, 0.0, 2),
])
def test_bad_input_raises(bad):
    with pytest.raises(ValueError):
        bad()


def test_box_then_ball_not_exact_for_l2():
    # brute force in 2-D: ball projection then box clip is not the projection onto the
    # intersection for l2; for l_inf it is (both are coordinatewise)
    x0, delta = np.array([0.5, 0.9]), np.array([0.2, 1.0])
    g = np.linspace(-0.5, 0.5, 1001)
    U, V = np.meshgrid(g, g, indexing="ij")
    for p, inside in ((2, U**2 + V**2 <= 0.25 + 1e-12),
                      (INF, (np.abs(U) <= 0.5) & (np.abs(V) <= 0.5))):
        ok = inside & (x0[0] + U >= 0) & (x0[0] + U <= 1) & (x0[1] + V >= 0) & (x0[1] + V <= 1)
        dist = np.where(ok, (U - delta[0]) ** 2 + (V - delta[1]) ** 2, np.inf)
        naive = adv.project_box(torch.tensor(x0), adv.project(torch.tensor(delta), 0.5, p)).numpy()
        gap = np.sum((naive - delta) ** 2) - dist.min()
        if p == 2:
            assert gap > 1e-2
        else:
            assert abs(gap) < 1e-12


def test_float32_l2_zero_vector_is_finite():
    # torch.finfo(float32).tiny instead of 1e-300 (which underflows to 0 and gives 0/0 = NaN)
    z = adv.project(torch.zeros(2, 3), 0.0, 2)
    assert z.dtype == torch.float32 and bool((z == 0).all())
    x = torch.full((2, 3), 0.5)
    y = torch.tensor([0, 1])
    xa = adv.fgsm(lambda v: torch.zeros(len(v), 2) + 0 * v.sum(), x, y, 0.1, p=2)
    assert bool(torch.isfinite(xa).all()) and torch.equal(xa, x)

"""Tests of dlf.losses against torch.nn.functional (float64), mpmath, scipy and finite
differences (dlf.gradcheck), plus property tests and bad-input tests."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlf import gradcheck, losses

mpmath.mp.dps = 50


def T(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def mp_logsumexp(row):
    return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)))


# --------------------------------------------------------------------------------------------
# stable building blocks


def test_logsumexp_matches_scipy_and_torch_on_random_logits():
    z = np.random.default_rng(0).standard_normal((7, 5)) * 10
    for axis in (0, 1, -1):
        np.testing.assert_allclose(losses.logsumexp(z, axis=axis),
                                   scipy.special.logsumexp(z, axis=axis), rtol=1e-14)
    np.testing.assert_allclose(losses.logsumexp(z), torch.logsumexp(T(z), dim=-1).numpy(),
                               rtol=1e-14)
    assert losses.logsumexp(z, keepdims=True).shape == (7, 1)
    assert isinstance(losses.logsumexp([1.0, 2.0]), float)


def test_logsumexp_extreme_logits_against_mpmath():
    rows = [[1e4, 1e4 - 1, -1e4], [-1e4, -1e4 - 3.0, -1e4 + 2.0], [800.0, 0.0, -800.0],
            [1e300, 1e300, 0.0]]
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is harmless
        got = [losses.logsumexp(r) for r in rows]
    for r, g in zip(rows, got, strict=True):
        assert g == pytest.approx(mp_logsumexp(r), rel=1e-15)


def test_logsumexp_bounds_and_masking():
    z = np.random.default_rng(1).standard_normal((100, 6)) * 5
    v = losses.logsumexp(z)
    assert np.all(v >= z.max(axis=1)) and np.all(v <= z.max(axis=1) + np.log(6) + 1e-12)
    assert losses.logsumexp([0.0, -np.inf]) == 0.0
    assert losses.logsumexp([-np.inf, -np.inf]) == -np.inf


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-1e3, 1e3)), st.floats(-1e3, 1e3))
def test_softmax_shift_invariance_and_simplex(z, c):
    p = losses.softmax(z)
    np.testing.assert_allclose(p, losses.softmax(z + c), atol=1e-12)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(losses.log_softmax(z), losses.log_softmax(z + c), atol=1e-9)


def test_softmax_and_log_softmax_match_torch_including_huge_logits():
    rng = np.random.default_rng(2)
    for z in (rng.standard_normal((5, 4)), np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4]])):
        np.testing.assert_allclose(losses.softmax(z), F.softmax(T(z), dim=1).numpy(),
                                   rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(losses.log_softmax(z), F.log_softmax(T(z), dim=1).numpy(),
                                   rtol=1e-13)
    np.testing.assert_allclose(losses.softmax(rng.standard_normal((3, 4)), axis=0).sum(axis=0),
                               1.0, rtol=1e-13)
    # the softmax is the gradient of logsumexp
    z = rng.standard_normal(6)
    np.testing.assert_allclose(gradcheck.numerical_gradient(losses.logsumexp, z),
                               losses.softmax(z), rtol=1e-8)


def test_sigmoid_softplus_log_sigmoid_against_torch_and_mpmath():
    z = np.concatenate([np.linspace(-30, 30, 121), [-800.0, -50.0, 50.0, 800.0]])
    np.testing.assert_allclose(losses.sigmoid(z), torch.sigmoid(T(z)).numpy(), rtol=1e-14)
    np.testing.assert_allclose(losses.log_sigmoid(z), F.logsigmoid(T(z)).numpy(), rtol=1e-13)
    for v in (-800.0, -40.0, -1.0, 0.0, 3.0, 40.0, 800.0):
        ref = float(mpmath.log1p(mpmath.exp(v)))
        assert losses.softplus(v) == pytest.approx(ref, rel=1e-15)
        assert losses.sigmoid(v) == pytest.approx(float(1 / (1 + mpmath.exp(-v))), rel=1e-15)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        losses.sigmoid([-1e308, 1e308])
        losses.softplus([-1e308, 1e308])


# --------------------------------------------------------------------------------------------
# regression losses


@pytest.fixture
def regression_pair():
    rng = np.random.default_rng(3)
    return rng.standard_normal(40) * 2, rng.standard_normal(40) * 2


def test_regression_losses_match_torch(regression_pair):
    p, t = regression_pair
    np.testing.assert_allclose(losses.squared_loss(p, t),
                               0.5 * F.mse_loss(T(p), T(t), reduction="none").numpy(), rtol=1e-14)
    np.testing.assert_allclose(losses.absolute_loss(p, t),
                               F.l1_loss(T(p), T(t), reduction="none").numpy(), rtol=1e-14)
    for delta in (0.3, 1.0, 5.0):
        np.testing.assert_allclose(
            losses.huber_loss(p, t, delta),
            F.huber_loss(T(p), T(t), reduction="none", delta=delta).numpy(), rtol=1e-14)


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_pinball_loss_identity_and_half_absolute(regression_pair, tau):
    p, t = regression_pair
    r = t - p  # independent closed form: |r|/2 + (tau - 1/2) r
    np.testing.assert_allclose(losses.pinball_loss(p, t, tau), 0.5 * np.abs(r) + (tau - 0.5) * r,
                               rtol=1e-13, atol=1e-15)
    if tau == 0.5:
        np.testing.assert_allclose(losses.pinball_loss(p, t, tau), 0.5 * losses.absolute_loss(p, t))


@pytest.mark.parametrize("name, kwargs", [("squared", {}), ("absolute", {}),
                                          ("huber", {"delta": 0.7}), ("pinball", {"tau": 0.3})])
def test_regression_gradients_match_autograd_and_finite_differences(regression_pair, name,
                                                                    kwargs):
    p, t = regression_pair
    loss, grad = getattr(losses, f"{name}_loss"), getattr(losses, f"{name}_loss_grad")
    tp = T(p).requires_grad_()
    torch_loss = {
        "squared": lambda a: 0.5 * (a - T(t)) ** 2,
        "absolute": lambda a: (a - T(t)).abs(),
        "huber": lambda a: F.huber_loss(a, T(t), reduction="none", delta=0.7),
        "pinball": lambda a: torch.maximum(0.3 * (T(t) - a), (0.3 - 1) * (T(t) - a)),
    }[name]
    torch_loss(tp).sum().backward()
    np.testing.assert_allclose(grad(p, t, **kwargs), tp.grad.numpy(), rtol=1e-13)
    fd = gradcheck.numerical_gradient(lambda a: np.sum(loss(a, t, **kwargs)), p)
    assert gradcheck.relative_error(grad(p, t, **kwargs), fd) < 1e-7


def test_subgradients_at_kinks_follow_torch():
    assert losses.absolute_loss_grad([1.0], [1.0])[0] == 0.0
    assert losses.pinball_loss_grad([1.0], [1.0], 0.2)[0] == 0.0
    assert losses.hinge_loss_grad([1.0])[0] == 0.0
    z = T([1.0]).requires_grad_()
    torch.relu(1 - z).sum().backward()
    assert z.grad.item() == losses.hinge_loss_grad([1.0])[0]


# --------------------------------------------------------------------------------------------
# margin losses


def test_margin_losses_match_torch():
    z = np.linspace(-5, 5, 41)
    ones = torch.ones(z.size, dtype=torch.float64)
    np.testing.assert_allclose(losses.logistic_loss(z),
                               F.soft_margin_loss(T(z), ones, reduction="none").numpy(),
                               rtol=1e-14)
    # hinge = 2 x the two-class multi-margin loss with scores (0, z) and true class 1
    scores = torch.stack([torch.zeros(z.size, dtype=torch.float64), T(z)], dim=1)
    mm = F.multi_margin_loss(scores, torch.ones(z.size, dtype=torch.long), reduction="none")
    np.testing.assert_allclose(losses.hinge_loss(z), 2 * mm.numpy(), rtol=1e-14)
    np.testing.assert_array_equal(losses.zero_one_loss(z), (z <= 0).astype(float))
    zz = T(z).requires_grad_()
    F.soft_margin_loss(zz, ones, reduction="sum").backward()
    np.testing.assert_allclose(losses.logistic_loss_grad(z), zz.grad.numpy(), rtol=1e-14)
    zk = z[np.abs(z - 1) > 1e-3]
    fd = gradcheck.numerical_gradient(lambda a: np.sum(losses.hinge_loss(a)), zk)
    np.testing.assert_allclose(losses.hinge_loss_grad(zk), fd, atol=1e-8)


def test_logistic_loss_is_finite_and_accurate_at_extreme_margins():
    for v in (-1e4, -30.0, 30.0, 1e4):
        assert losses.logistic_loss(v) == pytest.approx(float(mpmath.log1p(mpmath.exp(-v))),
                                                        rel=1e-15)


# --------------------------------------------------------------------------------------------
# probabilistic classification losses


def test_bce_with_logits_matches_torch_with_soft_targets_and_gradient():
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((6, 3)) * 4, rng.random((6, 3))
    np.testing.assert_allclose(
        losses.bce_with_logits(x, t),
        F.binary_cross_entropy_with_logits(T(x), T(t), reduction="none").numpy(), rtol=1e-12)
    tx = T(x).requires_grad_()
    F.binary_cross_entropy_with_logits(tx, T(t), reduction="sum").backward()
    np.testing.assert_allclose(losses.bce_with_logits_grad(x, t), tx.grad.numpy(), rtol=1e-12,
                               atol=1e-15)


def test_bce_with_logits_extremes_against_mpmath():
    for x, t in ((1e4, 1.0), (1e4, 0.0), (-1e4, 1.0), (40.0, 1.0), (-40.0, 0.0), (40.0, 0.3)):
        # -t log p - (1 - t) log(1 - p) with log p = -log1p(e^-x), log(1 - p) = -log1p(e^x)
        xm = mpmath.mpf(x)
        ref = float(t * mpmath.log1p(mpmath.exp(-xm)) + (1 - t) * mpmath.log1p(mpmath.exp(xm)))
        assert losses.bce_with_logits([x], [t])[0] == pytest.approx(ref, rel=1e-13)


def test_cross_entropy_matches_torch_with_labels_smoothing_and_soft_targets():
    rng = np.random.default_rng(5)
    z = rng.standard_normal((8, 5)) * 3
    y = rng.integers(0, 5, 8)
    q = rng.dirichlet(np.ones(5), 8)
    for target, tt in ((y, torch.tensor(y)), (q, T(q))):
        for eps in (0.0, 0.1, 0.7):
            ours = losses.cross_entropy(z, target, label_smoothing=eps)
            ref = F.cross_entropy(T(z), tt, label_smoothing=eps, reduction="none").numpy()
            np.testing.assert_allclose(ours, ref, rtol=1e-13)
            tz = T(z).requires_grad_()
            F.cross_entropy(tz, tt, label_smoothing=eps, reduction="sum").backward()
            np.testing.assert_allclose(losses.cross_entropy_grad(z, target, eps),
                                       tz.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cross_entropy_gradient_finite_differences_and_huge_logits():
    rng = np.random.default_rng(6)
    z, y = rng.standard_normal((3, 4)), np.array([0, 3, 1])
    fd = gradcheck.numerical_gradient(lambda a: np.sum(losses.cross_entropy(a, y, 0.2)), z)
    assert gradcheck.relative_error(losses.cross_entropy_grad(z, y, 0.2), fd) < 1e-8
    big = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4 - 1.0]])
    ce = losses.cross_entropy(big, np.array([1, 2]))
    ref = [mp_logsumexp(r) - r[k] for r, k in zip(big, (1, 2), strict=True)]
    np.testing.assert_allclose(ce, ref, rtol=1e-15)
    assert np.all(np.isfinite(losses.cross_entropy_grad(big, np.array([1, 2]))))


def test_cross_entropy_masked_classes():
    z = np.array([[0.0, -np.inf, 1.0]])
    assert np.isfinite(losses.cross_entropy(z, np.array([2]))[0])
    assert losses.cross_entropy(z, np.array([1]))[0] == np.inf
    np.testing.assert_allclose(losses.cross_entropy(z, np.array([0])),
                               F.cross_entropy(T(z), torch.tensor([0]), reduction="none"))


def test_smooth_labels():
    q = losses.smooth_labels([0, 2], 4, 0.2)
    np.testing.assert_allclose(q, [[0.85, 0.05, 0.05, 0.05], [0.05, 0.05, 0.85, 0.05]])
    np.testing.assert_array_equal(losses.smooth_labels(np.array([1]), 3), [[0.0, 1.0, 0.0]])


def test_entropy_and_kl_against_scipy_and_torch():
    rng = np.random.default_rng(7)
    p, q = rng.dirichlet(np.ones(6), 4), rng.dirichlet(np.ones(6), 4)
    np.testing.assert_allclose(losses.entropy(p), scipy.stats.entropy(p, axis=1), rtol=1e-13)
    np.testing.assert_allclose(losses.kl_divergence(p, q), scipy.stats.entropy(p, q, axis=1),
                               rtol=1e-13)
    tk = F.kl_div(T(np.log(q)), T(p), reduction="none").sum(dim=1).numpy()
    np.testing.assert_allclose(losses.kl_divergence(p, q), tk, rtol=1e-12)
    # cross-entropy = entropy + KL (soft targets)
    z = np.log(q) + 3.0
    np.testing.assert_allclose(losses.cross_entropy(z, p),
                               losses.entropy(p) + losses.kl_divergence(p, q), rtol=1e-12)
    assert losses.kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
    assert losses.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert losses.kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert losses.entropy([0.0, 1.0]) == 0.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6).flatmap(
    lambda a: st.tuples(st.just(a), st.lists(st.floats(0.01, 1.0), min_size=len(a),
                                             max_size=len(a)))))
def test_kl_nonnegative_property(pair):
    p, q = (np.array(v) / np.sum(v) for v in pair)
    assert losses.kl_divergence(p, q) >= -1e-15


# --------------------------------------------------------------------------------------------
# bad input


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="same shape"):
        losses.squared_loss(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        losses.huber_loss([np.nan], [0.0])
    with pytest.raises(ValueError, match="infinite"):
        losses.absolute_loss([np.inf], [0.0])
    with pytest.raises(ValueError, match="delta"):
        losses.huber_loss([1.0], [0.0], delta=-1.0)
    with pytest.raises(ValueError, match="tau"):
        losses.pinball_loss([1.0], [0.0], tau=1.0)
    with pytest.raises(TypeError, match="tau"):
        losses.pinball_loss([1.0], [0.0], tau="half")
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        losses.bce_with_logits([0.0, 1.0], [0.5, 1.2])
    with pytest.raises(ValueError, match="same shape"):
        losses.bce_with_logits([0.0, 1.0], [0.5])
    with pytest.raises(ValueError, match="shape \\(n, K\\)"):
        losses.cross_entropy([1.0, 2.0], [0])
    with pytest.raises(ValueError, match="labels must lie in"):
        losses.cross_entropy(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="labels must lie in"):
        losses.cross_entropy(np.zeros((2, 3)), [-1, 0])
    with pytest.raises(TypeError, match="integer class indices"):
        losses.cross_entropy(np.zeros((2, 3)), [0.5, 1.0])
    with pytest.raises(ValueError, match="2 labels for 3 rows"):
        losses.cross_entropy(np.zeros((3, 3)), [0, 1])
    with pytest.raises(ValueError, match="sum to 1"):
        losses.cross_entropy(np.zeros((1, 3)), [[0.5, 0.2, 0.2]])
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        losses.cross_entropy(np.zeros((1, 2)), [[1.5, -0.5]])
    with pytest.raises(ValueError, match="label smoothing"):
        losses.cross_entropy(np.zeros((1, 3)), [0], label_smoothing=1.5)
    with pytest.raises(ValueError, match="label smoothing"):
        losses.cross_entropy(np.zeros((1, 3)), [[0.2, 0.3, 0.5]], label_smoothing=-0.1)
    with pytest.raises(TypeError, match="label smoothing"):
        losses.cross_entropy(np.zeros((1, 3)), [[0.2, 0.3, 0.5]], label_smoothing=True)
    with pytest.raises(TypeError, match="label smoothing"):
        losses.smooth_labels([0], 3, "0.1")
    with pytest.raises(ValueError, match="p must be non-empty along axis"):
        losses.entropy(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="n_classes"):
        losses.smooth_labels([0], 1)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        losses.logsumexp(np.zeros((2, 2)), axis=2)
    with pytest.raises(ValueError, match="scalar"):
        losses.softmax(1.0)
    with pytest.raises(ValueError, match="\\+inf"):
        losses.logsumexp([np.inf, 0.0])
    with pytest.raises(ValueError, match="all -inf"):
        losses.softmax([-np.inf, -np.inf])
    with pytest.raises(TypeError, match="real numbers"):
        losses.sigmoid("abc")
    with pytest.raises(ValueError, match="p and q must have the same shape"):
        losses.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="p must sum to 1"):
        losses.entropy([0.5, 0.6])

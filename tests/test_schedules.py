"""Tests of dlf.schedules against torch.optim.lr_scheduler and closed forms."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import optim, schedules

LRS = torch.optim.lr_scheduler


def torch_rates(make_scheduler, n_steps: int, lr: float) -> np.ndarray:
    """Rate used at steps 0, ..., n_steps - 1 by a torch scheduler stepped once per step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(n_steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


K = np.arange(80)


@pytest.mark.parametrize(
    ("ours", "theirs", "lr"),
    [
        (lambda k: schedules.constant(k, 0.3), lambda o: LRS.LambdaLR(o, lambda k: 1.0), 0.3),
        (lambda k: schedules.step_decay(k, 0.1, step_size=15, gamma=0.3),
         lambda o: LRS.StepLR(o, step_size=15, gamma=0.3), 0.1),
        (lambda k: schedules.exponential(k, 0.2, gamma=0.95),
         lambda o: LRS.ExponentialLR(o, gamma=0.95), 0.2),
        (lambda k: schedules.cosine(k, 0.1, n_steps=79, lr_min=0.002),
         lambda o: LRS.CosineAnnealingLR(o, T_max=79, eta_min=0.002), 0.1),
        (lambda k: schedules.cosine(k, 0.1, n_steps=79),
         lambda o: LRS.CosineAnnealingLR(o, T_max=79), 0.1),
        (lambda k: schedules.linear_warmup(k, 0.05, n_warmup=12, start_factor=0.25),
         lambda o: LRS.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=12), 0.05),
        (lambda k: schedules.warmup_cosine(k, 0.1, n_warmup=10, n_steps=79, lr_min=1e-3,
                                           start_factor=0.1),
         lambda o: LRS.SequentialLR(o, [LRS.LinearLR(o, 0.1, 1.0, total_iters=10),
                                       LRS.CosineAnnealingLR(o, T_max=69, eta_min=1e-3)],
                                    milestones=[10]), 0.1),
        (lambda k: schedules.inverse_time(k, beta=2.0, k0=40.0),
         lambda o: LRS.LambdaLR(o, lambda k: 40.0 / (k + 40.0)), 2.0 / 40.0),
    ],
    ids=["constant", "step", "exponential", "cosine_min", "cosine", "warmup", "warmup_cosine",
         "inverse_time"],
)
def test_schedules_match_torch(ours, theirs, lr):
    expected = torch_rates(theirs, K.size, lr)
    np.testing.assert_allclose(ours(K), expected, rtol=1e-12, atol=1e-15)
    # scalar calls give the same floats as the vectorized call
    assert isinstance(ours(7), float)
    np.testing.assert_allclose([ours(int(k)) for k in K[::9]], expected[::9], rtol=1e-12)


def test_closed_forms_and_endpoints():
    assert schedules.cosine(0, 0.1, 50, 0.01) == pytest.approx(0.1)
    assert schedules.cosine(25, 0.1, 50, 0.01) == pytest.approx(0.055)
    assert schedules.cosine(50, 0.1, 50, 0.01) == pytest.approx(0.01)
    assert schedules.cosine(500, 0.1, 50, 0.01) == pytest.approx(0.01)  # stays at lr_min
    assert schedules.linear_warmup(0, 0.2, 10) == 0.0
    assert schedules.linear_warmup(5, 0.2, 10) == pytest.approx(0.1)
    assert schedules.linear_warmup(100, 0.2, 10) == pytest.approx(0.2)
    w = schedules.warmup_cosine(np.arange(101), 1.0, 20, 100)
    assert w[0] == 0.0 and w[20] == pytest.approx(1.0) and w[100] == pytest.approx(0.0)
    assert np.all(np.diff(w[:21]) > 0) and np.all(np.diff(w[20:]) < 0)
    assert schedules.step_decay(29, 1.0, 10, 0.5) == pytest.approx(0.25)
    assert schedules.exponential(3, 2.0, 0.5) == pytest.approx(0.25)
    assert schedules.inverse_time(0, 3.0, 6.0) == pytest.approx(0.5)
    assert schedules.constant(np.arange(3), 0.7).tolist() == [0.7, 0.7, 0.7]


@settings(max_examples=50, deadline=None)
@given(beta=st.floats(0.1, 10.0), k0=st.floats(0.5, 100.0))
def test_inverse_time_satisfies_robbins_monro_shape(beta, k0):
    """eta_k (k + k0) = beta exactly, eta_k decreases, and sum_k eta_k^2 <= beta^2 (1/k0^2 + 1/k0)
    (the first term plus the integral of beta^2 / x^2 from k0 to infinity)."""
    k = np.arange(0, 2000)
    eta = schedules.inverse_time(k, beta, k0)
    np.testing.assert_allclose(eta * (k + k0), beta, rtol=1e-12)
    assert np.all(np.diff(eta) < 0)
    assert np.sum(eta**2) <= beta**2 * (1 / k0**2 + 1 / k0)  # integral bound


@settings(max_examples=50, deadline=None)
@given(lr=st.floats(1e-4, 1.0), frac=st.floats(0.0, 1.0), n=st.integers(1, 500))
def test_cosine_is_monotone_and_bounded(lr, frac, n):
    lr_min = frac * lr
    v = schedules.cosine(np.arange(n + 5), lr, n, lr_min)
    assert np.all(np.diff(v) <= 1e-15)
    assert np.all(v >= lr_min - 1e-15) and np.all(v <= lr + 1e-15)


def test_schedules_drive_dlf_optimizers():
    """A schedule is a valid step argument: SGD with a cosine schedule on a quadratic."""
    step = functools.partial(schedules.cosine, lr=0.5, n_steps=20)
    xs = optim.sgd(lambda x: x, np.ones(2), step, 20)
    expected = np.prod([1 - schedules.cosine(k, 0.5, 20) for k in range(20)])
    np.testing.assert_allclose(xs[-1], expected * np.ones(2), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: schedules.constant(-1, 0.1), ValueError, "k must be >= 0"),
        (lambda: schedules.constant(np.array([0, -2]), 0.1), ValueError, "k must be >= 0"),
        (lambda: schedules.constant(1.5, 0.1), TypeError, "k must be an int"),
        (lambda: schedules.constant(True, 0.1), TypeError, "k must be an int"),
        (lambda: schedules.constant(1, -0.1), ValueError, "lr must be in"),
        (lambda: schedules.step_decay(1, 0.1, 0), ValueError, "step_size must be an int >= 1"),
        (lambda: schedules.step_decay(1, 0.1, 5, gamma=1.5), ValueError, "gamma must be in"),
        (lambda: schedules.exponential(1, 0.1, -0.5), ValueError, "gamma must be in"),
        (lambda: schedules.cosine(1, 0.1, 0), ValueError, "n_steps must be an int >= 1"),
        (lambda: schedules.cosine(1, 0.1, 10, lr_min=0.2), ValueError, "lr must be in"),
        (lambda: schedules.linear_warmup(1, 0.1, 10, start_factor=2.0), ValueError,
         "start_factor must be in"),
        (lambda: schedules.warmup_cosine(1, 0.1, 10, 10), ValueError, "need n_warmup < n_steps"),
        (lambda: schedules.inverse_time(1, 0.0, 1.0), ValueError, "beta must be in"),
        (lambda: schedules.inverse_time(1, 1.0, 0.0), ValueError, "k0 must be in"),
        (lambda: schedules.inverse_time(1, "1", 1.0), TypeError, "beta must be a real number"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

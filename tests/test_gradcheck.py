"""Tests of dlf.gradcheck against closed-form derivatives and torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlf import gradcheck


def test_gradient_of_quadratic_form():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 5))
    x = rng.standard_normal(5)
    g = gradcheck.numerical_gradient(lambda v: v @ A @ v, x)
    assert gradcheck.relative_error(g, (A + A.T) @ x) < 1e-9


def test_gradient_matches_autograd_on_matrix_input():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((3, 4))

    def f(w):
        return np.sum(np.tanh(w) ** 2) + np.log1p(np.exp(w[0, 0]))

    t = torch.tensor(W, requires_grad=True)
    (torch.sum(torch.tanh(t) ** 2) + torch.nn.functional.softplus(t[0, 0])).backward()
    g = gradcheck.numerical_gradient(f, W)
    assert g.shape == W.shape
    assert gradcheck.relative_error(g, t.grad.numpy()) < 1e-8


def test_input_not_modified():
    x = np.array([1.0, 2.0])
    gradcheck.numerical_gradient(lambda v: np.sum(v**3), x)
    gradcheck.numerical_jacobian(lambda v: v**2, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_jacobian_of_softmax():
    z = np.array([0.3, -1.2, 2.0])

    def softmax(v):
        e = np.exp(v - v.max())
        return e / e.sum()

    p = softmax(z)
    J = gradcheck.numerical_jacobian(softmax, z)
    assert J.shape == (3, 3)
    assert gradcheck.relative_error(J, np.diag(p) - np.outer(p, p)) < 1e-8


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-2, 2)))
def test_error_is_second_order_in_h(x):
    # for sin, the central-difference error is at most h^2/6 (Taylor with remainder)
    g1 = gradcheck.numerical_gradient(lambda v: np.sum(np.sin(v)), x, h=1e-2)
    assert np.max(np.abs(g1 - np.cos(x))) <= 1e-4 / 6 + 1e-12


def test_bad_input():
    with pytest.raises(ValueError, match="h must be a positive finite float"):
        gradcheck.numerical_gradient(np.sum, [1.0], h=0)
    with pytest.raises(ValueError, match="f must return a scalar"):
        gradcheck.numerical_gradient(lambda v: v, [1.0, 2.0])
    with pytest.raises(TypeError, match="f must be callable"):
        gradcheck.numerical_jacobian(3, [1.0])
    with pytest.raises(ValueError, match="x must be finite"):
        gradcheck.numerical_gradient(np.sum, [np.nan])
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error([1.0], [1.0, 2.0])

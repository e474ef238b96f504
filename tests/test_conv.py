"""Tests of dlf.conv against torch.nn.functional, np.convolve and closed forms."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlf import conv


def _torch_conv(x, w, b, s, p, d, g, mode):
    xt = torch.tensor(x)
    if mode != "zeros":
        xt, p = F.pad(xt, (p, p, p, p), mode=mode), 0
    return F.conv2d(xt, torch.tensor(w), torch.tensor(b), stride=s, padding=p, dilation=d,
                    groups=g).numpy()


@settings(max_examples=10, deadline=None)
@given(s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2), g=st.sampled_from([1, 2]),
       mode=st.sampled_from(["zeros", "circular", "reflect"]), H=st.integers(5, 9),
       seed=st.integers(0, 1000))
def test_three_implementations_equal_torch(s, p, d, g, mode, H, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 4, H, H + 1))
    w = rng.standard_normal((6, 4 // g, 3, 2))
    b = rng.standard_normal(6)
    ref = _torch_conv(x, w, b, s, p, d, g, mode)
    for impl in (conv.conv2d, conv.conv2d_im2col, conv.fft_conv2d):
        out = impl(x, w, b, stride=s, padding=p, dilation=d, groups=g, padding_mode=mode)
        np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_fft_without_padding_is_circular():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 8, 8)), rng.standard_normal((3, 2, 3, 3))
    b = np.zeros(3)
    circ = conv.fft_conv2d(x, w, padding=1, circular=True)
    np.testing.assert_allclose(circ, _torch_conv(x, w, b, 1, 1, 1, 1, "circular"), atol=1e-12)
    zero = _torch_conv(x, w, b, 1, 1, 1, 1, "zeros")
    assert np.abs(circ - zero)[..., 0, :].min() > 0
    circ2 = conv.fft_conv2d(x, w, padding=1, circular=True, padding_mode="circular")
    np.testing.assert_allclose(circ2, circ, atol=1e-12)
    with pytest.raises(ValueError, match="padding_mode"):
        conv.fft_conv2d(x, w, padding=1, circular=True, padding_mode="reflect")


def test_conv1d_true_convolution():
    np.testing.assert_array_equal(conv.conv1d([2, -1, 1], [1, 1, 2]), [2, 1, 4, -1, 2])
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(9), rng.standard_normal(4)
    np.testing.assert_allclose(conv.conv1d(x, w), np.convolve(x, w), atol=1e-12)
    np.testing.assert_allclose(conv.conv1d(x, w, mode="valid"), np.convolve(x, w, "valid"),
                               atol=1e-12)
    np.testing.assert_allclose(conv.conv1d(x, w, flip=False, mode="valid"),
                               np.correlate(x, w, "valid"), atol=1e-12)


def test_output_sizes_match_torch():
    for n in range(1, 8):
        for k in range(1, 4):
            for s in (1, 2, 3):
                for p in (0, 1):
                    for d in (1, 2):
                        if d * (k - 1) + 1 > n + 2 * p:
                            with pytest.raises(ValueError, match="kernel"):
                                conv.conv_output_size(n, k, s, p, d)
                            continue
                        z = torch.zeros(1, 1, n)
                        assert conv.conv_output_size(n, k, s, p, d) == F.conv1d(
                            z, torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1]
                        for q in range(max(s, d)):
                            if (n - 1) * s - 2 * p + d * (k - 1) + q + 1 < 1:
                                continue
                            assert conv.conv_transpose_output_size(n, k, s, p, d, q) == \
                                F.conv_transpose1d(z, torch.zeros(1, 1, k), stride=s, padding=p,
                                                   output_padding=q, dilation=d).shape[-1]


@pytest.mark.parametrize("s,p,q,d,g", [(1, 0, 0, 1, 1), (2, 1, 1, 2, 2), (3, 1, 2, 1, 1)])
def test_conv_transpose_matches_torch_and_vjp(s, p, q, d, g):
    rng = np.random.default_rng(2)
    y = rng.standard_normal((2, 4, 4, 5))
    w = rng.standard_normal((4, 6 // g, 3, 3))
    ref = F.conv_transpose2d(torch.tensor(y), torch.tensor(w), stride=s, padding=p,
                             output_padding=q, dilation=d, groups=g).numpy()
    np.testing.assert_allclose(conv.conv_transpose2d(y, w, stride=s, padding=p, output_padding=q,
                                                     dilation=d, groups=g), ref, atol=1e-12)
    x = torch.zeros(ref.shape, dtype=torch.float64, requires_grad=True)
    out = F.conv2d(x, torch.tensor(w), stride=s, padding=p, dilation=d, groups=g)
    vjp, = torch.autograd.grad(out, x, torch.tensor(y))
    np.testing.assert_allclose(ref, vjp.numpy(), atol=1e-12)


def test_conv_matrix_adjoint():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((3, 2, 3, 3))
    A = conv.conv_matrix(w, (2, 6, 6), stride=2, padding=1)
    y = rng.standard_normal(A.shape[0])
    np.testing.assert_allclose(A.T @ y, conv.conv_transpose2d(y.reshape(1, 3, 3, 3), w, stride=2,
                                                               padding=1, output_padding=1).ravel(),
                               atol=1e-12)


def test_pooling_and_upsampling_match_torch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 11, 10))
    for k, s, p in [(2, 2, 0), (3, 2, 1), (3, 3, 1)]:
        for ceil in (False, True):
            np.testing.assert_allclose(conv.max_pool2d(x, k, s, p, ceil), F.max_pool2d(
                torch.tensor(x), k, s, p, ceil_mode=ceil).numpy(), atol=0)
            np.testing.assert_allclose(conv.avg_pool2d(x, k, s, p, ceil), F.avg_pool2d(
                torch.tensor(x), k, s, p, ceil_mode=ceil).numpy(), atol=1e-14)
    for r in (2, 3):
        np.testing.assert_allclose(conv.upsample_bilinear(x, r), F.interpolate(
            torch.tensor(x), scale_factor=r, mode="bilinear", align_corners=False).numpy(),
            atol=1e-13)
        np.testing.assert_allclose(conv.upsample_nearest(x, r), F.interpolate(
            torch.tensor(x), scale_factor=r, mode="nearest").numpy(), atol=0)


def test_separable_and_receptive_field():
    sobel = np.outer([1, 2, 1], [1, 0, -1])
    cols, rows, s = conv.separable_terms(sobel)
    assert cols.shape == (1, 3)
    np.testing.assert_allclose(cols.T @ rows, sobel, atol=1e-12)
    k = np.random.default_rng(5).standard_normal((5, 5))
    c2, r2, s5 = conv.separable_terms(k, rank=2)
    assert np.isclose(np.linalg.norm(k - c2.T @ r2), np.sqrt((s5[2:] ** 2).sum()))
    assert conv.receptive_field([(3, 1, 1), (2, 2, 1), (3, 1, 1), (2, 2, 1)]) == 10
    assert conv.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]) == 15


def test_bad_input_names_argument():
    x, w = np.zeros((1, 4, 5, 5)), np.zeros((6, 4, 3, 3))
    with pytest.raises(ValueError, match="groups"):
        conv.conv2d(x, np.zeros((6, 2, 3, 3)), groups=3)
    with pytest.raises(ValueError, match="padding"):
        conv.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="kernel"):
        conv.conv2d(x, np.zeros((6, 4, 7, 7)))
    with pytest.raises(TypeError, match="x"):
        conv.conv2d("a", w)

"""The algebra of convolution in NumPy: direct, im2col and FFT convolution, sizes and adjoints.

Implements true 1-D convolution (and the cross-correlation that deep-learning frameworks call
convolution), 2-D multi-channel cross-correlation with stride, padding (zeros, circular,
reflect), dilation and groups in three independent ways (direct sums over kernel offsets,
im2col followed by one matrix product, and the FFT zero-padded to avoid wrap-around), the matrix
of a convolution obtained by probing with unit vectors, the transposed convolution (the adjoint
of a strided convolution), the output-size formulas of both, max and average pooling, nearest
and bilinear upsampling, the low-rank (separable) decomposition of a 2-D kernel and the size of
the receptive field of a stack of layers. Layouts follow PyTorch: inputs ``(B, C, H, W)``,
weights ``(C_out, C_in / groups, k1, k2)`` for convolution and ``(C_in, C_out / groups, k1, k2)``
for transposed convolution.

Derived in: book/architectures/cnn.md (Convolutional networks).
Depends on: numpy only; no other dlf module.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "conv1d",
    "conv2d",
    "im2col",
    "conv2d_im2col",
    "conv_matrix",
    "fft_conv2d",
    "conv_transpose2d",
    "conv_output_size",
    "conv_transpose_output_size",
    "max_pool2d",
    "avg_pool2d",
    "upsample_nearest",
    "upsample_bilinear",
    "separable_terms",
    "receptive_field",
]

_PAD_MODES = ("zeros", "circular", "reflect")


# ----------------------------------------------------------------------------- validation

def _int(name: str, v, *, minimum: int) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {v!r}")
    v = int(v)
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return v


def _pair(name: str, v, *, minimum: int) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} must be an integer or a pair of integers, got {v!r}")
        return _int(name, v[0], minimum=minimum), _int(name, v[1], minimum=minimum)
    v = _int(name, v, minimum=minimum)
    return v, v


def _array(name: str, x, ndim: int) -> np.ndarray:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a real array, got {type(x).__name__}")
    a = np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got a complex array")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _check_groups(groups: int, c_in: int, c_out: int, *, weight_in: int) -> None:
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide the input channels ({c_in}) and the "
                         f"output channels ({c_out})")
    if weight_in != c_in // groups:
        raise ValueError(f"w has {weight_in} input channels per group, expected "
                         f"C_in / groups = {c_in // groups}")


def _bias(bias, c_out: int):
    if bias is None:
        return None
    b = _array("bias", bias, 1)
    if b.shape[0] != c_out:
        raise ValueError(f"bias must have length {c_out}, got {b.shape[0]}")
    return b


def _pad(x: np.ndarray, padding: tuple[int, int], mode: str) -> np.ndarray:
    """Pad the last two axes of ``x`` by ``padding`` on each side (zeros, circular or reflect)."""
    if mode not in _PAD_MODES:
        raise ValueError(f"padding_mode must be one of {_PAD_MODES}, got {mode!r}")
    ph, pw = padding
    H, W = x.shape[-2:]
    if mode == "circular" and (ph > H or pw > W):
        raise ValueError(f"circular padding {padding} must not exceed the input size {(H, W)}")
    if mode == "reflect" and (ph >= H or pw >= W):
        raise ValueError(f"reflect padding {padding} must be smaller than the input size {(H, W)}")
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    np_mode = {"zeros": "constant", "circular": "wrap", "reflect": "reflect"}[mode]
    return np.pad(x, widths, mode=np_mode)


# ----------------------------------------------------------------------------- sizes

def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False) -> int:
    """Output length of a convolution or pooling along one axis, (eq-cnn-out-size).

    ``floor((n + 2 p - d (k - 1) - 1) / s) + 1``; with ``ceil_mode`` (pooling) the ceiling, minus
    one if the last window would start in the right padding (PyTorch's rule).

    Raises
    ------
    ValueError
        If the dilated kernel ``d (k - 1) + 1`` is larger than the padded input ``n + 2 p``.
    """
    n = _int("n", n, minimum=1)
    k = _int("kernel_size", kernel_size, minimum=1)
    s = _int("stride", stride, minimum=1)
    p = _int("padding", padding, minimum=0)
    d = _int("dilation", dilation, minimum=1)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r}")
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise ValueError(f"kernel_size {k} (dilation {d}) is larger than the padded input "
                         f"n + 2 padding = {n + 2 * p}")
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


def conv_transpose_output_size(n, kernel_size, stride=1, padding=0, dilation=1,
                               output_padding=0) -> int:
    """Output length of a transposed convolution, (eq-cnn-tconv-size).

    ``(n - 1) s - 2 p + d (k - 1) + output_padding + 1``. ``output_padding`` must be smaller than
    the stride or the dilation (it selects one of the input sizes that a strided convolution
    maps to ``n``).
    """
    n = _int("n", n, minimum=1)
    k = _int("kernel_size", kernel_size, minimum=1)
    s = _int("stride", stride, minimum=1)
    p = _int("padding", padding, minimum=0)
    d = _int("dilation", dilation, minimum=1)
    op = _int("output_padding", output_padding, minimum=0)
    if op >= max(s, d):
        raise ValueError(f"output_padding {op} must be smaller than stride {s} or dilation {d}")
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(f"padding {p} is too large: the output length would be {out}")
    return out


def receptive_field(layers) -> int:
    """Receptive field of a stack, (eq-cnn-rf): ``1 + sum_l (k_l - 1) d_l prod_{j<l} s_j``.

    Parameters
    ----------
    layers : sequence of ``(kernel_size, stride, dilation)`` triples, input side first (a
        pooling layer is ``(k, s, 1)``).
    """
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a sequence of (kernel_size, stride, dilation), "
                        f"got {layers!r}")
    layers = list(layers)
    if not layers:
        raise ValueError("layers must not be empty")
    rf, jump = 1, 1
    for layer in layers:
        if not isinstance(layer, (tuple, list)) or len(layer) != 3:
            raise ValueError(f"layers must hold (kernel_size, stride, dilation) triples, "
                             f"got {layer!r}")
        k = _int("layers kernel_size", layer[0], minimum=1)
        s = _int("layers stride", layer[1], minimum=1)
        d = _int("layers dilation", layer[2], minimum=1)
        rf += (k - 1) * d * jump
        jump *= s
    return rf


# ----------------------------------------------------------------------------- 1-D

def conv1d(x, w, mode="full", flip=True) -> np.ndarray:
    """True 1-D convolution ``(x * w)_t = sum_a w_a x_{t-a}``, (eq-cnn-conv).

    Parameters
    ----------
    x, w : 1-D arrays.
    mode : ``"full"`` (length ``n + k - 1``, like ``np.convolve``) or ``"valid"`` (length
        ``n - k + 1``, positions where ``w`` fits inside ``x``).
    flip : bool. ``False`` computes the cross-correlation ``sum_a w_a x_{t+a}`` instead (what
        deep-learning frameworks call convolution).
    """
    x = _array("x", x, 1)
    w = _array("w", w, 1)
    if mode not in ("full", "valid"):
        raise ValueError(f"mode must be 'full' or 'valid', got {mode!r}")
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be a bool, got {flip!r}")
    n, k = x.size, w.size
    if mode == "valid" and k > n:
        raise ValueError(f"w (length {k}) is longer than x (length {n}) in mode 'valid'")
    kern = w[::-1] if flip else w
    xp = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    full = np.array([kern @ xp[t:t + k] for t in range(n + k - 1)])
    return full if mode == "full" else full[k - 1:n]


# ----------------------------------------------------------------------------- 2-D

def _prepare(x, w, bias, stride, padding, dilation, groups, padding_mode):
    x = _array("x", x, 4)
    w = _array("w", w, 4)
    s = _pair("stride", stride, minimum=1)
    p = _pair("padding", padding, minimum=0)
    d = _pair("dilation", dilation, minimum=1)
    g = _int("groups", groups, minimum=1)
    c_out = w.shape[0]
    _check_groups(g, x.shape[1], c_out, weight_in=w.shape[1])
    b = _bias(bias, c_out)
    xp = _pad(x, p, padding_mode)
    out = tuple(conv_output_size(x.shape[2 + i], w.shape[2 + i], s[i], p[i], d[i]) for i in (0, 1))
    return xp, w, b, s, d, g, out


def _finish(y, b):
    return y if b is None else y + b[None, :, None, None]


def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """2-D cross-correlation as in ``torch.nn.functional.conv2d``, by direct sums, (eq-cnn-conv2d).

    ``y[b, o, i, j] = bias[o] + sum_{c, a, e} w[o, c, a, e] xpad[b, c', s i + d a, s j + d e]``
    (``c'`` the ``c``-th channel of the group of ``o``),
    one shifted, strided slice of the padded input per kernel offset ``(a, e)``.

    Parameters
    ----------
    x : array (B, C_in, H, W).   w : array (C_out, C_in / groups, k1, k2).
    bias : array (C_out,) or None.
    stride, padding, dilation : int or pair.   groups : int dividing C_in and C_out.
    padding_mode : ``"zeros"``, ``"circular"`` or ``"reflect"``.

    Returns
    -------
    array (B, C_out, H_out, W_out), float64, sizes from :func:`conv_output_size`.
    """
    xp, w, b, s, d, g, (ho, wo) = _prepare(x, w, bias, stride, padding, dilation, groups,
                                           padding_mode)
    B, c_out = xp.shape[0], w.shape[0]
    ci, co = w.shape[1], c_out // g
    y = np.zeros((B, c_out, ho, wo))
    for gi in range(g):
        xs = xp[:, gi * ci:(gi + 1) * ci]
        ws = w[gi * co:(gi + 1) * co]
        for a in range(w.shape[2]):
            for e in range(w.shape[3]):
                patch = xs[:, :, d[0] * a: d[0] * a + s[0] * (ho - 1) + 1: s[0],
                           d[1] * e: d[1] * e + s[1] * (wo - 1) + 1: s[1]]
                y[:, gi * co:(gi + 1) * co] += np.einsum("bchw,oc->bohw", patch, ws[:, :, a, e])
    return _finish(y, b)


def im2col(x, kernel_size, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """Unfold every receptive field of ``x`` into a column, like ``torch.nn.functional.unfold``.

    Returns an array ``(B, C k1 k2, H_out W_out)``; the row index is ``(c, a, e)`` in C order, so a
    convolution is ``w.reshape(C_out, -1) @ im2col(x)`` (one matrix product per image).
    """
    x = _array("x", x, 4)
    k = _pair("kernel_size", kernel_size, minimum=1)
    s = _pair("stride", stride, minimum=1)
    p = _pair("padding", padding, minimum=0)
    d = _pair("dilation", dilation, minimum=1)
    xp = _pad(x, p, padding_mode)
    ho, wo = (conv_output_size(x.shape[2 + i], k[i], s[i], p[i], d[i]) for i in (0, 1))
    B, C = x.shape[:2]
    cols = np.empty((B, C, k[0], k[1], ho, wo))
    for a in range(k[0]):
        for e in range(k[1]):
            cols[:, :, a, e] = xp[:, :, d[0] * a: d[0] * a + s[0] * (ho - 1) + 1: s[0],
                                  d[1] * e: d[1] * e + s[1] * (wo - 1) + 1: s[1]]
    return cols.reshape(B, C * k[0] * k[1], ho * wo)


def conv2d_im2col(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1,
                   padding_mode="zeros"):
    """Convolution as :func:`im2col` followed by one matrix product per group, (eq-cnn-im2col).

    Same arguments and result as :func:`conv2d`.
    """
    _, w, b, s, d, g, (ho, wo) = _prepare(x, w, bias, stride, padding, dilation, groups,
                                          padding_mode)
    x = np.asarray(x, dtype=np.float64)
    ci, co = w.shape[1], w.shape[0] // g
    outs = []
    for gi in range(g):
        cols = im2col(x[:, gi * ci:(gi + 1) * ci], w.shape[2:], s, padding, d, padding_mode)
        outs.append(np.einsum("ok,bkl->bol", w[gi * co:(gi + 1) * co].reshape(co, -1), cols))
    y = np.concatenate(outs, axis=1).reshape(x.shape[0], w.shape[0], ho, wo)
    return _finish(y, b)



def fft_conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros",
               circular=False):
    """2-D cross-correlation by the FFT, (eq-cnn-fft).

    The padded input and the dilated kernel are zero-padded to ``n + k - 1`` along each axis, so
    the cyclic correlation computed by the FFT equals the linear one; the output is then read off
    at the strided positions. With ``circular=True`` the input is *not* zero-padded: the FFT of
    size ``H x W`` computes a cyclic correlation, which is the convolution with circular padding
    (it differs from zero padding at the border); ``padding_mode`` must then be ``'zeros'`` or
    ``'circular'`` (a reflect padding is rejected, not silently replaced).
    """
    if not isinstance(circular, (bool, np.bool_)):
        raise TypeError(f"circular must be a bool, got {circular!r}")
    if circular and padding_mode not in ("zeros", "circular"):
        raise ValueError("circular=True computes circular padding; padding_mode must be 'zeros' "
                         f"or 'circular', got {padding_mode!r}")
    xp, w, b, s, d, g, (ho, wo) = _prepare(x, w, bias, stride, padding, dilation, groups,
                                           padding_mode)
    p = _pair("padding", padding, minimum=0)
    k1, k2 = w.shape[2:]
    wd = np.zeros(w.shape[:2] + (d[0] * (k1 - 1) + 1, d[1] * (k2 - 1) + 1))
    wd[:, :, ::d[0], ::d[1]] = w
    if circular:
        base = np.asarray(x, dtype=np.float64)
        shape = base.shape[2:]
        offset = (-p[0], -p[1])
    else:
        base = xp
        shape = (xp.shape[2] + wd.shape[2] - 1, xp.shape[3] + wd.shape[3] - 1)
        offset = (0, 0)
    if wd.shape[2] > shape[0] or wd.shape[3] > shape[1]:
        raise ValueError(f"the dilated kernel {wd.shape[2:]} is larger than the FFT size {shape}")
    X = np.fft.rfft2(base, s=shape)
    Wf = np.conj(np.fft.rfft2(wd, s=shape))
    ci, co = w.shape[1], w.shape[0] // g
    outs = []
    for gi in range(g):
        Yf = np.einsum("bchw,ochw->bohw", X[:, gi * ci:(gi + 1) * ci], Wf[gi * co:(gi + 1) * co])
        outs.append(np.fft.irfft2(Yf, s=shape))
    c = np.concatenate(outs, axis=1)
    rows = (offset[0] + s[0] * np.arange(ho)) % shape[0]
    cols = (offset[1] + s[1] * np.arange(wo)) % shape[1]
    return _finish(c[:, :, rows][:, :, :, cols], b)


def conv_matrix(w, input_shape, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """The matrix of the linear map ``x -> conv2d(x, w)``, column ``j`` = the image of ``e_j``.

    Parameters
    ----------
    w : array (C_out, C_in / groups, k1, k2).   input_shape : (C_in, H, W).

    Returns
    -------
    array (C_out H_out W_out, C_in H W) acting on ``x.ravel()`` (C order).
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C_in, H, W), got {input_shape!r}")
    shape = tuple(_int("input_shape", v, minimum=1) for v in input_shape)
    n = int(np.prod(shape))
    eye = np.eye(n).reshape((n,) + shape)
    y = conv2d(eye, w, None, stride, padding, dilation, groups, padding_mode)
    return y.reshape(n, -1).T


def conv_transpose2d(y, w, bias=None, stride=1, padding=0, output_padding=0, dilation=1,
                     groups=1):
    """Transposed convolution as in ``torch.nn.functional.conv_transpose2d``, (eq-cnn-tconv).

    Every input value ``y[b, c, i, j]`` adds ``y[b, c, i, j] * w[c, :, :, :]`` into the output at
    offset ``(s i, s j)`` (with the kernel dilated by ``d``); then ``padding`` rows and columns
    are cropped on each side. This is the adjoint (transpose) of :func:`conv2d` with the same
    stride, padding, dilation and groups.

    Parameters
    ----------
    y : array (B, C_in, H, W).   w : array (C_in, C_out / groups, k1, k2).
    output_padding : int or pair, smaller than the stride or the dilation.
    """
    y = _array("y", y, 4)
    w = _array("w", w, 4)
    s = _pair("stride", stride, minimum=1)
    p = _pair("padding", padding, minimum=0)
    op = _pair("output_padding", output_padding, minimum=0)
    d = _pair("dilation", dilation, minimum=1)
    g = _int("groups", groups, minimum=1)
    c_in = y.shape[1]
    if w.shape[0] != c_in:
        raise ValueError(f"w must have C_in = {c_in} rows (y's channels), got {w.shape[0]}")
    c_out = w.shape[1] * g
    if c_in % g:
        raise ValueError(f"groups={groups} must divide the input channels ({c_in})")
    b = _bias(bias, c_out)
    ho, wo = (conv_transpose_output_size(y.shape[2 + i], w.shape[2 + i], s[i], p[i], d[i], op[i])
              for i in (0, 1))
    k1, k2 = w.shape[2:]
    H, W = y.shape[2:]
    full = np.zeros((y.shape[0], c_out, ho + 2 * p[0], wo + 2 * p[1]))
    ci, co = c_in // g, c_out // g
    for gi in range(g):
        ys = y[:, gi * ci:(gi + 1) * ci]
        ws = w[gi * ci:(gi + 1) * ci]
        for a in range(k1):
            for e in range(k2):
                contrib = np.einsum("bchw,co->bohw", ys, ws[:, :, a, e])
                full[:, gi * co:(gi + 1) * co, d[0] * a: d[0] * a + s[0] * (H - 1) + 1: s[0],
                     d[1] * e: d[1] * e + s[1] * (W - 1) + 1: s[1]] += contrib
    out = full[:, :, p[0]:p[0] + ho, p[1]:p[1] + wo]
    return _finish(out, b)


# ----------------------------------------------------------------------------- pooling, upsampling

def _windows(x, k, s, p, ceil_mode, fill):
    ho, wo = (conv_output_size(x.shape[2 + i], k[i], s[i], p[i], 1, ceil_mode) for i in (0, 1))
    need = (max(x.shape[2] + 2 * p[0], (ho - 1) * s[0] + k[0]),
            max(x.shape[3] + 2 * p[1], (wo - 1) * s[1] + k[1]))
    xp = np.full(x.shape[:2] + need, fill)
    xp[:, :, p[0]:p[0] + x.shape[2], p[1]:p[1] + x.shape[3]] = x
    win = np.empty(x.shape[:2] + (ho, wo, k[0] * k[1]))
    for a in range(k[0]):
        for e in range(k[1]):
            win[..., a * k[1] + e] = xp[:, :, a:a + s[0] * (ho - 1) + 1:s[0],
                                        e:e + s[1] * (wo - 1) + 1:s[1]]
    return win


def _pool_args(x, kernel_size, stride, padding, ceil_mode):
    x = _array("x", x, 4)
    k = _pair("kernel_size", kernel_size, minimum=1)
    s = k if stride is None else _pair("stride", stride, minimum=1)
    p = _pair("padding", padding, minimum=0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding {p} must be at most half the kernel_size {k}")
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r}")
    return x, k, s, p


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Max pooling as in ``torch.nn.functional.max_pool2d`` (padding counts as minus infinity).

    ``stride`` defaults to ``kernel_size``; output sizes from :func:`conv_output_size` (with
    ``ceil_mode``).
    """
    x, k, s, p = _pool_args(x, kernel_size, stride, padding, ceil_mode)
    return _windows(x, k, s, p, ceil_mode, -np.inf).max(axis=-1)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Average pooling as in ``torch.nn.functional.avg_pool2d`` (default arguments).

    Zero padding is included in the average (PyTorch's ``count_include_pad=True``); a window that
    ``ceil_mode`` lets overhang the right border averages only over the padded input it covers.
    """
    x, k, s, p = _pool_args(x, kernel_size, stride, padding, ceil_mode)
    win = _windows(x, k, s, p, ceil_mode, 0.0)
    return win.sum(axis=-1) / _count(x.shape[2:], k, s, p, win.shape[2:4])


def _count(shape, k, s, p, out):
    """Number of padded-input cells each (possibly overhanging) window covers."""
    res = []
    for i in (0, 1):
        starts = np.arange(out[i]) * s[i] - p[i]
        ends = np.minimum(starts + k[i], shape[i] + p[i])
        res.append(ends - starts)
    return np.outer(res[0], res[1])


def upsample_nearest(x, scale_factor):
    """Nearest-neighbour upsampling by an integer factor: each pixel becomes a block."""
    x = _array("x", x, 4)
    r = _int("scale_factor", scale_factor, minimum=1)
    return np.repeat(np.repeat(x, r, axis=2), r, axis=3)


def _bilinear_axis(n: int, r: int):
    src = np.maximum((np.arange(n * r) + 0.5) / r - 0.5, 0.0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    return i0, i1, src - i0


def upsample_bilinear(x, scale_factor):
    """Bilinear upsampling by an integer factor with ``align_corners=False`` (PyTorch's default).

    Output pixel ``i`` samples the input at ``(i + 1/2) / r - 1/2`` (clamped at the border) and
    interpolates linearly between the two nearest input pixels along each axis.
    """
    x = _array("x", x, 4)
    r = _int("scale_factor", scale_factor, minimum=1)
    i0, i1, t = _bilinear_axis(x.shape[2], r)
    rows = x[:, :, i0] * (1 - t)[:, None] + x[:, :, i1] * t[:, None]
    j0, j1, u = _bilinear_axis(x.shape[3], r)
    return rows[..., j0] * (1 - u) + rows[..., j1] * u


# ----------------------------------------------------------------------------- separability

def separable_terms(w, rank=None):
    """Best rank-``r`` approximation of a 2-D kernel as a sum of separable (outer-product) terms.

    ``w ~= sum_{i<r} s_i u_i v_i^T`` from the SVD (Eckart-Young: the error in the Frobenius norm is
    ``(sum_{i>=r} s_i^2)^{1/2}``). Each term is a column filter followed by a row filter.

    Parameters
    ----------
    w : array (k1, k2).   rank : int in 1..min(k1, k2), or None for the numerical rank.

    Returns
    -------
    cols : array (r, k1), ``sqrt(s_i) u_i``.   rows : array (r, k2), ``sqrt(s_i) v_i``.
    s : array (min(k1, k2),), all singular values.
    """
    w = _array("w", w, 2)
    U, s, Vt = np.linalg.svd(w)
    if rank is None:
        r = int(np.sum(s > s[0] * max(w.shape) * np.finfo(float).eps)) if s[0] > 0 else 1
    else:
        r = _int("rank", rank, minimum=1)
        if r > s.size:
            raise ValueError(f"rank must be at most min(k1, k2) = {s.size}, got {r}")
    root = np.sqrt(s[:r])
    return (U[:, :r] * root).T, root[:, None] * Vt[:r], s

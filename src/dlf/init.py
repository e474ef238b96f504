"""Weight initialization and signal propagation at initialization.

One rule covers the classical schemes: draw the entries of a weight matrix (or convolution kernel)
iid with mean zero and variance ``gain**2 / fan``, where the fan is the fan-in, the fan-out or
their average. LeCun, Xavier (Glorot), He (Kaiming) and PyTorch's default differ only in the gain
and the fan. The module also computes what that choice does to a deep network: exact moments of
the layer-to-layer norm ratios of a ReLU network with Gaussian weights, forward norms and
weight-gradient norms of stacks of random networks, and the mean-field variance map of a wide
network.

Derived in: book/training/init.md (Initialization and signal propagation).
Depends on: numpy, torch (only :func:`init_`), the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

__all__ = [
    "SCHEMES",
    "fans",
    "gain",
    "variance",
    "sample",
    "orthogonal",
    "init_",
    "propagate",
    "gradient_norms",
    "relu_ratio_moments",
    "relu_log_ratio_density",
    "gaussian_expectation",
    "mean_field_q",
    "mean_field_chi",
]

#: Scheme name -> (gain, fan mode). The variance is ``gain**2 / fan``.
SCHEMES: dict[str, tuple[float, str]] = {
    "lecun": (1.0, "fan_in"),
    "xavier": (1.0, "fan_avg"),
    "he": (math.sqrt(2.0), "fan_in"),
    "torch_default": (math.sqrt(1.0 / 3.0), "fan_in"),
}

_MODES = ("fan_in", "fan_out", "fan_avg")


def _int_scalar(name: str, x) -> int:
    """``x`` as an int (an integral float such as ``1e4`` too); ``TypeError`` naming ``name``."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)) and np.isfinite(x) and float(x).is_integer():
        return int(x)
    raise TypeError(f"{name} must be an integer, got {type(x).__name__} ({x!r:.40})")


def _real_scalar(name: str, x) -> float:
    """``x`` as a float; ``TypeError`` naming ``name`` if not real, ``ValueError`` for NaN."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if x is None or isinstance(x, (str, bytes, complex)) or not np.isrealobj(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} ({x!r:.40})")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} "
                        f"({x!r:.40})") from None
    if v != v:
        raise ValueError(f"{name} must be a finite number, got {name}=nan")
    return v


def _real_array(name: str, x, copy: bool = False) -> np.ndarray:
    """``x`` as a float64 array; ``TypeError`` naming ``name`` for None, text or complex, and
    ``ValueError`` for NaN or inf."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__} "
                        f"({err})") from None
    if a.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "U": "text", "S": "text"}.get(a.dtype.kind,
                                                                      type(x).__name__)
        raise TypeError(f"{name} must be real numbers, got {what} ({x!r:.60})")
    a = np.array(a, dtype=np.float64) if copy else a.astype(np.float64, copy=False)
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"{name} must be finite, got {a[tuple(bad)]} at index {bad.tolist()}")
    return a


def _shape(shape: Sequence[int]) -> tuple[int, ...]:
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"shape must be a sequence of ints, got {shape!r:.40}")
    s = tuple(_int_scalar("shape", d) for d in shape)
    if len(s) < 2 or any(d < 1 for d in s):
        raise ValueError(f"shape must have at least 2 positive dimensions "
                         f"(out, in, *kernel), got {shape!r}")
    return s


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """Fan-in and fan-out of a weight of the given shape.

    Parameters
    ----------
    shape : sequence of int
        ``(out, in)`` for a linear layer, ``(C_out, C_in, k_1, ..., k_m)`` for a convolution
        (PyTorch's layouts).

    Returns
    -------
    (fan_in, fan_out) : tuple of int
        ``in * prod(k)`` and ``out * prod(k)``: each output sums ``fan_in`` products, each
        input feeds ``fan_out`` of them.
    """
    s = _shape(shape)
    receptive = math.prod(s[2:])
    return s[1] * receptive, s[0] * receptive


def gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that makes a layer followed by ``nonlinearity`` preserve the mean square.

    For a positively homogeneous unit and a symmetric input ``X``, ``gain**2 = E[X**2] /
    E[phi(X)**2] = 2 / (1 + a**2)`` exactly (ReLU: ``a = 0``; leaky ReLU with slope ``a``).
    Identity, linear and sigmoid get 1 and tanh the conventional 5/3 (PyTorch's values).

    Parameters
    ----------
    nonlinearity : {"linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu"}
    param : float, optional
        Negative slope of the leaky ReLU (default 0.01).
    """
    if not isinstance(nonlinearity, str):
        raise TypeError(f"nonlinearity must be a str, got {type(nonlinearity).__name__}")
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else param
        if not isinstance(a, (int, float)) or isinstance(a, bool) or not math.isfinite(a):
            raise ValueError(f"param (negative slope) must be a finite number, got {param!r}")
        return math.sqrt(2.0 / (1.0 + a * a))
    raise ValueError(f"nonlinearity must be one of linear, identity, sigmoid, tanh, relu, "
                     f"leaky_relu; got {nonlinearity!r}")


def variance(shape: Sequence[int], scheme: str = "he", *, mode: str | None = None,
             gain: float | None = None) -> float:
    """Weight variance ``gain**2 / fan`` of an initialization scheme.

    Implements (eq-init-rule): LeCun ``1/fan_in``, Xavier ``2/(fan_in + fan_out)``, He
    ``2/fan_in`` (or ``2/fan_out`` with ``mode="fan_out"``), PyTorch's default for
    ``nn.Linear``/``nn.Conv*`` ``1/(3 fan_in)``.

    Parameters
    ----------
    shape : sequence of int
        Weight shape, see :func:`fans`.
    scheme : {"lecun", "xavier", "he", "torch_default"}
    mode : {"fan_in", "fan_out", "fan_avg"}, optional
        Overrides the scheme's fan; ``fan_avg`` is ``(fan_in + fan_out) / 2``.
    gain : float, optional
        Overrides the scheme's gain (must be positive).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {sorted(SCHEMES)}, got {scheme!r}")
    g, m = SCHEMES[scheme]
    if mode is not None:
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
        m = mode
    if gain is not None:
        if not (isinstance(gain, (int, float)) and math.isfinite(gain) and gain > 0):
            raise ValueError(f"gain must be a positive number, got {gain!r}")
        g = _real_scalar("gain", gain)
    fan_in, fan_out = fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[m]
    return g * g / fan


def _rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng must be a non-negative int seed, got rng={rng}")
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


def sample(shape: Sequence[int], scheme: str = "he", *, dist: str = "normal",
           mode: str | None = None, gain: float | None = None,
           rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Draw a float64 weight array with iid entries of mean 0 and variance :func:`variance`.

    ``dist="normal"`` draws ``N(0, v)``; ``dist="uniform"`` draws ``U(-sqrt(3 v), sqrt(3 v))``,
    which has the same variance. Returns an array of shape ``shape``.
    """
    v = variance(shape, scheme, mode=mode, gain=gain)
    gen = _rng(rng)
    s = _shape(shape)
    if dist == "normal":
        return gen.normal(0.0, math.sqrt(v), size=s)
    if dist == "uniform":
        b = math.sqrt(3.0 * v)
        return gen.uniform(-b, b, size=s)
    raise ValueError(f"dist must be 'normal' or 'uniform', got {dist!r}")


def orthogonal(shape: Sequence[int], *, gain: float = 1.0,
               rng: np.random.Generator | int | None = None) -> np.ndarray:
    """A Haar-random (semi-)orthogonal matrix times ``gain``, float64.

    For ``shape = (out, in)`` with ``out <= in`` the rows are orthonormal, otherwise the
    columns; extra dimensions (convolution kernels) are flattened into ``in`` as in PyTorch.
    The QR factor of a Gaussian matrix is made Haar-distributed by fixing the signs of the
    diagonal of ``R`` (Mezzadri's correction).
    """
    s = _shape(shape)
    if not (isinstance(gain, (int, float)) and math.isfinite(gain) and gain > 0):
        raise ValueError(f"gain must be a positive number, got {gain!r}")
    rows, cols = s[0], math.prod(s[1:])
    gen = _rng(rng)
    a = gen.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    return (gain * q).reshape(s)


def init_(tensor, scheme: str = "he", *, dist: str = "normal", mode: str | None = None,
          gain: float | None = None, generator=None):
    """Fill a torch tensor in place with the scheme's distribution and return it.

    The same rule as :func:`sample`, drawn with torch's generator ``generator`` (a
    ``torch.Generator`` or None for the global one); works under ``torch.no_grad``. Only the
    shape and dtype of ``tensor`` matter: its old values (NaN or inf included) are overwritten.
    """
    import torch

    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    if not tensor.is_floating_point():
        raise TypeError(f"tensor must be a real floating-point tensor, got dtype {tensor.dtype}")
    if tensor.ndim < 2 or min(tensor.shape) < 1:
        raise ValueError(f"tensor must have at least 2 positive dimensions (out, in, *kernel), "
                         f"got shape {tuple(tensor.shape)}")
    v = variance(tuple(tensor.shape), scheme, mode=mode, gain=gain)
    with torch.no_grad():
        if dist == "normal":
            return tensor.normal_(0.0, math.sqrt(v), generator=generator)
        if dist == "uniform":
            b = math.sqrt(3.0 * v)
            return tensor.uniform_(-b, b, generator=generator)
    raise ValueError(f"dist must be 'normal' or 'uniform', got {dist!r}")


_ACTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
}


def propagate(weights: Sequence[np.ndarray], x: np.ndarray,
              activation: str = "relu") -> np.ndarray:
    """Squared norms ``||h^k||^2`` of the layers of bias-free networks, ``k = 0..L``.

    Implements ``h^0 = x``, ``h^k = phi(W^k h^{k-1})``.

    Parameters
    ----------
    weights : sequence of arrays, shapes ``(..., n_k, n_{k-1})``
        One array per layer; leading dimensions index independent networks (broadcast).
    x : array, shape ``(..., n_0)``
        Inputs; leading dimensions broadcast against those of the weights.
    activation : {"relu", "linear", "tanh", "sigmoid"}

    Returns
    -------
    array, shape ``(L + 1, ...)``
        ``||h^k||^2`` for each layer and each network/input.
    """
    if activation not in _ACTS:
        raise ValueError(f"activation must be one of {sorted(_ACTS)}, got {activation!r}")
    h = _real_array("x", x)
    if h.ndim < 1:
        raise ValueError(f"x must have at least one dimension (n_0), got shape {h.shape}")
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
        raise TypeError(f"weights must be a sequence of arrays, got {type(weights).__name__}")
    if len(weights) == 0:
        raise ValueError("weights must contain at least one layer")
    phi = _ACTS[activation]
    out = [np.sum(h * h, axis=-1)]
    for k, w in enumerate(weights):
        w = _real_array(f"weights[{k}]", w)
        if w.ndim < 2 or w.shape[-1] != h.shape[-1]:
            raise ValueError(f"weights[{k}] must have shape (..., n_out, {h.shape[-1]}), "
                             f"got {w.shape}")
        try:
            h = phi(np.matmul(w, h[..., None])[..., 0])
        except ValueError as err:
            raise ValueError(f"the leading dimensions of weights[{k}] {w.shape[:-2]} and x "
                             f"{h.shape[:-1]} do not broadcast") from err
        out.append(np.sum(h * h, axis=-1))
    return np.stack(np.broadcast_arrays(*out))


_DACTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: (z > 0).astype(np.float64),
    "linear": lambda z: np.ones_like(z),
    "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
    "sigmoid": lambda z: 0.25 / np.cosh(0.5 * z) ** 2,
}


def gradient_norms(weights: Sequence[np.ndarray], x: np.ndarray, activation: str = "relu", *,
                   readout: np.ndarray | None = None,
                   target: np.ndarray | None = None) -> np.ndarray:
    """Squared weight-gradient norms ``||dl/dW^k||_F^2``, ``k = 1..L``, by backpropagation.

    The network is that of :func:`propagate`; the loss is ``l = readout . h^L`` (a linear
    readout) or ``l = ||h^L - target||^2 / 2`` (the squared loss): give exactly one of them.
    Backpropagation: ``delta^L = phi'(z^L) * dl/dh^L``, ``delta^{k-1} = phi'(z^{k-1}) *
    (W^k)^T delta^k`` and ``||dl/dW^k||_F^2 = ||delta^k||^2 ||h^{k-1}||^2``.

    Parameters
    ----------
    weights, x, activation
        As in :func:`propagate`.
    readout, target : array, shape ``(..., n_L)``, optional
        Broadcast against the networks' outputs.

    Returns
    -------
    array, shape ``(L, ...)``
        ``||dl/dW^k||_F^2`` for each layer ``k = 1..L`` and each network/input.
    """
    if (readout is None) == (target is None):
        raise ValueError("give exactly one of readout (linear output) and target (squared loss)")
    if activation not in _ACTS:
        raise ValueError(f"activation must be one of {sorted(_ACTS)}, got {activation!r}")
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
        raise TypeError(f"weights must be a sequence of arrays, got {type(weights).__name__}")
    if len(weights) == 0:
        raise ValueError("weights must contain at least one layer")
    h = _real_array("x", x)
    if h.ndim < 1:
        raise ValueError(f"x must have at least one dimension (n_0), got shape {h.shape}")
    ws, hs, zs = [], [h], []
    for k, w in enumerate(weights):
        w = _real_array(f"weights[{k}]", w)
        if w.ndim < 2 or w.shape[-1] != hs[-1].shape[-1]:
            raise ValueError(f"weights[{k}] must have shape (..., n_out, {hs[-1].shape[-1]}), "
                             f"got {w.shape}")
        ws.append(w)
        try:
            zs.append(np.matmul(w, hs[-1][..., None])[..., 0])
        except ValueError as err:
            raise ValueError(f"the leading dimensions of weights[{k}] {w.shape[:-2]} and x "
                             f"{hs[-1].shape[:-1]} do not broadcast") from err
        hs.append(_ACTS[activation](zs[-1]))
    other = readout if target is None else target
    other = _real_array("readout" if target is None else "target", other)
    if other.ndim < 1 or other.shape[-1] != hs[-1].shape[-1]:
        name = "readout" if target is None else "target"
        raise ValueError(f"{name} must have shape (..., {hs[-1].shape[-1]}), got {other.shape}")
    name = "readout" if target is None else "target"
    try:
        np.broadcast_shapes(other.shape, hs[-1].shape)
    except ValueError as err:
        raise ValueError(f"{name} of shape {other.shape} does not broadcast against the last "
                         f"layer's outputs {hs[-1].shape}") from err
    grad_h = other if target is None else hs[-1] - other
    out = []
    for k in range(len(ws) - 1, -1, -1):
        delta = _DACTS[activation](zs[k]) * grad_h
        out.append(np.sum(delta * delta, axis=-1) * np.sum(hs[k] * hs[k], axis=-1))
        grad_h = np.matmul(np.swapaxes(ws[k], -1, -2), delta[..., None])[..., 0]
    return np.stack(np.broadcast_arrays(*out[::-1]))


def _psi_half(b: int) -> float:
    """Digamma at b/2 for an integer b >= 1, by psi(x + 1) = psi(x) + 1/x."""
    x, v = (1.0, -0.5772156649015329) if b % 2 == 0 else \
        (0.5, -0.5772156649015329 - 2.0 * math.log(2.0))
    while x < b / 2 - 0.25:
        v += 1.0 / x
        x += 1.0
    return v


def _trigamma_half(b: int) -> float:
    """Trigamma at b/2 for an integer b >= 1, by psi'(x + 1) = psi'(x) - 1/x**2."""
    x, v = (1.0, math.pi ** 2 / 6) if b % 2 == 0 else (0.5, math.pi ** 2 / 2)
    while x < b / 2 - 0.25:
        v -= 1.0 / (x * x)
        x += 1.0
    return v


def _binom_pmf(n: int) -> np.ndarray:
    return np.array([math.comb(n, b) for b in range(n + 1)], dtype=np.float64) / 2.0 ** n


def _check_m_v(m: int, v: float) -> None:
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m (layer width) must be a positive int, got {m!r}")
    if not (isinstance(v, (int, float, np.floating)) and math.isfinite(v) and v > 0):
        raise ValueError(f"v (weight variance) must be a positive number, got {v!r}")


def relu_ratio_moments(m: int, v: float) -> dict[str, float]:
    """Exact moments of one ReLU layer's norm ratio ``rho = ||h^k||^2 / ||h^{k-1}||^2``.

    Implements (thm-init-relu-law): ``rho = v * chi2_A`` with ``A ~ Bin(m, 1/2)``.

    Parameters
    ----------
    m : int
        Width of the layer (number of output units).
    v : float
        Variance of the Gaussian weights.

    Returns
    -------
    dict with keys
        ``mean`` = ``v m / 2``; ``second`` = ``E rho^2 = v^2 m (m + 5) / 4``;
        ``p_dead`` = ``P(rho = 0) = 2^-m``; ``mean_log`` and ``var_log``, the mean and variance
        of ``log rho`` given ``rho > 0`` (digamma and trigamma sums).
    """
    _check_m_v(m, v)
    p = _binom_pmf(m)
    w = p[1:] / (1.0 - p[0])
    el = np.array([_psi_half(a) + math.log(2.0) for a in range(1, m + 1)])
    vl = np.array([_trigamma_half(a) for a in range(1, m + 1)])
    mu = float(w @ el)
    return {
        "mean": v * m / 2.0,
        "second": v * v * m * (m + 5) / 4.0,
        "p_dead": float(p[0]),
        "mean_log": math.log(v) + mu,
        "var_log": float(w @ vl + w @ el ** 2 - mu * mu),
    }


def relu_log_ratio_density(y: np.ndarray, m: int, v: float) -> np.ndarray:
    """Density of ``log rho`` given ``rho > 0`` (see :func:`relu_ratio_moments`), at ``y``.

    A mixture over ``a = 1..m`` of the densities of ``log(v X)``, ``X ~ chi2_a``, with
    binomial weights conditioned on ``a >= 1``. Returns an array shaped like ``y``.
    """
    _check_m_v(m, v)
    y = _real_array("y", y)
    p = _binom_pmf(m)
    t = np.exp(y) / v  # value of the chi-square variable
    dens = np.zeros_like(y)
    for a in range(1, m + 1):
        logf = ((a / 2) * np.log(t) - t / 2 - (a / 2) * math.log(2.0) - math.lgamma(a / 2))
        dens += p[a] * np.exp(logf)  # chi2_a density times t = d t / d y
    return dens / (1.0 - p[0])


@lru_cache(maxsize=8)
def _hermite_nodes(n_quad: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (normalised to sum 1) of ``n_quad``-point Gauss-Hermite for N(0, 1)."""
    z, w = np.polynomial.hermite_e.hermegauss(n_quad)
    return z, w / math.sqrt(2.0 * math.pi)


def gaussian_expectation(f: Callable[[np.ndarray], np.ndarray], q: float | np.ndarray,
                         n_quad: int = 100) -> np.ndarray:
    """``E f(sqrt(q) z)``, ``z ~ N(0, 1)``, by Gauss-Hermite quadrature with ``n_quad`` nodes.

    ``q`` may be an array (the result has its shape); ``f`` must act elementwise. The nodes are
    symmetric about 0; with an even ``n_quad`` (the default) none sits at 0, so a step or kink at
    0 is split evenly between the two sides, as in the integral.
    """
    if not (isinstance(n_quad, int) and n_quad >= 2):
        raise ValueError(f"n_quad must be an int >= 2, got {n_quad!r}")
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    qa = _real_array("q", q)
    if np.any(qa < 0) or not np.all(np.isfinite(qa)):
        raise ValueError("q (a variance) must be finite and non-negative")
    z, w = _hermite_nodes(n_quad)
    vals = f(np.sqrt(qa)[..., None] * z)
    return np.asarray(vals @ w)


def mean_field_q(phi: Callable[[np.ndarray], np.ndarray], q1: float, depth: int, *,
                 v_w: float = 1.0, v_b: float = 0.0, n_quad: int = 100) -> np.ndarray:
    """Mean-field pre-activation variances ``q_1..q_depth`` of a wide network.

    Implements (eq-init-mean-field): ``q_k = v_w E phi(sqrt(q_{k-1}) z)^2 + v_b``, the
    limit of ``||f^k||^2 / m`` for weights of variance ``v_w / m`` and biases of variance
    ``v_b``. Returns an array of length ``depth`` whose entry ``k - 1`` is ``q_k``.
    """
    if not (isinstance(depth, int) and depth >= 1):
        raise ValueError(f"depth must be a positive int, got {depth!r}")
    if not callable(phi):
        raise TypeError(f"phi must be callable, got {type(phi).__name__}")
    for name, val in (("q1", q1), ("v_w", v_w), ("v_b", v_b)):
        if not 0 <= _real_scalar(name, val) < np.inf:
            raise ValueError(f"{name} must be finite and non-negative, got {name}={val!r}")
    q = np.empty(depth)
    q[0] = q1
    for k in range(1, depth):
        q[k] = v_w * float(gaussian_expectation(lambda u: phi(u) ** 2, q[k - 1], n_quad)) + v_b
    return q


def mean_field_chi(phi_prime: Callable[[np.ndarray], np.ndarray], q: float, *,
                   v_w: float = 1.0, n_quad: int = 100) -> float:
    """Mean-field backward gain ``chi = v_w E phi'(sqrt(q) z)^2`` per layer.

    In a wide network whose pre-activations have variance ``q`` (a fixed point of
    :func:`mean_field_q`), squared gradient norms shrink (``chi < 1``) or grow (``chi > 1``)
    by this factor per layer.
    """
    if not callable(phi_prime):
        raise TypeError(f"phi_prime must be callable, got {type(phi_prime).__name__}")
    for name, val in (("q", q), ("v_w", v_w)):
        if not 0 <= _real_scalar(name, val) < np.inf:
            raise ValueError(f"{name} must be finite and non-negative, got {name}={val!r}")
    return v_w * float(gaussian_expectation(lambda u: phi_prime(u) ** 2, q, n_quad))

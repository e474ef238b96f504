"""What networks can represent: constructions, Bernstein polynomials, pieces.

Implements, for chapter ``approximation``:

* :func:`threshold_net` and :func:`eval_threshold_net`: the one-hidden-layer
  threshold network that approximates a Lipschitz function on ``[0, 1]``
  within ``eps`` (eq-apx-threshold-net);
* :func:`relu_hat` and :func:`relu_interpolant`: ReLU bumps and the
  piecewise-linear interpolant written as a one-hidden-layer ReLU network
  (eq-apx-relu-interp);
* :func:`bernstein_basis` and :func:`bernstein`: the Bernstein operator
  (eq-apx-bernstein);
* :func:`maurey_cosine`: Maurey's sampling of random cosine ridge functions
  for the Gaussian bump (eq-apx-gauss-mixture);
* :func:`barron_sigmoid`: the same bump sampled as in the sketch of Barron's
  theorem, with steep sigmoid units bounded by ``2 r C_g``;
* :func:`tent`, :func:`sawtooth` and :func:`sawtooth_net`: the tent map, its
  compositions and the width-3 deep ReLU network computing them;
* :func:`relu_forward`, :func:`breakpoints` and :func:`count_pieces`: exact
  evaluation and piece counting for 1-D ReLU networks.

A ReLU network is a list of layers ``(W, b)`` with ``W`` of shape
``(d_out, d_in)`` and ``b`` of shape ``(d_out,)``; ReLU follows every layer
but the last, and the first layer has ``d_in = 1``.

Derived in: ``approximation``.
Depends on: numpy, scipy (``barron_sigmoid``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "threshold_net", "eval_threshold_net", "relu_hat", "relu_interpolant",
    "bernstein_basis", "bernstein", "maurey_cosine", "barron_sigmoid", "tent", "sawtooth",
    "sawtooth_net", "relu_forward", "breakpoints", "count_pieces",
]


def _seed_rng(name: str, seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``; ``TypeError``/``ValueError`` naming ``name`` unless
    ``seed`` is None, an int >= 0, a Generator, a SeedSequence or a BitGenerator."""
    ok = (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)
    if seed is None or isinstance(seed, ok):
        return np.random.default_rng(seed)
    if isinstance(seed, (tuple, list)) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in seed):
        return np.random.default_rng(seed)  # a sequence of ints: SeedSequence entropy
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 0, a numpy.random.Generator or None, got "
                        f"{type(seed).__name__} ({seed!r:.40})")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0, got {name}={seed}")
    return np.random.default_rng(seed)


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


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return _real_scalar(name, value)


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _callable(name: str, f: Any) -> Any:
    if not callable(f):
        raise TypeError(f"{name} must be a function of an array, got {type(f).__name__} "
                        f"({f!r:.40})")
    return f


def _points(name: str, x: Any) -> np.ndarray:
    xa = _real_array(name, x)
    if xa.ndim != 1 or not np.all(np.isfinite(xa)):
        raise ValueError(f"{name} must be a finite 1-D array, got shape {xa.shape}")
    return xa


def threshold_net(g: Callable[[np.ndarray], np.ndarray], lip: float,
                  eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Knots and weights of the threshold network of (eq-apx-threshold-net).

    With ``m = ceil(lip / eps)`` knots ``b_i = i eps / lip`` the network is
    ``f(x) = sum_i a_i 1[b_i <= x]``, whose weights are ``a_0 = g(0)`` and the
    increments ``a_i = g(b_i) - g(b_{i-1})`` (``i >= 1``) of ``g``; for
    ``lip``-Lipschitz ``g`` it is within ``eps`` of ``g`` on ``[0, 1]``.

    Returns ``(knots, weights)``, two float64 arrays of shape ``(m,)``.
    """
    g = _callable("g", g)
    lip, eps = _positive("lip", lip), _positive("eps", eps)
    m = math.ceil(lip / eps)
    knots = np.arange(m) * (eps / lip)
    values = np.asarray(g(knots), dtype=np.float64)
    if values.shape != knots.shape:
        raise ValueError(f"g must map shape {knots.shape} to the same shape, "
                         f"got {values.shape}")
    return knots, np.diff(values, prepend=0.0)


def eval_threshold_net(x: Any, knots: Any, weights: Any) -> np.ndarray:
    """Evaluate ``sum_i weights_i 1[x >= knots_i]`` at points ``x`` (1-D).

    Knots may come in any order; returns a float64 array of the shape of ``x``.
    """
    xa, k, w = _points("x", x), _points("knots", knots), _points("weights", weights)
    if k.shape != w.shape:
        raise ValueError(f"knots and weights must have equal shapes, got "
                         f"{k.shape} and {w.shape}")
    order = np.argsort(k, kind="stable")
    partial = np.concatenate([[0.0], np.cumsum(w[order])])
    # number of knots <= x, i.e. the units that fire; O((n + m) log m) memory-light
    return partial[np.searchsorted(k[order], xa, side="right")]


def relu_hat(x: Any, center: float, width: float) -> np.ndarray:
    """ReLU bump: ``(s(x-c+h) - 2 s(x-c) + s(x-c-h)) / h`` with ``s = ReLU``.

    It is the hat function of height 1 at ``c`` supported on ``[c-h, c+h]``.
    """
    xa = _points("x", x)
    h = _positive("width", width)
    center = _real_scalar("center", center)
    if not np.isfinite(center):
        raise ValueError(f"center must be finite, got center={center}")
    r = lambda z: np.maximum(z, 0.0)  # noqa: E731
    return (r(xa - center + h) - 2 * r(xa - center) + r(xa - center - h)) / h


def relu_interpolant(g: Callable[[np.ndarray], np.ndarray],
                     m: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One-hidden-layer ReLU network interpolating ``g`` at ``i/m`` on [0, 1].

    Implements (eq-apx-relu-interp): ``f(x) = g(0) + sum_i c_i relu(x - t_i)``
    with knots ``t_i = i/m`` (``i = 0..m-1``) and ``c_i`` the change of slope
    at ``t_i``. Returns ``(knots, coefficients, bias)``; evaluate with
    ``bias + relu(x[:, None] - knots) @ coefficients``.
    """
    g = _callable("g", g)
    m = _int("m", m, 1)
    grid = np.arange(m + 1) / m
    values = np.asarray(g(grid), dtype=np.float64)
    if values.shape != grid.shape:
        raise ValueError(f"g must map shape {grid.shape} to the same shape, "
                         f"got {values.shape}")
    slopes = np.diff(values) * m
    return grid[:-1], np.diff(slopes, prepend=0.0), float(values[0])


def bernstein_basis(m: int, x: Any) -> np.ndarray:
    """Bernstein basis ``b_k(x) = C(m, k) x^k (1-x)^(m-k)``, shape ``(len(x), m+1)``.

    Computed in log space (stable for large ``m``); ``x`` must lie in [0, 1].
    """
    m = _int("m", m, 0)
    xa = _points("x", x)
    if np.any((xa < 0) | (xa > 1)):
        raise ValueError("x must lie in [0, 1]")
    k = np.arange(m + 1)
    logc = np.array([math.lgamma(m + 1) - math.lgamma(j + 1) - math.lgamma(m - j + 1)
                     for j in k])
    with np.errstate(divide="ignore", invalid="ignore"):
        lx, l1x = np.log(xa)[:, None], np.log1p(-xa)[:, None]
        # 0 * log(0) = 0: terms with exponent 0 contribute nothing.
        t1 = np.where(k[None, :] == 0, 0.0, k[None, :] * lx)
        t2 = np.where(k[None, :] == m, 0.0, (m - k)[None, :] * l1x)
    return np.exp(logc[None, :] + t1 + t2)


def bernstein(f: Callable[[np.ndarray], np.ndarray], m: int, x: Any) -> np.ndarray:
    """Bernstein polynomial ``(B_m f)(x) = sum_k f(k/m) b_k(x)`` (eq-apx-bernstein)."""
    f = _callable("f", f)
    m = _int("m", m, 1)
    nodes = np.arange(m + 1) / m
    fv = np.asarray(f(nodes), dtype=np.float64)
    if fv.shape != nodes.shape:
        raise ValueError(f"f must map shape {nodes.shape} to the same shape, "
                         f"got {fv.shape}")
    return bernstein_basis(m, x) @ fv


def maurey_cosine(x: Any, k: int, seed: Any) -> np.ndarray:
    """Average of ``k`` random ridge functions ``cos(w_j . x)``, ``w_j ~ N(0, I)``.

    An unbiased estimate of ``exp(-|x|^2 / 2)`` (eq-apx-gauss-mixture).
    ``x`` has shape ``(n, d)``; returns shape ``(n,)``.
    """
    xa = _real_array("x", x)
    if xa.ndim != 2:
        raise ValueError(f"x must have shape (n, d), got {xa.shape}")
    k = _int("k", k, 1)
    rng = _seed_rng("seed", seed)
    w = rng.standard_normal((k, xa.shape[1]))
    return np.cos(xa @ w.T).mean(axis=1)


def barron_sigmoid(x: Any, k: int, *, radius: float, seed: Any,
                   steepness: float = 200.0) -> np.ndarray:
    """Barron's sampling of ``exp(-|x|^2 / 2)`` on the ball ``|x| <= radius`` by sigmoid units.

    Each unit draws a frequency ``w`` with density proportional to ``|w| N(w; 0, I)``
    (direction ``theta`` uniform, ``|w|`` chi-distributed with ``d + 1`` degrees of freedom),
    a threshold ``t ~ U[-r, r]``, and is
    ``V(x) = -2 r C_g sin(|w| t) s_t(theta . x)``, where ``s_t(u) = sigma(beta (u - t))`` for
    ``t >= 0`` and ``-sigma(beta (t - u))`` for ``t < 0`` (``sigma`` the logistic function,
    ``beta = steepness``) and ``C_g = E|w| = sqrt(2) Gamma((d+1)/2) / Gamma(d/2)``. With steps
    instead of sigmoids, ``E V(x) = g(x) - g(0)`` and ``|V| <= 2 r C_g``. Returns
    ``1 + mean_j V_j(x)``, shape ``(n,)``, for ``x`` of shape ``(n, d)``.
    """
    from scipy.special import expit, gammaln

    xa = _real_array("x", x)
    if xa.ndim != 2 or not np.all(np.isfinite(xa)):
        raise ValueError(f"x must be a finite array of shape (n, d), got {xa.shape}")
    k = _int("k", k, 1)
    r = _positive("radius", radius)
    beta = _positive("steepness", steepness)
    d = xa.shape[1]
    c_g = math.sqrt(2.0) * math.exp(gammaln((d + 1) / 2) - gammaln(d / 2))
    rng = _seed_rng("seed", seed)
    theta = rng.standard_normal((k, d))
    theta /= np.linalg.norm(theta, axis=1, keepdims=True)
    rho = np.linalg.norm(rng.standard_normal((k, d + 1)), axis=1)
    t = rng.uniform(-r, r, k)
    u = xa @ theta.T
    step = np.where(t >= 0, expit(beta * (u - t)), -expit(beta * (t - u)))
    return 1.0 + (-2 * r * c_g * np.sin(rho * t) * step).mean(axis=1)


def tent(x: Any) -> np.ndarray:
    """Tent map ``2 relu(x) - 4 relu(x - 1/2) + 2 relu(x - 1)``.

    Equal to ``2x`` on [0, 1/2], ``2 - 2x`` on [1/2, 1] and 0 outside [0, 1].
    """
    xa = _real_array("x", x)
    r = lambda z: np.maximum(z, 0.0)  # noqa: E731
    return 2 * r(xa) - 4 * r(xa - 0.5) + 2 * r(xa - 1)


def sawtooth(x: Any, depth: int) -> np.ndarray:
    """The ``depth``-fold composition of :func:`tent` (``depth = 0``: identity)."""
    depth = _int("depth", depth, 0)
    y = _real_array("x", x)
    for _ in range(depth):
        y = tent(y)
    return y


def sawtooth_net(depth: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A ReLU network of width 3 and ``depth`` hidden layers computing ``sawtooth``.

    Hidden layer ``l`` holds ``relu(u), relu(u - 1/2), relu(u - 1)`` where ``u``
    is the previous tent's output; the next layer forms ``u`` with the tent's
    weights ``(2, -4, 2)``.
    """
    depth = _int("depth", depth, 1)
    bias = np.array([0.0, -0.5, -1.0])
    tent_w = np.array([[2.0, -4.0, 2.0]])
    layers = [(np.ones((3, 1)), bias.copy())]
    for _ in range(depth - 1):
        layers.append((np.ones((3, 1)) @ tent_w, bias.copy()))
    layers.append((tent_w.copy(), np.zeros(1)))
    return layers


def _check_net(layers: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    if not isinstance(layers, (list, tuple)) or len(layers) == 0:
        raise ValueError("layers must be a non-empty list of (W, b) pairs")
    out, d_in = [], 1
    for i, layer in enumerate(layers):
        if not (isinstance(layer, (list, tuple)) and len(layer) == 2):
            raise ValueError(f"layers[{i}] must be a pair (W, b)")
        w = np.asarray(layer[0], dtype=np.float64)
        b = np.asarray(layer[1], dtype=np.float64)
        if w.ndim != 2 or w.shape[1] != d_in or b.shape != (w.shape[0],):
            raise ValueError(f"layers[{i}]: expected W of shape (d_out, {d_in}) and "
                             f"b of shape (d_out,), got {w.shape} and {b.shape}")
        out.append((w, b))
        d_in = w.shape[0]
    if d_in != 1:
        raise ValueError(f"the last layer must have one output, got {d_in}")
    return out


def relu_forward(layers: Any, x: Any) -> np.ndarray:
    """Evaluate a 1-D ReLU network (ReLU after every layer but the last).

    ``x`` is 1-D of shape ``(n,)``; returns shape ``(n,)``.
    """
    net = _check_net(layers)
    h = _points("x", x)[:, None]
    for i, (w, b) in enumerate(net):
        h = h @ w.T + b
        if i < len(net) - 1:
            h = np.maximum(h, 0.0)
    return h[:, 0]


def breakpoints(layers: Any, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Points of ``[lo, hi]`` between which the network is affine, and its values.

    Exact up to floating-point rounding: layer by layer, each pre-activation is
    affine between consecutive points, so its zeros are found by linear
    interpolation and added to the partition. Returns ``(t, y)``: sorted
    points (including ``lo`` and ``hi``) and the network's values there.
    """
    net = _check_net(layers)
    lo, hi = _real_scalar("lo", lo), _real_scalar("hi", hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"need finite lo < hi, got lo={lo}, hi={hi}")
    t = np.array([lo, hi])
    h = t[:, None]
    for i, (w, b) in enumerate(net):
        z = h @ w.T + b
        if i == len(net) - 1:
            return t, z[:, 0]
        za, zb = z[:-1], z[1:]
        cross = (za * zb) < 0  # a zero strictly inside an interval
        idx, unit = np.nonzero(cross)
        frac = za[idx, unit] / (za[idx, unit] - zb[idx, unit])
        new_t = t[idx] + frac * (t[idx + 1] - t[idx])
        t_all = np.unique(np.concatenate([t, new_t]))
        # each column of z is affine between old points: interpolate exactly
        z = np.stack([np.interp(t_all, t, z[:, j]) for j in range(z.shape[1])],
                     axis=1)
        z[np.searchsorted(t_all, new_t), unit] = 0.0  # exact zeros
        t, h = t_all, np.maximum(z, 0.0)
    raise AssertionError("unreachable")


def count_pieces(layers: Any, lo: float = 0.0, hi: float = 1.0, *,
                 rtol: float = 1e-9) -> int:
    """Number of maximal affine pieces of a 1-D ReLU network on ``[lo, hi]``.

    Uses :func:`breakpoints`; adjacent intervals whose slopes agree within
    ``rtol`` times the largest slope are merged.
    """
    rtol = _real_scalar("rtol", rtol)
    if not 0 <= rtol < 1:
        raise ValueError(f"rtol must be in [0, 1), got rtol={rtol}")
    t, y = breakpoints(layers, lo, hi)
    lo, hi = float(t[0]), float(t[-1])
    dt = np.diff(t)
    keep = dt > 1e-12 * (hi - lo)  # drop slivers left by rounding
    s = np.diff(y)[keep] / dt[keep]
    scale = max(float(np.max(np.abs(s))), 1.0)
    return 1 + int(np.sum(np.abs(np.diff(s)) > rtol * scale))

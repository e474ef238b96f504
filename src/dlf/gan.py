"""Generative adversarial networks: divergences, transport, game dynamics, and a small GAN.

The pieces of chapter ``gans``:

* the optimal discriminator ``d* = p / (p + q)`` and the GAN value (:func:`optimal_discriminator`,
  :func:`gan_value`, :func:`js_divergence`);
* f-divergences, their convex conjugates and the f-GAN output activations
  (:data:`F_DIVERGENCES`, :func:`f_divergence`, :func:`variational_bound`);
* optimal transport in closed form: the 1-D Wasserstein distance :func:`wasserstein_1d`, the
  squared 2-Wasserstein distance between Gaussians :func:`gaussian_w2` with its optimal linear map
  :func:`gaussian_ot_map`, the Frechet distance :func:`fid` and :func:`fid_from_samples`, and
  :func:`spectral_normalize` for 1-Lipschitz critics;
* gradient descent-ascent on the bilinear game ``x^T A y`` (:func:`gda`, :func:`gda_matrix`);
* a small GAN on a ring of Gaussians (:func:`mode_count`, :func:`train_gan`; the data come from
  :func:`dlf.data.gaussian_ring` and :func:`dlf.data.ring_centers`);
* the birthday-paradox test of support size (:func:`birthday_probability`,
  :func:`collision_support_estimate`).

Derived in: book/generative/gans.md (Adversarial training and GANs).
Depends on: numpy, torch, :mod:`dlf.linalg` (``spectral_norm``), :mod:`dlf.data`
(``gaussian_ring``, ``ring_centers``).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import torch

from dlf.data import gaussian_ring, ring_centers
from dlf.linalg import spectral_norm

__all__ = [
    "optimal_discriminator",
    "gan_value",
    "js_divergence",
    "FDivergence",
    "F_DIVERGENCES",
    "f_divergence",
    "variational_bound",
    "wasserstein_1d",
    "gaussian_w2",
    "gaussian_ot_map",
    "fid",
    "fid_from_samples",
    "spectral_normalize",
    "gda_matrix",
    "gda",
    "mode_count",
    "train_gan",
    "birthday_probability",
    "collision_support_estimate",
]


# ----------------------------------------------------------------------------- validation

def _is_real(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, (int, float, np.integer, np.floating))


def _real(name: str, x: Any, *, low: float = -np.inf, positive: bool = False) -> float:
    if not _is_real(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    if not np.isfinite(x) or x < low or (positive and x <= 0):
        need = "> 0" if positive else f">= {low}"
        raise ValueError(f"{name} must be finite and {need}, got {x!r}")
    return float(x)


def _count(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def _array(name: str, x: Any, ndim: int | None = None, min_size: int = 1) -> np.ndarray:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a real array, got {type(x).__name__}")
    a = np.asarray(x)
    if a.dtype == object or np.iscomplexobj(a) or not (
            np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"{name} must be a real numeric array, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if a.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} entries, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _densities(p: Any, q: Any, *, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    p, q = _array("p", p, 1), _array("q", q, 1)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    for name, a in (("p", p), ("q", q)):
        if np.any(a < 0) or (positive and np.any(a <= 0)):
            raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'} everywhere")
    return p, q


def _probabilities(p: Any, q: Any, *, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    p, q = _densities(p, q, positive=positive)
    for name, a in (("p", p), ("q", q)):
        if abs(a.sum() - 1) > 1e-9:
            raise ValueError(f"{name} must sum to 1, got sum {a.sum():.12g}")
    return p, q


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x log y`` with ``0 log 0 = 0``."""
    out = np.zeros_like(x)
    nz = x > 0
    out[nz] = x[nz] * np.log(y[nz])
    return out


# ----------------------------------------------------------------------------- discriminator

def optimal_discriminator(p: Any, q: Any) -> np.ndarray:
    """The discriminator ``d*(x) = p(x) / (p(x) + q(x))`` that maximizes the GAN value.

    Implements (eq-gans-dstar). Where ``p = q = 0`` the value does not matter; we return 1/2.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Densities (or probabilities) of the data law and of the generator at the same ``k``
        points, ``>= 0``.

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    p, q = _densities(p, q)
    s = p + q
    out = np.full_like(s, 0.5)
    np.divide(p, s, out=out, where=s > 0)
    return out


def gan_value(d: Any, p: Any, q: Any) -> float:
    """``V(d) = E_p log d(X) + E_q log(1 - d(X))`` on a finite set.

    Implements (eq-gans-value). Terms with zero probability are dropped (``0 log 0 = 0``).

    Parameters
    ----------
    d : array_like, shape (k,)
        Discriminator values in ``[0, 1]``.
    p, q : array_like, shape (k,)
        Probability vectors (each sums to 1).

    Returns
    -------
    float
        ``-inf`` is not returned: a ``d`` that is 0 where ``p > 0`` (or 1 where ``q > 0``)
        raises ``ValueError``.
    """
    p, q = _probabilities(p, q)
    d = _array("d", d, 1)
    if d.shape != p.shape:
        raise ValueError(f"d must have shape {p.shape} like p, got {d.shape}")
    if np.any(d < 0) or np.any(d > 1):
        raise ValueError("d must take values in [0, 1]")
    if np.any((d == 0) & (p > 0)) or np.any((d == 1) & (q > 0)):
        raise ValueError("d must be in (0, 1) where p > 0 or q > 0 (the value is -inf)")
    return float(np.sum(_xlogy(p, d)) + np.sum(_xlogy(q, 1 - d)))


def js_divergence(p: Any, q: Any) -> float:
    """Jensen-Shannon divergence ``(KL(p || m) + KL(q || m)) / 2``, ``m = (p + q) / 2``.

    Natural logarithm, so ``0 <= JS <= log 2``.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors.

    Returns
    -------
    float
    """
    p, q = _probabilities(p, q)
    m = (p + q) / 2
    kl_pm = np.sum(_xlogy(p, p) - _xlogy(p, m))
    kl_qm = np.sum(_xlogy(q, q) - _xlogy(q, m))
    return float(0.5 * kl_pm + 0.5 * kl_qm)


# ----------------------------------------------------------------------------- f-divergences

class FDivergence(NamedTuple):
    """One row of the f-divergence table (definition ``def-gans-fdiv``).

    ``generator`` is the convex ``f`` with ``f(1) = 0``; ``conjugate`` is
    ``f*(t) = sup_u (t u - f(u))`` (``+inf`` outside ``domain``); ``activation`` maps a real
    critic output into the open domain of ``f*`` (the f-GAN output layer); ``domain`` is the
    interval ``(low, high)`` where ``f*`` is finite (closed ends are listed in the docs).
    """

    generator: Any
    conjugate: Any
    activation: Any
    domain: tuple[float, float]


def _conj(fun: Any, low: float, high: float, closed: bool = False) -> Any:
    def f_star(t: Any) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        inside = (t >= low) & (t <= high) if closed else (t > low) & (t < high)
        out = np.full(t.shape, np.inf)
        out[inside] = fun(t[inside])
        return out
    return f_star


_LOG2, _LOG4 = math.log(2.0), math.log(4.0)

F_DIVERGENCES: dict[str, FDivergence] = {
    # KL(p || q): f(u) = u log u, f*(t) = exp(t - 1)
    "kl": FDivergence(lambda u: u * np.log(u), _conj(lambda t: np.exp(t - 1), -np.inf, np.inf),
                      lambda r: np.asarray(r, dtype=np.float64), (-np.inf, np.inf)),
    # KL(q || p): f(u) = -log u, f*(t) = -1 - log(-t) on t < 0
    "reverse_kl": FDivergence(lambda u: -np.log(u), _conj(lambda t: -1 - np.log(-t), -np.inf, 0.0),
                              lambda r: -np.exp(r), (-np.inf, 0.0)),
    # total variation: f(u) = |u - 1| / 2, f*(t) = t on [-1/2, 1/2]
    "tv": FDivergence(lambda u: 0.5 * np.abs(u - 1), _conj(lambda t: t, -0.5, 0.5, closed=True),
                      lambda r: 0.5 * np.tanh(r), (-0.5, 0.5)),
    # squared Hellinger sum (sqrt p - sqrt q)^2: f(u) = (sqrt u - 1)^2, f*(t) = t / (1 - t), t < 1
    "hellinger2": FDivergence(lambda u: (np.sqrt(u) - 1) ** 2,
                              _conj(lambda t: t / (1 - t), -np.inf, 1.0),
                              lambda r: -np.expm1(-r), (-np.inf, 1.0)),
    # JS: f(u) = (u log u - (u + 1) log((u + 1) / 2)) / 2, f*(t) = -log(2 - exp(2t)) / 2
    "js": FDivergence(lambda u: 0.5 * (u * np.log(u) - (u + 1) * np.log((u + 1) / 2)),
                      _conj(lambda t: -0.5 * np.log(2 - np.exp(2 * t)), -np.inf, 0.5 * _LOG2),
                      lambda r: 0.5 * (_LOG2 - np.logaddexp(0, -np.asarray(r, dtype=np.float64))),
                      (-np.inf, 0.5 * _LOG2)),
    # 2 JS (the GAN): f(u) = u log u - (u + 1) log(u + 1) + log 4, f*(t) = -log(1 - e^t) - log 4
    "gan": FDivergence(lambda u: u * np.log(u) - (u + 1) * np.log(u + 1) + _LOG4,
                       _conj(lambda t: -np.log(-np.expm1(t)) - _LOG4, -np.inf, 0.0),
                       lambda r: -np.logaddexp(0, -np.asarray(r, dtype=np.float64)),
                       (-np.inf, 0.0)),
}


def _fname(name: Any) -> FDivergence:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in F_DIVERGENCES:
        raise ValueError(f"name must be one of {sorted(F_DIVERGENCES)}, got {name!r}")
    return F_DIVERGENCES[name]


def f_divergence(p: Any, q: Any, name: str = "kl") -> float:
    """``D_f(p || q) = sum_x q(x) f(p(x) / q(x))`` on a finite set.

    Implements (eq-gans-fdiv) for the generators of :data:`F_DIVERGENCES`: ``"kl"``,
    ``"reverse_kl"``, ``"tv"``, ``"hellinger2"`` (``sum (sqrt p - sqrt q)^2``), ``"js"`` and
    ``"gan"`` (``2 JS``).

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors with every entry ``> 0``.
    name : str

    Returns
    -------
    float
    """
    p, q = _probabilities(p, q, positive=True)
    return float(np.sum(q * _fname(name).generator(p / q)))


def variational_bound(T: Any, p: Any, q: Any, name: str = "kl") -> float:
    """``E_p T - E_q f*(T)``, a lower bound on ``D_f(p || q)`` for every critic ``T``.

    Implements (eq-gans-fvar); equality holds at ``T = f'(p / q)`` (theorem
    ``thm-gans-fvar``).

    Parameters
    ----------
    T : array_like, shape (k,)
        Critic values, inside the domain of ``f*`` (else ``ValueError``).
    p, q : array_like, shape (k,)
        Probability vectors.
    name : str
        A key of :data:`F_DIVERGENCES`.

    Returns
    -------
    float
    """
    p, q = _probabilities(p, q)
    T = _array("T", T, 1)
    if T.shape != p.shape:
        raise ValueError(f"T must have shape {p.shape} like p, got {T.shape}")
    fs = _fname(name).conjugate(T)
    if np.any(~np.isfinite(fs) & (q > 0)):
        raise ValueError(f"T must lie in the domain of f* for {name!r}")
    return float(p @ T - np.sum(q[q > 0] * fs[q > 0]))


# ----------------------------------------------------------------------------- transport

def wasserstein_1d(x: Any, y: Any) -> float:
    """``W_1`` between the empirical laws of two 1-D samples, ``int |F_x(t) - F_y(t)| dt``.

    Implements (eq-gans-w1-cdf): both empirical distribution functions are step functions that
    change only at the pooled sample points, so the integral is a finite sum. For equal sizes
    it equals the mean of ``|x_(i) - y_(i)|`` over the sorted samples (proposition
    ``prop-gans-w1``).

    Parameters
    ----------
    x : array_like, shape (n,)
    y : array_like, shape (m,)

    Returns
    -------
    float
    """
    x, y = np.sort(_array("x", x, 1)), np.sort(_array("y", y, 1))
    t = np.sort(np.concatenate([x, y]))
    Fx = np.searchsorted(x, t[:-1], side="right") / x.size
    Fy = np.searchsorted(y, t[:-1], side="right") / y.size
    return float(np.sum(np.abs(Fx - Fy) * np.diff(t)))


def _spd(name: str, S: Any, d: int | None = None) -> np.ndarray:
    S = _array(name, S, 2)
    if S.shape[0] != S.shape[1] or (d is not None and S.shape[0] != d):
        raise ValueError(f"{name} must be square of size {d}, got shape {S.shape}")
    scale = max(1.0, float(np.abs(S).max()))
    if not np.allclose(S, S.T, atol=1e-10 * scale, rtol=0):
        raise ValueError(f"{name} must be symmetric")
    if np.linalg.eigvalsh((S + S.T) / 2).min() < -1e-10 * scale:
        raise ValueError(f"{name} must be positive semi-definite")
    return (S + S.T) / 2


def _psd_sqrt(S: np.ndarray) -> np.ndarray:
    lam, U = np.linalg.eigh(S)
    return (U * np.sqrt(np.clip(lam, 0, None))) @ U.T


def _gauss_args(m1: Any, S1: Any, m2: Any, S2: Any) -> tuple[np.ndarray, ...]:
    m1 = np.atleast_1d(_array("m1", m1))
    m2 = np.atleast_1d(_array("m2", m2))
    if m1.ndim != 1 or m1.shape != m2.shape:
        raise ValueError(f"m1 and m2 must be vectors of the same length, got shapes {m1.shape} "
                         f"and {m2.shape}")
    d = m1.size
    S1 = _spd("S1", np.reshape(S1, (1, 1)) if np.ndim(S1) == 0 and _is_real(S1) else S1, d)
    S2 = _spd("S2", np.reshape(S2, (1, 1)) if np.ndim(S2) == 0 and _is_real(S2) else S2, d)
    return m1, S1, m2, S2


def gaussian_w2(m1: Any, S1: Any, m2: Any, S2: Any) -> float:
    """Squared 2-Wasserstein distance between ``N(m1, S1)`` and ``N(m2, S2)``.

    Implements (eq-gans-w2-gauss):
    ``||m1 - m2||^2 + tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2})``, square roots by ``eigh``.

    Parameters
    ----------
    m1, m2 : array_like, shape (d,)
    S1, S2 : array_like, shape (d, d)
        Symmetric positive semi-definite.

    Returns
    -------
    float
        ``W_2^2`` (not its square root); clipped at 0 against rounding.
    """
    m1, S1, m2, S2 = _gauss_args(m1, S1, m2, S2)
    R = _psd_sqrt(S1)
    cross = _psd_sqrt(R @ S2 @ R)
    return float(max(0.0, np.sum((m1 - m2) ** 2) + np.trace(S1 + S2 - 2 * cross)))


def gaussian_ot_map(m1: Any, S1: Any, m2: Any, S2: Any) -> tuple[np.ndarray, np.ndarray]:
    """The optimal transport map ``T(x) = m2 + A (x - m1)`` from ``N(m1, S1)`` to ``N(m2, S2)``.

    Implements (eq-gans-ot-map): ``A = S1^{-1/2} (S1^{1/2} S2 S1^{1/2})^{1/2} S1^{-1/2}``,
    symmetric positive definite with ``A S1 A = S2``.

    Parameters
    ----------
    m1, m2 : array_like, shape (d,)
    S1 : array_like, shape (d, d)
        Symmetric positive definite.
    S2 : array_like, shape (d, d)
        Symmetric positive semi-definite.

    Returns
    -------
    A : ndarray, shape (d, d)
    b : ndarray, shape (d,)
        ``T(x) = A x + b`` with ``b = m2 - A m1``.
    """
    m1, S1, m2, S2 = _gauss_args(m1, S1, m2, S2)
    lam, U = np.linalg.eigh(S1)
    if lam.min() <= 1e-12 * max(1.0, lam.max()):
        raise ValueError("S1 must be positive definite for the transport map")
    R = (U * np.sqrt(lam)) @ U.T
    Rinv = (U / np.sqrt(lam)) @ U.T
    A = Rinv @ _psd_sqrt(R @ S2 @ R) @ Rinv
    A = (A + A.T) / 2
    return A, m2 - A @ m1


def fid(m1: Any, S1: Any, m2: Any, S2: Any) -> float:
    """Frechet distance between Gaussian fits: identical to :func:`gaussian_w2` (a ``W_2^2``)."""
    return gaussian_w2(m1, S1, m2, S2)


def fid_from_samples(X: Any, Y: Any) -> float:
    """FID between two samples: :func:`gaussian_w2` of their means and covariances.

    Covariances use the ``1/(n-1)`` normalization (``numpy.cov``).

    Parameters
    ----------
    X : array_like, shape (n, d)
    Y : array_like, shape (m, d)
        ``n, m >= 2``, same ``d``.

    Returns
    -------
    float
    """
    X, Y = _array("X", X, 2), _array("Y", Y, 2)
    if X.shape[0] < 2 or Y.shape[0] < 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have >= 2 rows and equal columns, got {X.shape} and "
                         f"{Y.shape}")
    cx = np.atleast_2d(np.cov(X, rowvar=False))
    cy = np.atleast_2d(np.cov(Y, rowvar=False))
    return gaussian_w2(X.mean(0), cx, Y.mean(0), cy)


def spectral_normalize(W: Any, *, seed: int = 0) -> np.ndarray:
    """``W / ||W||_2`` with ``||W||_2`` from :func:`dlf.linalg.spectral_norm` (power iteration).

    Parameters
    ----------
    W : array_like, shape (m, n)
        Nonzero matrix.
    seed : int >= 0
        Seed of the power iteration's start.

    Returns
    -------
    ndarray of float64, shape (m, n)
    """
    W = _array("W", W, 2)
    seed = _count("seed", seed, 0)
    s = spectral_norm(W, seed=seed)
    if not s > 0:
        raise ValueError("W must be nonzero")
    return W / s


# ----------------------------------------------------------------------------- game dynamics

_METHODS = ("simultaneous", "alternating", "extragradient")


def _method(method: Any) -> str:
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, got {type(method).__name__}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    return method


def gda_matrix(A: Any, eta: float, method: str = "simultaneous") -> np.ndarray:
    """The linear map ``(x, y) -> (x', y')`` of one step of a GDA method on ``x^T A y``.

    The game is ``min_x max_y x^T A y`` with ``A`` of shape ``(n, m)``. Implements
    (eq-gans-gda): simultaneous ``x' = x - eta A y``, ``y' = y + eta A^T x``; alternating (the
    ascent step sees ``x'``); extragradient (both players step from a look-ahead point).

    Parameters
    ----------
    A : array_like, shape (n, m)
    eta : float > 0
    method : {"simultaneous", "alternating", "extragradient"}

    Returns
    -------
    ndarray of float64, shape (n + m, n + m)
    """
    A = _array("A", np.reshape(A, (1, 1)) if _is_real(A) else A, 2)
    eta = _real("eta", eta, positive=True)
    method = _method(method)
    n, m = A.shape
    In, Im = np.eye(n), np.eye(m)
    if method == "simultaneous":
        return np.block([[In, -eta * A], [eta * A.T, Im]])
    if method == "alternating":
        return np.block([[In, -eta * A], [eta * A.T, Im - eta**2 * A.T @ A]])
    return np.block([[In - eta**2 * A @ A.T, -eta * A], [eta * A.T, Im - eta**2 * A.T @ A]])


def gda(A: Any, eta: float, steps: int, method: str = "simultaneous", *, x0: Any = None,
        y0: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Run a GDA method on ``min_x max_y x^T A y`` and return the iterates.

    The updates are those of :func:`gda_matrix`, applied one player at a time (not through the
    matrix).

    Parameters
    ----------
    A : array_like, shape (n, m), or a real number (``n = m = 1``)
    eta : float > 0
    steps : int >= 1
    method : {"simultaneous", "alternating", "extragradient"}
    x0 : array_like, shape (n,), optional
        Default ``e_1``.
    y0 : array_like, shape (m,), optional
        Default zero.

    Returns
    -------
    xs : ndarray, shape (steps + 1, n)
    ys : ndarray, shape (steps + 1, m)
    """
    A = _array("A", np.reshape(A, (1, 1)) if _is_real(A) else A, 2)
    eta = _real("eta", eta, positive=True)
    steps = _count("steps", steps)
    method = _method(method)
    n, m = A.shape
    x = np.eye(n)[0] if x0 is None else _array("x0", x0, 1)
    y = np.zeros(m) if y0 is None else _array("y0", y0, 1)
    if x.shape != (n,) or y.shape != (m,):
        raise ValueError(f"x0 and y0 must have shapes ({n},) and ({m},), got {x.shape}, {y.shape}")
    xs, ys = [x], [y]
    for _ in range(steps):
        if method == "simultaneous":
            x, y = x - eta * A @ y, y + eta * A.T @ x
        elif method == "alternating":
            x = x - eta * A @ y
            y = y + eta * A.T @ x
        else:
            xh, yh = x - eta * A @ y, y + eta * A.T @ x
            x, y = x - eta * A @ yh, y + eta * A.T @ xh
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


# ----------------------------------------------------------------------------- ring and GAN

def mode_count(samples: Any, centers: Any, std: float, *, n_std: float = 3.0,
               min_fraction: float = 0.02) -> tuple[int, float]:
    """Number of modes a generator covers, and the fraction of its samples near some mode.

    A sample is *good* if it lies within ``n_std * std`` of its nearest center; a mode is
    *covered* if at least ``min_fraction`` of all samples are good samples assigned to it.

    Parameters
    ----------
    samples : array_like, shape (n, d)
    centers : array_like, shape (k, d)
    std : float > 0
    n_std : float > 0
    min_fraction : float in [0, 1]

    Returns
    -------
    modes : int
    quality : float
        Fraction of good samples; for the data itself (2-D) its expectation is
        ``1 - exp(-n_std^2 / 2)``.
    """
    X = _array("samples", samples, 2)
    C = _array("centers", centers, 2)
    if X.shape[1] != C.shape[1]:
        raise ValueError(f"samples and centers must have the same dimension, got {X.shape[1]} "
                         f"and {C.shape[1]}")
    s = _real("std", std, positive=True)
    k = _real("n_std", n_std, positive=True)
    f = _real("min_fraction", min_fraction, low=0.0)
    if f > 1:
        raise ValueError(f"min_fraction must be in [0, 1], got {f}")
    D = np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(-1))
    near = D.argmin(1)
    good = D[np.arange(X.shape[0]), near] <= k * s
    counts = np.bincount(near[good], minlength=C.shape[0])
    return int(np.sum(counts >= f * X.shape[0])), float(good.mean())


def _mlp(sizes: tuple[int, ...]) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float32))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train_gan(*, steps: int = 3000, hidden: int = 128, lr: float = 1e-3, beta1: float = 0.5,
              batch_size: int = 256, n_modes: int = 8, radius: float = 2.0, std: float = 0.05,
              loss: str = "nonsaturating", eval_every: int = 250, eval_size: int = 2000,
              seed: int = 0) -> dict[str, Any]:
    """Train a GAN with MLPs ``2-hidden-hidden-2`` on :func:`dlf.data.gaussian_ring` data.

    Each step takes one Adam step of the discriminator on the logistic loss (data labelled 1,
    generated samples 0) and then one Adam step of the generator, on
    ``-E log d(g(z))`` (``loss="nonsaturating"``) or ``E log(1 - d(g(z)))`` (``"saturating"``);
    ``z ~ N(0, I_2)``. Float32, CPU; seeded by ``seed``.

    Parameters
    ----------
    steps : int >= 1
    hidden : int >= 1
    lr : float > 0
    beta1 : float in [0, 1)
        Adam's first-moment coefficient (``beta2 = 0.999``).
    batch_size : int >= 1
    n_modes : int >= 1
    radius, std : float > 0
    loss : {"nonsaturating", "saturating"}
    eval_every : int >= 1
        Record :func:`mode_count` of ``eval_size`` generated samples every ``eval_every`` steps
        (and at step 0 and at the last step).
    eval_size : int >= 1
    seed : int >= 0

    Returns
    -------
    dict
        ``"steps"``, ``"modes"``, ``"quality"`` (lists, one entry per evaluation), ``"fid"``
        (:func:`fid_from_samples` against ``eval_size`` fresh data points, per evaluation),
        ``"samples"`` (ndarray (eval_size, 2) at the end), ``"generator"`` (the torch module).
        Runs with one torch thread (restored afterwards).
    """
    steps, hidden = _count("steps", steps), _count("hidden", hidden)
    lr = _real("lr", lr, positive=True)
    beta1 = _real("beta1", beta1, low=0.0)
    if beta1 >= 1:
        raise ValueError(f"beta1 must be in [0, 1), got {beta1}")
    batch_size = _count("batch_size", batch_size)
    C = ring_centers(n_modes, radius)
    std = _real("std", std, positive=True)
    if loss not in ("nonsaturating", "saturating"):
        raise ValueError(f"loss must be 'nonsaturating' or 'saturating', got {loss!r}")
    eval_every, eval_size = _count("eval_every", eval_every), _count("eval_size", eval_size)
    seed = _count("seed", seed, 0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: one thread is fastest and avoids oversubscription
    try:
        return _train_gan(steps, hidden, lr, beta1, batch_size, C, std, loss, eval_every,
                          eval_size, seed)
    finally:
        torch.set_num_threads(threads)


def _train_gan(steps: int, hidden: int, lr: float, beta1: float, batch_size: int,
               C: np.ndarray, std: float, loss: str, eval_every: int, eval_size: int,
               seed: int) -> dict[str, Any]:
    n_modes, radius = C.shape[0], float(np.linalg.norm(C[0]))
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    G, D = _mlp((2, hidden, hidden, 2)), _mlp((2, hidden, hidden, 1))
    optG = torch.optim.Adam(G.parameters(), lr=lr, betas=(beta1, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=lr, betas=(beta1, 0.999))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    z_eval = torch.randn(eval_size, 2, generator=gen, dtype=torch.float32)
    hist: dict[str, Any] = {"steps": [], "modes": [], "quality": [], "fid": []}
    X_eval = gaussian_ring(eval_size, n_modes=n_modes, radius=radius, std=std, seed=rng)[0]

    def record(t: int) -> None:
        with torch.no_grad():
            S = G(z_eval).double().numpy()
        k, qual = mode_count(S, C, std)
        hist["steps"].append(t)
        hist["modes"].append(k)
        hist["quality"].append(qual)
        hist["fid"].append(fid_from_samples(S, X_eval))
        hist["samples"] = S

    record(0)
    ones = torch.ones(batch_size, 1, dtype=torch.float32)
    zeros = torch.zeros(batch_size, 1, dtype=torch.float32)
    for t in range(1, steps + 1):
        real = torch.from_numpy(gaussian_ring(batch_size, n_modes=n_modes, radius=radius,
                                              std=std, seed=rng)[0]).float()
        fake = G(torch.randn(batch_size, 2, generator=gen, dtype=torch.float32))
        lossD = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        optD.zero_grad()
        lossD.backward()
        optD.step()
        logits = D(G(torch.randn(batch_size, 2, generator=gen, dtype=torch.float32)))
        # non-saturating: -log sigma(s) = bce(s, 1); saturating: log(1 - sigma(s)) = -bce(s, 0)
        lossG = bce(logits, ones) if loss == "nonsaturating" else -bce(logits, zeros)
        optG.zero_grad()
        lossG.backward()
        optG.step()
        if t % eval_every == 0 or t == steps:
            record(t)
    hist["generator"] = G
    return hist


# ----------------------------------------------------------------------------- birthday test

def birthday_probability(N: int, s: int) -> float:
    """Probability that ``s`` independent uniform draws from ``N`` items contain a repeat.

    Implements (eq-gans-birthday): ``1 - prod_{i=0}^{s-1} (1 - i/N)`` (1 when ``s > N``).

    Parameters
    ----------
    N : int >= 1
    s : int >= 1

    Returns
    -------
    float
    """
    N, s = _count("N", N), _count("s", s)
    if s > N:
        return 1.0
    i = np.arange(s)
    return float(-np.expm1(np.sum(np.log1p(-i / N))))


def collision_support_estimate(batches: Any) -> tuple[float, int]:
    """Estimate the support size ``M`` of a uniform law from exact repeats within batches.

    Within a batch of ``s`` draws the number of equal pairs has mean ``C(s, 2) / M``
    (proposition ``prop-gans-collisions``), so ``M_hat = (total pairs) / (total equal pairs)``.

    Parameters
    ----------
    batches : array_like, shape (b, s) or (b, s, d)
        ``b`` batches of ``s >= 2`` draws; two draws are equal if all their ``d`` entries are.

    Returns
    -------
    M_hat : float
        ``inf`` is not returned: with no repeat at all the function raises ``ValueError``.
    collisions : int
        Total number of equal pairs.
    """
    B = _array("batches", batches)
    if B.ndim == 2:
        B = B[:, :, None]
    if B.ndim != 3 or B.shape[1] < 2:
        raise ValueError(f"batches must have shape (b, s) or (b, s, d) with s >= 2, got {B.shape}")
    total = 0
    for batch in B:
        _, c = np.unique(batch, axis=0, return_counts=True)
        total += int(np.sum(c * (c - 1) // 2))
    if total == 0:
        raise ValueError("batches contain no repeated draw: the estimate is infinite")
    pairs = B.shape[0] * B.shape[1] * (B.shape[1] - 1) / 2
    return float(pairs / total), total

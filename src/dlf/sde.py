"""SGD as a stochastic process: Markov chains, stationary laws, SDEs and SVAG.

Chapter ``opt-sde`` (SGD as a stochastic process) derives:

* finite Markov chains: :func:`invariant_distribution` (the left eigenvector of ``P`` for the
  eigenvalue 1), :func:`distribution_path` (``p_t = p_0 P^t``), :func:`kl_divergence`,
  :func:`tv_distance`, and :func:`discretize_gaussian_chain`, which turns a one-dimensional
  chain with Gaussian steps (SGD with Gaussian gradient noise) into a finite chain on a grid;
* closed forms for linear chains and their continuous limits: :func:`ar1_variance` and
  :func:`ar1_cumulant` (``X_{k+1} = a X_k + eps_k``), :func:`sgd_quadratic_variance`
  (constant-step SGD on a quadratic, eq-sde-quad-variance), :func:`ou_variance` (the
  Ornstein-Uhlenbeck process), :func:`gibbs_density` and :func:`gibbs_bin_masses` (the law
  ``exp(-beta f) / Z``), :func:`noise_covariance` and :func:`minibatch_covariance` (the
  covariance of mini-batch gradients), :func:`svag_coefficients`;
* simulators, vectorised over many independent chains (a state is an array of shape
  ``(N, d)``: ``N`` chains in dimension ``d``): the gradient oracles :func:`gaussian_oracle`
  and :func:`minibatch_oracle`, and the iterations :func:`sgd`, :func:`svag` and
  :func:`euler_maruyama`;
* statistics for checks against closed forms: :func:`central_moment` (with its standard
  error) and :func:`empirical_tv_bound` (how far a histogram of ``N`` samples can be from the
  law it samples).

Every random function takes ``seed``: an ``int`` or a ``numpy.random.Generator``. Everything is
float64.

Derived in: ``opt-sde``. Depends on: numpy only (no other ``dlf`` module).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "invariant_distribution",
    "distribution_path",
    "kl_divergence",
    "tv_distance",
    "discretize_gaussian_chain",
    "ar1_variance",
    "ar1_cumulant",
    "sgd_quadratic_variance",
    "ou_variance",
    "gibbs_density",
    "gibbs_bin_masses",
    "noise_covariance",
    "minibatch_covariance",
    "svag_coefficients",
    "gaussian_oracle",
    "minibatch_oracle",
    "sgd",
    "svag",
    "euler_maruyama",
    "central_moment",
    "empirical_tv_bound",
]

Oracle = Callable[[np.ndarray, np.random.Generator], np.ndarray]

# ---------------------------------------------------------------------------------------------
# argument checks


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
    ``ValueError`` for NaN."""
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
    if np.isnan(a).any():
        raise ValueError(f"{name} must not contain NaN (finite or infinite values only), got NaN "
                         f"at index {np.argwhere(np.isnan(a))[0].tolist()}")
    return a


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got "
                        f"{type(seed).__name__} ({seed!r})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    return np.random.default_rng(_int_scalar("seed", seed))


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _real(name: str, value: Any, *, low: float = -np.inf, high: float = np.inf,
          low_open: bool = False) -> np.ndarray:
    """``value`` as a float64 array with finite entries in ``[low, high]`` (or ``(low, high]``)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got a boolean")
    try:
        a = _real_array(name, value)
    except TypeError as err:
        raise TypeError(f"{name} must be a real number or array, got "
                        f"{type(value).__name__}") from err
    bad = ~np.isfinite(a) | (a <= low if low_open else a < low) | (a > high)
    if np.any(bad):
        worst = float(a[bad].flat[0]) if a.ndim else float(a)
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise ValueError(f"{name} must lie in {interval}, got {worst:g}")
    return a


def _out(a: np.ndarray) -> float | np.ndarray:
    return float(a) if np.ndim(a) == 0 else a


def _stochastic_matrix(P: Any) -> np.ndarray:
    P = _real_array("P", P)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] == 0:
        raise ValueError(f"P must be a square non-empty 2-D array, got shape {P.shape}")
    if not np.all(np.isfinite(P)) or np.any(P < 0):
        raise ValueError("P must have finite, non-negative entries")
    rows = P.sum(axis=1)
    if not np.allclose(rows, 1.0, rtol=0.0, atol=1e-10):
        worst = int(np.argmax(np.abs(rows - 1.0)))
        raise ValueError(f"P must be row-stochastic (rows summing to 1), row {worst} sums to "
                         f"{rows[worst]:.12g}")
    return P


def _distribution(name: str, p: Any, size: int | None = None) -> np.ndarray:
    p = _real_array(name, p)
    if p.ndim == 0 or (size is not None and p.shape[-1] != size):
        expected = f"(..., {size})" if size is not None else "(..., M)"
        raise ValueError(f"{name} must have shape {expected}, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must have finite, non-negative entries")
    if not np.allclose(p.sum(axis=-1), 1.0, rtol=0.0, atol=1e-9):
        raise ValueError(f"{name} must sum to 1 along its last axis, got sums "
                         f"{np.atleast_1d(p.sum(axis=-1))[:3]}")
    return p


def _states(name: str, x: Any) -> np.ndarray:
    """Initial states as a float64 array of shape ``(N, d)``."""
    x = _real_array(name, x, copy=True)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of shape (N, d) (N chains in "
                         f"dimension d), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite")
    return x


def _callable(name: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


# ---------------------------------------------------------------------------------------------
# finite Markov chains


def invariant_distribution(P: Any) -> np.ndarray:
    r"""The invariant distribution of a finite chain: the solution of ``pi P = pi``, sum 1.

    Implements (eq-sde-invariant) of chapter ``opt-sde``: ``pi`` is a left eigenvector of the
    row-stochastic matrix ``P`` for the eigenvalue 1, normalised to a probability vector. It is
    computed by solving the linear system ``(P^T - I) pi = 0`` with one (redundant) equation
    replaced by ``sum(pi) = 1``, twice with different replaced equations: a unique invariant
    law solves both systems, and the two solutions must agree.

    Parameters
    ----------
    P : array_like, shape (M, M)
        Row-stochastic transition matrix, ``P[i, j] = Prob(X_{t+1} = j | X_t = i)``.

    Returns
    -------
    ndarray of float64, shape (M,)

    Raises
    ------
    ValueError
        If ``P`` is not row-stochastic, or if the invariant distribution is not unique (the
        system is singular, as for a chain with two closed classes).
    """
    P = _stochastic_matrix(P)
    M = P.shape[0]
    sols = []
    for row in (M - 1, 0):  # replace two different equations: a unique law solves both
        A = P.T - np.eye(M)
        A[row, :] = 1.0
        rhs = np.zeros(M)
        rhs[row] = 1.0
        try:
            sols.append(np.linalg.solve(A, rhs))
        except np.linalg.LinAlgError:
            sols.append(np.full(M, np.nan))
    pi = sols[0]
    unique = bool(np.all(np.isfinite(pi)) and np.allclose(pi, sols[1], rtol=0.0, atol=1e-8))
    if not unique or pi.min() < -1e-9 or np.abs(pi @ P - pi).max() > 1e-9:
        raise ValueError("P has more than one invariant distribution (the system pi P = pi, "
                         "sum(pi) = 1 is singular or ill-conditioned)")
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def distribution_path(P: Any, p0: Any, n_steps: int) -> np.ndarray:
    """The laws ``p_t = p_0 P^t`` of a finite chain, ``t = 0, ..., n_steps``.

    Implements (eq-sde-chain-law) of chapter ``opt-sde``; distributions are
    row vectors.

    Parameters
    ----------
    P : array_like, shape (M, M)
        Row-stochastic transition matrix.
    p0 : array_like, shape (M,)
        Initial distribution.
    n_steps : int
        Number of steps, ``>= 0``.

    Returns
    -------
    ndarray of float64, shape (n_steps + 1, M)
    """
    P = _stochastic_matrix(P)
    M = P.shape[0]
    p = _distribution("p0", p0, M)
    if p.ndim != 1:
        raise ValueError(f"p0 must be 1-D of shape ({M},), got {p.shape}")
    n_steps = _int("n_steps", n_steps, 0)
    out = np.empty((n_steps + 1, M))
    out[0] = p
    for t in range(n_steps):
        out[t + 1] = out[t] @ P
    return out


def kl_divergence(p: Any, q: Any) -> float | np.ndarray:
    r"""Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` (natural log).

    Implements (eq-sde-kl) of chapter ``opt-sde``, with the conventions ``0 log(0/q) = 0`` and
    ``p log(p/0) = +inf`` for ``p > 0``. Since both vectors sum to 1 it is evaluated as
    ``sum_i q_i phi(r_i)`` with ``r_i = p_i / q_i - 1`` and
    ``phi(r) = (1 + r) log(1 + r) - r >= 0`` (a Taylor series for small ``|r|``): every term is
    non-negative and nearly equal laws give an accurate small value, not rounding noise.

    Parameters
    ----------
    p, q : array_like, shape (..., M)
        Probability vectors along the last axis (broadcasting over the leading axes).

    Returns
    -------
    float or ndarray of float64, shape (...)
    """
    p = _distribution("p", p)
    q = _distribution("q", q, p.shape[-1])
    p, q = np.broadcast_arrays(p, q)
    qpos = q > 0
    r = np.where(qpos, (p - q) / np.where(qpos, q, 1.0), 0.0)
    small = np.abs(r) < 1e-3
    series = r**2 / 2 - r**3 / 6 + r**4 / 12 - r**5 / 20
    log_term = np.where(r > -1.0, (1.0 + r) * np.log1p(np.where(r > -1.0, r, 0.0)), 0.0)
    phi = np.where(small, series, log_term - r)
    out = np.sum(np.where(qpos, q * phi, 0.0), axis=-1)
    out = np.where(np.any((p > 0) & ~qpos, axis=-1), np.inf, out)
    return _out(np.maximum(out, 0.0))


def tv_distance(p: Any, q: Any) -> float | np.ndarray:
    """Total-variation distance ``max_A |p(A) - q(A)| = sum_i |p_i - q_i| / 2``.

    Parameters
    ----------
    p, q : array_like, shape (..., M)
        Probability vectors along the last axis.

    Returns
    -------
    float or ndarray of float64, shape (...)
    """
    p = _distribution("p", p)
    q = _distribution("q", q, p.shape[-1])
    return _out(0.5 * np.abs(p - q).sum(axis=-1))


def discretize_gaussian_chain(grid: Any, mean: Any, sd: float) -> np.ndarray:
    r"""A finite chain on a grid approximating a chain with Gaussian steps on the line.

    The chain ``X_{k+1} = m(X_k) + sd * xi_k``, ``xi_k ~ N(0, 1)`` (for SGD with Gaussian
    gradient noise, ``m(x) = x - eta f'(x)`` and ``sd = eta / sqrt(b)``) has the transition
    density ``N(y; m(x), sd^2)``. On an evenly spaced grid ``x_1 < ... < x_M`` it is replaced
    by ``P[i, j] proportional to exp(-(x_j - m(x_i))^2 / (2 sd^2))``, rows normalised to 1
    (a Nystrom, or quadrature, discretization). The grid must cover the region where the chain
    lives and be fine compared with ``sd``.

    Parameters
    ----------
    grid : array_like, shape (M,)
        Evenly spaced, increasing grid points, ``M >= 2``.
    mean : array_like, shape (M,)
        The conditional means ``m(x_i)``.
    sd : float
        Standard deviation of a step, ``> 0``.

    Returns
    -------
    ndarray of float64, shape (M, M)
        Row-stochastic transition matrix.
    """
    x = _real_array("grid", grid)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"grid must be a finite 1-D array with >= 2 points, got shape {x.shape}")
    dx = np.diff(x)
    if np.any(dx <= 0) or not np.allclose(dx, dx[0], rtol=1e-8, atol=0.0):
        raise ValueError("grid must be evenly spaced and increasing")
    m = _real_array("mean", mean)
    if m.shape != x.shape or not np.all(np.isfinite(m)):
        raise ValueError(f"mean must be finite with the shape of grid {x.shape}, got shape "
                         f"{m.shape}")
    sd = float(_real("sd", sd, low=0.0, low_open=True))
    logits = -0.5 * ((x[None, :] - m[:, None]) / sd) ** 2
    logits -= logits.max(axis=1, keepdims=True)  # no row underflows to all zeros
    P = np.exp(logits)
    return P / P.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# closed forms


def ar1_variance(a: Any, noise_var: Any, k: Any = None, var0: Any = 0.0) -> float | np.ndarray:
    r"""Variance of the linear chain ``X_{k+1} = a X_k + eps_k`` after ``k`` steps.

    With ``eps_k`` independent of the past, mean zero and variance ``noise_var``, and
    ``Var X_0 = var0``:

    ``Var X_k = a^(2k) var0 + noise_var (1 - a^(2k)) / (1 - a^2)``

    (``var0 + k noise_var`` when ``a^2 = 1``); with ``k=None`` the stationary value
    ``noise_var / (1 - a^2)``, which needs ``|a| < 1``. Arguments broadcast.

    Parameters
    ----------
    a : float or array_like
        The coefficient of the chain.
    noise_var : float or array_like
        Variance of ``eps_k``, ``>= 0``.
    k : int, array of int, or None
        Number of steps, ``>= 0``; ``None`` for the stationary variance.
    var0 : float or array_like
        ``Var X_0``, ``>= 0``.

    Returns
    -------
    float or ndarray of float64
        Of the broadcast shape of the arguments.
    """
    a = _real("a", a)
    v = _real("noise_var", noise_var, low=0.0)
    var0 = _real("var0", var0, low=0.0)
    if k is None:
        if np.any(np.abs(a) >= 1):
            raise ValueError(f"the stationary variance needs |a| < 1, got a = "
                             f"{float(np.max(np.abs(a))):g}")
        return _out(v / (1.0 - a**2))
    k = _real("k", k, low=0.0)
    if np.any(k != np.round(k)):
        raise ValueError("k must be a non-negative integer (or an array of them)")
    a2k = a ** (2 * k)
    unit = np.isclose(a**2, 1.0, rtol=0.0, atol=1e-15)
    geom = np.where(unit, k, (1.0 - a2k) / np.where(unit, 2.0, 1.0 - a**2))
    return _out(a2k * var0 + v * geom)


def ar1_cumulant(a: Any, noise_cumulant: Any, order: int, k: Any = None) -> float | np.ndarray:
    r"""The ``order``-th cumulant of ``X_k`` for ``X_{k+1} = a X_k + eps_k`` from ``X_0 = 0``.

    Cumulants add over independent summands and scale as ``kappa_r(c Y) = c^r kappa_r(Y)``, and
    ``X_k = sum_{j<k} a^j eps_{k-1-j}``; hence

    ``kappa_r(X_k) = kappa_r(eps) (1 - a^(r k)) / (1 - a^r)``,

    and ``kappa_r(eps) / (1 - a^r)`` in the stationary law (``k=None``, needs ``|a| < 1``).
    ``kappa_2`` is the variance and ``kappa_3`` the third central moment; the stationary law is
    Gaussian exactly when all cumulants of order ``>= 3`` vanish.

    Parameters
    ----------
    a, noise_cumulant : float or array_like
        The coefficient and the ``order``-th cumulant of ``eps``.
    order : int
        ``r >= 1``.
    k : int, array of int, or None

    Returns
    -------
    float or ndarray of float64
    """
    a = _real("a", a)
    c = _real("noise_cumulant", noise_cumulant)
    r = _int("order", order, 1)
    if k is None:
        if np.any(np.abs(a) >= 1):
            raise ValueError(f"the stationary law needs |a| < 1, got a = "
                             f"{float(np.max(np.abs(a))):g}")
        return _out(c / (1.0 - a**r))
    k = _real("k", k, low=0.0)
    if np.any(k != np.round(k)):
        raise ValueError("k must be a non-negative integer (or an array of them)")
    unit = np.isclose(a**r, 1.0, rtol=0.0, atol=1e-15)
    geom = np.where(unit, k, (1.0 - a ** (r * k)) / np.where(unit, 2.0, 1.0 - a**r))
    return _out(c * geom)


def sgd_quadratic_variance(eta: Any, lam: Any, noise_var: Any, k: Any = None,
                           var0: Any = 0.0) -> float | np.ndarray:
    r"""Variance of constant-step SGD on the quadratic ``f(x) = lam x^2 / 2`` with noisy gradients.

    Implements (eq-sde-quad-variance) of chapter ``opt-sde``. The iteration
    ``x_{k+1} = x_k - eta (lam x_k + z_k)`` with independent gradient noise ``z_k`` of mean zero
    and variance ``noise_var`` (``= s^2 / b`` for mini-batches of size ``b``) is the linear chain
    ``x_{k+1} = (1 - eta lam) x_k - eta z_k``; its stationary variance is

    ``eta noise_var / (lam (2 - eta lam))``  for ``0 < eta lam < 2``,

    and ``k`` gives the variance after ``k`` steps from ``Var x_0 = var0``
    (:func:`ar1_variance`). Arguments broadcast.

    Parameters
    ----------
    eta : float or array_like
        Step size, ``> 0``.
    lam : float or array_like
        Curvature ``f''``; the stationary value needs ``0 < eta lam < 2``.
    noise_var : float or array_like
        Variance of the gradient noise, ``>= 0``.
    k : int, array of int, or None
        Number of steps; ``None`` for the stationary variance.
    var0 : float or array_like
        ``Var x_0``, ``>= 0``.

    Returns
    -------
    float or ndarray of float64
        Of the broadcast shape of the arguments.
    """
    eta = _real("eta", eta, low=0.0, low_open=True)
    lam = _real("lam", lam)
    bad = (eta * lam <= 0) | (eta * lam >= 2)
    if k is None and np.any(bad):
        raise ValueError("a stationary law needs 0 < eta * lam < 2, got eta * lam = "
                         f"{float(np.broadcast_to(eta * lam, bad.shape)[bad].flat[0]):g}")
    return ar1_variance(1.0 - eta * lam, eta**2 * _real("noise_var", noise_var, low=0.0),
                        k, var0)


def ou_variance(lam: Any, diffusion_sq: Any, t: Any = None, var0: Any = 0.0
                ) -> float | np.ndarray:
    r"""Variance of the Ornstein-Uhlenbeck process ``dX = -lam X dt + c dW`` at time ``t``.

    Implements (eq-sde-ou) of chapter ``opt-sde``: with ``c^2 = diffusion_sq`` and
    ``Var X_0 = var0``,

    ``Var X_t = var0 e^(-2 lam t) + c^2 (1 - e^(-2 lam t)) / (2 lam)``,

    and the stationary value ``c^2 / (2 lam)`` for ``t=None`` (needs ``lam > 0``). The mean is
    ``E X_0 e^(-lam t)``. Arguments broadcast.

    Parameters
    ----------
    lam : float or array_like
        Drift coefficient (``lam = 0`` is Brownian motion, variance ``var0 + c^2 t``).
    diffusion_sq : float or array_like
        ``c^2 >= 0``.
    t : float, array_like, or None
        Time, ``>= 0``; ``None`` for the stationary variance.
    var0 : float or array_like
        ``Var X_0``, ``>= 0``.

    Returns
    -------
    float or ndarray of float64
        Of the broadcast shape of the arguments.
    """
    lam = _real("lam", lam)
    c2 = _real("diffusion_sq", diffusion_sq, low=0.0)
    var0 = _real("var0", var0, low=0.0)
    if t is None:
        if np.any(lam <= 0):
            raise ValueError(f"the stationary variance needs lam > 0, got {float(np.min(lam)):g}")
        return _out(c2 / (2.0 * lam))
    t = _real("t", t, low=0.0)
    e = np.exp(-2.0 * lam * t)
    small = np.abs(lam * t) < 1e-12
    growth = np.where(small, t, -np.expm1(-2.0 * lam * t) / np.where(small, 1.0, 2.0 * lam))
    return _out(var0 * e + c2 * growth)


def _gibbs_fine(f: Callable[[np.ndarray], Any], lo: float, hi: float, beta: float,
                n_fine: int) -> tuple[np.ndarray, np.ndarray]:
    xf = np.linspace(lo, hi, n_fine)
    fx = np.asarray(f(xf), dtype=np.float64)
    if fx.shape != xf.shape or not np.all(np.isfinite(fx)):
        raise ValueError(f"f must map an array of shape {xf.shape} to finite values of the same "
                         f"shape, got shape {fx.shape}")
    w = np.exp(-beta * (fx - fx.min()))
    return xf, w


def gibbs_density(f: Callable[[np.ndarray], Any], x: Any, beta: float) -> np.ndarray:
    r"""The Gibbs density ``exp(-beta f(x)) / Z`` on an interval of the line.

    Implements (eq-sde-gibbs) of chapter ``opt-sde``. ``Z`` is computed by the trapezoidal rule
    on the points ``x`` themselves, so ``x`` must be an increasing, fine grid covering
    (essentially) all the mass.

    Parameters
    ----------
    f : callable
        Vectorised potential, array -> array of the same shape.
    x : array_like, shape (M,)
        Increasing grid, ``M >= 2``.
    beta : float
        Inverse temperature, ``> 0``.

    Returns
    -------
    ndarray of float64, shape (M,)
    """
    _callable("f", f)
    x = _real_array("x", x)
    if (x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x))
            or np.any(np.diff(x) <= 0)):
        raise ValueError(f"x must be a finite, increasing 1-D grid with >= 2 points, got shape "
                         f"{x.shape}")
    beta = float(_real("beta", beta, low=0.0, low_open=True))
    fx = np.asarray(f(x), dtype=np.float64)
    if fx.shape != x.shape or not np.all(np.isfinite(fx)):
        raise ValueError("f must return finite values of the shape of x")
    w = np.exp(-beta * (fx - fx.min()))
    return w / np.sum(0.5 * (w[1:] + w[:-1]) * np.diff(x))


def gibbs_bin_masses(f: Callable[[np.ndarray], Any], edges: Any, beta: float, *,
                     n_fine: int = 200_001) -> np.ndarray:
    """Masses of the Gibbs law ``exp(-beta f) / Z`` (restricted to the edges' range) per bin.

    The density is integrated by the trapezoidal rule on ``n_fine`` evenly spaced points between
    the first and last edge; the masses sum to 1.

    Parameters
    ----------
    f : callable
        Vectorised potential.
    edges : array_like, shape (B + 1,)
        Increasing bin edges.
    beta : float
        Inverse temperature, ``> 0``.
    n_fine : int
        Quadrature points, ``>= 2``.

    Returns
    -------
    ndarray of float64, shape (B,)
    """
    _callable("f", f)
    e = _real_array("edges", edges)
    if e.ndim != 1 or e.size < 2 or np.any(np.diff(e) <= 0) or not np.all(np.isfinite(e)):
        raise ValueError(f"edges must be finite, increasing, 1-D with >= 2 entries, got shape "
                         f"{e.shape}")
    beta = float(_real("beta", beta, low=0.0, low_open=True))
    xf, w = _gibbs_fine(f, e[0], e[-1], beta, _int("n_fine", n_fine, 2))
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(xf))])
    masses = np.diff(np.interp(e, xf, cum))
    return masses / masses.sum()


def noise_covariance(G: Any) -> np.ndarray:
    r"""Covariance of one uniformly sampled per-example gradient.

    Implements (eq-sde-noise-cov) of chapter ``opt-sde``: for per-example gradients
    ``g_1, ..., g_n`` (rows of ``G``) at a fixed parameter,

    ``Sigma = (1/n) sum_i (g_i - g_bar)(g_i - g_bar)^T``,  ``g_bar = (1/n) sum_i g_i``.

    Parameters
    ----------
    G : array_like, shape (n, d)

    Returns
    -------
    ndarray of float64, shape (d, d)
    """
    G = _real_array("G", G)
    if G.ndim != 2 or G.shape[0] < 1 or G.shape[1] < 1 or not np.all(np.isfinite(G)):
        raise ValueError(f"G must be a finite 2-D array of shape (n, d), got shape {G.shape}")
    Z = G - G.mean(axis=0)
    return Z.T @ Z / G.shape[0]


def minibatch_covariance(G: Any, b: int, *, replace: bool = True) -> np.ndarray:
    r"""Covariance of the mean of ``b`` per-example gradients drawn uniformly from ``n``.

    Implements (eq-sde-minibatch-cov) of chapter ``opt-sde``: ``Sigma / b`` for draws with
    replacement, and ``Sigma (n - b) / (b (n - 1))`` without replacement (the finite-population
    correction), with ``Sigma`` from :func:`noise_covariance`.

    Parameters
    ----------
    G : array_like, shape (n, d)
        Per-example gradients.
    b : int
        Batch size, ``>= 1`` (and ``<= n`` without replacement).
    replace : bool

    Returns
    -------
    ndarray of float64, shape (d, d)
    """
    S = noise_covariance(G)
    n = np.shape(G)[0]
    b = _int("b", b, 1)
    if replace:
        return S / b
    if b > n:
        raise ValueError(f"without replacement b must be <= n = {n}, got b = {b}")
    if n == 1:
        return np.zeros_like(S)
    return S * (n - b) / (b * (n - 1))


def svag_coefficients(l: Any) -> tuple[float, float]:  # noqa: E741 (the paper's name)
    r"""The SVAG weights ``r_{1,2} = (1 +- sqrt(2 l - 1)) / 2`` for the parameter ``l >= 1``.

    Implements (eq-sde-svag) of chapter ``opt-sde``: ``r_1 + r_2 = 1`` keeps the mean of the
    combined gradient, and ``r_1^2 + r_2^2 = l`` multiplies the noise covariance by ``l``.

    Parameters
    ----------
    l : float
        SVAG parameter, ``>= 1`` (``l = 1`` gives ``(1, 0)``, plain SGD).

    Returns
    -------
    (float, float)
        ``(r_1, r_2)``.
    """
    l = float(_real("l", l, low=1.0))  # noqa: E741
    s = np.sqrt(2.0 * l - 1.0)
    return (1.0 + s) / 2.0, (1.0 - s) / 2.0


# ---------------------------------------------------------------------------------------------
# stochastic-gradient oracles and simulators (vectorised over chains)


def gaussian_oracle(grad: Callable[[np.ndarray], Any], b: float, cov: Any = None) -> Oracle:
    r"""The Gaussian gradient-noise model ``g(x) = grad f(x) + Sigma^(1/2) xi / sqrt(b)``.

    Implements the model (eq-sde-gaussian-model) of chapter ``opt-sde``: ``xi ~ N(0, I)`` fresh
    at every call and independent across chains. ``b`` only scales the noise, so any real
    ``b > 0`` is allowed.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` for ``x`` of shape ``(N, d)`` returns shape ``(N, d)``.
    b : float
        Batch size (noise variance ``Sigma / b``), ``> 0``.
    cov : array_like, shape (d, d), optional
        Symmetric positive semidefinite ``Sigma``; the identity if omitted.

    Returns
    -------
    callable
        ``oracle(x, rng) -> ndarray`` of the shape of ``x``.
    """
    _callable("grad", grad)
    b = float(_real("b", b, low=0.0, low_open=True))
    root = None
    if cov is not None:
        C = _real_array("cov", cov)
        if C.ndim != 2 or C.shape[0] != C.shape[1] or not np.all(np.isfinite(C)):
            raise ValueError(f"cov must be a finite square matrix, got shape {C.shape}")
        if not np.allclose(C, C.T, rtol=0.0, atol=1e-12 * max(1.0, float(np.abs(C).max()))):
            raise ValueError("cov must be symmetric")
        lam, V = np.linalg.eigh(C)
        if lam[0] < -1e-12 * max(1.0, float(np.abs(lam).max())):
            raise ValueError(f"cov must be positive semidefinite, smallest eigenvalue "
                             f"{lam[0]:.3g}")
        root = (V * np.sqrt(np.clip(lam, 0.0, None))) @ V.T  # symmetric square root
    scale = 1.0 / np.sqrt(b)

    def oracle(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        xi = rng.standard_normal(x.shape)
        if root is not None:
            if root.shape[0] != x.shape[1]:
                raise ValueError(f"cov has shape {root.shape} but the states have dimension "
                                 f"{x.shape[1]}")
            xi = xi @ root
        g = np.asarray(grad(x), dtype=np.float64)
        if g.shape != x.shape:
            raise ValueError(f"grad returned shape {g.shape}, expected {x.shape} (the states)")
        return g + scale * xi

    return oracle


def minibatch_oracle(example_grads: Callable[[np.ndarray, np.ndarray], Any], n: int, b: int,
                     *, replace: bool = True) -> Oracle:
    r"""Mini-batch gradients of a finite sum ``f = (1/n) sum_i f_i``, independently per chain.

    Implements (eq-sde-minibatch) of chapter ``opt-sde``: each call draws, for every chain, ``b``
    indices uniformly from ``{0, ..., n-1}`` (with replacement by default) and averages the
    per-example gradients.

    Parameters
    ----------
    example_grads : callable
        ``example_grads(x, idx)`` with states ``x`` of shape ``(N, d)`` and indices ``idx`` of
        shape ``(N, b)`` returns the gradients ``grad f_{idx[c, j]}(x[c])``, shape ``(N, b, d)``.
    n : int
        Number of examples.
    b : int
        Batch size, ``1 <= b`` (``<= n`` without replacement).
    replace : bool
        Sampling with replacement (independent draws) or without (a random subset per chain;
        this costs ``O(N n)`` per call).

    Returns
    -------
    callable
        ``oracle(x, rng) -> ndarray`` of the shape of ``x``.
    """
    _callable("example_grads", example_grads)
    n = _int("n", n, 1)
    b = _int("b", b, 1)
    if not replace and b > n:
        raise ValueError(f"without replacement b must be <= n = {n}, got b = {b}")

    def oracle(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        N = x.shape[0]
        if replace:
            idx = rng.integers(0, n, size=(N, b))
        else:
            idx = np.argsort(rng.random((N, n)), axis=1)[:, :b]
        g = np.asarray(example_grads(x, idx), dtype=np.float64)
        if g.shape != (N, b, x.shape[1]):
            raise ValueError(f"example_grads returned shape {g.shape}, expected "
                             f"{(N, b, x.shape[1])}")
        return g.mean(axis=1)

    return oracle


def _run(step: Callable[[np.ndarray, np.random.Generator], np.ndarray], x0: Any, n_steps: Any,
         seed: Any, record_every: Any) -> np.ndarray:
    x = _states("x0", x0)
    n_steps = _int("n_steps", n_steps, 0)
    rng = _rng(seed)
    if record_every is None:
        for _ in range(n_steps):
            x = step(x, rng)
        return x
    every = _int("record_every", record_every, 1)
    out = [x.copy()]
    for k in range(1, n_steps + 1):
        x = step(x, rng)
        if k % every == 0:
            out.append(x.copy())
    return np.stack(out)


def _checked(g: Any, x: np.ndarray, name: str) -> np.ndarray:
    g = _real_array(name, g)
    if g.shape != x.shape:
        raise ValueError(f"{name} returned shape {g.shape}, expected {x.shape} (the states)")
    return g


def sgd(oracle: Oracle, x0: Any, eta: float, n_steps: int, *, seed: Any = 0,
        record_every: int | None = None) -> np.ndarray:
    r"""Constant-step SGD ``x_{k+1} = x_k - eta g(x_k)`` on ``N`` independent chains at once.

    Implements (eq-sde-sgd) of chapter ``opt-sde``; ``g`` is a stochastic-gradient oracle such
    as :func:`gaussian_oracle` or :func:`minibatch_oracle`, called once per step on all chains.

    Parameters
    ----------
    oracle : callable
        ``oracle(x, rng)`` for states of shape ``(N, d)`` returns shape ``(N, d)``.
    x0 : array_like, shape (N, d)
        Initial states, one row per chain.
    eta : float
        Step size, ``> 0``.
    n_steps : int
        Number of steps, ``>= 0``.
    seed : int or numpy.random.Generator
    record_every : int, optional
        If given, also keep the states every ``record_every`` steps.

    Returns
    -------
    ndarray of float64
        The final states, shape ``(N, d)``; or, with ``record_every``, the recorded states, shape
        ``(n_steps // record_every + 1, N, d)`` (the first entry is ``x0``).
    """
    _callable("oracle", oracle)
    eta = float(_real("eta", eta, low=0.0, low_open=True))

    def step(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return x - eta * _checked(oracle(x, rng), x, "oracle")

    return _run(step, x0, n_steps, seed, record_every)


def svag(oracle: Oracle, x0: Any, eta: float,
         l: float,  # noqa: E741 (the name in the paper)
         n_steps: int, *, seed: Any = 0,
         record_every: int | None = None) -> np.ndarray:
    r"""SVAG, the stochastic variance amplified gradient method.

    Implements (eq-sde-svag) of chapter ``opt-sde`` (Li, Malladi and Arora,
    2021): with two independent oracle calls ``g_1, g_2`` at the same point
    and the weights ``r_1, r_2`` of :func:`svag_coefficients`,

    ``x_{k+1} = x_k - (eta / l) (r_1 g_1(x_k) + r_2 g_2(x_k))``.

    The combined gradient has the mean of ``g`` and ``l`` times its
    covariance, so ``l`` SVAG steps cover the SDE time ``eta`` of one SGD
    step, and ``l = 1`` is SGD. As ``l`` grows, the iterate at step ``k``
    approaches the SDE at time ``k eta / l`` (weakly, error ``O(1/l)``).

    Parameters
    ----------
    oracle : callable
        Stochastic gradient, ``oracle(x, rng)`` of the shape of ``x``.
    x0 : array_like, shape (N, d)
    eta : float
        The SGD step size being modelled, ``> 0``.
    l : float
        SVAG parameter, ``>= 1``.
    n_steps : int
        Number of SVAG steps (each of size ``eta / l``).
    seed, record_every :
        As in :func:`sgd`.

    Returns
    -------
    ndarray of float64
        As in :func:`sgd`.
    """
    _callable("oracle", oracle)
    eta = float(_real("eta", eta, low=0.0, low_open=True))
    r1, r2 = svag_coefficients(l)
    h = eta / _real_scalar("l", l)

    def step(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        g1 = _checked(oracle(x, rng), x, "oracle")
        g2 = _checked(oracle(x, rng), x, "oracle")
        return x - h * (r1 * g1 + r2 * g2)

    return _run(step, x0, n_steps, seed, record_every)


def euler_maruyama(drift: Callable[[np.ndarray], Any],
                   diffusion: Callable[[np.ndarray], Any], x0: Any, h: float,
                   n_steps: int, *, seed: Any = 0,
                   record_every: int | None = None) -> np.ndarray:
    r"""Euler-Maruyama for ``dX = a(X) dt + D(X) dW``, on ``N`` paths at once.

    Implements (eq-sde-em) of chapter ``opt-sde``:

    ``X_{k+1} = X_k + h a(X_k) + sqrt(h) D(X_k) xi_k``,  ``xi_k ~ N(0, I)``,

    an approximation of the SDE at the times ``t = k h`` (of weak order 1
    for smooth coefficients).

    Parameters
    ----------
    drift : callable
        ``a(x)`` for ``x`` of shape ``(N, d)``, returns shape ``(N, d)``.
    diffusion : callable
        ``D(x)`` returns a scalar (``D = c I``); an array of shape
        ``(N, d)`` or ``(d,)`` (a diagonal ``D``); or of shape
        ``(N, d, q)`` or ``(d, q)`` (a full matrix, driven by a
        ``q``-dimensional Brownian motion). A 2-D array of shape
        ``(d, d)`` with ``N == d`` is ambiguous and rejected: pass
        ``(N, d, d)`` for full matrices or ``(d,)`` for a diagonal.
    x0 : array_like, shape (N, d)
    h : float
        Time step, ``> 0``.
    n_steps : int
    seed, record_every :
        As in :func:`sgd`.

    Returns
    -------
    ndarray of float64
        As in :func:`sgd`.
    """
    _callable("drift", drift)
    _callable("diffusion", diffusion)
    h = float(_real("h", h, low=0.0, low_open=True))
    root_h = np.sqrt(h)

    def step(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        a = _checked(drift(x), x, "drift")
        D = np.asarray(diffusion(x), dtype=np.float64)
        N, d = x.shape
        if D.ndim == 2 and N == d and D.shape == (d, d):
            raise ValueError(
                f"diffusion returned shape {D.shape} with N = d = {d}: "
                f"ambiguous between ({N}, {d}) diagonals and a ({d}, {d}) "
                f"matrix; return shape ({N}, {d}, {d}) or ({d},)")
        if D.ndim == 0 or D.shape in ((d,), (N, d)):  # D = c I or diagonal
            noise = D * rng.standard_normal(x.shape)
        elif (D.ndim in (2, 3) and D.shape[-2] == d
              and D.shape[:-2] in ((), (N,))):  # full d x q matrix
            xi = rng.standard_normal((N, D.shape[-1]))
            noise = np.einsum("...ij,...j->...i", D, xi)
        else:
            raise ValueError(
                f"diffusion returned shape {D.shape}; expected (), ({d},), "
                f"({N}, {d}), ({d}, q) or ({N}, {d}, q)")
        return x + h * a + root_h * noise

    return _run(step, x0, n_steps, seed, record_every)


# ---------------------------------------------------------------------------------------------
# statistics for checks


def central_moment(samples: Any, order: int = 2) -> tuple[float, float]:
    r"""Sample central moment of order ``r`` of iid samples, with its standard error.

    Returns ``m_r = mean((x - x_bar)^r)`` and ``se = std((x - x_bar)^r) / sqrt(N)``, the
    standard error of the mean of the ``N`` terms (the effect of estimating ``x_bar`` is of
    order ``1/N`` and neglected). For ``r = 2`` this is the variance and for ``r = 3`` the third
    cumulant.

    Parameters
    ----------
    samples : array_like, shape (N,)
        Independent samples, ``N >= 2``.
    order : int
        ``r >= 2``.

    Returns
    -------
    (float, float)
    """
    x = _real_array("samples", samples)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"samples must be a finite 1-D array with >= 2 entries, got shape "
                         f"{x.shape}")
    r = _int("order", order, 2)
    terms = (x - x.mean()) ** r
    return float(terms.mean()), float(terms.std(ddof=1) / np.sqrt(x.size))


def empirical_tv_bound(q: Any, n_samples: int, delta: float) -> float:
    r"""A bound on the TV distance between a histogram of ``N`` iid samples and their law.

    If the bin counts of ``N`` independent samples from a law with bin masses ``q`` give the
    empirical masses ``q_hat``, then with probability at least ``1 - delta``

    ``TV(q_hat, q) <= (1/2) sum_j sqrt(q_j (1 - q_j) / N) + sqrt(log(1/delta) / (2 N))``:

    the first term bounds ``E TV`` (Cauchy-Schwarz on each ``E|q_hat_j - q_j|``), the second is
    McDiarmid's inequality (moving one sample changes the TV distance by at most ``1/N``).
    Implements (eq-sde-tv-bound) of chapter ``opt-sde``.

    Parameters
    ----------
    q : array_like, shape (B,)
        Bin masses of the sampled law.
    n_samples : int
        ``N >= 1``.
    delta : float
        Failure probability in ``(0, 1)``.

    Returns
    -------
    float
    """
    q = _distribution("q", q)
    if q.ndim != 1:
        raise ValueError(f"q must be 1-D, got shape {q.shape}")
    N = _int("n_samples", n_samples, 1)
    delta = float(_real("delta", delta, low=0.0, low_open=True, high=1.0))
    if delta >= 1.0:
        raise ValueError(f"delta must lie in (0, 1), got {delta:g}")
    mean_bound = 0.5 * float(np.sum(np.sqrt(q * (1.0 - q) / N)))
    return mean_bound + float(np.sqrt(np.log(1.0 / delta) / (2.0 * N)))

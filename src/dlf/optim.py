"""First-order optimization methods, written so that their iterates can be checked against theory.

Chapter ``opt-gd`` (Gradient descent) derives:

* :func:`gradient_descent`: the iteration ``x_{k+1} = x_k - eta_k grad f(x_k)``
  (eq-gd-update), returning the whole iterate history so that a chapter can compare every
  iterate with a bound;
* :func:`quadratic_contraction` and :func:`optimal_quadratic_step`: the exact worst-case
  contraction factor ``max_i |1 - eta lambda_i|`` of gradient descent on a quadratic
  (eq-gd-quad-rate) and the step ``2 / (L + mu)`` that minimizes it.

Later chapters add siblings with the same calling convention (a gradient oracle, a start, step
sizes, a number of steps; the history as an array of shape ``(n_steps + 1, d)``).

Depends on: numpy only (no other ``dlf`` module).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["gradient_descent", "quadratic_contraction", "optimal_quadratic_step"]

StepSize = float | Callable[[int], float]


def _step_fn(step: Any) -> Callable[[int], float]:
    """Turn a constant or a schedule ``k -> eta_k`` into a checked schedule."""
    if callable(step):
        def eta(k: int) -> float:
            v = step(k)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(v) or v <= 0:
                raise ValueError(f"step({k}) must be a finite number > 0, got {v!r}")
            return float(v)
        return eta
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)):
        raise TypeError(f"step must be a number or a callable k -> eta_k, got "
                        f"{type(step).__name__} ({step!r})")
    if not np.isfinite(step) or step <= 0:
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    const = float(step)
    return lambda k: const


def _check_run(grad: Any, x0: Any, n_steps: Any, callback: Any) -> tuple[np.ndarray, int]:
    """Validate the arguments shared by the methods of this module; return ``x0`` and ``K``."""
    if not callable(grad):
        raise TypeError(f"grad must be callable, got {type(grad).__name__}")
    x = np.array(x0, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)):
        raise TypeError(f"n_steps must be an int, got {type(n_steps).__name__} "
                        f"({n_steps!r})")
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    return x, int(n_steps)


def _oracle(grad: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """``grad(x)`` as float64, checked to have the shape of ``x``."""
    g = np.asarray(grad(x), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad returned shape {g.shape}, expected {x.shape} (shape of x0)")
    return g


def _readonly(x: np.ndarray) -> np.ndarray:
    view = x.view()
    view.flags.writeable = False
    return view


def gradient_descent(grad: Callable[[np.ndarray], Any], x0: Any, step: StepSize,
                     n_steps: int, *,
                     callback: Callable[[int, np.ndarray], None] | None = None
                     ) -> np.ndarray:
    """Run gradient descent and return every iterate.

    Implements (eq-gd-update) of chapter ``opt-gd``:
    ``x_{k+1} = x_k - eta_k grad(x_k)`` for ``k = 0, ..., n_steps - 1``.

    Parameters
    ----------
    grad : callable
        Gradient oracle: maps an array of shape ``(d,)`` to one of shape ``(d,)``.
    x0 : array_like, shape (d,)
        Starting point (copied, converted to float64).
    step : float or callable
        Step size: a constant ``eta > 0``, or a schedule ``k -> eta_k > 0``.
    n_steps : int
        Number of steps, ``n_steps >= 0``.
    callback : callable, optional
        Called as ``callback(k, x_k)`` for every iterate, ``k = 0, ..., n_steps``
        (``x_k`` is a read-only view).

    Returns
    -------
    ndarray of float64, shape (n_steps + 1, d)
        Row ``k`` is the iterate ``x_k``; row 0 is ``x0``.

    Raises
    ------
    FloatingPointError
        If an iterate becomes infinite or NaN (typically a step size above
        ``2 / L``); the message names the step.
    """
    x, n_steps = _check_run(grad, x0, n_steps, callback)
    eta = _step_fn(step)
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(xs[k]))
        if k == n_steps:
            break
        g = _oracle(grad, xs[k])
        with np.errstate(over="ignore", invalid="ignore"):  # reported below
            xs[k + 1] = xs[k] - eta(k) * g
        if not np.all(np.isfinite(xs[k + 1])):
            raise FloatingPointError(
                f"iterate {k + 1} is not finite (step size {eta(k):g}): gradient "
                "descent diverged; is the step above 2/L?")
    return xs


def quadratic_contraction(step: float, eigenvalues: Any) -> float:
    """Worst-case contraction ``rho(eta) = max_i |1 - eta lambda_i|`` on a quadratic.

    Implements (eq-gd-quad-rate) of chapter ``opt-gd``: for ``f(x) = x^T A x / 2 - b^T x``,
    gradient descent with constant step ``eta`` satisfies
    ``||x_k - x*|| <= rho(eta)^k ||x_0 - x*||``, with equality when ``x_0 - x*`` is an
    eigenvector of an eigenvalue attaining the maximum.

    Parameters
    ----------
    step : float
        The step size ``eta > 0``.
    eigenvalues : array_like
        Eigenvalues of ``A`` (only the extremes matter).

    Returns
    -------
    float
        ``rho(eta)``; it is below 1 iff ``0 < eta < 2 / lambda_max`` (for ``lambda_min > 0``).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be non-empty and finite, got {lam}")
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)):
        raise TypeError(f"step must be a number, got {type(step).__name__} ({step!r})")
    if not np.isfinite(step) or step <= 0:
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    return float(np.max(np.abs(1.0 - step * lam)))


def optimal_quadratic_step(mu: float, L: float) -> float:
    """The step ``2 / (L + mu)`` minimizing :func:`quadratic_contraction` over ``[mu, L]``.

    At this step the contraction is ``(L - mu) / (L + mu) = (kappa - 1) / (kappa + 1)``.

    Parameters
    ----------
    mu, L : float
        Extreme eigenvalues (strong convexity and smoothness constants), ``0 < mu <= L``.
    """
    for name, v in (("mu", mu), ("L", L)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(v).__name__} ({v!r})")
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    if mu > L:
        raise ValueError(f"need mu <= L, got mu={mu:g} and L={L:g}")
    return 2.0 / (float(L) + float(mu))

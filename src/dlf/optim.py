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

Chapter ``opt-momentum`` (Momentum and acceleration) derives :func:`heavy_ball`,
:func:`nesterov`, the velocity and moving-average forms :func:`velocity_momentum` (that of
``torch.optim.SGD``) and :func:`ema_momentum`, their tuning (:func:`heavy_ball_parameters`,
:func:`nesterov_parameters`, :func:`convex_momentum`), the exact rate on quadratics
(:func:`momentum_contraction`) and the ODE limit of Nesterov's method (:func:`nesterov_ode`).

Chapter ``opt-stochastic`` (Stochastic and adaptive methods) derives stochastic gradient descent
with mini-batches (:func:`minibatch_oracle`, :func:`sgd`, :func:`polyak_average`, the exact
least-squares noise floor :func:`sgd_floor_least_squares`), the variance-reduced methods
:func:`sag`, :func:`saga`, :func:`svrg`, the adaptive methods :func:`adagrad`, :func:`rmsprop`,
:func:`adam`, :func:`adamw`, :func:`amsgrad`, :func:`sign_descent`, and ``torch.optim``
-compatible classes :class:`SGD`, :class:`AdaGrad`, :class:`RMSProp`, :class:`Adam`,
:class:`AdamW`, :class:`AMSGrad` that reproduce PyTorch's optimizers step for step (dense
gradients; a complex parameter is updated as a pair of real ones, as in PyTorch; the overrides of
a parameter group are validated like the constructor's arguments; ``maximize=True`` ascends, as
in PyTorch; ``foreach``, ``fused`` and sparse gradients are not supported).

Depends on: numpy and torch (torch is imported at module level, so ``import dlf.optim`` needs it
even for the NumPy functions; it serves the ``torch.optim`` classes); no other ``dlf`` module;
:func:`nesterov_ode` also imports scipy, inside the function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["gradient_descent", "quadratic_contraction", "optimal_quadratic_step",
           # opt-momentum
           "heavy_ball", "nesterov", "velocity_momentum", "ema_momentum", "convex_momentum",
           "heavy_ball_parameters", "nesterov_parameters", "momentum_contraction",
           "nesterov_ode"]

StepSize = float | Callable[[int], float]


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


def _step_fn(step: Any, name: str = "step") -> Callable[[int], float]:
    """Turn a constant or a schedule ``k -> eta_k`` into a checked schedule (``name`` is the
    argument's name in messages)."""
    if callable(step):
        def eta(k: int) -> float:
            v = step(k)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(v) or v <= 0:
                raise ValueError(f"{name}({k}) must be a finite number > 0, got {v!r}")
            return float(v)
        return eta
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number or a callable k -> eta_k, got "
                        f"{type(step).__name__} ({step!r})")
    if not np.isfinite(step) or step <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {step!r}")
    const = _real_scalar(name, step)
    return lambda k: const


def _check_run(grad: Any, x0: Any, n_steps: Any, callback: Any) -> tuple[np.ndarray, int]:
    """Validate the arguments shared by the methods of this module; return ``x0`` and ``K``."""
    if not callable(grad):
        raise TypeError(f"grad must be callable, got {type(grad).__name__}")
    x = _real_array("x0", x0, copy=True)
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
    return x, _int_scalar("n_steps", n_steps)


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
    lam = _real_array("eigenvalues", eigenvalues)
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
    return 2.0 / (_real_scalar("L", L) + _real_scalar("mu", mu))


# --- opt-momentum ------------------------------------------------------------
# Chapter ``opt-momentum`` (Momentum and acceleration) derives the methods of
# this section. They share the calling convention of :func:`gradient_descent`;
# the momentum is a number ``beta`` in ``[0, 1)``, a schedule ``k -> beta_k``,
# or ``"convex"`` (:func:`convex_momentum`). The two-step methods start with
# ``x_{-1} = x_0``, so their first step is a gradient step.

Momentum = float | Callable[[int], float] | str
Oracle = Callable[[np.ndarray], Any]
Callback = Callable[[int, np.ndarray], None] | None


def convex_momentum(k: int) -> float:
    """The schedule ``beta_k = (k - 1) / (k + 2)`` for ``k >= 1``, ``beta_0 = 0``.

    With it, :func:`nesterov` with step ``eta <= 1/L`` satisfies
    ``f(x_k) - f* <= 2 ||x_0 - x*||^2 / (eta (k + 1)^2)`` on convex ``L``-smooth
    ``f`` (eq-mom-convex-rate); it is the schedule whose limit is the ODE
    ``X'' + (3/t) X' + grad f(X) = 0`` (eq-mom-ode).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be an int >= 0, got {k!r}")
    return max(_int_scalar("k", k) - 1, 0) / (_int_scalar("k", k) + 2)


def _momentum_fn(momentum: Any) -> Callable[[int], float]:
    """A constant, a schedule or ``"convex"`` as a checked ``k -> beta_k``."""
    if isinstance(momentum, str):
        if momentum != "convex":
            raise ValueError('momentum must be a number, a callable or '
                             f'"convex", got {momentum!r}')
        return convex_momentum

    def checked(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(
                v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{where} must be a number in [0, 1), got "
                            f"{type(v).__name__} ({v!r})")
        if not 0.0 <= v < 1.0:
            raise ValueError(f"{where} must be in [0, 1), got {v!r}")
        return _real_scalar("v", v)

    if callable(momentum):
        return lambda k: checked(momentum(k), f"momentum({k})")
    const = checked(momentum, "momentum")
    return lambda k: const


def _check_finite(xs: np.ndarray, k: int, method: str, eta: float,
                  beta: float) -> None:
    if not np.all(np.isfinite(xs[k + 1])):
        raise FloatingPointError(
            f"iterate {k + 1} of {method} is not finite (step size {eta:g}, "
            f"momentum {beta:g}): the method diverged")


def heavy_ball(grad: Oracle, x0: Any, step: StepSize, n_steps: int,
               momentum: Momentum, *, callback: Callback = None
               ) -> np.ndarray:
    """Polyak's heavy-ball method; returns every iterate.

    Implements (eq-mom-heavy-ball) of chapter ``opt-momentum``:
    ``x_{k+1} = x_k - eta_k grad(x_k) + beta_k (x_k - x_{k-1})``, with
    ``x_{-1} = x_0``.

    Parameters
    ----------
    grad : callable
        Gradient oracle, shape ``(d,)`` to shape ``(d,)``.
    x0 : array_like, shape (d,)
        Starting point (copied, converted to float64).
    step : float or callable
        Step size ``eta > 0``, or a schedule ``k -> eta_k``.
    n_steps : int
        Number of steps (gradient evaluations), ``>= 0``.
    momentum : float, callable or "convex"
        ``beta`` in ``[0, 1)``, a schedule ``k -> beta_k``, or ``"convex"``.
    callback : callable, optional
        ``callback(k, x_k)`` for ``k = 0, ..., n_steps`` (``x_k`` read-only).

    Returns
    -------
    ndarray of float64, shape (n_steps + 1, d)
        Row ``k`` is ``x_k``; row 0 is ``x0``.

    Raises
    ------
    FloatingPointError
        If an iterate becomes infinite or NaN; the message names the step
        size and the momentum.
    """
    x, n_steps = _check_run(grad, x0, n_steps, callback)
    eta, beta = _step_fn(step), _momentum_fn(momentum)
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(xs[k]))
        if k == n_steps:
            break
        x_prev = xs[k - 1] if k > 0 else xs[0]
        eta_k, beta_k = eta(k), beta(k)
        g = _oracle(grad, xs[k])
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            xs[k + 1] = xs[k] - eta_k * g + beta_k * (xs[k] - x_prev)
        _check_finite(xs, k, "heavy_ball", eta_k, beta_k)
    return xs


def nesterov(grad: Oracle, x0: Any, step: StepSize, n_steps: int,
             momentum: Momentum, *, callback: Callback = None) -> np.ndarray:
    """Nesterov's accelerated gradient method; returns every iterate ``x_k``.

    Implements (eq-mom-nesterov) of chapter ``opt-momentum``: the look-ahead
    point ``y_k = x_k + beta_k (x_k - x_{k-1})`` (with ``x_{-1} = x_0``), then
    ``x_{k+1} = y_k - eta_k grad(y_k)``. Use ``momentum="convex"`` for convex
    ``f`` (rate ``O(1/k^2)``), and for ``mu``-strongly convex ``f`` the
    constant ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` with ``step = 1/L``
    (:func:`nesterov_parameters`; rate ``(1 - 1/sqrt(kappa))^k``).

    Parameters and return value as in :func:`heavy_ball`. The look-ahead
    points ``y_k`` are not returned; they are the iterates of
    :func:`velocity_momentum` with ``nesterov=True``.
    """
    x, n_steps = _check_run(grad, x0, n_steps, callback)
    eta, beta = _step_fn(step), _momentum_fn(momentum)
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(xs[k]))
        if k == n_steps:
            break
        x_prev = xs[k - 1] if k > 0 else xs[0]
        eta_k, beta_k = eta(k), beta(k)
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            y = xs[k] + beta_k * (xs[k] - x_prev)
            xs[k + 1] = y - eta_k * _oracle(grad, y)
        _check_finite(xs, k, "nesterov", eta_k, beta_k)
    return xs


def velocity_momentum(grad: Oracle, x0: Any, lr: StepSize, n_steps: int,
                      momentum: Momentum, *, nesterov: bool = False,
                      callback: Callback = None) -> np.ndarray:
    """Momentum as ``torch.optim.SGD`` writes it; returns every iterate ``p_k``.

    Implements (eq-mom-velocity) of chapter ``opt-momentum``: with
    ``g_k = grad(p_k)`` and ``b_{-1} = 0``, ``b_k = beta b_{k-1} + g_k`` and
    ``p_{k+1} = p_k - lr b_k``, or ``p_{k+1} = p_k - lr (g_k + beta b_k)``
    with ``nesterov=True``. The first is :func:`heavy_ball` with
    ``step = lr``; the second is :func:`nesterov` with ``step = lr``, and
    its ``p_k`` are Nesterov's look-ahead points ``y_k`` (for constant
    ``lr`` and ``beta``). With a schedule ``lr_k`` the first is heavy ball
    with momentum ``beta lr_k / lr_{k-1}``. The arguments ``grad``, ``x0``,
    ``n_steps``, ``callback`` and the return value are as in
    :func:`heavy_ball`.

    Parameters
    ----------
    lr : float or callable
        Learning rate ``lr > 0`` or a schedule ``k -> lr_k``.
    momentum : float, callable or "convex"
        ``beta`` (PyTorch's ``momentum``) in ``[0, 1)``, or a schedule.
    nesterov : bool
        PyTorch's ``nesterov`` flag.
    """
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov must be a bool, got "
                        f"{type(nesterov).__name__}")
    p, n_steps = _check_run(grad, x0, n_steps, callback)
    eta, beta = _step_fn(lr, "lr"), _momentum_fn(momentum)
    ps = np.empty((n_steps + 1, p.size))
    ps[0] = p
    buf = np.zeros_like(p)
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(ps[k]))
        if k == n_steps:
            break
        eta_k, beta_k = eta(k), beta(k)
        g = _oracle(grad, ps[k])
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            buf = beta_k * buf + g
            update = g + beta_k * buf if nesterov else buf
            ps[k + 1] = ps[k] - eta_k * update
        _check_finite(ps, k, "velocity_momentum", eta_k, beta_k)
    return ps


def ema_momentum(grad: Oracle, x0: Any, step: StepSize, n_steps: int,
                 momentum: Momentum, *, callback: Callback = None
                 ) -> np.ndarray:
    """Momentum as a moving average of gradients; returns every iterate.

    Implements (eq-mom-ema) of chapter ``opt-momentum``, with ``m_0 = 0``:
    ``m_{k+1} = beta m_k + (1 - beta) grad(x_k)`` and
    ``x_{k+1} = x_k - alpha m_{k+1}`` (``alpha = step``). For constant
    ``beta`` it is :func:`heavy_ball` with step ``alpha (1 - beta)``.

    Parameters and return value as in :func:`heavy_ball`.
    """
    x, n_steps = _check_run(grad, x0, n_steps, callback)
    alpha, beta = _step_fn(step), _momentum_fn(momentum)
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    m = np.zeros_like(x)
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(xs[k]))
        if k == n_steps:
            break
        alpha_k, beta_k = alpha(k), beta(k)
        g = _oracle(grad, xs[k])
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            m = beta_k * m + (1.0 - beta_k) * g
            xs[k + 1] = xs[k] - alpha_k * m
        _check_finite(xs, k, "ema_momentum", alpha_k, beta_k)
    return xs


def _mu_L(mu: Any, L: Any) -> tuple[float, float]:
    for name, v in (("mu", mu), ("L", L)):
        if isinstance(v, bool) or not isinstance(
                v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number, got "
                            f"{type(v).__name__} ({v!r})")
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    if mu > L:
        raise ValueError(f"need mu <= L, got mu={mu:g} and L={L:g}")
    return _real_scalar("mu", mu), _real_scalar("L", L)


def heavy_ball_parameters(mu: float, L: float) -> tuple[float, float]:
    """Heavy-ball step and momentum, optimal on quadratics with spectrum in [mu, L].

    Implements (eq-mom-hb-optimal) of chapter ``opt-momentum``:
    ``eta = 4 / (sqrt(L) + sqrt(mu))^2`` and
    ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2``; the contraction
    factor is then ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``.

    Returns
    -------
    (step, momentum) : tuple of float
    """
    mu, L = _mu_L(mu, L)
    sq_mu, sq_L = np.sqrt(mu), np.sqrt(L)
    beta = ((sq_L - sq_mu) / (sq_L + sq_mu)) ** 2
    return float(4.0 / (sq_L + sq_mu) ** 2), float(beta)


def nesterov_parameters(mu: float, L: float) -> tuple[float, float]:
    """Step ``1/L`` and momentum ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``.

    With them :func:`nesterov` satisfies (eq-mom-strong-rate) of chapter
    ``opt-momentum`` on ``mu``-strongly convex, ``L``-smooth ``f``:
    ``f(x_k) - f* <= (1 - 1/sqrt(kappa))^k (f(x_0) - f* + mu ||x_0 - x*||^2/2)``.

    Returns
    -------
    (step, momentum) : tuple of float
    """
    mu, L = _mu_L(mu, L)
    sq_mu, sq_L = np.sqrt(mu), np.sqrt(L)
    return 1.0 / L, float((sq_L - sq_mu) / (sq_L + sq_mu))


def momentum_contraction(step: float, momentum: float, eigenvalues: Any, *,
                         nesterov: bool = False) -> float:
    """Spectral radius of heavy ball or Nesterov on a quadratic.

    Implements (eq-mom-companion) of chapter ``opt-momentum``. On the
    eigenvalue ``lam`` the error obeys a two-term recursion with
    characteristic polynomial ``z^2 - t z + c``: ``t = 1 + beta - eta lam``,
    ``c = beta`` (heavy ball), or ``t = (1 + beta)(1 - eta lam)``,
    ``c = beta (1 - eta lam)`` (Nesterov). The result is the largest root
    modulus over the eigenvalues, the asymptotic contraction factor per step.

    Parameters
    ----------
    step : float
        ``eta > 0``.
    momentum : float
        Constant ``beta`` in ``[0, 1)``.
    eigenvalues : array_like
        Eigenvalues of the Hessian (non-empty, finite).
    nesterov : bool
        Nesterov's method instead of heavy ball.

    Returns
    -------
    float
    """
    if callable(step) or callable(momentum) or isinstance(momentum, str):
        raise TypeError("step and momentum must be numbers (constants), got "
                        f"{step!r} and {momentum!r}")
    step, beta = _step_fn(step)(0), _momentum_fn(momentum)(0)
    lam = _real_array("eigenvalues", eigenvalues)
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be non-empty and finite, got {lam}")
    if nesterov:
        t, c = (1.0 + beta) * (1.0 - step * lam), beta * (1.0 - step * lam)
    else:
        t, c = 1.0 + beta - step * lam, np.full(lam.shape, beta)
    disc = t**2 - 4.0 * c
    real = (np.abs(t) + np.sqrt(np.maximum(disc, 0.0))) / 2.0  # real roots
    radius = np.where(disc >= 0, real, np.sqrt(np.abs(c)))
    return float(np.max(radius))


def nesterov_ode(grad: Oracle, x0: Any, times: Any, *, rtol: float = 1e-11,
                 atol: float = 1e-13) -> np.ndarray:
    """Solve the ODE limit of Nesterov's method at the given times.

    Implements (eq-mom-ode) of chapter ``opt-momentum``:
    ``X'' + (3/t) X' + grad f(X) = 0`` with ``X(0) = x0``, ``X'(0) = 0``.
    The coefficient ``3/t`` is singular at ``t = 0``, so the solution starts
    at ``t0 = 1e-4 max(times)`` from the series
    ``X(t) = x0 - t^2 grad f(x0) / 8 + O(t^4)`` (eq-mom-ode-series), which
    also gives the values at times ``<= t0``; from ``t0`` on,
    ``scipy.integrate.solve_ivp`` (DOP853) integrates the system for
    ``(X, X')``. Needs scipy.

    Parameters
    ----------
    grad : callable
        Gradient of ``f``, shape ``(d,)`` to shape ``(d,)``.
    x0 : array_like, shape (d,)
        Initial point.
    times : array_like, shape (m,)
        Non-decreasing times ``>= 0``, not all zero.
    rtol, atol : float
        Tolerances of ``solve_ivp``.

    Returns
    -------
    ndarray of float64, shape (m, d)
        Row ``j`` is ``X(times[j])``.
    """
    from scipy.integrate import solve_ivp  # only this function needs scipy

    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a real number, got {type(tol).__name__} ({tol!r:.40})")
        if not (0 < tol < 1):  # also rejects NaN, which made solve_ivp loop forever
            raise ValueError(f"{name} must be in (0, 1), got {name}={tol!r}")
    x, _ = _check_run(grad, x0, 0, None)
    t = _real_array("times", times)
    if (t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t))
            or t.min() < 0 or np.any(np.diff(t) < 0) or t.max() == 0):
        raise ValueError("times must be a non-empty, non-decreasing 1-D "
                         "array of finite numbers >= 0, not all zero; "
                         f"got {t!r}")
    d, t0 = x.size, 1e-4 * float(t.max())
    g0 = _oracle(grad, x)

    def rhs(s: float, z: np.ndarray) -> np.ndarray:
        velocity = z[d:]
        return np.concatenate([velocity,
                               -3.0 / s * velocity - _oracle(grad, z[:d])])

    out = np.empty((t.size, d))
    early = t <= t0
    out[early] = x - t[early, None] ** 2 / 8 * g0  # the series; error O(t^4)
    if not np.all(early):
        z0 = np.concatenate([x - t0**2 / 8 * g0, -t0 / 4 * g0])
        sol = solve_ivp(rhs, (t0, float(t.max())), z0, method="DOP853",
                        t_eval=t[~early], rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        out[~early] = sol.y[:d].T
    return out

# =============================================================================================
# --- opt-stochastic ---
#
# Chapter ``opt-stochastic`` (Stochastic and adaptive methods) derives the methods below. NumPy
# functions keep the calling convention of :func:`gradient_descent` (an oracle, a start, a step
# or schedule, a number of steps; the history as an array). A stochastic oracle is called as
# ``grad(x, rng)`` when an ``rng`` is given and as ``grad(x)`` otherwise; the finite-sum methods
# (SAG, SAGA, SVRG) call a per-example oracle ``grad_i(x, i)``. The ``torch.optim.Optimizer``
# subclasses at the end reproduce ``torch.optim`` step for step (tested to 1e-6 in float64).
# This section also depends on torch.

import math  # noqa: E402

import torch  # noqa: E402

__all__ += [
    "minibatch_oracle", "sgd", "polyak_average", "sgd_floor_least_squares",
    "sag", "saga", "svrg", "adagrad", "rmsprop", "adam", "adamw", "amsgrad", "sign_descent",
    "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "AMSGrad",
]

def _as_rng(rng: Any) -> np.random.Generator | None:
    """``None``, a seed or a Generator -> ``None`` or a Generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be None, an int seed or a numpy Generator, got "
                        f"{type(rng).__name__}")
    if rng < 0:
        raise ValueError(f"rng must be a non-negative int seed, got rng={rng}")
    return np.random.default_rng(_int_scalar("rng", rng))


def _start(grad: Any, x0: Any, n_steps: Any, callback: Any, *, stacked: bool = False,
           count: str = "n_steps", oracle: str = "grad") -> tuple[np.ndarray, int]:
    """Validate oracle, start and count; ``x0`` is ``(d,)`` or, if ``stacked``, ``(R, d)``."""
    if not callable(grad):
        raise TypeError(f"{oracle} must be callable, got {type(grad).__name__}")
    x = _real_array("x0", x0, copy=True)
    ndims = (1, 2) if stacked else (1,)
    if x.ndim not in ndims or x.size == 0:
        want = "(d,) or (R, d)" if stacked else "(d,)"
        raise ValueError(f"x0 must be a non-empty array of shape {want}, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)):
        raise TypeError(f"{count} must be an int, got {type(n_steps).__name__} ({n_steps!r})")
    if n_steps < 0:
        raise ValueError(f"{count} must be >= 0, got {n_steps}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    return x, _int_scalar("n_steps", n_steps)


def _lr_fn(name: str, lr: Any) -> Callable[[int], float]:
    """A constant ``lr >= 0`` or a schedule ``k -> lr_k >= 0`` as a checked schedule."""
    def check(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{where} must be a number, got {type(v).__name__} ({v!r})")
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"{where} must be a finite number >= 0, got {v!r}")
        return _real_scalar("v", v)
    if callable(lr):
        return lambda k: check(lr(k), f"{name}({k})")
    const = check(lr, name)
    return lambda k: const


def _call(grad: Callable[..., Any], x: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """``grad(x)`` or ``grad(x, rng)`` as float64, checked to have the shape of ``x``."""
    g = grad(x) if rng is None else grad(x, rng)
    g = np.asarray(g, dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad returned shape {g.shape}, expected {x.shape} (shape of x0)")
    return g


def _finite_or_raise(x: np.ndarray, k: int, method: str) -> None:
    if not np.all(np.isfinite(x)):
        raise FloatingPointError(f"{method}: iterate {k} is not finite; is the step too large?")


def _bounds(bounds: Any) -> tuple[float, float] | None:
    if bounds is None:
        return None
    try:
        lo, hi = (float(v) for v in bounds)
    except (TypeError, ValueError) as err:
        raise TypeError(f"bounds must be None or a pair (lo, hi), got {bounds!r}") from err
    if not lo < hi:
        raise ValueError(f"bounds must satisfy lo < hi, got {bounds!r}")
    return lo, hi


def _hyper(name: str, value: Any, *, low: float = 0.0, high: float | None = None) -> float:
    """A real hyperparameter in ``[low, high)`` (``high=None``: no upper bound)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    v = _real_scalar(name, value)
    if not np.isfinite(v) or v < low or (high is not None and v >= high):
        want = f"in [{low:g}, {high:g})" if high is not None else f">= {low:g}"
        raise ValueError(f"{name} must be {want}, got {value!r}")
    return v


def _step_positive(step: Any) -> float:
    eta = _hyper("step", step)
    if eta == 0:
        raise ValueError("step must be > 0, got 0")
    return eta


def _betas(betas: Any, where: str = "") -> tuple[float, float]:
    try:
        b1, b2 = betas
    except (TypeError, ValueError) as err:
        raise TypeError(f"betas{where} must be a pair (beta1, beta2), got {betas!r}") from err
    return (_hyper(f"betas[0]{where}", b1, high=1.0), _hyper(f"betas[1]{where}", b2, high=1.0))


# --------------------------------------------------------------------------- SGD and sampling


def minibatch_oracle(grad_batch: Callable[[np.ndarray, np.ndarray], Any], n: int, b: int, *,
                     replace: bool = True) -> Callable[[np.ndarray, np.random.Generator],
                                                       np.ndarray]:
    """A stochastic gradient oracle ``g(x, rng)`` that averages ``b`` of ``n`` examples.

    Implements the mini-batch gradient (eq-sto-minibatch) of chapter ``opt-stochastic``.
    With ``replace=True`` each call draws ``b`` indices independently and uniformly from
    ``{0, ..., n-1}``. With ``replace=False`` it follows a random permutation of the examples
    (random reshuffling, as ``torch.utils.data.DataLoader(shuffle=True, drop_last=True)``): an
    epoch is ``n // b`` consecutive calls, and a new permutation is drawn when fewer than ``b``
    unused examples remain (the remainder is dropped). Either way ``E g(x) = grad f(x)``.

    Parameters
    ----------
    grad_batch : callable
        ``grad_batch(x, idx)`` returns the mean gradient of the examples ``idx``. For ``x`` of
        shape ``(d,)``, ``idx`` has shape ``(b,)``; for a stack of ``R`` independent runs,
        ``x`` has shape ``(R, d)``, ``idx`` shape ``(R, b)``, and the result shape ``(R, d)``.
    n, b : int
        Number of examples and batch size, ``1 <= b`` (and ``b <= n`` without replacement).
    replace : bool
        Sample with (default) or without replacement.

    Returns
    -------
    callable
        ``oracle(x, rng)``; it keeps its place in the permutation between calls, so use a new
        oracle for every run.
    """
    if not callable(grad_batch):
        raise TypeError(f"grad_batch must be callable, got {type(grad_batch).__name__}")
    for name, v in (("n", n), ("b", b)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be an int >= 1, got {v!r}")
    if not replace and b > n:
        raise ValueError(f"without replacement the batch size b={b} cannot exceed n={n}")
    state: dict[str, Any] = {"perm": None, "pos": 0}

    def oracle(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        lead = np.shape(x)[:-1]
        if replace:
            idx = rng.integers(n, size=lead + (b,))
        else:
            if state["perm"] is None or state["pos"] + b > n or state["perm"].shape[:-1] != lead:
                state["perm"] = rng.permuted(np.broadcast_to(np.arange(n), lead + (n,)), axis=-1)
                state["pos"] = 0
            idx = state["perm"][..., state["pos"]:state["pos"] + b]
            state["pos"] += b
        return np.asarray(grad_batch(x, idx), dtype=np.float64)

    return oracle


def sgd(grad: Callable[..., Any], x0: Any, step: Any, n_steps: int, *,
        rng: Any = None, every: int = 1,
        callback: Callable[[int, np.ndarray], None] | None = None
        ) -> np.ndarray:
    """Stochastic gradient descent ``x <- x - eta_k g(x)``; returns the history.

    Implements (eq-sto-sgd) of chapter ``opt-stochastic``. With
    ``rng=None`` the oracle is called as ``grad(x)`` (this is gradient
    descent); otherwise as ``grad(x, rng)`` with one shared
    ``numpy.random.Generator``.

    Parameters
    ----------
    grad : callable
        Stochastic gradient oracle; returns an array of the shape of ``x``.
    x0 : array_like, shape (d,) or (R, d)
        Start; a 2-D ``x0`` runs ``R`` independent copies at once (the
        oracle must accept it, as those of :func:`minibatch_oracle` do).
    step : float or callable
        Constant ``eta >= 0`` or schedule ``k -> eta_k`` (for example from
        :mod:`dlf.schedules`).
    n_steps : int
        Number of steps.
    rng : int, numpy.random.Generator or None
        Randomness passed to the oracle.
    every : int
        Keep every ``every``-th iterate (``x_0, x_every, ...``);
        ``n_steps`` must be a multiple of ``every``.
    callback : callable, optional
        ``callback(k, x_k)`` for every ``k = 0, ..., n_steps`` (read-only).

    Returns
    -------
    ndarray of float64, shape (n_steps // every + 1,) + x0.shape
    """
    x, n_steps = _start(grad, x0, n_steps, callback, stacked=True)
    eta, rng = _lr_fn("step", step), _as_rng(rng)
    if isinstance(every, bool) or not isinstance(every, (int, np.integer)) \
            or every < 1:
        raise ValueError(f"every must be an int >= 1, got {every!r}")
    if n_steps % every:
        raise ValueError(f"n_steps={n_steps} must be a multiple of "
                         f"every={every}")
    xs = np.empty((n_steps // every + 1,) + x.shape)
    xs[0] = x
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(x))
        if k % every == 0:
            xs[k // every] = x
        if k == n_steps:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - eta(k) * _call(grad, x, rng)
        if not np.isfinite(x).all():
            raise FloatingPointError(f"sgd: iterate {k + 1} is not finite; "
                                     "is the step too large?")
    return xs


def polyak_average(xs: Any, start: int = 0) -> np.ndarray:
    """Running Polyak-Ruppert averages ``(x_start + ... + x_k) / (k - start + 1)``.

    Implements (eq-sto-polyak) of chapter ``opt-stochastic``.

    Parameters
    ----------
    xs : array_like, shape (K + 1, ...)
        An iterate history (as returned by :func:`sgd`).
    start : int
        First iterate included (a burn-in), ``0 <= start <= K``.

    Returns
    -------
    ndarray of float64, shape (K + 1 - start, ...)
        Row ``j`` is the average of ``xs[start], ..., xs[start + j]``.
    """
    a = _real_array("xs", xs)
    if a.ndim < 1 or a.shape[0] == 0:
        raise ValueError(f"xs must be a non-empty history, got shape {a.shape}")
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) \
            or not 0 <= start < a.shape[0]:
        raise ValueError(f"start must be an int in [0, {a.shape[0] - 1}] (xs holds "
                         f"{a.shape[0]} iterates, shape {a.shape}), got {start!r}")
    counts = np.arange(1, a.shape[0] - start + 1).reshape((-1,) + (1,) * (a.ndim - 1))
    return np.cumsum(a[start:], axis=0) / counts


def sgd_floor_least_squares(X: Any, y: Any, step: float, b: int = 1, *,
                            moment: bool = False) -> float | tuple[float, np.ndarray]:
    """Exact stationary excess loss of constant-step SGD on least squares.

    For ``f(w) = ||X w - y||^2 / (2 n)`` and SGD with step ``eta`` and mini-batches of ``b``
    examples drawn with replacement, the second moment ``M_k = E (w_k - w*)(w_k - w*)^T``
    obeys the linear recursion (eq-sto-ls-moment) of chapter ``opt-stochastic``; this function
    solves for its fixed point ``M`` and returns ``lim E f(w_k) - f* = tr(H M) / 2``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Features, with ``H = X^T X / n`` positive definite.
    y : array_like, shape (n,)
    step : float
        Constant step ``eta > 0``.
    b : int
        Batch size (with replacement).
    moment : bool
        Also return the stationary second moment ``M``.

    Returns
    -------
    float, or (float, ndarray of shape (d, d))
        The noise floor ``F(eta, b)`` (and ``M`` if ``moment``).

    Raises
    ------
    ValueError
        If the second-moment recursion is unstable (its spectral radius is >= 1): then SGD's
        second moment diverges and there is no floor.
    """
    X = _real_array("X", X)
    y = _real_array("y", y)
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite non-empty 2-D array, got shape {X.shape}")
    n, d = X.shape
    if y.shape != (n,) or not np.all(np.isfinite(y)):
        raise ValueError(f"y must be a finite array of shape ({n},), got shape {y.shape}")
    eta = _step_positive(step)
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1:
        raise ValueError(f"b must be an int >= 1, got {b!r}")
    H = X.T @ X / n
    if np.linalg.eigvalsh(H)[0] <= 1e-12 * max(1.0, np.linalg.eigvalsh(H)[-1]):
        raise ValueError("X^T X / n must be positive definite (n >= d, full column rank)")
    w_star = np.linalg.solve(H, X.T @ y / n)
    G = X * (X @ w_star - y)[:, None]  # per-example gradients at w*
    Sigma = G.T @ G / n
    Z = np.einsum("ni,nj->nij", X, X).reshape(n, d * d)  # rows vec(x_i x_i^T)
    eye = np.eye(d)
    K = (np.eye(d * d) - eta * (np.kron(H, eye) + np.kron(eye, H))
         + eta**2 * (Z.T @ Z / (b * n) + (1 - 1 / b) * np.kron(H, H)))
    if np.max(np.abs(np.linalg.eigvals(K))) >= 1:
        raise ValueError(f"step={eta:g}, b={b}: the second moment of SGD diverges")
    M = np.linalg.solve(np.eye(d * d) - K, (eta**2 / b * Sigma).ravel()).reshape(d, d)
    M = (M + M.T) / 2
    floor = float(0.5 * np.trace(H @ M))
    return (floor, M) if moment else floor


# ---------------------------------------------------------------------- variance reduction


def _check_finite_sum(n: Any, rng: Any) -> tuple[int, np.random.Generator]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    gen = _as_rng(rng)
    if gen is None:
        raise TypeError("rng must be an int seed or a numpy Generator (the methods sample)")
    return _int_scalar("n", n), gen


def _table(grad_i: Callable[..., Any], x: np.ndarray, n: int) -> np.ndarray:
    table = np.empty((n, x.size))
    for i in range(n):
        table[i] = _oracle_i(grad_i, x, i)
    return table


def _oracle_i(grad_i: Callable[..., Any], x: np.ndarray, i: int) -> np.ndarray:
    g = np.asarray(grad_i(x, i), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad_i returned shape {g.shape}, expected {x.shape} (shape of x0)")
    return g


def sag(grad_i: Callable[..., Any], x0: Any, step: float, n_steps: int, n: int, *,
        rng: Any) -> np.ndarray:
    """Stochastic average gradient (SAG): step along the mean of a table of gradients.

    Implements (eq-sto-sag) of chapter ``opt-stochastic``: draw ``j`` uniformly, refresh
    ``table[j] = grad_i(x_k, j)``, then ``x_{k+1} = x_k - eta * mean(table)``. The table starts
    at the gradients at ``x0`` (``n`` evaluations); every step then costs one evaluation.

    Parameters
    ----------
    grad_i : callable
        Per-example gradient ``grad_i(x, i)`` of ``f_i``, ``f = (1/n) sum_i f_i``.
    x0 : array_like, shape (d,)
    step : float
        Constant step ``eta > 0`` (theory: ``1 / (16 L_max)``; ``1 / L_max`` works in practice).
    n_steps, n : int
        Number of steps and of examples.
    rng : int or numpy.random.Generator

    Returns
    -------
    ndarray of float64, shape (n_steps + 1, d)
    """
    x, n_steps = _start(grad_i, x0, n_steps, None, oracle="grad_i")
    n, gen = _check_finite_sum(n, rng)
    eta = _step_positive(step)
    table = _table(grad_i, x, n)
    total = table.sum(axis=0)
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    for k, j in enumerate(gen.integers(n, size=n_steps)):
        g = _oracle_i(grad_i, x, int(j))
        with np.errstate(over="ignore", invalid="ignore"):
            total += g - table[j]
            table[j] = g
            x = x - eta * total / n
        _finite_or_raise(x, k + 1, "sag")
        xs[k + 1] = x
    return xs


def saga(grad_i: Callable[..., Any], x0: Any, step: float, n_steps: int,
         n: int, *, rng: Any) -> np.ndarray:
    """SAGA: an unbiased variance-reduced step built from a gradient table.

    Implements (eq-sto-saga) of chapter ``opt-stochastic``: draw ``j``
    uniformly, step along ``grad_i(x_k, j) - table[j] + mean(table)``, then
    set ``table[j] = grad_i(x_k, j)``. The table starts at the gradients at
    ``x0``. Arguments and result as for :func:`sag` (theory step
    ``1 / (3 L_max)``).
    """
    x, n_steps = _start(grad_i, x0, n_steps, None, oracle="grad_i")
    n, gen = _check_finite_sum(n, rng)
    eta = _step_positive(step)
    table = _table(grad_i, x, n)
    total = table.sum(axis=0)
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    for k, j in enumerate(gen.integers(n, size=n_steps)):
        g = _oracle_i(grad_i, x, int(j))
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - eta * (g - table[j] + total / n)
            total += g - table[j]
            table[j] = g
        _finite_or_raise(x, k + 1, "saga")
        xs[k + 1] = x
    return xs


def svrg(grad_i: Callable[..., Any], x0: Any, step: float, n_epochs: int, n: int, *, rng: Any,
         m: int | None = None, snapshot: str = "last",
         full_grad: Callable[[np.ndarray], Any] | None = None) -> np.ndarray:
    """Stochastic variance-reduced gradient (SVRG); returns the snapshots.

    Implements (eq-sto-svrg) of chapter ``opt-stochastic``. Each epoch computes the full
    gradient ``mu = grad f(w)`` at the snapshot ``w``, then runs ``m`` inner steps
    ``x <- x - eta (grad_i(x, j) - grad_i(w, j) + mu)`` from ``x = w`` with ``j`` uniform.
    The next snapshot is the last inner iterate (``snapshot="last"``, what is used in
    practice) or one of the ``m`` iterates ``x_0, ..., x_{m-1}`` chosen uniformly
    (``snapshot="random"``, the version covered by Johnson and Zhang's theorem).

    Parameters
    ----------
    grad_i : callable
        Per-example gradient ``grad_i(x, i)``.
    x0 : array_like, shape (d,)
    step : float
        Inner step ``eta > 0`` (the theorem needs ``eta < 1 / (4 L_max)``).
    n_epochs, n : int
        Number of epochs (snapshots after the first) and of examples.
    rng : int or numpy.random.Generator
    m : int, optional
        Inner steps per epoch; default ``2 n``. An epoch costs ``n + 2 m`` evaluations.
    snapshot : {"last", "random"}
    full_grad : callable, optional
        ``full_grad(w)``; defaults to the mean of ``grad_i(w, i)`` over all ``i``.

    Returns
    -------
    ndarray of float64, shape (n_epochs + 1, d)
        The snapshots ``w_0 = x0, w_1, ...``.
    """
    x, n_epochs = _start(grad_i, x0, n_epochs, None, count="n_epochs", oracle="grad_i")
    n, gen = _check_finite_sum(n, rng)
    eta = _step_positive(step)
    m = 2 * n if m is None else m
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m must be an int >= 1, got {m!r}")
    if snapshot not in ("last", "random"):
        raise ValueError(f"snapshot must be 'last' or 'random', got {snapshot!r}")
    if full_grad is not None and not callable(full_grad):
        raise TypeError(f"full_grad must be callable or None, got {type(full_grad).__name__}")
    ws = np.empty((n_epochs + 1, x.size))
    ws[0] = w = x
    for s in range(n_epochs):
        mu = (_table(grad_i, w, n).mean(axis=0) if full_grad is None
              else np.asarray(full_grad(w), dtype=np.float64))
        keep = int(gen.integers(m)) if snapshot == "random" else m
        x, chosen = w.copy(), w
        for t, j in enumerate(gen.integers(n, size=m)):
            if t == keep:
                chosen = x
            with np.errstate(over="ignore", invalid="ignore"):
                x = x - eta * (_oracle_i(grad_i, x, int(j)) - _oracle_i(grad_i, w, int(j)) + mu)
        _finite_or_raise(x, s + 1, "svrg")
        w = x if snapshot == "last" else chosen
        ws[s + 1] = w
    return ws


# -------------------------------------------------------------------------- adaptive methods


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with ``0 / 0 := 0`` (a coordinate whose gradients were all zero, eps = 0)."""
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


def _adaptive_loop(name: str, grad: Callable[..., Any], x0: Any, lr: Any, n_steps: int, rng: Any,
                   callback: Any, bounds: Any, update: Callable[[int, np.ndarray, np.ndarray,
                                                                 float], np.ndarray],
                   lr_name: str = "lr") -> np.ndarray:
    """Shared driver: ``x <- clip(x - update(k, x, g, lr_k))``, recording every iterate."""
    x, n_steps = _start(grad, x0, n_steps, callback)
    eta, gen, box = _lr_fn(lr_name, lr), _as_rng(rng), _bounds(bounds)
    if box is not None:
        x = np.minimum(np.maximum(x, box[0]), box[1])
    xs = np.empty((n_steps + 1, x.size))
    xs[0] = x
    for k in range(n_steps + 1):
        if callback is not None:
            callback(k, _readonly(xs[k]))
        if k == n_steps:
            break
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            x = x - update(k, x, _call(grad, x, gen), eta(k))
        if box is not None:  # the projection onto the box
            x = np.minimum(np.maximum(x, box[0]), box[1])
        if not np.isfinite(x).all():
            _finite_or_raise(x, k + 1, name)
        xs[k + 1] = x
    return xs


def adagrad(grad: Callable[..., Any], x0: Any, lr: Any, n_steps: int, *, eps: float = 1e-10,
            initial_accumulator: float = 0.0, bounds: Any = None, rng: Any = None,
            callback: Callable[[int, np.ndarray], None] | None = None) -> np.ndarray:
    """Diagonal AdaGrad: ``x <- x - lr g / (sqrt(G) + eps)`` with ``G = sum of g * g``.

    Implements (eq-sto-adagrad) of chapter ``opt-stochastic`` with the conventions of
    ``torch.optim.Adagrad`` (``eps`` outside the square root). With ``bounds=(lo, hi)`` every
    iterate is clipped to the box ``[lo, hi]^d``; for a diagonal preconditioner this clipping
    is exactly the projection in the preconditioner's norm used by the regret bound.

    Parameters
    ----------
    grad : callable
        Oracle ``grad(x)``, or ``grad(x, rng)`` when ``rng`` is given.
    x0 : array_like, shape (d,)
    lr : float or callable
        Step ``lr >= 0`` or schedule ``k -> lr_k``.
    n_steps : int
    eps, initial_accumulator : float
        ``eps >= 0`` in the denominator; starting value ``>= 0`` of ``G``.
    bounds : (float, float), optional
    rng : int, numpy.random.Generator or None
    callback : callable, optional

    Returns
    -------
    ndarray of float64, shape (n_steps + 1, d)
    """
    eps = _hyper("eps", eps)
    acc = _hyper("initial_accumulator", initial_accumulator)
    state: dict[str, Any] = {"G": None}

    def update(k: int, x: np.ndarray, g: np.ndarray, lr_k: float) -> np.ndarray:
        if state["G"] is None:
            state["G"] = np.full_like(x, acc)
        state["G"] = state["G"] + g * g
        return lr_k * _ratio(g, np.sqrt(state["G"]) + eps)

    return _adaptive_loop("adagrad", grad, x0, lr, n_steps, rng, callback, bounds, update)


def rmsprop(grad: Callable[..., Any], x0: Any, lr: Any, n_steps: int, *, alpha: float = 0.99,
            eps: float = 1e-8, rng: Any = None,
            callback: Callable[[int, np.ndarray], None] | None = None) -> np.ndarray:
    """RMSProp: ``v <- alpha v + (1 - alpha) g^2``, ``x <- x - lr g / (sqrt(v) + eps)``.

    Implements (eq-sto-rmsprop) of chapter ``opt-stochastic`` with the conventions of
    ``torch.optim.RMSprop`` (``v_0 = 0``, no bias correction, ``eps`` outside the root).
    Arguments as for :func:`adagrad`; ``alpha`` in ``[0, 1)``.
    """
    alpha = _hyper("alpha", alpha, high=1.0)
    eps = _hyper("eps", eps)
    state: dict[str, Any] = {"v": 0.0}

    def update(k: int, x: np.ndarray, g: np.ndarray, lr_k: float) -> np.ndarray:
        state["v"] = alpha * state["v"] + (1 - alpha) * g * g
        return lr_k * _ratio(g, np.sqrt(state["v"]) + eps)

    return _adaptive_loop("rmsprop", grad, x0, lr, n_steps, rng, callback, None, update)


def adam(grad: Callable[..., Any], x0: Any, lr: Any, n_steps: int, *,
         betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         weight_decay: float = 0.0, decoupled: bool = False, amsgrad: bool = False,
         bias_correction: bool = True, bounds: Any = None, rng: Any = None,
         callback: Callable[[int, np.ndarray], None] | None = None) -> np.ndarray:
    """Adam and its variants (AdamW, AMSGrad), as in ``torch.optim.Adam``.

    Implements (eq-sto-adam) of chapter ``opt-stochastic``: with ``g`` the gradient,

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2`` (``m_0 = v_0 = 0``),
    ``x <- x - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`` at step ``t = 1, 2, ...``

    Parameters
    ----------
    grad : callable
        Oracle ``grad(x)``, or ``grad(x, rng)`` when ``rng`` is given.
    x0 : array_like, shape (d,)
    lr : float or callable
        Step ``lr >= 0`` or schedule ``k -> lr_k`` (``k = t - 1``).
    n_steps : int
    betas : (float, float)
        EMA factors in ``[0, 1)``; defaults (0.9, 0.999).
    eps : float
        ``>= 0``, added to the root of the second moment (default 1e-8).
    weight_decay : float
        ``lambda >= 0``. ``decoupled=False``: L2 penalty, ``g <- g + lambda x`` before the
        moments (``torch.optim.Adam``); ``decoupled=True``: ``x <- (1 - lr lambda) x`` before
        the step (AdamW, ``torch.optim.AdamW``).
    amsgrad : bool
        Normalize by the running maximum of ``v`` (AMSGrad, ``amsgrad=True`` in torch).
    bias_correction : bool
        Divide by ``1 - b1^t`` and ``1 - b2^t`` (default). ``False`` gives the uncorrected
        method analysed by Reddi, Kale and Kumar.
    bounds : (float, float), optional
        Clip every iterate to ``[lo, hi]^d`` (projected Adam for online problems).
    rng, callback
        As for :func:`adagrad`.

    Returns
    -------
    ndarray of float64, shape (n_steps + 1, d)
    """
    b1, b2 = _betas(betas)
    eps = _hyper("eps", eps)
    wd = _hyper("weight_decay", weight_decay)
    decoupled, amsgrad = _flag("decoupled", decoupled), _flag("amsgrad", amsgrad)
    bias_correction = _flag("bias_correction", bias_correction)
    state: dict[str, Any] = {"m": 0.0, "v": 0.0, "vmax": 0.0}

    def update(k: int, x: np.ndarray, g: np.ndarray, lr_k: float) -> np.ndarray:
        t = k + 1
        shrink = 0.0
        if wd and decoupled:
            shrink = lr_k * wd * x  # x <- (1 - lr wd) x, applied before the Adam step
        elif wd:
            g = g + wd * x
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g * g
        v = state["v"]
        if amsgrad:
            state["vmax"] = v = np.maximum(state["vmax"], v)
        c1, c2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
        return shrink + (lr_k / c1) * _ratio(state["m"], np.sqrt(v) / np.sqrt(c2) + eps)

    return _adaptive_loop("adam", grad, x0, lr, n_steps, rng, callback, bounds, update)


def adamw(grad: Callable[..., Any], x0: Any, lr: Any, n_steps: int, *, weight_decay: float = 1e-2,
          **kwargs: Any) -> np.ndarray:
    """AdamW: :func:`adam` with decoupled weight decay (default ``1e-2``, as in torch)."""
    return adam(grad, x0, lr, n_steps, weight_decay=weight_decay, decoupled=True, **kwargs)


def amsgrad(grad: Callable[..., Any], x0: Any, lr: Any, n_steps: int, **kwargs: Any) -> np.ndarray:
    """AMSGrad: :func:`adam` normalized by the running maximum of the second moment."""
    return adam(grad, x0, lr, n_steps, amsgrad=True, **kwargs)


def sign_descent(grad: Callable[..., Any], x0: Any, step: Any, n_steps: int, *, rng: Any = None,
                 callback: Callable[[int, np.ndarray], None] | None = None) -> np.ndarray:
    """Sign descent ``x <- x - eta sign(g)``: steepest descent for the max-norm.

    Implements (eq-sto-sign) of chapter ``opt-stochastic``; it is Adam with ``betas = (0, 0)``
    and ``eps = 0``. Arguments as for :func:`sgd` (``x0`` of shape ``(d,)``).
    """
    def update(k: int, x: np.ndarray, g: np.ndarray, lr_k: float) -> np.ndarray:
        return lr_k * np.sign(g)

    return _adaptive_loop("sign_descent", grad, x0, step, n_steps, rng, callback, None,
                          update, lr_name="step")


# --------------------------------------------------------- torch.optim-compatible optimizers


def _step_all(opt: torch.optim.Optimizer, closure: Callable[[], Any] | None,
              param_step: Callable[..., None]) -> Any:
    """One optimizer step: evaluate ``closure`` (if any), then update every parameter."""
    loss = None
    if closure is not None and not callable(closure):
        raise TypeError(f"closure must be callable or None, got {type(closure).__name__}")
    if closure is not None:
        with torch.enable_grad():
            loss = closure()
    with torch.no_grad():
        for group in opt.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(f"{type(opt).__name__} does not support sparse gradients")
                state, g = opt.state[p], (-p.grad if group.get("maximize") else p.grad)
                if torch.is_complex(p):  # as torch: a complex number is a pair of reals
                    param_step(torch.view_as_real(p), torch.view_as_real(g), group, state)
                else:
                    param_step(p, g, group, state)
    return loss


def _check_params(params: Any) -> Any:
    """``params`` unchanged if it can be an iterable of tensors or param groups (torch checks
    the rest); a generator is not consumed."""
    if params is None or isinstance(params, (str, bytes)) or not hasattr(params, "__iter__"):
        raise TypeError("params must be an iterable of tensors or of param-group dicts, got "
                        f"{type(params).__name__} ({params!r:.40})")
    return params


def _flag(name: str, value: Any) -> bool:
    """A boolean option: ``True`` or ``False`` (not 1, "yes", ...)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} ({value!r})")
    return bool(value)


_NONNEG = ("lr", "momentum", "dampening", "weight_decay", "eps", "lr_decay",
           "initial_accumulator_value")
_FLAGS = ("nesterov", "amsgrad", "centered", "maximize")


def _add_checked_group(self: torch.optim.Optimizer, param_group: dict[str, Any]) -> None:
    """``add_param_group`` that validates the group (its overrides too) like the defaults."""
    torch.optim.Optimizer.add_param_group(self, param_group)
    group, where = self.param_groups[-1], f" (param group {len(self.param_groups) - 1})"
    for i, p in enumerate(group["params"]):
        if not bool(torch.isfinite(p.detach()).all()):
            raise ValueError(f"params must be finite: parameter {i}{where}, shape "
                             f"{tuple(p.shape)}, holds nan or inf")
    for key in group:
        if key in _NONNEG:
            group[key] = _hyper(key + where, group[key])
        elif key in _FLAGS:
            group[key] = _flag(key + where, group[key])
        elif key == "alpha":
            group[key] = _hyper(key + where, group[key], high=1.0)
        elif key == "betas":
            group[key] = _betas(group[key], where)
    if group.get("nesterov") and (group["momentum"] == 0 or group["dampening"] != 0):
        raise ValueError(f"nesterov=True needs momentum > 0 and dampening = 0{where}, got "
                         f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")


class SGD(torch.optim.Optimizer):
    """SGD with heavy-ball or Nesterov momentum and L2 weight decay, as ``torch.optim.SGD``.

    Implements (eq-sto-sgd) of chapter ``opt-stochastic``, with the velocity form of momentum
    derived in chapter ``opt-momentum``: ``g <- g + wd p``; with
    momentum ``mu > 0``, ``buf <- mu buf + (1 - dampening) g`` (``buf = g`` at the first
    step) and the direction is ``buf`` or, with ``nesterov=True``, ``g + mu buf``;
    then ``p <- p - lr * direction``.

    Raises ``ValueError`` naming the argument for a negative ``lr``, ``momentum``,
    ``dampening`` or ``weight_decay``, and for ``nesterov=True`` without momentum or with
    dampening.
    """

    add_param_group = _add_checked_group  # validates overrides in param groups

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": _hyper("lr", lr), "momentum": _hyper("momentum", momentum),
                    "maximize": _flag("maximize", maximize),
                    "dampening": _hyper("dampening", dampening),
                    "weight_decay": _hyper("weight_decay", weight_decay),
                    "nesterov": _flag("nesterov", nesterov)}
        if nesterov and (defaults["momentum"] == 0 or defaults["dampening"] != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={momentum!r}, dampening={dampening!r}")
        super().__init__(_check_params(params), defaults)

    def _param_step(self, p: torch.Tensor, g: torch.Tensor, group: dict[str, Any],
                    state: dict[str, Any]) -> None:
        if group["weight_decay"]:
            g = g.add(p, alpha=group["weight_decay"])
        mom = group["momentum"]
        if mom:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.detach().clone()
            else:
                buf.mul_(mom).add_(g, alpha=1 - group["dampening"])
            g = g.add(buf, alpha=mom) if group["nesterov"] else buf
        p.add_(g, alpha=-group["lr"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one step; ``closure`` (optional) re-evaluates the loss and returns it."""
        return _step_all(self, closure, self._param_step)


class AdaGrad(torch.optim.Optimizer):
    """Diagonal AdaGrad, as ``torch.optim.Adagrad``.

    Implements (eq-sto-adagrad) of chapter ``opt-stochastic``: ``g <- g + wd p``,
    ``G <- G + g^2``, ``p <- p - lr_t g / (sqrt(G) + eps)`` with
    ``lr_t = lr / (1 + (t - 1) lr_decay)``. Negative ``lr``, ``lr_decay``, ``weight_decay``,
    ``initial_accumulator_value`` or ``eps`` raise ``ValueError`` naming the argument.
    """

    add_param_group = _add_checked_group  # validates overrides in param groups

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = {"lr": _hyper("lr", lr), "lr_decay": _hyper("lr_decay", lr_decay),
                    "maximize": _flag("maximize", maximize),
                    "weight_decay": _hyper("weight_decay", weight_decay),
                    "initial_accumulator_value": _hyper("initial_accumulator_value",
                                                        initial_accumulator_value),
                    "eps": _hyper("eps", eps)}
        super().__init__(_check_params(params), defaults)

    def _param_step(self, p: torch.Tensor, g: torch.Tensor, group: dict[str, Any],
                    state: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["sum"] = torch.full_like(p, group["initial_accumulator_value"])
        state["step"] = int(state["step"]) + 1  # an int, also after loading torch's state
        if group["weight_decay"]:
            g = g.add(p, alpha=group["weight_decay"])
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"].addcmul_(g, g)
        p.addcdiv_(g, state["sum"].sqrt().add_(group["eps"]), value=-clr)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one step; ``closure`` (optional) re-evaluates the loss and returns it."""
        return _step_all(self, closure, self._param_step)


class RMSProp(torch.optim.Optimizer):
    """RMSProp (optionally centered, with momentum), as ``torch.optim.RMSprop``.

    Implements (eq-sto-rmsprop) of chapter ``opt-stochastic``: ``g <- g + wd p``,
    ``v <- alpha v + (1 - alpha) g^2``; ``centered=True`` subtracts the square of an EMA of
    ``g`` from ``v``; the direction is ``g / (sqrt(v) + eps)``, accumulated into a buffer
    ``buf <- momentum buf + direction`` when ``momentum > 0``; ``p <- p - lr * (buf or
    direction)``. ``alpha`` outside ``[0, 1)`` and negative ``lr``, ``eps``, ``momentum`` or
    ``weight_decay`` raise ``ValueError`` naming the argument.
    """

    add_param_group = _add_checked_group  # validates overrides in param groups

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": _hyper("lr", lr), "alpha": _hyper("alpha", alpha, high=1.0),
                    "maximize": _flag("maximize", maximize),
                    "eps": _hyper("eps", eps),
                    "weight_decay": _hyper("weight_decay", weight_decay),
                    "momentum": _hyper("momentum", momentum),
                    "centered": _flag("centered", centered)}
        super().__init__(_check_params(params), defaults)

    def _param_step(self, p: torch.Tensor, g: torch.Tensor, group: dict[str, Any],
                    state: dict[str, Any]) -> None:
        if not state:
            state["square_avg"] = torch.zeros_like(p)
            state["grad_avg"] = torch.zeros_like(p)
            state["momentum_buffer"] = torch.zeros_like(p)
        if group["weight_decay"]:
            g = g.add(p, alpha=group["weight_decay"])
        a = group["alpha"]
        v = state["square_avg"].mul_(a).addcmul_(g, g, value=1 - a)
        if group["centered"]:
            ga = state["grad_avg"].lerp_(g, 1 - a)
            denom = v.addcmul(ga, ga, value=-1).sqrt_().add_(group["eps"])
        else:
            denom = v.sqrt().add_(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"].mul_(group["momentum"]).addcdiv_(g, denom)
            p.add_(buf, alpha=-group["lr"])
        else:
            p.addcdiv_(g, denom, value=-group["lr"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one step; ``closure`` (optional) re-evaluates the loss and returns it."""
        return _step_all(self, closure, self._param_step)


class Adam(torch.optim.Optimizer):
    """Adam with bias correction (and AMSGrad), as ``torch.optim.Adam``.

    Implements (eq-sto-adam) of chapter ``opt-stochastic``, with
    ``weight_decay`` as an L2 penalty added to the gradient. ``betas``
    outside ``[0, 1)`` and a negative ``lr``, ``eps`` or ``weight_decay``
    raise ``ValueError`` naming the argument.
    """

    _decoupled = False

    add_param_group = _add_checked_group  # validates overrides in param groups

    def __init__(self, params: Any, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = {"lr": _hyper("lr", lr), "betas": _betas(betas),
                    "maximize": _flag("maximize", maximize),
                    "eps": _hyper("eps", eps),
                    "weight_decay": _hyper("weight_decay", weight_decay),
                    "amsgrad": _flag("amsgrad", amsgrad)}
        super().__init__(_check_params(params), defaults)

    def _param_step(self, p: torch.Tensor, g: torch.Tensor,
                    group: dict[str, Any], state: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
            state["max_exp_avg_sq"] = torch.zeros_like(p)
        state["step"] = int(state["step"]) + 1  # an int, also after loading torch's state
        t, lr, wd = state["step"], group["lr"], group["weight_decay"]
        b1, b2 = group["betas"]
        if wd and self._decoupled:  # AdamW
            p.mul_(1 - lr * wd)
        elif wd:  # L2 penalty
            g = g.add(p, alpha=wd)
        m = state["exp_avg"].lerp_(g, 1 - b1)  # raw moving averages
        v = state["exp_avg_sq"].mul_(b2).addcmul_(g, g, value=1 - b2)
        if group["amsgrad"]:
            v = torch.maximum(state["max_exp_avg_sq"], v,
                              out=state["max_exp_avg_sq"])
        denom = (v.sqrt() / math.sqrt(1 - b2**t)).add_(group["eps"])
        p.addcdiv_(m, denom, value=-lr / (1 - b1**t))  # bias corrections

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One step; ``closure`` (optional) re-evaluates and returns the loss."""
        return _step_all(self, closure, self._param_step)


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` (default ``weight_decay=1e-2``).

    Each step first shrinks ``p <- (1 - lr wd) p`` and then takes the Adam step of the loss
    gradient alone (eq-sto-adamw of chapter ``opt-stochastic``).
    """

    _decoupled = True

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class AMSGrad(Adam):
    """AMSGrad: :class:`Adam` normalized by the running maximum of the second moment.

    Equal to ``torch.optim.Adam(..., amsgrad=True)`` (eq-sto-amsgrad of chapter
    ``opt-stochastic``).
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad=True, maximize=maximize)

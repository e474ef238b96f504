"""Learning-rate schedules as plain functions of the step index.

Each function maps a step index ``k = 0, 1, 2, ...`` (an int, or an integer array for a whole
schedule at once) to the learning rate used at step ``k``, in closed form. They are meant to be
read side by side with the formulas of chapter ``opt-stochastic`` and passed as the ``step`` or
``lr`` argument of the methods in :mod:`dlf.optim`, e.g.
``functools.partial(schedules.cosine, lr=0.1, n_steps=1000)``.

Where PyTorch has an equivalent scheduler, the value at step ``k`` equals the learning rate
that ``torch.optim.lr_scheduler`` sets after ``k`` calls of ``scheduler.step()``:

* :func:`constant`: ``LambdaLR(opt, lambda k: 1.0)``;
* :func:`step_decay`: ``StepLR(opt, step_size, gamma)``;
* :func:`exponential`: ``ExponentialLR(opt, gamma)``;
* :func:`cosine`: ``CosineAnnealingLR(opt, T_max=n_steps, eta_min=lr_min)`` for
  ``k <= n_steps`` (torch's rate then rises again; here it stays at ``lr_min``);
* :func:`linear_warmup`: ``LinearLR(opt, start_factor, 1.0, total_iters=n_warmup)``;
* :func:`warmup_cosine`: ``SequentialLR`` of the two above with milestone ``n_warmup``;
* :func:`inverse_time`: ``LambdaLR(opt, lambda k: k0 / (k + k0))`` with base rate
  ``beta / k0``.

Derived in: ``opt-stochastic``. Depends on: numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["constant", "step_decay", "exponential", "cosine", "linear_warmup", "warmup_cosine",
           "inverse_time"]


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


def _steps(k: Any) -> tuple[np.ndarray, bool]:
    """``k`` as an int64 array of non-negative step indices, and whether it was a scalar."""
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):  # fast path
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k!r}")
        return np.int64(k), True
    a = np.asarray(k)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"k must be an int or an integer array, got {a.dtype} ({k!r})")
    if np.any(a < 0):
        raise ValueError(f"k must be >= 0, got {k!r}")
    return a.astype(np.int64), a.ndim == 0


def _out(v: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(v) if scalar else v.astype(np.float64)


def _real(name: str, value: Any, *, low: float = 0.0, high: float = np.inf,
          low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    v = _real_scalar(name, value)
    ok = np.isfinite(v) and (v > low if low_open else v >= low) and \
        (v < high if high_open else v <= high)
    if not ok:
        lb = "(" if low_open else "["
        rb = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {lb}{low:g}, {high:g}{rb}, got {value!r}")
    return v


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return _int_scalar(name, value)


def constant(k: Any, lr: float) -> float | np.ndarray:
    """``eta_k = lr`` for every ``k``."""
    ks, scalar = _steps(k)
    return _out(np.full(ks.shape, _real("lr", lr)), scalar)


def step_decay(k: Any, lr: float, step_size: int, gamma: float = 0.1) -> float | np.ndarray:
    """Piecewise constant decay ``eta_k = lr * gamma ** (k // step_size)``.

    Parameters
    ----------
    k : int or integer array
        Step index (``>= 0``).
    lr : float
        Initial rate, ``>= 0``.
    step_size : int
        Steps between decays, ``>= 1``.
    gamma : float
        Factor per decay, in ``[0, 1]``.
    """
    ks, scalar = _steps(k)
    lr, gamma = _real("lr", lr), _real("gamma", gamma, high=1.0)
    return _out(lr * gamma ** (ks // _count("step_size", step_size)), scalar)


def exponential(k: Any, lr: float, gamma: float) -> float | np.ndarray:
    """Geometric decay ``eta_k = lr * gamma ** k`` (``gamma`` in ``[0, 1]``)."""
    ks, scalar = _steps(k)
    lr, gamma = _real("lr", lr), _real("gamma", gamma, high=1.0)
    return _out(lr * gamma ** ks.astype(np.float64), scalar)


def cosine(k: Any, lr: float, n_steps: int, lr_min: float = 0.0) -> float | np.ndarray:
    """Cosine annealing from ``lr`` to ``lr_min`` over ``n_steps`` steps.

    Implements (eq-sto-cosine) of chapter ``opt-stochastic``:
    ``eta_k = lr_min + (lr - lr_min) (1 + cos(pi k / n_steps)) / 2`` for ``k <= n_steps`` and
    ``eta_k = lr_min`` afterwards.

    Parameters
    ----------
    k : int or integer array
    lr : float
        Peak rate, ``>= lr_min``.
    n_steps : int
        Length of the half period, ``>= 1``.
    lr_min : float
        Final rate, ``>= 0``.
    """
    ks, scalar = _steps(k)
    n_steps = _count("n_steps", n_steps)
    lr_min = _real("lr_min", lr_min)
    lr = _real("lr", lr, low=lr_min)
    frac = np.minimum(ks, n_steps) / n_steps
    return _out(lr_min + (lr - lr_min) * 0.5 * (1.0 + np.cos(np.pi * frac)), scalar)


def linear_warmup(k: Any, lr: float, n_warmup: int,
                  start_factor: float = 0.0) -> float | np.ndarray:
    """Linear warm-up from ``start_factor * lr`` to ``lr`` over ``n_warmup`` steps, then flat.

    ``eta_k = lr * (start_factor + (1 - start_factor) * min(k, n_warmup) / n_warmup)``.
    With the default ``start_factor = 0`` the first step has rate 0 (PyTorch's ``LinearLR``
    requires ``start_factor > 0``).

    Parameters
    ----------
    k : int or integer array
    lr : float
        Rate reached at the end of the warm-up, ``>= 0``.
    n_warmup : int
        Warm-up length, ``>= 1``.
    start_factor : float
        In ``[0, 1]``.
    """
    ks, scalar = _steps(k)
    lr, sf = _real("lr", lr), _real("start_factor", start_factor, high=1.0)
    n_warmup = _count("n_warmup", n_warmup)
    return _out(lr * (sf + (1.0 - sf) * np.minimum(ks, n_warmup) / n_warmup), scalar)


def warmup_cosine(k: Any, lr: float, n_warmup: int, n_steps: int,
                  lr_min: float = 0.0,
                  start_factor: float = 0.0) -> float | np.ndarray:
    """Linear warm-up for ``n_warmup`` steps, then cosine annealing.

    The composition used to train most transformers: :func:`linear_warmup`
    for ``k < n_warmup``, then :func:`cosine` shifted by ``n_warmup`` and
    lasting ``n_steps - n_warmup`` steps, so that the rate reaches
    ``lr_min`` at ``k = n_steps``.

    Parameters
    ----------
    k : int or integer array
    lr, lr_min : float
        Peak and final rates, ``0 <= lr_min <= lr``.
    n_warmup, n_steps : int
        ``1 <= n_warmup < n_steps``.
    start_factor : float
        Warm-up start as a fraction of ``lr``, in ``[0, 1]``.
    """
    ks, scalar = _steps(k)
    n_warmup = _count("n_warmup", n_warmup)
    n_steps = _count("n_steps", n_steps)
    if n_warmup >= n_steps:
        raise ValueError(f"need n_warmup < n_steps, got n_warmup={n_warmup}, "
                         f"n_steps={n_steps}")
    warm = linear_warmup(ks, lr, n_warmup, start_factor)
    cool = cosine(np.maximum(ks - n_warmup, 0), lr, n_steps - n_warmup, lr_min)
    return _out(np.where(ks < n_warmup, warm, cool), scalar)


def inverse_time(k: Any, beta: float, k0: float) -> float | np.ndarray:
    """Robbins-Monro steps ``eta_k = beta / (k + k0)``.

    Implements (eq-sto-inverse-time) of chapter ``opt-stochastic``: with ``beta > 1/mu`` and
    ``k0`` large enough, SGD on a ``mu``-strongly convex problem converges like ``O(1/k)``.

    Parameters
    ----------
    k : int or integer array
    beta : float
        Scale, ``> 0``.
    k0 : float
        Offset, ``> 0`` (so ``eta_0 = beta / k0``).
    """
    ks, scalar = _steps(k)
    beta = _real("beta", beta, low_open=True)
    k0 = _real("k0", k0, low_open=True)
    return _out(beta / (ks + k0), scalar)

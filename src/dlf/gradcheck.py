"""Finite-difference derivatives, the independent oracle for every gradient in the book.

Central differences ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` have error ``O(h^2)`` for smooth
``f`` (Taylor's theorem with remainder, chapter ``toolkit``), plus a rounding error of order
``eps_mach |f| / h``; ``h`` near ``eps_mach^(1/3)``, about ``6e-6`` in float64, balances the
two (the default ``1e-6`` and the ``1e-5`` of ``dlf.mlp`` are both within a factor 6 of it),
so a correct analytic gradient typically agrees to a relative error near ``1e-9`` or better.

Derived in: ``toolkit`` (used by every chapter that checks a gradient). Depends on: numpy only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["numerical_gradient", "numerical_jacobian", "relative_error"]


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


def _point(x: Any) -> np.ndarray:
    if np.iscomplexobj(x):
        raise TypeError(f"x must be real numbers, got complex numbers ({x!r:.60})")
    try:
        a = np.array(
            x, dtype=np.float64
        )  # a copy: the caller's array is never modified
    except (TypeError, ValueError) as err:
        raise TypeError(f"x must be an array of real numbers, got {type(x).__name__} "
                        f"({err})") from None
    if a.size == 0:
        raise ValueError(f"x must be a non-empty array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("x must be finite")
    return a


def _step(h: float) -> float:
    if not (isinstance(h, (int, float)) and np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite float, got {h!r}")
    return _real_scalar("h", h)


def _f_failed(err: Exception, x: np.ndarray) -> Exception:
    """The error of a failing ``f``, retold to name ``x`` (its shape is the usual culprit)."""
    kind = TypeError if isinstance(err, TypeError) else ValueError
    return kind(f"f failed at x of shape {x.shape} (is x the input f expects?): "
                f"{type(err).__name__}: {err}")


def numerical_gradient(
    f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Maps an array of the shape of ``x`` to a scalar.
    x : array_like, any shape
        Point of evaluation (converted to float64; not modified).
    h : float
        Step, ``> 0``.

    Returns
    -------
    ndarray of float64, shape of ``x``
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x = _point(x)
    h = _step(h)
    g = np.empty_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        try:
            fp = np.asarray(f(x), dtype=np.float64)
            flat[i] = old - h
            fm = np.asarray(f(x), dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise _f_failed(err, x) from err
        flat[i] = old
        if fp.size != 1:
            raise ValueError(f"f must return a scalar, got shape {fp.shape}")
        gflat[i] = (fp.item() - fm.item()) / (2 * h)
    return g


def numerical_jacobian(
    f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-6
) -> np.ndarray:
    """Central-difference Jacobian of ``f`` at ``x``: ``J[i, j] = d f_i / d x_j``.

    Both input and output are flattened: for ``x`` of shape ``(n,)`` and ``f(x)`` of shape
    ``(m,)`` the result has shape ``(m, n)``; in general ``(f(x).size, x.size)``.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x = _point(x)
    h = _step(h)
    flat = x.reshape(-1)
    cols = []
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + h
        try:
            fp = np.array(f(x), dtype=np.float64).reshape(-1)
            flat[j] = old - h
            fm = np.array(f(x), dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as err:
            raise _f_failed(err, x) from err
        flat[j] = old
        cols.append((fp - fm) / (2 * h))
    return np.stack(cols, axis=1)


def relative_error(a: Any, b: Any, floor: float = 1e-12) -> float:
    """``max|a - b| / max(max|a|, max|b|, floor)``: a scale-free discrepancy of two arrays.

    ``floor`` (finite, ``> 0``) keeps the ratio defined when both arrays are zero.
    """
    a = _real_array("a", a)
    b = _real_array("b", b)
    floor = _real_scalar("floor", floor)
    if not (np.isfinite(floor) and floor > 0):
        raise ValueError(f"floor must be a finite number > 0, got {floor!r}")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {a.shape} and {b.shape}"
        )
    scale = max(
        float(np.max(np.abs(a), initial=0.0)),
        float(np.max(np.abs(b), initial=0.0)),
        floor,
    )
    return float(np.max(np.abs(a - b), initial=0.0)) / scale

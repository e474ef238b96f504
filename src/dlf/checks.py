"""Assertion helpers that print what they measured and fail with the numbers.

Every numerical claim in the book is followed by one of these checks. Each helper prints one line
such as ``contraction: 0.9802 <= bound 0.99 (measured/bound 0.99)  ok`` and raises
:class:`AssertionError` carrying the same numbers when the claim is false, so a failing build
says what went wrong. The helpers return ``None``, so a check as the last line of a notebook
cell adds no stray output.

Derived in: none (infrastructure used by every chapter). Depends on: numpy only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "check_close",
    "check_le",
    "check_ge",
    "check_true",
    "check_raises",
    "loglog_slope",
    "check_slope",
    "glue",
]


def _real_array(name: str, x, copy: bool = False) -> np.ndarray:
    """``x`` as a float64 array; ``TypeError`` naming ``name`` for None, text or complex input."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__} "
                        f"({err})") from None
    if a.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "U": "text", "S": "text"}.get(a.dtype.kind,
                                                                      type(x).__name__)
        raise TypeError(f"{name} must be real numbers, got {what} ({x!r:.60})")
    return np.array(a, dtype=np.float64) if copy else a.astype(np.float64, copy=False)


def _tolerance(arg: str, value: Any, *, positive: bool = False) -> float:
    """A finite real tolerance ``>= 0`` (``> 0`` if ``positive``): an infinite one cannot fail."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                       np.floating)):
        raise TypeError(f"{arg} must be a real number, got {type(value).__name__} ({value!r:.40})")
    v = float(value)
    if not np.isfinite(v) or v < 0 or (positive and v == 0):
        raise ValueError(f"{arg} must be finite and {'> 0' if positive else '>= 0'} (a check "
                         f"with an infinite tolerance cannot fail), got {arg}={value!r}")
    return v


def _fmt(x: Any) -> str:
    a = np.asarray(x)
    if a.ndim == 0:
        v = a.item()
        if isinstance(v, (bool, np.bool_)):
            return str(v)
        if isinstance(v, (int, np.integer)):
            return str(v)
        return f"{v:.6g}"
    if a.size <= 6:
        return np.array2string(a, precision=6, separator=", ")
    return f"array(shape={a.shape}, min={a.min():.6g}, max={a.max():.6g})"


def _finite(name: str, arg: str, x: Any) -> np.ndarray:
    a = _real_array(arg, x)
    if not np.all(np.isfinite(a)):
        raise AssertionError(f"{name}: {arg} is not finite: {_fmt(a)}")
    return a


def check_close(name: str, measured: Any, expected: Any, *, rtol: float = 1e-7,
                atol: float = 0.0) -> None:
    """Assert ``|measured - expected| <= atol + rtol * |expected|`` elementwise.

    Parameters
    ----------
    name : str
        What is compared; printed at the start of the line.
    measured, expected : float or array_like
        The computed quantity and the independent reference (closed form, finite differences,
        PyTorch). Shapes must broadcast.
    rtol, atol : float
        Relative and absolute tolerances (non-negative).
    """
    rtol = _tolerance("rtol", rtol)
    atol = _tolerance("atol", atol)
    m = _finite(name, "measured", measured)
    e = _finite(name, "expected", expected)
    try:
        dev = np.abs(m - e)
    except ValueError as err:
        raise ValueError(f"{name}: shapes {m.shape} and {e.shape} do not broadcast") from err
    err_max = float(dev.max()) if dev.size else 0.0
    ok = bool(np.all(dev <= atol + rtol * np.abs(e)))
    tol = f"rtol {rtol:g}" + (f", atol {atol:g}" if atol else "")
    if dev.size == 1:
        line = f"{name}: {_fmt(m)} vs expected {_fmt(e)}, |diff| {err_max:.2g} ({tol})"
    else:
        line = f"{name}: max |diff| {err_max:.2g} over {dev.size} entries ({tol})"
    if not ok:
        if dev.size > 1:
            excess = dev - rtol * np.abs(e)
            where = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), dev.shape))
            mb, eb = np.broadcast_arrays(m, e)
            line += f"; worst entry {where}: {_fmt(mb[where])} vs {_fmt(eb[where])}"
        raise AssertionError(line + "  FAILED")
    print(line + "  ok")


def _compare(name: str, measured: Any, bound: Any, op: str) -> None:
    m = _finite(name, "measured", measured)
    b = _finite(name, "bound", bound)
    try:
        gap = b - m if op == "<=" else m - b  # >= 0 where the claim holds
    except ValueError as err:
        raise ValueError(f"{name}: shapes {m.shape} and {b.shape} do not broadcast") from err
    holds = bool(np.all(gap >= 0))
    if gap.size == 1:
        line = f"{name}: {_fmt(m)} {op} bound {_fmt(b)}"
    else:
        n_ok = int(np.sum(gap >= 0))
        line = (f"{name}: {n_ok} of {gap.size} entries {op} bound, "
                f"tightest margin {float(gap.min()):.3g}")
        if not holds:
            where = tuple(int(i) for i in np.unravel_index(int(np.argmin(gap)), gap.shape))
            mb, bb = np.broadcast_arrays(m, b)
            line += f"; worst entry {where}: {_fmt(mb[where])} vs bound {_fmt(bb[where])}"
    line += _tightness(m, b, op)
    if not holds:
        raise AssertionError(line + "  FAILED")
    print(line + "  ok")


def _tightness(m: np.ndarray, b: np.ndarray, op: str) -> str:
    """`` (measured/bound 0.93)``: how nearly an inequality is attained (1 = exactly).

    For ``m <= b`` the ratio is ``m/b``, for ``m >= b`` it is ``b/m``, each taken where both
    sides are positive (for arrays: the entry closest to equality). A bound that holds with
    ratio 0.1 could be ten times too generous and still pass: the reader sees it.
    """
    mb, bb = np.broadcast_arrays(m, b)
    pos = (mb > 0) & (bb > 0)
    if not np.any(pos):
        return ""
    num, den = (mb[pos], bb[pos]) if op == "<=" else (bb[pos], mb[pos])
    label = "measured/bound" if op == "<=" else "bound/measured"
    return f" ({label} {float(np.max(num / den)):.3g})"


def check_le(name: str, measured: Any, bound: Any) -> None:
    """Assert ``measured <= bound`` (elementwise for arrays), printing both sides.

    Where both sides are positive the line also shows ``measured/bound``, how nearly the bound
    is attained.
    """
    _compare(name, measured, bound, "<=")


def check_ge(name: str, measured: Any, bound: Any) -> None:
    """Assert ``measured >= bound`` (elementwise for arrays), printing both sides.

    Where both sides are positive the line also shows ``bound/measured``, how nearly the bound
    is attained.
    """
    _compare(name, measured, bound, ">=")


def check_true(name: str, condition: Any, detail: str = "") -> None:
    """Assert an exact (boolean or integer) fact, printing ``detail`` with it.

    Use for facts with no tolerance, such as an exact count of linear pieces.
    """
    ok = bool(np.all(np.asarray(condition)))
    line = f"{name}: {detail}" if detail else f"{name}"
    if not ok:
        raise AssertionError(line + "  FAILED")
    print(line + "  ok")


def check_raises(exc_type: type[BaseException] | tuple[type[BaseException], ...],
                 func: Callable[..., Any], *args: Any, match: str | None = None,
                 **kwargs: Any) -> None:
    """Assert that ``func(*args, **kwargs)`` raises ``exc_type``, its message containing ``match``.

    Unlike the ``raises-exception`` cell tag, this fails when nothing is raised or when the
    wrong exception is raised.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    types = exc_type if isinstance(exc_type, tuple) else (exc_type,)
    if not types or not all(isinstance(e, type) and issubclass(e, BaseException) for e in types):
        raise TypeError(f"exc_type must be an exception class or a tuple of them, got {exc_type!r}")
    if match is not None and not isinstance(match, str):
        raise TypeError(f"match must be a str or None, got {type(match).__name__} ({match!r})")
    names = exc_type.__name__ if isinstance(exc_type, type) else \
        " or ".join(e.__name__ for e in exc_type)
    fname = getattr(func, "__name__", repr(func))
    try:
        func(*args, **kwargs)
    except exc_type as exc:
        if match is not None and match not in str(exc):
            raise AssertionError(f"{fname} raised {type(exc).__name__}({exc}) but the message "
                                 f"does not contain {match!r}  FAILED") from exc
        print(f"{fname} raised {type(exc).__name__}: {exc}  ok")
        return
    except BaseException as exc:  # wrong type: report it
        raise AssertionError(f"{fname} raised {type(exc).__name__}({exc}), expected {names}"
                             "  FAILED") from exc
    raise AssertionError(f"{fname} raised nothing, expected {names}  FAILED")


def loglog_slope(x: Any, y: Any) -> float:
    """Least-squares slope of ``log y`` against ``log x``.

    ``x`` and ``y`` must be 1-D, of equal length at least 2, and strictly positive.
    """
    xa = _real_array("x", x)
    ya = _real_array("y", y)
    if xa.ndim != 1 or ya.shape != xa.shape or xa.size < 2:
        raise ValueError(f"x and y must be 1-D of equal length >= 2, got shapes {xa.shape} "
                         f"and {ya.shape}")
    if np.any(xa <= 0) or np.any(ya <= 0) or not np.all(np.isfinite(xa * ya)):
        raise ValueError("x and y must be finite and strictly positive for a log-log fit")
    lx, ly = np.log(xa), np.log(ya)
    return float(np.polyfit(lx, ly, 1)[0])


def check_slope(name: str, x: Any, y: Any, expected: float, *, tol: float) -> None:
    """Assert that the log-log slope of ``y`` against ``x`` is within ``tol`` of ``expected``.

    The slope itself is :func:`loglog_slope`.
    """
    tol = _tolerance("tol", tol, positive=True)
    if isinstance(expected, (bool, np.bool_)) or not isinstance(
            expected, (int, float, np.integer, np.floating)):
        raise TypeError(f"expected must be a real number, got {expected!r:.40}")
    if not np.isfinite(expected):
        raise ValueError(f"expected must be finite, got expected={expected!r}")
    s = loglog_slope(x, y)
    line = f"{name}: log-log slope {s:.4f} vs expected {expected:.4f} (tol {tol:g})"
    if not abs(s - expected) <= tol:
        raise AssertionError(line + "  FAILED")
    print(line + "  ok")


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record a computed number for the chapter's prose (myst-nb's ``glue``), if it is there.

    The book's build inserts the value into the text wherever ``{glue:text}`name``` appears, so
    the prose always quotes what the code computed. Outside the build (a downloaded notebook run
    with only the ``dlf`` wheel installed), myst-nb is usually absent: then the value is shown
    when ``display`` is true and nothing happens otherwise. NumPy scalars are stored as Python
    numbers, so that a format such as ``:.3f`` applies. Any value is stored as given (NaN,
    inf and complex numbers included: glue records, it does not check).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    if isinstance(value, np.generic):
        value = value.item()
    try:
        from myst_nb import glue as _glue
    except ImportError:
        if display:
            print(f"{name}: {value}")
        return
    _glue(name, value, display=display)


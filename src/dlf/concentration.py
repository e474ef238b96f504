"""Tail bounds and high-dimensional geometry, as plain functions.

Every bound of chapter ``toolkit`` is a function of the quantities in its
statement, so that a chapter can print it next to a measured tail probability:

* :func:`markov_bound`, :func:`chebyshev_bound`: moments only;
* :func:`hoeffding_bound` and :func:`hoeffding_sample_size`: means of bounded
  variables;
* :func:`chernoff_upper`, :func:`chernoff_lower`: sums of independent variables
  in ``[0, 1]`` relative to their mean, in three forms with different ranges of
  validity;
* :func:`bernstein_bound`, :func:`matrix_bernstein_tail`,
  :func:`matrix_bernstein_mean`: bounds that use the variance, for scalars and
  for matrices;
* :func:`union_bound`;
* :func:`ball_volume`, :func:`shell_fraction`, :func:`sphere_cap_bound`,
  :func:`sample_sphere`, :func:`sample_ball`: the geometry of high dimensions.

The bounds broadcast over array arguments, return a float for scalar input and
an array otherwise, and are capped at 1 (a probability bound above 1 says
nothing). A form used outside the range where it is a theorem raises
``ValueError``: for instance ``exp(-delta^2 mu / 3)`` is a valid Chernoff bound
only for ``0 < delta <= 1``.

Derived in: ``toolkit``. Depends on: numpy and the standard library (``math``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "markov_bound",
    "chebyshev_bound",
    "hoeffding_bound",
    "hoeffding_sample_size",
    "chernoff_upper",
    "chernoff_lower",
    "bernstein_bound",
    "matrix_bernstein_tail",
    "matrix_bernstein_mean",
    "union_bound",
    "ball_volume",
    "shell_fraction",
    "sphere_cap_bound",
    "sample_sphere",
    "sample_ball",
]


# -----------------------------------------------------------------------------
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


def _real(
    name: str,
    value: Any,
    *,
    low: float = -np.inf,
    high: float = np.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray:
    """``value`` as a float64 array whose entries lie in the given interval."""
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, np.ndarray) and value.dtype == bool
    ):
        raise TypeError(f"{name} must be real, got a boolean")
    try:
        a = _real_array(name, value)
    except TypeError as err:
        raise TypeError(
            f"{name} must be a real number or array, got "
            f"{type(value).__name__}"
        ) from err
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    bad = (
        ~np.isfinite(a)
        | (a <= low if low_open else a < low)
        | (a >= high if high_open else a > high)
    )
    if np.any(bad):
        worst = float(a[bad].flat[0]) if a.ndim else float(a)
        raise ValueError(
            f"{name} must lie in {lo}{low:g}, {high:g}{hi}, got {worst:g}"
        )
    return a


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} ({value!r})"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _ints(name: str, value: Any, minimum: int) -> np.ndarray:
    """An int or an array of ints, each at least ``minimum``."""
    a = np.asarray(value)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
        raise TypeError(
            f"{name} must be an int or an array of ints, got dtype {a.dtype}"
        )
    if np.any(a < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {a.min()}")
    return a.astype(np.int64)


def _out(a: np.ndarray) -> float | np.ndarray:
    a = np.minimum(a, 1.0)
    return float(a) if a.ndim == 0 else a


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_int("seed", seed, 0))


# -----------------------------------------------------------------------------
# moment bounds


def markov_bound(mean: Any, t: Any) -> float | np.ndarray:
    """Markov's inequality ``P(X >= t) <= E[X] / t`` for ``X >= 0``
    (eq-tk-markov).

    Parameters
    ----------
    mean : float or array_like
        ``E[X] >= 0``.
    t : float or array_like
        Threshold, ``t > 0``. Broadcasts with ``mean``.

    Returns
    -------
    float or ndarray of float64
        ``min(1, mean / t)``.
    """
    m = _real("mean", mean, low=0.0)
    t = _real("t", t, low=0.0, low_open=True)
    return _out(m / t)


def chebyshev_bound(variance: Any, t: Any) -> float | np.ndarray:
    """Chebyshev's inequality ``P(|X - E X| >= t) <= Var(X) / t^2``
    (eq-tk-chebyshev).

    Parameters
    ----------
    variance : float or array_like
        ``Var(X) >= 0``.
    t : float or array_like
        Deviation, ``t > 0``.

    Returns
    -------
    float or ndarray of float64
        ``min(1, variance / t^2)``.
    """
    v = _real("variance", variance, low=0.0)
    t = _real("t", t, low=0.0, low_open=True)
    return _out(v / t**2)


# -----------------------------------------------------------------------------
# bounded variables


def hoeffding_bound(
    t: Any, n: int, *, width: float = 1.0, two_sided: bool = False
) -> float | np.ndarray:
    """Hoeffding's inequality for the mean of ``n`` independent bounded
    variables (eq-tk-hoeffding).

    If ``X_1, ..., X_n`` are independent and each ``X_i`` takes values in an
    interval of length ``width``, the mean ``M = (X_1 + ... + X_n) / n``
    satisfies ``P(M - E M >= t) <= exp(-2 n t^2 / width^2)``; the two-sided
    bound on ``P(|M - E M| >= t)`` is twice that.

    Parameters
    ----------
    t : float or array_like
        Deviation of the mean, ``t > 0``.
    n : int
        Number of variables, ``n >= 1``.
    width : float
        Length ``b - a > 0`` of the interval ``[a, b]`` containing each
        variable.
    two_sided : bool

    Returns
    -------
    float or ndarray of float64
    """
    t = _real("t", t, low=0.0, low_open=True)
    n = _int("n", n, 1)
    c = _real("width", width, low=0.0, low_open=True)
    if c.ndim:
        raise ValueError(f"width must be a scalar, got shape {c.shape}")
    return _out((2.0 if two_sided else 1.0) * np.exp(-2.0 * n * t**2 / c**2))


def hoeffding_sample_size(
    eps: float, delta: float, *, width: float = 1.0, two_sided: bool = True
) -> int:
    """Smallest ``n`` for which Hoeffding's bound on ``P(|M - E M| >= eps)`` is
    at most ``delta``: ``n = ceil(width^2 log(2 / delta) / (2 eps^2))``
    (``log(1/delta)`` one-sided).

    Parameters
    ----------
    eps : float
        Accuracy, ``eps > 0``.
    delta : float
        Failure probability, ``0 < delta < 1``.
    width : float
        Length of the interval containing each variable, ``> 0``.
    two_sided : bool

    Returns
    -------
    int
    """
    e = float(_real("eps", eps, low=0.0, low_open=True))
    dl = float(
        _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    )
    c = float(_real("width", width, low=0.0, low_open=True))
    k = 2.0 if two_sided else 1.0
    n = math.ceil(c**2 * math.log(k / dl) / (2.0 * e**2))
    # guard against rounding in ceil: the returned n must satisfy the bound
    while k * math.exp(-2.0 * n * e**2 / c**2) > dl:
        n += 1
    return max(n, 1)


def _chernoff_args(mu: Any, delta: Any) -> tuple[np.ndarray, np.ndarray]:
    m = _real("mu", mu, low=0.0, low_open=True)
    d = _real("delta", delta, low=0.0, low_open=True)
    return m, d


def chernoff_upper(
    mu: Any, delta: Any, form: str = "mgf"
) -> float | np.ndarray:
    """Multiplicative Chernoff bound on ``P(X >= (1 + delta) mu)``
    (eq-tk-chernoff).

    ``X`` is a sum of independent variables with values in ``[0, 1]`` (for
    instance Bernoulli) and ``mu = E[X]``. Three forms:

    * ``"mgf"``: ``(e^delta / (1 + delta)^(1 + delta))^mu``, valid for all
      ``delta > 0`` and the tightest of the three;
    * ``"2+delta"``: ``exp(-delta^2 mu / (2 + delta))``, valid for all
      ``delta > 0``;
    * ``"simple"``: ``exp(-delta^2 mu / 3)``, valid **only** for
      ``0 < delta <= 1``. It is often quoted for all ``delta > 0``, which is
      false: for ``X ~ Binomial(1000, 0.001)`` and ``delta = 5``,
      ``P(X >= 6) = 5.9e-4 > exp(-25/3) = 2.4e-4``. Larger ``delta`` raises
      ``ValueError``.

    Parameters
    ----------
    mu : float or array_like
        ``E[X] > 0``.
    delta : float or array_like
        Relative deviation, ``delta > 0``.
    form : {"mgf", "2+delta", "simple"}

    Returns
    -------
    float or ndarray of float64
    """
    m, d = _chernoff_args(mu, delta)
    if form == "mgf":
        return _out(np.exp(-m * ((1 + d) * np.log1p(d) - d)))
    if form == "2+delta":
        return _out(np.exp(-(d**2) * m / (2 + d)))
    if form == "simple":
        if np.any(d > 1):
            raise ValueError(
                f"form='simple' requires delta in (0, 1], got {np.max(d):g}"
            )
        return _out(np.exp(-(d**2) * m / 3))
    raise ValueError(
        f"form must be 'mgf', '2+delta' or 'simple', got {form!r}"
    )


def chernoff_lower(
    mu: Any, delta: Any, form: str = "mgf"
) -> float | np.ndarray:
    """Multiplicative Chernoff bound on ``P(X <= (1 - delta) mu)`` for
    ``0 < delta <= 1``.

    Same setting as :func:`chernoff_upper`. Forms: ``"mgf"``,
    ``(e^(-delta) / (1 - delta)^(1 - delta))^mu``, and ``"simple"``,
    ``exp(-delta^2 mu / 2)``; both hold for ``0 < delta <= 1`` (for
    ``delta > 1`` the event is impossible since ``X >= 0``, and the argument is
    rejected).

    Parameters
    ----------
    mu : float or array_like
        ``E[X] > 0``.
    delta : float or array_like
        ``0 < delta <= 1``.
    form : {"mgf", "simple"}

    Returns
    -------
    float or ndarray of float64
    """
    m, d = _chernoff_args(mu, delta)
    if np.any(d > 1):
        raise ValueError(
            f"delta must lie in (0, 1] for the lower tail, got {np.max(d):g}"
        )
    if form == "mgf":
        # (1 - delta) log(1 - delta) -> 0 as delta -> 1
        one_minus = 1.0 - d
        xlogx = np.where(
            one_minus > 0,
            one_minus * np.log(np.where(one_minus > 0, one_minus, 1.0)),
            0.0,
        )
        return _out(np.exp(-m * (xlogx + d)))
    if form == "simple":
        return _out(np.exp(-(d**2) * m / 2))
    raise ValueError(f"form must be 'mgf' or 'simple', got {form!r}")


# -----------------------------------------------------------------------------
# variance-sensitive bounds


def bernstein_bound(t: Any, variance: float, M: float) -> float | np.ndarray:
    """Bernstein's inequality ``P(S >= t) <= exp(-(t^2 / 2) / (v + M t / 3))``.

    ``S = X_1 + ... + X_n`` with independent, zero-mean ``X_i``,
    ``|X_i| <= M``, and ``v = sum_i E[X_i^2]`` (eq-tk-bernstein).

    Parameters
    ----------
    t : float or array_like
        ``t > 0``.
    variance : float
        ``v >= 0``.
    M : float
        Almost-sure bound on each ``|X_i|``, ``M >= 0``; ``v`` and ``M`` not
        both zero.

    Returns
    -------
    float or ndarray of float64
    """
    t = _real("t", t, low=0.0, low_open=True)
    v = _real("variance", variance, low=0.0)
    Mv = _real("M", M, low=0.0)
    if np.any(v + Mv == 0):
        raise ValueError("variance and M must not both be zero")
    return _out(np.exp(-(t**2 / 2) / (v + Mv * t / 3)))


def _dims(shape: Any) -> int:
    if not (isinstance(shape, (tuple, list)) and len(shape) == 2):
        raise ValueError(f"shape must be a pair (d1, d2), got {shape!r}")
    d1 = _int("shape[0]", shape[0], 1)
    d2 = _int("shape[1]", shape[1], 1)
    return d1 + d2


def matrix_bernstein_tail(
    t: Any, v: float, M: float, shape: tuple[int, int]
) -> float | np.ndarray:
    """Matrix Bernstein tail bound,
    ``P(||Z||_2 >= t) <= (d1 + d2) exp(-(t^2 / 2) / (v + M t / 3))``.

    ``Z = sum_i X_i`` for independent, zero-mean random ``d1 x d2`` matrices
    with ``||X_i||_2 <= M``, and
    ``v = max(||sum E X_i X_i^T||_2, ||sum E X_i^T X_i||_2)`` (Tropp 2015,
    Ch. 6; theorem ``thm-tk-bernstein`` of chapter ``toolkit``).

    Parameters
    ----------
    t : float or array_like
        ``t > 0``.
    v : float
        Matrix variance statistic, ``v >= 0``.
    M : float
        ``M >= 0``; ``v`` and ``M`` not both zero.
    shape : (int, int)
        ``(d1, d2)``.

    Returns
    -------
    float or ndarray of float64
    """
    t = _real("t", t, low=0.0, low_open=True)
    vv = _real("v", v, low=0.0)
    Mv = _real("M", M, low=0.0)
    if np.any(vv + Mv == 0):
        raise ValueError("v and M must not both be zero")
    return _out(_dims(shape) * np.exp(-(t**2 / 2) / (vv + Mv * t / 3)))


def matrix_bernstein_mean(v: float, M: float, shape: tuple[int, int]) -> float:
    """Matrix Bernstein in expectation:
    ``E ||Z||_2 <= sqrt(2 v log(d1 + d2)) + M log(d1 + d2) / 3``.

    Same setting as :func:`matrix_bernstein_tail`. Not capped (it is not a
    probability).
    """
    vv = float(_real("v", v, low=0.0))
    Mv = float(_real("M", M, low=0.0))
    log_d = math.log(_dims(shape))
    return math.sqrt(2 * vv * log_d) + Mv * log_d / 3


def union_bound(probs: Any) -> float:
    """``P(A_1 or ... or A_k) <= min(1, P(A_1) + ... + P(A_k))`` (eq-tk-union).

    Parameters
    ----------
    probs : array_like
        Probabilities of the events, each in ``[0, 1]``; any shape, all entries
        are summed.

    Returns
    -------
    float
    """
    p = _real("probs", probs, low=0.0, high=1.0)
    if p.size == 0:
        return 0.0
    return float(min(1.0, float(np.sum(p))))


# -----------------------------------------------------------------------------
# high-dimensional geometry


def ball_volume(d: Any, r: float = 1.0) -> float | np.ndarray:
    """Volume ``pi^(d/2) r^d / Gamma(d/2 + 1)`` of the ``d``-dimensional ball
    of radius ``r``.

    Implements (eq-tk-ball-volume), evaluated through logarithms so that large
    ``d`` underflows gracefully to 0 instead of overflowing.

    Parameters
    ----------
    d : int or array_like of int
        Dimension(s), ``d >= 1``.
    r : float
        Radius, ``r >= 0``.

    Returns
    -------
    float or ndarray of float64
    """
    dd = _ints("d", d, 1)
    rr = float(_real("r", r, low=0.0))
    lg = np.vectorize(math.lgamma, otypes=[np.float64])(dd / 2 + 1)
    log_r = math.log(rr) if rr > 0 else -np.inf
    with np.errstate(invalid="ignore"):
        out = np.exp(dd / 2 * math.log(math.pi) + dd * log_r - lg)
    return float(out) if out.ndim == 0 else out


def shell_fraction(d: Any, eps: Any) -> float | np.ndarray:
    """Fraction ``1 - (1 - eps)^d`` of the unit ``d``-ball's volume with
    ``1 - eps <= |x| <= 1``.

    Parameters
    ----------
    d : int or array_like of int
        Dimension(s), ``d >= 1``.
    eps : float or array_like
        Shell thickness, ``0 <= eps <= 1``. Broadcasts with ``d``.

    Returns
    -------
    float or ndarray of float64
    """
    dd = _ints("d", d, 1)
    e = _real("eps", eps, low=0.0, high=1.0)
    with np.errstate(divide="ignore"):
        out = -np.expm1(dd * np.log1p(-e))
    return float(out) if out.ndim == 0 else out


def sphere_cap_bound(t: Any, d: int) -> float | np.ndarray:
    """``P(<u, e> >= t) <= exp(-d t^2 / 2)`` for ``u`` uniform on the unit
    sphere of ``R^d``.

    ``e`` is any fixed unit vector and ``0 <= t < 1`` (theorem
    ``thm-tk-near-orthogonal``, proved by the cone argument of K. Ball, An
    elementary introduction to modern convex geometry, 1997). Double it for
    ``|<u, e>|``.

    Parameters
    ----------
    t : float or array_like
        ``0 <= t < 1``.
    d : int
        Dimension, ``d >= 2``.

    Returns
    -------
    float or ndarray of float64
    """
    tt = _real("t", t, low=0.0, high=1.0, high_open=True)
    d = _int("d", d, 2)
    return _out(np.exp(-d * tt**2 / 2))


def sample_sphere(n: int, d: int, seed: Any = 0) -> np.ndarray:
    """``n`` points uniform on the unit sphere of ``R^d``: normalized standard
    Gaussians.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 1``.
    d : int
        Dimension, ``d >= 1``.
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray of float64, shape (n, d)
        Rows of unit norm.
    """
    n = _int("n", n, 1)
    d = _int("d", d, 1)
    g = _rng(seed).standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def sample_ball(n: int, d: int, seed: Any = 0) -> np.ndarray:
    """``n`` points uniform in the unit ball of ``R^d``: a uniform direction
    times ``U^(1/d)``.

    The radius ``R = U^(1/d)``, ``U`` uniform on ``[0, 1]``, has
    ``P(R <= r) = r^d``, the fraction of the volume within radius ``r``.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 1``.
    d : int
        Dimension, ``d >= 1``.
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray of float64, shape (n, d)
    """
    n = _int("n", n, 1)
    d = _int("d", d, 1)
    rng = _rng(seed)
    u = sample_sphere(n, d, rng)
    return u * rng.random(n)[:, None] ** (1.0 / d)

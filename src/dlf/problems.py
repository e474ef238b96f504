"""Test objectives with known constants for the optimization chapters.

Each objective knows its value, gradient and Hessian, its smoothness constant ``L`` and (where it
has one) its strong-convexity or Polyak-Lojasiewicz constant ``mu``, so that a convergence bound
can be evaluated next to a measured run. Chapter ``opt-gd`` (Gradient descent) derives the
constants:

* :class:`Quadratic` and :func:`quadratic_with_spectrum`: ``f(x) = x^T A x / 2 - b^T x``, with
  ``mu`` and ``L`` the extreme eigenvalues of ``A`` (the exact rate of gradient descent);
* :class:`LogisticRegression`: the mean logistic loss plus a ridge term, smooth with
  ``L = ||X||_2^2 / (4 n) + lam`` and strongly convex with ``mu = lam``;
* :func:`nesterov_worst_case`: the tridiagonal quadratic behind the lower bound for first-order
  methods (Nesterov, Lectures on Convex Optimization, Sec. 2.1.2);
* :class:`PLExample` (:func:`pl_example`): ``x^2 + 3 sin^2 x``, nonconvex but
  Polyak-Lojasiewicz;
* :class:`CauchyRegression`: regression with the Cauchy loss ``log(1 + r^2)``, nonconvex,
  smooth and bounded below by 0.

The objectives evaluate a batch of points at once: ``f``, ``grad`` take ``x`` of shape
``(..., d)`` and return shapes ``(...)`` and ``(..., d)``, so ``f(xs)`` evaluates a whole
iterate history of shape ``(K + 1, d)``. Everything is float64.

Derived in: ``opt-gd``. Depends on: numpy and :mod:`dlf.data` (for the random eigenbasis).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlf import data

__all__ = [
    "Quadratic",
    "quadratic_with_spectrum",
    "nesterov_worst_case",
    "LogisticRegression",
    "PLExample",
    "pl_example",
    "LessardExample",  # opt-momentum
    "CauchyRegression",
]

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


def _int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    v = _real_scalar(name, value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {expected}, got {value!r}")
    return v


def _matrix(name: str, value: Any) -> np.ndarray:
    a = _real_array(name, value)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _points(name: str, x: Any, d: int) -> np.ndarray:
    """``x`` as float64 of shape ``(..., d)``."""
    a = _real_array(name, x)
    if a.ndim == 0 or a.shape[-1] != d:
        raise ValueError(f"{name} must have shape (..., {d}), got shape {a.shape}")
    return a


def _point(name: str, x: Any, d: int) -> np.ndarray:
    """``x`` as float64 of shape ``(d,)``."""
    a = _real_array(name, x)
    if a.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got shape {a.shape}")
    return a


# ---------------------------------------------------------------------------------------------
# quadratics


class Quadratic:
    r"""The quadratic ``f(x) = x^T A x / 2 - b^T x`` with symmetric ``A``.

    Its gradient is ``A x - b`` and its Hessian ``A`` everywhere, so it is ``L``-smooth with
    ``L = max_i |lambda_i(A)|`` and, when ``lambda_min(A) > 0``, ``mu``-strongly convex with
    ``mu = lambda_min(A)``. Gradient descent on it is linear:
    ``x_{k+1} - x* = (I - eta A)(x_k - x*)`` (the exact rate of chapter ``opt-gd``).

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric (to relative tolerance 1e-12); any signs of eigenvalues are allowed.
    b : array_like, shape (d,), optional
        Linear term; zeros if omitted.

    Attributes
    ----------
    A, b : ndarray of float64
    d : int
        Dimension.
    eigenvalues : ndarray of float64, shape (d,)
        Eigenvalues of ``A`` in ascending order.
    eigenvectors : ndarray of float64, shape (d, d)
        Orthonormal eigenvectors as columns, in the same order.
    L : float
        Smoothness constant ``max_i |lambda_i|`` (the spectral norm of ``A``).
    mu : float
        ``lambda_min(A)``: the strong-convexity constant when positive; zero means convex but not
        strongly convex, negative means nonconvex.
    """

    def __init__(self, A: Any, b: Any = None) -> None:
        A = _matrix("A", A)
        d = A.shape[0]
        if A.shape != (d, d):
            raise ValueError(f"A must be square, got shape {A.shape}")
        scale = max(float(np.abs(A).max()), 1.0)
        if not np.allclose(A, A.T, rtol=0.0, atol=1e-12 * scale):
            raise ValueError("A must be symmetric, got max |A - A^T| = "
                             f"{float(np.abs(A - A.T).max()):.3g}")
        self.A = (A + A.T) / 2
        self.d = d
        self.b = np.zeros(d) if b is None else _point("b", b, d).copy()
        if not np.all(np.isfinite(self.b)):
            raise ValueError("b must be finite")
        self.eigenvalues, self.eigenvectors = np.linalg.eigh(self.A)
        self.L = float(np.abs(self.eigenvalues).max())
        self.mu = float(self.eigenvalues[0])
        # eigenvalues this small are treated as exact zeros (rounding of a singular A)
        self._zero_tol = d * np.finfo(float).eps * max(self.L, np.finfo(float).tiny)

    @property
    def kappa(self) -> float:
        """Condition number ``L / mu``; ``inf`` unless ``A`` is positive definite."""
        return self.L / self.mu if self.mu > self._zero_tol else float("inf")

    def f(self, x: Any) -> np.ndarray | float:
        """Value ``x^T A x / 2 - b^T x`` for ``x`` of shape ``(..., d)``; result shape ``(...)``."""
        x = _points("x", x, self.d)
        val = 0.5 * np.einsum("...i,...i->...", x @ self.A, x) - x @ self.b
        return float(val) if val.ndim == 0 else val

    def grad(self, x: Any) -> np.ndarray:
        """Gradient ``A x - b`` for ``x`` of shape ``(..., d)``; same shape as ``x``."""
        x = _points("x", x, self.d)
        return x @ self.A - self.b

    def hess(self, x: Any = None) -> np.ndarray:
        """Hessian ``A`` (a copy, shape ``(d, d)``); the same at every point ``x``."""
        if x is not None:
            _point("x", x, self.d)
        return self.A.copy()

    def minimizer(self, x0: Any = None) -> np.ndarray:
        """The minimizer nearest to ``x0`` (default: the origin), shape ``(d,)``.

        It is ``x0 - A^+ (A x0 - b)``: when ``A`` is singular the minimizers form an affine set
        and the convex rate of chapter ``opt-gd`` uses the one closest to the start.

        Raises
        ------
        ValueError
            If ``f`` is unbounded below: ``A`` has a negative eigenvalue, or ``b`` is not in the
            range of ``A``.
        """
        if self.mu < -self._zero_tol:
            raise ValueError(f"f is unbounded below: A has the negative eigenvalue {self.mu:.3g}")
        x0 = np.zeros(self.d) if x0 is None else _point("x0", x0, self.d)
        V, lam = self.eigenvectors, self.eigenvalues
        inv = np.where(lam > self._zero_tol, 1.0 / np.where(lam > self._zero_tol, lam, 1.0), 0.0)
        r = V.T @ (self.A @ x0 - self.b)
        if np.any(np.abs(r[lam <= self._zero_tol]) > 1e-10 * max(1.0, float(np.abs(r).max()))):
            raise ValueError("f is unbounded below: b is not in the range of A")
        return x0 - V @ (inv * r)

    @property
    def f_star(self) -> float:
        """The minimum value ``min f`` (raises ``ValueError`` if ``f`` is unbounded below)."""
        return float(self.f(self.minimizer()))


def quadratic_with_spectrum(eigenvalues: Any, seed: Any = None, *,
                            x_star: Any = None) -> Quadratic:
    """A :class:`Quadratic` with prescribed eigenvalues and minimizer.

    ``A = Q diag(eigenvalues) Q^T`` with ``Q`` a Haar-random orthogonal matrix
    (:func:`dlf.data.quadratic_spectrum`), or ``Q = I`` when ``seed`` is ``None``; and
    ``b = A x_star``, so that ``x_star`` is a minimizer (the unique one when all eigenvalues
    are positive).

    Parameters
    ----------
    eigenvalues : array_like, shape (d,)
        Finite eigenvalues, any order; ``mu`` and ``L`` of the result are their extremes.
    seed : int, numpy.random.Generator or None
        Randomness of the eigenbasis; ``None`` gives a diagonal ``A``.
    x_star : array_like, shape (d,), optional
        The minimizer; zeros if omitted.

    Returns
    -------
    Quadratic
    """
    if seed is None:
        lam = _real_array("eigenvalues", eigenvalues)
        if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
            raise ValueError("eigenvalues must be a non-empty 1-D array of finite numbers, got "
                             f"{lam!r}")
        A = np.diag(lam)
    else:
        A = data.quadratic_spectrum(eigenvalues, seed=seed)
    d = A.shape[0]
    xs = np.zeros(d) if x_star is None else _point("x_star", x_star, d)
    return Quadratic(A, A @ xs)


def nesterov_worst_case(d: int, p: int | None = None, L: float = 1.0) -> Quadratic:
    r"""Nesterov's worst-case quadratic for first-order methods, on ``R^d``.

    Implements (eq-gd-nesterov-function) of chapter ``opt-gd``:

    ``f_p(x) = (L/4) * ( (x_1^2 + sum_{i<p} (x_i - x_{i+1})^2 + x_p^2) / 2 - x_1 )``,

    a quadratic with ``A = (L/4) T_p`` (``T_p``: the ``p x p`` tridiagonal matrix with 2 on the
    diagonal and -1 beside it, padded with zeros to ``d x d``) and ``b = (L/4) e_1``. It is
    convex and ``L``-smooth; its minimizer nearest the origin is ``x*_i = 1 - i/(p+1)`` for
    ``i <= p`` (zero beyond), with ``f* = -(L/8) (1 - 1/(p+1))``.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 1``.
    p : int, optional
        Number of coupled coordinates, ``1 <= p <= d``; defaults to ``d``.
    L : float
        Smoothness constant, ``L > 0``.

    Returns
    -------
    Quadratic
    """
    d = _int("d", d)
    p = d if p is None else _int("p", p)
    if p > d:
        raise ValueError(f"p must satisfy 1 <= p <= d = {d}, got p={p}")
    L = _positive("L", L)
    T = 2.0 * np.eye(p) - np.eye(p, k=1) - np.eye(p, k=-1)
    A = np.zeros((d, d))
    A[:p, :p] = (L / 4) * T
    b = np.zeros(d)
    b[0] = L / 4
    return Quadratic(A, b)


# ---------------------------------------------------------------------------------------------
# logistic regression


def _log1pexp(z: np.ndarray) -> np.ndarray:
    """``log(1 + exp(z))`` without overflow."""
    return np.logaddexp(0.0, z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` without overflow warnings, accurate in both tails."""
    return np.exp(-_log1pexp(-z))


class LogisticRegression:
    r"""Mean logistic loss with a ridge term, for labels in ``{-1, +1}``.

    Implements (eq-gd-logistic) of chapter ``opt-gd``:

    ``f(theta) = (1/n) sum_i log(1 + exp(-y_i x_i^T theta)) + (lam/2) ||theta||^2``.

    The Hessian is ``(1/n) X^T D X + lam I`` with ``D = diag(p_i (1 - p_i))`` and
    ``p_i (1 - p_i) <= 1/4``, so ``f`` is ``L``-smooth with ``L = ||X||_2^2 / (4 n) + lam``
    (attained at ``theta = 0``) and ``lam``-strongly convex.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Features (one row per example).
    y : array_like, shape (n,)
        Labels, each ``-1`` or ``+1``.
    lam : float
        Ridge coefficient, ``lam >= 0``.

    Attributes
    ----------
    X, y : ndarray of float64
    n, d : int
    lam, L, mu : float
        ``mu = lam``.
    """

    def __init__(self, X: Any, y: Any, lam: float = 0.0) -> None:
        self.X = _matrix("X", X)
        self.n, self.d = self.X.shape
        y = _real_array("y", y)
        if y.shape != (self.n,):
            raise ValueError(f"y must have shape ({self.n},) to match X, got shape {y.shape}")
        if not np.all((y == 1.0) | (y == -1.0)):
            raise ValueError(f"y must contain only -1 and +1, got values {np.unique(y)[:5]}")
        self.y = y
        self.lam = _positive("lam", lam, allow_zero=True)
        self.L = float(np.linalg.norm(self.X, 2) ** 2 / (4 * self.n) + self.lam)
        self.mu = self.lam
        self._x_star: np.ndarray | None = None

    def margins(self, theta: Any) -> np.ndarray:
        """``y_i x_i^T theta`` for ``theta`` of shape ``(..., d)``; returns shape ``(..., n)``."""
        theta = _points("theta", theta, self.d)
        return (theta @ self.X.T) * self.y

    def f(self, theta: Any) -> np.ndarray | float:
        """Objective value; ``theta`` of shape ``(..., d)``, result of shape ``(...)``."""
        theta = _points("theta", theta, self.d)
        val = (_log1pexp(-self.margins(theta)).mean(axis=-1)
               + 0.5 * self.lam * np.einsum("...i,...i->...", theta, theta))
        return float(val) if val.ndim == 0 else val

    def grad(self, theta: Any) -> np.ndarray:
        """Gradient ``-(1/n) X^T (y * sigmoid(-m)) + lam theta``; same shape as ``theta``."""
        theta = _points("theta", theta, self.d)
        s = _sigmoid(-self.margins(theta)) * self.y
        return -(s @ self.X) / self.n + self.lam * theta

    def hess(self, theta: Any) -> np.ndarray:
        """Hessian ``(1/n) X^T diag(p (1 - p)) X + lam I`` at ``theta`` of shape ``(d,)``."""
        theta = _point("theta", theta, self.d)
        m = self.margins(theta)
        w = _sigmoid(m) * _sigmoid(-m)
        return (self.X.T * w) @ self.X / self.n + self.lam * np.eye(self.d)

    def minimizer(self, *, tol: float = 1e-13, max_iter: int = 100) -> np.ndarray:
        """The unique minimizer (needs ``lam > 0``), by Newton's method with backtracking.

        A reference solution for the checks, independent of gradient descent. Stops when the
        gradient norm is below ``tol * max(1, ||grad f(0)||)``; the result is cached.
        """
        if self.lam <= 0:
            raise ValueError("minimizer needs lam > 0: without the ridge term the minimum may not "
                             "be attained (separable data)")
        tol = _positive("tol", tol)
        max_iter = _int("max_iter", max_iter)
        if self._x_star is not None:
            return self._x_star.copy()
        theta = np.zeros(self.d)
        g = self.grad(theta)
        target = tol * max(1.0, float(np.linalg.norm(g)))
        for _ in range(max_iter):
            if np.linalg.norm(g) <= target:
                break
            step = np.linalg.solve(self.hess(theta), g)
            t, f0, slope = 1.0, self.f(theta), float(g @ step)
            # Near the minimizer the predicted decrease (the squared Newton decrement) is below
            # the rounding error of f, so the Armijo test would reject the step for noise: Newton
            # is then in its quadratic phase and the full step is taken.
            noise = 1e3 * np.finfo(float).eps * max(1.0, abs(f0))
            while (slope > noise and self.f(theta - t * step) > f0 - 0.25 * t * slope
                   and t > 1e-10):
                t *= 0.5
            theta = theta - t * step
            g = self.grad(theta)
        else:
            raise RuntimeError(f"Newton's method did not reach tol={tol} in {max_iter} steps")
        self._x_star = theta
        return theta.copy()

    @property
    def f_star(self) -> float:
        """``min f`` (computed with :meth:`minimizer`)."""
        return float(self.f(self.minimizer()))


# ---------------------------------------------------------------------------------------------
# nonconvex examples


class PLExample:
    r"""``f(x) = sum_i (x_i^2 + 3 sin^2 x_i)``: nonconvex, yet Polyak-Lojasiewicz.

    Each term has second derivative ``2 + 6 cos(2 x)``, which ranges over ``[-4, 8]``: ``f`` is
    not convex and is ``L``-smooth with ``L = 8``. Its only stationary point is the global
    minimizer ``0`` with ``f* = 0``, and it satisfies the PL inequality
    ``||grad f(x)||^2 / 2 >= mu (f(x) - f*)`` with ``mu = 1/32`` (the constant quoted by
    Karimi, Nutini and Schmidt, 2016; the best constant is about 0.1755). Since the terms are
    separable, the constants hold in every dimension ``d``.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 1``.
    """

    L = 8.0
    mu = 1.0 / 32.0
    f_star = 0.0

    def __init__(self, d: int = 1) -> None:
        self.d = _int("d", d)

    def f(self, x: Any) -> np.ndarray | float:
        """Value for ``x`` of shape ``(..., d)``; returns shape ``(...)``."""
        x = _points("x", x, self.d)
        val = np.sum(x**2 + 3.0 * np.sin(x) ** 2, axis=-1)
        return float(val) if val.ndim == 0 else val

    def grad(self, x: Any) -> np.ndarray:
        """Gradient ``2 x + 3 sin(2 x)`` (elementwise); same shape as ``x``."""
        x = _points("x", x, self.d)
        return 2.0 * x + 3.0 * np.sin(2.0 * x)

    def hess(self, x: Any) -> np.ndarray:
        """Hessian ``diag(2 + 6 cos(2 x))`` at ``x`` of shape ``(d,)``."""
        x = _point("x", x, self.d)
        return np.diag(2.0 + 6.0 * np.cos(2.0 * x))

    def minimizer(self) -> np.ndarray:
        """The global minimizer, the origin."""
        return np.zeros(self.d)


def pl_example(d: int = 1) -> PLExample:
    """The nonconvex PL function ``sum_i (x_i^2 + 3 sin^2 x_i)`` on ``R^d`` (:class:`PLExample`)."""
    return PLExample(d)


class CauchyRegression:
    r"""Robust regression with the Cauchy loss: ``f(theta) = (1/n) sum_i log(1 + r_i^2)``.

    Here ``r = X theta - y``. With ``rho(r) = log(1 + r^2)``, ``rho'(r) = 2r/(1 + r^2)`` and
    ``rho''(r) = 2 (1 - r^2) / (1 + r^2)^2`` lies in ``[-1/4, 2]``; so the Hessian
    ``(1/n) X^T diag(rho''(r)) X`` has norm at most ``L = 2 ||X||_2^2 / n``. The loss is
    nonconvex wherever residuals exceed 1 in magnitude (outliers), and ``f >= f_low = 0``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)

    Attributes
    ----------
    X, y : ndarray of float64
    n, d : int
    L : float
        ``2 ||X||_2^2 / n``.
    f_low : float
        A lower bound on ``f`` (zero).
    """

    f_low = 0.0

    def __init__(self, X: Any, y: Any) -> None:
        self.X = _matrix("X", X)
        self.n, self.d = self.X.shape
        y = _real_array("y", y)
        if y.shape != (self.n,):
            raise ValueError(f"y must have shape ({self.n},) to match X, got shape {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError("y must be finite")
        self.y = y
        self.L = float(2.0 * np.linalg.norm(self.X, 2) ** 2 / self.n)

    def residuals(self, theta: Any) -> np.ndarray:
        """``X theta - y`` for ``theta`` of shape ``(..., d)``; returns shape ``(..., n)``."""
        theta = _points("theta", theta, self.d)
        return theta @ self.X.T - self.y

    def f(self, theta: Any) -> np.ndarray | float:
        """Value for ``theta`` of shape ``(..., d)``; returns shape ``(...)``."""
        val = np.log1p(self.residuals(theta) ** 2).mean(axis=-1)
        return float(val) if val.ndim == 0 else val

    def grad(self, theta: Any) -> np.ndarray:
        """Gradient ``(1/n) X^T rho'(r)``; same shape as ``theta``."""
        r = self.residuals(theta)
        return (2.0 * r / (1.0 + r**2)) @ self.X / self.n

    def hess(self, theta: Any) -> np.ndarray:
        """Hessian ``(1/n) X^T diag(rho''(r)) X`` at ``theta`` of shape ``(d,)``."""
        theta = _point("theta", theta, self.d)
        r = self.residuals(theta)
        w = 2.0 * (1.0 - r**2) / (1.0 + r**2) ** 2
        return (self.X.T * w) @ self.X / self.n


# --- opt-momentum ----------------------------------------------------------------------------
# Chapter ``opt-momentum`` (Momentum and acceleration).


class LessardExample:
    r"""A strongly convex function on which tuned heavy ball does not converge.

    The example of Lessard, Recht and Packard (SIAM J. Optim., 2016), used in chapter
    ``opt-momentum``: the piecewise quadratic on ``R`` with derivative

    ``f'(x) = 25 x`` for ``x < 1``, ``x + 24`` for ``1 <= x < 2``, ``25 x - 24`` for ``x >= 2``,

    and ``f(0) = 0``. ``f'`` is continuous and increasing with slopes in ``{1, 25}``, so ``f`` is
    ``mu``-strongly convex and ``L``-smooth with ``mu = 1``, ``L = 25``; its minimizer is ``0``.
    The batch convention of this module applies with ``d = 1``: points have shape ``(..., 1)``.
    """

    mu = 1.0
    L = 25.0
    f_star = 0.0
    d = 1

    def f(self, x: Any) -> np.ndarray | float:
        """Value for ``x`` of shape ``(..., 1)``; returns shape ``(...)``."""
        x = _points("x", x, 1)[..., 0]
        val = np.where(x < 1, 12.5 * x**2,
                       np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))
        return float(val) if val.ndim == 0 else val

    def grad(self, x: Any) -> np.ndarray:
        """Derivative (piecewise linear); same shape as ``x``."""
        x = _points("x", x, 1)
        return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))

    def hess(self, x: Any) -> np.ndarray:
        """Second derivative (``25`` or ``1``; right-continuous at the kinks), shape ``(1, 1)``."""
        x = _point("x", x, 1)
        return np.array([[1.0 if 1 <= x[0] < 2 else 25.0]])

    def minimizer(self) -> np.ndarray:
        """The minimizer ``[0.0]``."""
        return np.zeros(1)

"""Nonconvex loss landscapes: test problems, critical points, saddle escape.

Chapter ``landscapes`` (Nonconvex landscapes) derives:

* :func:`condition_ratios`: the ratios whose infima are the constants of
  the Polyak-Lojasiewicz (PL), error-bound (EB), quadratic-growth (QG),
  restricted-secant (RSI) and weak quasi-convexity (WQC) conditions
  (eq-land-conditions);
* :class:`TwistedValley`: a smooth function on ``R^2`` that is PL but
  neither convex nor RSI (eq-land-twisted);
* :class:`SigmoidGLM`: a single sigmoid neuron, with the nonconvex squared
  loss and its convex matching loss (eq-land-glm-losses);
* :class:`TopEigenvector`: ``f(x) = ||M - x x^T||_F^2 / 4`` and all its
  critical points with their Hessian indices (eq-land-eig);
* :class:`DeepLinear`: the two-layer linear network of Baldi and Hornik,
  its critical points ``A = U_I C`` and their inertia (eq-land-dln);
* :func:`hessian_inertia`: counts of negative, zero and positive
  eigenvalues of a symmetric matrix;
* :func:`perturbed_gradient_descent`: gradient descent with a random
  kick from a ball when the gradient is small (Jin et al., 2017);
* :func:`power_iteration` and :func:`gd_with_sharpness`: warm-started power
  iteration for the top Hessian eigenvalue of a PyTorch loss, tracked
  along full-batch gradient descent (the edge of stability).

Conventions: NumPy problems take points of shape ``(..., d)`` where
documented and return float64; everything random takes an explicit seed.

Derived in: ``landscapes``. Depends on: numpy, torch, dlf.hessian.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch

from dlf import hessian

__all__ = [
    "condition_ratios",
    "TwistedValley",
    "SigmoidGLM",
    "TopEigenvector",
    "DeepLinear",
    "hessian_inertia",
    "perturbed_gradient_descent",
    "power_iteration",
    "gd_with_sharpness",
]


# ---------------------------------------------------------------------------
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


def _real(name: str, value: Any, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(
            value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got "
                        f"{type(value).__name__} ({value!r})")
    v = _real_scalar(name, value)
    if not math.isfinite(v) or (positive and v <= 0):
        need = "finite and > 0" if positive else "finite"
        raise ValueError(f"{name} must be {need}, got {value!r}")
    return v


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got "
                        f"{type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _array(name: str, value: Any, ndim: int | None = None) -> np.ndarray:
    a = _real_array(name, value, copy=True)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a non-empty finite array, "
                         f"got shape {a.shape}")
    return a


def _points(name: str, x: Any, d: int) -> np.ndarray:
    a = _array(name, x)
    if a.shape[-1:] != (d,):
        raise ValueError(f"{name} must have shape (..., {d}), "
                         f"got shape {a.shape}")
    return a


def _symmetric(name: str, A: Any) -> np.ndarray:
    A = _array(name, A, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be square, got shape {A.shape}")
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12 * np.abs(A).max()):
        raise ValueError(f"{name} must be symmetric")
    return 0.5 * (A + A.T)


def _out(v: np.ndarray) -> np.ndarray | float:
    return float(v) if v.ndim == 0 else v


# ---------------------------------------------------------------------------
# conditions beyond convexity


def condition_ratios(f: Callable[[np.ndarray], Any],
                     grad: Callable[[np.ndarray], Any], X: Any,
                     x_star: Any, f_star: float) -> dict[str, np.ndarray]:
    """Pointwise ratios whose infima are the constants of (eq-land-conditions).

    With ``g = grad f(x)``, ``e = x - x_star`` and ``h = f(x) - f_star``:

    * ``"pl"``: ``||g||^2 / (2 h)``        (PL: ``||g||^2 / 2 >= mu h``)
    * ``"eb"``: ``||g|| / ||e||``          (EB: ``||g|| >= mu ||e||``)
    * ``"qg"``: ``2 h / ||e||^2``          (QG: ``h >= mu ||e||^2 / 2``)
    * ``"rsi"``: ``<g, e> / ||e||^2``      (RSI: ``<g, e> >= mu ||e||^2``)
    * ``"wqc"``: ``<g, e> / h``            (WQC: ``<g, e> >= tau h``)

    A condition holds on the sample with constant ``c`` exactly when the
    minimum of its ratio is ``>= c``.

    Parameters
    ----------
    f, grad : callable
        ``f`` maps points of shape ``(N, d)`` to shape ``(N,)``, ``grad``
        to shape ``(N, d)``.
    X : array_like, shape (N, d)
        Sample points, none of them a minimizer (``h > 0``, ``e != 0``).
    x_star : array_like, shape (d,)
        The minimizer.
    f_star : float
        The minimum value.

    Returns
    -------
    dict of str to ndarray of shape (N,)
    """
    X = _array("X", X, ndim=2)
    x_star = _points("x_star", x_star, X.shape[1])
    if x_star.ndim != 1:
        raise ValueError(f"x_star must be 1-D, got shape {x_star.shape}")
    f_star = _real("f_star", f_star, positive=False)
    for name, fn in (("f", f), ("grad", grad)):
        if not callable(fn):
            raise TypeError(f"{name} must be callable, got {type(fn).__name__} ({fn!r:.40})")
    h = np.asarray(f(X), dtype=np.float64) - f_star
    g = np.asarray(grad(X), dtype=np.float64)
    if h.shape != (X.shape[0],) or g.shape != X.shape:
        raise ValueError(f"f and grad must return shapes ({X.shape[0]},) and "
                         f"{X.shape}, got {h.shape} and {g.shape}")
    e = X - x_star
    e2 = np.sum(e**2, axis=1)
    if np.any(h <= 0) or np.any(e2 == 0):
        raise ValueError("every point of X must have f(x) > f_star and "
                         "x != x_star")
    g2, ge = np.sum(g**2, axis=1), np.sum(g * e, axis=1)
    return {"pl": g2 / (2 * h), "eb": np.sqrt(g2 / e2), "qg": 2 * h / e2,
            "rsi": ge / e2, "wqc": ge / h}


class TwistedValley:
    r"""A smooth PL function on ``R^2`` whose valley winds around its minimum.

    Implements (eq-land-twisted):
    ``f(x) = Phi(x)^T D Phi(x) / 2`` with ``D = diag(1, kappa)`` and
    ``Phi(x) = R(phi(|x|)) x``, the rotation of ``x`` by the angle
    ``phi(r) = (c / 2) log(1 + r^2)``. The minimizer is ``0``, ``f* = 0``.

    With ``a(r) = c r^2 / (1 + r^2)``, the Jacobian of ``Phi`` has smallest
    singular value at least ``s = (sqrt(c^2 + 4) - c) / 2``, so ``f`` is PL
    with ``mu = s^2`` (attribute ``pl_mu``, for ``kappa >= 1``), and
    ``f >= |x|^2 / 2`` (QG with constant 1). It is RSI (and weakly
    quasi-convex) with a positive constant if and only if
    ``c (kappa - 1) < 2 sqrt(kappa)`` (attribute ``rsi``).

    Parameters
    ----------
    c : float
        Twist rate, ``> 0``.
    kappa : float
        Second axis weight, ``>= 1``.
    """

    def __init__(self, c: float = 2.0, kappa: float = 10.0) -> None:
        self.c = _real("c", c)
        self.kappa = _real("kappa", kappa)
        if self.kappa < 1:
            raise ValueError(f"kappa must be >= 1, got {kappa!r}")
        self.pl_mu = ((math.sqrt(self.c**2 + 4) - self.c) / 2) ** 2
        self.rsi = self.c * (self.kappa - 1) < 2 * math.sqrt(self.kappa)
        self.f_star = 0.0

    def _phi(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        r2 = np.sum(x**2, axis=-1)
        t = 0.5 * self.c * np.log1p(r2)
        cos, sin = np.cos(t), np.sin(t)
        u = cos * x[..., 0] - sin * x[..., 1]  # Phi(x) = R(t) x
        v = sin * x[..., 0] + cos * x[..., 1]
        return r2, u, v

    def f(self, x: Any) -> np.ndarray | float:
        """Value at ``x`` of shape ``(..., 2)``; returns shape ``(...)``."""
        _, u, v = self._phi(_points("x", x, 2))
        return _out(0.5 * (u**2 + self.kappa * v**2))

    def grad(self, x: Any) -> np.ndarray:
        """Gradient ``J^T D Phi`` with ``J = R + c R S x x^T / (1 + r^2)``.

        ``S`` is the rotation by 90 degrees; shape of ``x``.
        """
        x = _points("x", x, 2)
        r2, u, v = self._phi(x)
        du, dv = u, self.kappa * v  # D Phi
        # J^T w = R^T w + c x (x^T S^T R^T w) / (1 + r^2), and R S = S R
        t = 0.5 * self.c * np.log1p(r2)
        cos, sin = np.cos(t), np.sin(t)
        rtw0 = cos * du + sin * dv  # R^T (du, dv)
        rtw1 = -sin * du + cos * dv
        s = (x[..., 0] * rtw1 - x[..., 1] * rtw0) * self.c / (1 + r2)
        return np.stack([rtw0 + s * x[..., 0], rtw1 + s * x[..., 1]], axis=-1)


# ---------------------------------------------------------------------------
# a single sigmoid neuron


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for all z


class SigmoidGLM:
    r"""A generalized linear model with the sigmoid link, two losses.

    Implements (eq-land-glm-losses) for data ``X`` (shape ``(n, d)``) and
    targets ``y`` in ``[0, 1]``, with ``z = X w`` and ``sigma`` the sigmoid:

    * squared loss ``L(w) = (1 / 2n) sum_i (sigma(z_i) - y_i)^2``,
      nonconvex;
    * matching loss ``G(w) = (1 / n) sum_i (log(1 + e^{z_i}) - y_i z_i)``,
      convex, whose gradient ``(1/n) X^T (sigma(z) - y)`` is the GLMtron
      direction.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,), values in [0, 1]
    """

    def __init__(self, X: Any, y: Any) -> None:
        self.X = _array("X", X, ndim=2)
        self.n, self.d = self.X.shape
        self.y = _array("y", y, ndim=1)
        if self.y.shape != (self.n,):
            raise ValueError(f"y must have shape ({self.n},), got "
                             f"{self.y.shape}")
        if np.any(self.y < 0) or np.any(self.y > 1):
            raise ValueError("y must take values in [0, 1]")

    @classmethod
    def realizable(cls, n: int, d: int, w_star: Any = None, *,
                   seed: int = 0) -> SigmoidGLM:
        """Gaussian inputs and noiseless targets ``y = sigma(X w_star)``.

        ``X`` has iid ``N(0, 1)`` entries; ``w_star`` is drawn ``N(0, I)``
        unless given, and stored as the attribute ``w_star``.
        """
        n, d = _int("n", n, 1), _int("d", d, 1)
        rng = np.random.default_rng(_int("seed", seed, 0))
        X = rng.standard_normal((n, d))
        w = rng.standard_normal(d) if w_star is None else _points(
            "w_star", w_star, d)
        model = cls(X, _sigmoid(X @ w))
        model.w_star = w
        return model

    def _z(self, w: Any) -> np.ndarray:
        return _points("w", w, self.d) @ self.X.T  # shape (..., n)

    def squared_loss(self, w: Any) -> np.ndarray | float:
        """``L(w)`` for ``w`` of shape ``(..., d)``; returns ``(...)``."""
        r = _sigmoid(self._z(w)) - self.y
        return _out(0.5 * np.mean(r**2, axis=-1))

    def squared_grad(self, w: Any) -> np.ndarray:
        """``(1/n) sum_i (sigma_i - y_i) sigma'_i x_i``; shape of ``w``."""
        s = _sigmoid(self._z(w))
        return ((s - self.y) * s * (1 - s)) @ self.X / self.n

    def squared_hess(self, w: Any) -> np.ndarray:
        """``(1/n) sum_i (sigma'_i^2 + (sigma_i - y_i) sigma''_i) x_i x_i^T``.

        ``w`` has shape ``(d,)``; returns shape ``(d, d)``.
        """
        w = _points("w", w, self.d)
        if w.ndim != 1:
            raise ValueError(f"w must have shape ({self.d},), got {w.shape}")
        s = _sigmoid(self.X @ w)
        ds = s * (1 - s)
        c = ds**2 + (s - self.y) * ds * (1 - 2 * s)
        return (self.X.T * c) @ self.X / self.n

    def matching_loss(self, w: Any) -> np.ndarray | float:
        """``G(w)`` for ``w`` of shape ``(..., d)``; returns ``(...)``."""
        z = self._z(w)
        return _out(np.mean(np.logaddexp(0.0, z) - self.y * z, axis=-1))

    def matching_grad(self, w: Any) -> np.ndarray:
        """``(1/n) X^T (sigma(X w) - y)``; shape of ``w``."""
        return (_sigmoid(self._z(w)) - self.y) @ self.X / self.n

    def matching_hess(self, w: Any) -> np.ndarray:
        """``(1/n) X^T diag(sigma'(X w)) X``, positive semidefinite."""
        w = _points("w", w, self.d)
        if w.ndim != 1:
            raise ValueError(f"w must have shape ({self.d},), got {w.shape}")
        s = _sigmoid(self.X @ w)
        return (self.X.T * (s * (1 - s))) @ self.X / self.n


# ---------------------------------------------------------------------------
# the top-eigenvector problem


class TopEigenvector:
    r"""``f(x) = ||M - x x^T||_F^2 / 4`` for a symmetric matrix ``M``.

    Implements (eq-land-eig): ``grad f(x) = ||x||^2 x - M x`` and
    ``hess f(x) = ||x||^2 I + 2 x x^T - M``. With eigenpairs
    ``lambda_1 > ... > lambda_d`` and ``v_i`` of ``M``, the critical points
    are ``0`` and ``+-sqrt(lambda_i) v_i`` for ``lambda_i > 0``; the
    Hessian at ``+-sqrt(lambda_i) v_i`` has eigenvalues ``2 lambda_i`` and
    ``lambda_i - lambda_j`` (``j != i``), so its index is ``i - 1``.

    Parameters
    ----------
    M : array_like, shape (d, d), symmetric
    """

    def __init__(self, M: Any) -> None:
        self.M = _symmetric("M", M)
        self.d = self.M.shape[0]
        lam, V = np.linalg.eigh(self.M)
        self.eigenvalues, self.eigenvectors = lam[::-1], V[:, ::-1]
        self.f_star = 0.25 * (np.sum(self.M**2)
                              - max(self.eigenvalues[0], 0.0) ** 2)

    def f(self, x: Any) -> np.ndarray | float:
        """Value for ``x`` of shape ``(..., d)``; returns shape ``(...)``.

        Uses ``||M - x x^T||_F^2 = ||M||_F^2 - 2 x^T M x + ||x||^4``.
        """
        x = _points("x", x, self.d)
        xMx = np.sum((x @ self.M) * x, axis=-1)
        r2 = np.sum(x**2, axis=-1)
        return _out(0.25 * (np.sum(self.M**2) - 2 * xMx + r2**2))

    def grad(self, x: Any) -> np.ndarray:
        """``||x||^2 x - M x``; shape of ``x``."""
        x = _points("x", x, self.d)
        return np.sum(x**2, axis=-1, keepdims=True) * x - x @ self.M

    def hess(self, x: Any) -> np.ndarray:
        """``||x||^2 I + 2 x x^T - M`` at ``x`` of shape ``(d,)``."""
        x = _points("x", x, self.d)
        if x.ndim != 1:
            raise ValueError(f"x must have shape ({self.d},), got {x.shape}")
        return (x @ x) * np.eye(self.d) + 2 * np.outer(x, x) - self.M

    def critical_points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All critical points, their values and Hessian indices.

        Requires distinct eigenvalues. Row 0 is the origin (index: the
        number of positive eigenvalues); then ``+sqrt(lambda_i) v_i`` and
        ``-sqrt(lambda_i) v_i`` for each ``lambda_i > 0`` in decreasing
        order (index ``i - 1``).

        Returns
        -------
        points : ndarray, shape (1 + 2k, d), ``k`` positive eigenvalues
        values : ndarray, shape (1 + 2k,)
        index : ndarray of int64, shape (1 + 2k,)
        """
        lam, V = self.eigenvalues, self.eigenvectors
        if np.any(np.diff(lam) >= -1e-12 * max(1.0, abs(lam[0]))):
            raise ValueError("M must have distinct eigenvalues, got "
                             f"{np.round(lam, 12)}")
        k = int(np.sum(lam > 0))
        points, index = [np.zeros(self.d)], [k]
        for i in range(k):
            for sign in (1.0, -1.0):
                points.append(sign * math.sqrt(lam[i]) * V[:, i])
                index.append(i)
        points = np.array(points)
        return points, np.asarray(self.f(points)), np.array(index)


# ---------------------------------------------------------------------------
# the deep (two-layer) linear network


class DeepLinear:
    r"""The linear network ``x -> A B x`` with the squared loss.

    Implements (eq-land-dln): for inputs ``X`` (shape ``(n, d)``),
    targets ``Y`` (shape ``(n, k)``), ``A`` of shape ``(k, m)`` and
    ``B`` of shape ``(m, d)``,
    ``l(A, B) = (1 / 2n) sum_i ||y_i - A B x_i||^2``. With
    ``S_xx = X^T X / n``, ``S_yx = Y^T X / n``, ``S_yy = Y^T Y / n`` and
    ``Sigma = S_yx S_xx^{-1} S_yx^T = U diag(lam) U^T`` (decreasing
    ``lam``), the critical points with ``rank A = m`` are
    ``A = U_I C``, ``B = C^{-1} U_I^T S_yx S_xx^{-1}`` for index sets
    ``|I| = m`` and invertible ``C``, with loss
    ``(tr S_yy - sum_{i in I} lam_i) / 2``.

    Parameters are also handled flat: ``theta = concat(A.ravel(),
    B.ravel())`` of length ``P = m (d + k)``.

    Parameters
    ----------
    X : array_like, shape (n, d), with ``S_xx`` invertible
    Y : array_like, shape (n, k)
    m : int
        Hidden width, ``1 <= m <= min(d, k)``.
    """

    def __init__(self, X: Any, Y: Any, m: int) -> None:
        self.X = _array("X", X, ndim=2)
        self.Y = _array("Y", Y, ndim=2)
        n, self.d = self.X.shape
        if self.Y.shape[0] != n:
            raise ValueError(f"Y must have {n} rows like X, got shape "
                             f"{self.Y.shape}")
        self.n, self.k = n, self.Y.shape[1]
        self.m = _int("m", m, 1)
        if self.m > min(self.d, self.k):
            raise ValueError(f"m must be <= min(d, k) = "
                             f"{min(self.d, self.k)}, got {m}")
        self.Sxx = self.X.T @ self.X / n
        self.Syx = self.Y.T @ self.X / n
        self.Syy = self.Y.T @ self.Y / n
        if np.linalg.matrix_rank(self.Sxx) < self.d:
            raise ValueError("X^T X / n must be invertible (X of full column "
                             "rank)")
        self.L_star = np.linalg.solve(self.Sxx, self.Syx.T).T  # OLS map
        lam, U = np.linalg.eigh(self.L_star @ self.Syx.T)
        self.eigenvalues, self.U = lam[::-1], U[:, ::-1]
        self.size = self.m * (self.d + self.k)

    def split(self, theta: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(A, B)`` from the flat vector ``theta`` of length ``P``."""
        theta = _array("theta", theta, ndim=1)
        if theta.size != self.size:
            raise ValueError(f"theta must have length {self.size}, got "
                             f"{theta.size}")
        k = self.k * self.m
        return (theta[:k].reshape(self.k, self.m),
                theta[k:].reshape(self.m, self.d))

    def join(self, A: Any, B: Any) -> np.ndarray:
        """The flat vector ``concat(A.ravel(), B.ravel())``."""
        A, B = self._factors(A, B)
        return np.concatenate([A.ravel(), B.ravel()])

    def _factors(self, A: Any, B: Any) -> tuple[np.ndarray, np.ndarray]:
        A, B = _array("A", A, ndim=2), _array("B", B, ndim=2)
        if A.shape != (self.k, self.m) or B.shape != (self.m, self.d):
            raise ValueError(f"A and B must have shapes {(self.k, self.m)} "
                             f"and {(self.m, self.d)}, got {A.shape} and "
                             f"{B.shape}")
        return A, B

    def loss(self, A: Any, B: Any) -> float:
        """``l(A, B) = tr(S_yy - 2 W S_yx^T + W S_xx W^T) / 2``, ``W = AB``."""
        A, B = self._factors(A, B)
        W = A @ B
        return 0.5 * float(np.trace(self.Syy) - 2 * np.sum(W * self.Syx)
                           + np.sum((W @ self.Sxx) * W))

    def grad(self, A: Any, B: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(E B^T, A^T E)`` with ``E = A B S_xx - S_yx``."""
        A, B = self._factors(A, B)
        E = A @ B @ self.Sxx - self.Syx
        return E @ B.T, A.T @ E

    def loss_flat(self, theta: Any) -> float:
        """:meth:`loss` of :meth:`split` ``(theta)``."""
        return self.loss(*self.split(theta))

    def grad_flat(self, theta: Any) -> np.ndarray:
        """:meth:`grad` at :meth:`split` ``(theta)``, flattened."""
        gA, gB = self.grad(*self.split(theta))
        return np.concatenate([gA.ravel(), gB.ravel()])

    def _index_set(self, subset: Iterable[int]) -> list[int]:
        if isinstance(subset, (str, bytes)) or not isinstance(subset, Iterable):
            raise TypeError(f"subset (the index set I) must be an iterable of ints, got "
                            f"{type(subset).__name__} ({subset!r:.40})")
        idx = [_int("each entry of subset (the index set I)", i, 0) for i in subset]
        if len(idx) != self.m or len(set(idx)) != self.m \
                or max(idx) >= self.k:
            raise ValueError(f"subset (the index set I) must hold {self.m} distinct indices in "
                             f"0..{self.k - 1}, got {idx}")
        return sorted(idx)

    def critical_point(self, subset: Iterable[int],
                       C: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """``A = U_I C``, ``B = C^{-1} U_I^T L*`` (``C = I`` by default).

        ``I`` holds ``m`` distinct 0-based indices into the eigenvalues
        (sorted decreasingly); ``L* = S_yx S_xx^{-1}``.
        """
        idx = self._index_set(subset)
        C = np.eye(self.m) if C is None else _array("C", C, ndim=2)
        if C.shape != (self.m, self.m) or abs(np.linalg.det(C)) < 1e-12:
            raise ValueError(f"C must be an invertible {self.m}x{self.m} "
                             f"matrix, got shape {C.shape}")
        UI = self.U[:, idx]
        return UI @ C, np.linalg.solve(C, UI.T @ self.L_star)

    def critical_value(self, subset: Iterable[int]) -> float:
        """``(tr S_yy - sum_{i in I} lam_i) / 2``."""
        idx = self._index_set(subset)
        return 0.5 * float(np.trace(self.Syy) - self.eigenvalues[idx].sum())

    def inertia(self, subset: Iterable[int]) -> tuple[int, int, int]:
        """``(negative, zero, positive)`` counts of Hessian eigenvalues.

        Negative: pairs ``i in I``, ``j not in I`` with ``lam_j > lam_i``;
        zero: ``m^2`` (the symmetry ``(AC, C^{-1}B)``); positive: the rest.
        Requires distinct eigenvalues.
        """
        idx = self._index_set(subset)
        lam = self.eigenvalues
        if np.any(np.diff(lam) >= -1e-12 * max(1.0, abs(lam[0]))):
            raise ValueError("Sigma must have distinct eigenvalues")
        others = [j for j in range(self.k) if j not in idx]
        neg = sum(int(lam[j] > lam[i]) for i in idx for j in others)
        zero = self.m**2
        return neg, zero, self.size - neg - zero

    def subsets(self) -> list[tuple[int, ...]]:
        """All index sets ``I`` of size ``m``, in lexicographic order."""
        return list(itertools.combinations(range(self.k), self.m))


# ---------------------------------------------------------------------------
# Hessian inertia and saddle escape


def hessian_inertia(H: Any, *, rtol: float = 1e-8) -> tuple[int, int, int]:
    """Numbers of negative, zero and positive eigenvalues of symmetric ``H``.

    An eigenvalue counts as zero when its size is at most ``rtol`` times
    the largest size. The number of negative ones is the *index*.

    Parameters
    ----------
    H : array_like or torch.Tensor, shape (p, p), symmetric
    rtol : float
        Relative threshold, ``> 0``.
    """
    if isinstance(H, torch.Tensor):
        H = H.detach().cpu().numpy()
    H = _symmetric("H", H)
    rtol = _real("rtol", rtol)
    ev = np.linalg.eigvalsh(H)
    tol = rtol * max(np.abs(ev).max(), np.finfo(float).tiny)
    neg, zero = int(np.sum(ev < -tol)), int(np.sum(np.abs(ev) <= tol))
    return neg, zero, ev.size - neg - zero


def _gradient(grad: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    g = np.asarray(grad(x), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad returned shape {g.shape}, expected {x.shape}")
    return g


def perturbed_gradient_descent(
        grad: Callable[[np.ndarray], Any], x0: Any, step: float,
        n_steps: int, *, radius: float, grad_tol: float, wait: int,
        seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """Gradient descent that kicks itself off flat points (Jin et al., 2017).

    At step ``k``, if ``||grad(x_k)|| <= grad_tol`` and no kick happened in
    the last ``wait`` steps, replace ``x_k`` by ``x_k + xi`` with ``xi``
    uniform in the ball of radius ``radius``; then take the step
    ``x_{k+1} = x_k - step * grad(x_k)`` (eq-land-pgd).

    Parameters
    ----------
    grad : callable
        Maps shape ``(d,)`` to shape ``(d,)``.
    x0 : array_like, shape (d,)
    step : float
        Step size ``> 0``.
    n_steps : int
        Number of steps, ``>= 0``.
    radius, grad_tol : float
        Kick radius and gradient threshold, ``> 0``.
    wait : int
        Minimal number of steps between kicks, ``>= 1``.
    seed : int
        Seed of ``numpy.random.default_rng`` for the kicks.

    Returns
    -------
    xs : ndarray of float64, shape (n_steps + 1, d)
        Row ``k`` is ``x_k`` before its kick (row 0 is ``x0``).
    kicks : list of int
        The steps ``k`` at which a kick was added.
    """
    if not callable(grad):
        raise TypeError(f"grad must be callable, got {type(grad).__name__}")
    x = _array("x0", x0, ndim=1)
    step, radius = _real("step", step), _real("radius", radius)
    grad_tol = _real("grad_tol", grad_tol)
    n_steps, wait = _int("n_steps", n_steps, 0), _int("wait", wait, 1)
    rng = np.random.default_rng(_int("seed", seed, 0))
    xs, kicks, last = np.empty((n_steps + 1, x.size)), [], -wait
    xs[0] = x
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        for k in range(n_steps):
            g = _gradient(grad, x)
            if np.linalg.norm(g) <= grad_tol and k - last >= wait:
                u = rng.standard_normal(x.size)  # uniform in the ball
                u *= radius * rng.random() ** (1 / x.size) / np.linalg.norm(u)
                x, last = x + u, k
                kicks.append(k)
                g = _gradient(grad, x)
            x = x - step * g
            if not np.all(np.isfinite(x)):
                raise FloatingPointError(f"iterate {k + 1} is not finite "
                                         f"(step {step:g})")
            xs[k + 1] = x
    return xs, kicks


# ---------------------------------------------------------------------------
# sharpness along training (edge of stability)


def power_iteration(op: hessian.HessianOperator, v0: Any = None,
                    n_iter: int = 20,
                    seed: int = 0) -> tuple[float, torch.Tensor]:
    """Top Hessian eigenvalue by power iteration from a given start.

    ``v <- H v / ||H v||`` for ``n_iter`` steps, returning the last
    Rayleigh quotient ``v^T H v`` and unit ``v``. Starting from the vector
    of a previous call (a *warm start*) tracks a slowly changing Hessian
    with few products. Assumes the eigenvalue of largest magnitude is
    positive, as it is for trained networks (otherwise use
    :func:`dlf.hessian.top_eigenvalue`).

    Parameters
    ----------
    op : dlf.hessian.HessianOperator
        ``v -> H v`` at the current parameters.
    v0 : tensor or array_like, shape (p,), optional
        Start; a seeded Gaussian vector if ``None``.
    n_iter : int
        Number of products, ``>= 1``.
    seed : int
        Seed of the Gaussian start.

    Returns
    -------
    eigenvalue : float
    vector : torch.Tensor, shape (p,)
    """
    if not isinstance(op, hessian.HessianOperator):
        raise TypeError("op must be a dlf.hessian.HessianOperator, got "
                        f"{type(op).__name__}")
    n_iter = _int("n_iter", n_iter, 1)
    if v0 is None:
        gen = torch.Generator().manual_seed(_int("seed", seed, 0))
        v = torch.randn(op.size, generator=gen, dtype=op.dtype)
    else:
        try:
            v = torch.as_tensor(v0, dtype=op.dtype).detach().clone()
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"v0 must be a real vector of length {op.size}, got "
                            f"{type(v0).__name__} ({v0!r:.40})") from err
        if v.shape != (op.size,) or not torch.all(torch.isfinite(v)):
            raise ValueError(f"v0 must be a finite vector of length "
                             f"{op.size}, got shape {tuple(v.shape)}")
    v = v.to(op.device)
    norm = torch.linalg.vector_norm(v)
    if norm == 0:
        raise ValueError("v0 must be nonzero")
    v = v / norm
    lam = math.nan
    for _ in range(n_iter):
        w = op._hv(v)  # v checked above
        lam = float(v @ w)  # Rayleigh quotient of the unit v
        norm = torch.linalg.vector_norm(w)
        if norm == 0:
            return 0.0, v
        v = w / norm
    return lam, v


def gd_with_sharpness(loss_fn: Callable[[], torch.Tensor],
                      params: Iterable[torch.Tensor], step: float,
                      n_steps: int, *, every: int = 5, n_iter: int = 10,
                      n_iter_first: int = 50,
                      seed: int = 0) -> dict[str, np.ndarray]:
    """Full-batch gradient descent that records the loss and the sharpness.

    Runs ``theta <- theta - step * grad L(theta)`` in place on ``params``.
    Every ``every`` steps (from step 0) it estimates
    ``lambda_max(hess L(theta))`` with :func:`power_iteration`, warm-started
    from the previous eigenvector (``n_iter_first`` products the first
    time, ``n_iter`` afterwards).

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn()`` returns the scalar full-batch loss of ``params``.
    params : iterable of tensors
        Leaves with ``requires_grad=True``, updated in place.
    step : float
        Step size ``eta > 0``.
    n_steps, every, n_iter, n_iter_first : int
        Number of steps (``>= 0``), period of the sharpness estimate and
        power-iteration lengths (``>= 1``).
    seed : int
        Seed of the first power-iteration start.

    Returns
    -------
    dict with ``"loss"`` (shape ``(n_steps + 1,)``, the loss at every
    iterate), ``"steps"`` and ``"sharpness"`` (the steps with an estimate
    and the estimates).
    """
    if isinstance(params, (str, bytes, torch.Tensor)) or not isinstance(params, Iterable):
        raise TypeError(f"params must be an iterable of tensors, got {type(params).__name__}")
    params = list(params)
    if not params or not all(isinstance(p, torch.Tensor) and p.requires_grad
                             and p.is_floating_point() for p in params):
        raise TypeError("params must be a non-empty list of real tensors with "
                        f"requires_grad=True, got {[type(p).__name__ for p in params]}")
    if any(p.numel() == 0 or not torch.all(torch.isfinite(p)) for p in params):
        raise ValueError("params must be non-empty and finite, got shapes "
                         f"{[tuple(p.shape) for p in params]}")
    if not callable(loss_fn):
        raise TypeError("loss_fn must be callable, got "
                        f"{type(loss_fn).__name__}")
    unused = [i for i, g in enumerate(torch.autograd.grad(loss_fn(), params, allow_unused=True))
              if g is None]
    if unused:
        raise ValueError(f"params must be the tensors loss_fn() depends on; entries {unused} "
                         "are not used by it")
    step = _real("step", step)
    n_steps = _int("n_steps", n_steps, 0)
    every, n_iter = _int("every", every, 1), _int("n_iter", n_iter, 1)
    n_iter_first = _int("n_iter_first", n_iter_first, 1)
    losses, steps, sharp, v = [], [], [], None
    for k in range(n_steps + 1):
        if k % every == 0:
            op = hessian._operator(loss_fn, params)  # params checked above; NaN stays NaN
            lam, v = power_iteration(op, v, n_iter_first if v is None
                                     else n_iter, seed=seed)
            steps.append(k)
            sharp.append(lam)
        loss = loss_fn()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            raise FloatingPointError(f"loss is not finite at step {k} "
                                     f"(step size {step:g})")
        if k == n_steps:
            break
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for q, g in zip(params, grads, strict=True):
                q -= step * g
    return {"loss": np.array(losses), "steps": np.array(steps),
            "sharpness": np.array(sharp)}

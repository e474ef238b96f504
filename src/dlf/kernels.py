"""Kernels, kernel machines and random features.

Chapter ``kernels`` (Kernels and random features) derives:

* :func:`gaussian_kernel`, :func:`laplace_kernel`, :func:`polynomial_kernel`: kernel
  matrices ``K[i, j] = k(x_i, z_j)`` (eq-ker-kernels);
* :func:`quadratic_features`: the explicit feature map of ``(1 + x^T z)^2``, with its
  ``sqrt(2)`` factors (eq-ker-quadratic);
* :func:`min_eigenvalue`: the smallest eigenvalue of a symmetric Gram matrix (a PSD test);
* :func:`kernel_perceptron`, :func:`dual_scores`: the perceptron in dual form on a kernel
  matrix and its scores ``sum_j alpha_j y_j k(x_j, x)``;
* :func:`kernel_ridge`: the dual coefficients ``(K + lam I)^{-1} y`` (eq-ker-krr);
* :func:`kernel_gd`: gradient descent in function space, ``alpha <- alpha - eta (K alpha - y)``
  (eq-ker-gd);
* :class:`RandomFourierFeatures`: ``sqrt(2/p) cos(W^T x + b)`` (or paired cos/sin), whose
  inner products approximate the Gaussian or Laplace kernel (eq-ker-rff);
* :func:`learn_cosine_features`: the same features with trained frequencies and phases, the
  output layer kept at its ridge optimum (a two-layer network).

Conventions: inputs ``X`` of shape ``(n, d)``, float64, one example per row.

Derived in: ``kernels``. Depends on: numpy, scipy (``learn_cosine_features``),
:mod:`dlf.linear` (``perceptron_dual``, ``ridge``) and the modules it imports,
:mod:`dlf.losses` and :mod:`dlf.optim`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dlf.linear import PerceptronResult, perceptron_dual

__all__ = [
    "gaussian_kernel",
    "laplace_kernel",
    "polynomial_kernel",
    "quadratic_features",
    "min_eigenvalue",
    "kernel_perceptron",
    "dual_scores",
    "kernel_ridge",
    "kernel_gd",
    "RandomFourierFeatures",
    "learn_cosine_features",
]


# ---------------------------------------------------------------------------------------------
# argument checks


def _seed_rng(name: str, seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``; ``TypeError``/``ValueError`` naming ``name`` unless
    ``seed`` is None, an int >= 0, a Generator, a SeedSequence or a BitGenerator."""
    ok = (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)
    if seed is None or isinstance(seed, ok):
        return np.random.default_rng(seed)
    if isinstance(seed, (tuple, list)) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in seed):
        return np.random.default_rng(seed)  # a sequence of ints: SeedSequence entropy
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 0, a numpy.random.Generator or None, got "
                        f"{type(seed).__name__} ({seed!r:.40})")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0, got {name}={seed}")
    return np.random.default_rng(seed)


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


def _points(name: str, X: Any) -> np.ndarray:
    try:
        a = _real_array(name, X, copy=True)
    except TypeError as err:
        raise TypeError(f"{name} must be a 2-D array of real numbers, got "
                        f"{type(X).__name__}") from err
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of shape (n, d), "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _pair(X: Any, Z: Any) -> tuple[np.ndarray, np.ndarray]:
    X = _points("X", X)
    Z = X if Z is None else _points("Z", Z)
    if Z.shape[1] != X.shape[1]:
        raise ValueError(f"X and Z must have the same number of columns, got X of shape "
                         f"{X.shape} and Z of shape {Z.shape}")
    return X, Z


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r})")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return _real_scalar(name, value)


def _count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _square(name: str, K: Any) -> np.ndarray:
    K = _points(name, K)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"{name} must be square, got shape {K.shape}")
    scale = max(1.0, float(np.max(np.abs(K))))
    if float(np.max(np.abs(K - K.T))) > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric")
    return K


def _targets(y: Any, n: int) -> np.ndarray:
    a = _real_array("y", y)
    if a.ndim not in (1, 2) or a.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, k) to match K with {n} rows, "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("y must be finite")
    return a


def _sq_dists(X: np.ndarray, Z: np.ndarray) -> np.ndarray:
    d2 = (X * X).sum(1)[:, None] + (Z * Z).sum(1)[None, :] - 2.0 * X @ Z.T
    return np.maximum(d2, 0.0)  # clip rounding below zero


# ---------------------------------------------------------------------------------------------
# kernels and feature maps


def gaussian_kernel(X: Any, Z: Any = None, *, bandwidth: float = 1.0) -> np.ndarray:
    """Gaussian (RBF) kernel matrix ``exp(-||x_i - z_j||^2 / (2 s^2))``, ``s = bandwidth``.

    Implements the first kernel of (eq-ker-kernels).

    Parameters
    ----------
    X : array_like, shape (n, d)
    Z : array_like, shape (m, d), optional
        Defaults to ``X`` (the Gram matrix).
    bandwidth : float > 0

    Returns
    -------
    ndarray of float64, shape (n, m)
    """
    X, Z = _pair(X, Z)
    s = _positive("bandwidth", bandwidth)
    return np.exp(-_sq_dists(X, Z) / (2.0 * s * s))


def laplace_kernel(X: Any, Z: Any = None, *, bandwidth: float = 1.0) -> np.ndarray:
    """Laplace kernel matrix ``exp(-||x_i - z_j|| / s)`` (Euclidean norm), ``s = bandwidth``.

    Implements the second kernel of (eq-ker-kernels). Shapes as in :func:`gaussian_kernel`.
    """
    X, Z = _pair(X, Z)
    s = _positive("bandwidth", bandwidth)
    return np.exp(-np.sqrt(_sq_dists(X, Z)) / s)


def polynomial_kernel(X: Any, Z: Any = None, *, degree: int = 2,
                      c: float = 1.0) -> np.ndarray:
    """Polynomial kernel matrix ``(x_i^T z_j + c)^degree``.

    Implements the third kernel of (eq-ker-kernels); ``c >= 0`` and an integer
    ``degree >= 1`` make it positive semidefinite. Shapes as in :func:`gaussian_kernel`.
    """
    X, Z = _pair(X, Z)
    degree = _count("degree", degree)
    if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)):
        raise TypeError(f"c must be a number, got {type(c).__name__} ({c!r})")
    if not np.isfinite(c) or c < 0:
        raise ValueError(f"c must be a finite number >= 0, got {c!r}")
    return (X @ Z.T + _real_scalar("c", c)) ** degree


def quadratic_features(X: Any) -> np.ndarray:
    """Explicit feature map with ``phi(x)^T phi(z) = (1 + x^T z)^2``.

    Implements (eq-ker-quadratic): the coordinates are ``1``, ``sqrt(2) x_i``,
    ``x_i^2`` and ``sqrt(2) x_i x_j`` for ``i < j``.

    Parameters
    ----------
    X : array_like, shape (n, d)

    Returns
    -------
    ndarray of float64, shape (n, 1 + d + d (d + 1) / 2)
    """
    X = _points("X", X)
    n, d = X.shape
    i, j = np.triu_indices(d, k=1)
    return np.hstack([np.ones((n, 1)), np.sqrt(2.0) * X, X * X,
                      np.sqrt(2.0) * X[:, i] * X[:, j]])


def min_eigenvalue(K: Any) -> float:
    """Smallest eigenvalue of a symmetric matrix (negative means: not PSD).

    Parameters
    ----------
    K : array_like, shape (n, n), symmetric

    Returns
    -------
    float
    """
    K = _square("K", K)
    return float(np.linalg.eigvalsh(K)[0])


# ---------------------------------------------------------------------------------------------
# kernel machines


def kernel_perceptron(K: Any, y: Any, *, max_epochs: int = 1000,
                      shuffle: bool = True, seed: Any = 0) -> PerceptronResult:
    """Kernel perceptron: :func:`dlf.linear.perceptron_dual` on a Gram matrix.

    Implements (eq-ker-kperceptron): on a mistake at example ``i``, i.e.
    ``y_i sum_j alpha_j y_j K[j, i] <= 0``, increment ``alpha_i``. The kernel
    matrix must be positive semidefinite (checked up to ``1e-8 * max|K|``).

    Parameters
    ----------
    K : array_like, shape (n, n)
        Gram matrix ``K[i, j] = k(x_i, x_j)``.
    y : array_like, shape (n,)
        Labels in ``{-1, +1}``.
    max_epochs, shuffle, seed
        As in :func:`dlf.linear.perceptron`.

    Returns
    -------
    PerceptronResult
        ``alpha`` holds the mistake counts; :func:`dual_scores` gives scores.
    """
    K = _square("K", K)
    lam = min_eigenvalue(K)
    if lam < -1e-8 * max(1.0, float(np.max(np.abs(K)))):
        raise ValueError("K must be positive semidefinite, got smallest "
                         f"eigenvalue {lam:.3g}")
    return perceptron_dual(K, y, max_epochs=max_epochs, shuffle=shuffle,
                           seed=seed)


def dual_scores(K_cross: Any, alpha: Any, y: Any) -> np.ndarray:
    """Scores ``f(x) = sum_j alpha_j y_j k(x_j, x)`` of a dual classifier.

    Parameters
    ----------
    K_cross : array_like, shape (m, n)
        ``K_cross[a, j] = k(x_a, x_j)`` between ``m`` query points and the ``n``
        training points.
    alpha, y : array_like, shape (n,)

    Returns
    -------
    ndarray of float64, shape (m,)
    """
    Kc = _points("K_cross", K_cross)
    n = Kc.shape[1]
    a = _real_array("alpha", alpha)
    yy = _real_array("y", y)
    if a.shape != (n,) or yy.shape != (n,):
        raise ValueError(f"alpha and y must have shape ({n},) to match K_cross of shape "
                         f"{Kc.shape}, got {a.shape} and {yy.shape}")
    return Kc @ (a * yy)


def kernel_ridge(K: Any, y: Any, lam: float) -> np.ndarray:
    """Dual coefficients of kernel ridge regression, ``alpha = (K + lam I)^{-1} y``.

    Implements (eq-ker-krr): the minimizer of
    ``sum_i (f(x_i) - y_i)^2 + lam ||f||_H^2`` is ``f = sum_i alpha_i k(., x_i)``.
    Predict with ``K_cross @ alpha``.

    Parameters
    ----------
    K : array_like, shape (n, n), symmetric positive semidefinite
    y : array_like, shape (n,) or (n, k)
    lam : float > 0

    Returns
    -------
    ndarray of float64, shape like ``y``
    """
    K = _square("K", K)
    y = _targets(y, K.shape[0])
    lam = _positive("lam", lam)
    return np.linalg.solve(K + lam * np.eye(K.shape[0]), y)


def kernel_gd(K: Any, y: Any, *, eta: float, steps: int) -> np.ndarray:
    """Gradient descent in function space on ``(1/2) sum_i (f(x_i) - y_i)^2``, from ``f = 0``.

    Implements (eq-ker-gd): with ``f = sum_i alpha_i k(., x_i)`` the step
    ``f <- f - eta sum_i (f(x_i) - y_i) k(., x_i)`` reads ``alpha <- alpha - eta (K alpha - y)``.

    Parameters
    ----------
    K : array_like, shape (n, n), symmetric
    y : array_like, shape (n,)
    eta : float > 0
        Step size; the training residual contracts when ``eta < 2 / lambda_max(K)``.
    steps : int >= 0

    Returns
    -------
    ndarray of float64, shape (steps + 1, n)
        The coefficients ``alpha_0 = 0, alpha_1, ..., alpha_steps``.
    """
    K = _square("K", K)
    y = _targets(y, K.shape[0])
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    eta = _positive("eta", eta)
    steps = _count("steps", steps, minimum=0)
    alphas = np.zeros((steps + 1, K.shape[0]))
    for t in range(steps):
        alphas[t + 1] = alphas[t] - eta * (K @ alphas[t] - y)
    return alphas


# ---------------------------------------------------------------------------------------------
# random features


@dataclass(frozen=True)
class RandomFourierFeatures:
    """Random Fourier features ``z(x)`` with ``E[z(x)^T z(x')] = k(x - x')``.

    Implements (eq-ker-rff). With ``method="phase"`` the ``p`` features are
    ``sqrt(2/p) cos(w_k^T x + b_k)``, ``b_k ~ U[0, 2 pi)``; with ``method="sincos"`` they are
    ``sqrt(2/p) [cos(w_k^T x), sin(w_k^T x)]`` for ``p/2`` frequencies. The frequencies
    ``w_k`` are drawn from the spectral density of the kernel: ``N(0, I / s^2)`` for the
    Gaussian kernel and a multivariate Cauchy law of scale ``1/s`` for the Laplace kernel.
    Build one with :meth:`sample`; calling it maps ``X`` of shape ``(n, d)`` to ``(n, p)``.

    Attributes
    ----------
    W : ndarray, shape (d, q)
        Frequencies (``q = p`` or ``p / 2``).
    b : ndarray, shape (q,)
        Phases (zeros for ``"sincos"``).
    method : str
    """

    W: np.ndarray
    b: np.ndarray
    method: str

    def __post_init__(self) -> None:
        W = _real_array("W", self.W)
        b = _real_array("b", self.b)
        if W.ndim != 2 or W.size == 0:
            raise ValueError(f"W must be a non-empty 2-D array (d, q), got shape {W.shape}")
        if b.shape != (W.shape[1],):
            raise ValueError(f"b must have shape ({W.shape[1]},) to match W, got {b.shape}")
        if self.method not in ("phase", "sincos"):
            raise ValueError(f"method must be 'phase' or 'sincos', got {self.method!r}")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", b)

    @classmethod
    def sample(cls, d: int, p: int, *, bandwidth: float = 1.0, kernel: str = "gaussian",
               method: str = "phase", seed: Any = 0) -> RandomFourierFeatures:
        """Draw ``p`` features for inputs of dimension ``d``."""
        d = _count("d", d)
        p = _count("p", p)
        s = _positive("bandwidth", bandwidth)
        if kernel not in ("gaussian", "laplace"):
            raise ValueError(f"kernel must be 'gaussian' or 'laplace', got {kernel!r}")
        if method not in ("phase", "sincos"):
            raise ValueError(f"method must be 'phase' or 'sincos', got {method!r}")
        if method == "sincos" and p % 2:
            raise ValueError(f"p must be even for method='sincos', got {p}")
        rng = seed if isinstance(seed, np.random.Generator) else _seed_rng("seed", seed)
        q = p if method == "phase" else p // 2
        W = rng.standard_normal((d, q)) / s
        if kernel == "laplace":  # multivariate Cauchy = Gaussian / |standard normal|
            W = W / np.abs(rng.standard_normal(q))
        b = rng.uniform(0.0, 2 * np.pi, q) if method == "phase" else np.zeros(q)
        return cls(W, b, method)

    @property
    def p(self) -> int:
        """Number of features."""
        q = self.W.shape[1]
        return q if self.method == "phase" else 2 * q

    def __call__(self, X: Any) -> np.ndarray:
        X = _points("X", X)
        if X.shape[1] != self.W.shape[0]:
            raise ValueError(f"X must have {self.W.shape[0]} columns, "
                             f"got shape {X.shape}")
        A = X @ self.W + self.b
        scale = np.sqrt(2.0 / self.p)
        if self.method == "phase":
            return scale * np.cos(A)
        return scale * np.hstack([np.cos(A), np.sin(A)])


def learn_cosine_features(X: Any, y: Any, rff: RandomFourierFeatures, *, lam: float,
                          maxiter: int = 100) -> tuple[RandomFourierFeatures, np.ndarray]:
    """Train the first layer of ``f(x) = a^T z(x)``, ``z`` cosine features, from ``rff``.

    The output layer is kept at its ridge optimum ``a(W, b) = argmin_a ||Z a - y||^2 +
    lam ||a||^2`` (variable projection), and ``J(W, b) = min_a (...)`` is minimised over the
    frequencies and phases by L-BFGS. By the envelope theorem ``grad J`` is the gradient of the
    loss in ``(W, b)`` at fixed ``a = a(W, b)``. The line search accepts only decreases, so the
    returned ``J`` never exceeds its value at ``rff``: the frozen random-feature fit.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    rff : RandomFourierFeatures with ``method="phase"``
        The starting features.
    lam : float > 0
    maxiter : int >= 1

    Returns
    -------
    (RandomFourierFeatures, ndarray of shape (p,))
        The trained features and their ridge output weights.
    """
    from scipy.optimize import minimize

    from dlf.linear import ridge

    if not isinstance(rff, RandomFourierFeatures) or rff.method != "phase":
        raise TypeError("rff must be a RandomFourierFeatures with method='phase', "
                        f"got {rff!r}")
    X = _points("X", X)
    y = _targets(y, X.shape[0])
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    lam = _positive("lam", lam)
    maxiter = _count("maxiter", maxiter)
    d, p = rff.W.shape
    with _one_blas_thread():  # tiny matrices: threads only add overhead
        res = minimize(_cosine_objective, np.concatenate([rff.W.ravel(), rff.b]),
                       args=(X, y, lam, d, p), jac=True, method="L-BFGS-B",
                       options={"maxiter": maxiter})
    trained = RandomFourierFeatures(res.x[:d * p].reshape(d, p), res.x[d * p:], "phase")
    return trained, ridge(trained(X), y, lam)


def _one_blas_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        from contextlib import nullcontext
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _cosine_objective(theta: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float, d: int,
                      p: int) -> tuple[float, np.ndarray]:
    """``J(W, b) = min_a ||Z a - y||^2 + lam ||a||^2`` and its gradient in ``theta = (W, b)``."""
    c = np.sqrt(2.0 / p)
    A = X @ theta[:d * p].reshape(d, p) + theta[d * p:]
    Z = c * np.cos(A)
    a = np.linalg.solve(Z.T @ Z + lam * np.eye(p), Z.T @ y)
    r = Z @ a - y
    G = -2 * c * np.sin(A) * a * r[:, None]  # dJ/dA at fixed a (envelope theorem)
    return float(r @ r + lam * a @ a), np.concatenate([(X.T @ G).ravel(), G.sum(0)])

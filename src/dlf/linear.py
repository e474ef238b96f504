"""Linear models fitted to data: least squares, ridge, the perceptron, logistic and softmax
regression.

Chapter ``learning`` (Learning from data) derives:

* :func:`least_squares`: the minimum-norm solution of the normal equations (eq-lrn-normal),
  which is also the Gaussian maximum-likelihood estimate;
* :func:`ridge`: ``(X^T X + lam I)^{-1} X^T y`` (eq-lrn-ridge), the MAP estimate under a
  Gaussian prior;
* :func:`perceptron` and :func:`perceptron_dual`: Rosenblatt's algorithm in its primal form and
  in its dual form on a Gram matrix, with the update counts ``alpha`` that link the two
  (``w = sum_i alpha_i y_i x_i``) and the number of mistakes (at most ``R^2 / rho^2`` on
  separable data);
* :func:`logistic_objective`, :func:`logistic_regression`: the mean binary cross-entropy of a
  linear model plus a ridge term, minimized by Newton's method or gradient descent;
* :func:`softmax_objective`, :func:`softmax_regression`: the same for ``K`` classes.

Conventions. ``X`` has shape ``(n, d)``, one example per row, float64. No intercept is fitted:
append a column of ones (:func:`add_bias`) to get one (it is then penalized like every other
weight). Labels are ``{-1, +1}`` for the perceptron, ``{0, 1}`` for logistic regression and
``{0, ..., K - 1}`` for softmax regression.

Derived in: ``learning``. Depends on: numpy, :mod:`dlf.losses`, :mod:`dlf.optim` (for the
gradient-descent option).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dlf import losses, optim

__all__ = [
    "add_bias",
    "least_squares",
    "ridge",
    "PerceptronResult",
    "perceptron",
    "perceptron_dual",
    "logistic_objective",
    "logistic_regression",
    "softmax_objective",
    "softmax_regression",
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


def _design(X: Any, name: str = "X") -> np.ndarray:
    try:
        a = _real_array(name, X, copy=True)
    except TypeError as err:
        raise TypeError(f"{name} must be a 2-D array of real numbers, got {type(X).__name__}") \
            from err
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of shape (n, d), got shape "
                         f"{a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _response(y: Any, n: int) -> np.ndarray:
    a = _real_array("y", y)
    if a.ndim not in (1, 2) or a.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, k) to match X with {n} rows, "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("y must be finite")
    return a


def _nonneg(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r})")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return _real_scalar(name, value)


def _count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got "
                        f"{type(seed).__name__} ({seed!r})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    return np.random.default_rng(_int_scalar("seed", seed))


def _pm1(y: Any, n: int) -> np.ndarray:
    a = _real_array("y", y)
    if a.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got shape {a.shape}")
    if not np.all((a == 1.0) | (a == -1.0)):
        raise ValueError(f"y must be -1 or +1, got values {np.unique(a)[:5]} (use 2 * y - 1)")
    return a


def _binary01(y: Any, n: int) -> np.ndarray:
    a = _real_array("y", y)
    if a.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got shape {a.shape}")
    if not np.all((a == 0.0) | (a == 1.0)):
        raise ValueError(f"y must be 0 or 1, got values {np.unique(a)[:5]} (use (y + 1) / 2)")
    return a


def _classes(y: Any, n: int, n_classes: int | None) -> tuple[np.ndarray, int]:
    a = np.asarray(y)
    if a.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"y must hold integer class indices, got dtype {a.dtype}")
    k = int(a.max()) + 1 if n_classes is None else _count("n_classes", n_classes, 2)
    if a.min() < 0 or a.max() >= k:
        raise ValueError(f"y must lie in {{0, ..., {k - 1}}}, got range [{a.min()}, "
                         f"{a.max()}]")
    if k < 2:
        raise ValueError(f"need at least 2 classes, got labels {np.unique(a)}")
    return a.astype(np.int64), k


def add_bias(X: Any) -> np.ndarray:
    """``[X, 1]``: append a column of ones, so that a linear model gets an intercept.

    Parameters
    ----------
    X : array_like, shape (n, d)

    Returns
    -------
    ndarray of float64, shape (n, d + 1)
    """
    X = _design(X)
    return np.hstack([X, np.ones((X.shape[0], 1))])


# ---------------------------------------------------------------------------------------------
# least squares and ridge


def least_squares(X: Any, y: Any) -> np.ndarray:
    """Minimum-norm least-squares solution of ``min_w ||X w - y||^2``.

    Implements (eq-lrn-normal): every minimizer solves the normal equations
    ``X^T X w = X^T y``; if ``X`` has full column rank the solution is
    unique, ``w = (X^T X)^{-1} X^T y``, otherwise this returns the one of
    smallest norm, ``X^+ y``. Computed from the SVD of ``X``
    (``numpy.linalg.lstsq``), which avoids squaring the condition number as
    forming ``X^T X`` does.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,) or (n, k)
        One or ``k`` right-hand sides.

    Returns
    -------
    ndarray of float64, shape (d,) or (d, k)
    """
    X = _design(X)
    y = _response(y, X.shape[0])
    return np.linalg.lstsq(X, y, rcond=None)[0]


def ridge(X: Any, y: Any, lam: float) -> np.ndarray:
    """Ridge regression ``argmin_w ||X w - y||^2 + lam ||w||^2 = (X^T X + lam I)^{-1} X^T y``.

    Implements (eq-lrn-ridge), the MAP estimate for ``y ~ N(X w, nu^2 I)`` and the prior
    ``w ~ N(0, gamma^2 I)`` with ``lam = nu^2 / gamma^2``. With the SVD ``X = U diag(s) V^T``
    the solution is ``V diag(s / (s^2 + lam)) U^T y``; ``lam = 0`` gives :func:`least_squares`.
    Note the scaling: the data term is a sum, not a mean (divide ``lam`` by ``n`` to compare
    with a mean-squared-error objective).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,) or (n, k)
    lam : float
        Penalty, ``>= 0``.

    Returns
    -------
    ndarray of float64, shape (d,) or (d, k)
    """
    X = _design(X)
    y = _response(y, X.shape[0])
    lam = _nonneg("lam", lam)
    if lam == 0:
        return least_squares(X, y)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    filt = s / (s**2 + lam)
    coef = U.T @ y
    return Vt.T @ (filt[:, None] * coef if coef.ndim == 2 else filt * coef)


# ---------------------------------------------------------------------------------------------
# the perceptron


@dataclass(frozen=True)
class PerceptronResult:
    """Outcome of :func:`perceptron` or :func:`perceptron_dual`.

    Attributes
    ----------
    w : ndarray of float64, shape (d,), or None
        Final weights (``None`` for the dual form, which never forms them).
    alpha : ndarray of int64, shape (n,)
        ``alpha[i]`` = number of updates made on example ``i``; ``w = sum_i alpha_i y_i x_i``.
    mistakes : int
        Total number of updates, ``alpha.sum()``.
    epochs : int
        Passes over the data, including the final pass without a mistake (if converged).
    converged : bool
        Whether a full pass made no mistake (every example has ``y_i w^T x_i > 0``).
    """

    w: np.ndarray | None
    alpha: np.ndarray
    mistakes: int
    epochs: int
    converged: bool

    def __post_init__(self) -> None:
        if self.w is not None:
            w = _real_array("w", self.w)
            if w.ndim != 1:
                raise ValueError(f"w must be None or a 1-D array, got shape {w.shape}")
        alpha = np.asarray(self.alpha)
        if alpha.dtype.kind not in "iu" or alpha.ndim != 1 or (alpha.size and alpha.min() < 0):
            raise ValueError("alpha must be a 1-D array of update counts (integers >= 0), got "
                             f"dtype {alpha.dtype} and shape {alpha.shape}")
        for name in ("mistakes", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {type(value).__name__} "
                                f"({value!r:.40})")
            if value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value}")
        if not isinstance(self.converged, (bool, np.bool_)):
            raise TypeError(f"converged must be a bool, got {type(self.converged).__name__}")


def perceptron(X: Any, y: Any, *, max_epochs: int = 1000,
               shuffle: bool = True, seed: Any = 0) -> PerceptronResult:
    """Rosenblatt's perceptron, started at ``w = 0``.

    Implements (eq-lrn-perceptron): visit the examples in turn and, whenever
    ``y_i w^T x_i <= 0`` (a mistake, ties included), update
    ``w <- w + y_i x_i``. Stops after the first pass without a mistake. If
    some unit ``u`` has ``y_i u^T x_i >= rho > 0`` for all ``i`` and
    ``||x_i|| <= R``, the number of mistakes is at most ``R^2 / rho^2``,
    whatever the order (Novikoff's theorem, thm-lrn-perceptron).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs (append a column of ones for an affine boundary).
    y : array_like, shape (n,)
        Labels in ``{-1, +1}``.
    max_epochs : int
        Maximum number of passes, ``>= 1``.
    shuffle : bool
        Visit the examples in a fresh random order in every pass (else in
        index order).
    seed : int or numpy.random.Generator
        For the order; :func:`perceptron_dual` with the same seed visits the
        same sequence.

    Returns
    -------
    PerceptronResult
    """
    X = _design(X)
    n, d = X.shape
    y = _pm1(y, n)
    max_epochs = _count("max_epochs", max_epochs)
    rng = _rng(seed)
    w = np.zeros(d)
    alpha = np.zeros(n, dtype=np.int64)
    epochs, converged = 0, False
    while epochs < max_epochs and not converged:
        epochs += 1
        order = rng.permutation(n) if shuffle else range(n)
        converged = True
        for i in order:
            if y[i] * (X[i] @ w) <= 0.0:  # a mistake: update
                w += y[i] * X[i]
                alpha[i] += 1
                converged = False
    return PerceptronResult(w, alpha, int(alpha.sum()), epochs, converged)


def perceptron_dual(gram: Any, y: Any, *, max_epochs: int = 1000,
                    shuffle: bool = True, seed: Any = 0) -> PerceptronResult:
    """The perceptron in dual form, seeing the data only through
    ``gram[i, j] = x_i^T x_j``.

    Implements (eq-lrn-perceptron-dual): the weights are
    ``w = sum_j alpha_j y_j x_j``, so the score of example ``i`` is
    ``sum_j alpha_j y_j gram[j, i]``; a mistake on ``i`` increments
    ``alpha_i``. With the Gram matrix of ``X`` and the same ``seed`` it makes
    exactly the updates of :func:`perceptron`; with any positive
    semidefinite kernel matrix it is the kernel perceptron.

    Parameters
    ----------
    gram : array_like, shape (n, n)
        Symmetric matrix of inner products (or kernel values).
    y : array_like, shape (n,)
        Labels in ``{-1, +1}``.
    max_epochs, shuffle, seed
        As in :func:`perceptron`.

    Returns
    -------
    PerceptronResult
        With ``w = None``.
    """
    G = _design(gram, "gram")
    n = G.shape[0]
    if G.shape != (n, n):
        raise ValueError(f"gram must be square, got shape {G.shape}")
    if not np.allclose(G, G.T, rtol=1e-10, atol=1e-12):
        raise ValueError("gram must be symmetric")
    y = _pm1(y, n)
    max_epochs = _count("max_epochs", max_epochs)
    rng = _rng(seed)
    alpha = np.zeros(n, dtype=np.int64)
    score = np.zeros(n)  # score[i] = sum_j alpha_j y_j gram[j, i] = w^T x_i
    epochs, converged = 0, False
    while epochs < max_epochs and not converged:
        epochs += 1
        order = rng.permutation(n) if shuffle else range(n)
        converged = True
        for i in order:
            if y[i] * score[i] <= 0.0:  # a mistake: update
                alpha[i] += 1
                score += y[i] * G[i]
                converged = False
    return PerceptronResult(None, alpha, int(alpha.sum()), epochs, converged)


# ---------------------------------------------------------------------------------------------
# logistic and softmax regression


def logistic_objective(w: Any, X: Any, y: Any, lam: float = 0.0) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of ``sigmoid(X w)`` against ``y`` plus ``(lam/2) ||w||^2``.

    Implements (eq-lrn-logistic-obj): the value
    ``(1/n) sum_i [log(1 + exp(x_i^T w)) - y_i x_i^T w] + (lam/2) ||w||^2`` (the negative mean
    log-likelihood of the Bernoulli model ``P(y = 1 | x) = sigmoid(x^T w)``) and its gradient
    ``X^T (sigmoid(X w) - y) / n + lam w``.

    Parameters
    ----------
    w : array_like, shape (d,)
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels in ``{0, 1}``.
    lam : float
        Ridge coefficient, ``>= 0``.

    Returns
    -------
    value : float
    grad : ndarray of float64, shape (d,)
    """
    X = _design(X)
    n, d = X.shape
    y = _binary01(y, n)
    w = _real_array("w", w)
    if w.shape != (d,):
        raise ValueError(f"w must have shape ({d},) to match X, got shape {w.shape}")
    lam = _nonneg("lam", lam)
    z = X @ w
    value = float(np.mean(losses.bce_with_logits(z, y)) + 0.5 * lam * (w @ w))
    grad = X.T @ losses.bce_with_logits_grad(z, y) / n + lam * w
    return value, grad


def softmax_objective(W: Any, X: Any, y: Any,
                      lam: float = 0.0) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of the logits ``X W`` plus
    ``(lam/2) ||W||_F^2``.

    Implements (eq-lrn-softmax-obj): the value
    ``(1/n) sum_i [logsumexp(W^T x_i) - w_{y_i}^T x_i] + (lam/2) ||W||_F^2``
    and its gradient ``X^T (softmax(X W) - Y) / n + lam W``, with ``Y`` the
    one-hot labels.

    Parameters
    ----------
    W : array_like, shape (d, K)
        One column of weights per class.
    X : array_like, shape (n, d)
    y : array_like of int, shape (n,)
        Labels in ``{0, ..., K - 1}``.
    lam : float
        Ridge coefficient, ``>= 0``.

    Returns
    -------
    value : float
    grad : ndarray of float64, shape (d, K)
    """
    X = _design(X)
    n, d = X.shape
    W = _real_array("W", W)
    if W.ndim != 2 or W.shape[0] != d or W.shape[1] < 2:
        raise ValueError(f"W must have shape ({d}, K) with K >= 2 to match X, "
                         f"got shape {W.shape}")
    y, _ = _classes(y, n, W.shape[1])
    lam = _nonneg("lam", lam)
    Z = X @ W
    ce = losses.cross_entropy(Z, y)  # per-example loss, shape (n,)
    value = float(np.mean(ce) + 0.5 * lam * np.sum(W * W))
    grad = X.T @ losses.cross_entropy_grad(Z, y) / n + lam * W
    return value, grad


def _newton(fun, hess, w0: np.ndarray, tol: float, max_iter: int, what: str,
            singular: bool = False) -> np.ndarray:
    """Damped Newton's method with Armijo backtracking on a convex objective.

    With ``singular=True`` (a Hessian known to be singular) the step is the minimum-norm
    solution of ``H step = g``.
    """
    w = w0.copy()
    f, g = fun(w)
    target = tol * max(1.0, float(np.linalg.norm(g)))
    for _ in range(max_iter):
        if np.linalg.norm(g) <= target:
            return w
        H = hess(w)
        if singular:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        else:
            try:
                step = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(H, g, rcond=None)[0]
        # backtracking: halve t until the Armijo condition holds (or t is negligible)
        t, slope = 1.0, float(g @ step)
        f_new, g_new = fun(w - step)
        while f_new > f - 0.25 * t * slope and t > 1e-12:
            t *= 0.5
            f_new, g_new = fun(w - t * step)
        w, f, g = w - t * step, f_new, g_new
    if np.linalg.norm(g) <= target:
        return w
    raise RuntimeError(f"{what}: Newton's method did not reach tol={tol:g} in {max_iter} "
                       f"iterations (gradient norm {np.linalg.norm(g):.3g}, ||w|| = "
                       f"{np.linalg.norm(w):.3g}). Without a ridge term the minimum is not "
                       "attained on separable data; use lam > 0.")


_SEPARABLE = "separable data have no minimizer; use lam > 0"


def _method(method: Any) -> str:
    if method not in ("newton", "gd"):
        raise ValueError(f"method must be 'newton' or 'gd', got {method!r}")
    return method


def logistic_regression(X: Any, y: Any, *, lam: float = 0.0, method: str = "newton",
                        tol: float = 1e-10, max_iter: int = 100,
                        n_steps: int = 1000) -> np.ndarray:
    """Fit ``P(y = 1 | x) = sigmoid(x^T w)`` by minimizing :func:`logistic_objective`.

    The objective is convex with Hessian ``X^T D X / n + lam I``, ``D = diag(p_i (1 - p_i))``,
    so it is ``L``-smooth with ``L = ||X||_2^2 / (4 n) + lam``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels in ``{0, 1}``.
    lam : float
        Ridge coefficient, ``>= 0``. With ``lam = 0`` and linearly separable data the minimum
        is not attained (the weights grow without bound): Newton's method then raises
        ``ValueError`` (or ``RuntimeError`` if it runs out of iterations first).
    method : {"newton", "gd"}
        Newton's method with backtracking until the gradient norm is below
        ``tol * max(1, ||grad at 0||)``, or ``n_steps`` steps of gradient descent
        (:func:`dlf.optim.gradient_descent`) with step ``1 / L`` from ``w = 0``.
    tol : float
        Relative gradient tolerance for Newton's method, ``> 0``.
    max_iter : int
        Maximum number of Newton iterations.
    n_steps : int
        Number of gradient-descent steps.

    Returns
    -------
    ndarray of float64, shape (d,)
    """
    X = _design(X)
    n, d = X.shape
    y = _binary01(y, n)
    lam = _nonneg("lam", lam)
    method = _method(method)
    tol, max_iter = _positive_tol(tol), _count("max_iter", max_iter)
    n_steps = _count("n_steps", n_steps)

    def fun(w: np.ndarray) -> tuple[float, np.ndarray]:
        return logistic_objective(w, X, y, lam)

    if method == "gd":
        L = np.linalg.norm(X, 2) ** 2 / (4 * n) + lam
        grad = lambda w: fun(w)[1]  # noqa: E731
        return optim.gradient_descent(grad, np.zeros(d), 1.0 / L, n_steps)[-1]

    def hess(w: np.ndarray) -> np.ndarray:
        p = losses.sigmoid(X @ w)
        return (X.T * (p * (1 - p))) @ X / n + lam * np.eye(d)

    w = _newton(fun, hess, np.zeros(d), tol, max_iter,
                "logistic_regression")
    # the fitted w classifies every example correctly: scaling it up always lowers the loss
    if lam == 0 and np.all((2 * y - 1) * (X @ w) > 0):
        raise ValueError(_SEPARABLE)
    return w


def _positive_tol(tol: Any) -> float:
    tol = _nonneg("tol", tol)
    if tol == 0:
        raise ValueError("tol must be > 0")
    return tol


def softmax_regression(X: Any, y: Any, n_classes: int | None = None, *, lam: float = 0.0,
                       method: str = "newton", tol: float = 1e-10, max_iter: int = 100,
                       n_steps: int = 1000) -> np.ndarray:
    """Fit ``P(y = k | x) = softmax(W^T x)_k`` by minimizing :func:`softmax_objective`.

    The objective is convex; its Hessian is ``(1/n) sum_i (diag(p_i) - p_i p_i^T) (x) x_i x_i^T
    + lam I`` (a Kronecker product), and ``||diag(p) - p p^T||_2 <= 1/2`` makes it ``L``-smooth
    with ``L = ||X||_2^2 / (2 n) + lam``. Adding the same vector to every column of ``W`` does
    not change the probabilities, so without a ridge term the minimizer is never unique; Newton's
    method then takes minimum-norm steps and the result is the minimizer whose rows sum to zero.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like of int, shape (n,)
        Labels in ``{0, ..., n_classes - 1}``.
    n_classes : int, optional
        Number of classes ``K >= 2``; default ``max(y) + 1``.
    lam, method, tol, max_iter, n_steps
        As in :func:`logistic_regression` (gradient descent uses step ``1 / L`` with the ``L``
        above).

    Returns
    -------
    ndarray of float64, shape (d, n_classes)
    """
    X = _design(X)
    n, d = X.shape
    y, k = _classes(y, n, n_classes)
    lam = _nonneg("lam", lam)
    method = _method(method)
    tol, max_iter = _positive_tol(tol), _count("max_iter", max_iter)
    n_steps = _count("n_steps", n_steps)

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        val, g = softmax_objective(v.reshape(d, k), X, y, lam)
        return val, g.ravel()

    if method == "gd":
        L = np.linalg.norm(X, 2) ** 2 / (2 * n) + lam
        grad = lambda v: fun(v)[1]  # noqa: E731
        v = optim.gradient_descent(grad, np.zeros(d * k), 1.0 / L, n_steps)
        return v[-1].reshape(d, k)

    outer = np.einsum("ij,il->ijl", X, X).reshape(n, d * d)

    def hess(v: np.ndarray) -> np.ndarray:
        P = losses.softmax(X @ v.reshape(d, k), axis=1)
        S = np.einsum("ik,kl->ikl", P, np.eye(k)) - P[:, :, None] * P[:, None, :]
        H = (outer.T @ S.reshape(n, k * k) / n).reshape(d, d, k, k)
        return H.transpose(0, 2, 1, 3).reshape(d * k, d * k) + lam * np.eye(d * k)

    W = _newton(fun, hess, np.zeros(d * k), tol, max_iter,
                "softmax_regression", singular=lam == 0).reshape(d, k)
    if lam == 0:
        Z = X @ W
        others = np.where(np.eye(k, dtype=bool)[y], -np.inf, Z).max(axis=1)
        if np.all(Z[np.arange(n), y] > others):  # W classifies every example correctly
            raise ValueError(_SEPARABLE)
        W = W - W.mean(axis=1, keepdims=True)  # the minimizer with no shift component
    return W

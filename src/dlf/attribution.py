"""Credit attribution: influence functions, Shapley values and datamodels.

* Influence functions of a regularized empirical risk minimizer: the exact formula
  ``I(x, z) = -grad l(z)^T H^{-1} grad l(x)`` (:func:`influence`) and the leave-one-out oracle it
  approximates, by exact retraining of weighted l2-regularized logistic regression
  (:func:`logistic_fit`, :func:`loo_effects`).
* Inverse Hessian-vector products from products ``v -> H v`` only: the truncated Neumann series
  (:func:`neumann_inverse_hvp`), its stochastic version LiSSA (:func:`lissa`) and conjugate
  gradients (:func:`cg_inverse_hvp`).
* Shapley values of a cooperative game given as a table of its ``2^N`` values: exact by the
  permutation, subset or Harsanyi-dividend formula (:func:`shapley_exact`), the difference
  formula (:func:`shapley_difference`), permutation sampling (:func:`shapley_permutation`) and
  its exact per-player variance (:func:`shapley_mc_variance`), Harsanyi dividends
  (:func:`harsanyi_dividends`), Banzhaf-type values (:func:`banzhaf_exact`), the tabulation of a
  utility (:func:`game_table`) and the exact KNN-Shapley recursion (:func:`knn_shapley`).
* Datamodels: ridge regression of a model output on subset-inclusion indicators
  (:func:`datamodel_fit`).

Conventions. A game on players ``0..N-1`` is a float64 array ``v`` of length ``2^N``, where
``v[mask]`` is the value of the coalition whose members are the set bits of ``mask``
(player ``i`` is bit ``1 << i``); ``v[0]`` is the value of the empty coalition.

Derived in: book/robustness/attribution.md (Credit attribution).
Depends on: numpy, scipy (``expit``, ``log_expit``); no other dlf module.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit, log_expit

__all__ = [
    "logistic_fit",
    "logistic_losses",
    "logistic_grads",
    "logistic_hessian",
    "influence",
    "loo_effects",
    "neumann_inverse_hvp",
    "lissa",
    "cg_inverse_hvp",
    "game_table",
    "shapley_exact",
    "shapley_difference",
    "shapley_permutation",
    "shapley_mc_variance",
    "harsanyi_dividends",
    "banzhaf_exact",
    "knn_shapley",
    "datamodel_fit",
]

_MAX_PLAYERS = 20


# ---------------------------------------------------------------------------------------------
# validation


def _array(name: str, x: Any, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    try:
        a = np.asarray(x)
    except Exception as err:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be an array of real numbers") from err
    if a.dtype == object or a.dtype.kind not in "biuf":
        if a.dtype.kind == "c":
            raise TypeError(f"{name} must be real, got a complex array")
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if a.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                             f"got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _scalar(name: str, x: Any, *, low: float = -math.inf, low_open: bool = False,
            high: float = math.inf, high_open: bool = False) -> float:
    if isinstance(x, (bool, np.bool_)) or x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be real, got complex {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if (v <= low if low_open else v < low) or (v >= high if high_open else v > high):
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lo}{low}, {high}{hi}, got {v}")
    return v


def _int(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(x).__name__}")
    if int(x) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or numpy.random.Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _design(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = _array("X", X, 2)
    y = _array("y", y, 1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} entries to match X, got {y.shape[0]}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain labels in {0, 1}")
    return X, y


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = _array("sample_weight", sample_weight, 1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight must have {n} entries, got {w.shape[0]}")
    if np.any(w < 0):
        raise ValueError("sample_weight must be >= 0")
    return w


def _game(v: Any) -> tuple[np.ndarray, int]:
    v = _array("v", v, 1)
    N = int(round(math.log2(v.size))) if v.size > 0 else -1
    if N < 1 or 2**N != v.size or N > _MAX_PLAYERS:
        raise ValueError(f"v must have length 2^N with 1 <= N <= {_MAX_PLAYERS}, got {v.size}")
    return v, N


def _player(name: str, i: Any, N: int) -> int:
    i = _int(name, i, 0)
    if i >= N:
        raise ValueError(f"{name} must be a player index below N = {N}, got {i}")
    return i


# ---------------------------------------------------------------------------------------------
# weighted l2-regularized logistic regression (the model whose influence we compute)


def logistic_losses(theta: Any, X: Any, y: Any) -> np.ndarray:
    """Per-example logistic losses ``log(1 + exp(x_i^T theta)) - y_i x_i^T theta``.

    Parameters
    ----------
    theta : array_like, shape (d,)
    X : array_like, shape (n, d)
    y : array_like, shape (n,), labels in {0, 1}

    Returns
    -------
    ndarray of float64, shape (n,)
    """
    X, y = _design(X, y)
    theta = _array("theta", theta, 1)
    if theta.shape[0] != X.shape[1]:
        raise ValueError(f"theta must have shape ({X.shape[1]},), got {theta.shape}")
    z = X @ theta
    return -(y * log_expit(z) + (1 - y) * log_expit(-z))


def logistic_grads(theta: Any, X: Any, y: Any) -> np.ndarray:
    """Per-example loss gradients ``(sigmoid(x_i^T theta) - y_i) x_i``, shape (n, d)."""
    X, y = _design(X, y)
    theta = _array("theta", theta, 1)
    if theta.shape[0] != X.shape[1]:
        raise ValueError(f"theta must have shape ({X.shape[1]},), got {theta.shape}")
    return (expit(X @ theta) - y)[:, None] * X


def logistic_hessian(theta: Any, X: Any, lam: float = 0.0, sample_weight: Any = None
                     ) -> np.ndarray:
    """Hessian ``X^T diag(w_i p_i (1 - p_i)) X / n + lam I`` of the weighted objective.

    Implements (eq-attr-logistic-hessian) for :func:`logistic_fit`'s objective, whose Hessian
    does not depend on the labels.

    Returns
    -------
    ndarray of float64, shape (d, d)
    """
    X = _array("X", X, 2)
    n, d = X.shape
    theta = _array("theta", theta, 1)
    if theta.shape[0] != d:
        raise ValueError(f"theta must have shape ({d},), got {theta.shape}")
    lam = _scalar("lam", lam, low=0.0)
    w = _weights(sample_weight, n)
    p = expit(X @ theta)
    return (X.T * (w * p * (1 - p))) @ X / n + lam * np.eye(d)


def logistic_fit(X: Any, y: Any, lam: float, *, sample_weight: Any = None,
                 theta0: Any = None, tol: float = 1e-14, max_iter: int = 100) -> np.ndarray:
    """Minimize ``(1/n) sum_i w_i l_i(theta) + (lam/2) ||theta||^2`` by Newton's method.

    Implements (eq-attr-weighted-erm). The normalisation is ``1/n`` whatever the weights, so
    ``w_i = 0`` removes example ``i`` without changing the weight of the others (the
    leave-one-out refit of :func:`loo_effects`) and ``w_i = 1 + n eps`` adds ``eps`` to its
    weight ``1/n`` (the perturbation defining the influence function).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,), labels in {0, 1}
    lam : float
        Ridge coefficient, ``> 0`` (the objective is then strictly convex).
    sample_weight : array_like, shape (n,), optional
        Non-negative weights ``w_i`` (default all ones).
    theta0 : array_like, shape (d,), optional
        Starting point (default zero); a nearby solution makes a refit take 2-4 steps.
    tol : float
        Stop when ``||grad|| <= tol * max(1, ||grad at theta0||)``, ``> 0``.
    max_iter : int
        Maximum number of Newton steps.

    Returns
    -------
    ndarray of float64, shape (d,)
    """
    X, y = _design(X, y)
    n, d = X.shape
    lam = _scalar("lam", lam, low=0.0, low_open=True)
    w = _weights(sample_weight, n)
    tol = _scalar("tol", tol, low=0.0, low_open=True)
    max_iter = _int("max_iter", max_iter)
    theta = np.zeros(d) if theta0 is None else _array("theta0", theta0, 1).copy()
    if theta.shape[0] != d:
        raise ValueError(f"theta0 must have shape ({d},), got {theta.shape}")

    def value(t: np.ndarray) -> float:
        z = X @ t
        loss = -(y * log_expit(z) + (1 - y) * log_expit(-z))
        return float(w @ loss / n + 0.5 * lam * (t @ t))

    def grad(t: np.ndarray) -> np.ndarray:
        return X.T @ (w * (expit(X @ t) - y)) / n + lam * t

    g = grad(theta)
    scale = max(1.0, float(np.linalg.norm(g)))
    for _ in range(max_iter):
        if np.linalg.norm(g) <= tol * scale:
            return theta
        step = np.linalg.solve(logistic_hessian(theta, X, lam, w), g)
        f0, a = value(theta), 1.0
        while value(theta - a * step) > f0 + 1e-12 * abs(f0) and a > 1e-8:
            a /= 2  # backtracking (never needed near the minimum: a = 1 there)
        theta = theta - a * step
        g = grad(theta)
    if np.linalg.norm(g) <= 10 * tol * scale:
        return theta
    raise RuntimeError(f"logistic_fit: no convergence in {max_iter} Newton steps "
                       f"(gradient norm {np.linalg.norm(g):.3g})")


# ---------------------------------------------------------------------------------------------
# influence functions


def influence(H: Any, grad_train: Any, grad_test: Any, *, damping: float = 0.0
              ) -> np.ndarray | float:
    """Influence ``I(x, z) = -grad l(z)^T (H + damping I)^{-1} grad l(x)`` of up-weighting ``x``.

    Implements (eq-attr-influence): the derivative of the test quantity ``l(z, theta*_eps)``
    with respect to the extra weight ``eps`` of training example ``x``. Removing ``x`` from an
    average over ``n`` examples changes the test quantity by about ``-I(x, z) / n``.

    Parameters
    ----------
    H : array_like, shape (d, d)
        Hessian of the training objective at its minimizer (symmetric).
    grad_train : array_like, shape (d,) or (n, d)
        Loss gradients of the training example(s) ``x`` at the minimizer.
    grad_test : array_like, shape (d,)
        Gradient of the test quantity at the minimizer.
    damping : float
        ``lambda >= 0`` added to the diagonal (needed when ``H`` is singular or indefinite).

    Returns
    -------
    float, or ndarray of float64 of shape (n,)
    """
    H = _array("H", H, 2)
    d = H.shape[0]
    if H.shape != (d, d):
        raise ValueError(f"H must be square, got shape {H.shape}")
    G = _array("grad_train", grad_train, (1, 2))
    g = _array("grad_test", grad_test, 1)
    if G.shape[-1] != d:
        raise ValueError(f"grad_train must have {d} columns to match H, got shape {G.shape}")
    if g.shape != (d,):
        raise ValueError(f"grad_test must have shape ({d},), got {g.shape}")
    damping = _scalar("damping", damping, low=0.0)
    A = H + damping * np.eye(d)
    try:
        u = np.linalg.solve(A, g)
    except np.linalg.LinAlgError as err:
        raise ValueError("H + damping I is singular: increase damping") from err
    out = -(G @ u)
    return float(out) if G.ndim == 1 else out


def loo_effects(X: Any, y: Any, lam: float, test_fn: Callable[[np.ndarray], float], *,
                indices: Any = None, renormalize: bool = False) -> np.ndarray:
    """Exact leave-one-out effects ``test_fn(theta_{-i}) - test_fn(theta*)`` by retraining.

    The oracle for influence functions. ``theta_{-i}`` minimizes
    (eq-attr-weighted-erm) with ``w_i = 0`` (the ``1/n`` normalisation is kept), or, with
    ``renormalize=True``, the mean loss over the other ``n - 1`` examples plus the same ridge
    term, which is the weight-zero problem with ``lam`` replaced by ``lam (n - 1) / n``.

    Parameters
    ----------
    X, y, lam
        As for :func:`logistic_fit`.
    test_fn : callable
        ``test_fn(theta) -> float``, the test quantity (a test loss, a margin, ...).
    indices : array_like of int, optional
        The examples to leave out (default all ``n``).
    renormalize : bool
        Average over ``n - 1`` examples instead of keeping ``1/n`` (the pitfall of the chapter).

    Returns
    -------
    ndarray of float64, shape (len(indices),)
    """
    X, y = _design(X, y)
    n = X.shape[0]
    lam = _scalar("lam", lam, low=0.0, low_open=True)
    if not callable(test_fn):
        raise TypeError(f"test_fn must be callable, got {type(test_fn).__name__}")
    if indices is None:
        idx = np.arange(n)
    else:
        idx = np.atleast_1d(np.asarray(indices))
        if idx.dtype.kind not in "iu" or idx.ndim != 1 or idx.size == 0:
            raise TypeError("indices must be a non-empty 1-D array of ints")
        if np.any(idx < 0) or np.any(idx >= n):
            raise ValueError(f"indices must lie in [0, {n - 1}]")
    theta = logistic_fit(X, y, lam)
    base = float(test_fn(theta))
    lam_i = lam * (n - 1) / n if renormalize else lam
    out = np.empty(idx.size)
    for k, i in enumerate(idx):
        w = np.ones(n)
        w[i] = 0.0
        theta_i = logistic_fit(X, y, lam_i, sample_weight=w, theta0=theta)
        out[k] = float(test_fn(theta_i)) - base
    return out


# ---------------------------------------------------------------------------------------------
# inverse Hessian-vector products


def _hvp_call(hvp: Callable, u: np.ndarray, d: int) -> np.ndarray:
    out = hvp(u)
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    out = np.asarray(out, dtype=np.float64).reshape(-1)
    if out.shape != (d,):
        raise ValueError(f"hvp must return a vector of shape ({d},), got {out.shape}")
    return out


def _hvp_args(hvp: Any, v: Any, name: str = "hvp") -> np.ndarray:
    if not callable(hvp):
        raise TypeError(f"{name} must be callable, got {type(hvp).__name__}")
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    return _array("v", v, 1)


def neumann_inverse_hvp(hvp: Callable[[np.ndarray], Any], v: Any, s: float, r: int,
                        *, return_all: bool = False) -> np.ndarray:
    """Truncated Neumann series ``S_r v = s sum_{i<r} (I - s H)^i v`` for ``H^{-1} v``.

    Implements (eq-attr-neumann) with ``r - 1`` products ``u -> H u`` by the recursion
    ``u_0 = v``, ``u_{j+1} = v + (I - s H) u_j`` (then ``S_r v = s u_{r-1}``). It converges for
    positive definite ``H`` when ``0 < s < 2 / lambda_max(H)``, with error
    ``(I - s H)^r H^{-1} v`` (thm-attr-neumann).

    Parameters
    ----------
    hvp : callable
        ``hvp(u)`` returns ``H u`` (NumPy array or tensor of shape (d,)).
    v : array_like, shape (d,)
    s : float
        Scale ``> 0``.
    r : int
        Number of terms, ``>= 1``.
    return_all : bool
        Return every partial sum ``S_1 v, ..., S_r v`` (shape (r, d)) instead of the last.

    Returns
    -------
    ndarray of float64, shape (d,) or (r, d)
    """
    v = _hvp_args(hvp, v)
    s = _scalar("s", s, low=0.0, low_open=True)
    r = _int("r", r)
    d = v.size
    u = v.copy()
    partial = [s * u] if return_all else None
    for _ in range(r - 1):
        u = v + u - s * _hvp_call(hvp, u, d)
        if return_all:
            partial.append(s * u)
    return np.array(partial) if return_all else s * u


def lissa(sample_hvp: Callable[[np.ndarray, np.ndarray], Any], n: int, v: Any, s: float,
          r: int, *, batch_size: int = 1, seed: Any = 0) -> np.ndarray:
    """LiSSA: the Neumann recursion with a fresh mini-batch Hessian at every step.

    ``u_0 = v``, ``u_{j+1} = v + (I - s H_{B_j}) u_j`` with ``H_{B_j}`` the Hessian of the
    mean loss over a batch ``B_j`` of ``batch_size`` examples drawn uniformly (with
    replacement) from ``0..n-1``, independently at each step; returns ``s u_{r-1}``. Since the
    batches are independent and ``E H_B = H``, the output is an unbiased estimate of
    ``S_r v`` of (eq-attr-neumann) (prop-attr-lissa).

    Parameters
    ----------
    sample_hvp : callable
        ``sample_hvp(idx, u)`` returns ``H_B u`` for the batch of indices ``idx``.
    n : int
        Number of examples.
    v : array_like, shape (d,)
    s : float
        Scale ``> 0``.
    r : int
        Number of terms, ``>= 1``.
    batch_size : int
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray of float64, shape (d,)
    """
    v = _hvp_args(sample_hvp, v, "sample_hvp")
    n = _int("n", n)
    s = _scalar("s", s, low=0.0, low_open=True)
    r = _int("r", r)
    batch_size = _int("batch_size", batch_size)
    rng = _rng(seed)
    d = v.size
    u = v.copy()
    for _ in range(r - 1):
        idx = rng.integers(0, n, size=batch_size)
        u = v + u - s * _hvp_call(lambda w, idx=idx: sample_hvp(idx, w), u, d)
    return s * u


def cg_inverse_hvp(hvp: Callable[[np.ndarray], Any], v: Any, *, max_iter: int | None = None,
                   tol: float = 0.0) -> np.ndarray:
    """Conjugate gradients for ``H x = v`` with ``H`` symmetric positive definite.

    In exact arithmetic CG finds ``H^{-1} v`` in at most as many products as ``H`` has distinct
    eigenvalues, hence at most ``d``; it stops early when ``||H x - v|| <= tol ||v||``.

    Parameters
    ----------
    hvp : callable
        ``hvp(u)`` returns ``H u``.
    v : array_like, shape (d,)
    max_iter : int, optional
        Number of products (default ``d``).
    tol : float
        Relative residual tolerance, ``>= 0``.

    Returns
    -------
    ndarray of float64, shape (d,)
    """
    v = _hvp_args(hvp, v)
    d = v.size
    max_iter = d if max_iter is None else _int("max_iter", max_iter)
    tol = _scalar("tol", tol, low=0.0)
    x = np.zeros(d)
    res = v.copy()
    p = res.copy()
    rr = res @ res
    vnorm = math.sqrt(rr)
    for _ in range(max_iter):
        if math.sqrt(rr) <= tol * vnorm or rr == 0.0:
            break
        Hp = _hvp_call(hvp, p, d)
        curv = p @ Hp
        if curv <= 0:
            raise ValueError("hvp is not positive definite: p^T H p <= 0 met in CG")
        a = rr / curv
        x = x + a * p
        res = res - a * Hp
        rr_new = res @ res
        p = res + (rr_new / rr) * p
        rr = rr_new
    return x


# ---------------------------------------------------------------------------------------------
# Shapley values of a game given by its table v[mask]


def _popcount(N: int) -> np.ndarray:
    masks = np.arange(2**N)
    return np.array([bin(m).count("1") for m in masks]) if N <= 12 else \
        np.unpackbits(masks.astype(">u4").view(np.uint8).reshape(-1, 4), axis=1).sum(1)


def game_table(utility: Callable[[np.ndarray], float], N: int) -> np.ndarray:
    """Tabulate ``utility`` on all ``2^N`` coalitions: ``v[mask] = utility(members)``.

    Parameters
    ----------
    utility : callable
        ``utility(members)`` with ``members`` a sorted int array of the players in the coalition.
    N : int
        Number of players, ``1 <= N <= 20``.

    Returns
    -------
    ndarray of float64, shape (2^N,)
    """
    if not callable(utility):
        raise TypeError(f"utility must be callable, got {type(utility).__name__}")
    N = _int("N", N)
    if N > _MAX_PLAYERS:
        raise ValueError(f"N must be <= {_MAX_PLAYERS}, got {N}")
    players = np.arange(N)
    v = np.empty(2**N)
    for mask in range(2**N):
        v[mask] = float(utility(players[(mask >> players) & 1 == 1]))
    if not np.all(np.isfinite(v)):
        raise ValueError("utility returned a non-finite value")
    return v


def _subset_weights(N: int) -> np.ndarray:
    """``|S|! (N - |S| - 1)! / N!`` for |S| = 0..N-1."""
    return np.array([1.0 / (N * math.comb(N - 1, k)) for k in range(N)])


def shapley_exact(v: Any, method: str = "subset") -> np.ndarray:
    """Exact Shapley values of the game ``v`` (length ``2^N``).

    Implements (eq-attr-shapley-perm), (eq-attr-shapley-subset) and (eq-attr-shapley-harsanyi):

    * ``"permutation"``: the mean over all ``N!`` orders of each player's marginal contribution
      (``N <= 9``);
    * ``"subset"``: ``s_i = sum_{S not containing i} |S|!(N-|S|-1)!/N! (v(S+i) - v(S))``;
    * ``"harsanyi"``: ``s_i = sum_{T containing i} m(T) / |T|`` with the Harsanyi dividends ``m``.

    Returns
    -------
    ndarray of float64, shape (N,)
    """
    v, N = _game(v)
    if method not in ("subset", "permutation", "harsanyi"):
        raise ValueError(f"method must be 'subset', 'permutation' or 'harsanyi', got {method!r}")
    masks = np.arange(2**N)
    size = _popcount(N)
    s = np.zeros(N)
    if method == "permutation":
        if N > 9:
            raise ValueError(f"method='permutation' enumerates N! orders: N must be <= 9, got {N}")
        for order in itertools.permutations(range(N)):
            mask = 0
            for i in order:
                s[i] += v[mask | (1 << i)] - v[mask]
                mask |= 1 << i
        return s / math.factorial(N)
    if method == "subset":
        w = _subset_weights(N)
        for i in range(N):
            out = masks[(masks >> i) & 1 == 0]
            s[i] = np.sum(w[size[out]] * (v[out | (1 << i)] - v[out]))
        return s
    m = harsanyi_dividends(v)
    for i in range(N):
        inn = masks[(masks >> i) & 1 == 1]
        s[i] = np.sum(m[inn] / size[inn])
    return s


def shapley_difference(v: Any, i: int, j: int) -> float:
    """``s_i - s_j`` by the difference formula (eq-attr-shapley-diff).

    ``s_i - s_j = (1/(N-1)) sum_{S in [N] minus {i, j}} C(N-2, |S|)^{-1} (v(S+i) - v(S+j))``,
    which never needs the values of coalitions containing both ``i`` and ``j``.
    """
    v, N = _game(v)
    if N < 2:
        raise ValueError("v must have at least two players")
    i, j = _player("i", i, N), _player("j", j, N)
    if i == j:
        return 0.0
    masks = np.arange(2**N)
    size = _popcount(N)
    out = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
    w = np.array([1.0 / math.comb(N - 2, int(k)) for k in size[out]])
    return float(np.sum(w * (v[out | (1 << i)] - v[out | (1 << j)])) / (N - 1))


def shapley_mc_variance(v: Any) -> np.ndarray:
    """Per-player variance ``tau_i^2`` of the marginal contribution in a uniform random order.

    In a uniform random order the set ``S`` of players before ``i`` has law
    ``P(S) = |S|!(N-|S|-1)!/N!`` (lem-attr-predecessors), so
    ``tau_i^2 = sum_S P(S) (v(S+i) - v(S))^2 - s_i^2``; the mean over ``T`` orders has variance
    ``tau_i^2 / T``.

    Returns
    -------
    ndarray of float64, shape (N,)
    """
    v, N = _game(v)
    masks = np.arange(2**N)
    size = _popcount(N)
    w = _subset_weights(N)
    var = np.zeros(N)
    for i in range(N):
        out = masks[(masks >> i) & 1 == 0]
        delta = v[out | (1 << i)] - v[out]
        mean = np.sum(w[size[out]] * delta)
        var[i] = max(np.sum(w[size[out]] * delta**2) - mean**2, 0.0)
    return var


def shapley_permutation(v: Any, T: int, *, seed: Any = 0) -> np.ndarray:
    """Permutation-sampling estimate of the Shapley values: the mean marginal contribution
    of each player over ``T`` independent uniform random orders (``T N`` evaluations of ``v``).

    Parameters
    ----------
    v : array_like, shape (2^N,)
    T : int
        Number of random orders, ``>= 1``.
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray of float64, shape (N,)
    """
    v, N = _game(v)
    T = _int("T", T)
    rng = _rng(seed)
    orders = np.argsort(rng.random((T, N)), axis=1)  # T uniform random permutations
    bits = np.left_shift(1, orders)
    after = np.cumsum(bits, axis=1)  # coalition once the k-th player of the order has joined
    before = after - bits
    contrib = v[after] - v[before]
    s = np.zeros(N)
    np.add.at(s, orders.ravel(), contrib.ravel())
    return s / T


def harsanyi_dividends(v: Any) -> np.ndarray:
    """Harsanyi dividends ``m(T) = sum_{S in T} (-1)^{|T|-|S|} v(S)`` (Moebius inversion).

    They are the unique coefficients with ``v = sum_T m(T) u_T``, where ``u_T(S) = 1`` if
    ``T`` is a subset of ``S`` and 0 otherwise (the unanimity games). Computed by the fast
    Moebius transform in ``O(N 2^N)``.

    Returns
    -------
    ndarray of float64, shape (2^N,)
    """
    v, N = _game(v)
    m = v.copy()
    masks = np.arange(2**N)
    for i in range(N):
        has = (masks >> i) & 1 == 1
        m[has] -= m[masks[has] ^ (1 << i)]
    return m


def banzhaf_exact(v: Any, p: float = 0.5) -> np.ndarray:
    """``E[v(S + i) - v(S)]`` with every other player in ``S`` independently with probability p.

    At ``p = 1/2`` this is the Banzhaf value. It is also ``E[v(S) | i in S] - E[v(S) | i not in
    S]`` for the random coalition in which every player is in independently with probability p,
    hence the population least-squares coefficient of the datamodel
    (thm-attr-datamodel).

    Parameters
    ----------
    v : array_like, shape (2^N,)
    p : float
        Inclusion probability in ``[0, 1]``.

    Returns
    -------
    ndarray of float64, shape (N,)
    """
    v, N = _game(v)
    p = _scalar("p", p, low=0.0, high=1.0)
    masks = np.arange(2**N)
    size = _popcount(N)
    out_b = np.zeros(N)
    for i in range(N):
        out = masks[(masks >> i) & 1 == 0]
        k = size[out]
        w = p**k * (1 - p) ** (N - 1 - k)
        out_b[i] = np.sum(w * (v[out | (1 << i)] - v[out]))
    return out_b


def knn_shapley(X_train: Any, y_train: Any, X_test: Any, y_test: Any, K: int) -> np.ndarray:
    """Exact Shapley values of training points for the K-nearest-neighbour utility.

    The utility of a training subset ``S`` for a test point ``(x, y)`` is
    ``U(S) = (1/K) sum_{k <= min(K, |S|)} 1[y_{alpha_k(S)} = y]``, with ``alpha_k(S)`` the
    ``k``-th nearest point of ``S`` to ``x`` (Euclidean distance, ties broken by index); the
    values for several test points are averaged. Implements the recursion of Jia et al. (2019),
    (eq-attr-knn-recursion), in ``O(N log N)`` per test point; any ``K >= 1`` is allowed (for
    ``K >= N`` the farthest point's value is ``1[y = y_test] / K``).

    Parameters
    ----------
    X_train : array_like, shape (N, d)
    y_train : array_like, shape (N,)
    X_test : array_like, shape (m, d)
    y_test : array_like, shape (m,)
    K : int

    Returns
    -------
    ndarray of float64, shape (N,)
    """
    Xtr = _array("X_train", X_train, 2)
    ytr = _array("y_train", y_train, 1)
    Xte = _array("X_test", X_test, 2)
    yte = _array("y_test", y_test, 1)
    K = _int("K", K)
    N = Xtr.shape[0]
    if ytr.shape[0] != N:
        raise ValueError(f"y_train must have {N} entries, got {ytr.shape[0]}")
    if yte.shape[0] != Xte.shape[0]:
        raise ValueError(f"y_test must have {Xte.shape[0]} entries, got {yte.shape[0]}")
    if Xte.shape[1] != Xtr.shape[1]:
        raise ValueError(f"X_test must have {Xtr.shape[1]} columns, got {Xte.shape[1]}")
    values = np.zeros(N)
    ranks = np.arange(1, N + 1)
    for x, y in zip(Xte, yte, strict=True):
        order = np.argsort(np.sum((Xtr - x) ** 2, axis=1), kind="stable")
        match = (ytr[order] == y).astype(float)
        s = np.empty(N)
        s[N - 1] = match[N - 1] / max(N, K)  # = 1/N for K <= N
        for i in range(N - 2, -1, -1):  # position i holds the (i+1)-th nearest point
            s[i] = s[i + 1] + (match[i] - match[i + 1]) / K * min(K, ranks[i]) / ranks[i]
        values[order] += s
    return values / Xte.shape[0]


# ---------------------------------------------------------------------------------------------
# datamodels


def datamodel_fit(masks: Any, outputs: Any, lam: float = 0.0) -> tuple[np.ndarray, float]:
    """Fit the linear datamodel ``f(S) ~ b + sum_i theta_i 1[i in S]`` by ridge regression.

    Minimizes ``sum_k (f_k - b - theta^T z_k)^2 + lam ||theta||^2`` over ``theta`` and an
    unpenalised intercept ``b``, for inclusion vectors ``z_k`` in ``{0, 1}^N``
    (eq-attr-datamodel).

    Parameters
    ----------
    masks : array_like of bool or {0, 1}, shape (M, N)
        Inclusion indicators of the ``M`` training subsets.
    outputs : array_like, shape (M,)
        The model output ``f(S_k)`` trained on each subset.
    lam : float
        Ridge coefficient, ``>= 0`` (``0``: least squares, needs a full-rank design).

    Returns
    -------
    theta : ndarray of float64, shape (N,)
    intercept : float
    """
    Z = _array("masks", masks, 2)
    f = _array("outputs", outputs, 1)
    if f.shape[0] != Z.shape[0]:
        raise ValueError(f"outputs must have {Z.shape[0]} entries to match masks, got {f.shape[0]}")
    if not np.all((Z == 0) | (Z == 1)):
        raise ValueError("masks must contain only 0 and 1")
    lam = _scalar("lam", lam, low=0.0)
    zc = Z - Z.mean(axis=0)
    A = zc.T @ zc + lam * np.eye(Z.shape[1])
    try:
        theta = np.linalg.solve(A, zc.T @ (f - f.mean()))
    except np.linalg.LinAlgError as err:
        raise ValueError("masks give a singular design: use lam > 0") from err
    if lam == 0 and np.linalg.cond(A) > 1e12:
        raise ValueError("masks give a singular design: use lam > 0")
    return theta, float(f.mean() - Z.mean(axis=0) @ theta)

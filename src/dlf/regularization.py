"""Regularization in practice: spectral filters, early stopping, dropout, ensembles, augmentation.

Least squares regularized by ridge, by gradient descent stopped after ``t`` steps or by gradient
flow stopped at time ``t`` are all *spectral filters*: with the SVD ``X = U diag(s) V^T`` the
estimate is ``V diag(phi(s) / s) U^T y`` for a filter ``phi`` between 0 and 1. The module computes
the filters, the fits, the exact risks of a filter (noise averaged in closed form) and the
worst-case variance ratio between early stopping and ridge (the constant of Ali, Kolter and
Tibshirani). For dropout it gives inverted dropout, exact expectations over all masks of a few
units, the penalties that input dropout and last-layer dropout induce in expectation, Monte Carlo
dropout, the dropout penalty of a matrix factorization with the factorization that minimizes it.
For ensembles: bootstrap indices, bagging and the ambiguity decomposition. For augmentation: the
horizontal flip and the shifts of 8 x 8 digit images.

Derived in: book/training/regularization.md (Regularization in practice).
Depends on: numpy, torch (only :func:`mc_dropout`), no other dlf module.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "ridge_filter",
    "gd_filter",
    "flow_filter",
    "spectral_fit",
    "gd_path",
    "filter_risk",
    "variance_ratio",
    "early_stopping_constant",
    "gd_variance_ratio_sup",
    "dropout_mask",
    "dropout",
    "expected_over_masks",
    "input_dropout_penalty",
    "input_dropout_minimizer",
    "last_layer_dropout_penalty",
    "mc_dropout",
    "factorization_penalty",
    "equalize_factors",
    "bootstrap_indices",
    "bagging_predict",
    "ambiguity_decomposition",
    "flip_digits",
    "shift_digits",
]

Seed = int | np.random.Generator

# ---------------------------------------------------------------------------------------------
# argument checks


def _real(name: str, x: Any, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    a = np.asarray(x)
    if np.iscomplexobj(a):
        raise TypeError(f"{name} must be real, got a complex array")
    try:
        a = a.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}") from err
    if ndim is not None:
        dims = (ndim,) if isinstance(ndim, int) else ndim
        if a.ndim not in dims:
            raise ValueError(f"{name} must have {' or '.join(map(str, dims))} dimension(s), "
                             f"got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _scalar(name: str, value: Any, *, low: float = -np.inf, high: float = np.inf,
            low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    v = float(value)
    bad = (not math.isfinite(v) or v < low or v > high or (low_open and v == low)
           or (high_open and v == high))
    if bad:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must be a finite number in {lo}{low}, {high}{hi}, got {value!r}")
    return v


def _int(name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum or (maximum is not None and value > maximum):
        top = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be an int >= {minimum}{top}, got {value}")
    return int(value)


def _prob(p: Any) -> float:
    return _scalar("p", p, low=0.0, high=1.0, high_open=True)


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"rng must be a non-negative int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _design(X: Any) -> np.ndarray:
    return _real("X", X, 2)


def _response(y: Any, n: int) -> np.ndarray:
    a = _real("y", y, (1, 2))
    if a.shape[0] != n:
        raise ValueError(f"y must have {n} rows to match X, got shape {a.shape}")
    return a


# ---------------------------------------------------------------------------------------------
# spectral filters


def ridge_filter(s: Any, lam: Any) -> np.ndarray:
    """Ridge filter ``s^2 / (s^2 + lam)`` (eq-reg-filters) for singular values ``s >= 0``.

    ``lam > 0`` may be an array (broadcast against ``s``).

    ``argmin_w ||X w - y||^2 + lam ||w||^2`` equals ``V diag(phi / s) U^T y`` with this ``phi``.
    """
    s = _real("s", s)
    lam = _real("lam", lam)
    if np.any(lam <= 0):
        raise ValueError("lam must be > 0")
    return s**2 / (s**2 + lam)


def gd_filter(s: Any, eta: float, t: Any) -> np.ndarray:
    """Gradient-descent filter ``1 - (1 - eta s^2)^t`` (eq-reg-filters).

    It is the filter of ``t`` steps of size ``eta`` on ``(1/2)||X w - y||^2`` started at ``w = 0``;
    ``t`` may be an array (broadcast against ``s``).
    """
    s = _real("s", s)
    eta = _scalar("eta", eta, low=0.0, low_open=True)
    t = _real("t", t)
    if np.any(t < 0) or np.any(t != np.round(t)):
        raise ValueError("t must hold non-negative integers (numbers of steps)")
    return 1.0 - (1.0 - eta * s**2) ** t


def flow_filter(s: Any, t: Any) -> np.ndarray:
    """Gradient-flow filter ``1 - exp(-t s^2)`` (eq-reg-filters), ``t >= 0`` (broadcast)."""
    s = _real("s", s)
    t = _real("t", t)
    if np.any(t < 0):
        raise ValueError("t must be >= 0")
    return -np.expm1(-t * s**2)


def _svd(X: np.ndarray, rtol: float = 1e-12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > rtol * max(s[0], np.finfo(float).tiny) if s.size else s > 0
    return U[:, keep], s[keep], Vt[keep]


def spectral_fit(X: Any, y: Any, phi: Callable[[np.ndarray], Any]) -> np.ndarray:
    """The spectral estimate ``V diag(phi(s) / s) U^T y`` (eq-reg-spectral).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,) or (n, k)
    phi : callable
        Maps the positive singular values ``s`` (shape ``(r,)``) to filter values; e.g.
        ``lambda s: flow_filter(s, t)``. Singular values below ``1e-12 s_max`` are dropped
        (their filter is taken as 0, as for every filter with ``phi(0) = 0``).

    Returns
    -------
    ndarray, shape (d,) or (d, k)
    """
    X = _design(X)
    y = _response(y, X.shape[0])
    if not callable(phi):
        raise TypeError(f"phi must be callable, got {type(phi).__name__}")
    U, s, Vt = _svd(X)
    f = np.asarray(phi(s), dtype=np.float64)
    if f.shape != s.shape:
        raise ValueError(f"phi(s) must have shape {s.shape}, got {f.shape}")
    coef = U.T @ y
    g = f / s
    return Vt.T @ (g[:, None] * coef if coef.ndim == 2 else g * coef)


def gd_path(X: Any, y: Any, eta: float, steps: Any) -> np.ndarray:
    """Closed-form gradient-descent iterates on ``(1/2)||X w - y||^2`` from ``w_0 = 0``.

    ``w_t = V diag((1 - (1 - eta s^2)^t) / s) U^T y`` (eq-reg-filters, eq-reg-spectral).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    eta : float
        Step size, ``> 0``.
    steps : array_like of int, shape (T,)

    Returns
    -------
    ndarray, shape (T, d)
    """
    X = _design(X)
    y = _response(y, X.shape[0])
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    steps = np.atleast_1d(_real("steps", steps, (0, 1)))
    eta = _scalar("eta", eta, low=0.0, low_open=True)
    U, s, Vt = _svd(X)
    F = gd_filter(s[None, :], eta, steps[:, None])
    return (F / s) * (U.T @ y) @ Vt


def filter_risk(X: Any, beta: Any, sigma: float, phi: Any, *, in_sample: bool = False
                ) -> tuple[np.ndarray, np.ndarray]:
    """Exact squared bias and variance of a spectral estimate, noise averaged in closed form.

    For ``y = X beta + eps`` with ``E eps = 0``, ``Cov eps = sigma^2 I`` and filter values ``phi``
    on the positive singular values (shape ``(r,)`` or ``(T, r)`` for ``T`` filters), implements
    (eq-reg-risk): the estimation risk ``E||w_hat - beta||^2`` has

    * bias ``sum_i (1 - phi_i)^2 (v_i^T beta)^2 + ||P_null beta||^2``,
    * variance ``sigma^2 sum_i phi_i^2 / s_i^2``;

    with ``in_sample=True`` the in-sample risk ``E||X (w_hat - beta)||^2 / n`` has bias
    ``sum_i s_i^2 (1 - phi_i)^2 (v_i^T beta)^2 / n`` and variance ``sigma^2 sum_i phi_i^2 / n``.

    Returns
    -------
    (bias2, variance) : arrays of shape () or (T,)
    """
    X = _design(X)
    beta = _real("beta", beta, 1)
    if beta.shape[0] != X.shape[1]:
        raise ValueError(f"beta must have shape ({X.shape[1]},), got {beta.shape}")
    sigma = _scalar("sigma", sigma, low=0.0)
    _, s, Vt = _svd(X)
    phi = _real("phi", phi, (1, 2))
    if phi.shape[-1] != s.size:
        raise ValueError(f"phi must have last dimension {s.size} (positive singular values), "
                         f"got shape {phi.shape}")
    b = Vt @ beta
    if in_sample:
        n = X.shape[0]
        return (np.sum(s**2 * (1 - phi) ** 2 * b**2, axis=-1) / n,
                sigma**2 * np.sum(phi**2, axis=-1) / n)
    null = max(float(beta @ beta - b @ b), 0.0)
    return (np.sum((1 - phi) ** 2 * b**2, axis=-1) + null,
            sigma**2 * np.sum(phi**2 / s**2, axis=-1))


def variance_ratio(x: Any) -> np.ndarray:
    """Per-direction variance ratio of gradient flow at time t to ridge at ``lam = 1/t``.

    ``((1 - e^{-x}) (1 + x) / x)^2`` with ``x = t s^2 > 0`` (eq-reg-ratio); its limit at 0 is 1.
    """
    x = _real("x", x)
    if np.any(x < 0):
        raise ValueError("x must be >= 0")
    out = np.ones_like(x)
    pos = x > 0
    xp = x[pos]
    out[pos] = (-np.expm1(-xp) * (1 + xp) / xp) ** 2
    return out


def _golden_max(f: Callable[[float], float], a: float, b: float, tol: float = 1e-13
                ) -> tuple[float, float]:
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol * max(1.0, abs(a) + abs(b)):
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    x = (a + b) / 2
    return f(x), x


def early_stopping_constant() -> tuple[float, float]:
    """The constant ``C = sup_{x > 0} ((1 - e^{-x})(1 + x)/x)^2`` and its maximizer ``x*``.

    Implements (eq-reg-constant) by golden-section search on ``[0.5, 5]`` (the function is
    unimodal there; it tends to 1 at 0 and at infinity). Returns ``(C, x_star)``, about
    ``(1.6859, 1.7933)``.
    """
    return _golden_max(lambda x: float(variance_ratio(np.array([x]))[0]), 0.5, 5.0)


def gd_variance_ratio_sup(t: int, *, grid: int = 20001) -> float:
    """Sup over ``u = eta s^2 in (0, 1]`` of ``((1 - (1 - u)^t)(1 + t u) / (t u))^2``.

    The discrete analogue of :func:`early_stopping_constant`: ``t`` gradient steps against ridge at
    ``lam = 1/(eta t)``, for step sizes ``eta <= 1/s_max^2``. Evaluated on a grid of ``grid``
    points refined by golden section around the best one.
    """
    t = _int("t", t)
    grid = _int("grid", grid, minimum=3)

    def f(u: float) -> float:
        return ((1 - (1 - u) ** t) * (1 + t * u) / (t * u)) ** 2

    us = np.linspace(1e-9, 1.0, grid)
    vals = (1 - (1 - us) ** t) * (1 + t * us) / (t * us)
    k = int(np.argmax(vals))
    if k == grid - 1:
        return f(1.0)
    val, _ = _golden_max(f, us[max(k - 1, 0)], us[k + 1])
    return max(val, float(vals[k] ** 2))


# ---------------------------------------------------------------------------------------------
# dropout


def dropout_mask(shape: Any, p: float, rng: Seed) -> np.ndarray:
    """Inverted-dropout mask: iid entries ``0`` (probability ``p``) or ``1/(1 - p)``.

    Implements (eq-reg-dropout): ``E mask = 1``, ``Var mask = p / (1 - p)``.
    """
    p = _prob(p)
    rng = _rng(rng)
    try:
        dims = np.atleast_1d(shape)
        if dims.dtype.kind not in "iuf" or not np.all(np.isfinite(dims)):
            raise TypeError
        shape = tuple(int(k) for k in dims)
    except (TypeError, ValueError) as err:
        raise TypeError(f"shape must be a tuple of ints, got {shape!r}") from err
    if any(k < 0 for k in shape):
        raise ValueError(f"shape must have non-negative entries, got {shape}")
    return (rng.random(shape) >= p) / (1.0 - p)


def dropout(h: Any, p: float, rng: Seed, *, train: bool = True) -> np.ndarray:
    """Inverted dropout of units ``h``: ``h * mask`` in training, ``h`` at evaluation."""
    h = _real("h", h)
    p = _prob(p)
    if not train:
        return h.copy()
    return h * dropout_mask(h.shape, p, rng)


def expected_over_masks(fn: Callable[[np.ndarray], Any], m: int, p: float) -> Any:
    """Exact ``E_mask fn(mask)`` over all ``2^m`` inverted-dropout masks of ``m <= 20`` units.

    ``fn`` receives a mask of shape ``(m,)`` with entries ``0`` or ``1/(1 - p)``; the probability
    of a mask with ``k`` kept units is ``(1 - p)^k p^(m - k)``.
    """
    m = _int("m", m, minimum=1, maximum=20)
    p = _prob(p)
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    total = 0.0
    for bits in itertools.product((0, 1), repeat=m):
        keep = np.array(bits, dtype=np.float64)
        k = int(keep.sum())
        prob = (1 - p) ** k * p ** (m - k)
        if prob == 0.0:
            continue
        total = total + prob * np.asarray(fn(keep / (1 - p)), dtype=np.float64)
    return total


def input_dropout_penalty(X: Any, w: Any, p: float) -> float:
    """Penalty ``(p / (1 - p)) sum_j w_j^2 ||X_{:, j}||^2`` of input dropout (eq-reg-input-dropout).

    ``E_mask ||y - (X * mask) w||^2 = ||y - X w||^2 + input_dropout_penalty(X, w, p)``.
    """
    X = _design(X)
    w = _real("w", w, 1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have shape ({X.shape[1]},), got {w.shape}")
    p = _prob(p)
    return float(p / (1 - p) * np.sum(w**2 * np.sum(X**2, axis=0)))


def input_dropout_minimizer(X: Any, y: Any, p: float) -> np.ndarray:
    """Minimizer ``(X^T X + (p/(1-p)) diag(X^T X))^{-1} X^T y`` of the expected input-dropout loss.

    Requires every column of ``X`` to be nonzero when ``p > 0`` (then the matrix is positive
    definite).
    """
    X = _design(X)
    y = _response(y, X.shape[0])
    p = _prob(p)
    G = X.T @ X
    D = np.diag(np.diag(G))
    if p > 0 and np.any(np.diag(G) == 0):
        raise ValueError("X must have no zero column when p > 0")
    return np.linalg.solve(G + p / (1 - p) * D, X.T @ y)


def last_layer_dropout_penalty(W_out: Any, A: Any, p: float) -> float:
    """Penalty of dropout on the last hidden layer (eq-reg-last-layer).

    ``(p / (1 - p)) sum_j ||W_out[:, j]||^2 mean_i A[i, j]^2`` where ``A`` (shape ``(n, m)``) holds
    the hidden activations of the ``n`` examples and ``W_out`` (shape ``(k, m)``) the output layer.
    """
    W = _real("W_out", W_out, 2)
    A = _real("A", A, 2)
    if A.shape[1] != W.shape[1]:
        raise ValueError(f"A must have {W.shape[1]} columns to match W_out, got shape {A.shape}")
    p = _prob(p)
    return float(p / (1 - p) * np.sum(np.sum(W**2, axis=0) * np.mean(A**2, axis=0)))


def mc_dropout(model: Any, x: Any, n_samples: int, *, seed: int = 0) -> tuple[Any, Any]:
    """Monte Carlo dropout: mean and variance of ``n_samples`` stochastic forward passes.

    Only the ``torch.nn.Dropout`` modules of ``model`` are put in training mode (other layers,
    e.g. batch normalization, stay in evaluation mode); the previous modes are restored.

    Returns
    -------
    (mean, var) : torch tensors of the shape of ``model(x)``; ``var`` uses ``n_samples - 1``.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.is_complex():
        raise TypeError(f"x must be real, got dtype {x.dtype}")
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise ValueError("x must be finite (no NaN or inf)")
    n_samples = _int("n_samples", n_samples, minimum=2)
    seed = _int("seed", seed, minimum=-(2**63))
    modes = {mod: mod.training for mod in model.modules()}
    try:
        model.eval()
        for mod in model.modules():
            if isinstance(mod, torch.nn.Dropout):
                mod.train()
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            outs = torch.stack([model(x) for _ in range(n_samples)])
    finally:
        for mod, mode in modes.items():
            mod.train(mode)
    return outs.mean(0), outs.var(0, unbiased=True)


# ---------------------------------------------------------------------------------------------
# matrix factorization


def factorization_penalty(U: Any, V: Any) -> float:
    """Dropout penalty ``sum_j ||u_j||^2 ||v_j||^2`` of a factorization ``U V^T``.

    ``U`` has shape ``(d2, d1)``, ``V`` shape ``(d0, d1)``; ``u_j``, ``v_j`` are their columns.
    """
    U = _real("U", U, 2)
    V = _real("V", V, 2)
    if U.shape[1] != V.shape[1]:
        raise ValueError(f"U and V must have the same number of columns, got {U.shape}, {V.shape}")
    return float(np.sum(np.sum(U**2, axis=0) * np.sum(V**2, axis=0)))


def equalize_factors(M: Any, d1: int) -> tuple[np.ndarray, np.ndarray]:
    """Factorization ``M = U V^T`` with ``d1 >= rank M`` columns minimizing the dropout penalty.

    Starts from the balanced factorization ``U_0 = P S^{1/2}``, ``V_0 = Q S^{1/2}`` of the SVD
    ``M = P S Q^T`` (padded with zero columns) and rotates it by an orthogonal ``R`` built from
    Givens rotations so that every ``||u_j|| ||v_j|| = (R^T S R)_jj`` equals ``||M||_* / d1``.
    The penalty is then ``||M||_*^2 / d1``, the minimum (proposition prop-reg-mf).

    Returns
    -------
    (U, V) : arrays of shape ``(d2, d1)`` and ``(d0, d1)``
    """
    M = _real("M", M, 2)
    d1 = _int("d1", d1)
    P, s, Qt = np.linalg.svd(M, full_matrices=False)
    r = int(np.sum(s > 1e-12 * max(s[0], 1e-300)))
    if d1 < r:
        raise ValueError(f"d1 must be >= rank(M) = {r}, got {d1}")
    k = min(d1, s.size)
    S = np.zeros(d1)
    S[:k] = s[:k]
    U0 = np.zeros((M.shape[0], d1))
    V0 = np.zeros((M.shape[1], d1))
    U0[:, :k] = P[:, :k] * np.sqrt(s[:k])
    V0[:, :k] = Qt[:k].T * np.sqrt(s[:k])
    A = np.diag(S)
    R = np.eye(d1)
    target = S.sum() / d1
    free = list(range(d1))
    tol = 1e-14 * max(target, 1e-300)
    while len(free) > 1:
        diag = np.array([A[i, i] for i in free])
        if np.all(np.abs(diag - target) <= tol):
            break
        i = free[int(np.argmax(diag))]
        j = free[int(np.argmin(diag))]
        a, b, c = A[i, i], A[j, j], A[i, j]
        # new A_ii = (a + b)/2 + rho cos(2 theta + phi) with rho, phi below
        rho = math.hypot((a - b) / 2, c)
        phi = math.atan2(c, (a - b) / 2)
        two_theta = math.acos(max(-1.0, min(1.0, (target - (a + b) / 2) / rho))) - phi
        ct, st = math.cos(two_theta / 2), math.sin(two_theta / 2)
        G = np.eye(d1)
        G[i, i], G[j, j], G[i, j], G[j, i] = ct, ct, -st, st
        A = G.T @ A @ G
        R = R @ G
        free.remove(i)
    return U0 @ R, V0 @ R


# ---------------------------------------------------------------------------------------------
# ensembles


def bootstrap_indices(n: int, rng: Seed) -> np.ndarray:
    """``n`` indices drawn uniformly with replacement from ``0, ..., n - 1``."""
    n = _int("n", n)
    return _rng(rng).integers(0, n, size=n)


def bagging_predict(fit: Callable[[np.ndarray, np.ndarray], Any],
                    predict: Callable[[Any, np.ndarray], Any], X: Any, y: Any, X_test: Any,
                    n_models: int, rng: Seed) -> np.ndarray:
    """Bagging: average the predictions of ``n_models`` models fitted on bootstrap samples.

    ``fit(X_b, y_b)`` returns a model, ``predict(model, X_test)`` its predictions.

    Returns
    -------
    ndarray, shape (n_models, n_test, ...)
        The individual predictions; their mean over axis 0 is the bagged prediction.
    """
    X = _real("X", X, 2)
    y = _response(y, X.shape[0])
    X_test = _real("X_test", X_test, 2)
    if X_test.shape[1] != X.shape[1]:
        raise ValueError(f"X_test must have {X.shape[1]} columns, got shape {X_test.shape}")
    n_models = _int("n_models", n_models)
    for name, f in (("fit", fit), ("predict", predict)):
        if not callable(f):
            raise TypeError(f"{name} must be callable, got {type(f).__name__}")
    rng = _rng(rng)
    preds = []
    for _ in range(n_models):
        idx = bootstrap_indices(X.shape[0], rng)
        preds.append(np.asarray(predict(fit(X[idx], y[idx]), X_test), dtype=np.float64))
    return np.stack(preds)


def ambiguity_decomposition(preds: Any, y: Any) -> dict[str, np.ndarray]:
    """Ambiguity decomposition (eq-reg-ambiguity) of an ensemble average, per example.

    ``(fbar - y)^2 = mean_m (f_m - y)^2 - mean_m (f_m - fbar)^2`` for predictions ``preds`` of
    shape ``(M, n)`` and targets ``y`` of shape ``(n,)``.

    Returns
    -------
    dict with ``ensemble`` (left side), ``average_member`` and ``ambiguity``, each shape (n,)
    """
    F = _real("preds", preds, 2)
    y = _real("y", y, 1)
    if F.shape[1] != y.shape[0]:
        raise ValueError(f"preds must have shape (M, {y.shape[0]}), got {F.shape}")
    fbar = F.mean(axis=0)
    return {"ensemble": (fbar - y) ** 2, "average_member": np.mean((F - y) ** 2, axis=0),
            "ambiguity": np.mean((F - fbar) ** 2, axis=0)}


# ---------------------------------------------------------------------------------------------
# augmentation of 8 x 8 digits


def _images(X: Any) -> np.ndarray:
    X = _real("X", X, (2, 3))
    if X.shape[-1] == 64 and X.ndim == 2:
        return X.reshape(-1, 8, 8)
    if X.ndim == 3 and X.shape[1:] == (8, 8):
        return X
    raise ValueError(f"X must have shape (n, 64) or (n, 8, 8), got {X.shape}")


def flip_digits(X: Any) -> np.ndarray:
    """Mirror 8 x 8 images left-right; ``X`` of shape ``(n, 64)`` (returned flat) or ``(n, 8, 8)``.

    The flip permutes pixels, so it is an orthogonal map of order 2 on ``R^64``.
    """
    flat = np.ndim(X) == 2
    out = _images(X)[:, :, ::-1]
    return out.reshape(-1, 64) if flat else out.copy()


def shift_digits(X: Any, dx: int, dy: int) -> np.ndarray:
    """Shift 8 x 8 images by ``dx`` columns (right) and ``dy`` rows (down), filling with zeros."""
    flat = np.ndim(X) == 2
    imgs = _images(X)
    dx = _int("dx", dx, minimum=-7, maximum=7)
    dy = _int("dy", dy, minimum=-7, maximum=7)
    out = np.zeros_like(imgs)
    src_r = slice(max(0, -dy), 8 - max(0, dy))
    dst_r = slice(max(0, dy), 8 - max(0, -dy))
    src_c = slice(max(0, -dx), 8 - max(0, dx))
    dst_c = slice(max(0, dx), 8 - max(0, -dx))
    out[:, dst_r, dst_c] = imgs[:, src_r, src_c]
    return out.reshape(-1, 64) if flat else out

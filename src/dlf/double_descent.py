"""Bias, variance and double descent: exact risks of linear estimators and interpolators.

The module computes, in closed form where one exists and by Monte Carlo otherwise, the risk of
the estimators of the chapter:

* :func:`polynomial_smoother`, :func:`smoother_bias_variance`: the exact bias-variance
  decomposition (eq-dd-bv) of a linear smoother with a fixed design;
* :func:`bias_variance_mc`: the same three terms by Monte Carlo, the risk measured on fresh
  test labels (independent of the predictions);
* :func:`ols_excess_risk`, :func:`ols_parameter_error`: least squares with a Gaussian design,
  ``sigma^2 p / (n - p - 1)`` and ``sigma^2 tr(Sigma^{-1}) / (n - p - 1)``;
* :func:`min_norm_risk`, :func:`gaussian_curve`: the exact double-descent curve of min-norm
  least squares with isotropic Gaussian features, and its Monte Carlo version (also with ridge);
* :func:`relu_weights`, :func:`relu_features`, :func:`features_curve`: random ReLU features and
  the test error of min-norm (or ridge) regression on them as the number of features grows;
* :func:`lagrange_basis`, :func:`lebesgue_function`, :func:`interpolation_noise_pl`,
  :func:`nadaraya_watson`: the three interpolators of benign, tempered and catastrophic
  overfitting.

Derived in: book/generalization/double-descent.md (Bias, variance and double descent).
Depends on: numpy, dlf.linalg (:func:`lstsq_min_norm`), the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlf.linalg import lstsq_min_norm

__all__ = [
    "relu_weights",
    "relu_features",
    "polynomial_smoother",
    "smoother_bias_variance",
    "bias_variance_mc",
    "ols_excess_risk",
    "ols_parameter_error",
    "min_norm_risk",
    "gaussian_curve",
    "features_curve",
    "lagrange_basis",
    "lebesgue_function",
    "interpolation_noise_pl",
    "nadaraya_watson",
]


# -----------------------------------------------------------------------------
# argument checks


def _real(name: str, value: Any, ndim: int | tuple[int, ...]) -> np.ndarray:
    """``value`` as a finite float64 array with ``ndim`` dimensions (one of them)."""
    if np.iscomplexobj(value):
        raise TypeError(f"{name} must be real, got a complex array")
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real array, got {type(value).__name__}") from err
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if a.ndim not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} dimension(s), "
                         f"got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return a


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _ints(name: str, values: Any, minimum: int) -> list[int]:
    """``values`` (a sequence of ints >= ``minimum``) as a list; entries are named ``name[i]``."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of integers, got {values!r}")
    return [_int(f"{name}[i]", v, minimum) for v in values]


def _callable(name: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


def _nonneg(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def _rng(rng: Any) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator or a seed >= 0, got {rng!r}")


# -----------------------------------------------------------------------------
# random ReLU features


def relu_weights(d: int, p: int, rng: Any = 0) -> np.ndarray:
    """Input weights of ``p`` random ReLU features, rows iid ``N(0, I_d)``, shape ``(p, d)``.

    Rows are drawn one after the other, so for a fixed seed the weights of ``p`` features are
    the first ``p`` rows of the weights of any larger number: the feature sets are nested.
    """
    d = _int("d", d, 1)
    p = _int("p", p, 1)
    return _rng(rng).standard_normal((p, d))


def relu_features(X: Any, p: int, rng: Any = 0, *, weights: Any = None) -> np.ndarray:
    """Random ReLU features ``phi(x) = relu(W x) / sqrt(p)`` of the rows of ``X``, eq. (eq-dd-rf).

    Parameters
    ----------
    X : array_like, shape (n, d)
    p : int >= 1
        Number of features.
    rng : int or numpy.random.Generator
        Seed (or generator) of :func:`relu_weights`. With the same integer seed, train and
        test inputs get the same features.
    weights : array_like, shape (p, d), optional
        Use these input weights instead of drawing them.

    Returns
    -------
    ndarray of float64, shape (n, p). With this scaling ``phi(x) . phi(x')`` tends, as
    ``p -> inf``, to ``E relu(w.x) relu(w.x')`` (the arc-cosine kernel of degree 1).
    """
    X = _real("X", X, 2)
    p = _int("p", p, 1)
    if weights is None:
        W = relu_weights(X.shape[1], p, rng)
    else:
        W = _real("weights", weights, 2)
        if W.shape != (p, X.shape[1]):
            raise ValueError(f"weights must have shape (p, d) = {(p, X.shape[1])}, "
                             f"got {W.shape}")
    return np.maximum(X @ W.T, 0.0) / math.sqrt(p)


# -----------------------------------------------------------------------------
# linear smoothers and the bias-variance decomposition


def polynomial_smoother(x_train: Any, x_test: Any, degree: int) -> np.ndarray:
    """Smoother matrix ``S`` of least-squares polynomial regression: ``f_hat(x_test) = S y``.

    The fit of degree ``k`` on ``n > k`` distinct points is computed in the Legendre basis on
    the interval spanned by all the points (well conditioned); for ``k = n - 1`` it
    interpolates.

    Parameters
    ----------
    x_train : array_like, shape (n,)
    x_test : array_like, shape (m,)
    degree : int, 0 <= degree < n

    Returns
    -------
    ndarray of float64, shape (m, n)
    """
    xt = _real("x_train", x_train, 1)
    xs = _real("x_test", x_test, 1)
    k = _int("degree", degree, 0)
    if k >= xt.size:
        raise ValueError(f"degree must be < n = {xt.size} (number of training points), got {k}")
    lo, hi = min(xt.min(), xs.min()), max(xt.max(), xs.max())
    if hi == lo:
        raise ValueError("x_train and x_test span a single point; expected an interval")
    z = lambda x: 2 * (x - lo) / (hi - lo) - 1  # noqa: E731
    V = np.polynomial.legendre.legvander(z(xt), k)
    Vs = np.polynomial.legendre.legvander(z(xs), k)
    return Vs @ lstsq_min_norm(V, np.eye(xt.size))


def smoother_bias_variance(S: Any, f_train: Any, f_test: Any, sigma: float,
                           weights: Any = None) -> dict[str, float]:
    """Exact bias-variance decomposition (eq-dd-bv) of a linear smoother with a fixed design.

    With ``y = f_train + noise`` (iid, mean 0, variance ``sigma^2``) and ``f_hat = S y`` at the
    test points, ``E f_hat = S f_train``; the squared bias at test point ``j`` is
    ``(S f_train - f_test)_j^2`` and the variance is ``sigma^2 ||S_j||^2``.

    Parameters
    ----------
    S : array_like, shape (m, n)
    f_train, f_test : array_like, shapes (n,) and (m,)
        The regression function at the training and at the test points.
    sigma : float >= 0
    weights : array_like, shape (m,), optional
        Quadrature weights of the test distribution (nonnegative, normalised here); default
        uniform.

    Returns
    -------
    dict with ``bias2``, ``variance``, ``noise = sigma^2`` and ``risk`` (their sum), each
    averaged over the test distribution.
    """
    S = _real("S", S, 2)
    ft = _real("f_train", f_train, 1)
    fs = _real("f_test", f_test, 1)
    if ft.size != S.shape[1] or fs.size != S.shape[0]:
        raise ValueError(f"S has shape {S.shape}: expected f_train of length {S.shape[1]} and "
                         f"f_test of length {S.shape[0]}, got {ft.size} and {fs.size}")
    s = _nonneg("sigma", sigma)
    if weights is None:
        wq = np.full(S.shape[0], 1.0 / S.shape[0])
    else:
        wq = _real("weights", weights, 1)
        if wq.size != S.shape[0] or np.any(wq < 0) or wq.sum() <= 0:
            raise ValueError(f"weights must be {S.shape[0]} nonnegative numbers, not all 0")
        wq = wq / wq.sum()
    bias2 = float(wq @ (S @ ft - fs) ** 2)
    var = float(s**2 * (wq @ np.sum(S**2, axis=1)))
    return {"bias2": bias2, "variance": var, "noise": s**2, "risk": bias2 + var + s**2}


def bias_variance_mc(fit_predict: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
                     f: Callable[[np.ndarray], np.ndarray], sigma: float, x_test: Any, *,
                     reps: int, rng: Any, x_train: Any = None, n: int | None = None
                     ) -> dict[str, Any]:
    """Monte Carlo bias, variance and risk of a regression method, eq. (eq-dd-bv).

    Each repetition draws a training set (inputs ``x_train`` if given, else ``n`` iid uniform
    points on [0, 1]; labels ``f(x) + sigma * N(0, 1)``), predicts at ``x_test`` with
    ``fit_predict(x, y, x_test)``, and measures the squared error against *fresh* test labels
    ``f(x_test) + sigma * N(0, 1)``, independent of the prediction. The risk is the mean of that
    error; bias^2 and variance are computed from the predictions (the variance with ``ddof=1``).

    Returns
    -------
    dict with ``risk`` and ``risk_se`` (standard error over repetitions), ``bias2``,
    ``variance``, ``errors`` (per-repetition test errors, shape (reps,)) and ``predictions``
    (shape (reps, m)).
    """
    _callable("fit_predict", fit_predict)
    _callable("f", f)
    xs = _real("x_test", x_test, 1)
    s = _nonneg("sigma", sigma)
    reps = _int("reps", reps, 2)
    gen = _rng(rng)
    if x_train is None:
        if n is None:
            raise ValueError("give either x_train (a fixed design) or n (a random design)")
        n = _int("n", n, 1)
        fixed = None
    else:
        fixed = _real("x_train", x_train, 1)
    preds = np.empty((reps, xs.size))
    errors = np.empty(reps)
    fs = np.asarray(f(xs), dtype=float)
    for r in range(reps):
        x = fixed if fixed is not None else gen.uniform(0.0, 1.0, n)
        y = np.asarray(f(x), dtype=float) + s * gen.standard_normal(x.size)
        preds[r] = fit_predict(x, y, xs)
        y_new = fs + s * gen.standard_normal(xs.size)
        errors[r] = np.mean((preds[r] - y_new) ** 2)
    mean = preds.mean(axis=0)
    return {"risk": float(errors.mean()), "risk_se": float(errors.std(ddof=1) / math.sqrt(reps)),
            "bias2": float(np.mean((mean - fs) ** 2)),
            "variance": float(np.mean(preds.var(axis=0, ddof=1))),
            "errors": errors, "predictions": preds}


# -----------------------------------------------------------------------------
# least squares with a Gaussian design


def ols_excess_risk(n: int, p: int, sigma: float) -> float:
    """Expected excess risk ``E ||w_hat - w||_Sigma^2 = sigma^2 p / (n - p - 1)`` of OLS.

    Rows of the design iid ``N(0, Sigma)`` (any invertible ``Sigma``), noise of variance
    ``sigma^2`` independent of the design, ``n >= p + 2``. Implements (eq-dd-ols).
    """
    n = _int("n", n, 1)
    p = _int("p", p, 1)
    s = _nonneg("sigma", sigma)
    if n < p + 2:
        raise ValueError(f"need n >= p + 2 for a finite mean, got n = {n}, p = {p}")
    return s**2 * p / (n - p - 1)


def ols_parameter_error(n: int, Sigma: Any, sigma: float) -> float:
    """Expected parameter error ``E ||w_hat - w||^2 = sigma^2 tr(Sigma^{-1}) / (n - p - 1)``.

    Same hypotheses as :func:`ols_excess_risk`; ``Sigma`` is symmetric positive definite of
    shape (p, p).
    """
    C = _real("Sigma", Sigma, 2)
    p = C.shape[0]
    if C.shape != (p, p) or not np.allclose(C, C.T):
        raise ValueError(f"Sigma must be a symmetric square matrix, got shape {C.shape}")
    n = _int("n", n, 1)
    s = _nonneg("sigma", sigma)
    if n < p + 2:
        raise ValueError(f"need n >= p + 2 for a finite mean, got n = {n}, p = {p}")
    ev = np.linalg.eigvalsh(C)
    if ev.min() <= 0:
        raise ValueError(f"Sigma must be positive definite, smallest eigenvalue {ev.min():.3g}")
    return float(s**2 * np.sum(1.0 / ev) / (n - p - 1))


def min_norm_risk(n: int, p: int, in_norm2: float, out_norm2: float, sigma: float) -> float:
    """Expected test MSE of min-norm least squares on ``p`` isotropic Gaussian features.

    Implements (eq-dd-curve): the response is ``y = x_in . b_in + x_out . b_out + sigma xi``
    with all coordinates iid ``N(0, 1)``; the model sees the ``p`` coordinates ``x_in``. With
    ``s2 = ||b_out||^2 + sigma^2``,

    * ``p <= n - 2``: ``s2 (1 + p / (n - p - 1))``;
    * ``p >= n + 2``: ``||b_in||^2 (1 - n/p) + s2 (1 + n / (p - n - 1))``;
    * ``|p - n| <= 1``: ``inf`` (unless ``s2 = 0``) ; ``p = 0`` gives ``||b||^2 + sigma^2``.
    """
    n = _int("n", n, 1)
    p = _int("p", p, 0)
    a = _nonneg("in_norm2", in_norm2)
    s2 = _nonneg("out_norm2", out_norm2) + _nonneg("sigma", sigma) ** 2
    if p == 0:
        return a + s2
    if p <= n - 2:
        return s2 * (1 + p / (n - p - 1))
    if p >= n + 2:
        return a * (1 - n / p) + s2 * (1 + n / (p - n - 1))
    return math.inf if s2 > 0 else a * max(0.0, 1 - n / p)


def gaussian_curve(n: int, ps: Sequence[int], beta: Any, sigma: float, *, reps: int, rng: Any,
                   lams: Any = None) -> np.ndarray:
    """Monte Carlo risks of min-norm least squares (or ridge) on the first ``p`` of ``D`` features.

    Each repetition draws ``X`` (n, D) with iid ``N(0, 1)`` entries and ``y = X beta + sigma
    xi``; for every ``p`` in ``ps`` it fits the first ``p`` columns and returns the *exact* test
    MSE of the fit ``w``: ``||w - beta[:p]||^2 + ||beta[p:]||^2 + sigma^2`` (isotropic test
    inputs). The same ``X`` serves all ``p`` (common random numbers).

    Parameters
    ----------
    n : int
    ps : sequence of int in [1, D]
    beta : array_like, shape (D,)
    sigma : float >= 0
    reps : int
    rng : int or Generator
    lams : array_like of float >= 0, optional
        Ridge penalties (objective ``||X w - y||^2 + lam ||w||^2``, as :func:`dlf.linear.ridge`);
        ``lam = 0`` is min-norm least squares.

    Returns
    -------
    ndarray, shape (reps, len(ps)) without ``lams``, (reps, len(ps), len(lams)) with them.
    """
    n = _int("n", n, 1)
    beta = _real("beta", beta, 1)
    D = beta.size
    s = _nonneg("sigma", sigma)
    reps = _int("reps", reps, 1)
    ps = _ints("ps", ps, 1)
    if any(p > D for p in ps):
        raise ValueError(f"every p must be <= D = {D}, got {max(ps)}")
    lam_arr = np.zeros(1) if lams is None else _real("lams", lams, 1)
    if np.any(lam_arr < 0):
        raise ValueError("lams must be >= 0")
    gen = _rng(rng)
    X = gen.standard_normal((reps, n, D))
    y = X @ beta + s * gen.standard_normal((reps, n))
    out = np.empty((reps, len(ps), lam_arr.size))
    for k, p in enumerate(ps):
        U, sv, Vt = np.linalg.svd(X[:, :, :p], full_matrices=False)
        uy = np.einsum("rni,rn->ri", U, y)
        tol = max(n, p) * np.finfo(float).eps * sv[:, :1]
        for j, lam in enumerate(lam_arr):
            if lam == 0:
                filt = np.where(sv > tol, 1.0 / np.where(sv > tol, sv, 1.0), 0.0)
            else:
                filt = sv / (sv**2 + lam)
            w = np.einsum("rij,ri->rj", Vt, filt * uy)
            out[:, k, j] = np.sum((w - beta[:p]) ** 2, axis=1) + beta[p:] @ beta[p:] + s**2
    return out[:, :, 0] if lams is None else out


def features_curve(Phi: Any, y: Any, Phi_test: Any, y_test: Any, ps: Sequence[int],
                   lams: Any = None) -> dict[str, np.ndarray]:
    """Test MSE of min-norm (or ridge) regression on the first ``p`` columns of a feature matrix.

    Min-norm fits use :func:`dlf.linalg.lstsq_min_norm`; ridge fits minimise
    ``||Phi a - y||^2 + lam ||a||^2``.

    Returns
    -------
    dict with ``mse`` (len(ps),) of the min-norm fits, ``norm`` (their ``||a||``), ``s_min``
    (smallest singular value of ``Phi[:, :p]``, the ``min(n, p)``-th) and, with ``lams``,
    ``ridge_mse`` of shape (len(ps), len(lams)).
    """
    Phi = _real("Phi", Phi, 2)
    Pt = _real("Phi_test", Phi_test, 2)
    y = _real("y", y, 1)
    yt = _real("y_test", y_test, 1)
    if y.size != Phi.shape[0] or yt.size != Pt.shape[0] or Pt.shape[1] != Phi.shape[1]:
        raise ValueError(f"shapes disagree: Phi {Phi.shape}, y {y.shape}, Phi_test {Pt.shape}, "
                         f"y_test {yt.shape}")
    ps = _ints("ps", ps, 1)
    if not ps:
        raise ValueError("ps must not be empty")
    if max(ps) > Phi.shape[1]:
        raise ValueError(f"every p must be <= {Phi.shape[1]} columns, got {max(ps)}")
    lam_arr = None if lams is None else _real("lams", lams, 1)
    res = {k: np.empty(len(ps)) for k in ("mse", "norm", "s_min")}
    if lam_arr is not None:
        res["ridge_mse"] = np.empty((len(ps), lam_arr.size))
    for k, p in enumerate(ps):
        A = Phi[:, :p]
        a = lstsq_min_norm(A, y)
        res["mse"][k] = np.mean((Pt[:, :p] @ a - yt) ** 2)
        res["norm"][k] = np.linalg.norm(a)
        U, sv, Vt = np.linalg.svd(A, full_matrices=False)
        res["s_min"][k] = sv[min(A.shape) - 1]
        if lam_arr is not None:
            uy = U.T @ y
            coef = Vt.T @ ((sv / (sv**2 + lam_arr[:, None])) * uy).T  # (p, L)
            res["ridge_mse"][k] = np.mean((Pt[:, :p] @ coef - yt[:, None]) ** 2, axis=0)
    return res


# -----------------------------------------------------------------------------
# interpolators: polynomial, piecewise linear, singular-kernel Nadaraya-Watson


def lagrange_basis(nodes: Any, x: Any) -> np.ndarray:
    """Lagrange basis ``l_i(x)`` of distinct ``nodes`` at points ``x``, shape (m, n).

    Computed in the barycentric form ``l_i(x) = (w_i / (x - x_i)) / sum_j w_j / (x - x_j)``
    (exact 1 at a node); the polynomial interpolant of values ``y`` is ``lagrange_basis @ y``.
    """
    t = _real("nodes", nodes, 1)
    x = _real("x", x, 1)
    if np.unique(t).size != t.size:
        raise ValueError("nodes must be distinct")
    diff = t[:, None] - t[None, :]
    np.fill_diagonal(diff, 1.0)
    scale = (t.max() - t.min()) / 4 if t.size > 1 else 1.0
    w = 1.0 / np.prod(diff / scale, axis=1)
    dx = x[:, None] - t[None, :]
    hit = dx == 0
    dx[hit] = 1.0
    B = w / dx
    B /= B.sum(axis=1, keepdims=True)
    rows = hit.any(axis=1)
    B[rows] = hit[rows].astype(float)
    return B


def lebesgue_function(nodes: Any, x: Any) -> np.ndarray:
    """Lebesgue function ``sum_i |l_i(x)|`` of polynomial interpolation at ``nodes``, shape (m,)."""
    return np.abs(lagrange_basis(nodes, x)).sum(axis=1)


def interpolation_noise_pl(x_train: Any) -> float:
    """Exact noise term, in units of ``sigma^2``, of piecewise-linear interpolation on [0, 1].

    For sorted design points ``x_(1) < ... < x_(n)`` in [0, 1] and ``np.interp`` (constant
    outside ``[x_(1), x_(n)]``), the prediction's noise at a point a fraction ``t`` into a gap is
    ``(1 - t) e_i + t e_{i+1}``, of variance ``sigma^2 ((1 - t)^2 + t^2)``, whose average over
    the gap is ``2/3``. Averaging over test points uniform on [0, 1]:
    ``(2/3)(x_(n) - x_(1)) + x_(1) + (1 - x_(n))``. Implements (eq-dd-pl).
    """
    x = np.sort(_real("x_train", x_train, 1))
    if x.min() < 0 or x.max() > 1:
        raise ValueError("x_train must lie in [0, 1]")
    return float(2.0 / 3.0 * (x[-1] - x[0]) + x[0] + (1.0 - x[-1]))


def nadaraya_watson(x_train: Any, y_train: Any, x_test: Any, h: float,
                    alpha: float = 0.4) -> np.ndarray:
    """Nadaraya-Watson regression with the singular kernel ``K(u) = |u|^{-alpha} 1{|u| <= 1}``.

    ``f_hat(x) = sum_i K((x - x_i)/h) y_i / sum_i K((x - x_i)/h)``, eq. (eq-dd-nw); at a
    training point the kernel is infinite and ``f_hat(x_i) = y_i`` (the estimator
    interpolates). Where no training point lies within ``h``, the nearest neighbour's label is
    returned. Inputs are 1-D arrays. Any ``0 < alpha < 1`` makes the kernel integrable in one
    dimension; the rates of Belkin, Rakhlin & Tsybakov (2019) need ``alpha < d/2``, here
    ``alpha < 1/2`` (the default 0.4 is inside).
    """
    xt = _real("x_train", x_train, 1)
    yt = _real("y_train", y_train, 1)
    xs = _real("x_test", x_test, 1)
    if yt.size != xt.size:
        raise ValueError(f"y_train must have length {xt.size}, got {yt.size}")
    h = _nonneg("h", h)
    a = _nonneg("alpha", alpha)
    if h == 0 or not 0 < a < 1:
        raise ValueError(f"need h > 0 and 0 < alpha < 1, got h = {h}, alpha = {a}")
    u = np.abs(xs[:, None] - xt[None, :]) / h
    out = np.empty(xs.size)
    exact = u == 0
    with np.errstate(divide="ignore"):
        K = np.where(u <= 1, np.where(exact, 0.0, u ** (-a)), 0.0)
    tot = K.sum(axis=1)
    ok = tot > 0
    out[ok] = (K[ok] @ yt) / tot[ok]
    nearest = np.argmin(u, axis=1)
    out[~ok] = yt[nearest[~ok]]
    hit = exact.any(axis=1)
    out[hit] = yt[np.argmax(exact[hit], axis=1)]
    return out

"""Two-sample tests: permutation tests, the kernel MMD, a classifier test, and test power.

Given samples ``X ~ p`` and ``Y ~ q``, a two-sample test decides between ``H0: p = q`` and
``H1: p != q``. This module implements

* :func:`permutation_test`: the p-value ``(1 + #{b: T_b >= T}) / (B + 1)`` of a statistic ``T``
  against ``B`` random relabellings of the pooled sample (vectorised for the mean difference
  and the MMD);
* :func:`mmd2_unbiased`: the unbiased estimate of the squared maximum mean discrepancy with the
  Gaussian kernel, and :func:`mmd2_gaussian`, its population value between two Gaussians, from
  the closed form :func:`gaussian_kernel_mean` of ``E k(X, Y)``;
* :func:`classifier_test`: the classifier two-sample test (held-out accuracy of a logistic
  regression at the threshold 1/2, p-value by permuting the held-out labels);
* :func:`z_test_power`: the power of the two-sided z-test for a difference of means.

Derived in: book/generative/gans.md (Adversarial training and GANs).
Depends on: numpy, scipy (normal law), :mod:`dlf.kernels` (``gaussian_kernel``)
and :mod:`dlf.linear` (``logistic_regression``), which themselves need :mod:`dlf.losses` and
:mod:`dlf.optim`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import norm

from dlf.kernels import gaussian_kernel
from dlf.linear import logistic_regression

__all__ = [
    "mmd2_unbiased",
    "gaussian_kernel_mean",
    "mmd2_gaussian",
    "permutation_test",
    "classifier_test",
    "z_test_power",
]


def _is_real(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, (int, float, np.integer, np.floating))


def _positive(name: str, x: Any) -> float:
    if not _is_real(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be finite and > 0, got {x!r}")
    return float(x)


def _count(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def _points(name: str, X: Any, min_rows: int = 2) -> np.ndarray:
    """``X`` as a finite float64 array of shape (n, d); a 1-D array is read as (n, 1)."""
    try:
        a = np.asarray(X)
    except Exception as err:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a real array, got {type(X).__name__}") from err
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool) \
            or np.iscomplexobj(a):
        raise TypeError(f"{name} must be a real numeric array, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < min_rows or a.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n, d) with n >= {min_rows}, got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _vector(name: str, v: Any) -> np.ndarray:
    """``v`` as a finite non-empty float64 vector (a scalar is a vector of length 1)."""
    if isinstance(v, (str, bytes)) or v is None:
        raise TypeError(f"{name} must be a real vector, got {type(v).__name__}")
    a = np.asarray(v)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    return _points(name, a[None, :], min_rows=1)[0]


def _same_dim(X: np.ndarray, Y: np.ndarray) -> None:
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same number of columns, got {X.shape[1]} and "
                         f"{Y.shape[1]}")


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_count("seed", seed, 0))


def _mmd2_from_gram(K: np.ndarray, n: int) -> float:
    """Unbiased MMD^2 of the first ``n`` points against the rest, from the pooled Gram matrix."""
    m = K.shape[0] - n
    Kxx, Kyy, Kxy = K[:n, :n], K[n:, n:], K[:n, n:]
    sxx = (Kxx.sum() - np.trace(Kxx)) / (n * (n - 1))
    syy = (Kyy.sum() - np.trace(Kyy)) / (m * (m - 1))
    return float(sxx + syy - 2.0 * Kxy.mean())


def mmd2_unbiased(X: Any, Y: Any, *, bandwidth: float = 1.0) -> float:
    """Unbiased estimate of ``MMD^2(p, q) = E k(X,X') + E k(Y,Y') - 2 E k(X,Y)``.

    Implements (eq-gans-mmd-unbiased): the two within-sample averages run over distinct pairs
    ``i != j`` (U-statistics), the cross term over all ``n m`` pairs, so the estimate has
    expectation exactly ``MMD^2`` (and can be negative). Kernel: the Gaussian kernel
    ``exp(-||x - y||^2 / (2 h^2))`` of :func:`dlf.kernels.gaussian_kernel`, ``h = bandwidth``.

    Parameters
    ----------
    X : array_like, shape (n, d) or (n,)
        Sample of ``p``, ``n >= 2``.
    Y : array_like, shape (m, d) or (m,)
        Sample of ``q``, ``m >= 2``, same ``d``.
    bandwidth : float > 0

    Returns
    -------
    float
    """
    X, Y = _points("X", X), _points("Y", Y)
    _same_dim(X, Y)
    h = _positive("bandwidth", bandwidth)
    K = gaussian_kernel(np.vstack([X, Y]), bandwidth=h)
    return _mmd2_from_gram(K, X.shape[0])


def gaussian_kernel_mean(m: Any, S: Any, *, bandwidth: float = 1.0) -> float:
    """``E exp(-||D||^2 / (2 h^2))`` for ``D ~ N(m, S)``.

    Implements (eq-gans-kernel-mean):
    ``det(I + S/h^2)^{-1/2} exp(-m^T (S + h^2 I)^{-1} m / 2)``.

    Parameters
    ----------
    m : array_like, shape (d,)
        Mean of the difference ``D = X - Y``.
    S : array_like, shape (d, d)
        Its covariance, symmetric positive semi-definite.
    bandwidth : float > 0

    Returns
    -------
    float
    """
    m = _vector("m", m)
    d = m.size
    S = _points("S", S, min_rows=1)
    if S.shape != (d, d):
        raise ValueError(f"S must have shape ({d}, {d}) to match m, got {S.shape}")
    if not np.allclose(S, S.T, atol=1e-12 * max(1.0, float(np.abs(S).max()))):
        raise ValueError("S must be symmetric")
    h = _positive("bandwidth", bandwidth)
    if np.linalg.eigvalsh(S).min() < -1e-10 * max(1.0, float(np.abs(S).max())):
        raise ValueError("S must be positive semi-definite")
    M = S + h * h * np.eye(d)
    _, logdet = np.linalg.slogdet(np.eye(d) + S / (h * h))
    return float(np.exp(-0.5 * logdet - 0.5 * m @ np.linalg.solve(M, m)))


def mmd2_gaussian(m1: Any, S1: Any, m2: Any, S2: Any, *, bandwidth: float = 1.0) -> float:
    """Population ``MMD^2`` between ``N(m1, S1)`` and ``N(m2, S2)`` for the Gaussian kernel.

    With independent copies, ``X - X' ~ N(0, 2 S1)``, ``Y - Y' ~ N(0, 2 S2)`` and
    ``X - Y ~ N(m1 - m2, S1 + S2)``; each term is :func:`gaussian_kernel_mean`.

    Parameters
    ----------
    m1, m2 : array_like, shape (d,)
    S1, S2 : array_like, shape (d, d)
        Symmetric positive semi-definite.
    bandwidth : float > 0

    Returns
    -------
    float
    """
    m1, m2 = _vector("m1", m1), _vector("m2", m2)
    if m1.shape != m2.shape:
        raise ValueError(f"m1 and m2 must have the same shape, got {m1.shape} and {m2.shape}")
    S1 = _points("S1", S1, min_rows=1)
    S2 = _points("S2", S2, min_rows=1)
    for name, S in (("S1", S1), ("S2", S2)):
        if S.shape != (m1.size, m1.size):
            raise ValueError(f"{name} must have shape ({m1.size}, {m1.size}), got {S.shape}")
    z = np.zeros(m1.size)
    return (gaussian_kernel_mean(z, 2 * S1, bandwidth=bandwidth)
            + gaussian_kernel_mean(z, 2 * S2, bandwidth=bandwidth)
            - 2 * gaussian_kernel_mean(m1 - m2, S1 + S2, bandwidth=bandwidth))


_STATISTICS = ("mean", "mmd")


def permutation_test(X: Any, Y: Any, *, statistic: str = "mean", num_permutations: int = 199,
                     bandwidth: float = 1.0, seed: Any = 0) -> tuple[float, float]:
    """Permutation p-value of a two-sample statistic.

    Implements (eq-gans-perm-p): with ``T`` the statistic on the observed split and ``T_b`` on
    ``B = num_permutations`` uniformly random re-splits of the pooled sample into groups of the
    same sizes, ``p = (1 + #{b : T_b >= T}) / (B + 1)``. Rejecting when ``p <= alpha`` has level
    at most ``floor(alpha (B+1)) / (B+1)`` whenever the pooled sample is exchangeable under
    ``H0`` (exactly that level when ties have probability zero):
    proposition ``prop-gans-permutation`` of chapter ``gans``.

    Parameters
    ----------
    X : array_like, shape (n, d) or (n,)
    Y : array_like, shape (m, d) or (m,)
    statistic : {"mean", "mmd"}
        ``"mean"``: the Euclidean norm of the difference of the sample means; ``"mmd"``:
        :func:`mmd2_unbiased` (the pooled Gram matrix is computed once and permuted).
    num_permutations : int >= 1
    bandwidth : float > 0
        Kernel bandwidth for ``"mmd"``.
    seed : int >= 0 or numpy.random.Generator

    Returns
    -------
    T : float
        The observed statistic.
    p_value : float
        In ``{1/(B+1), ..., 1}``.
    """
    X, Y = _points("X", X), _points("Y", Y)
    _same_dim(X, Y)
    if statistic not in _STATISTICS:
        raise ValueError(f"statistic must be one of {_STATISTICS}, got {statistic!r}")
    B = _count("num_permutations", num_permutations)
    h = _positive("bandwidth", bandwidth)
    rng = _rng(seed)
    n, N = X.shape[0], X.shape[0] + Y.shape[0]
    Z = np.vstack([X, Y])
    perms = np.vstack([np.arange(N), rng.permuted(np.tile(np.arange(N), (B, 1)), axis=1)])
    if statistic == "mean":
        sx = Z[perms[:, :n]].sum(axis=1)  # (B+1, d): sums of the first group
        diff = sx / n - (Z.sum(axis=0) - sx) / (N - n)
        T = np.linalg.norm(diff, axis=1)
    else:
        K = gaussian_kernel(Z, bandwidth=h)
        T = np.array([_mmd2_from_gram(K[np.ix_(p, p)], n) for p in perms])
    return float(T[0]), float((1 + np.sum(T[1:] >= T[0])) / (B + 1))


def classifier_test(X: Any, Y: Any, *, test_fraction: float = 0.5, lam: float = 1e-3,
                    features: str = "linear", threshold: float = 0.0,
                    num_permutations: int = 999, seed: Any = 0) -> tuple[float, float]:
    """Classifier two-sample test: held-out accuracy of a logistic regression, by permutation.

    Label ``X`` as 1 and ``Y`` as 0, fit :func:`dlf.linear.logistic_regression` (ridge ``lam``,
    with an intercept) on a random ``1 - test_fraction`` of each group and predict "from ``X``"
    on the rest when the fitted logit exceeds ``threshold`` (``0`` is ``d(x) > 1/2``; ``-inf`` is
    ``d(x) > 0``, which predicts "from ``X``" always). The statistic is the held-out accuracy.
    Given the training part, under ``H0`` the held-out points are exchangeable, so the accuracy
    against ``num_permutations`` uniform permutations of the held-out labels gives the
    permutation p-value ``(1 + #{b: acc_b >= acc}) / (B + 1)``, of valid level for any group
    sizes (conservative by the ties of this discrete statistic). (The binomial tail
    ``P(Bin(n_test, 1/2) >= #correct)`` is not a valid p-value when the held-out groups differ
    in size, and only a conservative one when they are equal.)

    Parameters
    ----------
    X : array_like, shape (n, d) or (n,)
    Y : array_like, shape (m, d) or (m,)
        Each group needs at least 4 points.
    test_fraction : float in (0, 1)
    lam : float > 0
    features : {"linear", "quadratic"}
        ``[1, x]`` or ``[1, x, x * x]`` (coordinatewise squares).
    threshold : float or -inf
        Threshold on the fitted logit (not NaN, not ``+inf``).
    num_permutations : int >= 1
    seed : int >= 0 or numpy.random.Generator

    Returns
    -------
    accuracy : float
    p_value : float
    """
    X, Y = _points("X", X, 4), _points("Y", Y, 4)
    _same_dim(X, Y)
    f = _positive("test_fraction", test_fraction)
    if f >= 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {f}")
    lam = _positive("lam", lam)
    if features not in ("linear", "quadratic"):
        raise ValueError(f"features must be 'linear' or 'quadratic', got {features!r}")
    if not _is_real(threshold):
        raise TypeError(f"threshold must be a real number, got {type(threshold).__name__}")
    if np.isnan(threshold) or threshold == np.inf:
        raise ValueError(f"threshold must be finite or -inf, got {threshold!r}")
    B = _count("num_permutations", num_permutations)
    rng = _rng(seed)

    def design(A: np.ndarray) -> np.ndarray:
        cols = [np.ones((A.shape[0], 1)), A] + ([A * A] if features == "quadratic" else [])
        return np.hstack(cols)

    parts = []
    for A, label in ((X, 1.0), (Y, 0.0)):
        idx = rng.permutation(A.shape[0])
        k = min(max(1, int(round(f * A.shape[0]))), A.shape[0] - 1)
        parts.append((A[idx[k:]], A[idx[:k]], label))
    Xtr = design(np.vstack([p[0] for p in parts]))
    ytr = np.concatenate([np.full(p[0].shape[0], p[2]) for p in parts])
    Xte = design(np.vstack([p[1] for p in parts]))
    yte = np.concatenate([np.full(p[1].shape[0], p[2]) for p in parts]) == 1
    # tol 1e-8: the relative gradient can stall at the rounding floor (~1e-10) on raw features
    w = logistic_regression(Xtr, ytr, lam=lam, tol=1e-8)
    pred = Xte @ w > threshold
    acc = float(np.mean(pred == yte))
    yperm = rng.permuted(np.tile(yte, (B, 1)), axis=1)
    acc_b = np.mean(yperm == pred, axis=1)
    return acc, float((1 + np.sum(acc_b >= acc)) / (B + 1))


def z_test_power(shift: float, n: int, *, alpha: float = 0.05, sigma: float = 1.0) -> float:
    """Power of the two-sided z-test of equal means, two groups of ``n`` with known ``sigma``.

    Implements (eq-gans-z-power): with ``delta = shift / (sigma sqrt(2/n))`` and ``z`` the
    ``1 - alpha/2`` normal quantile, the power is ``Phi(delta - z) + Phi(-delta - z)``.

    Parameters
    ----------
    shift : float
        Difference of the two means (any finite real).
    n : int >= 1
        Size of each group.
    alpha : float in (0, 1)
    sigma : float > 0

    Returns
    -------
    float
    """
    if not _is_real(shift):
        raise TypeError(f"shift must be a real number, got {type(shift).__name__}")
    if not np.isfinite(shift):
        raise ValueError(f"shift must be finite, got {shift!r}")
    n = _count("n", n)
    a = _positive("alpha", alpha)
    if a >= 1:
        raise ValueError(f"alpha must be in (0, 1), got {a}")
    s = _positive("sigma", sigma)
    delta = float(shift) / (s * math.sqrt(2.0 / n))
    z = norm.isf(a / 2)
    return float(norm.cdf(delta - z) + norm.cdf(-delta - z))

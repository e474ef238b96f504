"""Uniform convergence: PAC learning, finite classes, covers, VC theory, Rademacher complexity.

Derived in: book/generalization/gen-classical.md (Uniform convergence).

Depends on: numpy, torch, no other dlf module.

Contents, in the order of the chapter:

* the elimination learner for monotone conjunctions and its *exact* failure probability on a
  product distribution (:func:`conjunction_learner`, :func:`conjunction_failure_probability`,
  :func:`conjunction_sample_size`);
* the finite-class bound (Hoeffding + union bound) and the exact law of the largest deviation
  for independent fair-coin losses (:func:`finite_class_bound`, :func:`erm_excess_bound`,
  :func:`max_deviation_cdf`, :func:`max_deviation_quantile`);
* covers of the unit ball (:func:`cover_size_bound`, :func:`greedy_packing`,
  :func:`parameter_count_bound`);
* growth functions (:func:`sauer_bound`, :func:`cover_count`, :func:`halfspace_dichotomies`,
  :func:`interval_dichotomies`, :func:`vc_bound`);
* Rademacher complexity, estimators returning ``(estimate, standard_error)`` and exact
  enumeration for small samples (:func:`rademacher_finite`, :func:`rademacher_linear`,
  :func:`rademacher_kernel`, :func:`massart_bound`, :func:`rademacher_bound`);
* norm-based bounds for networks (:func:`golowich_bound`, :func:`margin_bound`,
  :func:`fit_mlp`, :func:`margins`).

All logarithms are natural.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import torch

__all__ = [
    "conjunction_learner",
    "conjunction_predict",
    "conjunction_failure_probability",
    "conjunction_sample_size",
    "finite_class_bound",
    "erm_excess_bound",
    "max_deviation_cdf",
    "max_deviation_quantile",
    "cover_size_bound",
    "greedy_packing",
    "parameter_count_bound",
    "sauer_bound",
    "cover_count",
    "halfspace_dichotomies",
    "interval_dichotomies",
    "vc_bound",
    "rademacher_finite",
    "rademacher_linear",
    "rademacher_kernel",
    "massart_bound",
    "rademacher_bound",
    "golowich_bound",
    "margin_bound",
    "fit_mlp",
    "margins",
]


# -----------------------------------------------------------------------------
# argument checks


def _real(name: str, value: Any, *, low: float = -math.inf, high: float = math.inf,
          low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or isinstance(value, complex) or np.iscomplexobj(value):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if v < low or v > high or (low_open and v == low) or (high_open and v == high):
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lo}{low}, {high}{hi}, got {v}")
    return v


def _int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _array(name: str, x: Any, ndim: int) -> np.ndarray:
    a = np.asarray(x)
    if np.iscomplexobj(a):
        raise TypeError(f"{name} must be real, got complex dtype {a.dtype}")
    if a.dtype == object or not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {a.shape}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy Generator, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _signs(n: int, n_draws: int, seed: Any) -> np.ndarray:
    return _rng(seed).choice(np.array([-1.0, 1.0]), size=(n_draws, n))


def _all_signs(n: int) -> np.ndarray:
    if n > 20:
        raise ValueError(f"exact enumeration needs n <= 20 points, got n={n}")
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n)))


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


# -----------------------------------------------------------------------------
# PAC learning of monotone conjunctions


def conjunction_learner(X: Any, y: Any) -> np.ndarray:
    """Elimination learner for monotone conjunctions.

    Starts from the conjunction of all ``d`` literals and deletes every literal that is 0 in
    some positive example; negative examples are ignored.

    Parameters
    ----------
    X : array_like of {0, 1}, shape (n, d)
    y : array_like of {0, 1}, shape (n,)

    Returns
    -------
    ndarray of bool, shape (d,)
        ``True`` for the literals kept in the hypothesis.
    """
    X = _array("X", X, 2)
    y = _array("y", y, 1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} entries (rows of X), got shape {y.shape}")
    if not np.all((X == 0) | (X == 1)) or not np.all((y == 0) | (y == 1)):
        raise ValueError("X and y must contain only 0 and 1")
    positives = X[y == 1]
    return np.all(positives == 1, axis=0)


def conjunction_predict(literals: Any, X: Any) -> np.ndarray:
    """Evaluate the monotone conjunction of the literals marked in ``literals`` on rows of ``X``.

    Returns an int array of {0, 1}, shape (n,) (the empty conjunction is the constant 1).
    """
    lit = np.asarray(literals, dtype=bool)
    X = _array("X", X, 2)
    if lit.shape != (X.shape[1],):
        raise ValueError(f"literals must have shape ({X.shape[1]},), got {lit.shape}")
    return np.all(X[:, lit] == 1, axis=1).astype(int)


def conjunction_failure_probability(n: int, d: int, k: int, p: float, eps: float) -> float:
    """Exact probability that the elimination learner has risk above ``eps``.

    Inputs are ``d`` independent bits with ``P(x_i = 1) = p``; the target is the conjunction of
    ``k`` literals. With ``q = p**k``, the number ``J`` of positive examples among ``n`` is
    Binomial(n, q); given ``J = j`` each of the ``d - k`` other literals survives independently
    with probability ``p**j``, and a hypothesis keeping ``K`` of them has risk
    ``q (1 - p**K)``. The returned value is ``P(q (1 - p**K) > eps)``, computed by summing over
    ``j`` and ``K`` (log-space binomial weights).
    """
    n = _int("n", n, 0)
    d = _int("d", d, 1)
    k = _int("k", k, 0)
    if k > d:
        raise ValueError(f"k must be <= d={d}, got {k}")
    p = _real("p", p, low=0.0, high=1.0, low_open=True, high_open=True)
    eps = _real("eps", eps, low=0.0, high=1.0)
    q = p ** k
    K = np.arange(d - k + 1)
    bad = q * (1.0 - p ** K) > eps
    if not bad.any():
        return 0.0
    j = np.arange(n + 1)
    log_binom_n = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                            for i in j])
    if q == 1.0:
        w_j = (j == n).astype(float)
    else:
        w_j = np.exp(log_binom_n + j * math.log(q) + (n - j) * math.log1p(-q))
    m = d - k
    log_binom_m = np.array([math.lgamma(m + 1) - math.lgamma(i + 1) - math.lgamma(m - i + 1)
                            for i in K])
    total = 0.0
    for jj, w in zip(j, w_j, strict=True):
        s = p ** jj
        if s == 1.0:
            pk = (K == m).astype(float)
        elif s == 0.0:
            pk = (K == 0).astype(float)
        else:
            pk = np.exp(log_binom_m + K * math.log(s) + (m - K) * math.log1p(-s))
        total += w * pk[bad].sum()
    return float(min(total, 1.0))


def conjunction_sample_size(d: int, eps: float, delta: float) -> int:
    """Sample size ``ceil((d / eps) log(d / delta))`` sufficient for the elimination learner."""
    d = _int("d", d, 1)
    eps = _real("eps", eps, low=0.0, high=1.0, low_open=True)
    delta = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    return int(math.ceil(d / eps * math.log(d / delta)))


# -----------------------------------------------------------------------------
# finite classes


def finite_class_bound(n: int, log_card: float, delta: float) -> float:
    """Uniform deviation ``sqrt((log_card + log(2/delta)) / (2n))`` for a finite class.

    With probability at least ``1 - delta``, ``|R_hat(f) - R(f)|`` is at most this value for all
    ``f`` in a class of ``exp(log_card)`` functions with losses in ``[0, 1]``
    (eq-gc-finite). ``log_card`` is the natural log of the class size, so that classes like
    ``2**1000`` do not overflow.
    """
    n = _int("n", n, 1)
    log_card = _real("log_card", log_card, low=0.0)
    delta = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    return math.sqrt((log_card + math.log(2.0 / delta)) / (2.0 * n))


def erm_excess_bound(n: int, log_card: float, delta: float) -> float:
    """Excess-risk bound ``2 * finite_class_bound(n, log_card, delta)`` for ERM."""
    return 2.0 * finite_class_bound(n, log_card, delta)


def _fair_coin_abs_dev(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of ``|B/n - 1/2|``, ``B ~ Binomial(n, 1/2)``, and their probabilities."""
    k = np.arange(n + 1)
    logp = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                     for i in k]) - n * math.log(2.0)
    dev = np.abs(2 * k - n)  # integer version of 2n |k/n - 1/2|
    values = np.unique(dev)
    probs = np.array([np.exp(logp[dev == v]).sum() for v in values])
    return values / (2.0 * n), probs


def max_deviation_cdf(t: Any, n: int, N: int) -> float | np.ndarray:
    """Exact ``P(max_h |R_hat(h) - 1/2| <= t)`` for ``N`` hypotheses with independent fair-coin
    losses on ``n`` examples: ``P(|B/n - 1/2| <= t)**N`` with ``B ~ Binomial(n, 1/2)``."""
    n = _int("n", n)
    N = _int("N", N)
    if isinstance(t, (str, bytes)) or np.iscomplexobj(t):
        raise TypeError(f"t must be real numbers, got {t!r}")
    try:
        t_arr = np.asarray(t, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"t must be real numbers, got {t!r}") from err
    if not np.all(np.isfinite(t_arr)):
        raise ValueError("t must be finite")
    values, probs = _fair_coin_abs_dev(n)
    cdf1 = np.cumsum(probs)
    idx = np.searchsorted(values, t_arr + 1e-12, side="right") - 1
    out = np.where(idx >= 0, np.minimum(cdf1[np.maximum(idx, 0)], 1.0), 0.0) ** N
    return float(out) if out.ndim == 0 else out


def max_deviation_quantile(level: float, n: int, N: int) -> float:
    """Smallest ``t`` with ``P(max_h |R_hat(h) - 1/2| <= t) >= level`` (see
    :func:`max_deviation_cdf`)."""
    level = _real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    n = _int("n", n)
    N = _int("N", N)
    values, probs = _fair_coin_abs_dev(n)
    cdf = np.minimum(np.cumsum(probs), 1.0) ** N
    return float(values[np.searchsorted(cdf, level)])


# -----------------------------------------------------------------------------
# covers


def cover_size_bound(k: int, rho: float) -> float:
    """Volume bound ``(1 + 2/rho)**k`` on a rho-separated set in the unit ball of R^k, hence on a
    minimal rho-cover (prf:ref prop-gc-cover)."""
    k = _int("k", k)
    rho = _real("rho", rho, low=0.0, low_open=True)
    return (1.0 + 2.0 / rho) ** k


def greedy_packing(points: Any, rho: float) -> np.ndarray:
    """Greedy rho-separated subset of ``points``: scan the rows in order and keep a row when its
    distance to every kept row exceeds ``rho``.

    The result is maximal among the rows: every row is within ``rho`` of a kept one.

    Parameters
    ----------
    points : array_like, shape (N, k)
    rho : float > 0

    Returns
    -------
    ndarray of int
        Indices of the kept rows.
    """
    P = _array("points", points, 2)
    rho = _real("rho", rho, low=0.0, low_open=True)
    kept: list[int] = []
    dmin = np.full(P.shape[0], np.inf)
    for i in range(P.shape[0]):
        if dmin[i] > rho:
            kept.append(i)
            dmin = np.minimum(dmin, np.linalg.norm(P - P[i], axis=1))
    return np.array(kept, dtype=int)


def parameter_count_bound(n: int, k: int, lipschitz: float, delta: float,
                          rho: float | None = None) -> float:
    """Uniform deviation bound for a class indexed by the unit ball of R^k (eq-gc-param).

    ``2 * lipschitz * rho + sqrt((k log(1 + 2/rho) + log(2/delta)) / (2n))`` for losses in
    ``[0, 1]`` that are ``lipschitz``-Lipschitz in the parameter. With ``rho=None`` the bound is
    minimized over a logarithmic grid of ``rho`` (the grid is fixed in advance, so the minimum
    holds only after a union bound over it: the price, ``log(grid size)``, is added).
    """
    n = _int("n", n)
    k = _int("k", k)
    lipschitz = _real("lipschitz", lipschitz, low=0.0)
    delta = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)

    def value(r: float, extra: float) -> float:
        return 2 * lipschitz * r + math.sqrt(
            (k * math.log(1 + 2 / r) + math.log(2 / delta) + extra) / (2 * n))

    if rho is not None:
        return value(_real("rho", rho, low=0.0, low_open=True), 0.0)
    grid = np.logspace(-6, 0, 61)
    return min(value(float(r), math.log(grid.size)) for r in grid)


# -----------------------------------------------------------------------------
# growth functions and VC dimension


def sauer_bound(n: int, h: int) -> int:
    """Sauer-Shelah bound ``sum_{i=0}^{h} C(n, i)`` on the growth function (exact integer)."""
    n = _int("n", n, 0)
    h = _int("h", h, 0)
    return sum(math.comb(n, i) for i in range(min(h, n) + 1))


def cover_count(n: int, p: int) -> int:
    """Cover's count ``2 sum_{i=0}^{p} C(n-1, i)``: dichotomies of ``n`` points in general
    position in R^p realized by affine half-spaces (exact integer)."""
    n = _int("n", n)
    p = _int("p", p)
    return 2 * sum(math.comb(n - 1, i) for i in range(p + 1))


def _general_position(X: np.ndarray) -> bool:
    n, p = X.shape
    for S in itertools.combinations(range(n), min(p + 1, n)):
        A = np.hstack([X[list(S)], np.ones((len(S), 1))])
        s = np.linalg.svd(A, compute_uv=False)
        if s[-1] <= 1e-9 * max(1.0, s[0]):
            return False
    return True


def halfspace_dichotomies(X: Any) -> set[tuple[int, ...]]:
    """All labelings of the rows of ``X`` realized by affine half-spaces ``sign(w.x + b)``.

    Exact for points in general position (no ``p + 1`` of them on a hyperplane of R^p), by the
    combinatorial argument of (prf:ref thm-gc-cover): every non-constant dichotomy is obtained
    from a hyperplane through ``p`` of the points, tilted so that those ``p`` points get any of
    their ``2**p`` signs.

    Parameters
    ----------
    X : array_like, shape (n, p), points in general position, ``n <= 16``

    Returns
    -------
    set of tuples of +1/-1, length n
    """
    X = _array("X", X, 2)
    n, p = X.shape
    if n > 16:
        raise ValueError(f"X must have at most 16 rows for enumeration, got {n}")
    if not _general_position(X):
        raise ValueError("X must be in general position (no p + 1 points on a hyperplane)")
    out: set[tuple[int, ...]] = {tuple([1] * n), tuple([-1] * n)}
    if n <= p:
        # any labeling of at most p affinely independent points is realizable
        return {tuple(int(s) for s in lab) for lab in _all_signs(n)}
    for S in itertools.combinations(range(n), p):
        A = np.hstack([X[list(S)], np.ones((p, 1))])  # p x (p+1)
        normal = np.linalg.svd(A)[2][-1]  # null vector (w, b) of the hyperplane through S
        side = np.sign(X @ normal[:p] + normal[p]).astype(int)
        for pattern in itertools.product((-1, 1), repeat=p):
            lab = side.copy()
            lab[list(S)] = pattern
            out.add(tuple(int(v) for v in lab))
            out.add(tuple(int(-v) for v in lab))
    return out


def interval_dichotomies(x: Any) -> set[tuple[int, ...]]:
    """All labelings ``1{a <= x_i <= b}`` (as +1/-1) of distinct reals by closed intervals."""
    x = _array("x", x, 1)
    if np.unique(x).size != x.size:
        raise ValueError("x must have distinct entries")
    order = np.argsort(x)
    n = x.size
    out = {tuple([-1] * n)}
    for i in range(n):
        for j in range(i, n):
            lab = -np.ones(n, dtype=int)
            lab[order[i:j + 1]] = 1
            out.add(tuple(int(v) for v in lab))
    return out


def vc_bound(n: int, h: int, delta: float) -> float:
    """Vapnik-Chervonenkis bound ``2 sqrt(2 (log S(2n) + log(2/delta)) / n)`` with the growth
    function replaced by Sauer's bound for VC dimension ``h`` (eq-gc-vc)."""
    n = _int("n", n)
    h = _int("h", h, 0)
    delta = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    return 2.0 * math.sqrt(2.0 * (math.log(sauer_bound(2 * n, h)) + math.log(2.0 / delta)) / n)


# -----------------------------------------------------------------------------
# Rademacher complexity


def rademacher_finite(A: Any, n_draws: int | None = 2000, seed: Any = 0
                      ) -> tuple[float, float]:
    """Empirical Rademacher complexity ``E_sigma max_a (1/n) sum_i sigma_i a_i`` of a finite set.

    Parameters
    ----------
    A : array_like, shape (N, n)
        Row ``a`` holds the values ``(f(z_1), ..., f(z_n))`` of one function on the sample.
    n_draws : int or None
        Number of sign vectors; ``None`` enumerates all ``2**n`` (``n <= 20``) and returns a
        standard error of 0.
    seed : int or numpy.random.Generator

    Returns
    -------
    (estimate, standard_error)
    """
    A = _array("A", A, 2)
    n = A.shape[1]
    if n_draws is None:
        sig = _all_signs(n)
        return float(np.mean(np.max(sig @ A.T, axis=1)) / n), 0.0
    n_draws = _int("n_draws", n_draws, 2)
    sig = _signs(n, n_draws, seed)
    return _mean_se(np.max(sig @ A.T, axis=1) / n)


def rademacher_linear(X: Any, B: float = 1.0, n_draws: int | None = 2000, seed: Any = 0
                      ) -> tuple[float, float]:
    """Empirical Rademacher complexity of ``{x -> w.x : ||w|| <= B}``: ``(B/n) E ||sum sigma_i
    x_i||`` (eq-gc-linear), by Monte Carlo or (``n_draws=None``) exact enumeration."""
    X = _array("X", X, 2)
    B = _real("B", B, low=0.0)
    n = X.shape[0]
    sig = _all_signs(n) if n_draws is None else _signs(n, _int("n_draws", n_draws, 2), seed)
    vals = B * np.linalg.norm(sig @ X, axis=1) / n
    return (float(vals.mean()), 0.0) if n_draws is None else _mean_se(vals)


def rademacher_kernel(K: Any, B: float = 1.0, n_draws: int = 2000, seed: Any = 0
                      ) -> tuple[float, float]:
    """Empirical Rademacher complexity of the RKHS ball ``{f : ||f||_H <= B}`` on a sample with
    Gram matrix ``K``: ``(B/n) E sqrt(sigma^T K sigma)`` (eq-gc-kernel)."""
    K = _array("K", K, 2)
    if K.shape[0] != K.shape[1] or not np.allclose(K, K.T):
        raise ValueError(f"K must be a symmetric square matrix, got shape {K.shape}")
    B = _real("B", B, low=0.0)
    n = K.shape[0]
    sig = _signs(n, _int("n_draws", n_draws, 2), seed)
    quad = np.sum((sig @ K) * sig, axis=1)
    return _mean_se(B * np.sqrt(np.maximum(quad, 0.0)) / n)


def massart_bound(A: Any) -> float:
    """Massart's bound ``max_a ||a|| sqrt(2 log N) / n`` for a finite set of ``N`` vectors in R^n
    (eq-gc-massart)."""
    A = _array("A", A, 2)
    N, n = A.shape
    return float(np.max(np.linalg.norm(A, axis=1)) * math.sqrt(2.0 * math.log(N)) / n)


def rademacher_bound(empirical_risk: float, rademacher: float, n: int, delta: float) -> float:
    """Right side ``R_hat + 2 Rad_n + sqrt(log(1/delta) / (2n))`` of (eq-gc-rademacher-bound),
    for losses in ``[0, 1]``."""
    empirical_risk = _real("empirical_risk", empirical_risk, low=0.0, high=1.0)
    rademacher = _real("rademacher", rademacher, low=0.0)
    n = _int("n", n)
    delta = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    return empirical_risk + 2.0 * rademacher + math.sqrt(math.log(1.0 / delta) / (2.0 * n))


# -----------------------------------------------------------------------------
# norm-based bounds for networks


def golowich_bound(frobenius_norms: Any, input_norm: float, n: int) -> float:
    """Golowich-Rakhlin-Shamir bound on the Rademacher complexity of depth-L networks with
    1-Lipschitz positively homogeneous activations and ``||W_j||_F <= M_j`` (eq-gc-golowich):
    ``input_norm * (sqrt(2 L log 2) + 1) * prod_j M_j / sqrt(n)``."""
    M = _array("frobenius_norms", frobenius_norms, 1)
    if np.any(M < 0):
        raise ValueError("frobenius_norms must be non-negative")
    input_norm = _real("input_norm", input_norm, low=0.0)
    n = _int("n", n)
    L = M.size
    return float(input_norm * (math.sqrt(2 * L * math.log(2)) + 1) * np.prod(M) / math.sqrt(n))


def margin_bound(margin_error: float, rademacher: float, gamma: float, n: int,
                 delta: float) -> float:
    """Margin bound ``margin_error + (2/gamma) rademacher + sqrt(log(1/delta) / (2n))`` on the
    0-1 risk of a real-valued classifier (eq-gc-margin)."""
    margin_error = _real("margin_error", margin_error, low=0.0, high=1.0)
    rademacher = _real("rademacher", rademacher, low=0.0)
    gamma = _real("gamma", gamma, low=0.0, low_open=True)
    n = _int("n", n)
    delta = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    return margin_error + 2.0 * rademacher / gamma + math.sqrt(math.log(1.0 / delta) / (2.0 * n))


def fit_mlp(X: Any, y: Any, width: int, *, n_classes: int = 1, depth: int = 2,
            steps: int = 300, lr: float = 1e-2, seed: int = 0) -> torch.nn.Sequential:
    """Train a bias-free ReLU MLP with full-batch Adam (float64, one thread friendly).

    ``n_classes=1`` gives one output trained with the logistic loss on labels ``y`` in
    ``{-1, +1}``; otherwise ``n_classes`` outputs trained with cross-entropy on labels in
    ``{0, ..., n_classes - 1}``. Bias-free layers keep the network positively homogeneous, as
    :func:`golowich_bound` requires.
    """
    X = _array("X", X, 2)
    y = _array("y", y, 1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} entries, got shape {y.shape}")
    width = _int("width", width)
    n_classes = _int("n_classes", n_classes)
    depth = _int("depth", depth, 1)
    steps = _int("steps", steps, 0)
    lr = _real("lr", lr, low=0.0, low_open=True)
    seed = _int("seed", seed, 0)
    torch.manual_seed(seed)
    dims = [X.shape[1]] + [width] * (depth - 1) + [n_classes]
    layers: list[torch.nn.Module] = []
    for i in range(depth):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1], bias=False, dtype=torch.float64))
        if i < depth - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    Xt = torch.as_tensor(X, dtype=torch.float64)
    if n_classes == 1:
        if not np.all(np.abs(y) == 1):
            raise ValueError("y must be in {-1, +1} when n_classes=1")
        yt = torch.as_tensor(y, dtype=torch.float64)

        def loss_fn() -> torch.Tensor:
            return torch.nn.functional.softplus(-yt * net(Xt)[:, 0]).mean()
    else:
        if not np.all((y >= 0) & (y < n_classes) & (y == np.round(y))):
            raise ValueError(f"y must be integers in [0, {n_classes - 1}]")
        yt = torch.as_tensor(y, dtype=torch.long)

        def loss_fn() -> torch.Tensor:
            return torch.nn.functional.cross_entropy(net(Xt), yt)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
    return net


def margins(net: torch.nn.Module, X: Any, y: Any) -> np.ndarray:
    """Margins ``y_i f(x_i)`` of a one-output network on labels in {-1, +1}."""
    if not callable(net):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    X = _array("X", X, 2)
    y = _array("y", y, 1)
    with torch.no_grad():
        out = net(torch.as_tensor(X, dtype=torch.float64))
    if out.ndim != 2 or out.shape[1] != 1:
        raise ValueError(f"net must have one output, got output shape {tuple(out.shape)}")
    return y * out[:, 0].numpy()


# --- Beyond uniform convergence (chapter gen-modern) ---
# Helpers derived in book/generalization/gen-modern.md (Beyond uniform convergence): the
# Nagarajan-Kolter construction, margin sparsification and low-rank compression, and the Fisher
# information of sloppy models. Uses numpy only; tested in tests/test_pacbayes.py.


def _gm_array(name, x, ndim=None):
    a = np.asarray(x)
    if np.iscomplexobj(a):
        raise TypeError(f"{name} must be real, got complex dtype {a.dtype}")
    try:
        a = a.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real array, got dtype {a.dtype}") from err
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _gm_posint(name, x):
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 1:
        raise ValueError(f"{name} must be a positive integer, got {x!r}")
    return int(x)


def _gm_positive(name, x):
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be real, got {x!r}")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {x!r}") from err
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be positive and finite, got {x!r}")
    return v


def nk_sample(m, D, K, c, *, seed=0):
    """Sample of the Nagarajan-Kolter distribution.

    Labels ``y = +-1`` uniform; input ``x = (y u, z)`` with a fixed ``u in R^K`` of squared norm
    ``c/m`` (the first coordinate direction, scaled) and noise ``z ~ N(0, I_D/D)``. Implements
    (eq-gen-modern-nk).

    Returns
    -------
    X : ndarray, shape (m, K + D)
    y : ndarray of float, shape (m,), values +-1
    """
    m, D, K = _gm_posint("m", m), _gm_posint("D", D), _gm_posint("K", K)
    c = _gm_positive("c", c)
    rng = _rng(seed)
    y = rng.choice([-1.0, 1.0], size=m)
    u = np.zeros(K)
    u[0] = math.sqrt(c / m)
    Z = rng.standard_normal((m, D)) / math.sqrt(D)
    return np.hstack([y[:, None] * u, Z]), y


def nk_one_step(X, y, K, *, flip=False):
    """One gradient step (step size 1, from 0) on ``-sum_i y_i w.x_i``: ``w = sum_i y_i x_i``.

    With ``flip=True`` the noise block of every training input is negated first, which gives
    ``w = (sum_i y_i x_i1, -sum_i y_i z_i)``: the output on the flipped sample (eq-gen-modern-nk-w).
    """
    X = _gm_array("X", X, 2)
    y = _gm_array("y", y, 1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries")
    K = _gm_posint("K", K)
    if K >= X.shape[1]:
        raise ValueError(f"K={K} must be smaller than the input dimension {X.shape[1]}")
    w = y @ X
    if flip:
        w[K:] = -w[K:]
    return w


def nk_test_error(w, K, c, m):
    """Exact test error ``Phi(-c sqrt(D) / ||w_2||)`` of ``w = (m u, w_2)`` (eq-gen-modern-nk-err).

    Requires the first block of ``w`` to be ``m u`` with ``m ||u||^2 = c``.
    """
    w = _gm_array("w", w, 1)
    K, m = _gm_posint("K", K), _gm_posint("m", m)
    c = _gm_positive("c", c)
    D = w.size - K
    if D < 1:
        raise ValueError(f"w has {w.size} entries, need more than K={K}")
    a = c * math.sqrt(D) / float(np.linalg.norm(w[K:]))
    return 0.5 * math.erfc(a / math.sqrt(2))  # Phi(-a), accurate in the far tail


def sparsify_probabilities(c, gamma):
    """Keep-probabilities ``p_i = min(1, 8 c_i^2 / gamma^2)`` of margin sparsification."""
    c = _gm_array("c", c, 1)
    gamma = _gm_positive("gamma", gamma)
    return np.minimum(1.0, 8 * c ** 2 / gamma ** 2)


def sparsify(c, gamma, *, size=None, seed=0):
    """Unbiased random sparsification: keep ``c_i / p_i`` with probability ``p_i``, else 0.

    Parameters
    ----------
    c : array_like, shape (d,)
    gamma : float > 0
    size : int or None
        Number of independent draws; ``None`` returns one vector of shape (d,), otherwise an array
        of shape (size, d).
    """
    p = sparsify_probabilities(c, gamma)
    c = np.asarray(c, dtype=np.float64)
    rng = _rng(seed)
    shape = c.shape if size is None else (_gm_posint("size", size),) + c.shape
    keep = rng.random(shape) < p
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.where(p > 0, c / np.where(p > 0, p, 1.0), 0.0)
    return np.where(keep, val, 0.0)


def sparsify_variance(c, u, gamma):
    """Exact ``Var(hat c . u) = sum_i c_i^2 u_i^2 (1 - p_i) / p_i`` (eq-gen-modern-sparse-var)."""
    p = sparsify_probabilities(c, gamma)
    c = np.asarray(c, dtype=np.float64)
    u = _gm_array("u", u, 1)
    if u.shape != c.shape:
        raise ValueError(f"u must have the shape of c, {c.shape}, got {u.shape}")
    mask = p > 0
    return float(np.sum((c ** 2 * u ** 2)[mask] * (1 - p[mask]) / p[mask]))


def truncate_svd(A, delta):
    """Drop the singular values of ``A`` below ``delta * ||A||_2`` (Lemma lem-gen-modern-lowrank).

    Returns
    -------
    A_hat : ndarray, same shape as A
    rank : int
        Number of singular values kept.
    """
    A = _gm_array("A", A, 2)
    if A.size == 0:
        raise ValueError(f"A must not be empty, got shape {A.shape}")
    delta = _gm_positive("delta", delta)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    keep = s >= delta * s[0]
    r = int(keep.sum())
    return (U[:, :r] * s[:r]) @ Vt[:r], r


def stable_rank(A):
    """Stable rank ``||A||_F^2 / ||A||_2^2`` (at most the rank)."""
    A = _gm_array("A", A, 2)
    if A.size == 0:
        raise ValueError(f"A must not be empty, got shape {A.shape}")
    s = np.linalg.svd(A, compute_uv=False)
    if s[0] == 0:
        raise ValueError("A is the zero matrix: its stable rank is undefined")
    return float(np.sum(s ** 2) / s[0] ** 2)


def sum_exp_model(theta, t):
    """Sum of exponentials ``y(t) = sum_k exp(-theta_k t)`` and its Jacobian (eq-gen-modern-sumexp).

    Returns
    -------
    y : ndarray, shape (n,)
    J : ndarray, shape (n, p), ``J_ik = -t_i exp(-theta_k t_i)``
    """
    theta = _gm_array("theta", theta, 1)
    t = _gm_array("t", t, 1)
    E = np.exp(-np.outer(t, theta))
    return E.sum(1), -t[:, None] * E


def sum_exp_hessians(theta, t):
    """Second derivatives of each output of (eq-gen-modern-sumexp), shape (n, p, p).

    Diagonal, with entries ``t_i^2 exp(-theta_k t_i)``.
    """
    theta = _gm_array("theta", theta, 1)
    t = _gm_array("t", t, 1)
    E = np.exp(-np.outer(t, theta))
    H = np.zeros((t.size, theta.size, theta.size))
    idx = np.arange(theta.size)
    H[:, idx, idx] = (t[:, None] ** 2) * E
    return H


def fisher_gauss_newton(J, sigma=1.0):
    """Fisher information ``g = J^T J / sigma^2`` of a Gaussian-noise regression model."""
    J = _gm_array("J", J, 2)
    sigma = _gm_positive("sigma", sigma)
    return J.T @ J / sigma ** 2


def vandermonde(x, k):
    """Design matrix with columns ``1, x, ..., x^(k-1)`` (the Jacobian of a polynomial model)."""
    x = _gm_array("x", x, 1)
    return np.vander(x, _gm_posint("k", k), increasing=True)


__all__ += [
    "nk_sample",
    "nk_one_step",
    "nk_test_error",
    "sparsify_probabilities",
    "sparsify",
    "sparsify_variance",
    "truncate_svd",
    "stable_rank",
    "sum_exp_model",
    "sum_exp_hessians",
    "fisher_gauss_newton",
    "vandermonde",
]

"""Linear algebra through the singular value decomposition.

The SVD ``A = U diag(s) V^T`` answers most of the linear-algebra questions of
the book, and this module collects the answers that later chapters reuse:

* :func:`sym_eig`: eigen-decomposition of a symmetric matrix, eigenvalues in
  decreasing order;
* :func:`range_basis`: an orthonormal basis of the column space (numerical rank
  by a cutoff);
* :func:`pinv` and :func:`lstsq_min_norm`: the Moore-Penrose pseudo-inverse
  ``A^+ = V diag(1/s) U^T`` and the minimum-norm least-squares solution
  ``A^+ b``;
* :func:`best_rank_k`: the truncated SVD, the best rank-``k`` approximation in
  the spectral and the Frobenius norm (Eckart-Young);
* :func:`spectral_norm`: the largest singular value by power iteration on
  ``A^T A``;
* :func:`principal_angles`: the angles between two column spaces;
* :func:`mlp_lipschitz_bound`: the product of spectral norms that bounds the
  Lipschitz constant of a feed-forward network.

Everything is float64. The cutoff that decides which singular values count as
zero is ``rtol * s_1`` with ``rtol = max(m, n) * eps`` by default, the
convention of ``numpy.linalg.matrix_rank``.

Derived in: ``toolkit``. Depends on: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "sym_eig",
    "range_basis",
    "pinv",
    "lstsq_min_norm",
    "best_rank_k",
    "spectral_norm",
    "principal_angles",
    "mlp_lipschitz_bound",
]


# -----------------------------------------------------------------------------
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


def _matrix(name: str, value: Any) -> np.ndarray:
    """``value`` as a finite, non-empty float64 matrix."""
    try:
        a = _real_array(name, value)
    except TypeError as err:
        raise TypeError(
            f"{name} must be a real 2-D array, got {type(value).__name__}"
        ) from err
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array, got shape {a.shape}"
        )
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no nan or inf)")
    return a


def _is_real(x: Any) -> bool:
    """True for a Python or NumPy real scalar (booleans excluded)."""
    return not isinstance(x, bool) and isinstance(
        x, (int, float, np.integer, np.floating)
    )


def _rtol(rtol: Any, shape: tuple[int, int]) -> float:
    if rtol is None:
        return max(shape) * np.finfo(np.float64).eps
    if not _is_real(rtol):
        raise TypeError(
            f"rtol must be a real number or None, got {type(rtol).__name__}"
        )
    if not (np.isfinite(rtol) and 0 <= rtol < 1):
        raise ValueError(f"rtol must lie in [0, 1), got {rtol!r}")
    return _real_scalar("rtol", rtol)


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} ({value!r})"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _rank(s: np.ndarray, rtol: float) -> int:
    """Number of singular values above ``rtol * s_1`` (``s`` in decreasing
    order).
    """
    if s.size == 0 or s[0] == 0:
        return 0
    return int(np.sum(s > rtol * s[0]))


# -----------------------------------------------------------------------------
# decompositions


def sym_eig(A: Any, *, atol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Eigen-decomposition ``A = Q diag(lam) Q^T`` of a symmetric matrix.

    Implements (eq-tk-spectral), the spectral theorem, with NumPy's ``eigh``.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric up to ``|A - A^T| <= atol * max(1, max|A|)`` entrywise; the
        symmetric part ``(A + A^T) / 2`` is decomposed.
    atol : float
        Tolerance of the symmetry test, finite and ``>= 0``.

    Returns
    -------
    lam : ndarray of float64, shape (d,)
        Eigenvalues in decreasing order, ``lam[0] = lambda_max``.
    Q : ndarray of float64, shape (d, d)
        Orthogonal; column ``i`` is a unit eigenvector for ``lam[i]``.
    """
    A = _matrix("A", A)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be square, got shape {A.shape}")
    if not _is_real(atol):
        raise TypeError(f"atol must be a real number, got {type(atol).__name__} ({atol!r:.40})")
    if not (np.isfinite(atol) and atol >= 0):
        raise ValueError(f"atol must be a finite number >= 0, got {atol!r}")
    atol = _real_scalar("atol", atol)
    scale = max(1.0, float(np.max(np.abs(A))))
    asym = float(np.max(np.abs(A - A.T)))
    if asym > atol * scale:
        raise ValueError(
            f"A must be symmetric, got max |A - A^T| = {asym:.3g}"
        )
    lam, Q = np.linalg.eigh((A + A.T) / 2)
    return lam[::-1].copy(), Q[:, ::-1].copy()


def range_basis(A: Any, *, rtol: float | None = None) -> np.ndarray:
    """Orthonormal basis of the column space of ``A``: the left singular
    vectors with ``s_i > rtol * s_1``.

    Parameters
    ----------
    A : array_like, shape (n, p)
    rtol : float or None
        Relative cutoff in ``[0, 1)``; default ``max(n, p) * eps``.

    Returns
    -------
    Q : ndarray of float64, shape (n, r)
        ``Q^T Q = I_r`` with ``r`` the numerical rank (``r = 0`` for a zero
        matrix).
    """
    A = _matrix("A", A)
    rtol = _rtol(rtol, A.shape)
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    return U[:, : _rank(s, rtol)].copy()


def pinv(A: Any, *, rtol: float | None = None) -> np.ndarray:
    """Moore-Penrose pseudo-inverse via the SVD, ``A^+ = V diag(1/s_i) U^T``.

    Implements (eq-tk-pinv); singular values ``s_i <= rtol * s_1`` are treated
    as zero, and their reciprocals are replaced by zero.

    Parameters
    ----------
    A : array_like, shape (m, n)
    rtol : float or None
        Relative cutoff in ``[0, 1)``; default ``max(m, n) * eps``.

    Returns
    -------
    ndarray of float64, shape (n, m)
    """
    A = _matrix("A", A)
    rtol = _rtol(rtol, A.shape)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    r = _rank(s, rtol)
    return (Vt[:r].T / s[:r]) @ U[:, :r].T


def lstsq_min_norm(A: Any, b: Any, *, rtol: float | None = None) -> np.ndarray:
    """The minimum-norm least-squares solution ``x = A^+ b``.

    Among all minimizers of ``||A x - b||`` it is the one of smallest norm
    (theorem ``thm-tk-min-norm`` of chapter ``toolkit``); it is computed from
    the SVD without forming ``A^+``.

    Parameters
    ----------
    A : array_like, shape (m, n)
    b : array_like, shape (m,) or (m, k)
        One right-hand side, or ``k`` of them as columns.
    rtol : float or None
        Relative cutoff of :func:`pinv`.

    Returns
    -------
    ndarray of float64, shape (n,) or (n, k)
    """
    A = _matrix("A", A)
    b = _real_array("b", b)
    if b.ndim not in (1, 2) or b.shape[0] != A.shape[0]:
        raise ValueError(
            f"b must have shape ({A.shape[0]},) or ({A.shape[0]}, k) to "
            f"match A of shape {A.shape}, got {b.shape}"
        )
    if not np.all(np.isfinite(b)):
        raise ValueError("b must be finite (no nan or inf)")
    rtol = _rtol(rtol, A.shape)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    r = _rank(s, rtol)
    coef = U[:, :r].T @ b
    coef = coef / (s[:r] if b.ndim == 1 else s[:r, None])
    return Vt[:r].T @ coef


def best_rank_k(A: Any, k: int) -> np.ndarray:
    """Truncated SVD ``A_k = sum_{i <= k} s_i u_i v_i^T``, the best rank-``k``
    approximation.

    Implements (eq-tk-truncated). By the Eckart-Young theorem
    (eq-tk-eckart-young), ``||A - A_k||_2 = s_{k+1}`` and
    ``||A - A_k||_F = sqrt(s_{k+1}^2 + s_{k+2}^2 + ...)``, and no matrix of
    rank at most ``k`` is closer in either norm.

    Parameters
    ----------
    A : array_like, shape (m, n)
    k : int
        Target rank, ``0 <= k``; ``k >= min(m, n)`` returns ``A`` itself (as
        float64).

    Returns
    -------
    ndarray of float64, shape (m, n)
    """
    A = _matrix("A", A)
    k = _int("k", k, 0)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    k = min(k, s.size)
    return (U[:, :k] * s[:k]) @ Vt[:k]


def spectral_norm(
    A: Any,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    seed: int = 0,
    return_history: bool = False,
) -> float | tuple[float, np.ndarray]:
    """Largest singular value ``s_1 = ||A||_2`` by power iteration on
    ``A^T A``.

    Implements (eq-tk-power): from a random unit vector ``v_0``, iterate
    ``v_{k+1} = A^T A v_k / ||A^T A v_k||`` and estimate ``s_1`` by
    ``||A v_k||``. The angle between ``v_k`` and the top right singular
    vector shrinks like ``(s_2 / s_1)^(2k)`` (proposition ``prop-tk-power``
    of chapter ``toolkit``), so convergence is slow when ``s_2`` is close to
    ``s_1``. Stops when the estimate changes by at most ``tol`` relative to
    itself, or after ``max_iter`` iterations.

    Parameters
    ----------
    A : array_like, shape (m, n)
    tol : float
        Relative tolerance, ``> 0``.
    max_iter : int
        At least 1.
    seed : int
        Seed of the random start ``default_rng(seed).standard_normal(n)``.
    return_history : bool
        Also return the estimates after each iteration.

    Returns
    -------
    s1 : float
        The estimate of ``||A||_2`` (a lower bound up to rounding:
        ``||A v|| <= s_1`` for every unit ``v``).
    history : ndarray of float64, shape (iterations,)
        Only if ``return_history``.
    """
    A = _matrix("A", A)
    if not (_is_real(tol) and np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite float, got {tol!r}")
    max_iter = _int("max_iter", max_iter, 1)
    v = _seed_rng("seed", seed).standard_normal(A.shape[1])
    v /= np.linalg.norm(v)
    history = []
    estimate = 0.0
    for _ in range(max_iter):
        w = A.T @ (A @ v)
        norm_w = np.linalg.norm(w)
        if norm_w == 0.0:  # A v = 0: for a random start this means A = 0
            history.append(0.0)
            estimate = 0.0
            break
        v = w / norm_w
        new = float(np.linalg.norm(A @ v))
        history.append(new)
        if abs(new - estimate) <= tol * new:
            estimate = new
            break
        estimate = new
    hist = np.array(history)
    return (estimate, hist) if return_history else estimate


def principal_angles(
    A: Any, B: Any, *, rtol: float | None = None
) -> np.ndarray:
    """Principal angles between the column spaces of ``A`` and ``B``, in
    increasing order.

    With orthonormal bases ``Q_A`` and ``Q_B`` (:func:`range_basis`), the
    cosines of the angles are the singular values of ``Q_A^T Q_B`` (definition
    ``def-tk-principal-angles``). Small angles are computed from their sines,
    the singular values of ``Q_B - Q_A Q_A^T Q_B``, because ``arccos`` loses
    half the digits near 0 (Knyazev and Argentati, 2002).

    Parameters
    ----------
    A : array_like, shape (n, p)
    B : array_like, shape (n, q)
    rtol : float or None
        Rank cutoff of :func:`range_basis`.

    Returns
    -------
    ndarray of float64, shape (min(rank A, rank B),)
        Angles in ``[0, pi/2]``, smallest first.
        (``scipy.linalg.subspace_angles`` returns the same angles largest
        first.)
    """
    A = _matrix("A", A)
    B = _matrix("B", B)
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"A and B must have the same number of rows, got shapes {A.shape} "
            f"and {B.shape}"
        )
    Qa = range_basis(A, rtol=rtol)
    Qb = range_basis(B, rtol=rtol)
    if Qb.shape[1] > Qa.shape[1]:  # symmetric: let Q_B span the smaller space
        Qa, Qb = Qb, Qa
    if Qb.shape[1] == 0:  # a zero matrix spans {0}: there are no angles
        return np.zeros(0)
    M = Qa.T @ Qb
    cos = np.linalg.svd(M, compute_uv=False)  # decreasing
    sin = np.linalg.svd(Qb - Qa @ M, compute_uv=False)[::-1]  # increasing
    cos, sin = np.clip(cos, 0.0, 1.0), np.clip(sin, 0.0, 1.0)
    # arcsin where the angle is below pi/4, arccos above: both well-conditioned
    return np.where(cos**2 > 0.5, np.arcsin(sin), np.arccos(cos))


def mlp_lipschitz_bound(
    weights: Sequence[Any], activation_lipschitz: float = 1.0
) -> float:
    """Upper bound ``c^(L-1) * prod_l ||W_l||_2`` on the Lipschitz constant of
    an MLP.

    For ``f(x) = W_L sigma(W_{L-1} sigma(... sigma(W_1 x)))`` with a
    ``c``-Lipschitz activation applied entrywise (biases do not matter),
    ``||f(x) - f(y)|| <= bound * ||x - y||``. Implements
    (eq-tk-lipschitz-product) of chapter ``toolkit``.

    Parameters
    ----------
    weights : sequence of array_like
        ``W_1, ..., W_L`` with ``W_l`` of shape ``(m_l, m_{l-1})``; a 1-D last
        entry is read as a single output row. Consecutive shapes must chain.
    activation_lipschitz : float
        Lipschitz constant ``c >= 0`` of the activation (1 for ReLU and tanh,
        1/4 for the logistic sigmoid).

    Returns
    -------
    float
    """
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
        raise TypeError(
            "weights must be a non-empty list or tuple of matrices, got "
            f"{type(weights).__name__}"
        )
    if not weights:
        raise TypeError("weights must be a non-empty list or tuple of matrices")
    c = activation_lipschitz
    if not (_is_real(c) and np.isfinite(c) and c >= 0):
        raise ValueError(
            f"activation_lipschitz must be a finite number >= 0, got {c!r}"
        )
    mats = []
    for i, W in enumerate(weights):
        if i == len(weights) - 1 and np.ndim(W) == 1:
            W = np.reshape(W, (1, -1))  # a vector as last layer: one output
        mats.append(_matrix(f"weights[{i}]", W))
    for i in range(1, len(mats)):
        if mats[i].shape[1] != mats[i - 1].shape[0]:
            raise ValueError(
                f"weights[{i}] has shape {mats[i].shape}, which does not "
                f"chain with weights[{i - 1}] of shape {mats[i - 1].shape}"
            )
    norms = [float(np.linalg.norm(W, 2)) for W in mats]
    return float(np.prod(norms)) * float(c) ** (len(mats) - 1)

"""Deterministic data for the book: toy classification sets, regression and teacher data,
quadratics with a chosen spectrum, the bundled digits, and a train/test split.

Every random function takes ``seed``: an ``int`` (a fresh ``numpy.random.default_rng(seed)``) or a
``numpy.random.Generator`` (used, and advanced, as given). The same seed gives the same arrays
bit for bit. Features are float64 and labels int64. The toy sets follow closed forms given in
each docstring, so that a chapter can state, and a test can check, what the data is.

Derived in: none (data for every chapter).
Depends on: numpy (and scikit-learn only for :func:`load_digits`, imported lazily inside it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "random_orthogonal",
    "quadratic_spectrum",
    "log_spaced_spectrum",
    "two_gaussians",
    "moons",
    "circles",
    "spirals",
    "ring_centers",
    "gaussian_ring",
    "linear_regression",
    "teacher_network",
    "load_digits",
    "train_test_split",
]

Seed = int | np.random.Generator


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


def _rows(name: str, x) -> np.ndarray:
    """``x`` as an array, dtype kept; numbers must be real and finite (``TypeError`` for complex,
    ``ValueError`` for NaN or inf, naming ``name``)."""
    a = np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError(f"{name} must be real numbers, got complex numbers ({x!r:.60})")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"{name} must be finite, got {a[tuple(bad)]} at index {bad.tolist()}")
    return a


def _rng(seed: Any) -> np.random.Generator:
    """Return a Generator from an int seed (>= 0) or pass a Generator through."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got "
                        f"{type(seed).__name__} ({seed!r})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    return np.random.default_rng(_int_scalar("seed", seed))


def _int(name: str, value: Any, minimum: int = 1) -> int:
    """Check that ``value`` is an integer (not a bool or float) that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _real(name: str, value: Any, *, low: float = -np.inf, high: float = np.inf,
          low_open: bool = False, high_open: bool = False) -> float:
    """Check that ``value`` is a finite real number in the interval from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    v = _real_scalar(name, value)
    below = v <= low if low_open else v < low
    above = v >= high if high_open else v > high
    if not np.isfinite(v) or below or above:
        left = "(" if low_open or low == -np.inf else "["
        right = ")" if high_open or high == np.inf else "]"
        interval = f"{left}{low:g}, {high:g}{right}"
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return v


def _finish(X: np.ndarray, y: np.ndarray, noise: float, shuffle: bool,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Add isotropic Gaussian noise of std ``noise``, then optionally permute the rows."""
    X = X + noise * rng.standard_normal(X.shape)
    if shuffle:
        order = rng.permutation(X.shape[0])
        X, y = X[order], y[order]
    return X.astype(np.float64, copy=False), y.astype(np.int64, copy=False)


# ---------------------------------------------------------------------------------------------
# quadratics with a chosen spectrum


def random_orthogonal(d: int, *, seed: Seed = 0) -> np.ndarray:
    """Random orthogonal matrix, uniformly (Haar) distributed.

    Takes the QR factorisation ``G = QR`` of a standard Gaussian ``G`` and flips the sign of
    each column of ``Q`` so that ``diag(R) > 0``; without the sign fix ``Q`` is not uniform.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 1``.
    seed : int or numpy.random.Generator

    Returns
    -------
    Q : ndarray of float64, shape (d, d)
        ``Q.T @ Q = I`` up to rounding.
    """
    d = _int("d", d)
    rng = _rng(seed)
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    signs = np.where(np.diag(R) < 0, -1.0, 1.0)
    return Q * signs


def quadratic_spectrum(eigenvalues: Any, seed: Seed = 0, *,
                       return_basis: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Symmetric matrix with prescribed eigenvalues, ``A = Q diag(eigenvalues) Q^T``.

    ``Q`` is a random orthogonal matrix (:func:`random_orthogonal`), so the eigenvectors are
    in general position. With eigenvalues in ``[mu, L]``, ``mu > 0``, the quadratic
    ``f(x) = x^T A x / 2`` is ``mu``-strongly convex and ``L``-smooth, ``kappa = L / mu``.

    Parameters
    ----------
    eigenvalues : array_like, shape (d,)
        Finite real eigenvalues (any sign, any order), ``d >= 1``.
    seed : int or numpy.random.Generator
    return_basis : bool
        Also return ``Q``.

    Returns
    -------
    A : ndarray of float64, shape (d, d)
        Exactly symmetric.
    Q : ndarray of float64, shape (d, d)
        Only if ``return_basis``; column ``i`` is an eigenvector for ``eigenvalues[i]``.
    """
    lam = _real_array("eigenvalues", eigenvalues)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D array, got shape {lam.shape}")
    if not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be finite, got {lam}")
    Q = random_orthogonal(lam.size, seed=seed)
    A = (Q * lam) @ Q.T
    A = (A + A.T) / 2
    return (A, Q) if return_basis else A


def log_spaced_spectrum(d: int, mu: float, L: float) -> np.ndarray:
    """Eigenvalues ``mu = lam_1 < ... < lam_d = L`` in geometric progression.

    ``lam_i = mu * (L / mu) ** ((i - 1) / (d - 1))``, so the condition number is ``L / mu``
    and the eigenvalues are evenly spread on a log scale. The endpoints are exact.

    Parameters
    ----------
    d : int
        Number of eigenvalues; ``d >= 2``, or ``d = 1`` when ``mu == L``.
    mu, L : float
        Smallest and largest eigenvalue, ``0 < mu <= L``.

    Returns
    -------
    ndarray of float64, shape (d,)
        Ascending.
    """
    d = _int("d", d)
    mu = _real("mu", mu, low=0.0, low_open=True)
    L = _real("L", L, low=0.0, low_open=True)
    if mu > L:
        raise ValueError(f"need mu <= L, got mu={mu:g} and L={L:g}")
    if d == 1 and mu != L:
        raise ValueError(f"d=1 cannot hold both mu={mu:g} and L={L:g}; use d >= 2")
    if d == 1:
        return np.array([mu])
    # not np.geomspace: for mu == L it returns values that wobble around mu by rounding
    lam = np.clip(mu * (L / mu) ** (np.arange(d) / (d - 1)), mu, L)
    lam[0], lam[-1] = mu, L
    return lam


# ---------------------------------------------------------------------------------------------
# toy classification sets


def two_gaussians(n: int, *, d: int = 2, separation: float = 3.0, std: float = 1.0,
                  shuffle: bool = True, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two isotropic Gaussian classes whose means are ``separation`` apart along ``e_1``.

    Class 0 is ``N(-(separation / 2) e_1, std^2 I_d)`` and class 1 is
    ``N(+(separation / 2) e_1, std^2 I_d)``. The Bayes classifier is ``sign(x_1)`` and its error
    is ``Phi(-separation / (2 std))`` (about 6.7% for the defaults).

    Parameters
    ----------
    n : int
        Number of points, ``n >= 2``; class 0 gets ``n // 2``, class 1 the rest.
    d : int
        Input dimension, ``d >= 1``.
    separation : float
        Distance between the means, ``>= 0``.
    std : float
        Per-coordinate standard deviation, ``> 0``.
    shuffle : bool
        Permute the rows (otherwise class 0 comes first).
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, d)
    y : ndarray of int64, shape (n,), values in {0, 1}
    """
    n = _int("n", n, 2)
    d = _int("d", d)
    separation = _real("separation", separation, low=0.0)
    std = _real("std", std, low=0.0, low_open=True)
    rng = _rng(seed)
    n0 = n // 2
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n - n0])
    X = np.zeros((n, d))
    X[:, 0] = np.where(y == 1, separation / 2, -separation / 2)
    return _finish(X, y, std, shuffle, rng)


def moons(n: int, *, noise: float = 0.1, shuffle: bool = True,
          seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1 (the "two moons").

    Class 0 (``n // 2`` points) lies on the upper half circle centred at ``(0, 0)``,
    ``(cos t, sin t)``; class 1 (the rest) on the lower half circle centred at ``(1, 0.5)``,
    ``(1 - cos t, 0.5 - sin t)``; ``t`` is evenly spaced on ``[0, pi]`` (endpoints included).
    Gaussian noise of std ``noise`` is added to every coordinate. Same layout as scikit-learn's
    ``make_moons``.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 2``.
    noise : float
        Standard deviation of the additive noise, ``>= 0``.
    shuffle : bool
        Permute the rows (otherwise class 0 comes first, in order of ``t``).
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,), values in {0, 1}
    """
    n = _int("n", n, 2)
    noise = _real("noise", noise, low=0.0)
    rng = _rng(seed)
    n0 = n // 2
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n - n0)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n - n0])
    return _finish(X, y, noise, shuffle, rng)


def circles(n: int, *, noise: float = 0.05, factor: float = 0.5, shuffle: bool = True,
            seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles centred at the origin.

    Class 0 (``n // 2`` points) lies on the circle of radius 1, class 1 (the rest) on the
    circle of radius ``factor``; on each, the angles are evenly spaced on ``[0, 2 pi)``.
    Gaussian noise of std ``noise`` is added to every coordinate. Same layout as scikit-learn's
    ``make_circles``.

    Parameters
    ----------
    n : int
        Number of points, ``n >= 2``.
    noise : float
        Standard deviation of the additive noise, ``>= 0``.
    factor : float
        Radius of the inner circle, in ``[0, 1)``.
    shuffle : bool
        Permute the rows (otherwise class 0 comes first, in order of angle).
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,), values in {0, 1}
    """
    n = _int("n", n, 2)
    noise = _real("noise", noise, low=0.0)
    factor = _real("factor", factor, low=0.0, high=1.0, high_open=True)
    rng = _rng(seed)
    n0 = n // 2
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n - n0, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        factor * np.column_stack([np.cos(t1), np.sin(t1)])])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n - n0])
    return _finish(X, y, noise, shuffle, rng)


def spirals(n: int, *, n_arms: int = 2, turns: float = 1.5, noise: float = 0.05,
            shuffle: bool = True, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved Archimedean spirals, one class per arm.

    Arm ``k`` is the curve ``r (cos theta, sin theta)`` with ``theta = 2 pi (turns r + k / n_arms)``
    for radius ``r`` evenly spaced on ``[0.1, 1]`` (starting at 0.1 keeps the arms apart at the
    centre). Along a ray, neighbouring arms are ``1 / (turns n_arms)`` apart in radius.
    Gaussian noise of std ``noise`` is added to every coordinate.

    Parameters
    ----------
    n : int
        Number of points, ``n >= n_arms``; arm ``k`` gets ``n // n_arms`` points, plus one for
        ``k < n % n_arms``.
    n_arms : int
        Number of arms (= classes), ``>= 2``.
    turns : float
        Number of revolutions of each arm, ``> 0``.
    noise : float
        Standard deviation of the additive noise, ``>= 0``.
    shuffle : bool
        Permute the rows (otherwise arm 0 comes first, from the centre outwards).
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,), values in {0, ..., n_arms - 1}
    """
    n_arms = _int("n_arms", n_arms, 2)
    n = _int("n", n, n_arms)
    turns = _real("turns", turns, low=0.0, low_open=True)
    noise = _real("noise", noise, low=0.0)
    rng = _rng(seed)
    counts = np.full(n_arms, n // n_arms)
    counts[: n % n_arms] += 1
    points = []
    for k, c in enumerate(counts):
        r = np.linspace(0.1, 1.0, c)
        theta = 2 * np.pi * (turns * r + k / n_arms)
        points.append(r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]))
    y = np.repeat(np.arange(n_arms, dtype=np.int64), counts)
    return _finish(np.concatenate(points), y, noise, shuffle, rng)


def ring_centers(n_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """``n_modes`` equally spaced points ``radius (cos 2 pi j / n_modes, sin 2 pi j / n_modes)``.

    Returns
    -------
    ndarray of float64, shape (n_modes, 2)
    """
    k = _int("n_modes", n_modes)
    r = _real("radius", radius, low=0.0, low_open=True)
    a = 2 * np.pi * np.arange(k) / k
    return r * np.column_stack([np.cos(a), np.sin(a)])


def gaussian_ring(n: int, *, n_modes: int = 8, radius: float = 2.0, std: float = 0.05,
                  seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points from the equal mixture of ``N(c_j, std^2 I_2)`` over :func:`ring_centers`.

    The standard small test of mode collapse (GANs) and of multimodal sampling (diffusion): each
    point's mode is drawn uniformly, then Gaussian noise is added.

    Parameters
    ----------
    n : int >= 1
    n_modes : int >= 1
    radius, std : float > 0
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    labels : ndarray of int64, shape (n,), the mode of each point
    """
    n = _int("n", n)
    centers = ring_centers(n_modes, radius)
    std = _real("std", std, low=0.0, low_open=True)
    rng = _rng(seed)
    labels = rng.integers(0, centers.shape[0], size=n)
    return centers[labels] + std * rng.standard_normal((n, 2)), labels


# ---------------------------------------------------------------------------------------------
# regression and teacher data


def linear_regression(n: int, d: int, *, noise_std: float = 0.1, seed: Seed = 0,
                      w: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian linear model ``y = X w + noise_std * eps``.

    The rows of ``X`` are iid ``N(0, I_d)``, ``eps ~ N(0, I_n)`` is independent of ``X``, and
    ``w`` is drawn from ``N(0, I_d)`` unless given. For ``n > d + 1`` the least-squares estimate
    satisfies ``E ||w_hat - w||^2 = noise_std^2 d / (n - d - 1)``.

    Parameters
    ----------
    n, d : int
        Number of samples and input dimension, both ``>= 1``.
    noise_std : float
        Standard deviation of the label noise, ``>= 0``; with 0, ``y == X @ w`` exactly.
    seed : int or numpy.random.Generator
    w : array_like, shape (d,), optional
        True weights; drawn at random when ``None``.

    Returns
    -------
    X : ndarray of float64, shape (n, d)
    y : ndarray of float64, shape (n,)
    w_true : ndarray of float64, shape (d,)
    """
    n = _int("n", n)
    d = _int("d", d)
    noise_std = _real("noise_std", noise_std, low=0.0)
    if w is not None:
        w = _real_array("w", w, copy=True)
        if w.shape != (d,) or not np.all(np.isfinite(w)):
            raise ValueError(f"w must be a finite array of shape ({d},), got shape {w.shape}")
    rng = _rng(seed)
    X = rng.standard_normal((n, d))
    if w is None:
        w = rng.standard_normal(d)
    y = X @ w
    if noise_std > 0:
        y = y + noise_std * rng.standard_normal(n)
    return X, y, w


def teacher_network(n: int, d: int, m: int, *, activation: str = "relu",
                    noise_std: float = 0.0,
                    seed: Seed = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labels from a random one-hidden-layer "teacher", ``y = a^T sigma(W x) / sqrt(m) + noise``.

    ``x ~ N(0, I_d)``; ``W`` (shape ``(m, d)``) has iid ``N(0, 1/d)`` entries, so each
    pre-activation is about ``N(0, 1)``; ``a`` (shape ``(m,)``) has iid ``N(0, 1)`` entries.
    A student network of width ``>= m`` can represent the target exactly.

    Parameters
    ----------
    n, d, m : int
        Number of samples, input dimension and teacher width, all ``>= 1``.
    activation : {"relu", "tanh"}
    noise_std : float
        Standard deviation of additive label noise, ``>= 0``.
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, d)
    y : ndarray of float64, shape (n,)
    W : ndarray of float64, shape (m, d)
    a : ndarray of float64, shape (m,)
    """
    n, d, m = _int("n", n), _int("d", d), _int("m", m)
    activations = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh}
    if activation not in activations:
        raise ValueError(f"activation must be one of {sorted(activations)}, got {activation!r}")
    noise_std = _real("noise_std", noise_std, low=0.0)
    rng = _rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((m, d)) / np.sqrt(d)
    a = rng.standard_normal(m)
    y = activations[activation](X @ W.T) @ a / np.sqrt(m)
    if noise_std > 0:
        y = y + noise_std * rng.standard_normal(n)
    return X, y, W, a


# ---------------------------------------------------------------------------------------------
# bundled data and splitting


def load_digits(*, flatten: bool = True, scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten 8x8 digits bundled with scikit-learn (no download).

    Parameters
    ----------
    flatten : bool
        Return images as rows of 64 pixels; otherwise as 8x8 arrays.
    scale : bool
        Divide the integer grey levels ``0..16`` by 16, so that pixels lie in ``[0, 1]``.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64) or (1797, 8, 8)
    y : ndarray of int64, shape (1797,), values in {0, ..., 9}
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = np.asarray(bunch.images, dtype=np.float64)
    if scale:
        X = X / 16.0
    if flatten:
        X = X.reshape(X.shape[0], -1)
    return X, np.asarray(bunch.target, dtype=np.int64)


def train_test_split(X: Any, y: Any, *, test_fraction: float = 0.25, seed: Seed = 0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows once and split them into a training and a test part.

    The test part has ``ceil(test_fraction * n)`` rows; both parts must be non-empty.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        Numbers must be real and finite (other dtypes, such as text labels, pass unchanged).
    y : array_like, shape (n, ...)
        Same number of rows as ``X``; same rule for numbers.
    test_fraction : float
        In the open interval ``(0, 1)``.
    seed : int or numpy.random.Generator

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Rows of ``X`` and ``y`` (dtypes kept), in the same shuffled order for both.
    """
    X, y = _rows("X", X), _rows("y", y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got shapes {X.shape} "
                         f"and {y.shape}")
    test_fraction = _real("test_fraction", test_fraction, low=0.0, high=1.0, low_open=True,
                          high_open=True)
    n = X.shape[0]
    n_test = int(np.ceil(test_fraction * n))
    if n_test >= n:
        raise ValueError(f"test_fraction={test_fraction:g} of n={n} rows leaves no training "
                         "rows; use more rows or a smaller test_fraction")
    order = _rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]

"""Loss functions, their gradients, and the numerically stable pieces they are built from.

Chapter ``learning`` (Learning from data) derives what each loss is minimized by and how to
evaluate it without overflow:

* stable building blocks: :func:`logsumexp`, :func:`softmax`, :func:`log_softmax`,
  :func:`sigmoid`, :func:`log_sigmoid`, :func:`softplus` (eq-lrn-lse);
* regression losses of a residual: :func:`squared_loss` (targets the conditional mean),
  :func:`absolute_loss` (the median), :func:`huber_loss`, :func:`pinball_loss` (a quantile);
* margin losses of ``z = y f(x)`` with labels ``y`` in ``{-1, +1}``: :func:`zero_one_loss`,
  :func:`hinge_loss`, :func:`logistic_loss`;
* probabilistic classification losses on logits: :func:`bce_with_logits` (binary and
  multi-label), :func:`cross_entropy` (multi-class, with hard or soft targets and label
  smoothing, :func:`smooth_labels`); and :func:`entropy`, :func:`kl_divergence`.

Conventions. Every loss returns per-example values (no reduction: average them yourself).
Regression losses take ``(pred, target)`` of the *same* shape (a ``(n, 1)`` against ``(n,)``
mix-up raises instead of broadcasting to ``(n, n)``). Each differentiable loss ``foo`` has a
companion ``foo_grad`` returning the derivative of each per-example value with respect to its
first argument (the prediction, the margin or the logits), same shape as that argument; at a
kink it returns the subgradient that PyTorch's autograd returns. Everything is float64.

Derived in: ``learning``. Depends on: numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "logsumexp",
    "softmax",
    "log_softmax",
    "sigmoid",
    "log_sigmoid",
    "softplus",
    "squared_loss",
    "squared_loss_grad",
    "absolute_loss",
    "absolute_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "pinball_loss",
    "pinball_loss_grad",
    "zero_one_loss",
    "hinge_loss",
    "hinge_loss_grad",
    "logistic_loss",
    "logistic_loss_grad",
    "bce_with_logits",
    "bce_with_logits_grad",
    "smooth_labels",
    "cross_entropy",
    "cross_entropy_grad",
    "entropy",
    "kl_divergence",
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
    ``ValueError`` for NaN."""
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
    if np.isnan(a).any():
        raise ValueError(f"{name} must not contain NaN (finite or infinite values only), got NaN "
                         f"at index {np.argwhere(np.isnan(a))[0].tolist()}")
    return a


def _array(name: str, x: Any, *, allow_neg_inf: bool = False) -> np.ndarray:
    """``x`` as a float64 array without NaN (and without infinities unless allowed)."""
    try:
        a = _real_array(name, x)
    except TypeError as err:
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}") \
            from err
    if np.any(np.isnan(a)):
        raise ValueError(f"{name} contains NaN")
    bad = np.isposinf(a) if allow_neg_inf else np.isinf(a)
    if np.any(bad):
        what = "+inf" if allow_neg_inf else "an infinite value"
        raise ValueError(f"{name} contains {what}")
    return a


def _pair(pred: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    p, t = _array("pred", pred), _array("target", target)
    if p.shape != t.shape:  # no broadcasting: (n, 1) against (n,) would give (n, n)
        raise ValueError(f"pred {p.shape} and target {t.shape} must have the same shape")
    return p, t


def _axis(a: np.ndarray, axis: int, name: str = "z") -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {type(axis).__name__} ({axis!r})")
    if a.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis} is out of range for {name} of shape {a.shape}")
    if a.shape[axis] == 0:
        raise ValueError(f"{name} must be non-empty along axis {axis}, got shape {a.shape}")
    return _int_scalar("axis", axis)


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r})")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return _real_scalar(name, value)


def _smoothing(eps: Any, name: str = "eps") -> float:
    label = "label smoothing eps" if name == "eps" else f"{name} (label smoothing eps)"
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"{label} must be a number, got {type(eps).__name__} "
                        f"({eps!r})")
    if not 0 <= eps <= 1:
        raise ValueError(f"{label} must lie in [0, 1], got {eps!r}")
    return _real_scalar(name, eps)


def _probabilities(name: str, p: Any) -> np.ndarray:
    a = _array(name, p)
    if np.any(a < 0) or np.any(a > 1):
        raise ValueError(f"{name} must lie in [0, 1], got range [{a.min():.6g}, {a.max():.6g}]")
    return a


def _simplex(name: str, p: Any, axis: int = -1) -> np.ndarray:
    a = _probabilities(name, p)
    axis = _axis(a, axis, name)
    s = a.sum(axis=axis)
    if not np.allclose(s, 1.0, rtol=0.0, atol=1e-9):
        raise ValueError(f"{name} must sum to 1 along axis {axis}, got sums in "
                         f"[{s.min():.6g}, {s.max():.6g}]")
    return a


# ---------------------------------------------------------------------------------------------
# stable building blocks


def logsumexp(z: Any, axis: int = -1,
              keepdims: bool = False) -> np.ndarray | float:
    """``log sum_k exp(z_k)`` along ``axis``, without overflow or underflow.

    Implements (eq-lrn-lse): with ``m = max_k z_k``,
    ``logsumexp(z) = m + log sum_k exp(z_k - m)``. Every exponent is
    ``<= 0`` and one of them is ``0``, so the sum lies in ``[1, K]``: no
    overflow for any finite logits, and the result lies in
    ``[m, m + log K]``.

    Parameters
    ----------
    z : array_like, at least 1-D
        Logits. ``-inf`` entries are allowed (they contribute
        ``exp(-inf) = 0``, as in a mask); NaN and ``+inf`` are not.
    axis : int
        Axis to reduce.
    keepdims : bool
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray of float64 (or float for 1-D input without keepdims)
        Shape of ``z`` without ``axis`` (or with length 1 there). A slice
        that is all ``-inf`` gives ``-inf``.
    """
    z = _array("z", z, allow_neg_inf=True)
    axis = _axis(z, axis)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # all -inf: shift by 0, not -inf
    with np.errstate(divide="ignore"):  # log(0) = -inf there, as intended
        s = np.sum(np.exp(z - m), axis=axis, keepdims=True)
        out = m + np.log(s)
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return float(out) if out.ndim == 0 else out


def log_softmax(z: Any, axis: int = -1) -> np.ndarray:
    """``log softmax(z) = z - logsumexp(z)`` along ``axis``; same shape as ``z``.

    Accurate also for probabilities far below the float64 range (``log_softmax([0, -1e4])``
    is ``[0, -1e4]`` although ``exp(-1e4)`` underflows to 0).
    """
    z = _array("z", z, allow_neg_inf=True)
    axis = _axis(z, axis)
    return z - logsumexp(z, axis=axis, keepdims=True)


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """``softmax(z)_k = exp(z_k) / sum_j exp(z_j)`` along ``axis``; same shape as ``z``.

    The gradient of :func:`logsumexp` (eq-lrn-lse). Computed as ``exp(z - m) / sum exp(z - m)``
    with ``m = max z``, so it never overflows; the result is invariant to adding a constant to
    all logits, nonnegative, and sums to 1 along ``axis``.
    """
    z = _array("z", z, allow_neg_inf=True)
    axis = _axis(z, axis)
    m = np.max(z, axis=axis, keepdims=True)
    if np.any(np.isneginf(m)):
        raise ValueError("softmax of a slice whose logits are all -inf is undefined")
    e = np.exp(z - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def softplus(z: Any) -> np.ndarray:
    """``log(1 + exp(z))`` elementwise, as ``max(z, 0) + log1p(exp(-|z|))``.

    No overflow for large ``z`` and full relative accuracy for very negative ``z`` (where the
    value is about ``exp(z)``).
    """
    z = _array("z", z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))`` elementwise, accurate in both tails.

    Uses ``exp(-|z|)`` only, so it never overflows: for ``z >= 0`` it returns
    ``1 / (1 + e)``, for ``z < 0`` it returns ``e / (1 + e)`` with ``e = exp(-|z|)``.
    """
    z = _array("z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(z: Any) -> np.ndarray:
    """``log sigmoid(z) = -softplus(-z)`` elementwise (finite even where sigmoid underflows)."""
    return -softplus(-_array("z", z))


# ---------------------------------------------------------------------------------------------
# regression losses of the residual pred - target


def squared_loss(pred: Any, target: Any) -> np.ndarray:
    """``(pred - target)^2 / 2`` elementwise; minimized in expectation by the mean.

    Parameters
    ----------
    pred, target : array_like, same shape

    Returns
    -------
    ndarray of float64, same shape
    """
    p, t = _pair(pred, target)
    return 0.5 * (p - t) ** 2


def squared_loss_grad(pred: Any, target: Any) -> np.ndarray:
    """Derivative of :func:`squared_loss` in ``pred``: ``pred - target``."""
    p, t = _pair(pred, target)
    return p - t


def absolute_loss(pred: Any, target: Any) -> np.ndarray:
    """``|pred - target|`` elementwise; minimized in expectation by a median."""
    p, t = _pair(pred, target)
    return np.abs(p - t)


def absolute_loss_grad(pred: Any, target: Any) -> np.ndarray:
    """Subgradient of :func:`absolute_loss` in ``pred``: ``sign(pred - target)`` (0 at a tie)."""
    p, t = _pair(pred, target)
    return np.sign(p - t)


def huber_loss(pred: Any, target: Any, delta: float = 1.0) -> np.ndarray:
    """Huber's loss of ``r = pred - target``: ``r^2/2`` if ``|r| <= delta``, else
    ``delta (|r| - delta/2)``.

    Implements (eq-lrn-huber): quadratic near zero, linear in the tails, continuously
    differentiable, with derivative bounded by ``delta``. Same as
    ``torch.nn.functional.huber_loss(pred, target, delta=delta, reduction="none")``.

    Parameters
    ----------
    pred, target : array_like, same shape
    delta : float
        Threshold between the quadratic and the linear part, ``> 0``.
    """
    p, t = _pair(pred, target)
    delta = _positive("delta", delta)
    a = np.abs(p - t)
    return np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))


def huber_loss_grad(pred: Any, target: Any, delta: float = 1.0) -> np.ndarray:
    """Derivative of :func:`huber_loss` in ``pred``: ``clip(pred - target, -delta, delta)``."""
    p, t = _pair(pred, target)
    delta = _positive("delta", delta)
    return np.clip(p - t, -delta, delta)


def _tau(tau: Any) -> float:
    if isinstance(tau, bool) or not isinstance(tau, (int, float, np.integer, np.floating)):
        raise TypeError(f"tau must be a number, got {type(tau).__name__} ({tau!r})")
    if not 0 < tau < 1:
        raise ValueError(f"tau must lie in the open interval (0, 1), got {tau!r}")
    return _real_scalar("tau", tau)


def pinball_loss(pred: Any, target: Any, tau: float) -> np.ndarray:
    """Quantile (pinball) loss: ``max(tau r, (tau - 1) r)`` with ``r = target - pred``.

    Implements (eq-lrn-pinball): under-prediction (``r > 0``) costs ``tau |r|``,
    over-prediction costs ``(1 - tau) |r|``; the expected loss is minimized by the
    ``tau``-quantile of the target. ``tau = 1/2`` gives half the absolute loss.

    Parameters
    ----------
    pred, target : array_like, same shape
    tau : float
        Quantile level in the open interval ``(0, 1)``.
    """
    p, t = _pair(pred, target)
    tau = _tau(tau)
    r = t - p
    return np.maximum(tau * r, (tau - 1.0) * r)


def pinball_loss_grad(pred: Any, target: Any, tau: float) -> np.ndarray:
    """Subgradient of :func:`pinball_loss` in ``pred``: ``-tau`` where ``pred < target``,
    ``1 - tau`` where ``pred > target`` and ``0`` at a tie."""
    p, t = _pair(pred, target)
    tau = _tau(tau)
    return np.where(p < t, -tau, np.where(p > t, 1.0 - tau, 0.0))


# ---------------------------------------------------------------------------------------------
# margin losses of z = y f(x), labels y in {-1, +1}


def zero_one_loss(margin: Any) -> np.ndarray:
    """``1`` where the margin ``z = y f(x)`` is ``<= 0`` (a mistake or a tie), else ``0``."""
    z = _array("margin", margin)
    return (z <= 0).astype(np.float64)


def hinge_loss(margin: Any) -> np.ndarray:
    """``max(0, 1 - z)`` of the margin ``z = y f(x)``: the convex surrogate of the SVM."""
    z = _array("margin", margin)
    return np.maximum(0.0, 1.0 - z)


def hinge_loss_grad(margin: Any) -> np.ndarray:
    """Subgradient of :func:`hinge_loss`: ``-1`` for ``z < 1``, ``0`` for ``z >= 1``."""
    z = _array("margin", margin)
    return np.where(z < 1.0, -1.0, 0.0)


def logistic_loss(margin: Any) -> np.ndarray:
    """``log(1 + exp(-z))`` of the margin ``z = y f(x)``, computed as ``softplus(-z)``.

    Implements (eq-lrn-logistic-nll): the negative log-likelihood of a label ``y`` in
    ``{-1, +1}`` under ``P(y | x) = sigmoid(y f(x))``.
    """
    return softplus(-_array("margin", margin))


def logistic_loss_grad(margin: Any) -> np.ndarray:
    """Derivative of :func:`logistic_loss`: ``-sigmoid(-z)``."""
    return -sigmoid(-_array("margin", margin))


# ---------------------------------------------------------------------------------------------
# probabilistic classification losses on logits


def _logits_targets(logits: Any, targets: Any) -> tuple[np.ndarray, np.ndarray]:
    x, t = _array("logits", logits), _probabilities("targets", targets)
    if x.shape != t.shape:
        raise ValueError(f"logits {x.shape} and targets {t.shape} must have the same shape")
    return x, t


def bce_with_logits(logits: Any, targets: Any) -> np.ndarray:
    """Binary cross-entropy of ``p = sigmoid(logits)`` against targets ``t`` in ``[0, 1]``.

    Implements (eq-lrn-bce): ``-t log p - (1 - t) log(1 - p)``, evaluated as
    ``t softplus(-x) + (1 - t) softplus(x)`` (both terms, no cancellation, no overflow). Works
    elementwise on any shape, so a ``(n, K)`` array is ``K`` independent binary problems: the
    multi-label loss (sum it over the last axis). Matches
    ``torch.nn.functional.binary_cross_entropy_with_logits(..., reduction="none")``.

    Parameters
    ----------
    logits : array_like
    targets : array_like, same shape, values in ``[0, 1]``

    Returns
    -------
    ndarray of float64, same shape
    """
    x, t = _logits_targets(logits, targets)
    return t * softplus(-x) + (1.0 - t) * softplus(x)


def bce_with_logits_grad(logits: Any, targets: Any) -> np.ndarray:
    """Derivative of :func:`bce_with_logits` in the logits: ``sigmoid(x) - t``."""
    x, t = _logits_targets(logits, targets)
    return sigmoid(x) - t


def smooth_labels(labels: Any, n_classes: int, eps: float = 0.0) -> np.ndarray:
    """Label-smoothed targets ``q = (1 - eps) onehot(y) + eps / K`` (PyTorch's convention).

    Implements (eq-lrn-smoothing). The true class gets ``1 - eps + eps/K`` and every other class
    ``eps/K``; ``eps = 0`` gives one-hot rows.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices in ``{0, ..., n_classes - 1}``.
    n_classes : int
        Number of classes ``K >= 2``.
    eps : float
        Smoothing in ``[0, 1]``.

    Returns
    -------
    ndarray of float64, shape (n, n_classes)
        Each row is a probability vector.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be an int, got {type(n_classes).__name__}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    return _smooth(labels, n_classes, eps)


def _smooth(labels: Any, n_classes: int, eps: Any, names: tuple[str, str] = ("labels", "eps")
            ) -> np.ndarray:
    """:func:`smooth_labels` for a checked ``n_classes``; ``names`` of labels and eps in
    messages."""
    y = _labels(labels, _int_scalar("n_classes", n_classes), names[0])
    eps = _smoothing(eps, names[1])
    q = np.full((y.size, _int_scalar("n_classes", n_classes)), eps / n_classes)
    q[np.arange(y.size), y] += 1.0 - eps
    return q


def _labels(labels: Any, n_classes: int, name: str = "labels") -> np.ndarray:
    pre = "" if name == "labels" else f"{name}: "  # "target: labels must lie in ..."
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"{pre}labels must be 1-D class indices, got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not (np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y))
                and np.all(y == np.round(y))):
            raise TypeError(f"{pre}labels must be integer class indices, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{pre}labels must lie in {{0, ..., {n_classes - 1}}}, got range "
                         f"[{y.min()}, {y.max()}]")
    return y


def _ce_targets(z: np.ndarray, target: Any, label_smoothing: float) -> np.ndarray:
    """Target distribution ``q`` (shape of ``z``) from class indices or probability rows."""
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (n, K), got shape {z.shape}")
    n, k = z.shape
    if k < 2:
        raise ValueError(f"logits must have at least 2 classes (columns), got shape {z.shape}")
    t = np.asarray(target)
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(f"target has {t.shape[0]} labels for {n} rows of logits")
        return _smooth(t, k, label_smoothing, ("target", "label_smoothing"))
    if t.shape != z.shape:
        raise ValueError(f"target must be class indices of shape ({n},) or probabilities of "
                         f"shape {z.shape}, got shape {t.shape}")
    q = _simplex("target", t, axis=1)
    eps = _smoothing(label_smoothing, "label_smoothing")
    return (1.0 - eps) * q + eps / k


def cross_entropy(logits: Any, target: Any, label_smoothing: float = 0.0) -> np.ndarray:
    """Softmax cross-entropy ``-sum_k q_k log softmax(z)_k`` for each row of logits.

    Implements (eq-lrn-ce). With a class index ``y`` (and no smoothing) this is
    ``logsumexp(z) - z_y``. The target ``q`` is either class indices (turned into one-hot rows,
    smoothed as in :func:`smooth_labels`) or rows of probabilities (smoothed the same way,
    ``(1 - eps) q + eps / K``). Matches ``torch.nn.functional.cross_entropy(logits, target,
    label_smoothing=eps, reduction="none")``.

    Parameters
    ----------
    logits : array_like, shape (n, K)
        Unnormalized log-probabilities, ``K >= 2``; ``-inf`` masks a class.
    target : array_like, shape (n,) of int or (n, K) of float
        Class indices in ``{0, ..., K - 1}``, or probability rows (nonnegative, summing to 1).
    label_smoothing : float
        ``eps`` in ``[0, 1]``.

    Returns
    -------
    ndarray of float64, shape (n,)
    """
    z = _array("logits", logits, allow_neg_inf=True)
    q = _ce_targets(z, target, label_smoothing)
    ls = log_softmax(z, axis=1)
    # classes without target mass do not count, even if masked (0 * -inf would be NaN);
    # target mass on a masked class gives +inf
    return -np.sum(q * np.where(q > 0, ls, 0.0), axis=1)


def cross_entropy_grad(logits: Any, target: Any, label_smoothing: float = 0.0) -> np.ndarray:
    """Gradient of :func:`cross_entropy` in the logits: ``softmax(z) - q``, shape (n, K)."""
    z = _array("logits", logits, allow_neg_inf=True)
    q = _ce_targets(z, target, label_smoothing)
    return softmax(z, axis=1) - q


def entropy(p: Any, axis: int = -1) -> np.ndarray | float:
    """Shannon entropy ``H(p) = -sum_k p_k log p_k`` (natural log, ``0 log 0 = 0``) along ``axis``.

    The ``H(p)`` of prop-lrn-ce: the expected cross-entropy of ``q`` under ``p`` is
    ``H(p) + KL(p || q)``. ``p`` must be a probability vector (or an array of them) along
    ``axis``.
    """
    a = _simplex("p", p, axis)
    out = -np.sum(a * np.log(np.where(a > 0, a, 1.0)), axis=axis)
    return float(out) if np.ndim(out) == 0 else out


def kl_divergence(p: Any, q: Any, axis: int = -1) -> np.ndarray | float:
    """Kullback-Leibler divergence ``KL(p || q) = sum_k p_k log(p_k / q_k)`` along ``axis``.

    Implements (eq-lrn-kl) with the conventions ``0 log(0 / q) = 0`` and ``p log(p / 0) = +inf``
    for ``p > 0``. Nonnegative, zero iff ``p = q``, not symmetric.

    Parameters
    ----------
    p, q : array_like, same shape
        Probability vectors along ``axis``.
    """
    a, b = _simplex("p", p, axis), _simplex("q", q, axis)
    if a.shape != b.shape:
        raise ValueError(f"p and q must have the same shape, got {a.shape} and {b.shape}")
    pos = a > 0
    with np.errstate(divide="ignore"):
        ratio = np.log(np.where(pos, a, 1.0)) - np.log(np.where(pos, b, 1.0))
    out = np.sum(np.where(pos, a * ratio, 0.0), axis=axis)
    return float(out) if np.ndim(out) == 0 else out

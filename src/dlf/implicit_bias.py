"""Implicit bias of optimization: which minimizer an algorithm picks.

Mirror descent and its potentials (Euclidean, entropy, the hyperbolic entropy of the
``theta_+^2 - theta_-^2`` parametrization), Bregman projections onto an affine set solved by a
damped Newton method on the dual, steepest descent in ``l_p`` norms (with greedy coordinate
descent as the ``l_1`` case), gradient descent on the quadratic parametrization, the hard-margin
SVM without bias with its KKT residuals, gradient descent and the log-time gradient flow of the
logistic loss on separable data, margins, and a bias-free two-layer ReLU network (a
2-homogeneous model) in PyTorch.

Derived in: book/generalization/implicit-bias.md (Implicit bias of optimization).
Depends on: numpy, scipy (``optimize.nnls``), torch (only the homogeneous network), and
:mod:`dlf.losses` (stable log-sigmoid and sigmoid).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize
import scipy.special

from dlf.losses import log_sigmoid, sigmoid

__all__ = [
    "Potential",
    "euclidean_potential",
    "entropy_potential",
    "hyperbolic_potential",
    "bregman_divergence",
    "mirror_descent",
    "bregman_projection",
    "projection_kkt_residuals",
    "lp_steepest_direction",
    "steepest_descent",
    "quadratic_param_gd",
    "hard_margin_svm",
    "svm_kkt_residuals",
    "logistic_loss_sum",
    "logistic_grad_sum",
    "gd_logistic",
    "logistic_flow_logtime",
    "exp_loss_steepest_descent",
    "normalized_margin",
    "homogeneous_relu_net",
    "homogeneous_forward",
    "train_homogeneous",
]


# ----------------------------------------------------------------------------- validation
def _array(name: str, value: Any, ndim: int) -> np.ndarray:
    if np.iscomplexobj(value):
        raise TypeError(f"{name} must be real, got a complex array")
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real array, got {type(value).__name__}") from err
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no nan or inf)")
    return a


def _design(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = _array("X", X, 2)
    y = _array("y", y, 1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X of shape {X.shape}, "
                         f"got {y.shape}")
    return X, y


def _vector(name: str, value: Any, d: int) -> np.ndarray:
    v = _array(name, value, 1)
    if v.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {v.shape}")
    return v


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return v


def _count(name: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= {minimum}, got {type(value).__name__} "
                        f"{value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _callable(name: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


def _real_tensor(name: str, t: Any) -> Any:
    """``t`` checked to be a real torch tensor without NaN or inf."""
    import torch

    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(t).__name__}")
    if t.is_complex():
        raise TypeError(f"{name} must be real, got dtype {t.dtype}")
    if t.is_floating_point() and not bool(torch.isfinite(t.detach()).all()):
        raise ValueError(f"{name} must be finite (no nan or inf)")
    return t


# ----------------------------------------------------------------------------- potentials
@dataclass(frozen=True)
class Potential:
    """A separable strictly convex potential ``R(w) = sum_i r(w_i)`` (def-ib-mirror).

    Attributes
    ----------
    name : str
    value : callable
        ``w -> R(w)`` (a float).
    grad : callable
        The mirror map ``w -> grad R(w)``, elementwise.
    grad_inv : callable
        Its inverse ``theta -> (grad R)^{-1}(theta)``, elementwise.
    hess : callable
        ``w -> r''(w_i)``, the diagonal of the Hessian.
    conj : callable
        The convex conjugate ``theta -> R*(theta)`` in closed form.
    positive : bool
        True if the domain is ``w > 0`` (entropy).
    """

    name: str
    value: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    grad_inv: Callable[[np.ndarray], np.ndarray]
    hess: Callable[[np.ndarray], np.ndarray]
    conj: Callable[[np.ndarray], float]
    positive: bool = False


def euclidean_potential() -> Potential:
    """``R(w) = ||w||^2 / 2``: mirror descent is gradient descent."""
    return Potential("euclidean", lambda w: 0.5 * float(w @ w), lambda w: w.copy(),
                     lambda t: t.copy(), lambda w: np.ones_like(w),
                     lambda t: 0.5 * float(t @ t))


def entropy_potential() -> Potential:
    """Unnormalized negative entropy ``R(w) = sum w_i log w_i - w_i`` on ``w > 0``.

    Mirror descent with it is the exponentiated-gradient update
    ``w <- w * exp(-eta * grad)`` (eq-ib-mirror).
    """
    def value(w: np.ndarray) -> float:
        return float(np.sum(w * np.log(w) - w))
    return Potential("entropy", value, np.log, np.exp, lambda w: 1.0 / w,
                     lambda t: float(np.sum(np.exp(t))), positive=True)


def hyperbolic_potential(alpha: float) -> Potential:
    """Hyperbolic entropy ``Q_alpha(w) = (alpha^2/4) sum q(w_i / alpha^2)`` (eq-ib-hyperbolic).

    ``q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2)``, so that
    ``grad Q_alpha(w) = arcsinh(w / (2 alpha^2)) / 4`` and
    ``Q_alpha''(w) = 1 / (4 sqrt(w^2 + 4 alpha^4))``. Gradient flow on the parametrization
    ``w = theta_+^2 - theta_-^2`` from ``theta_+ = theta_- = alpha 1`` is mirror flow with it.
    """
    a2 = _positive("alpha", alpha) ** 2

    def value(w: np.ndarray) -> float:
        z = w / a2
        # q(z) = z arcsinh(z/2) - z^2 / (sqrt(4 + z^2) + 2), free of cancellation near 0
        return float(a2 / 4 * np.sum(z * np.arcsinh(z / 2) - z * z / (np.sqrt(4 + z * z) + 2)))
    return Potential(f"hyperbolic(alpha={alpha:g})", value,
                     lambda w: np.arcsinh(w / (2 * a2)) / 4,
                     lambda t: 2 * a2 * np.sinh(4 * t),
                     lambda w: 1 / (4 * np.sqrt(w * w + 4 * a2 * a2)),
                     lambda t: float(a2 * np.sum(np.sinh(2 * t) ** 2)))


def _check_potential(potential: Any) -> Potential:
    if not isinstance(potential, Potential):
        raise TypeError(f"potential must be a Potential, got {type(potential).__name__}")
    return potential


def _in_domain(name: str, w: np.ndarray, potential: Potential) -> None:
    if potential.positive and np.any(w <= 0):
        raise ValueError(f"{name} must be > 0 for the {potential.name} potential, "
                         f"got min {w.min():g}")


def bregman_divergence(potential: Potential, w: Any, v: Any) -> float:
    """``D_R(w, v) = R(w) - R(v) - <grad R(v), w - v>`` (eq-ib-bregman)."""
    potential = _check_potential(potential)
    w = _array("w", w, 1)
    v = _vector("v", v, w.size)
    _in_domain("w", w, potential)
    _in_domain("v", v, potential)
    return float(potential.value(w) - potential.value(v) - potential.grad(v) @ (w - v))


def mirror_descent(grad: Callable[[np.ndarray], Any], potential: Potential, w0: Any,
                   step: float, n_steps: int, *, every: int = 1) -> np.ndarray:
    """Mirror descent ``grad R(w_{k+1}) = grad R(w_k) - eta grad L(w_k)`` (eq-ib-mirror).

    Parameters
    ----------
    grad : callable
        Gradient oracle of the loss, shape ``(d,) -> (d,)``.
    potential : Potential
    w0 : array_like, shape (d,)
        Start, in the domain of the potential.
    step : float
        Constant step ``eta > 0``.
    n_steps : int
    every : int
        Keep every ``every``-th iterate; ``n_steps`` must be a multiple of it.

    Returns
    -------
    ndarray, shape (n_steps // every + 1, d)
    """
    _callable("grad", grad)
    potential = _check_potential(potential)
    w = _array("w0", w0, 1).copy()
    _in_domain("w0", w, potential)
    eta = _positive("step", step)
    n_steps = _count("n_steps", n_steps)
    every = _count("every", every, 1)
    if n_steps % every:
        raise ValueError(f"n_steps={n_steps} must be a multiple of every={every}")
    out = np.empty((n_steps // every + 1, w.size))
    out[0] = w
    theta = potential.grad(w)
    for k in range(1, n_steps + 1):
        theta = theta - eta * np.asarray(grad(w), dtype=np.float64)
        w = potential.grad_inv(theta)
        if not np.all(np.isfinite(w)):
            raise FloatingPointError(f"mirror descent: iterate {k} is not finite (step {eta:g})")
        if k % every == 0:
            out[k // every] = w
    return out


def bregman_projection(X: Any, y: Any, potential: Potential, w0: Any, *, tol: float = 1e-13,
                       max_iter: int = 200) -> np.ndarray:
    """``argmin D_R(w, w0)`` subject to ``X w = y``, by Newton's method on the dual.

    The minimizer is ``w(lam) = (grad R)^{-1}(grad R(w0) + X^T lam)`` where ``lam`` minimizes
    the convex dual ``phi(lam) = R*(grad R(w0) + X^T lam) - y^T lam`` (eq-ib-dual), whose
    gradient is ``X w(lam) - y`` and Hessian ``X diag(1/r''(w)) X^T``. Newton steps, damped by
    backtracking on ``||X w - y||``, are taken until ``||X w - y|| <= tol * (1 + ||y||)``
    (or until rounding stops the decrease within ``1000 tol``).

    Parameters
    ----------
    X : array_like, shape (n, d), full row rank
    y : array_like, shape (n,)
    potential : Potential
    w0 : array_like, shape (d,)
    tol : float
    max_iter : int

    Returns
    -------
    ndarray, shape (d,)
    """
    X, y = _design(X, y)
    potential = _check_potential(potential)
    w0 = _vector("w0", w0, X.shape[1])
    _in_domain("w0", w0, potential)
    tol = _positive("tol", tol)
    max_iter = _count("max_iter", max_iter, 1)
    theta0 = potential.grad(w0)

    def evaluate(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        with np.errstate(over="ignore", invalid="ignore"):
            theta = theta0 + X.T @ lam
            w = potential.grad_inv(theta)
            r = X @ w - y
            phi = potential.conj(theta) - float(y @ lam)
            nr = float(np.linalg.norm(r))
        return w, r, (phi if math.isfinite(phi) else math.inf), \
            (nr if math.isfinite(nr) else math.inf)

    lam = np.zeros(X.shape[0])
    w, r, phi, nr = evaluate(lam)
    for _ in range(max_iter):
        if nr <= tol * (1 + np.linalg.norm(y)):
            return w
        H = (X / potential.hess(w)) @ X.T
        delta = np.linalg.solve(H, r)
        dec = float(r @ delta)      # Newton decrement squared, > 0
        t = 1.0
        while True:  # Armijo on the dual phi, or on ||X w - y|| once phi is at rounding level
            w_new, r_new, phi_new, nr_new = evaluate(lam - t * delta)
            if phi_new <= phi - 0.25 * t * dec or nr_new <= (1 - 0.25 * t) * nr:
                break
            t *= 0.5
            if t < 1e-30:
                break
        if t < 1e-30:
            break
        lam, w, r, phi, nr = lam - t * delta, w_new, r_new, phi_new, nr_new
    if nr <= 1e3 * tol * (1 + np.linalg.norm(y)):
        return w
    raise RuntimeError(f"bregman_projection did not converge in {max_iter} Newton steps "
                       f"(residual {np.linalg.norm(r):.3g}); is X of full row rank and the "
                       "affine set inside the domain?")


def projection_kkt_residuals(X: Any, y: Any, potential: Potential, w0: Any,
                             w: Any) -> tuple[float, float]:
    """KKT residuals of ``w`` for ``min D_R(w, w0)`` s.t. ``X w = y`` (eq-ib-kkt).

    Returns ``(||X w - y||, ||(I - P) (grad R(w) - grad R(w0))||)`` where ``P`` projects onto
    the row space of ``X``: both vanish exactly at the Bregman projection.
    """
    X, y = _design(X, y)
    potential = _check_potential(potential)
    w0 = _vector("w0", w0, X.shape[1])
    w = _vector("w", w, X.shape[1])
    _in_domain("w", w, potential)
    g = potential.grad(w) - potential.grad(w0)
    Q, _ = np.linalg.qr(X.T)
    return float(np.linalg.norm(X @ w - y)), float(np.linalg.norm(g - Q @ (Q.T @ g)))


# ----------------------------------------------------------------------------- steepest descent
def lp_steepest_direction(g: Any, p: float) -> np.ndarray:
    """``argmin_v <g, v> + ||v||_p^2 / 2`` for ``1 < p < inf`` (eq-ib-lp-step).

    Equals ``-||g||_q^{2-q} sign(g) |g|^{q-1}`` with ``1/p + 1/q = 1``; its ``l_p`` norm is
    ``||g||_q`` and ``<g, v> = -||g||_q^2``. For ``p = 1`` use :func:`steepest_descent` (the
    minimizer is a greedy coordinate step, not unique under ties).
    """
    g = _array("g", g, 1)
    p = _positive("p", p)
    if not 1 < p < math.inf:
        raise ValueError(f"p must be in (1, inf), got {p}")
    q = p / (p - 1)
    nq = float(np.sum(np.abs(g) ** q) ** (1 / q))
    if nq == 0:
        return np.zeros_like(g)
    return -nq ** (2 - q) * np.sign(g) * np.abs(g) ** (q - 1)


def _l1_direction(g: np.ndarray) -> np.ndarray:
    j = int(np.argmax(np.abs(g)))
    v = np.zeros_like(g)
    v[j] = -np.abs(g[j]) * np.sign(g[j])
    return v


def steepest_descent(grad: Callable[[np.ndarray], Any], w0: Any, step: float, n_steps: int,
                     p: float, *, every: int = 1) -> np.ndarray:
    """Steepest descent ``w <- w + eta v(grad L(w))`` in the ``l_p`` norm.

    ``v`` is :func:`lp_steepest_direction` for ``1 < p < inf`` and the greedy coordinate step
    ``-||g||_inf sign(g_j) e_j``, ``j = argmax |g_j|``, for ``p = 1``. ``p = 2`` is gradient
    descent. Returns every ``every``-th iterate, shape ``(n_steps // every + 1, d)``.
    """
    _callable("grad", grad)
    w = _array("w0", w0, 1).copy()
    eta = _positive("step", step)
    n_steps = _count("n_steps", n_steps)
    every = _count("every", every, 1)
    p = _positive("p", p)
    if p == 1:
        direction = _l1_direction
    elif 1 < p < math.inf:
        def direction(g: np.ndarray) -> np.ndarray:
            return lp_steepest_direction(g, p)
    else:
        raise ValueError(f"p must be 1 or in (1, inf), got {p}")
    if n_steps % every:
        raise ValueError(f"n_steps={n_steps} must be a multiple of every={every}")
    out = np.empty((n_steps // every + 1, w.size))
    out[0] = w
    for k in range(1, n_steps + 1):
        w = w + eta * direction(np.asarray(grad(w), dtype=np.float64))
        if not np.all(np.isfinite(w)):
            raise FloatingPointError(f"steepest descent: iterate {k} is not finite "
                                     f"(step {eta:g})")
        if k % every == 0:
            out[k // every] = w
    return out


# ----------------------------------------------------------------------------- parametrization
def quadratic_param_gd(X: Any, y: Any, alpha: float, step: float, n_steps: int, *,
                       tol: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient descent on ``L(theta) = ||X (theta_+^2 - theta_-^2) - y||^2 / 2``.

    Starts at ``theta_+ = theta_- = alpha 1`` (eq-ib-quad-param). With ``r = X^T (X w - y)``
    the step is ``theta_+ <- theta_+ (1 - 2 eta r)``, ``theta_- <- theta_- (1 + 2 eta r)``.
    Stops after ``n_steps`` or once ``||X w - y|| <= tol``.

    Returns
    -------
    w, theta_plus, theta_minus : ndarray, shape (d,)
    """
    X, y = _design(X, y)
    alpha = _positive("alpha", alpha)
    eta = _positive("step", step)
    n_steps = _count("n_steps", n_steps)
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    tp = np.full(X.shape[1], alpha)
    tm = np.full(X.shape[1], alpha)
    for k in range(n_steps):
        res = X @ (tp * tp - tm * tm) - y
        if tol and np.linalg.norm(res) <= tol:
            break
        r = X.T @ res
        tp, tm = tp * (1 - 2 * eta * r), tm * (1 + 2 * eta * r)
        if not np.all(np.isfinite(tp)) or not np.all(np.isfinite(tm)):
            raise FloatingPointError(f"quadratic_param_gd: step {k + 1} is not finite "
                                     f"(step {eta:g})")
    return tp * tp - tm * tm, tp, tm


# ----------------------------------------------------------------------------- SVM and margins
def _signed(Z: Any) -> np.ndarray:
    return _array("Z", Z, 2)


def hard_margin_svm(Z: Any) -> tuple[np.ndarray, np.ndarray]:
    """Hard-margin SVM without bias, ``argmin ||w||^2/2`` s.t. ``Z w >= 1`` (eq-ib-svm).

    ``Z`` holds the signed examples ``z_i = y_i x_i`` as rows. The direction of ``w_hat`` is
    that of the minimum-norm point ``u`` of the convex hull of the ``z_i`` and
    ``w_hat = u / ||u||^2``; ``u`` is found by nonnegative least squares, then the support set
    is solved exactly (``Z_S Z_S^T a_S = 1``) so that the KKT conditions hold to rounding.

    Returns
    -------
    w : ndarray, shape (d,)
    a : ndarray, shape (n,)
        Dual variables, ``w = Z^T a``, ``a >= 0``, zero off the support set.

    Raises
    ------
    ValueError
        If the data are not linearly separable through the origin.
    """
    Z = _signed(Z)
    n = Z.shape[0]
    M = 1e3 * (1 + np.abs(Z).max())
    A = np.vstack([Z.T, M * np.ones((1, n))])
    b = np.concatenate([np.zeros(Z.shape[1]), [M]])
    beta, _ = scipy.optimize.nnls(A, b, maxiter=50 * n)
    u = Z.T @ beta
    if u @ u <= 1e-12 * np.abs(Z).max() ** 2 or np.min(Z @ u) <= 0:
        raise ValueError("Z is not linearly separable through the origin (0 is in the convex "
                         "hull of the signed examples)")
    w = u / (u @ u)
    # polish: support = points with margin ~ 1, solve the equality system exactly
    for _ in range(10):
        S = np.flatnonzero(Z @ w <= 1 + 1e-6)
        aS, *_ = np.linalg.lstsq(Z[S] @ Z[S].T, np.ones(S.size), rcond=None)
        if np.any(aS < 0):
            S = S[aS > 0]
            aS, *_ = np.linalg.lstsq(Z[S] @ Z[S].T, np.ones(S.size), rcond=None)
        a = np.zeros(n)
        a[S] = aS
        w_new = Z.T @ a
        if np.allclose(w_new, w, rtol=1e-9, atol=0):
            w = w_new
            break
        w = w_new
    return w, a


def svm_kkt_residuals(Z: Any, w: Any, a: Any) -> dict[str, float]:
    """KKT residuals of ``(w, a)`` for the hard-margin SVM without bias (def-ib-svm).

    Returns a dict with ``stationarity = ||w - Z^T a||``, ``primal = max(0, max(1 - Z w))``,
    ``dual = max(0, max(-a))`` and ``complementarity = max |a_i (z_i^T w - 1)|``.
    """
    Z = _signed(Z)
    w = _vector("w", w, Z.shape[1])
    a = _vector("a", a, Z.shape[0])
    m = Z @ w
    return {"stationarity": float(np.linalg.norm(w - Z.T @ a)),
            "primal": float(max(0.0, np.max(1 - m))),
            "dual": float(max(0.0, np.max(-a))),
            "complementarity": float(np.max(np.abs(a * (m - 1))))}


def normalized_margin(Z: Any, w: Any, p: float = 2) -> float:
    """``min_i z_i^T w / ||w||_p``, the margin of the direction of ``w`` in the ``l_p`` norm."""
    Z = _signed(Z)
    w = _vector("w", w, Z.shape[1])
    p = _positive("p", p)
    nrm = float(np.linalg.norm(w, ord=p))
    if nrm == 0:
        raise ValueError("w must be nonzero")
    return float(np.min(Z @ w) / nrm)


def logistic_loss_sum(Z: Any, w: Any) -> float:
    """``L(w) = sum_i log(1 + exp(-z_i^T w))``, computed stably."""
    Z = _signed(Z)
    w = _vector("w", w, Z.shape[1])
    return float(-np.sum(log_sigmoid(Z @ w)))


def logistic_grad_sum(Z: Any, w: Any) -> np.ndarray:
    """``grad L(w) = -sum_i sigmoid(-z_i^T w) z_i``."""
    Z = _signed(Z)
    w = _vector("w", w, Z.shape[1])
    return -Z.T @ sigmoid(-(Z @ w))


def gd_logistic(Z: Any, step: float, checkpoints: Any, *, w0: Any = None) -> np.ndarray:
    """Gradient descent on :func:`logistic_loss_sum`, iterates at the given step counts.

    ``checkpoints`` is an increasing sequence of nonnegative ints; returns an array of shape
    ``(len(checkpoints), d)``.
    """
    Z = _signed(Z)
    eta = _positive("step", step)
    cps = np.asarray(checkpoints)
    if cps.ndim != 1 or cps.size == 0 or not np.issubdtype(cps.dtype, np.integer) \
            or np.any(cps < 0) or np.any(np.diff(cps) <= 0):
        raise ValueError(f"checkpoints must be increasing nonnegative ints, got {checkpoints!r}")
    w = np.zeros(Z.shape[1]) if w0 is None else _vector("w0", w0, Z.shape[1]).copy()
    out, k = np.empty((cps.size, Z.shape[1])), 0
    for j, c in enumerate(cps):
        while k < c:
            w = w + eta * (Z.T @ scipy.special.expit(-(Z @ w)))
            k += 1
        out[j] = w
    return out


def logistic_flow_logtime(Z: Any, s_max: float, h: float = 0.01, *, w0: Any = None,
                          every: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Gradient flow ``dw/dt = -grad L(w)`` of the logistic loss, in log-time ``s = ln t``.

    With ``t = e^s`` the flow reads ``dw/ds = e^s sum_i sigmoid(-z_i^T w) z_i``
    (eq-ib-soudry), whose right side stays bounded when ``w ~ w_hat ln t``; it is integrated
    by the classical Runge-Kutta method with step ``h`` from ``s = 0`` (``t = 1``, ``w = w0``)
    to ``s_max``.

    Returns
    -------
    s : ndarray, shape (k,)
    W : ndarray, shape (k, d)
        ``w`` at the returned log-times (every ``every``-th step and the last).
    """
    Z = _signed(Z)
    s_max = _positive("s_max", s_max)
    h = _positive("h", h)
    every = _count("every", every, 1)
    w = np.zeros(Z.shape[1]) if w0 is None else _vector("w0", w0, Z.shape[1]).copy()
    n = int(math.ceil(s_max / h))
    h = s_max / n

    def f(s: float, v: np.ndarray) -> np.ndarray:
        return math.exp(s) * (Z.T @ scipy.special.expit(-(Z @ v)))

    ss, ws = [0.0], [w.copy()]
    for k in range(n):
        s = k * h
        k1 = f(s, w)
        k2 = f(s + h / 2, w + h / 2 * k1)
        k3 = f(s + h / 2, w + h / 2 * k2)
        k4 = f(s + h, w + h * k3)
        w = w + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if (k + 1) % every == 0 or k + 1 == n:
            ss.append((k + 1) * h)
            ws.append(w.copy())
    return np.array(ss), np.array(ws)


def exp_loss_steepest_descent(Z: Any, n_steps: int, p: float, *, scale: float = 1.0,
                              every: int = 1) -> np.ndarray:
    """Steepest descent on ``L(w) = sum_i exp(-z_i^T w)`` with ``eta_t = scale / (B^2 L(w_t))``.

    ``B = max_i ||z_i||_q`` is the dual norm bound (thm-ib-steepest-margin); ``p = 1`` gives greedy
    coordinate descent, ``p = 2`` gradient descent. Starts at ``w = 0``. Returns every
    ``every``-th iterate.
    """
    Z = _signed(Z)
    n_steps = _count("n_steps", n_steps)
    every = _count("every", every, 1)
    scale = _positive("scale", scale)
    p = _positive("p", p)
    if not (p == 1 or 1 < p < math.inf):
        raise ValueError(f"p must be 1 or in (1, inf), got {p}")
    q = math.inf if p == 1 else p / (p - 1)
    B = float(np.max(np.linalg.norm(Z, ord=q, axis=1)))
    direction = _l1_direction if p == 1 else (lambda g: lp_steepest_direction(g, p))
    if n_steps % every:
        raise ValueError(f"n_steps={n_steps} must be a multiple of every={every}")
    w = np.zeros(Z.shape[1])
    out = np.empty((n_steps // every + 1, w.size))
    out[0] = w
    for k in range(1, n_steps + 1):
        m = Z @ w
        shift = m.min()
        e = np.exp(-(m - shift))            # loss weights up to the factor exp(-shift)
        g = -(Z.T @ e)                      # gradient times exp(shift)
        L_scaled = e.sum()                  # loss times exp(shift): the factor cancels
        w = w + scale / (B * B * L_scaled) * direction(g)
        if k % every == 0:
            out[k // every] = w
    return out


# ----------------------------------------------------------------------------- homogeneous net
def homogeneous_relu_net(d: int, m: int, n_nets: int = 1, *, seed: int = 0,
                         scale: float = 1.0) -> tuple[Any, Any]:
    """Parameters of ``n_nets`` bias-free two-layer ReLU networks (PyTorch, float64).

    Network ``k`` computes ``f_k(x) = sum_j a_kj relu(w_kj^T x)`` (thm-ib-lyu-li); it is
    2-homogeneous in its parameters, ``f(c theta; x) = c^2 f(theta; x)`` for ``c > 0``. Entries
    are standard Gaussian times ``scale / sqrt(d)`` (first layer) and ``scale / sqrt(m)``
    (second), drawn from ``torch.Generator().manual_seed(seed)``.

    Returns
    -------
    W : torch.Tensor, shape (n_nets, m, d)
    a : torch.Tensor, shape (n_nets, m)
    """
    import torch

    d = _count("d", d, 1)
    m = _count("m", m, 1)
    n_nets = _count("n_nets", n_nets, 1)
    scale = _positive("scale", scale)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {seed!r}")
    g = torch.Generator().manual_seed(int(seed))
    W = torch.randn(n_nets, m, d, generator=g, dtype=torch.float64) * scale / math.sqrt(d)
    a = torch.randn(n_nets, m, generator=g, dtype=torch.float64) * scale / math.sqrt(m)
    return W, a


def homogeneous_forward(W: Any, a: Any, X: Any) -> Any:
    """Outputs ``f_k(x_i)`` of the networks of :func:`homogeneous_relu_net`, shape (n_nets, n)."""
    import torch

    _real_tensor("W", W)
    _real_tensor("a", a)
    if W.ndim != 3 or a.shape != W.shape[:2]:
        raise ValueError(f"W must have shape (n_nets, m, d) and a shape (n_nets, m), got "
                         f"{tuple(W.shape)} and {tuple(a.shape)}")
    if not isinstance(X, torch.Tensor):
        if isinstance(X, (str, bytes)) or np.iscomplexobj(X):
            raise TypeError(f"X must be a real array, got {type(X).__name__}")
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"X must be a real array, got {type(X).__name__}") from err
    Xt = _real_tensor("X", torch.as_tensor(X, dtype=W.dtype))
    if Xt.ndim != 2 or Xt.shape[1] != W.shape[2]:
        raise ValueError(f"X must have shape (n, {W.shape[2]}), got {tuple(Xt.shape)}")
    return _forward(W, a, Xt)


def _forward(W: Any, a: Any, Xt: Any) -> Any:
    """:func:`homogeneous_forward` on checked tensors (the training loop calls it every step)."""
    import torch

    return torch.einsum("km,knm->kn", a, torch.relu(torch.einsum("kmd,nd->knm", W, Xt)))


def train_homogeneous(W: Any, a: Any, X: Any, y: Any, step: float,
                      n_steps: int) -> dict[str, np.ndarray]:
    """Gradient descent on the exponential loss ``L_k = sum_i exp(-y_i f_k(x_i))`` of each net.

    Records at every step ``0..n_steps`` (arrays of shape ``(n_steps + 1, n_nets)``): the loss,
    ``||theta||^2``, the normalized margin ``min_i y_i f(x_i) / ||theta||^2`` and the smoothed
    margin ``log(1 / L) / ||theta||^2`` (eq-ib-smoothed-margin). ``W`` and ``a`` are updated in
    place; the networks are independent (the summed loss has block gradients).
    """
    import torch

    X, y = _design(X, y)
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("y must contain only -1 and +1")
    homogeneous_forward(W, a, X[:1])          # validates shapes
    eta = _positive("step", step)
    n_steps = _count("n_steps", n_steps)
    Xt = torch.as_tensor(X, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.float64)
    W.requires_grad_(True)
    a.requires_grad_(True)
    K = W.shape[0]
    rec = {k: np.empty((n_steps + 1, K)) for k in ("loss", "sqnorm", "margin", "smoothed")}
    for k in range(n_steps + 1):
        margins = yt * _forward(W, a, Xt)
        loss = torch.exp(-margins).sum(1)
        with torch.no_grad():
            md = margins.detach()
            sq = (W.detach() ** 2).sum((1, 2)) + (a.detach() ** 2).sum(1)
            rec["loss"][k] = loss.detach().numpy()
            rec["sqnorm"][k] = sq.numpy()
            rec["margin"][k] = (md.min(1).values / sq).numpy()
            rec["smoothed"][k] = (-torch.logsumexp(-md, 1) / sq).numpy()
        if k == n_steps:
            break
        gW, ga = torch.autograd.grad(loss.sum(), (W, a))
        with torch.no_grad():
            W -= eta * gW
            a -= eta * ga
    W.requires_grad_(False)
    a.requires_grad_(False)
    return rec

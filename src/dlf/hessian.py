"""Hessian-vector products and the top Hessian eigenvalue of a PyTorch loss.

* :class:`HessianOperator` is the map ``v -> H v`` for the Hessian ``H`` of
  a loss at the current parameters, by Pearlmutter's identity
  ``H v = grad_theta <grad L(theta), v>`` (eq-ad-pearlmutter): the gradient
  is computed once with its graph kept, and each product is one more reverse
  sweep (PyTorch's double backward). A product costs a constant multiple of
  one gradient, and ``H`` is never formed.
* :func:`hvp` computes one product ``H v``.
* :func:`hessian` forms ``H`` from ``p`` products (checks on small models).
* :func:`top_eigenvalue` runs power iteration on ``v -> H v`` and returns
  the largest eigenvalue ``lambda_max(H)``, the *sharpness* of the loss.

Conventions. ``loss_fn`` is a closure: called with no argument it returns a
scalar tensor computed from ``params`` (as for ``torch.optim`` closures).
``params`` is a tensor or an iterable of tensors with ``requires_grad=True``
(for instance ``module.parameters()``); the Hessian is taken with respect to
all their entries, flattened and concatenated in order, ``p`` in total.
Vectors ``v`` and results are 1-D tensors of length ``p`` with the dtype and
device of the first parameter. Use float64 for checks.

Derived in: ``autodiff``. Depends on: torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import torch

__all__ = ["HessianOperator", "hvp", "hessian", "top_eigenvalue",
           "PowerIteration"]

LossFn = Callable[[], torch.Tensor]
Params = torch.Tensor | Iterable[torch.Tensor]


def _params(params: Any, check_values: bool = True) -> list[torch.Tensor]:
    """``params`` as a list of floating leaves requiring grad; with ``check_values`` also
    at least one entry in total, all finite."""
    if isinstance(params, torch.Tensor):
        params = [params]
    elif hasattr(params, "__iter__"):  # a sequence, or module.parameters()
        params = list(params)
    else:
        raise TypeError("params must be a tensor or an iterable of tensors, "
                        f"got {type(params).__name__}")
    if not params:
        raise ValueError("params must contain at least one tensor")
    for i, p in enumerate(params):
        if not isinstance(p, torch.Tensor):
            raise TypeError(f"params[{i}] must be a torch.Tensor, "
                            f"got {type(p).__name__}")
        if not p.is_floating_point():
            raise TypeError(f"params[{i}] must have a floating dtype, "
                            f"got {p.dtype}")
        if not p.requires_grad:
            raise ValueError(f"params[{i}] (shape {tuple(p.shape)}) does not "
                             "require grad; call .requires_grad_() on it")
    if check_values:
        if sum(p.numel() for p in params) == 0:
            raise ValueError("params must have at least one entry, got shapes "
                             f"{[tuple(p.shape) for p in params]}")
        for i, p in enumerate(params):
            if p.is_complex():
                raise TypeError(f"params[{i}] must be real, got {p.dtype}")
            if not bool(torch.isfinite(p.detach()).all()):
                raise ValueError(f"params[{i}] (shape {tuple(p.shape)}) must be "
                                 "finite, got nan or inf")
    return params


def _operator(loss_fn: LossFn, params: Params) -> HessianOperator:
    """A :class:`HessianOperator` whose ``params`` are not checked for finite values.

    For loops that check their parameters themselves, or that must see a divergence as NaN
    losses rather than as an error here (``dlf.landscape``'s training loop).
    """
    op = HessianOperator.__new__(HessianOperator)
    if not callable(loss_fn):
        raise TypeError("loss_fn must be callable, got "
                        f"{type(loss_fn).__name__}")
    op._setup(loss_fn, _params(params, check_values=False))
    return op


class HessianOperator:
    """The Hessian-vector product ``v -> H v`` at the current parameters.

    Implements (eq-ad-pearlmutter). The constructor runs the first reverse
    sweep with ``create_graph=True``, so the gradient ``g(theta)`` is itself a
    recorded graph; each call is a second reverse sweep of
    ``theta -> <g(theta), v>``, which returns ``H v``. The graph is kept, so
    many products (power iteration, Lanczos, conjugate gradients) share one
    gradient evaluation. Changing ``params`` afterwards is not seen: build a
    new operator.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn()`` returns a scalar tensor computed from ``params``.
    params : tensor or iterable of tensors
        Finite leaves with ``requires_grad=True``; ``p >= 1`` entries in total.

    Attributes
    ----------
    size : int
        ``p``, the length of the vectors ``v`` and ``H v``.
    """

    def __init__(self, loss_fn: LossFn, params: Params) -> None:
        if not callable(loss_fn):
            raise TypeError("loss_fn must be callable, got "
                            f"{type(loss_fn).__name__}")
        self._setup(loss_fn, _params(params))

    def _setup(self, loss_fn: LossFn, params: list[torch.Tensor]) -> None:
        """The first reverse sweep, for checked ``params``."""
        self.params = params
        loss = loss_fn()
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            got = (tuple(loss.shape) if isinstance(loss, torch.Tensor)
                   else type(loss).__name__)
            raise ValueError(f"loss_fn must return a scalar tensor, got {got}")
        if not loss.requires_grad:
            raise ValueError("loss_fn() does not depend on params")
        # first reverse sweep, recorded (create_graph) to be differentiated
        grads = torch.autograd.grad(loss.reshape(()), self.params,
                                    create_graph=True, allow_unused=True,
                                    materialize_grads=True)
        self.grad = torch.cat([g.reshape(-1) for g in grads])
        self.size = self.grad.numel()
        self.dtype = self.params[0].dtype
        self.device = self.params[0].device

    def _vector(self, v: Any) -> torch.Tensor:
        want = f"a real 1-D tensor of length p = {self.size} (all parameter entries)"
        dtype = v.dtype if isinstance(v, torch.Tensor) else getattr(v, "dtype", None)
        if (dtype.is_complex if isinstance(dtype, torch.dtype)
                else getattr(dtype, "kind", "") == "c"):
            raise TypeError(f"v must be {want}, got complex dtype {dtype}")
        try:
            t = torch.as_tensor(v, dtype=self.dtype, device=self.device)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"v must be {want}, got {type(v).__name__} ({err})") from None
        if t.shape != (self.size,):
            raise ValueError(f"v must be a 1-D tensor of length p = "
                             f"{self.size} (all parameter entries), got "
                             f"shape {tuple(t.shape)}")
        if not bool(torch.isfinite(t).all()):
            raise ValueError("v must be finite, got nan or inf")
        return t

    def __call__(self, v: Any) -> torch.Tensor:
        """``H v`` as a detached 1-D tensor of length ``p`` (``v`` real, finite)."""
        return self._hv(self._vector(v))

    def _hv(self, v: torch.Tensor) -> torch.Tensor:
        """``H v`` for a tensor ``v`` of the right shape, dtype and device, unchecked (for
        loops such as power iteration)."""
        if not self.grad.requires_grad:  # loss affine in params: H = 0
            return torch.zeros_like(v)
        # second reverse sweep: v^T J_g = (H v)^T, (eq-ad-pearlmutter)
        hv = torch.autograd.grad(self.grad, self.params, grad_outputs=v,
                                 retain_graph=True, allow_unused=True,
                                 materialize_grads=True)
        return torch.cat([h.reshape(-1) for h in hv]).detach()


def hvp(loss_fn: LossFn, params: Params, v: Any) -> torch.Tensor:
    """One Hessian-vector product ``H v`` (Pearlmutter's trick).

    Implements (eq-ad-pearlmutter) with :class:`HessianOperator`: one
    gradient with its graph kept, then a second reverse sweep. Cost and
    memory: a small constant times one gradient evaluation.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn()`` returns a scalar tensor computed from ``params``.
    params : tensor or iterable of tensors
        Finite leaves with ``requires_grad=True``; ``p >= 1`` entries in total.
    v : tensor or array_like, shape (p,)

    Returns
    -------
    torch.Tensor, shape (p,), detached
    """
    return HessianOperator(loss_fn, params)(v)


def hessian(loss_fn: LossFn, params: Params) -> torch.Tensor:
    """The full Hessian, column by column from ``p`` Hessian-vector products.

    One gradient graph, then ``p`` products: quadratic time and memory, meant
    for checks on small models.

    Returns
    -------
    torch.Tensor, shape (p, p)
        Symmetric up to rounding (not symmetrized).
    """
    op = HessianOperator(loss_fn, params)
    eye = torch.eye(op.size, dtype=op.dtype, device=op.device)
    return torch.stack([op._hv(e) for e in eye], dim=1)


class PowerIteration(NamedTuple):
    """Result of :func:`top_eigenvalue`."""

    eigenvalue: float
    """The estimate of ``lambda_max(H)``: a Rayleigh quotient, so never
    above ``lambda_max`` (up to rounding)."""
    vector: torch.Tensor
    """Unit vector ``v`` whose Rayleigh quotient is ``eigenvalue``, shape (p,)."""
    history: tuple[float, ...]
    """Rayleigh quotients ``v_k^T H v_k``, ``k = 0, 1, ...``: the first run,
    then the shifted run (shifted back) if one was needed."""
    n_hvp: int
    """Number of Hessian-vector products used."""
    residual: float = math.nan
    """``||H v - eigenvalue * v||``. For symmetric ``H`` some eigenvalue lies
    within ``residual`` of ``eigenvalue``; a small residual certifies an
    eigenpair, a large one (relative to ``|eigenvalue|``) that the
    iteration has not converged."""


#: a run counts as converged when ``||H v - rho v|| <= RESIDUAL_RTOL * ||H v||``
RESIDUAL_RTOL = 1e-4


def _power(op: HessianOperator, v: torch.Tensor, n_iter: int, tol: float,
           shift: float) -> tuple[float, torch.Tensor, list[float], float,
                                  float]:
    """Power iteration on ``H - shift I`` from the unit vector ``v``.

    Returns the last Rayleigh quotient of ``H`` (shift added back), its
    vector, the history, the residual ``||H v - rho v||`` and the largest
    ``||(H - shift I) v||`` seen (a lower bound of the spectral radius).
    """
    history: list[float] = []
    lam, radius = math.nan, 0.0
    for _ in range(n_iter):
        w = op._hv(v) - shift * v
        lam_new = float(v @ w)  # Rayleigh quotient of v
        history.append(lam_new + shift)
        residual = float(torch.linalg.vector_norm(w - lam_new * v))
        norm = float(torch.linalg.vector_norm(w))
        radius = max(radius, norm)
        converged = tol > 0 and abs(lam_new - lam) <= tol * abs(lam_new)
        if norm == 0.0 or converged or len(history) == n_iter:
            break  # norm 0: v is an eigenvector with eigenvalue shift
        v = w / norm
        lam = lam_new
    return history[-1], v, history, residual, radius


def top_eigenvalue(loss_fn: LossFn, params: Params, n_iter: int = 100,
                   seed: int = 0, tol: float = 0.0) -> PowerIteration:
    """Largest Hessian eigenvalue (sharpness) by power iteration.

    Power iteration ``v <- H v / ||H v||`` converges to the eigenvalue of
    largest *magnitude*; if ``lambda_max`` is that eigenvalue, the error of
    the Rayleigh quotient shrinks like ``r^(2k)``, ``r`` the ratio of the
    next largest magnitude to ``lambda_max`` (eq-ad-power). A second,
    shifted run is made in two cases:

    * the first run converged (residual at most ``RESIDUAL_RTOL * ||H v||``)
      to a negative eigenvalue: it is ``lambda_min``, and the run on
      ``H - lambda_min I`` (spectrum ``>= 0``) finds ``lambda_max``;
    * the first run did not converge, as happens when ``lambda_min`` is
      negative with a magnitude close to ``lambda_max`` (the iterates then
      wander in the span of both eigenvectors and the Rayleigh quotient
      settles at a wrong value): the run on ``H + R I``, ``R`` the largest
      ``||H v||`` seen (close to the spectral radius), has the largest
      eigenvalue ``lambda_max + R`` dominant.

    Of the two runs the larger Rayleigh quotient is returned (both are lower
    bounds of ``lambda_max``), with its residual: check it when it matters.

    Parameters
    ----------
    loss_fn, params
        As in :func:`hvp`.
    n_iter : int
        Maximal iterations per run, ``>= 1``.
    seed : int
        The start vector is ``torch.randn(p, generator=g, dtype=dtype)``
        with ``g = torch.Generator().manual_seed(seed)``, normalized.
    tol : float
        Stop a run when the Rayleigh quotient changes by at most ``tol``
        times its size; ``0`` runs all ``n_iter`` iterations.

    Returns
    -------
    PowerIteration
        ``(eigenvalue, vector, history, n_hvp, residual)``.
    """
    if isinstance(n_iter, bool) or not isinstance(n_iter, int) or n_iter < 1:
        raise ValueError(f"n_iter must be a positive int, got {n_iter!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if not (isinstance(tol, int | float) and math.isfinite(tol)
            and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    op = HessianOperator(loss_fn, params)
    gen = torch.Generator().manual_seed(seed)
    v0 = torch.randn(op.size, generator=gen, dtype=op.dtype).to(op.device)
    v0 = v0 / torch.linalg.vector_norm(v0)
    lam, v, history, res, radius = _power(op, v0, n_iter, tol, 0.0)
    converged = res <= RESIDUAL_RTOL * radius
    if lam < 0 or not converged:
        shift = lam if converged else -radius
        lam2, v2, more, res2, _ = _power(op, v0, n_iter, tol, shift)
        history += more
        if lam2 > lam:
            lam, v, res = lam2, v2, res2
    return PowerIteration(float(lam), v, tuple(history), len(history),
                          float(res))

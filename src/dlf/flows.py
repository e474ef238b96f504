"""Normalizing flows: change of variables, 1-D inverse-CDF maps and coupling layers.

Implements the pieces of a normalizing flow small enough to read in one sitting: the 1-D
inverse-CDF map ``F_Z^{-1} o F_X`` that pushes any continuous law onto any other, the additive
(NICE) and affine (RealNVP) coupling layers with their exact log-determinants, a :class:`Flow`
that stacks layers and evaluates ``log p(x) = log p_Z(f(x)) + log|det J_f(x)|`` with a standard
normal base, an autograd oracle for per-example log-determinants, and a small training loop
(Adam with a cosine schedule) for maximum likelihood on 2-D data.

Convention: ``forward`` is the *normalizing* direction, data ``x`` to latent ``z``; ``inverse``
is the generative direction. An affine coupling multiplies by ``exp(s)`` going forward, so its
inverse divides by ``exp(s)``.

Derived in: book/generative/flows-diffusion.md (Normalizing flows and diffusion).
Depends on: numpy, torch; no other dlf module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "inverse_cdf_map",
    "autograd_logdet",
    "AdditiveCoupling",
    "AffineCoupling",
    "Flow",
    "alternating_masks",
    "realnvp",
    "train_flow",
]


# ---------------------------------------------------------------------------------------------
# validation


def _posint(name: str, x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r:.40}")
    if x < 1:
        raise ValueError(f"{name} must be >= 1, got {name}={x}")
    return int(x)


def _positive(name: str, x: Any) -> float:
    if isinstance(x, (bool, complex, np.complexfloating)) or not isinstance(
            x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r:.40}")
    v = float(x)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be finite and > 0, got {name}={x!r}")
    return v


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r:.40}")
    return int(seed)


def _batch(name: str, x: Any, d: int | None = None) -> torch.Tensor:
    """A real, finite, floating tensor of shape (n, d) with n >= 1."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}")
    if x.is_complex() or not x.is_floating_point():
        raise TypeError(f"{name} must be a real floating tensor, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n, d) with n, d >= 1, got {tuple(x.shape)}")
    if d is not None and x.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d}), got {tuple(x.shape)}")
    if not bool(torch.isfinite(x.detach()).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def _mask(mask: Any) -> torch.Tensor:
    """A 1-D 0/1 mask with at least one 1 (the conditioning part A) and one 0 (the part B)."""
    if isinstance(mask, torch.Tensor):
        m = mask.detach()
    else:
        try:
            m = torch.as_tensor(np.asarray(mask))
        except (TypeError, ValueError) as err:
            raise TypeError(f"mask must be a 1-D array of 0/1, got {type(mask).__name__}") from err
    if m.dtype.is_complex or not (m.dtype.is_floating_point or m.dtype in (
            torch.bool, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)):
        raise TypeError(f"mask must be a 1-D array of 0/1, got dtype {m.dtype}")
    m = m.to(torch.float64)
    if m.ndim != 1 or m.numel() < 2:
        raise ValueError(f"mask must be 1-D with at least 2 entries, got shape {tuple(m.shape)}")
    if not bool(((m == 0) | (m == 1)).all()):
        raise ValueError("mask must contain only 0 and 1")
    if float(m.sum()) in (0.0, float(m.numel())):
        raise ValueError("mask must contain at least one 1 (kept part) and one 0 (changed part)")
    return m


# ---------------------------------------------------------------------------------------------
# one dimension


def inverse_cdf_map(cdf_x: Callable[[np.ndarray], np.ndarray],
                    ppf_z: Callable[[np.ndarray], np.ndarray],
                    eps: float = 1e-15) -> Callable[[np.ndarray], np.ndarray]:
    """The map ``T = F_Z^{-1} o F_X`` that pushes a continuous law ``X`` onto the law ``Z``.

    Implements (eq-fd-inverse-cdf). The inner probabilities are clipped to ``[eps, 1 - eps]`` so
    that far tails map to finite values.

    Parameters
    ----------
    cdf_x : callable
        Distribution function of ``X`` (vectorised, e.g. ``scipy.stats.gamma(2).cdf``).
    ppf_z : callable
        Quantile function of ``Z`` (e.g. ``scipy.stats.norm.ppf``).
    eps : float in (0, 0.5)

    Returns
    -------
    callable mapping an array of samples of ``X`` to samples of ``Z`` (same shape, float64).
    """
    if not callable(cdf_x):
        raise TypeError(f"cdf_x must be callable, got {type(cdf_x).__name__}")
    if not callable(ppf_z):
        raise TypeError(f"ppf_z must be callable, got {type(ppf_z).__name__}")
    eps = _positive("eps", eps)
    if eps >= 0.5:
        raise ValueError(f"eps must be < 0.5, got eps={eps}")

    def T(x: np.ndarray) -> np.ndarray:
        u = np.clip(np.asarray(cdf_x(np.asarray(x, dtype=np.float64)), dtype=np.float64),
                    eps, 1.0 - eps)
        return np.asarray(ppf_z(u), dtype=np.float64)

    return T


# ---------------------------------------------------------------------------------------------
# the autograd oracle


def autograd_logdet(func: Callable[[torch.Tensor], Any], x: torch.Tensor) -> torch.Tensor:
    """Per-example ``log|det J|`` of a map ``R^d -> R^d``, from autograd and ``slogdet``.

    The oracle for the closed-form log-determinants of the coupling layers: it builds the full
    ``d x d`` Jacobian of ``func`` at each row of ``x`` with
    ``torch.autograd.functional.jacobian`` and takes ``torch.linalg.slogdet``. Cost ``O(n d^3)``;
    meant for checks, not training.

    Parameters
    ----------
    func : callable
        Maps a tensor of shape (n, d) to shape (n, d), row by row, or to a tuple whose first
        entry is such a tensor (as :meth:`Flow.forward` does).
    x : Tensor, shape (n, d)

    Returns
    -------
    Tensor, shape (n,)
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    x = _batch("x", x)

    def one(row: torch.Tensor) -> torch.Tensor:
        out = func(row.unsqueeze(0))
        out = out[0] if isinstance(out, tuple) else out
        return out.squeeze(0)

    rows = []
    for i in range(x.shape[0]):
        J = torch.autograd.functional.jacobian(one, x[i].detach())
        rows.append(torch.linalg.slogdet(J)[1])
    return torch.stack(rows)


# ---------------------------------------------------------------------------------------------
# coupling layers


def _mlp(d_in: int, hidden: int, d_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, d_out))


class AdditiveCoupling(nn.Module):
    """NICE coupling ``z_A = x_A``, ``z_B = x_B + tau(x_A)``: volume preserving, ``log|det| = 0``.

    Implements (eq-fd-nice). ``mask`` marks the kept part A with ones; the shift ``tau`` is an MLP
    ``d -> hidden -> hidden -> d`` applied to ``x * mask`` whose output is used on B only.

    Parameters
    ----------
    mask : array_like of 0/1, shape (d,)
    hidden : int
        Width of the conditioner's hidden layers.
    """

    def __init__(self, mask: Any, hidden: int = 64) -> None:
        super().__init__()
        self.register_buffer("mask", _mask(mask).to(torch.get_default_dtype()))
        d = self.mask.numel()
        self.net = _mlp(d, _posint("hidden", hidden), d)

    def _tau(self, x_a: torch.Tensor) -> torch.Tensor:
        return self.net(x_a) * (1 - self.mask)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(z, logdet)`` with ``logdet = 0`` of shape (n,)."""
        x = _batch("x", x, self.mask.numel())
        z = x + self._tau(x * self.mask)
        return z, torch.zeros(x.shape[0], dtype=x.dtype)

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """``x_B = z_B - tau(z_A)`` (``z_A = x_A``)."""
        z = _batch("z", z, self.mask.numel())
        return z - self._tau(z * self.mask)


class AffineCoupling(nn.Module):
    """RealNVP coupling ``z_A = x_A``, ``z_B = x_B * exp(s(x_A)) + tau(x_A)``.

    Implements (eq-fd-realnvp): ``log|det J| = sum_{i in B} s_i(x_A)``; the inverse is
    ``x_B = (z_B - tau(z_A)) * exp(-s(z_A))``. By default ``(s, tau)`` come from an MLP
    ``d -> hidden -> hidden -> 2d`` applied to ``x * mask``, with ``s = tanh(raw)`` bounded in
    ``(-1, 1)`` for stable training. A custom ``net`` (any module mapping (n, d) to (n, 2d)) is
    used as is, without the ``tanh``: its first ``d`` outputs are ``s``, the last ``d`` are ``tau``.

    Parameters
    ----------
    mask : array_like of 0/1, shape (d,)
        Ones on the kept part A, zeros on the transformed part B.
    hidden : int
        Width of the default conditioner (ignored when ``net`` is given).
    net : torch.nn.Module, optional
        Custom conditioner, see above.
    """

    def __init__(self, mask: Any, hidden: int = 64, net: nn.Module | None = None) -> None:
        super().__init__()
        self.register_buffer("mask", _mask(mask).to(torch.get_default_dtype()))
        d = self.mask.numel()
        if net is None:
            self.net, self.bounded = _mlp(d, _posint("hidden", hidden), 2 * d), True
        elif isinstance(net, nn.Module):
            self.net, self.bounded = net, False
        else:
            raise TypeError(f"net must be a torch.nn.Module or None, got {type(net).__name__}")

    def _st(self, x_a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net(x_a)
        d = self.mask.numel()
        if out.shape[-1] != 2 * d:
            raise ValueError(f"net must output shape (n, {2 * d}), got {tuple(out.shape)}")
        s, tau = out[:, :d], out[:, d:]
        if self.bounded:
            s = torch.tanh(s)
        keep = 1 - self.mask
        return s * keep, tau * keep

    def scale_shift(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(s(x_A), tau(x_A))`` at ``x``, each of shape (n, d) and zero on A.

        Only ``x_A`` is read (``x`` is masked here), so ``x`` may be a full input or output.
        """
        x = _batch("x", x, self.mask.numel())
        return self._st(x * self.mask)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(z, logdet)``, ``logdet = sum_B s(x_A)`` of shape (n,)."""
        x = _batch("x", x, self.mask.numel())
        s, tau = self._st(x * self.mask)
        return x * torch.exp(s) + tau, s.sum(dim=1)

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """``x_B = (z_B - tau(z_A)) * exp(-s(z_A))``: a division by ``exp(s)``, not a product."""
        z = _batch("z", z, self.mask.numel())
        s, tau = self._st(z * self.mask)
        return (z - tau) * torch.exp(-s)


class Flow(nn.Module):
    """A stack of invertible layers with a standard normal base ``p_Z = N(0, I_d)``.

    Implements (eq-fd-cov) for a composition: ``log p(x) = log p_Z(f(x)) + sum_l log|det J_l|``.
    Each layer has ``forward(x) -> (z, logdet)`` and ``inverse(z) -> x``.

    Parameters
    ----------
    layers : sequence of modules
    """

    def __init__(self, layers: Sequence[nn.Module]) -> None:
        super().__init__()
        if isinstance(layers, nn.Module) or not isinstance(layers, (list, tuple, nn.ModuleList)):
            raise TypeError(f"layers must be a list of modules, got {type(layers).__name__}")
        if len(layers) == 0:
            raise ValueError("layers must contain at least one layer")
        for i, layer in enumerate(layers):
            if not (isinstance(layer, nn.Module) and hasattr(layer, "inverse")):
                raise TypeError(f"layers[{i}] must be a module with forward and inverse, got "
                                f"{type(layer).__name__}")
        self.layers = nn.ModuleList(layers)
        self.dim = int(self.layers[0].mask.numel()) if hasattr(self.layers[0], "mask") else None

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(z, logdet)``: the latent code and the summed log-determinant, shape (n,)."""
        x = _batch("x", x, self.dim)
        total = torch.zeros(x.shape[0], dtype=x.dtype)
        for layer in self.layers:
            x, ld = layer(x)
            total = total + ld
        return x, total

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """The generative direction: the layers' inverses in reverse order."""
        z = _batch("z", z, self.dim)
        for layer in reversed(self.layers):
            z = layer.inverse(z)
        return z

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """``log p(x)`` per row, shape (n,)."""
        z, logdet = self.forward(x)
        d = z.shape[1]
        return -0.5 * (z * z).sum(dim=1) - 0.5 * d * math.log(2 * math.pi) + logdet

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` draws: ``z ~ N(0, I)`` pushed through :meth:`inverse`, shape (n, d)."""
        n = _posint("n", n)
        if self.dim is None:
            raise ValueError("sample needs layers with a mask (the dimension is unknown)")
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        dtype = self.layers[0].mask.dtype
        z = torch.randn(n, self.dim, generator=generator, dtype=dtype)
        with torch.no_grad():
            return self.inverse(z)


def alternating_masks(d: int, n_layers: int) -> list[torch.Tensor]:
    """Masks that alternate between the first ``ceil(d/2)`` coordinates and the rest.

    Alternation matters: with one fixed mask the coordinates of A are never transformed.
    """
    d, n_layers = _posint("d", d), _posint("n_layers", n_layers)
    if d < 2:
        raise ValueError(f"d must be >= 2 for a coupling layer, got d={d}")
    first = torch.zeros(d, dtype=torch.float64)
    first[: (d + 1) // 2] = 1
    return [first if i % 2 == 0 else 1 - first for i in range(n_layers)]


def realnvp(d: int = 2, n_layers: int = 6, hidden: int = 64, *, seed: int = 0) -> Flow:
    """A RealNVP flow of ``n_layers`` affine couplings with alternating masks (seeded init)."""
    masks = alternating_masks(d, n_layers)
    hidden = _posint("hidden", hidden)
    torch.manual_seed(_seed(seed))
    return Flow([AffineCoupling(m, hidden) for m in masks])


# ---------------------------------------------------------------------------------------------
# training


def train_flow(flow: Flow, X: torch.Tensor, *, steps: int = 1500, lr: float = 3e-3,
               batch_size: int = 256, seed: int = 0) -> np.ndarray:
    """Maximum likelihood: minimise the mean of ``-log p(x)`` over minibatches (in place).

    Adam with a cosine-decaying learning rate from ``lr`` to 0 over ``steps`` steps; minibatches
    are drawn with replacement from the rows of ``X``.

    Returns
    -------
    ndarray of float64, shape (steps,): the minibatch negative log-likelihood at each step.
    """
    if not isinstance(flow, Flow):
        raise TypeError(f"flow must be a dlf.flows.Flow, got {type(flow).__name__}")
    X = _batch("X", X, flow.dim)
    steps, batch_size = _posint("steps", steps), _posint("batch_size", batch_size)
    lr = _positive("lr", lr)
    g = torch.Generator().manual_seed(_seed(seed))
    opt = torch.optim.Adam(flow.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    losses = np.empty(steps)
    for k in range(steps):
        idx = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        loss = -flow.log_prob(X[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses[k] = float(loss.detach())
    return losses

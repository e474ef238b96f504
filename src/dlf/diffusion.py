"""Diffusion models on small data: forward noising, exact scores, denoising, DDPM sampling.

Implements the variance-preserving forward process ``x_t = sqrt(1-beta_t) x_{t-1} +
sqrt(beta_t) z_t`` and its closed-form marginal ``x_t = sqrt(abar_t) x_0 + sqrt(1-abar_t) eps``
with ``abar_t = prod_{s<=t} (1-beta_s)``, the Gaussian posterior ``q(x_{t-1} | x_t, x_0)``, the
exact noised density and score of a Gaussian mixture (the oracle for denoising score matching),
the optimal noise predictor ``eps*``, a small time-conditioned MLP denoiser with its training
loop, and ancestral (DDPM) sampling.

Time convention: ``betas[t-1]`` is ``beta_t`` for ``t = 1..T``; ``alpha_bar(betas)[t]`` is
``abar_t`` for ``t = 0..T`` (``abar_0 = 1``).

Derived in: book/generative/flows-diffusion.md (Normalizing flows and diffusion).
Depends on: numpy, scipy (logsumexp), torch; no other dlf module. The chapter takes its data
(the ring of Gaussians) from :mod:`dlf.data` and its two-sample test (unbiased MMD^2 and the
permutation test) from :mod:`dlf.two_sample`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from scipy.special import logsumexp
from torch import nn

__all__ = [
    "linear_beta_schedule",
    "alpha_bar",
    "q_sample",
    "q_posterior",
    "mixture_log_prob",
    "mixture_score",
    "eps_star",
    "DenoiserMLP",
    "dsm_loss",
    "train_denoiser",
    "ddpm_sample",
]


# ---------------------------------------------------------------------------------------------
# validation


def _posint(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r:.40}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {name}={x}")
    return int(x)


def _real(name: str, x: Any, *, low: float = -math.inf, high: float = math.inf,
          open_low: bool = False) -> float:
    if isinstance(x, (bool, complex, np.complexfloating)) or not isinstance(
            x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r:.40}")
    v = float(x)
    if not math.isfinite(v) or v < low or (open_low and v == low) or v > high:
        lo = "(" if open_low else "["
        raise ValueError(f"{name} must be finite and in {lo}{low}, {high}], got {name}={x!r}")
    return v


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r:.40}")
    return int(seed)


def _rng(name: str, seed: Any) -> np.random.Generator:
    """A numpy Generator from a Generator or an integer seed ``>= 0`` (errors name ``name``)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be a numpy Generator or an integer seed, got "
                        f"{type(seed).__name__} {seed!r:.40}")
    if seed < 0:
        raise ValueError(f"{name} must be >= 0 as an integer seed, got {name}={seed}")
    return np.random.default_rng(int(seed))


def _array(name: str, x: Any, ndim: int | tuple[int, ...]) -> np.ndarray:
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers ({err})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be real numbers, got dtype {a.dtype}")
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if a.ndim not in dims or a.size == 0:
        raise ValueError(f"{name} must be a non-empty array with {' or '.join(map(str, dims))} "
                         f"dimension(s), got shape {a.shape}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _betas(betas: Any) -> np.ndarray:
    b = _array("betas", betas, 1)
    if np.any(b <= 0) or np.any(b >= 1):
        raise ValueError("betas must lie in (0, 1)")
    return b


def _tensor(name: str, x: Any, d: int | None = None) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}")
    if x.is_complex() or not x.is_floating_point():
        raise TypeError(f"{name} must be a real floating tensor, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[0] == 0 or (d is not None and x.shape[1] != d):
        want = f"(n, {d})" if d is not None else "(n, d)"
        raise ValueError(f"{name} must have shape {want} with n >= 1, got {tuple(x.shape)}")
    if not bool(torch.isfinite(x.detach()).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def _step(t: Any, T: int, low: int = 0) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"t must be an integer time step, got {type(t).__name__} {t!r:.40}")
    if not low <= t <= T:
        raise ValueError(f"t must be in [{low}, {T}], got t={t}")
    return int(t)


# ---------------------------------------------------------------------------------------------
# the forward process


def linear_beta_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.1) -> np.ndarray:
    """``beta_1..beta_T`` equally spaced from ``beta_start`` to ``beta_end`` (float64, (T,))."""
    T = _posint("T", T)
    b0 = _real("beta_start", beta_start, low=0.0, high=1.0, open_low=True)
    b1 = _real("beta_end", beta_end, low=0.0, high=1.0, open_low=True)
    if b0 >= 1 or b1 >= 1:
        raise ValueError(f"beta_start and beta_end must be < 1, got {b0}, {b1}")
    return np.linspace(b0, b1, T)


def alpha_bar(betas: Any) -> np.ndarray:
    """``abar_t = prod_{s=1}^t (1 - beta_s)`` for ``t = 0..T``, shape (T+1,), ``abar_0 = 1``.

    Implements (eq-fd-marginal)'s coefficient. Computed as ``exp(cumsum(log1p(-beta)))``.
    """
    b = _betas(betas)
    return np.concatenate([[1.0], np.exp(np.cumsum(np.log1p(-b)))])


def q_sample(x0: Any, t: int, betas: Any, generator: np.random.Generator | int = 0
             ) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``x_t | x_0`` from the closed form (eq-fd-marginal).

    Parameters
    ----------
    x0 : array_like, shape (n,) or (n, d)
    t : int in [0, T]
    betas : array_like, shape (T,)
    generator : numpy Generator or int seed

    Returns
    -------
    (x_t, eps) : two float64 arrays shaped like ``x0``
    """
    x0 = _array("x0", x0, (1, 2))
    b = _betas(betas)
    t = _step(t, b.size)
    rng = _rng("generator", generator)
    ab = alpha_bar(b)[t]
    eps = rng.standard_normal(x0.shape)
    return math.sqrt(ab) * x0 + math.sqrt(1.0 - ab) * eps, eps


def q_posterior(x0: Any, xt: Any, t: int, betas: Any) -> tuple[np.ndarray, float]:
    """Mean and variance of ``q(x_{t-1} | x_t, x_0)`` (eq-fd-posterior), ``t`` in ``[1, T]``.

    ``mean = (sqrt(abar_{t-1}) beta_t x_0 + sqrt(1-beta_t)(1-abar_{t-1}) x_t) / (1-abar_t)``,
    ``var = beta_t (1-abar_{t-1}) / (1-abar_t)`` (the same for every coordinate).
    """
    b = _betas(betas)
    t = _step(t, b.size, low=1)
    x0 = _array("x0", x0, (0, 1, 2))
    xt = _array("xt", xt, (0, 1, 2))
    ab = alpha_bar(b)
    beta, a_prev, a_t = b[t - 1], ab[t - 1], ab[t]
    mean = (math.sqrt(a_prev) * beta * x0 + math.sqrt(1 - beta) * (1 - a_prev) * xt) / (1 - a_t)
    return mean, float(beta * (1 - a_prev) / (1 - a_t))


# ---------------------------------------------------------------------------------------------
# a Gaussian mixture: exact noised density and score


def _mix_args(x: Any, means: Any, std: Any, abar: Any) -> tuple:
    x = _array("x", x, 2)
    means = _array("means", means, 2)
    if means.shape[1] != x.shape[1]:
        raise ValueError(f"means must have shape (k, {x.shape[1]}), got {means.shape}")
    std = _real("std", std, low=0.0, open_low=True)
    abar = _real("abar", abar, low=0.0, high=1.0, open_low=True)
    return x, means, std, abar


def mixture_log_prob(x: Any, means: Any, std: float, abar: float = 1.0) -> np.ndarray:
    """``log p_t(x)`` for data ``(1/k) sum_j N(mu_j, std^2 I)`` noised to level ``abar``.

    ``p_t = (1/k) sum_j N(sqrt(abar) mu_j, (abar std^2 + 1 - abar) I)``; shape (n,).
    """
    x, means, std, abar = _mix_args(x, means, std, abar)
    v = abar * std**2 + 1 - abar
    d = x.shape[1]
    sq = ((x[:, None, :] - math.sqrt(abar) * means[None]) ** 2).sum(-1)
    return logsumexp(-sq / (2 * v), axis=1) - math.log(means.shape[0]) - 0.5 * d * math.log(
        2 * math.pi * v)


def mixture_score(x: Any, means: Any, std: float, abar: float = 1.0) -> np.ndarray:
    """``grad_x log p_t(x)`` of the noised mixture (see :func:`mixture_log_prob`), shape (n, d).

    The posterior-weighted pull towards the scaled means:
    ``sum_j r_j(x) (sqrt(abar) mu_j - x) / v`` with responsibilities ``r_j``.
    """
    x, means, std, abar = _mix_args(x, means, std, abar)
    v = abar * std**2 + 1 - abar
    m = math.sqrt(abar) * means
    logw = -((x[:, None, :] - m[None]) ** 2).sum(-1) / (2 * v)
    r = np.exp(logw - logsumexp(logw, axis=1, keepdims=True))
    return (r @ m - x) / v


def eps_star(x: Any, t: int, betas: Any, means: Any, std: float) -> np.ndarray:
    """The optimal noise predictor ``E[eps | x_t = x] = -sqrt(1 - abar_t) grad log p_t(x)``.

    Implements (eq-fd-tweedie) for mixture data; ``t`` in ``[1, T]``.
    """
    b = _betas(betas)
    t = _step(t, b.size, low=1)
    ab = float(alpha_bar(b)[t])
    return -math.sqrt(1 - ab) * mixture_score(x, means, std, ab)


# ---------------------------------------------------------------------------------------------
# the denoiser


class DenoiserMLP(nn.Module):
    """``eps_hat(x_t, t)``: an MLP on ``x_t`` and sinusoidal features of ``t / T``.

    Input ``d + 2 * n_freq`` (the features ``sin, cos`` of ``2^k pi t / T``, ``k < n_freq``),
    three hidden SiLU layers of width ``hidden``, output ``d``.

    Parameters
    ----------
    T : int
        Number of noise levels (for the time features).
    d : int
    hidden : int
    n_freq : int
    """

    def __init__(self, T: int, d: int = 2, hidden: int = 128, n_freq: int = 8) -> None:
        super().__init__()
        self.T, self.d = _posint("T", T), _posint("d", d)
        hidden, n_freq = _posint("hidden", hidden), _posint("n_freq", n_freq)
        self.register_buffer("freqs", math.pi * 2.0 ** torch.arange(n_freq,
                                                                     dtype=torch.float64))
        self.net = nn.Sequential(nn.Linear(d + 2 * n_freq, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, d))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """``x`` of shape (n, d), integer steps ``t`` of shape (n,) in ``[0, T]``."""
        x = _tensor("x", x, self.d)
        if not isinstance(t, torch.Tensor) or t.is_complex() or t.is_floating_point() \
                or t.dtype == torch.bool:
            raise TypeError(f"t must be an integer tensor of time steps, got "
                            f"{getattr(t, 'dtype', type(t).__name__)}")
        if t.shape != (x.shape[0],):
            raise ValueError(f"t must have shape ({x.shape[0]},), got {tuple(t.shape)}")
        if bool((t < 0).any()) or bool((t > self.T).any()):
            raise ValueError(f"t must hold time steps in [0, {self.T}]")
        ang = (t.to(x.dtype) / self.T)[:, None] * self.freqs.to(x.dtype)[None]
        return self.net(torch.cat([x, torch.sin(ang), torch.cos(ang)], dim=1))


def dsm_loss(model: Callable, x0: torch.Tensor, abar: torch.Tensor,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Denoising loss (eq-fd-dsm): mean over the batch of ``||eps_hat(x_t, t) - eps||^2``.

    ``t`` is uniform on ``1..T`` and ``eps ~ N(0, I)``; ``abar`` is the tensor of
    :func:`alpha_bar` (length ``T + 1``).
    """
    if not callable(model):
        raise TypeError(f"model must be callable (x_t, t) -> eps_hat, got {type(model).__name__}")
    x0 = _tensor("x0", x0)
    if not isinstance(abar, torch.Tensor) or abar.is_complex() or not abar.is_floating_point():
        raise TypeError(f"abar must be a real floating tensor, got {type(abar).__name__}")
    if abar.ndim != 1 or abar.numel() < 2:
        raise ValueError(f"abar must be a 1-D tensor of length T + 1 >= 2, got {tuple(abar.shape)}")
    if not bool(((abar > 0) & (abar <= 1)).all()):
        raise ValueError("abar must lie in (0, 1] (no NaN or inf)")
    T = abar.numel() - 1
    t = torch.randint(1, T + 1, (x0.shape[0],), generator=generator)
    eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype)
    a = abar.to(x0.dtype)[t][:, None]
    xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
    return ((model(xt, t) - eps) ** 2).sum(dim=1).mean()


def train_denoiser(model: DenoiserMLP, X: torch.Tensor, betas: Any, *, steps: int = 4000,
                   lr: float = 3e-3, batch_size: int = 512, seed: int = 0) -> np.ndarray:
    """Minimise :func:`dsm_loss` with Adam and a cosine schedule (in place); returns the losses.

    Minibatches are drawn with replacement from the rows of ``X``.
    """
    if not isinstance(model, DenoiserMLP):
        raise TypeError(f"model must be a DenoiserMLP, got {type(model).__name__}")
    X = _tensor("X", X, model.d)
    b = _betas(betas)
    if b.size != model.T:
        raise ValueError(f"betas must have length model.T={model.T}, got {b.size}")
    steps, batch_size = _posint("steps", steps), _posint("batch_size", batch_size)
    lr = _real("lr", lr, low=0.0, open_low=True)
    g = torch.Generator().manual_seed(_seed(seed))
    abar = torch.tensor(alpha_bar(b), dtype=X.dtype)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    losses = np.empty(steps)
    for k in range(steps):
        idx = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        loss = dsm_loss(model, X[idx], abar, g)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses[k] = float(loss.detach())
    return losses


def ddpm_sample(eps_fn: Callable[[np.ndarray, int], np.ndarray], n: int, betas: Any, *,
                d: int = 2, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Ancestral sampling (eq-fd-ddpm-step) from ``x_T ~ N(0, I)`` down to ``x_0``.

    ``x_{t-1} = (x_t - beta_t / sqrt(1-abar_t) eps_fn(x_t, t)) / sqrt(1-beta_t) + sigma_t z``
    with ``sigma_t^2 = beta_t (1-abar_{t-1}) / (1-abar_t)`` (the posterior variance) and no
    noise at the last step.

    Parameters
    ----------
    eps_fn : callable ``(x of shape (n, d), t) -> array of shape (n, d)``
    n : int
    betas : array_like, shape (T,)
    d : int
    seed : int or numpy Generator

    Returns
    -------
    ndarray of float64, shape (n, d)
    """
    if not callable(eps_fn):
        raise TypeError(f"eps_fn must be callable, got {type(eps_fn).__name__}")
    n, d = _posint("n", n), _posint("d", d)
    b = _betas(betas)
    ab = alpha_bar(b)
    rng = _rng("seed", seed)
    x = rng.standard_normal((n, d))
    for t in range(b.size, 0, -1):
        beta = b[t - 1]
        eps = np.asarray(eps_fn(x, t), dtype=np.float64)
        x = (x - beta / math.sqrt(1 - ab[t]) * eps) / math.sqrt(1 - beta)
        if t > 1:
            x = x + math.sqrt(beta * (1 - ab[t - 1]) / (1 - ab[t])) * rng.standard_normal((n, d))
    return x

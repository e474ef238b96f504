"""A small variational autoencoder with a Bernoulli decoder, and exact evaluation for a 2-D latent.

Implements a VAE for binary vectors (an amortised Gaussian encoder ``q(z | x) = N(mu(x),
diag sigma^2(x))``, a standard normal prior and a decoder of independent Bernoulli pixels), its
per-example ELBO with a weight ``beta`` on the KL term (analytic KL, reparameterised
reconstruction), the importance-weighted bound with the encoder as proposal, training with Adam,
and, for a two-dimensional latent space, the exact log-likelihood ``log p(x)`` and the KL divergence
from ``q(z | x)`` to the true posterior by quadrature on a latent grid.

Derived in: book/generative/vae.md (Variational inference and VAEs).
Depends on: numpy, torch; no other dlf module.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["VAE", "train_vae", "log_marginal_grid", "log_joint_grid", "gaussian_elbo_on_grid",
           "gaussian_elbo_grid", "posterior_kl_grid"]

_LOG2PI = math.log(2 * math.pi)
_CHUNK = 32  # examples per block in the grid computations (memory ~ _CHUNK * n_grid^2)


def _posint(name: str, x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < 1:
        raise ValueError(f"{name} must be >= 1, got {x}")
    return int(x)


def _positive(name: str, x: Any) -> float:
    if isinstance(x, bool) or isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {v}")
    return v


def _binary(name: str, x: Any, dim: int) -> torch.Tensor:
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got dtype {x.dtype}")
        x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor or ndarray, got {type(x).__name__}")
    if x.is_complex():
        raise TypeError(f"{name} must be real, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[1] != dim or x.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, {dim}) with n >= 1, got {tuple(x.shape)}")
    x = x.to(torch.float64)
    if not bool(((x == 0) | (x == 1)).all()):
        raise ValueError(f"{name} must contain only 0 and 1")
    return x


def _real_tensor(name: str, t: Any, shape_msg: str, ok) -> torch.Tensor:
    """``t`` checked to be a finite real non-empty tensor whose shape satisfies ``ok``."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(t).__name__}")
    if t.is_complex():
        raise TypeError(f"{name} must be real, got dtype {t.dtype}")
    if t.numel() == 0 or not ok(t.shape):
        raise ValueError(f"{name} must have shape {shape_msg}, got {tuple(t.shape)}")
    if not bool(torch.isfinite(t.detach()).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return t


def _generator(generator: Any) -> torch.Generator | None:
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


class VAE(nn.Module):
    """Encoder ``d-h-2m`` and decoder ``m-h-d`` with tanh hidden layers, in float64.

    The encoder outputs ``(mu, log sigma^2)`` of ``q(z | x)``; the decoder outputs the logits of
    ``d`` independent Bernoulli pixels; the prior is ``N(0, I_m)``.

    Parameters
    ----------
    d : int
        Data dimension (64 for 8x8 digits).
    m : int
        Latent dimension.
    hidden : int
        Width of the hidden layers.
    seed : int
        Seed of the initialisation.
    """

    def __init__(self, d: int = 64, m: int = 2, hidden: int = 128, seed: int = 0):
        super().__init__()
        self.d, self.m = _posint("d", d), _posint("m", m)
        hidden = _posint("hidden", hidden)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
        torch.manual_seed(int(seed))
        self.enc = nn.Sequential(nn.Linear(self.d, hidden), nn.Tanh(),
                                 nn.Linear(hidden, 2 * self.m)).double()
        self.dec = nn.Sequential(nn.Linear(self.m, hidden), nn.Tanh(),
                                 nn.Linear(hidden, self.d)).double()

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, log_var)`` of ``q(z | x)``, each of shape (n, m)."""
        x = _binary("x", x, self.d)
        out = self.enc(x)
        return out[:, :self.m], out[:, self.m:]

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits of ``p(x | z)``, shape (..., d), for ``z`` of shape (..., m)."""
        z = _real_tensor("z", z, f"(..., {self.m})", lambda s: s[-1:] == (self.m,))
        return self.dec(z.to(torch.float64))

    def log_likelihood(self, x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        """``log p(x | z) = sum_j [x_j l_j - softplus(l_j)]``; ``logits`` of shape (..., n, d).

        ``x`` has shape (n, d) with entries 0 or 1; the result has shape (..., n).
        """
        x = _binary("x", x, self.d)
        logits = _real_tensor("logits", logits, f"(..., {x.shape[0]}, {self.d})",
                              lambda s: len(s) >= 2 and s[-2:] == x.shape)
        return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits),
                                                   reduction="none").sum(-1)

    def elbo(self, x: torch.Tensor, beta: float = 1.0, generator: torch.Generator | None = None,
             n_samples: int = 1) -> torch.Tensor:
        """Per-example ``E_q log p(x | z) - beta KL(q(z | x) || N(0, I))`` (eq-vae-beta-elbo).

        The KL term is analytic; the reconstruction term is averaged over ``n_samples``
        reparameterised draws ``z = mu + sigma * eps``. Returns a tensor of shape (n,).
        """
        x = _binary("x", x, self.d)
        beta = _positive("beta", beta)
        n_samples = _posint("n_samples", n_samples)
        generator = _generator(generator)
        mu, log_var = self.encode(x)
        eps = torch.randn((n_samples,) + mu.shape, generator=generator, dtype=torch.float64)
        z = mu + torch.exp(0.5 * log_var) * eps
        rec = self.log_likelihood(x, self.decode_logits(z)).mean(0)
        kl = 0.5 * (mu ** 2 + log_var.exp() - 1 - log_var).sum(-1)
        return rec - beta * kl

    def kl_term(self, x: torch.Tensor) -> torch.Tensor:
        """Per-example ``KL(q(z | x) || N(0, I))`` (the "rate"), shape (n,)."""
        mu, log_var = self.encode(x)
        return 0.5 * (mu ** 2 + log_var.exp() - 1 - log_var).sum(-1)

    def log_weights(self, x: torch.Tensor, K: int, generator: torch.Generator | None = None,
                    chunk: int = 100) -> torch.Tensor:
        """Log importance weights ``log p(x, z_k) - log q(z_k | x)``, ``z_k ~ q(z | x)`` iid.

        Returns a tensor of shape (K, n), without gradient; ``logsumexp`` over the first ``k``
        rows minus ``log k`` is a draw of the bound ``L_k`` (thm-vae-iwae) for every ``k <= K``.
        Draws are made in chunks of ``chunk`` examples.
        """
        x = _binary("x", x, self.d)
        K, chunk = _posint("K", K), _posint("chunk", chunk)
        generator = _generator(generator)
        outs = []
        with torch.no_grad():
            mu_all, lv_all = self.encode(x)
            for i in range(0, x.shape[0], chunk):
                xb, mu, lv = x[i:i + chunk], mu_all[i:i + chunk], lv_all[i:i + chunk]
                eps = torch.randn((K,) + mu.shape, generator=generator, dtype=torch.float64)
                z = mu + torch.exp(0.5 * lv) * eps
                log_q = -0.5 * (_LOG2PI + lv + eps ** 2).sum(-1)
                log_prior = -0.5 * (_LOG2PI + z ** 2).sum(-1)
                outs.append(self.log_likelihood(xb, self.decode_logits(z)) + log_prior - log_q)
        return torch.cat(outs, 1)

    def iwae(self, x: torch.Tensor, K: int, generator: torch.Generator | None = None,
             chunk: int = 100) -> torch.Tensor:
        """Per-example estimate ``log (1/K) sum_k p(x, z_k) / q(z_k | x)``, ``z_k ~ q(z | x)``.

        Its mean is the bound ``L_K`` (thm-vae-iwae); with ``K = 1`` it is a one-draw ELBO
        estimate (the full Monte Carlo, KL included). Draws are made in chunks of ``chunk``
        examples (see :meth:`log_weights`). Returns a tensor of shape (n,), without gradient.
        """
        log_w = self.log_weights(x, K, generator, chunk)
        return torch.logsumexp(log_w, 0) - math.log(log_w.shape[0])

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Pixel probabilities ``sigmoid(decoder(z))`` for ``n`` draws ``z ~ N(0, I)``, (n, d)."""
        n = _posint("n", n)
        generator = _generator(generator)
        with torch.no_grad():
            z = torch.randn(n, self.m, generator=generator, dtype=torch.float64)
            return torch.sigmoid(self.decode_logits(z))


def train_vae(X: Any, *, m: int = 2, hidden: int = 128, steps: int = 3000, lr: float = 2e-3,
              batch_size: int = 128, beta: float = 1.0, seed: int = 0,
              record_every: int = 100) -> tuple[VAE, list[tuple[int, float]]]:
    """Train a :class:`VAE` on binary rows ``X`` by Adam on the mean negative ``beta``-ELBO.

    One reparameterised draw per example per step; mini-batches are drawn with replacement
    from a seeded generator.

    Returns
    -------
    model : VAE
    history : list of (step, mean negative beta-ELBO of the current batch)
    """
    X = _binary("X", X, X.shape[1] if hasattr(X, "shape") and len(X.shape) == 2 else 64)
    steps, batch_size = _posint("steps", steps), _posint("batch_size", batch_size)
    record_every = _posint("record_every", record_every)
    lr, beta = _positive("lr", lr), _positive("beta", beta)
    model = VAE(X.shape[1], m, hidden, seed)
    gen = torch.Generator().manual_seed(int(seed) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for t in range(steps):
        idx = torch.randint(0, X.shape[0], (batch_size,), generator=gen)
        loss = -model.elbo(X[idx], beta=beta, generator=gen).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if t % record_every == 0 or t == steps - 1:
            history.append((t, float(loss.detach())))
    return model, history


def _grid(model: VAE, n_grid: int, lim: float):
    if not isinstance(model, VAE):
        raise TypeError(f"model must be a VAE, got {type(model).__name__}")
    if model.m != 2:
        raise ValueError(f"model must have a 2-dimensional latent space, got m={model.m}")
    n_grid, lim = _posint("n_grid", n_grid), _positive("lim", lim)
    if n_grid < 10:
        raise ValueError(f"n_grid must be >= 10, got {n_grid}")
    t = torch.linspace(-lim, lim, n_grid, dtype=torch.float64)
    Z = torch.cartesian_prod(t, t)
    log_area = 2 * math.log(float(t[1] - t[0]))
    return Z, log_area


def _grid_terms(model: VAE, Z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Decoder logits at the grid points (G, d) and ``log p(z) - sum softplus(logits)`` (G,)."""
    with torch.no_grad():
        logits = model.decode_logits(Z)
        return logits, -F.softplus(logits).sum(-1) - 0.5 * (_LOG2PI * 2 + (Z ** 2).sum(-1))


def _log_joint_grid(x: torch.Tensor, terms: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """``log p(x, z) = x . logits - sum softplus(logits) + log p(z)``, shape (n, G)."""
    return x @ terms[0].T + terms[1]


def _log_q_grid(Z: torch.Tensor, mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """``log N(z; mu, diag exp(log_var))`` for each row of ``mu`` and grid point, shape (n, G)."""
    quad = ((Z[None, :, 0] - mu[:, :1]) ** 2 / log_var[:, :1].exp()
            + (Z[None, :, 1] - mu[:, 1:]) ** 2 / log_var[:, 1:].exp())
    return -0.5 * (2 * _LOG2PI + log_var.sum(-1, keepdim=True) + quad)


def log_marginal_grid(model: VAE, x: Any, n_grid: int = 300, lim: float = 6.0) -> torch.Tensor:
    """Exact ``log p(x) = log int p(x | z) p(z) dz`` by a Riemann sum on ``[-lim, lim]^2``.

    Latent dimension 2 only (``ValueError`` otherwise). Returns shape (n,).
    """
    Z, log_area = _grid(model, n_grid, lim)
    x = _binary("x", x, model.d)
    terms = _grid_terms(model, Z)
    return torch.cat([torch.logsumexp(_log_joint_grid(x[i:i + _CHUNK], terms), 1) + log_area
                      for i in range(0, x.shape[0], _CHUNK)])


def log_joint_grid(model: VAE, x: Any, n_grid: int = 300, lim: float = 6.0
                   ) -> tuple[torch.Tensor, float, torch.Tensor]:
    """The latent grid and ``log p(x, z)`` on it, for reuse by :func:`gaussian_elbo_on_grid`.

    Returns ``(Z, log_area, log_joint)``: grid points (G, 2) on ``[-lim, lim]^2``, the log of the
    cell area, and ``log p(x, z)`` of shape (n, G), without gradient. Latent dimension 2 only.
    """
    Z, log_area = _grid(model, n_grid, lim)
    x = _binary("x", x, model.d)
    terms = _grid_terms(model, Z)
    return Z, log_area, torch.cat([_log_joint_grid(x[i:i + _CHUNK], terms)
                                   for i in range(0, x.shape[0], _CHUNK)])


def gaussian_elbo_on_grid(Z: torch.Tensor, log_area: float, log_joint: torch.Tensor,
                          mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """``int q(z) [log p(x, z) - log q(z)] dz`` for ``q = N(mu, diag exp(log_var))``, per row.

    A Riemann sum on the grid returned by :func:`log_joint_grid`; differentiable in ``mu`` and
    ``log_var`` (shape (n, 2)). Returns shape (n,).
    """
    Z = _real_tensor("Z", Z, "(G, 2)", lambda s: len(s) == 2 and s[1] == 2)
    if isinstance(log_area, bool) or not isinstance(log_area, (int, float)) or \
            not math.isfinite(log_area):
        raise TypeError(f"log_area must be a finite float, got {log_area!r}")
    log_joint = _real_tensor("log_joint", log_joint, f"(n, {Z.shape[0]})",
                             lambda s: len(s) == 2 and s[1] == Z.shape[0])
    n = log_joint.shape[0]
    for name, a in (("mu", mu), ("log_var", log_var)):
        _real_tensor(name, a, f"({n}, 2)", lambda s: s == (n, 2))
    outs = []
    for i in range(0, n, _CHUNK):
        sl = slice(i, i + _CHUNK)
        log_q = _log_q_grid(Z, mu[sl], log_var[sl])
        outs.append((torch.exp(log_q + log_area) * (log_joint[sl] - log_q)).sum(-1))
    return torch.cat(outs)


def gaussian_elbo_grid(model: VAE, x: Any, mu: torch.Tensor, log_var: torch.Tensor,
                       n_grid: int = 300, lim: float = 6.0) -> torch.Tensor:
    """ELBO of ``q = N(mu, diag exp(log_var))`` per example, by quadrature on the latent grid.

    ``int q(z) [log p(x, z) - log q(z)] dz`` with the grid of :func:`log_marginal_grid`;
    differentiable in ``mu`` and ``log_var`` (shape (n, 2)). Returns shape (n,).
    """
    Z, log_area, log_joint = log_joint_grid(model, x, n_grid, lim)
    return gaussian_elbo_on_grid(Z, log_area, log_joint, mu, log_var)


def posterior_kl_grid(model: VAE, x: Any, n_grid: int = 300, lim: float = 6.0) -> torch.Tensor:
    """``KL(q(z | x) || p(z | x))`` per example, with the true posterior on the latent grid.

    ``p(z | x) = p(x, z) / p(x)`` with ``p(x)`` from :func:`log_marginal_grid`; the KL is a
    Riemann sum of ``q log(q / p(z | x))``. Latent dimension 2 only. Returns shape (n,).
    """
    Z, log_area = _grid(model, n_grid, lim)
    x = _binary("x", x, model.d)
    outs, terms = [], _grid_terms(model, Z)
    with torch.no_grad():
        mu_all, lv_all = model.encode(x)
        for i in range(0, x.shape[0], _CHUNK):
            sl = slice(i, i + _CHUNK)
            log_joint = _log_joint_grid(x[sl], terms)
            log_post = log_joint - (torch.logsumexp(log_joint, 1, keepdim=True) + log_area)
            log_q = _log_q_grid(Z, mu_all[sl], lv_all[sl])
            outs.append((torch.exp(log_q + log_area) * (log_q - log_post)).sum(-1))
    return torch.cat(outs)

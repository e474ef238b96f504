"""Variational inference: Monte Carlo, gradient estimators, KL fits, Laplace, the ELBO and IWAE.

Implements the pieces of variational inference that can be checked exactly: the Kullback-Leibler
divergence between Gaussians (univariate and full-covariance), per-sample score-function and
reparameterisation estimates of the gradient of a Gaussian expectation, a one-dimensional Gaussian
fitted to a density on a grid by either direction of the KL divergence, the mean-field fit of a
correlated Gaussian in closed form, the Laplace approximation of a log-integral, the conjugate
linear-Gaussian latent model (evidence, posterior and closed-form ELBO) and the importance-weighted
bound, both as an estimate from log-weights and exactly for a discrete latent variable.

Derived in: book/generative/vae.md (Variational inference and VAEs).
Depends on: numpy, scipy (optimize, special), torch; no other dlf module.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from scipy.optimize import minimize
from scipy.special import gammaln, logsumexp

__all__ = [
    "gaussian_kl",
    "gaussian_kl_full",
    "score_function_grads",
    "reparam_grads",
    "LinearGaussianModel",
    "laplace_log_integral",
    "fit_gaussian_1d",
    "mean_field_gaussian",
    "iwae_estimate",
    "iwae_exact_discrete",
]

_LOG2PI = math.log(2 * math.pi)


# ---------------------------------------------------------------------------------------------
# validation


def _real(name: str, x: Any) -> float:
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be real, got complex {x!r}")
    if isinstance(x, bool):
        raise TypeError(f"{name} must be a real number, got bool")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def _positive(name: str, x: Any) -> float:
    v = _real(name, x)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {v}")
    return v


def _posint(name: str, x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < 1:
        raise ValueError(f"{name} must be >= 1, got {x}")
    return int(x)


def _array(name: str, x: Any, *, ndim: int | None = None, allow_neg_inf: bool = False
           ) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x)
    except Exception as err:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} must be array_like, got {type(x).__name__}") from err
    if a.dtype == object or a.dtype.kind in "USV":
        raise TypeError(f"{name} must be numeric, got dtype {a.dtype}")
    if np.iscomplexobj(a):
        raise TypeError(f"{name} must be real, got complex dtype {a.dtype}")
    a = a.astype(np.float64)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    bad = np.isnan(a) | (a == np.inf) | ((a == -np.inf) if not allow_neg_inf else False)
    if np.any(bad):
        raise ValueError(f"{name} must be finite" + (" (or -inf)" if allow_neg_inf else ""))
    return a


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}")
    return int(seed)


# ---------------------------------------------------------------------------------------------
# Gaussian KL divergences


def gaussian_kl(mu_q: Any, var_q: Any, mu_p: Any = 0.0, var_p: Any = 1.0) -> np.ndarray:
    """``KL(N(mu_q, var_q) || N(mu_p, var_p))`` for univariate Gaussians, elementwise.

    Implements (eq-vae-gauss-kl):
    ``(log(var_p / var_q) + (var_q + (mu_q - mu_p)^2) / var_p - 1) / 2``.
    Sum the result over independent coordinates for a diagonal Gaussian.

    Parameters
    ----------
    mu_q, var_q, mu_p, var_p : array_like (broadcastable)
        Means and variances (variances > 0).

    Returns
    -------
    ndarray of float64, the broadcast shape (0-d for scalars).
    """
    mu_q, mu_p = _array("mu_q", mu_q), _array("mu_p", mu_p)
    var_q, var_p = _array("var_q", var_q), _array("var_p", var_p)
    for name, v in (("var_q", var_q), ("var_p", var_p)):
        if np.any(v <= 0):
            raise ValueError(f"{name} must be > 0, got min {v.min()}")
    return 0.5 * (np.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1.0)


def gaussian_kl_full(mu_q: Any, cov_q: Any, mu_p: Any, cov_p: Any) -> float:
    """``KL(N(mu_q, cov_q) || N(mu_p, cov_p))`` for d-dimensional Gaussians.

    ``(tr(cov_p^{-1} cov_q) + (mu_p - mu_q)^T cov_p^{-1} (mu_p - mu_q) - d
    + log det cov_p - log det cov_q) / 2``.

    Parameters
    ----------
    mu_q, mu_p : array_like, shape (d,)
    cov_q, cov_p : array_like, shape (d, d), symmetric positive definite.
    """
    mu_q, mu_p = _array("mu_q", mu_q, ndim=1), _array("mu_p", mu_p, ndim=1)
    d = mu_q.size
    if mu_p.size != d:
        raise ValueError(f"mu_p must have shape ({d},), got {mu_p.shape}")
    covs = []
    for name, c in (("cov_q", cov_q), ("cov_p", cov_p)):
        c = _array(name, c, ndim=2)
        if c.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}), got {c.shape}")
        if not np.allclose(c, c.T, rtol=1e-10, atol=1e-12):
            raise ValueError(f"{name} must be symmetric")
        try:
            covs.append(np.linalg.cholesky(c))
        except np.linalg.LinAlgError as err:
            raise ValueError(f"{name} must be positive definite") from err
    lq, lp = covs
    a = np.linalg.solve(lp, lq)
    b = np.linalg.solve(lp, mu_p - mu_q)
    logdet = 2 * (np.log(np.diag(lp)).sum() - np.log(np.diag(lq)).sum())
    return float(0.5 * (np.sum(a * a) + b @ b - d + logdet))


# ---------------------------------------------------------------------------------------------
# gradient estimators


def _draws(f, mu, sigma, n, seed):
    mu, sigma = _real("mu", mu), _positive("sigma", sigma)
    n, seed = _posint("n", n), _seed(seed)
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    gen = torch.Generator().manual_seed(seed)
    eps = torch.randn(n, generator=gen, dtype=torch.float64)
    return mu, sigma, eps


def _values(f, z, name="f"):
    out = f(z)
    if not isinstance(out, torch.Tensor) or out.shape != z.shape:
        raise ValueError(f"{name} must map a tensor of shape {tuple(z.shape)} to a tensor of the "
                         "same shape (elementwise)")
    return out


def score_function_grads(f: Callable, mu: float, sigma: float, n: int, seed: int = 0
                         ) -> np.ndarray:
    """Per-sample score-function (REINFORCE) estimates of the gradient of ``E f(z)``.

    For ``z ~ N(mu, sigma^2)`` the identity ``grad E f(z) = E[f(z) grad log q(z)]``
    (prop-vae-estimators) gives the single-draw estimates ``f(z)(z - mu)/sigma^2`` (for ``mu``) and
    ``f(z)((z - mu)^2/sigma^3 - 1/sigma)`` (for ``sigma``). Only values of ``f`` are used.

    Parameters
    ----------
    f : callable
        Maps a float64 tensor of shape (n,) elementwise to a tensor of shape (n,).
    mu, sigma : float
        Mean and standard deviation (``sigma > 0``).
    n : int
        Number of draws.
    seed : int
        Seed of the draws ``eps ~ N(0, 1)``, ``z = mu + sigma * eps``; the same seed gives the same
        ``z`` as :func:`reparam_grads`.

    Returns
    -------
    ndarray of float64, shape (n, 2)
        Columns: estimates for ``d/dmu`` and ``d/dsigma``; their mean is unbiased.
    """
    mu, sigma, eps = _draws(f, mu, sigma, n, seed)
    z = mu + sigma * eps
    with torch.no_grad():
        fz = _values(f, z)
    g_mu = fz * eps / sigma
    g_sigma = fz * (eps ** 2 - 1) / sigma
    return torch.stack([g_mu, g_sigma], dim=1).numpy()


def reparam_grads(f: Callable, mu: float, sigma: float, n: int, seed: int = 0) -> np.ndarray:
    """Per-sample reparameterisation (pathwise) estimates of the gradient of ``E f(z)``.

    With ``z = mu + sigma * eps``, ``eps ~ N(0, 1)``: ``grad E f(z) = E[f'(z) (1, eps)]``
    (prop-vae-estimators). ``f'`` is taken by autograd, so ``f`` must be differentiable in torch.

    Parameters and returns as in :func:`score_function_grads`.
    """
    mu, sigma, eps = _draws(f, mu, sigma, n, seed)
    z = (mu + sigma * eps).requires_grad_(True)
    fz = _values(f, z)
    (df,) = torch.autograd.grad(fz.sum(), z)
    return torch.stack([df, df * eps], dim=1).detach().numpy()


# ---------------------------------------------------------------------------------------------
# the linear-Gaussian latent model


class LinearGaussianModel:
    """``z ~ N(0, 1)``, ``x | z ~ N(w z, s2)``: evidence, posterior and ELBO in closed form.

    Parameters
    ----------
    w : float
        Loading.
    s2 : float
        Observation noise variance (> 0).
    """

    def __init__(self, w: float, s2: float):
        self.w = _real("w", w)
        self.s2 = _positive("s2", s2)

    def log_joint(self, x: float, z: Any) -> np.ndarray:
        """``log p(x, z) = log N(z; 0, 1) + log N(x; w z, s2)``, elementwise in ``z``."""
        x = _real("x", x)
        z = _array("z", z)
        return (-0.5 * (_LOG2PI + z ** 2)
                - 0.5 * (_LOG2PI + math.log(self.s2) + (x - self.w * z) ** 2 / self.s2))

    def log_evidence(self, x: float) -> float:
        """``log p(x) = log N(x; 0, w^2 + s2)``."""
        x = _real("x", x)
        v = self.w ** 2 + self.s2
        return -0.5 * (_LOG2PI + math.log(v) + x * x / v)

    def posterior(self, x: float) -> tuple[float, float]:
        """Mean and variance of ``p(z | x)``: ``v = s2 / (s2 + w^2)``, ``m = v w x / s2``."""
        x = _real("x", x)
        v = self.s2 / (self.s2 + self.w ** 2)
        return v * self.w * x / self.s2, v

    def elbo(self, x: float, m: float, v: float) -> float:
        """Closed-form ELBO of ``q = N(m, v)``: ``E_q log p(x, z) + H(q)`` (eq-vae-elbo)."""
        x, m, v = _real("x", x), _real("m", m), _positive("v", v)
        rec = -0.5 * (_LOG2PI + math.log(self.s2) + ((x - self.w * m) ** 2 + self.w ** 2 * v)
                      / self.s2)
        prior = -0.5 * (_LOG2PI + m * m + v)
        entropy = 0.5 * (_LOG2PI + 1 + math.log(v))
        return rec + prior + entropy


# ---------------------------------------------------------------------------------------------
# Laplace and one-dimensional KL fits


def laplace_log_integral(ell_min: float, hessian: Any, n: float) -> float:
    """Laplace approximation of ``log int exp(-n ell(w)) dw`` over ``R^d``.

    ``-n ell(w*) + (d/2) log(2 pi / n) - (1/2) log det H`` with ``H`` the Hessian of ``ell`` at
    its minimiser ``w*`` (eq-vae-laplace).

    Parameters
    ----------
    ell_min : float
        ``ell(w*)``.
    hessian : array_like, shape (d, d) or scalar
        Symmetric positive definite.
    n : float
        The large parameter (> 0).
    """
    ell_min, n = _real("ell_min", ell_min), _positive("n", n)
    h = _array("hessian", hessian)
    h = h.reshape(1, 1) if h.ndim == 0 else h
    if h.ndim != 2 or h.shape[0] != h.shape[1]:
        raise ValueError(f"hessian must be a scalar or a square matrix, got shape {h.shape}")
    sign, logdet = np.linalg.slogdet(h)
    if sign <= 0 or np.any(np.linalg.eigvalsh((h + h.T) / 2) <= 0):
        raise ValueError("hessian must be positive definite")
    d = h.shape[0]
    return float(-n * ell_min + 0.5 * d * math.log(2 * math.pi / n) - 0.5 * logdet)


def fit_gaussian_1d(log_p: Any, grid: Any, direction: str, mu0: float = 0.0, var0: float = 1.0
                    ) -> tuple[float, float, float]:
    """Fit ``q = N(mu, var)`` to a density on a uniform grid by minimising a KL divergence.

    ``direction="reverse"`` minimises ``KL(q || p) = int q log(q / p)`` (mode seeking);
    ``direction="forward"`` minimises ``KL(p || q) = int p log(p / q)`` (mass covering). Both
    integrals are trapezoid sums on ``grid``; the minimisation is BFGS over ``(mu, log var)``
    started at ``(mu0, var0)``.

    Parameters
    ----------
    log_p : array_like, shape (g,)
        Log of a normalised density at the grid points (``-inf`` allowed).
    grid : array_like, shape (g,)
        Increasing, equally spaced, ``g >= 3``.
    direction : {"reverse", "forward"}
    mu0, var0 : float
        Starting point.

    Returns
    -------
    mu, var, kl : float
    """
    grid = _array("grid", grid, ndim=1)
    log_p = _array("log_p", log_p, ndim=1, allow_neg_inf=True)
    if grid.size < 3 or log_p.shape != grid.shape:
        raise ValueError(f"grid must have >= 3 points and log_p its shape, got {grid.shape} and "
                         f"{log_p.shape}")
    dz = np.diff(grid)
    if np.any(dz <= 0) or not np.allclose(dz, dz[0], rtol=1e-8):
        raise ValueError("grid must be increasing and equally spaced")
    if direction not in ("reverse", "forward"):
        raise ValueError(f"direction must be 'reverse' or 'forward', got {direction!r}")
    mu0, var0 = _real("mu0", mu0), _positive("var0", var0)
    wts = np.full(grid.size, dz[0])
    wts[[0, -1]] *= 0.5
    p = np.exp(log_p)
    log_p_safe = np.where(np.isfinite(log_p), log_p, -1e300)

    def log_q(t):
        mu, lv = t
        return -0.5 * (_LOG2PI + lv + (grid - mu) ** 2 / math.exp(lv))

    def kl(t):
        lq = log_q(t)
        if direction == "reverse":
            q = np.exp(lq)
            return float(np.sum(wts * q * (lq - np.maximum(log_p_safe, -1e4))))
        mask = p > 0
        return float(np.sum((wts * p * (log_p - lq))[mask]))

    res = minimize(kl, np.array([mu0, math.log(var0)]), method="BFGS",
                   options={"gtol": 1e-10, "maxiter": 500})
    return float(res.x[0]), float(math.exp(res.x[1])), float(res.fun)


def mean_field_gaussian(mean: Any, cov: Any, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """Best fully factorised Gaussian for ``p = N(mean, cov)``, in closed form.

    ``"reverse"`` (minimise ``KL(q || p)``): ``q_i = N(mean_i, 1 / Lambda_ii)`` with
    ``Lambda = cov^{-1}``; ``"forward"`` (minimise ``KL(p || q)``): ``q_i = N(mean_i, cov_ii)``.

    Returns
    -------
    mean, variances : ndarray, shape (d,)
    """
    mean = _array("mean", mean, ndim=1)
    cov = _array("cov", cov, ndim=2)
    if cov.shape != (mean.size, mean.size):
        raise ValueError(f"cov must have shape ({mean.size}, {mean.size}), got {cov.shape}")
    if not np.allclose(cov, cov.T) or np.any(np.linalg.eigvalsh(cov) <= 0):
        raise ValueError("cov must be symmetric positive definite")
    if direction == "reverse":
        return mean.copy(), 1.0 / np.diag(np.linalg.inv(cov))
    if direction == "forward":
        return mean.copy(), np.diag(cov).copy()
    raise ValueError(f"direction must be 'reverse' or 'forward', got {direction!r}")


# ---------------------------------------------------------------------------------------------
# importance-weighted bounds


def iwae_estimate(log_w: Any) -> np.ndarray:
    """``log((1/K) sum_k w_k)`` along the last axis, computed stably from ``log_w``.

    With ``w_k = p(x, z_k) / q(z_k)``, ``z_k ~ q`` independent, this is an unbiased-in-``w``,
    downward-biased-in-log estimate whose mean is the bound ``L_K`` (thm-vae-iwae).

    Parameters
    ----------
    log_w : array_like, shape (..., K)
        Log importance weights (``-inf`` allowed, not all of a row).
    """
    log_w = _array("log_w", log_w, allow_neg_inf=True)
    if log_w.ndim == 0:
        raise ValueError("log_w must have at least one dimension (the K draws)")
    out = logsumexp(log_w, axis=-1) - math.log(log_w.shape[-1])
    if np.any(~np.isfinite(out)):
        raise ValueError("log_w must have a finite entry in every row")
    return out


def _compositions(K: int, C: int):
    """All count vectors of length C summing to K (stars and bars)."""
    for bars in itertools.combinations(range(K + C - 1), C - 1):
        prev, counts = -1, []
        for b in bars:
            counts.append(b - prev - 1)
            prev = b
        counts.append(K + C - 2 - prev)
        yield counts


def iwae_exact_discrete(log_joint: Any, q: Any, K: int) -> float:
    """Exact ``L_K = E log((1/K) sum_k p(x, z_k) / q(z_k))`` for a discrete latent ``z``.

    The draws ``z_1..z_K ~ q`` enter only through their counts ``(n_1, .., n_C)``, which are
    multinomial; the expectation is the sum over all count vectors (there are
    ``binom(K + C - 1, C - 1)`` of them; at most 10^6 are allowed).

    Parameters
    ----------
    log_joint : array_like, shape (C,)
        ``log p(x, z = c)`` for the observed ``x``.
    q : array_like, shape (C,)
        Proposal probabilities (> 0, summing to 1).
    K : int
        Number of importance samples.
    """
    log_joint = _array("log_joint", log_joint, ndim=1)
    q = _array("q", q, ndim=1)
    K = _posint("K", K)
    C = q.size
    if log_joint.size != C:
        raise ValueError(f"log_joint and q must have the same length, got {log_joint.size}, {C}")
    if np.any(q <= 0) or abs(q.sum() - 1) > 1e-10:
        raise ValueError("q must be positive and sum to 1")
    if math.comb(K + C - 1, C - 1) > 10 ** 6:
        raise ValueError(f"K={K} with {C} states gives too many count vectors to enumerate")
    counts = np.array(list(_compositions(K, C)), dtype=np.float64)
    log_w = log_joint - np.log(q)
    log_prob = (gammaln(K + 1) - gammaln(counts + 1).sum(1)
                + np.where(counts > 0, counts * np.log(q), 0.0).sum(1))
    with np.errstate(divide="ignore"):
        val = logsumexp(np.log(counts) + log_w, axis=1) - math.log(K)
    return float(np.sum(np.exp(log_prob) * val))

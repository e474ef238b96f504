"""PAC-Bayes bounds and a non-vacuous bound for a trained network.

Implements the binary relative entropy ``kl(q || p)`` and its upper inverse, Maurer's constant
``xi(n)``, the Gaussian KL divergence, the kl (Langford-Seeger-Maurer) and McAllester forms of the
PAC-Bayes bound, the sample-convergence bound for a Monte Carlo estimate of a Gibbs risk, and the
pieces of the Dziugaite-Roy recipe for a small multilayer perceptron: a functional MLP that runs
many sampled parameter vectors at once, a diagonal :class:`GaussianPosterior`, posterior
optimization on the bound, and the final bound with a union bound over a grid of prior scales.

Derived in: book/generalization/gen-modern.md (Beyond uniform convergence).
Depends on: numpy, scipy (special functions), torch; no other dlf module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.special import gammaln

__all__ = [
    "kl_bernoulli",
    "kl_inverse",
    "maurer_xi",
    "gaussian_kl",
    "kl_bound",
    "mcallester_bound",
    "sample_convergence_bound",
    "mlp_num_params",
    "mlp_init",
    "mlp_logits",
    "GaussianPosterior",
    "train_sgd",
    "optimize_posterior",
    "gibbs_errors",
    "PacBayesResult",
    "pac_bayes_bound",
]


# ---------------------------------------------------------------------------------------------
# validation


def _prob(name: str, x: Any, *, open_low: bool = False, open_high: bool = False) -> float:
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be real, got complex {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    lo_bad = v <= 0 if open_low else v < 0
    hi_bad = v >= 1 if open_high else v > 1
    if lo_bad or hi_bad:
        lo, hi = "(" if open_low else "[", ")" if open_high else "]"
        raise ValueError(f"{name} must lie in {lo}0, 1{hi}, got {v}")
    return v


def _nonneg(name: str, x: Any) -> float:
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be real, got complex {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {v}")
    return v


def _posint(name: str, x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < 1:
        raise ValueError(f"{name} must be >= 1, got {x}")
    return int(x)


def _positive(name: str, x: Any) -> float:
    v = _nonneg(name, x)
    if v == 0:
        raise ValueError(f"{name} must be > 0, got {v}")
    return v


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}")
    return int(seed)


def _tensor(name: str, x: Any, ndim: int | tuple[int, ...]) -> torch.Tensor:
    """``x`` checked to be a real, finite, non-empty torch tensor with ``ndim`` dimensions."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}")
    if x.is_complex():
        raise TypeError(f"{name} must be real, got dtype {x.dtype}")
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if x.ndim not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} dimension(s), "
                         f"got shape {tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
    if x.is_floating_point() and not bool(torch.isfinite(x.detach()).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def _inputs(name: str, X: Any, s: tuple[int, ...]) -> torch.Tensor:
    X = _tensor(name, X, 2)
    if X.shape[1] != s[0]:
        raise ValueError(f"{name} must have shape (n, {s[0]}), got {tuple(X.shape)}")
    return X


def _labels(name: str, y: Any, n: int, s: tuple[int, ...]) -> torch.Tensor:
    """Class labels: an integer tensor of shape (n,) with values in [0, s[-1])."""
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of class labels, got {type(y).__name__}")
    if y.is_complex() or y.is_floating_point() or y.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor of class labels, got dtype {y.dtype}")
    if tuple(y.shape) != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {tuple(y.shape)}")
    if bool((y < 0).any()) or bool((y >= s[-1]).any()):
        raise ValueError(f"{name} must hold class labels in [0, {s[-1] - 1}]")
    return y


def _flat_params(name: str, theta: Any, P: int, ndim: int | tuple[int, ...]) -> torch.Tensor:
    theta = _tensor(name, theta, ndim)
    if theta.shape[-1] != P:
        raise ValueError(f"{name} must have last dimension P={P}, got shape {tuple(theta.shape)}")
    return theta


def _check_posterior_args(post: Any, prior_mean: Any, X: Any, y: Any, sizes: Any, *,
                          delta: Any, num_priors: Any = 1, lr: Any = 1.0,
                          batch_size: Any = None) -> tuple[int, ...]:
    """Check the arguments of :func:`optimize_posterior` and :func:`pac_bayes_bound`."""
    _prob("delta", delta, open_low=True, open_high=True)
    _posint("num_priors", num_priors)
    _positive("lr", lr)
    if batch_size is not None:
        _posint("batch_size", batch_size)
    if not isinstance(post, GaussianPosterior):
        raise TypeError(f"post must be a GaussianPosterior, got {type(post).__name__}")
    s = _sizes(sizes)
    P = post.mean.numel()
    if mlp_num_params(s) != P:
        raise ValueError(f"sizes {s} give {mlp_num_params(s)} parameters, post has {P}")
    _flat_params("prior_mean", prior_mean, P, 1)
    _labels("y", y, _inputs("X", X, s).shape[0], s)
    return s


# ---------------------------------------------------------------------------------------------
# binary kl, its inverse, Maurer's constant, Gaussian KL


def kl_bernoulli(q: float, p: float) -> float:
    """Binary relative entropy ``kl(q||p) = q ln(q/p) + (1-q) ln((1-q)/(1-p))``.

    Implements (eq-gen-modern-binkl), with ``0 ln 0 = 0``; ``+inf`` when ``p`` is 0 or 1 and
    ``q`` differs from it.

    Parameters
    ----------
    q, p : float in [0, 1]
    """
    q, p = _prob("q", q), _prob("p", p)
    out = 0.0
    for a, b in ((q, p), (1 - q, 1 - p)):
        if a > 0:
            if b <= 0:
                return math.inf
            out += a * math.log(a / b)
    return max(out, 0.0)


def kl_inverse(q: float, c: float, *, tol: float = 1e-12) -> float:
    """Upper inverse ``kl^{-1}(q, c) = max{p in [q, 1] : kl(q||p) <= c}``.

    Bisection on ``p``, using that ``p -> kl(q||p)`` increases on ``[q, 1]``. Implements
    (eq-gen-modern-klinv). At ``q = 0`` the answer is ``1 - exp(-c)`` exactly.

    Parameters
    ----------
    q : float in [0, 1]
        Empirical risk.
    c : float >= 0
        Right-hand side (complexity term divided by ``n``).
    tol : float
        Width of the final bracket.
    """
    q, c = _prob("q", q), _nonneg("c", c)
    tol = _positive("tol", tol)
    if q == 0:
        return -math.expm1(-c)
    if q == 1:
        return 1.0
    lo, hi = q, 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if kl_bernoulli(q, mid) <= c:
            lo = mid
        else:
            hi = mid
    return hi


def maurer_xi(n: int) -> float:
    """Maurer's constant ``xi(n) = sum_k C(n,k) (k/n)^k (1-k/n)^(n-k)``.

    Implements (eq-gen-modern-xi), summed in log space (no overflow for large ``n``);
    ``sqrt(n) <= xi(n) <= 2 sqrt(n)`` for ``n >= 8``.

    Parameters
    ----------
    n : int >= 1
    """
    n = _posint("n", n)
    k = np.arange(n + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(k > 0, k * np.log(k / n), 0.0)
        t2 = np.where(k < n, (n - k) * np.log((n - k) / n), 0.0)
    logs = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + t1 + t2
    mx = logs.max()
    return float(math.exp(mx) * np.exp(logs - mx).sum())


def gaussian_kl(mu_q: Any, sigma_q: Any, mu_p: Any, sigma_p: Any) -> float:
    """KL divergence between diagonal Gaussians ``KL(N(mu_q, diag sigma_q^2) || N(mu_p, ...))``.

    Implements (eq-gen-modern-gausskl):
    ``1/2 sum_i [(sq_i^2 + (mq_i - mp_i)^2) / sp_i^2 - 1 + 2 ln(sp_i / sq_i)]`` with
    ``sq = sigma_q``, ``mq = mu_q``, ``sp = sigma_p``, ``mp = mu_p``.
    Scalars broadcast (an isotropic prior passes a float ``sigma_p``).

    Parameters
    ----------
    mu_q, sigma_q, mu_p, sigma_p : array_like, broadcastable to one shape (d,)
        Means and (positive) standard deviations.
    """
    arrs = []
    for name, a in (("mu_q", mu_q), ("sigma_q", sigma_q), ("mu_p", mu_p), ("sigma_p", sigma_p)):
        a = np.asarray(a.detach().cpu() if isinstance(a, torch.Tensor) else a)
        if np.iscomplexobj(a):
            raise TypeError(f"{name} must be real, got complex dtype {a.dtype}")
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be real numbers, got dtype {a.dtype}") from err
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite")
        arrs.append(a)
    mq, sq, mp, sp = arrs
    for name, s in (("sigma_q", sq), ("sigma_p", sp)):
        if np.any(s <= 0):
            raise ValueError(f"{name} must be positive, got min {s.min():.3g}")
    try:
        mq, sq, mp, sp = np.broadcast_arrays(mq, sq, mp, sp)
    except ValueError as err:
        raise ValueError(f"mu_q, sigma_q, mu_p, sigma_p must broadcast to one shape, got shapes "
                         f"{[a.shape for a in arrs]}") from err
    r = (sq / sp) ** 2
    return float(0.5 * np.sum(r + ((mq - mp) / sp) ** 2 - 1 - np.log(r)))


# ---------------------------------------------------------------------------------------------
# the bounds


def kl_bound(emp_risk: float, kl: float, n: int, delta: float) -> float:
    """PAC-Bayes-kl bound: ``kl^{-1}(emp_risk, (KL + ln(xi(n)/delta)) / n)``.

    Implements (eq-gen-modern-klbound) (Maurer's form of the Langford-Seeger bound) for a loss in
    ``[0, 1]``; holds with probability ``1 - delta`` simultaneously for all posteriors.

    Parameters
    ----------
    emp_risk : float in [0, 1]
        Empirical Gibbs risk ``E_Q hat L_S``.
    kl : float >= 0
        ``KL(Q || P)``.
    n : int >= 1
        Sample size.
    delta : float in (0, 1)
    """
    emp_risk, kl = _prob("emp_risk", emp_risk), _nonneg("kl", kl)
    n, delta = _posint("n", n), _prob("delta", delta, open_low=True, open_high=True)
    return kl_inverse(emp_risk, (kl + math.log(maurer_xi(n) / delta)) / n)


def mcallester_bound(emp_risk: float, kl: float, n: int, delta: float) -> float:
    """McAllester's form: ``emp_risk + sqrt((KL + ln(2 sqrt(n)/delta)) / (2n))``.

    Implements (eq-gen-modern-mcallester); follows from :func:`kl_bound` by Pinsker's
    inequality and ``xi(n) <= 2 sqrt(n)``, so it is never smaller (for ``n >= 8``).
    """
    emp_risk, kl = _prob("emp_risk", emp_risk), _nonneg("kl", kl)
    n, delta = _posint("n", n), _prob("delta", delta, open_low=True, open_high=True)
    return emp_risk + math.sqrt((kl + math.log(2 * math.sqrt(n) / delta)) / (2 * n))


def sample_convergence_bound(mc_risk: float, num_samples: int, delta: float) -> float:
    """Upper bound ``kl^{-1}(mc_risk, ln(2/delta)/M)`` on a Gibbs risk estimated by ``M`` draws.

    Implements (eq-gen-modern-samplebound): the Monte Carlo average of ``M`` independent
    ``[0, 1]``-valued losses exceeds the bound with probability at most ``delta``
    (Chernoff bound in kl form; ``ln(2/delta)`` as in Langford-Caruana).
    """
    mc_risk = _prob("mc_risk", mc_risk)
    M, delta = _posint("num_samples", num_samples), _prob("delta", delta, open_low=True,
                                                            open_high=True)
    return kl_inverse(mc_risk, math.log(2 / delta) / M)


# ---------------------------------------------------------------------------------------------
# a functional MLP that evaluates many parameter vectors at once


def _sizes(sizes: Any) -> tuple[int, ...]:
    try:
        s = tuple(sizes)
    except TypeError as err:
        raise TypeError(f"sizes must be a sequence of integers, got {sizes!r}") from err
    if len(s) < 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
                         for v in s):
        raise ValueError(f"sizes must be at least two positive integers, got {sizes!r}")
    return tuple(int(v) for v in s)


def mlp_num_params(sizes: Any) -> int:
    """Number of weights and biases of a fully connected net with layer widths ``sizes``."""
    s = _sizes(sizes)
    return sum(a * b + b for a, b in zip(s[:-1], s[1:], strict=True))


def mlp_init(sizes: Any, *, seed: int = 0) -> torch.Tensor:
    """He-initialized flat parameter vector (float64) for :func:`mlp_logits`, zero biases."""
    s = _sizes(sizes)
    g = torch.Generator().manual_seed(_seed(seed))
    parts = []
    for a, b in zip(s[:-1], s[1:], strict=True):
        parts.append(torch.randn(b * a, generator=g, dtype=torch.float64) * math.sqrt(2 / a))
        parts.append(torch.zeros(b, dtype=torch.float64))
    return torch.cat(parts)


def mlp_logits(theta: torch.Tensor, X: torch.Tensor, sizes: Any) -> torch.Tensor:
    """Logits of a ReLU MLP whose parameters are the flat vector(s) ``theta``.

    Parameters
    ----------
    theta : Tensor, shape (P,) or (M, P)
        One parameter vector, or ``M`` of them (sampled nets), in the layout of :func:`mlp_init`
        (per layer: weight ``(out, in)`` row-major, then bias).
    X : Tensor, shape (n, sizes[0])
    sizes : sequence of int

    Returns
    -------
    Tensor, shape (n, sizes[-1]) or (M, n, sizes[-1])
    """
    s = _sizes(sizes)
    theta = _flat_params("theta", theta, mlp_num_params(s), (1, 2))
    X = _inputs("X", X, s)
    return _logits(theta, X, s)


def _logits(theta: torch.Tensor, X: torch.Tensor, s: tuple[int, ...]) -> torch.Tensor:
    """:func:`mlp_logits` on checked arguments (the training loops call it every step)."""
    single = theta.ndim == 1
    th = theta[None] if single else theta
    h = X[None].expand(th.shape[0], *X.shape)
    i = 0
    for k, (a, b) in enumerate(zip(s[:-1], s[1:], strict=True)):
        W = th[:, i:i + a * b].reshape(-1, b, a)
        i += a * b
        c = th[:, i:i + b]
        i += b
        h = torch.baddbmm(c[:, None, :], h, W.transpose(1, 2))
        if k < len(s) - 2:
            h = torch.relu(h)
    return h[0] if single else h


def train_sgd(theta0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, sizes: Any, *,
              epochs: int = 30, lr: float = 0.05, batch_size: int = 32, momentum: float = 0.9,
              seed: int = 0) -> torch.Tensor:
    """Train the MLP from ``theta0`` by minibatch SGD with momentum on cross-entropy.

    Returns the trained parameters (a new tensor).
    """
    s = _sizes(sizes)
    theta0 = _flat_params("theta0", theta0, mlp_num_params(s), 1)
    X = _inputs("X", X, s)
    y = _labels("y", y, X.shape[0], s)
    epochs, batch_size = _posint("epochs", epochs), _posint("batch_size", batch_size)
    _positive("lr", lr)
    _nonneg("momentum", momentum)
    theta = theta0.detach().clone().requires_grad_(True)
    opt = torch.optim.SGD([theta], lr=lr, momentum=momentum)
    g = torch.Generator().manual_seed(_seed(seed))
    n = X.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for j in range(0, n, batch_size):
            idx = perm[j:j + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(_logits(theta, X[idx], s), y[idx])
            loss.backward()
            opt.step()
    return theta.detach()


# ---------------------------------------------------------------------------------------------
# Gaussian posterior and its optimization


class GaussianPosterior(torch.nn.Module):
    """Diagonal Gaussian ``Q = N(mean, diag(exp(2 log_std)))`` over a flat parameter vector.

    Also carries the log of an isotropic prior scale ``log_sigma_prior`` (trainable during the
    optimization; the final bound rounds it to a grid and pays a union bound).

    Parameters
    ----------
    mean : Tensor, shape (P,)
        Initial posterior mean (the trained weights).
    std : float
        Initial posterior standard deviation (all coordinates).
    sigma_prior : float
        Initial prior scale.
    """

    def __init__(self, mean: torch.Tensor, std: float = 1e-2, sigma_prior: float = 0.1) -> None:
        super().__init__()
        _tensor("mean", mean, 1)
        _positive("std", std)
        _positive("sigma_prior", sigma_prior)
        self.mean = torch.nn.Parameter(mean.detach().clone().to(torch.float64))
        self.log_std = torch.nn.Parameter(torch.full_like(self.mean, math.log(std)))
        self.log_sigma_prior = torch.nn.Parameter(torch.tensor(math.log(sigma_prior),
                                                               dtype=torch.float64))

    def sample(self, num: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``num`` reparametrized draws, shape (num, P) (differentiable in mean and log_std)."""
        num = _posint("num", num)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got "
                            f"{type(generator).__name__}")
        eps = torch.randn(num, self.mean.numel(), generator=generator, dtype=torch.float64)
        return self.mean + torch.exp(self.log_std) * eps

    def kl(self, prior_mean: torch.Tensor, sigma_prior: torch.Tensor | float | None = None
           ) -> torch.Tensor:
        """``KL(Q || N(prior_mean, sigma_prior^2 I))`` as a differentiable tensor."""
        _flat_params("prior_mean", prior_mean, self.mean.numel(), 1)
        if isinstance(sigma_prior, torch.Tensor):
            sp = _tensor("sigma_prior", sigma_prior, (0, 1))
            if bool((sp <= 0).any()):
                raise ValueError("sigma_prior must be > 0")
        elif sigma_prior is not None:
            _positive("sigma_prior", sigma_prior)
        return self._kl(prior_mean, sigma_prior)

    def _kl(self, prior_mean: torch.Tensor, sigma_prior: torch.Tensor | float | None = None
            ) -> torch.Tensor:
        lp = (self.log_sigma_prior if sigma_prior is None
              else torch.log(torch.as_tensor(sigma_prior, dtype=torch.float64)))
        r = torch.exp(2 * (self.log_std - lp))
        d2 = ((self.mean - prior_mean) ** 2) * torch.exp(-2 * lp)
        return 0.5 * torch.sum(r + d2 - 1 - torch.log(r))


def optimize_posterior(post: GaussianPosterior, prior_mean: torch.Tensor, X: torch.Tensor,
                       y: torch.Tensor, sizes: Any, *, delta: float = 0.025,
                       num_priors: int = 25, steps: int = 3000, lr: float = 1e-3,
                       batch_size: int | None = None, seed: int = 0) -> GaussianPosterior:
    """Minimize ``CE(Q) + sqrt((KL(Q||P) + ln(num_priors * xi(n)/delta)) / (2n))`` with Adam.

    The cross-entropy of one sampled net per step is a differentiable surrogate of the Gibbs 0-1
    risk; the square root is McAllester's complexity term (eq-gen-modern-mcallester). Updates
    ``post`` in place and returns it.
    """
    _check_posterior_args(post, prior_mean, X, y, sizes, delta=delta, num_priors=num_priors,
                          lr=lr, batch_size=batch_size)
    n = X.shape[0]
    const = math.log(num_priors * maurer_xi(n) / delta)
    opt = torch.optim.Adam(post.parameters(), lr=lr)
    g = torch.Generator().manual_seed(_seed(seed))
    for _ in range(_posint("steps", steps)):
        opt.zero_grad()
        theta = post.sample(1, g)
        if batch_size is None:
            Xb, yb = X, y
        else:
            idx = torch.randint(0, n, (batch_size,), generator=g)
            Xb, yb = X[idx], y[idx]
        ce = torch.nn.functional.cross_entropy(mlp_logits(theta, Xb, sizes)[0], yb)
        obj = ce + torch.sqrt((post.kl(prior_mean) + const) / (2 * n))
        obj.backward()
        opt.step()
    return post


@torch.no_grad()
def gibbs_errors(thetas: torch.Tensor, X: torch.Tensor, y: torch.Tensor, sizes: Any,
                 chunk: int = 250) -> np.ndarray:
    """0-1 error of each sampled net on ``(X, y)``; shape (M,)."""
    s = _sizes(sizes)
    thetas = _flat_params("thetas", thetas, mlp_num_params(s), 2)
    X = _inputs("X", X, s)
    y = _labels("y", y, X.shape[0], s)
    chunk = _posint("chunk", chunk)
    return _gibbs_errors(thetas, X, y, s, chunk)


def _gibbs_errors(thetas: torch.Tensor, X: torch.Tensor, y: torch.Tensor, s: tuple[int, ...],
                  chunk: int = 250) -> np.ndarray:
    out = []
    for j in range(0, thetas.shape[0], chunk):
        pred = _logits(thetas[j:j + chunk], X, s).argmax(-1)
        out.append((pred != y).double().mean(1))
    return torch.cat(out).numpy()


@dataclass
class PacBayesResult:
    """Numbers of a Dziugaite-Roy bound: see :func:`pac_bayes_bound`."""

    bound: float
    kl: float
    sigma_prior: float
    mc_train_error: float
    train_error_bound: float
    mc_test_error: float
    n: int

    def __post_init__(self) -> None:
        for f in ("bound", "kl", "sigma_prior", "mc_train_error", "train_error_bound",
                  "mc_test_error"):
            v = getattr(self, f)
            if f == "mc_test_error" and isinstance(v, float) and math.isnan(v):
                continue  # no test set: NaN by design (pac_bayes_bound without X_test)
            _nonneg(f, v)
        _posint("n", self.n)


def pac_bayes_bound(post: GaussianPosterior, prior_mean: torch.Tensor, X: torch.Tensor,
                    y: torch.Tensor, sizes: Any, *, X_test: torch.Tensor | None = None,
                    y_test: torch.Tensor | None = None, prior_grid: Any = None,
                    delta: float = 0.025, delta_prime: float = 0.01, num_samples: int = 2000,
                    seed: int = 0) -> PacBayesResult:
    """Final bound on the Gibbs risk, valid with probability ``1 - delta - delta_prime``.

    Rounds the prior scale to the grid point that minimizes the bound (union bound over the
    ``len(prior_grid)`` priors: confidence ``delta/len(prior_grid)`` each), bounds the empirical
    Gibbs risk by :func:`sample_convergence_bound` from ``num_samples`` sampled nets, then
    inverts the kl form (eq-gen-modern-klbound). The sampled nets must be independent of how
    the posterior was chosen, so they come from a stream derived from ``seed`` (a
    ``SeedSequence`` of ``(seed mod 2**64, 1)``), not from the stream ``seed`` itself, which
    :func:`optimize_posterior` uses for its noise.
    """
    if prior_grid is None:
        grid = np.logspace(-3, 0, 25)
    else:
        if isinstance(prior_grid, (str, bytes)) or np.iscomplexobj(prior_grid):
            raise TypeError(f"prior_grid must be real numbers, got {prior_grid!r}")
        try:
            grid = np.asarray(prior_grid, float)
        except (TypeError, ValueError) as err:
            raise TypeError(f"prior_grid must be real numbers, got {prior_grid!r}") from err
    if (grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid))
            or np.any(grid <= 0)):
        raise ValueError(f"prior_grid must be a non-empty 1-d array of positive scales, got {grid}")
    s = _check_posterior_args(post, prior_mean, X, y, sizes, delta=delta)
    if X_test is not None:
        X_test = _inputs("X_test", X_test, s)
        y_test = _labels("y_test", y_test, X_test.shape[0], s)
    _prob("delta_prime", delta_prime, open_low=True, open_high=True)
    num_samples = _posint("num_samples", num_samples)
    n = X.shape[0]
    mc_seed = int(np.random.SeedSequence([_seed(seed) % 2**64, 1]).generate_state(1)[0])
    g = torch.Generator().manual_seed(mc_seed)
    with torch.no_grad():
        kls = np.array([float(post._kl(prior_mean, sp)) for sp in grid])
        thetas = post.sample(num_samples, g)
    errs = _gibbs_errors(thetas, X, y, s)
    mc = float(errs.mean())
    up = sample_convergence_bound(mc, num_samples, delta_prime)
    bounds = [kl_bound(up, k, n, delta / grid.size) for k in kls]
    j = int(np.argmin(bounds))
    test = float("nan")
    if X_test is not None:
        test = float(_gibbs_errors(thetas, X_test, y_test, s).mean())
    return PacBayesResult(float(bounds[j]), float(kls[j]), float(grid[j]), mc, up, test, n)

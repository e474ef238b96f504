"""Adversarial examples: attacks, robust constructions, adversarial training, certificates.

Implements projections onto l_1, l_2 and l_inf balls (and onto the pixel box), the fast gradient
sign method (FGSM) and projected gradient descent (PGD) attacks with random start, per-example
robust accuracy under several attacks, the exact worst case of a linear binary classifier, a
small digit MLP, training on Gaussian-noisy inputs (a private helper), adversarial
training with FGSM plus a random start or with PGD, the one-sided Clopper-Pearson bound, a
Gaussian randomized-smoothing classifier with Cohen et al.'s PREDICT and CERTIFY, the robust
two-layer ReLU construction of Vardi et al. and the random two-layer tanh networks of Bubeck et al.

Derived in: book/robustness/adversarial.md (Adversarial examples).
Depends on: numpy, scipy (special functions, binomial test), torch. The chapter trains the digit
CNN of dlf.cnn (``digits_cnn``, ``train_classifier``); this module imports no other dlf module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from scipy.special import betaincinv, ndtri
from scipy.stats import binomtest
from torch import nn

__all__ = [
    "project",
    "project_box",
    "fgsm",
    "pgd",
    "robust_accuracy",
    "linear_worst_case",
    "digits_mlp",
    "adversarial_training",
    "clopper_pearson_lower",
    "SmoothedClassifier",
    "robust_construction",
    "relu_net",
    "random_two_layer",
    "tanh_net",
]

_PS = (1, 2, math.inf)

# ---------------------------------------------------------------------------------------------
# validation


def _real(name: str, x: Any) -> float:
    if isinstance(x, bool) or isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from err
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {name}={v}")
    return v


def _nonneg(name: str, x: Any) -> float:
    v = _real(name, x)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {name}={v}")
    return v


def _positive(name: str, x: Any) -> float:
    v = _real(name, x)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {name}={v}")
    return v


def _posint(name: str, x: Any, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {name}={x}")
    return int(x)


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got seed={seed}")
    return int(seed)


def _open01(name: str, x: Any) -> float:
    v = _real(name, x)
    if not 0 < v < 1:
        raise ValueError(f"{name} must lie in (0, 1), got {name}={v}")
    return v


def _p(p: Any) -> float:
    if isinstance(p, bool) or isinstance(p, (complex, np.complexfloating)) or p is None:
        raise TypeError(f"p must be 1, 2 or math.inf, got {p!r}")
    try:
        v = float(p)
    except (TypeError, ValueError) as err:
        raise TypeError(f"p must be 1, 2 or math.inf, got {type(p).__name__}") from err
    if v not in _PS:
        raise ValueError(f"p must be 1, 2 or math.inf, got p={p!r}")
    return v


def _tensor(name: str, x: Any, min_ndim: int = 1) -> torch.Tensor:
    """A real, finite, non-empty floating torch tensor with at least ``min_ndim`` dimensions."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
        x = torch.from_numpy(np.asarray(x, dtype=np.float64))
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor or NumPy array, got {type(x).__name__}")
    if x.is_complex():
        raise TypeError(f"{name} must be real, got dtype {x.dtype}")
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    if x.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape "
                         f"{tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
    if not bool(torch.isfinite(x.detach()).all()):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def _labels(name: str, y: Any, n: int, rows: str = "x") -> torch.Tensor:
    if isinstance(y, np.ndarray):
        if y.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
        y = torch.from_numpy(y.astype(np.int64))
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of integer labels, got "
                        f"{type(y).__name__}")
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one label per row of {rows}, got "
                         f"{tuple(y.shape)}")
    if bool((y < 0).any()):
        raise ValueError(f"{name} must be non-negative class indices")
    return y.long()


def _model(name: str, model: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    if not callable(model):
        raise TypeError(f"{name} must be callable (a torch module), got {type(model).__name__}")
    return model


def _clip(clip: Any) -> tuple[float, float] | None:
    if clip is None:
        return None
    if not isinstance(clip, (tuple, list)) or len(clip) != 2:
        raise TypeError(f"clip must be None or a pair (low, high), got {clip!r}")
    lo, hi = _real("clip", clip[0]), _real("clip", clip[1])
    if not lo < hi:
        raise ValueError(f"clip must satisfy low < high, got clip={clip!r}")
    return lo, hi


# ---------------------------------------------------------------------------------------------
# projections


def _flat(delta: torch.Tensor) -> torch.Tensor:
    return delta.reshape(1, -1) if delta.ndim == 1 else delta.reshape(delta.shape[0], -1)


def _project(delta: torch.Tensor, eps: float, p: float) -> torch.Tensor:
    v = _flat(delta)
    if p == math.inf:
        out = v.clamp(-eps, eps)
    elif p == 2:
        norm = v.norm(dim=1, keepdim=True)
        out = torch.where(norm > eps, v * (eps / norm.clamp_min(torch.finfo(v.dtype).tiny)), v)
    else:
        a = v.abs()
        inside = a.sum(dim=1, keepdim=True) <= eps
        u, _ = torch.sort(a, dim=1, descending=True)
        css = u.cumsum(dim=1) - eps
        j = torch.arange(1, v.shape[1] + 1, dtype=v.dtype, device=v.device)
        rho = ((u - css / j) > 0).sum(dim=1, keepdim=True)  # the condition holds for j <= rho
        theta = css.gather(1, (rho - 1).clamp_min(0)) / rho.clamp_min(1).to(v.dtype)
        shrunk = torch.sign(v) * (a - theta).clamp_min(0)
        out = torch.where(inside, v, shrunk)
    return out.reshape(delta.shape)


def project(delta: Any, eps: float, p: float = math.inf) -> torch.Tensor:
    """Euclidean projection onto the ball ``{||d||_p <= eps}``, one example per row.

    l_inf: coordinatewise clipping; l_2: radial rescaling; l_1: soft thresholding at the level
    found by sorting (Duchi et al. 2008). Implements (eq-adv-proj-opt) of the chapter.

    Parameters
    ----------
    delta : torch.Tensor or ndarray, shape (n, ...) or (d,)
        Perturbations; the norm is taken over all dimensions but the first (a 1-D input is one
        vector).
    eps : float
        Radius, ``>= 0``.
    p : {1, 2, math.inf}

    Returns
    -------
    torch.Tensor, same shape and dtype as ``delta``
    """
    delta = _tensor("delta", delta)
    return _project(delta, _nonneg("eps", eps), _p(p))


def project_box(x: Any, delta: Any, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    """The perturbation ``clamp(x + delta, low, high) - x`` that keeps ``x + delta`` in the box.

    This is the exact projection of ``delta`` onto ``{d : low <= x + d <= high}``.
    """
    x = _tensor("x", x)
    delta = _tensor("delta", delta)
    if x.shape != delta.shape:
        raise ValueError(f"x and delta must have the same shape, got x {tuple(x.shape)} and "
                         f"delta {tuple(delta.shape)}")
    lo, hi = _real("low", low), _real("high", high)
    if not lo < hi:
        raise ValueError(f"low must be < high, got low={lo}, high={hi}")
    if bool(((x < lo) | (x > hi)).any()):
        raise ValueError(f"x must lie in the box [{lo}, {hi}]")
    return (x + delta).clamp(lo, hi) - x


# ---------------------------------------------------------------------------------------------
# attacks


def _objective(model, x, y, targeted):
    logits = model(x)
    loss = F.cross_entropy(logits, y, reduction="sum")
    if targeted is not None:
        loss = loss - F.cross_entropy(logits, targeted, reduction="sum")
    return loss


def _input_grad(model, x, y, targeted):
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(_objective(model, x, y, targeted), x)
    return g


def _ascent_direction(g: torch.Tensor, p: float) -> torch.Tensor:
    """The unit-``p``-norm direction maximizing ``<g, d>`` (steepest ascent), per row."""
    v = _flat(g)
    if p == math.inf:
        d = torch.sign(v)
    elif p == 2:
        d = v / v.norm(dim=1, keepdim=True).clamp_min(torch.finfo(v.dtype).tiny)
    else:
        idx = v.abs().argmax(dim=1, keepdim=True)
        d = torch.zeros_like(v).scatter(1, idx, torch.sign(v.gather(1, idx)))
    return d.reshape(g.shape)


def _attack_args(model, x, y, eps, p, clip, targeted):
    model = _model("model", model)
    x = _tensor("x", x, 2)
    y = _labels("y", y, x.shape[0])
    eps = _nonneg("eps", eps)
    p = _p(p)
    box = _clip(clip)
    if box is not None and bool(((x < box[0]) | (x > box[1])).any()):
        raise ValueError(f"x must lie in the box clip={clip!r}")
    if targeted is not None:
        targeted = _labels("targeted", targeted, x.shape[0])
    return model, x, y, eps, p, box, targeted


def fgsm(model: Any, x: Any, y: Any, eps: float, *, p: float = math.inf,
         clip: tuple[float, float] | None = (0.0, 1.0), targeted: Any = None) -> torch.Tensor:
    """Fast gradient (sign) method: one steepest-ascent step of length ``eps`` on the loss.

    ``x + eps * sign(grad)`` for ``p = inf`` (Goodfellow et al. 2015), ``x + eps g/||g||_2`` for
    ``p = 2``; the result is clipped to the box. It maximizes the linearized cross-entropy over the
    ball; for a linear classifier it attains (eq-adv-linear).

    Parameters
    ----------
    model : callable
        Maps a batch ``x`` of shape (n, ...) to logits of shape (n, k).
    x : torch.Tensor, shape (n, ...)
    y : torch.Tensor of int64, shape (n,)
    eps : float
        Radius ``>= 0``.
    p : {1, 2, math.inf}
    clip : (low, high) or None
        Box for the perturbed input (pixels in [0, 1] by default); None: no box.
    targeted : torch.Tensor of int64, shape (n,), optional
        Target labels: ascend ``loss(y) - loss(target)`` instead of ``loss(y)``.

    Returns
    -------
    torch.Tensor, shape of ``x``: the adversarial inputs (detached).
    """
    model, x, y, eps, p, box, targeted = _attack_args(model, x, y, eps, p, clip, targeted)
    g = _input_grad(model, x, y, targeted)
    delta = eps * _ascent_direction(g, p)
    if box is not None:
        delta = (x + delta).clamp(*box) - x
    return (x + delta).detach()


def _random_ball(shape, eps, p, dtype, gen):
    if p == math.inf:
        return (2 * torch.rand(shape, dtype=dtype, generator=gen) - 1) * eps
    z = torch.randn(shape, dtype=dtype, generator=gen)
    zf = _flat(z)
    if p == 1:
        zf = zf.sign() * torch.empty_like(zf).exponential_(generator=gen)
    norm = zf.norm(p=p, dim=1, keepdim=True).clamp_min(torch.finfo(zf.dtype).tiny)
    r = torch.rand((zf.shape[0], 1), dtype=dtype, generator=gen) ** (1.0 / zf.shape[1])
    return (eps * r * zf / norm).reshape(shape)


def pgd(model: Any, x: Any, y: Any, eps: float, alpha: float, steps: int, *,
        p: float = math.inf, random_start: bool = True, seed: int = 0, targeted: Any = None,
        clip: tuple[float, float] | None = (0.0, 1.0)) -> torch.Tensor:
    """Projected gradient ascent on the loss over ``{||delta||_p <= eps}`` and the box.

    Each step moves by ``alpha`` along the steepest-ascent direction of the ``p``-norm (sign of
    the gradient for ``p = inf``, normalized gradient for ``p = 2``, the largest coordinate for
    ``p = 1``), then projects onto the ball (:func:`project`) and clips to the box (Madry et al.
    2018). With ``random_start`` the iteration starts at a random point of the ball.

    Parameters
    ----------
    model, x, y, eps, p, clip, targeted
        As in :func:`fgsm`.
    alpha : float
        Step length ``> 0``.
    steps : int
        Number of steps ``>= 1``.
    random_start : bool
    seed : int
        Seed of the random start.

    Returns
    -------
    torch.Tensor, shape of ``x``: the adversarial inputs (detached), ``||x_adv - x||_p <= eps``.
    """
    model, x, y, eps, p, box, targeted = _attack_args(model, x, y, eps, p, clip, targeted)
    alpha = _positive("alpha", alpha)
    steps = _posint("steps", steps)
    if not isinstance(random_start, (bool, np.bool_)):
        raise TypeError(f"random_start must be a bool, got {type(random_start).__name__}")
    gen = torch.Generator().manual_seed(_seed(seed))
    if random_start:
        delta = _random_ball(x.shape, eps, p, x.dtype, gen)
    else:
        delta = torch.zeros_like(x)
    if box is not None:
        delta = (x + delta).clamp(*box) - x
    for _ in range(steps):
        g = _input_grad(model, x + delta, y, targeted)
        delta = _project(delta + alpha * _ascent_direction(g, p), eps, p)
        if box is not None:
            delta = (x + delta).clamp(*box) - x
    return (x + delta).detach()


def robust_accuracy(model: Any, X: Any, y: Any,
                    attacks: Mapping[str, Callable[..., torch.Tensor]]) -> dict[str, float]:
    """Accuracy on clean inputs, under each attack, and under the per-example worst of them.

    Parameters
    ----------
    model : callable
        Maps inputs to logits.
    X : torch.Tensor, shape (n, ...)
    y : torch.Tensor of int64, shape (n,)
    attacks : dict
        Name to a callable ``attack(model, X, y) -> X_adv``.

    Returns
    -------
    dict
        ``"clean"``, one entry per attack, and ``"worst"``: the fraction of examples classified
        correctly clean *and* under every attack.
    """
    model = _model("model", model)
    X = _tensor("X", X, 2)
    y = _labels("y", y, X.shape[0], "X")
    if not isinstance(attacks, Mapping) or not attacks:
        raise TypeError("attacks must be a non-empty dict name -> attack(model, X, y)")
    for name, att in attacks.items():
        if not callable(att):
            raise TypeError(f"attacks[{name!r}] must be callable")
    with torch.no_grad():
        ok = model(X).argmax(dim=1) == y
    out = {"clean": float(ok.double().mean())}
    worst = ok.clone()
    for name, att in attacks.items():
        Xa = att(model, X, y)
        with torch.no_grad():
            ok_a = model(Xa).argmax(dim=1) == y
        out[name] = float(ok_a.double().mean())
        worst &= ok_a
    out["worst"] = float(worst.double().mean())
    return out


def linear_worst_case(w: Any, b: float, x: Any, y: int, eps: float,
                      p: float = math.inf) -> tuple[float, np.ndarray]:
    """Exact worst case of the margin ``y (w.x + b)`` of a linear classifier over an l_p ball.

    ``min_{||delta||_p <= eps} y (w.(x + delta) + b) = y (w.x + b) - eps ||w||_q`` with
    ``1/p + 1/q = 1`` (eq-adv-linear); any decreasing loss of the margin is maximized there.

    Parameters
    ----------
    w : array_like, shape (d,)
    b : float
    x : array_like, shape (d,)
    y : {-1, +1}
    eps : float, ``>= 0``
    p : {1, 2, math.inf}

    Returns
    -------
    margin : float
        The worst margin.
    delta : ndarray, shape (d,)
        A perturbation attaining it.
    """
    w = np.asarray(_tensor("w", w).detach().double().numpy(), dtype=np.float64)
    x = np.asarray(_tensor("x", x).detach().double().numpy(), dtype=np.float64)
    if w.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"w and x must be 1-D of the same length, got {w.shape} and {x.shape}")
    b = _real("b", b)
    if isinstance(y, bool) or y not in (-1, 1):
        raise ValueError(f"y must be -1 or +1, got y={y!r}")
    eps = _nonneg("eps", eps)
    p = _p(p)
    if p == math.inf:
        q_norm, direction = np.abs(w).sum(), np.sign(w)
    elif p == 2:
        q_norm = float(np.linalg.norm(w))
        direction = w / q_norm if q_norm > 0 else np.zeros_like(w)
    else:
        i = int(np.argmax(np.abs(w)))
        q_norm = float(abs(w[i]))
        direction = np.zeros_like(w)
        direction[i] = np.sign(w[i])
    margin = y * (float(w @ x) + b) - eps * float(q_norm)
    return float(margin), -y * eps * direction


# ---------------------------------------------------------------------------------------------
# models and training


def digits_mlp(seed: int = 0) -> nn.Module:
    """A 4,810-parameter MLP 64 -> 64 -> 10 (ReLU) taking (n, 1, 8, 8) images."""
    seed = _seed(seed)
    with torch.random.fork_rng():  # PyTorch's default initialization, from our seed only
        torch.manual_seed(seed)
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def _train_args(model, X, y, epochs, lr, batch_size, seed):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X = _tensor("X", X, 2)
    y = _labels("y", y, X.shape[0], "X")
    return (X, y, _posint("epochs", epochs), _positive("lr", lr),
            _posint("batch_size", batch_size), _seed(seed))


def _fit(model, X, y, epochs, lr, batch_size, seed, perturb):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(X.shape[0], generator=gen)
        total = 0.0
        for start in range(0, X.shape[0], batch_size):
            idx = perm[start:start + batch_size]
            xb = perturb(X[idx], y[idx], gen)
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * idx.numel()
        losses.append(total / X.shape[0])
    return losses


def _train_noisy(model: Any, X: Any, y: Any, *, epochs: int, lr: float, batch_size: int,
                 seed: int, noise_std: float) -> list[float]:
    """Train ``model`` in place with Adam on the cross-entropy of ``x + N(0, noise_std^2 I)``.

    The Gaussian data augmentation that randomized smoothing needs; with ``noise_std = 0`` it is
    the plain loop of ``dlf.cnn.train_classifier``. Returns the mean loss of each epoch.
    """
    X, y, epochs, lr, batch_size, seed = _train_args(model, X, y, epochs, lr, batch_size, seed)
    noise_std = _nonneg("noise_std", noise_std)

    def perturb(xb, yb, gen):
        if noise_std == 0:
            return xb
        return xb + noise_std * torch.randn(xb.shape, dtype=xb.dtype, generator=gen)

    model.train()
    losses = _fit(model, X, y, epochs, lr, batch_size, seed, perturb)
    model.eval()
    return losses


def adversarial_training(model: Any, X: Any, y: Any, *, eps: float, epochs: int = 20,
                         lr: float = 1e-2, batch_size: int = 128, seed: int = 0,
                         attack: str = "fgsm_rs", alpha: float | None = None,
                         steps: int = 7, clip: tuple[float, float] | None = (0.0, 1.0)
                         ) -> list[float]:
    """Minibatch training on the robust risk (eq-adv-robust-risk), l_inf ball of radius ``eps``.

    Each batch is replaced by adversarial inputs for the current parameters, then one Adam step
    is taken on them (Danskin: the gradient at the inner maximizer). The attack is generated with
    the model in eval mode (BatchNorm running statistics are neither used for the batch nor
    updated by the attack's forward passes, dropout is off); the step is taken in train mode,
    and the model is left in eval mode.

    Parameters
    ----------
    attack : {"fgsm_rs", "pgd"}
        ``"fgsm_rs"``: a uniform random start in the ball and one sign step of ``alpha``
        (default ``1.25 eps``), projected (Wong et al. 2020); ``"pgd"``: :func:`pgd` with
        ``steps`` steps of ``alpha`` (default ``eps / 4``).
    eps : float, ``>= 0``
    alpha : float, optional
    steps : int
    clip : (low, high) or None
        Box of the inputs.

    Returns
    -------
    list of float
        The mean adversarial training loss of each epoch.
    """
    X, y, epochs, lr, batch_size, seed = _train_args(model, X, y, epochs, lr, batch_size, seed)
    eps = _nonneg("eps", eps)
    if attack not in ("fgsm_rs", "pgd"):
        raise ValueError(f"attack must be 'fgsm_rs' or 'pgd', got attack={attack!r}")
    alpha = (1.25 * eps if attack == "fgsm_rs" else eps / 4) if alpha is None else \
        _positive("alpha", alpha)
    steps = _posint("steps", steps)
    box = _clip(clip)
    if box is not None and bool(((X < box[0]) | (X > box[1])).any()):
        raise ValueError(f"X must lie in the box clip={clip!r}")

    def perturb(xb, yb, gen):
        # The attack runs in eval mode (BatchNorm uses its running statistics and does not update
        # them, dropout is off); the training step that follows runs in train mode.
        model.eval()
        try:
            return attack_batch(xb, yb, gen)
        finally:
            model.train()

    def attack_batch(xb, yb, gen):
        if eps == 0:
            return xb
        if attack == "pgd":
            s = int(torch.randint(0, 2**31 - 1, (1,), generator=gen))
            return pgd(model, xb, yb, eps, alpha, steps, seed=s, clip=box)
        delta = _random_ball(xb.shape, eps, math.inf, xb.dtype, gen)
        g = _input_grad(model, xb + delta, yb, None)
        delta = _project(delta + alpha * torch.sign(g), eps, math.inf)
        if box is not None:
            delta = (xb + delta).clamp(*box) - xb
        return (xb + delta).detach()

    model.train()
    losses = _fit(model, X, y, epochs, lr, batch_size, seed, perturb)
    model.eval()
    return losses


# ---------------------------------------------------------------------------------------------
# randomized smoothing


def clopper_pearson_lower(k: int, n: int, alpha: float) -> float:
    """One-sided Clopper-Pearson lower confidence bound for a binomial proportion.

    The largest ``p`` with ``Pr[Bin(n, p) >= k] <= alpha``: the ``alpha`` quantile of
    ``Beta(k, n - k + 1)``, and ``0`` for ``k = 0``. ``Pr[p_true >= bound] >= 1 - alpha``.
    """
    n = _posint("n", n)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer, got {type(k).__name__} {k!r}")
    if not 0 <= k <= n:
        raise ValueError(f"k must lie in [0, n], got k={k}, n={n}")
    alpha = _open01("alpha", alpha)
    if k == 0:
        return 0.0
    return float(betaincinv(k, n - k + 1, alpha))


class SmoothedClassifier:
    """The Gaussian smoothing ``g(x) = argmax_c Pr[base(x + N(0, sigma^2 I)) = c]``.

    Parameters
    ----------
    base : callable
        Maps a batch of inputs (n, ...) to logits (n, k); its argmax is the base label.
    sigma : float
        Noise level ``> 0``.
    num_classes : int
        Number ``k >= 2`` of classes.
    """

    def __init__(self, base: Any, sigma: float, num_classes: int) -> None:
        self.base = _model("base", base)
        self.sigma = _positive("sigma", sigma)
        self.num_classes = _posint("num_classes", num_classes, minimum=2)

    def counts(self, x: Any, n: int, *, batch_size: int = 1000, seed: int = 0) -> np.ndarray:
        """Label counts of the base classifier on ``n`` noisy copies of one input ``x``."""
        x = _tensor("x", x)
        n = _posint("n", n)
        batch_size = _posint("batch_size", batch_size)
        gen = torch.Generator().manual_seed(_seed(seed))
        out = np.zeros(self.num_classes, dtype=np.int64)
        left = n
        with torch.no_grad():
            while left > 0:
                b = min(batch_size, left)
                noise = self.sigma * torch.randn((b, *x.shape), dtype=x.dtype, generator=gen)
                labels = self.base(x.unsqueeze(0) + noise).argmax(dim=1)
                if bool((labels >= self.num_classes).any()):
                    raise ValueError("base returned more logits than num_classes")
                out += np.bincount(labels.numpy(), minlength=self.num_classes)
                left -= b
        return out

    def predict(self, x: Any, n: int, alpha: float, *, batch_size: int = 1000,
                seed: int = 0) -> int:
        """Cohen et al.'s PREDICT: the top label, or ``-1`` (abstain) if a two-sided binomial
        test of the top two counts does not reject equality at level ``alpha``."""
        alpha = _open01("alpha", alpha)
        c = self.counts(x, n, batch_size=batch_size, seed=seed)
        top2 = np.argsort(c)[::-1][:2]
        na, nb = int(c[top2[0]]), int(c[top2[1]])
        if binomtest(na, na + nb, 0.5).pvalue > alpha:
            return -1
        return int(top2[0])

    def certify(self, x: Any, n0: int, n: int, alpha: float, *, batch_size: int = 1000,
                seed: int = 0) -> tuple[int, float]:
        """Cohen et al.'s CERTIFY: guess the top label on ``n0`` samples, lower-bound its
        probability on ``n`` fresh samples (:func:`clopper_pearson_lower`), and return
        ``(label, sigma * Phi^{-1}(p_lower))``, or ``(-1, 0.0)`` if ``p_lower <= 1/2``.

        With probability at least ``1 - alpha`` a returned label is the smoothed prediction at
        every point within the returned l_2 radius (eq-adv-radius).
        """
        n0 = _posint("n0", n0)
        n = _posint("n", n)
        alpha = _open01("alpha", alpha)
        seed = _seed(seed)
        guess = int(np.argmax(self.counts(x, n0, batch_size=batch_size, seed=seed)))
        c = self.counts(x, n, batch_size=batch_size, seed=seed + 1)
        p_low = clopper_pearson_lower(int(c[guess]), n, alpha)
        if p_low <= 0.5:
            return -1, 0.0
        return guess, float(self.sigma * ndtri(p_low))


# ---------------------------------------------------------------------------------------------
# two-layer constructions


def robust_construction(X: Any, y: Any, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vardi et al.'s robust two-layer ReLU network interpolating ``(x_i, y_i)``.

    For inputs with ``||x_i||^2 = d`` and ``|<x_i, x_j>| <= c d`` (``i != j``), the units are
    ``w_j = 2 x_j / (d (1 - c))``, ``b_j = -(1 + c)/(1 - c)``, ``a_j = y_j``, and
    ``f(x) = sum_j a_j relu(w_j.x + b_j)`` (:func:`relu_net`).

    Parameters
    ----------
    X : array_like, shape (m, d)
    y : array_like of {-1, +1}, shape (m,)
    c : float in (0, 1)

    Returns
    -------
    W : ndarray (m, d), b : ndarray (m,), a : ndarray (m,)
    """
    X = _tensor("X", X, 2).detach().double().numpy()
    if X.ndim != 2:
        raise ValueError(f"X must have shape (m, d), got {X.shape}")
    yv = np.asarray(y)
    if yv.shape != (X.shape[0],) or not np.all(np.isin(yv, (-1, 1))):
        raise ValueError(f"y must have shape ({X.shape[0]},) with entries -1 or +1")
    c = _open01("c", c)
    d = X.shape[1]
    W = 2 * X / (d * (1 - c))
    b = np.full(X.shape[0], -(1 + c) / (1 - c))
    return W, b, yv.astype(np.float64)


def relu_net(W: Any, b: Any, a: Any, X: Any) -> np.ndarray:
    """``f(x) = sum_j a_j relu(w_j.x + b_j)`` for each row of ``X`` (shape (n, d))."""
    W = _tensor("W", W, 2).detach().double().numpy()
    b = _tensor("b", b).detach().double().numpy()
    a = _tensor("a", a).detach().double().numpy()
    X = _tensor("X", X, 2).detach().double().numpy()
    if b.shape != (W.shape[0],) or a.shape != (W.shape[0],) or X.shape[1] != W.shape[1]:
        raise ValueError(f"shapes do not match: W {W.shape}, b {b.shape}, a {a.shape}, "
                         f"X {X.shape}")
    return np.maximum(X @ W.T + b, 0.0) @ a


def random_two_layer(d: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random two-layer network as in Bubeck et al.: ``w_j ~ N(0, I_d / d)``, ``a_j = +-1``.

    Returns ``(W, a)`` with ``W`` of shape (k, d) and ``a`` of shape (k,), float64.
    """
    d = _posint("d", d)
    k = _posint("k", k)
    rng = np.random.default_rng(_seed(seed))
    W = rng.standard_normal((k, d)) / math.sqrt(d)
    a = rng.choice([-1.0, 1.0], size=k)
    return W, a


def tanh_net(W: Any, a: Any, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """``f(x) = k^{-1/2} sum_j a_j tanh(w_j.x)`` and its input gradient, for each row of ``X``.

    Returns
    -------
    f : ndarray, shape (n,)
    grad : ndarray, shape (n, d): ``k^{-1/2} sum_j a_j sech^2(w_j.x) w_j``.
    """
    W = _tensor("W", W, 2).detach().double().numpy()
    a = _tensor("a", a).detach().double().numpy()
    X = _tensor("X", X, 2).detach().double().numpy()
    if a.shape != (W.shape[0],) or X.shape[1] != W.shape[1]:
        raise ValueError(f"shapes do not match: W {W.shape}, a {a.shape}, X {X.shape}")
    k = W.shape[0]
    t = np.tanh(X @ W.T)
    f = t @ a / math.sqrt(k)
    grad = ((1 - t**2) * a) @ W / math.sqrt(k)
    return f, grad

"""Batch, layer and group normalization, folding, and scale-invariant training.

* :func:`batch_norm`, :func:`layer_norm`, :func:`group_norm` standardize ``x`` over a set of
  entries (eq-norm-bn-forward): ``xhat = (x - mu) / sqrt(var + eps)`` with the biased variance,
  then ``y = gamma * xhat + beta``. Batch norm takes the statistics per channel over the batch
  (axes ``(0, 2, 3)`` for images), layer norm per example over all its features, group norm per
  example over groups of channels. Each returns ``(y, cache)``; the matching ``*_backward``
  function maps ``dy`` to ``(dx, dgamma, dbeta)`` by (eq-norm-bn-backward).
* :class:`BatchNorm` is a NumPy layer with running buffers updated as in PyTorch:
  ``rm <- (1 - m) rm + m mu_B``, ``rv <- (1 - m) rv + m var_B * n / (n - 1)``, ``m = momentum``.
* :func:`fold_batch_norm` merges an eval-mode batch norm into the preceding linear or
  convolutional layer (eq-norm-fold).
* :func:`weight_decay_equivalent_lr`, :func:`equilibrium_angle` and :func:`angular_update` are
  the quantities of scale-invariant training with weight decay (Li and Arora's exponential
  learning rate; the angular equilibrium); :class:`ScaleInvariantMLP` and
  :func:`train_scale_invariant` are a PyTorch model whose loss is invariant to scaling its
  trainable weights, and plain (S)GD with weight decay on it.

Conventions: NumPy arrays of float64 (any float dtype is computed in float64); ``x`` has shape
``(n, C)`` or ``(n, C, ...)``; ``eps >= 0`` (``eps = 0`` gives the exact invariances of the
chapter).

Derived in: ``training/normalization`` (Normalization). Depends on: numpy, torch (no other dlf
module).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["batch_norm", "batch_norm_backward", "layer_norm", "layer_norm_backward",
           "group_norm", "group_norm_backward", "BatchNorm", "fold_batch_norm",
           "weight_decay_equivalent_lr", "equilibrium_angle", "angular_update",
           "ScaleInvariantMLP", "train_scale_invariant"]


# ----------------------------------------------------------------------------- helpers

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


def _array(name: str, x: Any, min_ndim: int = 2) -> np.ndarray:
    a = _real_array(name, x)
    if a.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions (n, C, ...), "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _eps(eps: Any) -> float:
    e = _real_scalar("eps", eps)
    if not (e >= 0 and np.isfinite(e)):
        raise ValueError(f"eps must be finite and >= 0, got {eps!r}")
    return e


def _affine(name: str, p: Any, shape: tuple[int, ...], fill: float, by: str = "x") -> np.ndarray:
    if p is None:
        return np.full(shape, fill)
    a = _real_array(name, p)
    if a.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (set by the shape of {by}), "
                         f"got {a.shape}")
    return a


def _standardize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """``(x - mean) / sqrt(var + eps)`` over ``axes`` (biased variance), and ``1/sqrt(var+eps)``."""
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    if eps == 0 and np.any(var == 0):
        raise ValueError("x has a constant group and eps = 0: the standardization is undefined")
    inv_std = 1.0 / np.sqrt(var + eps)
    return (x - mu) * inv_std, inv_std


def _backward(dy: Any, cache: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Implements (eq-norm-bn-backward) for any of the three normalizations."""
    keys = ("xhat", "inv_std", "gamma_b", "param_axes", "param_shape", "stat_shape", "axes")
    if not isinstance(cache, dict) or not all(k in cache for k in keys):
        raise TypeError("cache must be the dict returned by the forward function, got "
                        f"{type(cache).__name__} ({cache!r:.40})")
    xhat, inv_std, gamma_b = cache["xhat"], cache["inv_std"], cache["gamma_b"]
    dy = _real_array("dy", dy)
    if dy.shape != xhat.shape:
        raise ValueError(f"dy must have the shape of x, {xhat.shape}, got {dy.shape}")
    red = cache["param_axes"]
    dgamma = (dy * xhat).sum(axis=red).reshape(cache["param_shape"])
    dbeta = dy.sum(axis=red).reshape(cache["param_shape"])
    g = (dy * gamma_b).reshape(cache["stat_shape"])
    xh = xhat.reshape(cache["stat_shape"])
    axes = cache["axes"]
    dx = inv_std * (g - g.mean(axis=axes, keepdims=True)
                    - xh * (g * xh).mean(axis=axes, keepdims=True))
    return dx.reshape(xhat.shape), dgamma, dbeta


# ----------------------------------------------------------------------------- batch norm

def batch_norm(x: Any, gamma: Any = None, beta: Any = None, eps: float = 1e-5):
    """Train-mode batch normalization with the statistics of the batch ``x``.

    Implements (eq-norm-bn-forward): per channel ``c``, ``mu`` and the biased variance ``var``
    are taken over the batch and spatial axes (``(0,)`` for ``(n, C)``, ``(0, 2, 3)`` for
    ``(n, C, H, W)``), and ``y = gamma * (x - mu) / sqrt(var + eps) + beta``.

    Parameters
    ----------
    x : array_like, shape (n, C) or (n, C, ...)
    gamma, beta : array_like, shape (C,), optional
        Scale and shift (default 1 and 0).
    eps : float, >= 0

    Returns
    -------
    y : ndarray, shape of x
    cache : dict
        For :func:`batch_norm_backward`; also holds the batch statistics ``mean`` and ``var``
        (biased), each of shape (C,).
    """
    x = _array("x", x)
    eps = _eps(eps)
    C = x.shape[1]
    per_channel = x.size // C
    if per_channel < 2:
        raise ValueError(f"x must have more than one value per channel in train mode, got "
                         f"shape {x.shape} (a batch of 1 has no batch statistics)")
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (1, C) + (1,) * (x.ndim - 2)
    gamma = _affine("gamma", gamma, (C,), 1.0)
    beta = _affine("beta", beta, (C,), 0.0)
    xhat, inv_std = _standardize(x, axes, eps)
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    y = gamma.reshape(bshape) * xhat + beta.reshape(bshape)
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma_b": gamma.reshape(bshape),
             "axes": axes, "stat_shape": x.shape, "param_axes": axes, "param_shape": (C,),
             "mean": mean, "var": var, "count": per_channel}
    return y, cache


def batch_norm_backward(dy: Any, cache: dict):
    """Gradients of train-mode batch norm, by (eq-norm-bn-backward).

    ``dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))`` with the means over the
    axes of the statistics, ``dgamma = sum(dy * xhat)``, ``dbeta = sum(dy)`` (shape (C,)).
    """
    return _backward(dy, cache)


class BatchNorm:
    """Batch normalization layer (NumPy) with PyTorch's buffers and modes.

    In train mode the output uses the batch statistics (:func:`batch_norm`) and the buffers
    move towards them: ``running_mean <- (1 - momentum) running_mean + momentum mu_B`` and the
    same for ``running_var`` with the *unbiased* batch variance ``var_B n / (n - 1)``. In eval
    mode the layer is the affine map ``gamma (x - running_mean) / sqrt(running_var + eps) +
    beta``. ``momentum = 0.1`` is PyTorch's default, an averaging factor ``rho = 0.9``.

    Parameters
    ----------
    num_features : int
        Number of channels ``C``.
    eps : float, >= 0
    momentum : float in [0, 1]
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        if not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"num_features must be a positive int, got {num_features!r}")
        m = _real_scalar("momentum", momentum)
        if not 0.0 <= m <= 1.0:
            raise ValueError(f"momentum must lie in [0, 1], got {momentum!r}")
        self.num_features = int(num_features)
        self.eps = _eps(eps)
        self.momentum = m
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self._cache: dict | None = None

    def train(self, mode: bool = True) -> BatchNorm:
        self.training = bool(mode)
        return self

    def eval(self) -> BatchNorm:
        return self.train(False)

    def forward(self, x: Any) -> np.ndarray:
        """``x`` of shape (n, C) or (n, C, ...) -> ``y`` of the same shape."""
        x = _array("x", x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"x must have {self.num_features} channels (axis 1), "
                             f"got shape {x.shape}")
        if not self.training:
            bshape = (1, -1) + (1,) * (x.ndim - 2)
            scale = self.gamma / np.sqrt(self.running_var + self.eps)
            return (scale.reshape(bshape) * (x - self.running_mean.reshape(bshape))
                    + self.beta.reshape(bshape))
        y, cache = batch_norm(x, self.gamma, self.beta, self.eps)
        m, n = self.momentum, cache["count"]
        self.running_mean = (1 - m) * self.running_mean + m * cache["mean"]
        self.running_var = (1 - m) * self.running_var + m * cache["var"] * n / (n - 1)
        self._cache = cache
        return y

    __call__ = forward

    def backward(self, dy: Any) -> np.ndarray:
        """``dx`` for the last train-mode forward; stores ``dgamma`` and ``dbeta``."""
        if self._cache is None:
            raise ValueError("backward needs a preceding forward in train mode")
        dx, self.dgamma, self.dbeta = _backward(dy, self._cache)
        return dx


# ----------------------------------------------------------------------------- layer, group

def layer_norm(x: Any, gamma: Any = None, beta: Any = None, eps: float = 1e-5):
    """Layer normalization: each example standardized over all its features.

    Implements (eq-norm-bn-forward) with the statistics of ``x[i]`` (all axes but 0), as
    ``torch.nn.LayerNorm(x.shape[1:])``. Only this case is implemented: transformers use
    ``torch.nn.LayerNorm(d)`` on ``(n, L, d)``, statistics over the last axis alone; apply this
    function to ``x.reshape(-1, d)`` for that.

    Parameters
    ----------
    x : array_like, shape (n, d_1, ..., d_k)
    gamma, beta : array_like, shape x.shape[1:], optional (elementwise scale and shift)
    eps : float, >= 0

    Returns
    -------
    y : ndarray, shape of x
    cache : dict, for :func:`layer_norm_backward`
    """
    x = _array("x", x)
    eps = _eps(eps)
    if x.shape[0] == 0 or x[0].size < 2:
        raise ValueError(f"x must have at least 1 example and 2 features per example, got "
                         f"shape {x.shape}")
    fshape = x.shape[1:]
    gamma = _affine("gamma", gamma, fshape, 1.0)
    beta = _affine("beta", beta, fshape, 0.0)
    axes = tuple(range(1, x.ndim))
    xhat, inv_std = _standardize(x, axes, eps)
    y = gamma * xhat + beta
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma_b": gamma[None], "axes": axes,
             "stat_shape": x.shape, "param_axes": (0,), "param_shape": fshape}
    return y, cache


def layer_norm_backward(dy: Any, cache: dict):
    """Gradients ``(dx, dgamma, dbeta)`` of :func:`layer_norm`, by (eq-norm-bn-backward)."""
    return _backward(dy, cache)


def group_norm(x: Any, groups: int, gamma: Any = None, beta: Any = None, eps: float = 1e-5):
    """Group normalization: each example's channels split into ``groups`` groups.

    The statistics are taken per example and group over the group's channels and all spatial
    positions; ``gamma`` and ``beta`` are per channel (as ``torch.nn.GroupNorm``).
    ``groups = 1`` is layer norm over ``(C, ...)`` with per-channel affine parameters;
    ``groups = C`` is instance norm.

    Parameters
    ----------
    x : array_like, shape (n, C, ...)
    groups : int, dividing C
    gamma, beta : array_like, shape (C,), optional
    eps : float, >= 0

    Returns
    -------
    y : ndarray, shape of x
    cache : dict, for :func:`group_norm_backward`
    """
    x = _array("x", x)
    eps = _eps(eps)
    n, C = x.shape[:2]
    if not isinstance(groups, (int, np.integer)) or groups < 1 or C % groups:
        raise ValueError(f"groups must be a positive int dividing the {C} channels, "
                         f"got {groups!r}")
    if n == 0 or x[0].size // groups < 2:
        raise ValueError(f"x must have >= 1 example and each group must hold at least 2 values, "
                         f"got shape {x.shape} with "
                         f"groups={groups}")
    gamma = _affine("gamma", gamma, (C,), 1.0)
    beta = _affine("beta", beta, (C,), 0.0)
    stat_shape = (n, _int_scalar("groups", groups), -1)
    xhat, inv_std = _standardize(x.reshape(stat_shape), (2,), eps)
    xhat = xhat.reshape(x.shape)
    bshape = (1, C) + (1,) * (x.ndim - 2)
    y = gamma.reshape(bshape) * xhat + beta.reshape(bshape)
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma_b": gamma.reshape(bshape), "axes": (2,),
             "stat_shape": stat_shape, "param_axes": (0,) + tuple(range(2, x.ndim)),
             "param_shape": (C,)}
    return y, cache


def group_norm_backward(dy: Any, cache: dict):
    """Gradients ``(dx, dgamma, dbeta)`` of :func:`group_norm`, by (eq-norm-bn-backward)."""
    return _backward(dy, cache)


# ----------------------------------------------------------------------------- folding

def fold_batch_norm(weight: Any, bias: Any, running_mean: Any, running_var: Any,
                    gamma: Any = None, beta: Any = None, eps: float = 1e-5):
    """Merge an eval-mode batch norm into the preceding linear or convolutional layer.

    Implements (eq-norm-fold): with ``s = gamma / sqrt(running_var + eps)``,
    ``W' = s * W`` (output channel ``c`` of ``W`` scaled by ``s_c``) and
    ``b' = s * (b - running_mean) + beta``.

    Parameters
    ----------
    weight : array_like, shape (C, ...)
        ``(C, d)`` for a linear layer, ``(C, C_in, kh, kw)`` for a convolution.
    bias : array_like, shape (C,), or None (no bias)
    running_mean, running_var, gamma, beta : array_like, shape (C,)
    eps : float, >= 0

    Returns
    -------
    weight, bias : ndarrays of shapes (C, ...) and (C,)
    """
    W = _real_array("weight", weight)
    if W.ndim < 2:
        raise ValueError(f"weight must have shape (C, ...), got {W.shape}")
    C = W.shape[0]
    b = _affine("bias", bias, (C,), 0.0, by="weight")
    rm = _affine("running_mean", running_mean, (C,), 0.0, by="weight")
    rv = _affine("running_var", running_var, (C,), 1.0, by="weight")
    if np.any(rv < 0):
        raise ValueError("running_var must be >= 0")
    eps = _eps(eps)
    if np.any(rv + eps == 0):
        raise ValueError("running_var + eps must be > 0 for every channel (got 0: the eval-mode "
                         "layer divides by zero)")
    gamma = _affine("gamma", gamma, (C,), 1.0, by="weight")
    beta = _affine("beta", beta, (C,), 0.0, by="weight")
    s = gamma / np.sqrt(rv + eps)
    return W * s.reshape((C,) + (1,) * (W.ndim - 1)), s * (b - rm) + beta


# ----------------------------------------------------------------------------- scale invariance

def weight_decay_equivalent_lr(eta: float, lam: float, t: Any) -> Any:
    """The exponentially growing step ``eta (1 - eta lam)^-(2t+1)`` of (eq-norm-exp-lr).

    Plain (S)GD on a scale-invariant loss with this step at step ``t`` reproduces (S)GD with
    step ``eta`` and weight decay ``lam``, up to the factor ``(1 - eta lam)^t``.

    Parameters
    ----------
    eta : float > 0
    lam : float >= 0 with ``eta * lam < 1``
    t : int or integer array, >= 0
    """
    eta, lam = _real_scalar("eta", eta), _real_scalar("lam", lam)
    if not eta > 0:
        raise ValueError(f"eta must be > 0, got {eta!r}")
    if not (lam >= 0 and eta * lam < 1):
        raise ValueError(f"lam must satisfy 0 <= lam < 1/eta, got lam={lam!r}, eta={eta!r}")
    ta = np.asarray(t)
    if not np.issubdtype(ta.dtype, np.integer) or np.any(ta < 0):
        raise ValueError(f"t must be a non-negative integer (array), got {t!r}")
    return eta * (1.0 - eta * lam) ** (-(2.0 * ta + 1.0))


def equilibrium_angle(eta: float, lam: float) -> float:
    """The angular update at equilibrium, ``arctan(sqrt(2 eta lam - (eta lam)^2) / (1 - eta lam))``.

    Implements (eq-norm-equilibrium) for (S)GD with weight decay on a scale-invariant loss.
    """
    eta, lam = _real_scalar("eta", eta), _real_scalar("lam", lam)
    if not eta > 0 or not (0 < lam and eta * lam < 1):
        raise ValueError(f"need eta > 0 and 0 < lam < 1/eta, got eta={eta!r}, lam={lam!r}")
    a = eta * lam
    return float(np.arctan(np.sqrt(2 * a - a * a) / (1 - a)))


def angular_update(w_prev: Any, w_next: Any) -> float:
    """Angle in radians between two parameter vectors (flattened), in ``[0, pi]``.

    Computed as ``atan2(|w_next_perp|, <w_next, u>)`` with ``u = w_prev / |w_prev|``, accurate
    also for tiny angles.
    """
    a = _real_array("w_prev", w_prev).ravel()
    b = _real_array("w_next", w_next).ravel()
    if a.shape != b.shape:
        raise ValueError(f"w_prev and w_next must have the same size, got {a.size}, {b.size}")
    na = np.linalg.norm(a)
    if na == 0 or np.linalg.norm(b) == 0:
        raise ValueError("w_prev and w_next must be nonzero")
    u = a / na
    along = b @ u
    return float(np.arctan2(np.linalg.norm(b - along * u), along))


class ScaleInvariantMLP(torch.nn.Module):
    """Bias-free ReLU network with a normalization after every linear layer and a frozen head.

    ``x -> relu(Norm(x W_1^T)) -> ... -> relu(Norm(h W_k^T)) -> h A^T`` where ``Norm`` is batch norm
    (train-mode statistics, always) or layer norm, without affine parameters, and the head
    ``A`` is a fixed buffer. With ``eps = 0`` the loss is invariant to ``W_i -> c W_i`` for
    every ``c > 0`` and every layer separately (prop-norm-scale-invariant-net).

    Parameters
    ----------
    sizes : sequence of int
        ``[d, m_1, ..., m_k]``: input dimension and hidden widths (k >= 1).
    n_classes : int
    norm : {"batch", "layer"}
    eps : float, >= 0
    init_scale : float > 0
        Weights are ``init_scale * N(0, 1 / fan_in)``.
    seed : int
    """

    def __init__(self, sizes: Any, n_classes: int, norm: str = "batch", eps: float = 0.0,
                 init_scale: float = 1.0, seed: int = 0) -> None:
        super().__init__()
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"sizes must be a sequence of ints, got {type(sizes).__name__}")
        sizes = [_int_scalar("sizes", s) for s in sizes]
        n_classes = _int_scalar("n_classes", n_classes)
        if n_classes < 1:
            raise ValueError(f"n_classes must be >= 1, got n_classes={n_classes}")
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must be [d, m_1, ...] with positive entries, got {sizes}")
        if norm not in ("batch", "layer"):
            raise ValueError(f"norm must be 'batch' or 'layer', got {norm!r}")
        if not 0 < _real_scalar("init_scale", init_scale) < np.inf:
            raise ValueError(f"init_scale must be finite and > 0, got {init_scale!r}")
        self.norm, self.eps = norm, _eps(eps)
        seed = _int_scalar("seed", seed)
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got seed={seed}")
        g = torch.Generator().manual_seed(seed)
        self.weights = torch.nn.ParameterList([
            torch.nn.Parameter(init_scale * torch.randn(m, d, generator=g, dtype=torch.float64)
                               / np.sqrt(d))
            for d, m in zip(sizes[:-1], sizes[1:], strict=True)])
        head = torch.randn(n_classes, sizes[-1], generator=g, dtype=torch.float64)
        self.register_buffer("head", head / np.sqrt(sizes[-1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (n, n_classes) for ``x`` of shape (n, d)."""
        d = self.weights[0].shape[1]
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"x must be a real torch tensor of shape (n, {d}), got "
                            f"{type(x).__name__} ({getattr(x, 'dtype', '')})")
        if x.ndim != 2 or x.shape[1] != d or x.shape[0] == 0:
            raise ValueError(f"x must have shape (n, {d}) with n >= 1, got {tuple(x.shape)}")
        if not torch.all(torch.isfinite(x)):
            raise ValueError("x must be finite")
        h = x
        for W in self.weights:
            h = h @ W.T
            dim = 0 if self.norm == "batch" else 1  # over the batch, or over the features
            h = h - h.mean(dim, keepdim=True)
            var = (h * h).mean(dim, keepdim=True)
            if self.eps == 0 and bool((var == 0).any()):
                raise ValueError("x gives a constant normalized set (variance 0) and eps = 0: "
                                 "the normalization is undefined")
            h = h / torch.sqrt(var + self.eps)
            h = torch.relu(h)
        return h @ self.head.T

    def flat_weights(self) -> torch.Tensor:
        """All trainable weights as one detached 1-D tensor."""
        return torch.cat([W.detach().reshape(-1) for W in self.weights])


def train_scale_invariant(model: ScaleInvariantMLP, batches: Any, lrs: Any, lam: float = 0.0,
                          keep_weights: bool = False):
    """(S)GD with weight decay, ``w <- (1 - lr_t lam) w - lr_t grad L_t(w)`` (eq-norm-gd-wd).

    Parameters
    ----------
    model : ScaleInvariantMLP (trained in place)
    batches : sequence of (X, y) pairs of tensors, one per step (cross-entropy loss)
    lrs : float or array_like of length len(batches)
    lam : float >= 0, weight decay
    keep_weights : bool
        Also return every iterate (memory T * p).

    Returns
    -------
    dict of arrays over the steps ``t = 0..T-1``: ``norm`` (norm of ``w_t``, T + 1 entries),
    ``grad_norm`` (norm of ``grad L_t(w_t)``), ``angle`` (between ``w_t`` and ``w_{t+1}``),
    ``loss``; with ``keep_weights`` also ``weights`` of shape (T + 1, p).
    """
    if isinstance(batches, (str, bytes)) or not hasattr(batches, "__iter__"):
        raise TypeError(f"batches must be a sequence of (X, y) pairs, got {type(batches).__name__}")
    if not isinstance(model, ScaleInvariantMLP):
        raise TypeError(f"model must be a ScaleInvariantMLP, got {type(model).__name__}")
    batches = list(batches)
    if not all(isinstance(b, (tuple, list)) and len(b) == 2 for b in batches):
        raise TypeError("batches must be a sequence of (X, y) pairs of tensors")
    T = len(batches)
    lrs_a = _real_array("lrs", lrs)
    if lrs_a.ndim > 1 or lrs_a.size not in (1, T):
        raise ValueError(f"lrs must be a number or have length len(batches) = {T}, got shape "
                         f"{lrs_a.shape}")
    lrs = np.broadcast_to(lrs_a.ravel(), (T,))
    if np.any(lrs <= 0) or not _real_scalar("lam", lam) >= 0:
        raise ValueError("lrs must be > 0 and lam >= 0")
    if np.any(lrs * _real_scalar("lam", lam) >= 1):
        raise ValueError(f"need lr * lam < 1 at every step (else the decay flips the sign of w), "
                         f"got max lr * lam = {float(np.max(lrs) * float(lam))!r}")
    w = model.flat_weights()
    out: dict[str, list] = {"norm": [float(w.norm())], "grad_norm": [], "angle": [],
                            "loss": [], "weights": [w]}
    for (X, y), lr in zip(batches, lrs, strict=True):
        loss = torch.nn.functional.cross_entropy(model(X), y)
        grads = torch.autograd.grad(loss, list(model.weights))
        with torch.no_grad():
            for W, g in zip(model.weights, grads, strict=True):
                W.mul_(1 - lr * lam).sub_(lr * g)
        w_next = model.flat_weights()
        out["grad_norm"].append(float(torch.sqrt(sum((g * g).sum() for g in grads))))
        out["loss"].append(float(loss.detach()))
        out["norm"].append(float(w_next.norm()))
        out["angle"].append(angular_update(w.numpy(), w_next.numpy()))
        if keep_weights:
            out["weights"].append(w_next)
        w = w_next
    res = {k: np.array(v) for k, v in out.items() if k != "weights"}
    if keep_weights:
        res["weights"] = torch.stack(out["weights"]).numpy()
    return res

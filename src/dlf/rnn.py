"""Recurrent networks: the Kalman filter, backpropagation through time, GRU and LSTM cells.

Implements the scalar Kalman filter and its steady-state (Riccati) gain, a sampler for its
state-space model and the exact mean squared error of a scalar linear recurrence on that model;
a NumPy Elman recurrence with hand-written backpropagation through time (optionally truncated
into windows); the spectral norms of the hidden-state Jacobians ``dh_T/dh_t``; orthogonal
initialization; gradient clipping by norm and by value (PyTorch's rules); and PyTorch modules
``RNNCell``, ``GRUCell`` (with the reset gate after or before the matrix product), ``LSTMCell``
and a multi-layer, optionally bidirectional ``RNN`` in PyTorch's weight layout, so that weights
copied from ``torch.nn.RNN``/``GRU``/``LSTM`` give the same outputs.

Conventions (PyTorch's): column vectors, ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``;
gate blocks are stacked in the rows of ``weight_ih``/``weight_hh`` in the order ``r, z, n`` (GRU)
and ``i, f, g, o`` (LSTM).

Derived in: book/architectures/rnn.md (Recurrent networks).
Depends on: numpy, torch; no other dlf module.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "kalman_filter",
    "steady_state_gain",
    "kalman_sample",
    "linear_rnn_mse",
    "rnn_forward",
    "rnn_bptt",
    "truncated_bptt_batches",
    "hidden_jacobian_norms",
    "orthogonal",
    "clip_grad_norm",
    "clip_grad_value",
    "num_parameters",
    "RecurrentCell",
    "RNNCell",
    "GRUCell",
    "LSTMCell",
    "RNN",
]

_NONLIN = ("tanh", "relu")
_CELLS = ("tanh", "relu", "gru", "lstm")
_GATES = {"tanh": 1, "relu": 1, "gru": 3, "lstm": 4}


# --- validation ------------------------------------------------------------------------------

def _real(name: str, x: Any) -> float:
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, torch.Tensor) and x.ndim == 0:
        x = x.item()
    if x is None or isinstance(x, (str, bytes, complex, bool)) or not np.isrealobj(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} ({x!r:.40})")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {name}={v}")
    return v


def _positive(name: str, x: Any, *, strict: bool = True) -> float:
    v = _real(name, x)
    if v < 0 or (strict and v == 0):
        raise ValueError(f"{name} must be {'positive' if strict else 'non-negative'}, "
                         f"got {name}={v}")
    return v


def _int(name: str, x: Any, lo: int = 1) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} ({x!r:.40})")
    if x < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {name}={x}")
    return int(x)


def _array(name: str, x: Any, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers ({err})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if ndim is not None:
        dims = (ndim,) if isinstance(ndim, int) else ndim
        if a.ndim not in dims:
            raise ValueError(f"{name} must have {' or '.join(map(str, dims))} dimensions, "
                             f"got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _tensor(name: str, t: Any, shape: tuple[int, ...]) -> torch.Tensor:
    """``t`` checked to be a finite real floating tensor of the given shape."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape {shape}, got {type(t).__name__}")
    if t.is_complex() or not t.is_floating_point():
        raise TypeError(f"{name} must be a real floating tensor, got dtype {t.dtype}")
    if tuple(t.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(t.shape)}")
    if t.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite")
    return t


def _choice(name: str, x: Any, options: tuple[str, ...]) -> str:
    if not isinstance(x, str):
        raise TypeError(f"{name} must be one of {options}, got {type(x).__name__}")
    if x not in options:
        raise ValueError(f"{name} must be one of {options}, got {x!r}")
    return x


# --- the Kalman filter -----------------------------------------------------------------------

def kalman_filter(x: Any, a: float, q: float, r: float, m0: float = 0.0,
                  v0: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Scalar Kalman filter: means and variances of ``h_t`` given ``x_1..x_t``.

    Model: ``h_1 ~ N(m0, v0)``, ``h_{t+1} = a h_t + xi_t`` with ``xi_t ~ N(0, q)``, and
    ``x_t = h_t + nu_t`` with ``nu_t ~ N(0, r)``. Implements (eq-rnn-kalman): a measurement update
    on the prior at ``t = 1``, then predict-update steps with gain
    ``k_t = (a^2 s_{t-1} + q) / (a^2 s_{t-1} + q + r)``.

    Parameters
    ----------
    x : array_like, shape (T,) or (n, T)
        Observations (one sequence or ``n`` sequences of length ``T``).
    a : float
        Transition coefficient (any real number).
    q, r : float
        Variances of the process noise (``q >= 0``) and the observation noise (``r > 0``).
    m0, v0 : float
        Mean and variance (``v0 >= 0``) of the prior on ``h_1``.

    Returns
    -------
    mean : ndarray, same shape as ``x``
        ``E[h_t | x_1..x_t]``.
    var : ndarray, shape (T,)
        ``Var[h_t | x_1..x_t]`` (the same for every sequence).
    """
    x = _array("x", x, (1, 2))
    a = _real("a", a)
    q = _positive("q", q, strict=False)
    r = _positive("r", r)
    m0 = _real("m0", m0)
    v0 = _positive("v0", v0, strict=False)
    T = x.shape[-1]
    mean = np.empty_like(x)
    var = np.empty(T)
    m_pred, p_pred = np.full(x.shape[:-1], m0), v0
    for t in range(T):
        k = p_pred / (p_pred + r)
        m = m_pred + k * (x[..., t] - m_pred)
        mean[..., t], var[t] = m, p_pred * (1 - k)
        m_pred, p_pred = a * m, a * a * var[t] + q
    return mean, var


def steady_state_gain(a: float, q: float, r: float) -> tuple[float, float]:
    """Fixed point of the Kalman variance recursion (the scalar Riccati equation).

    The predicted variance ``P = a^2 s + q`` with ``s = P r / (P + r)`` solves
    ``P^2 - (q - (1 - a^2) r) P - q r = 0``; its positive root gives the gain
    ``k = P / (P + r)`` and the filtered variance ``s = r k`` (eq-rnn-riccati).

    Parameters
    ----------
    a : float
        Transition coefficient.
    q, r : float
        Process and observation noise variances, both positive.

    Returns
    -------
    k_inf, s_inf : float
        Steady-state gain and filtered variance.
    """
    a = _real("a", a)
    q = _positive("q", q)
    r = _positive("r", r)
    b = q - (1 - a * a) * r
    P = (b + math.sqrt(b * b + 4 * q * r)) / 2
    k = P / (P + r)
    return k, r * k


def kalman_sample(n: int, T: int, a: float, q: float, r: float, m0: float = 0.0,
                  v0: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` state and observation sequences of length ``T`` from the Kalman model.

    Parameters
    ----------
    n, T : int
        Number of sequences and their length.
    a : float
        Transition coefficient, ``|a| < 1`` (a stable state).
    q, r, m0, v0 : float
        As in :func:`kalman_filter`.
    seed : int
        Seed of the NumPy generator.

    Returns
    -------
    h, x : ndarray, shape (n, T)
        States and observations.
    """
    n, T = _int("n", n), _int("T", T)
    a = _real("a", a)
    if abs(a) >= 1:
        raise ValueError(f"a must satisfy |a| < 1 (a stable state), got a={a}")
    q, r = _positive("q", q, strict=False), _positive("r", r, strict=False)
    m0, v0 = _real("m0", m0), _positive("v0", v0, strict=False)
    rng = np.random.default_rng(_int("seed", seed, lo=0))
    h = np.empty((n, T))
    h[:, 0] = m0 + math.sqrt(v0) * rng.standard_normal(n)
    xi = math.sqrt(q) * rng.standard_normal((n, T))
    for t in range(1, T):
        h[:, t] = a * h[:, t - 1] + xi[:, t]
    return h, h + math.sqrt(r) * rng.standard_normal((n, T))


def linear_rnn_mse(w_h: float, w_x: float, a: float, q: float, r: float, T: int,
                   v0: float = 1.0) -> float:
    """Exact mean squared error of the scalar linear recurrence on the Kalman model.

    The estimate is ``g_t = w_h g_{t-1} + w_x x_t`` with ``g_0 = 0``, the prior mean is 0, and the
    error is averaged over ``t = 1..T``: ``(1/T) sum_t E[(h_t - g_t)^2]``. The pair ``(h_t, g_t)``
    is a zero-mean Gaussian vector whose covariance obeys a linear recursion (eq-rnn-error-rec).

    Parameters
    ----------
    w_h, w_x : float
        Recurrent and input weights.
    a, q, r, v0 : float
        As in :func:`kalman_filter` (``m0 = 0``).
    T : int
        Sequence length.

    Returns
    -------
    float
    """
    w_h, w_x, a = _real("w_h", w_h), _real("w_x", w_x), _real("a", a)
    q, r = _positive("q", q, strict=False), _positive("r", r, strict=False)
    v0, T = _positive("v0", v0, strict=False), _int("T", T)
    A = np.array([[a, 0.0], [w_x * a, w_h]])
    Q = np.array([[q, w_x * q], [w_x * q, w_x * w_x * (q + r)]])
    S = np.array([[v0, w_x * v0], [w_x * v0, w_x * w_x * (v0 + r)]])
    total = 0.0
    for t in range(T):
        if t:
            S = A @ S @ A.T + Q
        total += S[0, 0] - 2 * S[0, 1] + S[1, 1]
    return total / T


# --- a NumPy recurrence and backpropagation through time --------------------------------------

def _act(z: np.ndarray, nonlinearity: str) -> np.ndarray:
    return np.tanh(z) if nonlinearity == "tanh" else np.maximum(z, 0.0)


def _act_grad(h: np.ndarray, nonlinearity: str) -> np.ndarray:
    return 1 - h * h if nonlinearity == "tanh" else (h > 0).astype(h.dtype)


def _rnn_args(x, W_ih, W_hh, b_ih, b_hh, h0):
    x = _array("x", x, 3)
    W_ih, W_hh = _array("W_ih", W_ih, 2), _array("W_hh", W_hh, 2)
    n, _, d = x.shape
    p = W_hh.shape[0]
    if W_hh.shape != (p, p):
        raise ValueError(f"W_hh must be square, got shape {W_hh.shape}")
    if W_ih.shape != (p, d):
        raise ValueError(f"W_ih must have shape {(p, d)} (hidden, input), got {W_ih.shape}")
    b_ih = np.zeros(p) if b_ih is None else _array("b_ih", b_ih, 1)
    b_hh = np.zeros(p) if b_hh is None else _array("b_hh", b_hh, 1)
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b.shape != (p,):
            raise ValueError(f"{name} must have shape {(p,)}, got {b.shape}")
    h0 = np.zeros((n, p)) if h0 is None else _array("h0", h0, 2)
    if h0.shape != (n, p):
        raise ValueError(f"h0 must have shape {(n, p)} (batch, hidden), got {h0.shape}")
    return x, W_ih, W_hh, b_ih, b_hh, h0


def rnn_forward(x: Any, W_ih: Any, W_hh: Any, b_ih: Any = None, b_hh: Any = None,
                h0: Any = None, nonlinearity: str = "tanh") -> np.ndarray:
    """Hidden states of a one-layer Elman recurrence (eq-rnn-elman), in NumPy.

    ``h_t = sigma(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` for ``t = 1..T``.

    Parameters
    ----------
    x : array_like, shape (n, T, d)
        A batch of ``n`` input sequences (batch first).
    W_ih : array_like, shape (p, d)
    W_hh : array_like, shape (p, p)
    b_ih, b_hh : array_like, shape (p,), optional
        Biases (zero if omitted).
    h0 : array_like, shape (n, p), optional
        Initial state (zero if omitted).
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    ndarray, shape (n, T + 1, p)
        ``h_0, h_1, ..., h_T``.
    """
    x, W_ih, W_hh, b_ih, b_hh, h0 = _rnn_args(x, W_ih, W_hh, b_ih, b_hh, h0)
    nonlinearity = _choice("nonlinearity", nonlinearity, _NONLIN)
    n, T, _ = x.shape
    H = np.empty((n, T + 1, h0.shape[1]))
    H[:, 0] = h0
    for t in range(T):
        H[:, t + 1] = _act(x[:, t] @ W_ih.T + b_ih + H[:, t] @ W_hh.T + b_hh, nonlinearity)
    return H


def rnn_bptt(x: Any, W_ih: Any, W_hh: Any, grad_h: Any, b_ih: Any = None, b_hh: Any = None,
             h0: Any = None, nonlinearity: str = "tanh",
             window: int | None = None) -> dict[str, np.ndarray]:
    """Gradients of a loss ``L(h_1, ..., h_T)`` of the Elman recurrence, by hand (eq-rnn-grads).

    With ``delta_t = (dL/dh_t) * sigma'(a_t)``, where ``dL/dh_t = grad_h[t] + W_hh^T delta_{t+1}``
    accumulates the direct term and the path through ``h_{t+1}``, the parameter gradients are
    ``sum_t delta_t x_t^T`` (``W_ih``), ``sum_t delta_t h_{t-1}^T`` (``W_hh``), ``sum_t delta_t``
    (both biases) and ``dL/dh_0 = W_hh^T delta_1``.

    Parameters
    ----------
    x, W_ih, W_hh, b_ih, b_hh, h0, nonlinearity
        As in :func:`rnn_forward`.
    grad_h : array_like, shape (n, T, p)
        The direct partial derivatives ``dL/dh_t`` for ``t = 1..T`` (zero where the loss does
        not read ``h_t``).
    window : int, optional
        Truncated BPTT: the time axis is cut into windows ``[0, window), [window, 2 window),
        ...`` and the adjoint is not propagated across a boundary (the state carried into a
        window is treated as a constant, as after ``detach()``). ``None`` (or ``window >= T``)
        gives full BPTT. ``h0`` receives the gradient of the first window only.

    Returns
    -------
    dict with keys ``"W_ih"``, ``"W_hh"``, ``"b_ih"``, ``"b_hh"``, ``"h0"``
    """
    x, W_ih, W_hh, b_ih, b_hh, h0 = _rnn_args(x, W_ih, W_hh, b_ih, b_hh, h0)
    nonlinearity = _choice("nonlinearity", nonlinearity, _NONLIN)
    n, T, _ = x.shape
    grad_h = _array("grad_h", grad_h, 3)
    if grad_h.shape != (n, T, W_hh.shape[0]):
        raise ValueError(f"grad_h must have shape {(n, T, W_hh.shape[0])}, got {grad_h.shape}")
    window = T if window is None else _int("window", window)
    H = rnn_forward(x, W_ih, W_hh, b_ih, b_hh, h0, nonlinearity)
    g = {"W_ih": np.zeros_like(W_ih), "W_hh": np.zeros_like(W_hh), "b_ih": np.zeros_like(b_ih)}
    carry = np.zeros_like(h0)  # dL/dh_{t+1} through the future, at step t
    for t in range(T - 1, -1, -1):
        delta = (grad_h[:, t] + carry) * _act_grad(H[:, t + 1], nonlinearity)
        g["W_ih"] += delta.T @ x[:, t]
        g["W_hh"] += delta.T @ H[:, t]
        g["b_ih"] += delta.sum(axis=0)
        carry = delta @ W_hh if t % window else np.zeros_like(h0)
        if t == 0:
            g["h0"] = delta @ W_hh
    g["b_hh"] = g["b_ih"].copy()
    return g


def truncated_bptt_batches(T: int, window: int) -> list[slice]:
    """The consecutive time windows of truncated BPTT: ``[0, w), [w, 2w), ..., [.., T)``.

    Parameters
    ----------
    T : int
        Sequence length.
    window : int
        Window length (the last window may be shorter).

    Returns
    -------
    list of slice
    """
    T, window = _int("T", T), _int("window", window)
    return [slice(s, min(s + window, T)) for s in range(0, T, window)]


def hidden_jacobian_norms(x: Any, W_ih: Any, W_hh: Any, b_ih: Any = None, b_hh: Any = None,
                          h0: Any = None, nonlinearity: str = "tanh") -> np.ndarray:
    """Spectral norms ``||dh_T/dh_t||_2`` for ``t = 0..T`` along one sequence.

    ``dh_T/dh_t = D_T W_hh D_{T-1} W_hh ... D_{t+1} W_hh`` with ``D_s = diag(sigma'(a_s))``
    (eq-rnn-jacobian); the entry ``t = T`` is ``||I|| = 1``.

    Parameters
    ----------
    x : array_like, shape (T, d)
        One input sequence.
    W_ih, W_hh, b_ih, b_hh, nonlinearity
        As in :func:`rnn_forward`.
    h0 : array_like, shape (p,), optional

    Returns
    -------
    ndarray, shape (T + 1,)
    """
    x = _array("x", x, 2)
    if h0 is not None:
        h0 = _array("h0", h0, 1)[None]
    H = rnn_forward(x[None], W_ih, W_hh, b_ih, b_hh, h0, nonlinearity)[0]
    W_hh = _array("W_hh", W_hh, 2)
    T, p = x.shape[0], W_hh.shape[0]
    out = np.empty(T + 1)
    M = np.eye(p)
    out[T] = 1.0
    for t in range(T - 1, -1, -1):
        M = M @ (_act_grad(H[t + 1], nonlinearity)[:, None] * W_hh)
        out[t] = np.linalg.norm(M, 2)
    return out


# --- stabilizers -----------------------------------------------------------------------------

def orthogonal(n: int, seed: int = 0) -> np.ndarray:
    """A random orthogonal ``n x n`` matrix, uniform (Haar) on the orthogonal group.

    QR of a standard Gaussian matrix, with the columns of ``Q`` multiplied by the signs of the
    diagonal of ``R`` (without this fix ``Q`` is orthogonal but not Haar distributed).

    Parameters
    ----------
    n : int
        Size.
    seed : int
        Seed of the NumPy generator.

    Returns
    -------
    ndarray, shape (n, n)
    """
    n = _int("n", n)
    rng = np.random.default_rng(_int("seed", seed, lo=0))
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    s = np.sign(np.diag(R))
    s[s == 0] = 1.0
    return Q * s


def _grads(grads: Any) -> list[np.ndarray]:
    if isinstance(grads, (np.ndarray, torch.Tensor)):
        grads = [grads]
    if not isinstance(grads, (list, tuple)) or not grads:
        raise TypeError("grads must be an array or a non-empty list of arrays, "
                        f"got {type(grads).__name__}")
    return [_array("grads", g) for g in grads]


def clip_grad_norm(grads: Any, max_norm: float,
                   eps: float = 1e-6) -> tuple[list[np.ndarray], float]:
    """Rescale a list of gradients as ``torch.nn.utils.clip_grad_norm_`` does (eq-rnn-clip).

    With ``N`` the Euclidean norm of all entries together, every gradient is multiplied by
    ``min(1, max_norm / (N + eps))``: nothing changes unless ``N`` exceeds ``max_norm`` (up to
    ``eps``).

    Parameters
    ----------
    grads : array_like or list of array_like
    max_norm : float
        Threshold ``c > 0``.
    eps : float
        Guard of the division (PyTorch uses 1e-6).

    Returns
    -------
    clipped : list of ndarray
    total_norm : float
        ``N`` before clipping.
    """
    gs = _grads(grads)
    c = _positive("max_norm", max_norm)
    eps = _positive("eps", eps, strict=False)
    N = math.sqrt(sum(float(np.sum(g * g)) for g in gs))
    factor = min(1.0, c / (N + eps))
    return [g * factor for g in gs], N


def clip_grad_value(grads: Any, clip_value: float) -> list[np.ndarray]:
    """Clip every entry to ``[-c, c]``, as ``torch.nn.utils.clip_grad_value_``.

    Parameters
    ----------
    grads : array_like or list of array_like
    clip_value : float
        ``c > 0``.

    Returns
    -------
    list of ndarray
    """
    gs = _grads(grads)
    c = _positive("clip_value", clip_value)
    return [np.clip(g, -c, c) for g in gs]


def num_parameters(cell: str, input_size: int, hidden_size: int, num_layers: int = 1,
                   bidirectional: bool = False) -> int:
    """Closed-form parameter count of a (stacked, bidirectional) recurrent layer (eq-rnn-count).

    Each layer and direction has ``g (p d_l + p^2 + 2 p)`` parameters, ``g`` = 1 (Elman),
    3 (GRU) or 4 (LSTM), two bias vectors as in PyTorch, ``d_0 = d`` and ``d_l = D p`` after,
    ``D`` = 2 if bidirectional else 1.

    Parameters
    ----------
    cell : {"tanh", "relu", "gru", "lstm"}
    input_size, hidden_size, num_layers : int
    bidirectional : bool

    Returns
    -------
    int
    """
    g = _GATES[_choice("cell", cell, _CELLS)]
    d, p, L = _int("input_size", input_size), _int("hidden_size", hidden_size), \
        _int("num_layers", num_layers)
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise TypeError(f"bidirectional must be a bool, got {type(bidirectional).__name__}")
    D = 2 if bidirectional else 1
    return sum(D * g * (p * (d if layer == 0 else D * p) + p * p + 2 * p) for layer in range(L))


# --- PyTorch cells and layers ----------------------------------------------------------------

class RecurrentCell(nn.Module):
    """Base of the cells: parameters ``weight_ih (g p, d)``, ``weight_hh (g p, p)``, two biases.

    ``g`` is the number of gate blocks (1, 3 or 4); the subclasses define ``forward``. The
    initialization is PyTorch's, uniform on ``[-1/sqrt(p), 1/sqrt(p)]``.

    Parameters
    ----------
    input_size, hidden_size : int
    seed : int, optional
        Seed of the initialization (``None``: PyTorch's global generator).
    """

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, seed: int | None = None):
        super().__init__()
        d, p = _int("input_size", input_size), _int("hidden_size", hidden_size)
        self.input_size, self.hidden_size = d, p
        g = self.gates * p
        self.weight_ih = nn.Parameter(torch.empty(g, d))
        self.weight_hh = nn.Parameter(torch.empty(g, p))
        self.bias_ih = nn.Parameter(torch.empty(g))
        self.bias_hh = nn.Parameter(torch.empty(g))
        gen = None
        if seed is not None:
            gen = torch.Generator().manual_seed(_int("seed", seed, lo=0))
        bound = 1 / math.sqrt(p)
        with torch.no_grad():
            for w in self.parameters():
                w.uniform_(-bound, bound, generator=gen)

    @classmethod
    def from_torch(cls, cell: nn.Module, **kwargs: Any) -> RecurrentCell:
        """A copy of a ``torch.nn`` cell's weights (same shapes, dtype of the source)."""
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            if not isinstance(getattr(cell, name, None), torch.Tensor):
                raise TypeError(f"cell must be a torch recurrent cell with {name}, "
                                f"got {type(cell).__name__}")
        new = cls(cell.input_size, cell.hidden_size, **kwargs)
        new.to(cell.weight_ih.dtype)
        new.copy_weights(cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        return new

    def copy_weights(self, weight_ih: torch.Tensor, weight_hh: torch.Tensor,
                     bias_ih: torch.Tensor, bias_hh: torch.Tensor) -> None:
        """Overwrite the four parameters with copies of the given tensors (shapes must agree)."""
        with torch.no_grad():
            for name, w in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (weight_ih, weight_hh, bias_ih, bias_hh), strict=True):
                mine = getattr(self, name)
                mine.copy_(_tensor(name, w, tuple(mine.shape)))

    def _check(self, x: torch.Tensor, h: torch.Tensor | None,
               h_name: str = "h") -> tuple[torch.Tensor, torch.Tensor]:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        n = x.shape[0] if x.ndim == 2 and x.shape[0] > 0 else 1
        x = _tensor("x", x, (n, self.input_size))
        if h is None:
            h = x.new_zeros(n, self.hidden_size)
        return x, _tensor(h_name, h, (n, self.hidden_size))


class RNNCell(RecurrentCell):
    """Elman cell ``h' = sigma(W_ih x + b_ih + W_hh h + b_hh)`` (= ``torch.nn.RNNCell``).

    Parameters
    ----------
    input_size, hidden_size : int
    nonlinearity : {"tanh", "relu"}
    seed : int, optional
        Seed of the uniform(-1/sqrt(p), 1/sqrt(p)) initialization.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 seed: int | None = None):
        self.nonlinearity = _choice("nonlinearity", nonlinearity, _NONLIN)
        super().__init__(input_size, hidden_size, seed)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        """One step: ``x (batch, d)``, ``h (batch, p)`` -> ``h' (batch, p)``."""
        x, h = self._check(x, h)
        z = x @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh
        return torch.tanh(z) if self.nonlinearity == "tanh" else torch.relu(z)


class GRUCell(RecurrentCell):
    """Gated recurrent unit in PyTorch's convention (eq-rnn-gru).

    ``r = sig(W_ir x + b_ir + W_hr h + b_hr)``, ``z = sig(W_iz x + b_iz + W_hz h + b_hz)``,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``, so ``z = 1``
    copies the state. With ``reset_after=False`` the candidate is Cho et al.'s
    ``n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)``, which is *not* ``torch.nn.GRUCell``.

    Parameters
    ----------
    input_size, hidden_size : int
    reset_after : bool
        Reset applied after the matrix product (PyTorch, cuDNN) or before it (Cho et al.).
    seed : int, optional
    """

    gates = 3

    def __init__(self, input_size: int, hidden_size: int, reset_after: bool = True,
                 seed: int | None = None):
        if not isinstance(reset_after, (bool, np.bool_)):
            raise TypeError(f"reset_after must be a bool, got {type(reset_after).__name__}")
        self.reset_after = bool(reset_after)
        super().__init__(input_size, hidden_size, seed)

    def gates_of(self, x: torch.Tensor, h: torch.Tensor | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The reset gate ``r``, update gate ``z`` and candidate ``n`` at ``(x, h)``."""
        x, h = self._check(x, h)
        gi = x @ self.weight_ih.T + self.bias_ih
        i_r, i_z, i_n = gi.chunk(3, dim=1)
        W_hr, W_hz, W_hn = self.weight_hh.chunk(3, dim=0)
        b_hr, b_hz, b_hn = self.bias_hh.chunk(3)
        r = torch.sigmoid(i_r + h @ W_hr.T + b_hr)
        z = torch.sigmoid(i_z + h @ W_hz.T + b_hz)
        if self.reset_after:
            n = torch.tanh(i_n + r * (h @ W_hn.T + b_hn))
        else:
            n = torch.tanh(i_n + (r * h) @ W_hn.T + b_hn)
        return r, z, n

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        """One step: ``x (batch, d)``, ``h (batch, p)`` -> ``h' (batch, p)``."""
        x, h = self._check(x, h)
        _, z, n = self.gates_of(x, h)
        return (1 - z) * n + z * h


class LSTMCell(RecurrentCell):
    """Long short-term memory cell in PyTorch's convention (eq-rnn-lstm).

    Gates ``i, f, o = sig(.)`` and candidate ``g = tanh(.)`` from ``W_ih x + b_ih + W_hh h + b_hh``
    (row blocks in the order i, f, g, o); ``c' = f * c + i * g`` and ``h' = o * tanh(c')``.

    Parameters
    ----------
    input_size, hidden_size : int
    seed : int, optional
    """

    gates = 4

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """One step: ``x (batch, d)``, ``state = (h, c)`` -> ``(h', c')``."""
        if state is None:
            h = c = None
        elif isinstance(state, (tuple, list)) and len(state) == 2:
            h, c = state
        else:
            raise TypeError(f"state must be None or a pair (h, c) of tensors, got "
                            f"{type(state).__name__}")
        x, h = self._check(x, h, "state")
        _, c = self._check(x, c, "state")
        gates = x @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh
        i, f, g, o = gates.chunk(4, dim=1)
        c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_new), c_new


def _make_cell(cell: str, d: int, p: int, reset_after: bool, seed: int | None) -> RecurrentCell:
    if cell == "gru":
        return GRUCell(d, p, reset_after=reset_after, seed=seed)
    if cell == "lstm":
        return LSTMCell(d, p, seed=seed)
    return RNNCell(d, p, nonlinearity=cell, seed=seed)


class RNN(nn.Module):
    """Stacked, optionally bidirectional recurrent layer (= ``torch.nn.RNN``/``GRU``/``LSTM``).

    Layer ``l > 0`` reads the outputs of layer ``l - 1`` (both directions concatenated). The
    backward direction is the forward recurrence run on the time-reversed sequence, its outputs
    reversed back (eq-rnn-bidir).

    Parameters
    ----------
    cell : {"tanh", "relu", "gru", "lstm"}
    input_size, hidden_size : int
    num_layers : int
    bidirectional : bool
    batch_first : bool
        Inputs and outputs of shape ``(batch, T, .)`` instead of ``(T, batch, .)``.
    reset_after : bool
        For ``cell="gru"`` only, see :class:`GRUCell`.
    seed : int, optional
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bidirectional: bool = False, batch_first: bool = False,
                 reset_after: bool = True, seed: int | None = None):
        super().__init__()
        self.cell = _choice("cell", cell, _CELLS)
        d, p = _int("input_size", input_size), _int("hidden_size", hidden_size)
        self.num_layers = _int("num_layers", num_layers)
        for name, v in (("bidirectional", bidirectional), ("batch_first", batch_first),
                        ("reset_after", reset_after)):
            if not isinstance(v, (bool, np.bool_)):
                raise TypeError(f"{name} must be a bool, got {type(v).__name__}")
        self.bidirectional, self.batch_first = bool(bidirectional), bool(batch_first)
        self.input_size, self.hidden_size = d, p
        D = 2 if self.bidirectional else 1
        base = None if seed is None else _int("seed", seed, lo=0)
        self.cells = nn.ModuleList(
            _make_cell(self.cell, d if k < D else D * p, p, bool(reset_after),
                       None if base is None else base + k)
            for k in range(self.num_layers * D))

    @classmethod
    def from_torch(cls, module: nn.Module, reset_after: bool = True) -> RNN:
        """Copy a ``torch.nn.RNN``, ``GRU`` or ``LSTM`` (with biases, no projection)."""
        if isinstance(module, nn.LSTM):
            cell = "lstm"
        elif isinstance(module, nn.GRU):
            cell = "gru"
        elif isinstance(module, nn.RNN):
            cell = module.nonlinearity
        else:
            raise TypeError(f"module must be torch.nn.RNN, GRU or LSTM, got "
                            f"{type(module).__name__}")
        if not module.bias or getattr(module, "proj_size", 0):
            raise ValueError("module must have biases and no projection (proj_size=0)")
        new = cls(cell, module.input_size, module.hidden_size, module.num_layers,
                  module.bidirectional, module.batch_first, reset_after)
        new.to(module.weight_ih_l0.dtype)
        D = 2 if module.bidirectional else 1
        for k, c in enumerate(new.cells):
            sfx = f"l{k // D}" + ("_reverse" if k % D else "")
            c.copy_weights(*(getattr(module, f"{w}_{sfx}")
                             for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
        return new

    def _run(self, c: RecurrentCell, xs: list[torch.Tensor], state: Any) -> tuple[list, Any]:
        out = []
        for x in xs:
            state = c(x, state)
            out.append(state[0] if isinstance(state, tuple) else state)
        return out, state

    def forward(self, x: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Run the sequence; returns ``(output, h_n)`` (``(output, (h_n, c_n))`` for an LSTM).

        ``output`` has shape ``(T, batch, D p)`` (or batch first), ``h_n`` and ``c_n`` have shape
        ``(num_layers * D, batch, p)``, ordered layer by layer, forward direction first.
        """
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if x.ndim != 3 or min(x.shape) == 0:
            raise ValueError(f"x must have shape (T, batch, {self.input_size}) (or batch first), "
                             f"got {tuple(x.shape)}")
        x = _tensor("x", x, (x.shape[0], x.shape[1], self.input_size))
        if self.batch_first:
            x = x.transpose(0, 1)
        D = 2 if self.bidirectional else 1
        K = self.num_layers * D
        lstm = self.cell == "lstm"
        shape = (K, x.shape[1], self.hidden_size)
        if state is None:
            z = x.new_zeros(shape)
            state = (z, z) if lstm else z
        if lstm:
            if not (isinstance(state, (tuple, list)) and len(state) == 2):
                raise TypeError("state must be None or a pair (h_0, c_0) of tensors for an LSTM")
            hs, cs = (_tensor("state", s_, shape) for s_ in state)
        else:
            hs, cs = _tensor("state", state, shape), None
        layer_in, h_n, c_n = list(x.unbind(0)), [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(D):
                k = layer * D + direction
                s0 = (hs[k], cs[k]) if lstm else hs[k]
                seq = layer_in if direction == 0 else layer_in[::-1]
                out, sT = self._run(self.cells[k], seq, s0)
                outs.append(out if direction == 0 else out[::-1])
                h_n.append(sT[0] if lstm else sT)
                if lstm:
                    c_n.append(sT[1])
            layer_in = [torch.cat(step, dim=1) for step in zip(*outs, strict=True)]
        output = torch.stack(layer_in, 0)
        if self.batch_first:
            output = output.transpose(0, 1)
        h_n = torch.stack(h_n, 0)
        return output, ((h_n, torch.stack(c_n, 0)) if lstm else h_n)

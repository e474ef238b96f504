"""A multilayer perceptron from scratch in NumPy, with its gradients checked.

Implements, for chapter ``mlp`` (Neural networks from first principles):

* activations and their derivatives: :func:`sigmoid`, :func:`softmax` and
  the elementwise layers (:class:`Elementwise`) :class:`ReLU`,
  :class:`Sigmoid`, :class:`Tanh`, :class:`GELU`
  (eq-mlp-activation-derivatives);
* :class:`Linear`, the affine layer ``Y = X W^T + b``, and its backward
  rules (eq-mlp-linear-backward);
* :class:`BCEWithLogits`, the binary cross-entropy of logits, computed
  stably (eq-mlp-bce);
* :class:`MLP` (a stack of layers), :class:`GD` (gradient descent),
  :func:`train` (a full-batch training loop) and :func:`accuracy`;
* :func:`layer_gradient_errors` and :func:`gradient_errors`: every backward
  pass compared with central finite differences;
* :func:`autoencoder_loss`: loss and gradients of the linear autoencoder
  (eq-mlp-autoencoder).

Conventions. A batch is a float64 array of shape ``(n, d)``, one example per
row (as in PyTorch). A :class:`Linear` layer stores ``W`` with shape
``(d_out, d_in)`` and ``b`` with shape ``(d_out,)``. ``backward`` receives
the gradient of the *mean* loss with respect to the layer's output and
returns the gradient with respect to its input; parameter gradients are
written into ``layer.grads`` (arrays of the parameters' shapes) and are never
divided by ``n`` again: the mean in the loss has already done that.

Derived in: ``mlp``.
Depends on: numpy, dlf.gradcheck (for the gradient checks only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.special

from dlf import gradcheck

__all__ = [
    "sigmoid",
    "softmax",
    "Layer",
    "Linear",
    "Elementwise",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "GELU",
    "ACTIVATIONS",
    "BCEWithLogits",
    "MLP",
    "GD",
    "train",
    "accuracy",
    "layer_gradient_errors",
    "gradient_errors",
    "autoencoder_loss",
]

Seed = int | np.random.Generator


# ---------------------------------------------------------------------------
# argument checks


def _int_scalar(name: str, x) -> int:
    """``x`` as an int (an integral float such as ``1e4`` too); ``TypeError`` naming ``name``."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)) and np.isfinite(x) and float(x).is_integer():
        return int(x)
    raise TypeError(f"{name} must be an integer, got {type(x).__name__} ({x!r:.40})")


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


def _float_array(name: str, x: Any) -> np.ndarray:
    """``x`` as a finite float64 array, or a clear error naming ``name``."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, "
                        f"got {type(x).__name__}")
    try:
        a = _real_array(name, x)
    except TypeError as err:
        raise TypeError(f"{name} must be a numeric array, "
                        f"got {type(x).__name__}") from err
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _matrix(name: str, x: Any, shape: tuple[int | None, int]) -> np.ndarray:
    """``x`` as a finite float64 matrix of ``shape`` (``None``: any rows)."""
    a = _float_array(name, x)
    rows, cols = shape
    if a.ndim != 2 or a.shape[1] != cols \
            or (rows is not None and a.shape[0] != rows):
        want = f"({'n' if rows is None else rows}, {cols})"
        raise ValueError(f"{name} must have shape {want}, "
                         f"got shape {a.shape}")
    return a


def _int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, "
                        f"got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return _int_scalar(name, value)


def _needs(name: str, obj: Any, *methods: str) -> None:
    """``TypeError`` naming ``name`` unless ``obj`` has the callable ``methods``."""
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        raise TypeError(f"{name} must have the method(s) {', '.join(methods)} (a dlf.mlp "
                        f"object), got {type(obj).__name__} ({obj!r:.40})")


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, "
                        f"got {type(seed).__name__} ({seed!r})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    return np.random.default_rng(_int_scalar("seed", seed))


# ---------------------------------------------------------------------------
# activation functions


def sigmoid(z: Any) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, never overflowing.

    Only ``e = exp(-|z|) <= 1`` is computed: the result is ``1 / (1 + e)``
    for ``z >= 0`` and ``e / (1 + e)`` for ``z < 0``. The derivative is
    ``sigmoid(z) * sigmoid(-z)`` (eq-mlp-activation-derivatives).

    Parameters
    ----------
    z : array_like of float, any shape

    Returns
    -------
    ndarray of float64, shape of ``z``, values in ``[0, 1]``
    """
    z = _float_array("z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """Softmax ``exp(z_i) / sum_j exp(z_j)`` along ``axis``, computed stably.

    Subtracting ``max_j z_j`` first changes nothing (softmax is invariant to
    adding a constant to every entry) and makes every exponent ``<= 0``.

    Parameters
    ----------
    z : array_like of float, at least 1-D
    axis : int
        Axis along which the entries sum to one.

    Returns
    -------
    ndarray of float64, shape of ``z``
    """
    z = _float_array("z", z)
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"z must be a non-empty array with at least one dimension, got shape "
                         f"{z.shape}")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {type(axis).__name__} ({axis!r:.40})")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis must be an int in [{-z.ndim}, {z.ndim}) for z of shape "
                         f"{z.shape}, got {axis}")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """``Phi(z) = erfc(-z / sqrt 2) / 2``: unlike ``(1 + erf(z / sqrt 2)) / 2``
    it keeps full relative accuracy in the left tail (``scipy.special.erfc``,
    vectorised)."""
    return 0.5 * scipy.special.erfc(-z / math.sqrt(2.0))


# ---------------------------------------------------------------------------
# layers


class Layer:
    """A differentiable map of a batch, with parameters and their gradients.

    ``forward(X)`` returns the output and caches what ``backward`` needs;
    ``backward(dY)`` takes ``dL/dY`` (the shape of the output), writes
    ``dL/dp`` into ``grads[name]`` for every parameter ``params[name]`` and
    returns ``dL/dX``. Layers without parameters have empty dictionaries.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache: np.ndarray | None = None

    def forward(self, X: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def backward(self, dY: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _cached(self) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called "
                               "before forward")
        return self._cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Layer):
    """Affine layer ``Y = X W^T + b`` (one example per row).

    Backward rules (eq-mlp-linear-backward): for ``G = dL/dY``,
    ``dL/dW = G^T X``, ``dL/db = G^T 1`` (column sums), ``dL/dX = G W``.

    Parameters
    ----------
    d_in, d_out : int
        Input and output dimensions, ``>= 1``.
    init : {"glorot", "zeros"}
        ``"glorot"``: iid ``N(0, 2 / (d_in + d_out))`` weights;
        ``"zeros"``: all weights zero. Biases start at zero in both cases.
    seed : int or numpy.random.Generator
        Randomness for the weights (a Generator is used and advanced).

    Attributes
    ----------
    params : dict
        ``"W"``: float64 array of shape (d_out, d_in); ``"b"``: (d_out,).
    grads : dict
        Same keys and shapes, filled in place by :meth:`backward`.
    """

    def __init__(self, d_in: int, d_out: int, *, init: str = "glorot",
                 seed: Seed = 0) -> None:
        super().__init__()
        self.d_in, self.d_out = _int("d_in", d_in), _int("d_out", d_out)
        if init == "glorot":
            std = math.sqrt(2.0 / (self.d_in + self.d_out))
            W = std * _rng(seed).standard_normal((self.d_out, self.d_in))
        elif init == "zeros":
            W = np.zeros((self.d_out, self.d_in))
        else:
            raise ValueError(f"init must be 'glorot' or 'zeros', got {init!r}")
        self.params = {"W": W, "b": np.zeros(self.d_out)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.d_out)}

    def forward(self, X: Any) -> np.ndarray:
        """``X W^T + b`` for ``X`` of shape (n, d_in); shape (n, d_out)."""
        X = _matrix("X", X, (None, self.d_in))
        self._cache = X
        return X @ self.params["W"].T + self.params["b"]

    def backward(self, dY: Any) -> np.ndarray:
        """Backward rules (eq-mlp-linear-backward): store ``dL/dW = dY^T X``
        and ``dL/db = dY^T 1``; return ``dL/dX = dY W``."""
        X = self._cached()
        dY = _matrix("dY", dY, (X.shape[0], self.d_out))
        self.grads["W"][...] = dY.T @ X
        self.grads["b"][...] = dY.sum(axis=0)
        return dY @ self.params["W"]

    def __repr__(self) -> str:
        return f"Linear({self.d_in}, {self.d_out})"


class Elementwise(Layer):
    """An activation applied entry by entry: subclasses define the static
    methods ``f`` (the function) and ``df`` (its derivative)."""

    @staticmethod
    def f(z: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def df(z: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # forward and backward call these on arrays they have checked; the built-in activations
    # define them unchecked (their public f and df check z first), a subclass that defines only
    # f and df gets them through these defaults
    def _f(self, z: np.ndarray) -> np.ndarray:
        return self.f(z)

    def _df(self, z: np.ndarray) -> np.ndarray:
        return self.df(z)

    def forward(self, Z: Any) -> np.ndarray:
        """``f(Z)`` entry by entry, any shape."""
        Z = _float_array("Z", Z)
        self._cache = Z
        return self._f(Z)

    def backward(self, dY: Any) -> np.ndarray:
        """``dL/dZ = dY * f'(Z)``, the chain rule entry by entry
        (prop-mlp-backward, part 2)."""
        Z = self._cached()
        dY = _float_array("dY", dY)
        if dY.shape != Z.shape:
            raise ValueError(f"dY must have the shape {Z.shape} of the last "
                             f"input, got shape {dY.shape}")
        return dY * self._df(Z)


class ReLU(Elementwise):
    """``max(z, 0)``; derivative ``1[z > 0]`` (0 at the kink, as in torch)."""

    @staticmethod
    def f(z):
        return ReLU._f(_float_array("z", z))

    @staticmethod
    def df(z):
        return ReLU._df(_float_array("z", z))

    @staticmethod
    def _f(z):
        return np.maximum(z, 0.0)

    @staticmethod
    def _df(z):
        return (z > 0).astype(np.float64)


class Sigmoid(Elementwise):
    """Logistic ``sigmoid(z)``; derivative ``sigmoid(z) (1 - sigmoid(z))``,
    computed as ``sigmoid(z) sigmoid(-z)``: ``1 - sigmoid(z)`` would cancel
    and lose all relative accuracy for large ``z``."""

    @staticmethod
    def f(z):
        return sigmoid(z)

    @staticmethod
    def df(z):
        return sigmoid(z) * sigmoid(-z)


class Tanh(Elementwise):
    """``tanh(z) = 2 sigmoid(2z) - 1``; derivative ``1 - tanh(z)^2``,
    computed as ``4 sigmoid(2z) sigmoid(-2z)`` to avoid cancellation."""

    @staticmethod
    def f(z):
        return Tanh._f(_float_array("z", z))

    @staticmethod
    def df(z):
        return Tanh._df(_float_array("z", z))

    @staticmethod
    def _f(z):
        return np.tanh(z)

    @staticmethod
    def _df(z):
        z = np.clip(z, -400.0, 400.0)  # 4 sigmoid(800) sigmoid(-800) = 0 already
        return 4.0 * sigmoid(2.0 * z) * sigmoid(-2.0 * z)


class GELU(Elementwise):
    """``z Phi(z)``, ``Phi`` the standard normal CDF (exact form, not the
    tanh approximation); derivative ``Phi(z) + z phi(z)``."""

    @staticmethod
    def f(z):
        return GELU._f(_float_array("z", z))

    @staticmethod
    def df(z):
        return GELU._df(_float_array("z", z))

    @staticmethod
    def _f(z):
        return z * _normal_cdf(z)

    @staticmethod
    def _df(z):
        zc = np.clip(z, -40.0, 40.0)  # z phi(z) is 0 in float64 beyond 40
        pdf = np.exp(-0.5 * zc**2) / math.sqrt(2.0 * math.pi)
        return _normal_cdf(z) + zc * pdf


#: Activation layers by name, as accepted by :class:`MLP`.
ACTIVATIONS: dict[str, type[Elementwise]] = {
    "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "gelu": GELU,
}


# ---------------------------------------------------------------------------
# loss


def _logits_and_labels(
    z: Any, y: Any,
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Check the arguments of :meth:`BCEWithLogits.forward`; return ``z`` and
    ``y`` flattened to shape (n,), and the shape of ``z``."""
    z_arr, y_arr = _float_array("z", z), _float_array("y", y)
    if z_arr.ndim not in (1, 2) or z_arr.size == 0 \
            or (z_arr.ndim == 2 and z_arr.shape[1] != 1):
        raise ValueError(f"z must have shape (n,) or (n, 1) with n >= 1, "
                         f"got shape {z_arr.shape}")
    n = z_arr.shape[0]
    if y_arr.shape not in ((n,), (n, 1)):
        raise ValueError(f"y must have shape ({n},) or ({n}, 1) to match "
                         f"z of shape {z_arr.shape}, "
                         f"got shape {y_arr.shape}")
    if np.any((y_arr < 0) | (y_arr > 1)):
        raise ValueError(f"y must lie in [0, 1], got values in "
                         f"[{y_arr.min():g}, {y_arr.max():g}]")
    return z_arr.reshape(n), y_arr.reshape(n), z_arr.shape


class BCEWithLogits:
    """Mean binary cross-entropy of logits ``z`` and labels ``y`` in [0, 1].

    Implements (eq-mlp-bce): ``ell(z, y) = log(1 + e^z) - y z``, evaluated
    as ``max(z, 0) - y z + log1p(exp(-|z|))``, which cannot overflow, and
    averaged over the ``n`` examples. :meth:`backward` returns
    ``dL/dz = (sigmoid(z) - y) / n``: the only division by ``n`` in the
    whole network.
    """

    def __init__(self) -> None:
        self._cache: tuple[np.ndarray, np.ndarray, tuple[int, ...]] | None
        self._cache = None

    def forward(self, z: Any, y: Any) -> float:
        """Mean loss (eq-mlp-bce); ``z`` of shape (n,) or (n, 1), ``y`` with
        n entries in [0, 1]."""
        zf, yf, shape = _logits_and_labels(z, y)
        self._cache = (zf, yf, shape)
        losses = np.maximum(zf, 0.0) - yf * zf + np.log1p(np.exp(-np.abs(zf)))
        return float(np.mean(losses))

    def backward(self) -> np.ndarray:
        """``dL/dz = (sigmoid(z) - y) / n`` (prop-mlp-bce), in the shape of
        the last ``z``."""
        if self._cache is None:
            raise RuntimeError("BCEWithLogits.backward was called before "
                               "forward")
        zf, yf, shape = self._cache
        return ((sigmoid(zf) - yf) / zf.size).reshape(shape)

    def __repr__(self) -> str:
        return "BCEWithLogits()"


# ---------------------------------------------------------------------------
# network, optimizer, training


class MLP:
    """Multilayer perceptron: Linear, activation, ..., Linear (output logits).

    For ``sizes = [d, m_1, ..., m_{L-1}, d_out]`` the layers are
    ``Linear(d, m_1)``, an activation, ..., ``Linear(m_{L-1}, d_out)``; the
    last layer has no activation, so for ``d_out = 1`` the output is the
    logit that :class:`BCEWithLogits` expects.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, at least two entries, each ``>= 1``.
    activation : {"relu", "sigmoid", "tanh", "gelu"}
    init : {"glorot", "zeros"}
        Passed to every :class:`Linear` layer.
    seed : int or numpy.random.Generator
        One Generator draws the weights of all layers, first layer first.

    Attributes
    ----------
    layers : list of Layer
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", *,
                 init: str = "glorot", seed: Seed = 0) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) \
                or len(sizes) < 2:
            raise ValueError(f"sizes must be a sequence of at least two ints, "
                             f"got {sizes!r}")
        self.sizes = [_int(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)},"
                             f" got {activation!r}")
        rng = _rng(seed)
        self.layers: list[Layer] = []
        pairs = list(zip(self.sizes[:-1], self.sizes[1:], strict=True))
        for i, (a, b) in enumerate(pairs):
            self.layers.append(Linear(a, b, init=init, seed=rng))
            if i < len(pairs) - 1:
                self.layers.append(ACTIVATIONS[activation]())

    def forward(self, X: Any) -> np.ndarray:
        """Apply the layers in order: (n, sizes[0]) -> (n, sizes[-1])."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dY: Any) -> np.ndarray:
        """Send ``dL/d(output)`` through the layers in reverse order
        (prop-mlp-backward, part 3); return ``dL/dX``."""
        for layer in reversed(self.layers):
            dY = layer.backward(dY)
        return dY

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` for every array, input side first.

        Names are ``"<layer index>.<W or b>"``. Parameter and gradient are
        the live arrays: changing them in place changes the model.
        """
        return [(f"{i}.{key}", layer.params[key], layer.grads[key])
                for i, layer in enumerate(self.layers)
                for key in layer.params]

    def predict(self, X: Any) -> np.ndarray:
        """Labels ``1[logit > 0]``, int64 of shape (n,); needs one output."""
        if self.sizes[-1] != 1:
            raise ValueError(f"predict needs a single output logit, the "
                             f"network has {self.sizes[-1]} outputs")
        return (self.forward(X)[:, 0] > 0).astype(np.int64)

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(map(repr, self.layers)) + ")"


class GD:
    """Gradient descent ``p <- p - lr (dL/dp + weight_decay p)``.

    The weight decay term (the gradient of ``weight_decay / 2 ||W||^2``)
    applies to weight matrices only, not to biases, and is scaled by the
    step like the loss gradient.

    Parameters
    ----------
    lr : float
        Step size ``> 0``.
    weight_decay : float
        Coefficient ``>= 0`` of the penalty on the weights.
    """

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        for name, v, positive in (("lr", lr, True),
                                  ("weight_decay", weight_decay, False)):
            ok = not isinstance(v, bool) and isinstance(
                v, (int, float, np.integer, np.floating)) and np.isfinite(v)
            if not ok or (v <= 0 if positive else v < 0):
                raise ValueError(f"{name} must be a finite number "
                                 f"{'> 0' if positive else '>= 0'}, got {v!r}")
        self.lr, self.weight_decay = float(lr), float(weight_decay)

    def step(self, model: MLP) -> None:
        """Update ``model`` in place, from the gradients of its backward."""
        _needs("model", model, "parameters")
        for name, p, g in model.parameters():
            decay = self.weight_decay * p if name.endswith("W") else 0.0
            p -= self.lr * (g + decay)

    def __repr__(self) -> str:
        return f"GD(lr={self.lr:g}, weight_decay={self.weight_decay:g})"


def accuracy(model: MLP, X: Any, y: Any) -> float:
    """Fraction of rows of ``X`` whose label ``1[logit > 0]`` equals ``y``."""
    y_arr = _float_array("y", y)
    _needs("model", model, "predict")
    pred = model.predict(X)
    if y_arr.shape != pred.shape:
        raise ValueError(f"y must have shape {pred.shape} to match X, "
                         f"got shape {y_arr.shape}")
    return float(np.mean(pred == y_arr))


def train(model: MLP, loss: BCEWithLogits, optimizer: GD, X: Any, y: Any,
          n_steps: int) -> dict[str, np.ndarray]:
    """Full-batch training: ``n_steps`` of forward, backward and a step.

    Parameters
    ----------
    model : MLP
        A network with one output logit; trained in place.
    loss : BCEWithLogits
    optimizer : GD
    X : array_like, shape (n, sizes[0])
    y : array_like, shape (n,), labels in {0, 1}
    n_steps : int
        Number of gradient steps, ``>= 0``.

    Returns
    -------
    dict
        ``"loss"`` and ``"accuracy"``: float64 arrays of shape
        (n_steps + 1,); entry ``k`` is measured on ``(X, y)`` after ``k``
        steps.
    """
    n_steps = _int("n_steps", n_steps, 0)
    _needs("model", model, "forward", "backward")
    _needs("loss", loss, "forward", "backward")
    _needs("optimizer", optimizer, "step")
    X, y = _float_array("X", X), _float_array("y", y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), "
                         f"got shapes {X.shape} and {y.shape}")
    history = {"loss": np.empty(n_steps + 1),
               "accuracy": np.empty(n_steps + 1)}
    for k in range(n_steps + 1):
        logits = model.forward(X)
        history["loss"][k] = loss.forward(logits, y)
        history["accuracy"][k] = np.mean((logits[:, 0] > 0) == y)
        if k == n_steps:
            break
        model.backward(loss.backward())
        optimizer.step(model)
    return history


# ---------------------------------------------------------------------------
# gradient checks


def layer_gradient_errors(layer: Layer, X: Any, *, seed: Seed = 0,
                          h: float = 1e-5) -> dict[str, float]:
    """Relative errors of ``layer.backward`` against finite differences.

    Uses the scalar ``phi = sum(G * layer.forward(X))`` for a fixed random
    ``G``: its gradient with respect to ``X`` is ``layer.backward(G)``, and
    with respect to each parameter it is the gradient that call stores. Each
    is compared with :func:`dlf.gradcheck.numerical_gradient` (central
    differences with step ``h``) by :func:`dlf.gradcheck.relative_error`.

    Parameters
    ----------
    layer : Layer
    X : array_like
        A valid input of the layer, away from kinks such as ReLU's 0.
    seed : int or numpy.random.Generator
        Randomness for ``G``.
    h : float
        Finite-difference step; the default is close to ``eps^(1/3)``,
        which balances the ``O(h^2)`` truncation error and the
        ``O(eps / h)`` rounding error of central differences.

    Returns
    -------
    dict
        ``"input"`` and each parameter name, mapped to a relative error.
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"layer must be a dlf.mlp.Layer, "
                        f"got {type(layer).__name__}")
    X = _float_array("X", X)
    if X.size == 0:
        raise ValueError(f"X must be a non-empty array, got shape {X.shape}")
    G = _rng(seed).standard_normal(layer.forward(X).shape)
    dX = layer.backward(G)
    analytic = {key: g.copy() for key, g in layer.grads.items()}
    numeric = gradcheck.numerical_gradient(
        lambda x: np.sum(G * layer.forward(x)), X, h)
    errors = {"input": gradcheck.relative_error(dX, numeric)}
    for key, p in layer.params.items():
        def phi(v: np.ndarray, p: np.ndarray = p) -> float:
            saved = p.copy()
            p[...] = v
            value = float(np.sum(G * layer.forward(X)))
            p[...] = saved
            return value
        numeric = gradcheck.numerical_gradient(phi, p, h)
        errors[key] = gradcheck.relative_error(analytic[key], numeric)
    return errors


def gradient_errors(model: MLP, loss: BCEWithLogits, X: Any, y: Any, *,
                    h: float = 1e-5) -> dict[str, float]:
    """Relative error of every parameter gradient of ``loss(model(X), y)``.

    The analytic gradients come from one forward and backward pass; the
    reference is :func:`dlf.gradcheck.numerical_gradient` of the loss as a
    function of one parameter array at a time, the others fixed, with step
    ``h`` (see :func:`layer_gradient_errors`).

    Returns
    -------
    dict
        Parameter name (as in :meth:`MLP.parameters`) mapped to the relative
        error (:func:`dlf.gradcheck.relative_error`).
    """
    _needs("model", model, "forward", "backward", "parameters")
    _needs("loss", loss, "forward", "backward")
    X = _float_array("X", X)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n, d) with n >= 1, got shape {X.shape}")
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    analytic = {name: g.copy() for name, _, g in model.parameters()}
    errors = {}
    for name, p, _ in model.parameters():
        def value(v: np.ndarray, p: np.ndarray = p) -> float:
            saved = p.copy()
            p[...] = v
            out = loss.forward(model.forward(X), y)
            p[...] = saved
            return out
        numeric = gradcheck.numerical_gradient(value, p, h)
        errors[name] = gradcheck.relative_error(analytic[name], numeric)
    return errors


# ---------------------------------------------------------------------------
# the linear autoencoder


def autoencoder_loss(X: Any, C: Any,
                     D: Any) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss and gradients of the linear autoencoder ``x -> D C x``.

    Implements (eq-mlp-autoencoder): ``L(C, D) = ||X - X C^T D^T||_F^2 / 2n``
    and, with the residual ``R = X C^T D^T - X``, its gradients
    ``dL/dC = D^T R^T X / n`` and ``dL/dD = R^T X C^T / n``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data, one example per row.
    C : array_like, shape (m, d)
        Encoder.
    D : array_like, shape (d, m)
        Decoder.

    Returns
    -------
    loss : float
    grad_C : ndarray of float64, shape (m, d)
    grad_D : ndarray of float64, shape (d, m)
    """
    X = _float_array("X", X)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n, d) with n >= 1, "
                         f"got shape {X.shape}")
    n, d = X.shape
    C = _float_array("C", C)
    if C.ndim != 2 or C.shape[1] != d or C.shape[0] == 0:
        raise ValueError(f"C must have shape (m, {d}) with m >= 1, got shape {C.shape}")
    D = _matrix("D", D, (d, C.shape[0]))
    Z = X @ C.T
    R = Z @ D.T - X
    return float(np.sum(R**2) / (2 * n)), D.T @ R.T @ X / n, R.T @ Z / n

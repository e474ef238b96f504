"""Infinite width: the NNGP kernel, the neural tangent kernel and the kernel regime.

Chapter ``ntk`` (Infinite width and the neural tangent kernel) derives:

* :func:`arccos_step`: one layer of the ReLU covariance map, the arc-cosine closed forms
  (eq-ntk-arccos) for ``Sigma`` and ``Sigma-dot``;
* :func:`relu_nngp_ntk`: the NNGP kernel ``Sigma^(L)`` and the NTK ``Theta^(L)`` of a deep
  ReLU network in the NTK parametrization (eq-ntk-recursion);
* :func:`two_layer_ntk`, :func:`two_layer_ntk_series`: the kernel of a two-layer ReLU net
  whose first layer alone is trained, ``x.x' (pi - arccos(cos angle)) / (2 pi)`` and its series;
* :class:`ReLUNet`: a torch ReLU network in the NTK parametrization (optionally with an
  antisymmetric initialization, ``f_0 = 0``), with its layerwise empirical NTK;
* :func:`jacobian_ntk`: the empirical NTK of any scalar torch model from autograd Jacobians;
* :func:`kernel_flow`, :func:`kernel_gd_predict`: closed forms of gradient flow and gradient
  descent in function space with a fixed kernel, from any initial function;
* :func:`gp_posterior`: the noise-free Gaussian-process posterior mean and variance;
* :func:`ntk_complexity`: the data-dependent complexity ``sqrt(2 y^T H^{-1} y tr H) / n``.

Random ReLU features are :func:`dlf.double_descent.relu_features` (not repeated here).

Conventions: inputs ``X`` of shape ``(n, d)``, float64, one example per row.

Derived in: book/generalization/ntk.md (Infinite width and the neural tangent kernel).
Depends on: numpy, torch; no other dlf module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = [
    "arccos_step",
    "relu_nngp_ntk",
    "two_layer_ntk",
    "two_layer_ntk_series",
    "ReLUNet",
    "jacobian_ntk",
    "kernel_flow",
    "kernel_gd_predict",
    "gp_posterior",
    "ntk_complexity",
    "train_gd",
]


# ---------------------------------------------------------------------------------------------
# argument checks


def _points(name: str, X: Any) -> np.ndarray:
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    if np.iscomplexobj(X):
        raise TypeError(f"{name} must be real, got a complex array")
    try:
        a = np.array(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 2-D array of real numbers, got "
                        f"{type(X).__name__}") from err
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of shape (n, d), "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def _pair(X: Any, Z: Any) -> tuple[np.ndarray, np.ndarray]:
    X = _points("X", X)
    Z = X if Z is None else _points("Z", Z)
    if Z.shape[1] != X.shape[1]:
        raise ValueError(f"X and Z must have the same number of columns, got X of shape "
                         f"{X.shape} and Z of shape {Z.shape}")
    return X, Z


def _count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return int(value)


def _nonneg(name: str, value: Any, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    if not np.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number {'>' if positive else '>='} 0, "
                         f"got {value!r}")
    return float(value)


def _square(name: str, K: Any) -> np.ndarray:
    K = _points(name, K)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"{name} must be square, got shape {K.shape}")
    scale = max(1.0, float(np.max(np.abs(K))))
    if float(np.max(np.abs(K - K.T))) > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric")
    return K


def _vector(name: str, v: Any, n: int) -> np.ndarray:
    if np.iscomplexobj(v):
        raise TypeError(f"{name} must be real, got a complex array")
    if isinstance(v, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(v).__name__}")
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers, got "
                        f"{type(v).__name__}") from err
    if a.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


# ---------------------------------------------------------------------------------------------
# random features and closed-form kernels


def arccos_step(S: Any, diag_x: Any, diag_z: Any) -> tuple[np.ndarray, np.ndarray]:
    """One layer of the ReLU covariance map (eq-ntk-arccos), in the ``c = 2`` normalization.

    For ``(u, v)`` centred Gaussian with ``E u^2 = a``, ``E v^2 = b``, ``E uv = S`` and
    ``cos t = S / sqrt(a b)``:

    * ``2 E[relu(u) relu(v)] = sqrt(a b) (sin t + (pi - t) cos t) / pi``;
    * ``2 E[1{u > 0} 1{v > 0}] = (pi - t) / pi``.

    Parameters
    ----------
    S : array_like, shape (n, k)
        Covariances ``E u_i v_j``.
    diag_x, diag_z : array_like, shapes (n,) and (k,), positive
        Variances of the ``u_i`` and of the ``v_j``.

    Returns
    -------
    (Sigma, Sigma_dot) : two ndarrays of shape (n, k)
    """
    S = _points("S", S)
    a = _vector("diag_x", diag_x, S.shape[0])
    b = _vector("diag_z", diag_z, S.shape[1])
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError("diag_x and diag_z must be strictly positive variances")
    norm = np.sqrt(np.outer(a, b))
    c = np.clip(S / norm, -1.0, 1.0)
    t = np.arccos(c)
    sigma = norm * (np.sqrt(1.0 - c * c) + (np.pi - t) * c) / np.pi
    sigma_dot = (np.pi - t) / np.pi
    return sigma, sigma_dot


def relu_nngp_ntk(X: Any, Z: Any = None, *, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """NNGP kernel ``Sigma^(L)`` and NTK ``Theta^(L)`` of a depth-``L`` ReLU network.

    Implements (eq-ntk-recursion) for the parametrization of :class:`ReLUNet` (first layer
    unscaled, ``sqrt(2 / m)`` after every ReLU): ``Sigma^(0) = X Z^T``,
    ``Sigma^(h), Sigma-dot^(h) = arccos_step(Sigma^(h-1))``, ``Theta^(0) = Sigma^(0)`` and
    ``Theta^(h) = Theta^(h-1) * Sigma-dot^(h) + Sigma^(h)`` for ``h = 1..L``.

    Parameters
    ----------
    X : array_like, shape (n, d); Z : array_like, shape (k, d), default ``X``
        Nonzero inputs.
    depth : int >= 1
        The number ``L`` of hidden layers.

    Returns
    -------
    (Sigma_L, Theta_L) : two ndarrays of shape (n, k)
    """
    X, Z = _pair(X, Z)
    depth = _count("depth", depth)
    dx, dz = (X * X).sum(1), (Z * Z).sum(1)
    if np.any(dx == 0) or np.any(dz == 0):
        raise ValueError("inputs must be nonzero (the arc-cosine map needs positive variances)")
    S, theta = X @ Z.T, X @ Z.T
    for _ in range(depth):
        # for ReLU with c = 2 the variances are preserved: 2 E relu(u)^2 = E u^2
        S_new, S_dot = arccos_step(S, dx, dz)
        theta = theta * S_dot + S_new
        S = S_new
    return S, theta


def two_layer_ntk(X: Any, Z: Any = None) -> np.ndarray:
    """Kernel of ``f = m^{-1/2} sum_r a_r relu(w_r . x)`` with only ``W`` trained, as ``m -> oo``.

    Implements (eq-ntk-two-layer): ``H*(x, z) = x.z E[1{w.x > 0} 1{w.z > 0}]
    = x.z (pi - arccos(cos angle(x, z))) / (2 pi)`` for ``w ~ N(0, I)``, ``a_r = +-1``.
    """
    X, Z = _pair(X, Z)
    nx, nz = np.linalg.norm(X, axis=1), np.linalg.norm(Z, axis=1)
    if np.any(nx == 0) or np.any(nz == 0):
        raise ValueError("inputs must be nonzero (the angle is undefined at 0)")
    G = X @ Z.T
    c = np.clip(G / np.outer(nx, nz), -1.0, 1.0)
    return G * (np.pi - np.arccos(c)) / (2.0 * np.pi)


def two_layer_ntk_series(G: Any, terms: int) -> np.ndarray:
    """Truncated series of :func:`two_layer_ntk` for unit inputs, from the Gram ``G = X Z^T``.

    Implements item 1 of prop-ntk-linear:
    ``H* = G / 4 + (1 / 2 pi) sum_{l >= 1} c_l G^{o 2l}``, where
    ``c_l = (2l - 3)!! / ((2l - 2)!! (2l - 1))`` (with ``(-1)!! = 0!! = 1``) and ``G^{o k}``
    is the entrywise power. Entries of ``G`` must lie in ``[-1, 1]``.
    """
    G = _points("G", G)
    terms = _count("terms", terms)
    if np.max(np.abs(G)) > 1.0 + 1e-12:
        raise ValueError(f"G must have entries in [-1, 1] (unit inputs), got max |G| = "
                         f"{np.max(np.abs(G)):.6g}")
    G = np.clip(G, -1.0, 1.0)
    out = G / 4.0
    ratio = 1.0  # (2l - 3)!! / (2l - 2)!!, equal to 1 for l = 1
    G2 = G * G
    power = G2.copy()
    for ell in range(1, terms + 1):
        out = out + ratio / (2 * ell - 1) * power / (2.0 * np.pi)
        ratio *= (2 * ell - 1) / (2 * ell)
        power = power * G2
    return out


# ---------------------------------------------------------------------------------------------
# torch networks and empirical kernels


class ReLUNet(torch.nn.Module):
    """Bias-free ReLU network in the NTK parametrization (eq-ntk-param).

    ``f^(1) = W^(1) x``, ``g^(h) = sqrt(2 / m) relu(f^(h))``, ``f^(h+1) = W^(h+1) g^(h)`` for
    ``h = 1..L``, output ``f(x) = f^(L+1)`` (a scalar); every weight is ``N(0, 1)``.

    Parameters
    ----------
    d : int >= 1
        Input dimension.
    width : int >= 1
        Width ``m`` of every hidden layer (even when ``antisymmetric``).
    depth : int >= 1
        Number ``L`` of hidden layers.
    seed : int
        Seed of a private ``torch.Generator``.
    antisymmetric : bool
        If true, the second half of the last hidden layer copies the first half and its output
        weights are negated, so that ``f_0 = 0`` identically (the kernel at initialization is
        then that of ``m / 2`` independent units). In floating point the zero holds up to the
        rounding of the output's sum, whose order depends on the CPU's kernels.
    """

    def __init__(self, d: int, width: int, depth: int, *, seed: int = 0,
                 antisymmetric: bool = False) -> None:
        super().__init__()
        d, width, depth = _count("d", d), _count("width", width), _count("depth", depth)
        seed = _count("seed", seed, minimum=0)
        if antisymmetric and (width % 2 or depth != 1):
            raise ValueError(f"antisymmetric needs depth 1 and an even width, got depth {depth} "
                             f"and width {width}")
        g = torch.Generator().manual_seed(seed)
        shapes = [(width, d)] + [(width, width)] * (depth - 1) + [(1, width)]
        weights = [torch.randn(s, generator=g, dtype=torch.float64) for s in shapes]
        if antisymmetric:
            half = width // 2
            weights[0][half:] = weights[0][:half]
            weights[1][0, half:] = -weights[1][0, :half]
        self.weights = torch.nn.ParameterList(torch.nn.Parameter(w) for w in weights)
        self.width, self.depth = width, depth

    def _check(self, X: Any, name: str = "X") -> torch.Tensor:
        if not isinstance(X, torch.Tensor):
            X = torch.as_tensor(_points(name, X))
        if X.ndim != 2 or X.shape[1] != self.weights[0].shape[1]:
            raise ValueError(f"{name} must have shape (n, {self.weights[0].shape[1]}), "
                             f"got {tuple(X.shape)}")
        return X.to(torch.float64)

    def forward_layers(self, X: Any) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Pre-activations ``f^(1..L+1)`` and layer inputs ``g^(0..L)`` (``g^(0) = x``)."""
        X = self._check(X)
        scale = (2.0 / self.width) ** 0.5
        gs, fs = [X], []
        for h, W in enumerate(self.weights):
            fs.append(gs[-1] @ W.T)
            if h < self.depth:
                gs.append(scale * torch.relu(fs[-1]))
        return fs, gs

    def forward(self, X: Any) -> torch.Tensor:
        """Outputs ``f(x_i)``, shape ``(n,)``."""
        return self.forward_layers(X)[0][-1][:, 0]

    def layerwise_ntk(self, X: Any, Z: Any = None) -> np.ndarray:
        """Empirical NTK ``sum_h <g^(h-1)(x), g^(h-1)(z)> <b^(h)(x), b^(h)(z)>`` (eq-ntk-layerwise).

        ``b^(h) = df / df^(h)`` is back-propagated by hand: ``b^(L+1) = 1`` and
        ``b^(h) = sqrt(2 / m) 1{f^(h) > 0} * (W^(h+1)^T b^(h+1))``.
        """
        with torch.no_grad():
            fx, gx = self.forward_layers(X)
            fz, gz = (fx, gx) if Z is None else self.forward_layers(self._check(Z, "Z"))
            scale = (2.0 / self.width) ** 0.5

            def backward(fs: list[torch.Tensor]) -> list[torch.Tensor]:
                b = [torch.ones_like(fs[-1])]
                for h in range(self.depth, 0, -1):
                    mask = (fs[h - 1] > 0).to(torch.float64)  # bool * float would be float32
                    b.insert(0, scale * mask * (b[0] @ self.weights[h]))
                return b

            bx, bz = backward(fx), backward(fz)
            K = sum((gx[h] @ gz[h].T) * (bx[h] @ bz[h].T) for h in range(self.depth + 1))
        return K.numpy()


def jacobian_ntk(model: torch.nn.Module, X: Any, Z: Any = None) -> np.ndarray:
    """Empirical NTK ``J(X) J(Z)^T`` of a scalar-output model, ``J`` from torch.autograd.

    ``model(X)`` must return shape ``(n,)``; the Jacobian is taken with respect to all
    parameters with ``requires_grad``, one backward pass per input.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    params = [p for p in model.parameters() if p.requires_grad]

    def jac(A: Any, name: str) -> torch.Tensor:
        A = torch.as_tensor(_points(name, A))
        rows = []
        for i in range(A.shape[0]):
            out = model(A[i:i + 1])
            if out.shape != (1,):
                raise ValueError(f"model must map (n, d) to (n,), got output shape "
                                 f"{tuple(out.shape)}")
            grads = torch.autograd.grad(out[0], params)
            rows.append(torch.cat([gr.reshape(-1) for gr in grads]))
        return torch.stack(rows)

    JX = jac(X, "X")
    JZ = JX if Z is None else jac(Z, "Z")
    return (JX @ JZ.T).detach().numpy()


# ---------------------------------------------------------------------------------------------
# kernel dynamics, GP posterior, complexity


def _dynamics_args(K: Any, K_test: Any, y: Any, f0: Any, f0_test: Any):
    K = _square("K", K)
    n = K.shape[0]
    y = _vector("y", y, n)
    f0 = np.zeros(n) if f0 is None else _vector("f0", f0, n)
    if K_test is None:
        return K, None, y, f0, None
    K_test = _points("K_test", K_test)
    if K_test.shape[1] != n:
        raise ValueError(f"K_test must have shape (k, {n}), got {K_test.shape}")
    k = K_test.shape[0]
    f0_test = np.zeros(k) if f0_test is None else _vector("f0_test", f0_test, k)
    return K, K_test, y, f0, f0_test


def kernel_flow(K: Any, y: Any, t: float, *, K_test: Any = None, f0: Any = None,
                f0_test: Any = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Gradient flow ``df/dt = -K(., X)(f(X) - y)`` with a fixed kernel, at time ``t``.

    Implements (eq-ntk-flow): ``f_t(X) = y + e^{-K t}(f_0(X) - y)`` and, at test points,
    ``f_t(x) = f_0(x) + K(x, X) K^{-1} (I - e^{-K t}) (y - f_0(X))`` (``K`` invertible;
    ``K^{-1}(I - e^{-Kt})`` is evaluated stably through the eigendecomposition, as
    ``(1 - e^{-lam t}) / lam``, which tends to ``t`` as ``lam -> 0``).

    Returns ``f_t(X)``, or ``(f_t(X), f_t(x_test))`` when ``K_test`` (shape ``(k, n)``) is given.
    """
    K, K_test, y, f0, f0_test = _dynamics_args(K, K_test, y, f0, f0_test)
    t = _nonneg("t", t)
    lam, V = np.linalg.eigh(K)
    lam = np.maximum(lam, 0.0)
    r = V.T @ (y - f0)
    lt = lam * t
    decay = np.exp(-lt)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(lt > 1e-12, -np.expm1(-lt) / np.where(lam > 0, lam, 1.0), t)
    train = y - V @ (decay * r)
    if K_test is None:
        return train
    return train, f0_test + K_test @ (V @ (gain * r))


def kernel_gd_predict(K: Any, y: Any, *, eta: float, steps: int, K_test: Any = None,
                      f0: Any = None, f0_test: Any = None
                      ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Gradient descent ``f <- f - eta K(., X)(f(X) - y)`` with a fixed kernel, after ``steps``.

    Implements (eq-ntk-gd): the residual obeys ``f_k(X) - y = (I - eta K)^k (f_0(X) - y)``,
    i.e. ``v_i . (f_k(X) - y) = (1 - eta lam_i)^k v_i . (f_0(X) - y)`` on the eigenvectors;
    test points move by ``K(x, X) sum_{j<k} eta (y - f_j(X))``. Returns the train predictions,
    or ``(train, test)`` when ``K_test`` is given.
    """
    K, K_test, y, f0, f0_test = _dynamics_args(K, K_test, y, f0, f0_test)
    eta = _nonneg("eta", eta, positive=True)
    steps = _count("steps", steps, minimum=0)
    lam, V = np.linalg.eigh(K)
    r = V.T @ (y - f0)
    q = 1.0 - eta * lam
    decay = q ** steps
    # sum_{j<k} eta q^j = eta k if q == 1, else eta (1 - q^k) / (1 - q)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(np.abs(eta * lam) > 1e-14, (1.0 - decay) / lam, eta * steps)
    train = y - V @ (decay * r)
    if K_test is None:
        return train
    return train, f0_test + K_test @ (V @ (gain * r))


def gp_posterior(K: Any, K_test: Any, k_test_diag: Any, y: Any
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free Gaussian-process posterior mean and variance (eq-ntk-gp-posterior).

    ``mean = K(x, X) K^{-1} y`` and ``var = k(x, x) - K(x, X) K^{-1} K(X, x)``, for a
    positive-definite ``K`` (shape ``(n, n)``), ``K_test`` of shape ``(k, n)`` and the prior
    variances ``k_test_diag`` (shape ``(k,)``).
    """
    K = _square("K", K)
    n = K.shape[0]
    K_test = _points("K_test", K_test)
    if K_test.shape[1] != n:
        raise ValueError(f"K_test must have shape (k, {n}), got {K_test.shape}")
    kd = _vector("k_test_diag", k_test_diag, K_test.shape[0])
    y = _vector("y", y, n)
    try:
        C = np.linalg.cholesky(K)
    except np.linalg.LinAlgError as err:
        raise ValueError("K must be positive definite") from err
    A = np.linalg.solve(C, K_test.T)  # C^{-1} K(X, x)
    mean = A.T @ np.linalg.solve(C, y)
    var = kd - (A * A).sum(0)
    return mean, var


def ntk_complexity(H: Any, y: Any) -> float:
    """Complexity measure ``sqrt(2 y^T H^{-1} y tr H) / n`` of labels ``y`` under a kernel ``H``.

    Implements (eq-ntk-complexity); ``H`` must be positive definite.
    """
    H = _square("H", H)
    y = _vector("y", y, H.shape[0])
    try:
        C = np.linalg.cholesky(H)
    except np.linalg.LinAlgError as err:
        raise ValueError("H must be positive definite") from err
    z = np.linalg.solve(C, y)
    return float(np.sqrt(2.0 * (z @ z) * np.trace(H)) / H.shape[0])


def train_gd(model: torch.nn.Module, X: Any, y: Any, *, eta: float, steps: int) -> list[float]:
    """Full-batch gradient descent on ``(1/2) sum_i (f(x_i) - y_i)^2``, in place.

    Plain steps ``theta <- theta - eta grad`` on every parameter (no momentum, no weight
    decay), the dynamics compared with kernel gradient descent (eq-ntk-gd). Returns the losses
    before each step and after the last one (length ``steps + 1``).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    Xt = torch.as_tensor(_points("X", X))
    yt = torch.as_tensor(_vector("y", y, Xt.shape[0]))
    eta = _nonneg("eta", eta, positive=True)
    steps = _count("steps", steps, minimum=0)
    params = [p for p in model.parameters() if p.requires_grad]
    losses = []
    for _ in range(steps + 1):
        loss = 0.5 * ((model(Xt) - yt) ** 2).sum()
        losses.append(float(loss.detach()))
        if len(losses) > steps:
            break
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= eta * g
    return losses

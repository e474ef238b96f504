"""Valid calls of dlf.implicit_bias (format: tests/contract/__init__.py)."""

import numpy as np

from dlf import implicit_bias as ib

_X = np.array([[1.0, 0.5, -0.2], [0.3, -1.0, 0.4]])
_y = np.array([0.5, -0.3])
_Z = np.array([[1.0, 0.5], [0.5, 1.0], [1.0, -0.2]])


def _net():
    W, a = ib.homogeneous_relu_net(2, 3, 2, seed=0, scale=1.0)
    return W, a


def _forward():
    W, a = _net()
    return dict(W=W, a=a, X=_Z)


def _train():
    W, a = _net()
    return dict(W=W, a=a, X=_Z, y=np.array([1.0, 1.0, -1.0]), step=0.01, n_steps=3)


def _projection_residuals():
    pot = ib.euclidean_potential()
    w0 = np.array([0.1, 0.2, 0.3])
    w = ib.bregman_projection(_X, _y, pot, w0)
    return dict(X=_X, y=_y, potential=pot, w0=w0, w=w)


def _svm_kkt():
    w, a = ib.hard_margin_svm(_Z)
    return dict(Z=_Z, w=w, a=a)


VALID_CALLS = {
    "Potential": dict(name="euclidean", value=lambda w: 0.5 * float(w @ w),
                      grad=lambda w: w.copy(), grad_inv=lambda t: t.copy(),
                      hess=lambda w: np.ones_like(w), conj=lambda t: 0.5 * float(t @ t),
                      positive=False),
    "euclidean_potential": dict(),
    "entropy_potential": dict(),
    "hyperbolic_potential": dict(alpha=0.5),
    "bregman_divergence": lambda: dict(potential=ib.entropy_potential(),
                                       w=np.array([0.5, 1.0]), v=np.array([1.0, 2.0])),
    "mirror_descent": lambda: dict(grad=lambda w: w - 1.0, potential=ib.entropy_potential(),
                                   w0=np.array([0.5, 2.0]), step=0.1, n_steps=4, every=2),
    "bregman_projection": lambda: dict(X=_X, y=_y, potential=ib.hyperbolic_potential(0.5),
                                       w0=np.array([0.1, 0.2, 0.3]), tol=1e-13, max_iter=200),
    "projection_kkt_residuals": _projection_residuals,
    "lp_steepest_direction": dict(g=np.array([1.0, -2.0, 0.5]), p=3.0),
    "steepest_descent": dict(grad=lambda w: w - 1.0, w0=np.array([0.0, 2.0]), step=0.1,
                             n_steps=4, p=1.5, every=2),
    "quadratic_param_gd": dict(X=_X, y=_y, alpha=0.1, step=0.05, n_steps=5, tol=0.0),
    "hard_margin_svm": dict(Z=_Z),
    "svm_kkt_residuals": _svm_kkt,
    "logistic_loss_sum": dict(Z=_Z, w=np.array([0.3, -0.1])),
    "logistic_grad_sum": dict(Z=_Z, w=np.array([0.3, -0.1])),
    "gd_logistic": dict(Z=_Z, step=0.1, checkpoints=np.array([0, 2, 5]), w0=None),
    "logistic_flow_logtime": dict(Z=_Z, s_max=1.0, h=0.1, w0=None, every=2),
    "exp_loss_steepest_descent": dict(Z=_Z, n_steps=4, p=2.0, scale=1.0, every=2),
    "normalized_margin": dict(Z=_Z, w=np.array([0.3, 0.1]), p=2),
    "homogeneous_relu_net": dict(d=2, m=3, n_nets=2, seed=0, scale=1.0),
    "homogeneous_forward": _forward,
    "train_homogeneous": _train,
}

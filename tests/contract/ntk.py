"""Valid calls of dlf.ntk (format: tests/contract/__init__.py)."""

import numpy as np

from dlf import ntk

_X = np.array([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.8]])
_Z = np.array([[0.2, 1.0], [1.0, -0.4]])
_K = np.array([[2.0, 0.5, 0.2], [0.5, 1.5, 0.3], [0.2, 0.3, 1.0]])
_Kt = np.array([[0.4, 0.2, 0.1], [0.3, 0.5, 0.2]])
_y = np.array([1.0, -0.5, 0.3])
_G = np.array([[1.0, 0.3], [0.3, 1.0], [-0.5, 0.2]])


def _net():
    return ntk.ReLUNet(2, 4, 2, seed=0)


VALID_CALLS = {
    "arccos_step": dict(S=_X @ _Z.T, diag_x=(_X * _X).sum(1), diag_z=(_Z * _Z).sum(1)),
    "relu_nngp_ntk": dict(X=_X, Z=_Z, depth=2),
    "two_layer_ntk": dict(X=_X, Z=_Z),
    "two_layer_ntk_series": dict(G=_G, terms=5),
    "ReLUNet": dict(d=2, width=4, depth=2, seed=0, antisymmetric=False),
    "ReLUNet.forward": dict(X=_X),
    "ReLUNet.forward_layers": dict(X=_X),
    "ReLUNet.layerwise_ntk": dict(X=_X, Z=_Z),
    "jacobian_ntk": lambda: dict(model=_net(), X=_X, Z=_Z),
    "kernel_flow": dict(K=_K, y=_y, t=0.5, K_test=_Kt, f0=np.zeros(3), f0_test=np.zeros(2)),
    "kernel_gd_predict": dict(K=_K, y=_y, eta=0.1, steps=5, K_test=_Kt, f0=np.zeros(3),
                              f0_test=np.zeros(2)),
    "gp_posterior": dict(K=_K, K_test=_Kt, k_test_diag=np.array([1.0, 1.2]), y=_y),
    "ntk_complexity": dict(H=_K, y=_y),
    "train_gd": lambda: dict(model=_net(), X=_X, y=_y, eta=0.01, steps=3),
}

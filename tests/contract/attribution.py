"""Valid calls of dlf.attribution (format: tests/contract/__init__.py)."""

import numpy as np

_X = np.array([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.8], [0.9, 0.2], [-1.0, -0.4]])
_Y = np.array([1.0, 0.0, 0.0, 1.0, 0.0])
_H = np.array([[2.0, 0.5], [0.5, 1.0]])
_V3 = np.array([0.0, 1.0, 2.0, 4.0, 0.5, 2.0, 3.0, 6.0])  # a 3-player game


def _hvp(u):
    return _H @ np.asarray(u)


def _sample_hvp(idx, u):
    return _H @ np.asarray(u)


def _test_fn(theta):
    return float(theta[0])


def _utility(S):
    return float(len(S))


VALID_CALLS = {
    "logistic_fit": dict(X=_X, y=_Y, lam=0.1, sample_weight=np.ones(5), theta0=np.zeros(2),
                         tol=1e-12, max_iter=50),
    "logistic_losses": dict(theta=np.array([0.1, -0.2]), X=_X, y=_Y),
    "logistic_grads": dict(theta=np.array([0.1, -0.2]), X=_X, y=_Y),
    "logistic_hessian": dict(theta=np.array([0.1, -0.2]), X=_X, lam=0.1, sample_weight=None),
    "influence": dict(H=_H, grad_train=np.array([[1.0, 0.0], [0.5, -1.0]]),
                      grad_test=np.array([0.3, 0.2]), damping=0.0),
    "loo_effects": dict(X=_X, y=_Y, lam=0.5, test_fn=_test_fn, indices=np.array([0, 2]),
                        renormalize=False),
    "neumann_inverse_hvp": dict(hvp=_hvp, v=np.array([1.0, -1.0]), s=0.4, r=5, return_all=False),
    "lissa": dict(sample_hvp=_sample_hvp, n=5, v=np.array([1.0, -1.0]), s=0.4, r=5,
                  batch_size=2, seed=0),
    "cg_inverse_hvp": dict(hvp=_hvp, v=np.array([1.0, -1.0]), max_iter=2, tol=0.0),
    "game_table": dict(utility=_utility, N=3),
    "shapley_exact": dict(v=_V3, method="subset"),
    "shapley_difference": dict(v=_V3, i=0, j=2),
    "shapley_permutation": dict(v=_V3, T=10, seed=0),
    "shapley_mc_variance": dict(v=_V3),
    "harsanyi_dividends": dict(v=_V3),
    "banzhaf_exact": dict(v=_V3, p=0.5),
    "knn_shapley": dict(X_train=_X, y_train=_Y, X_test=_X[:2], y_test=_Y[:2], K=2),
    "datamodel_fit": dict(masks=np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]]),
                          outputs=np.array([1.0, 2.0, 0.5, 0.3]), lam=0.1),
}

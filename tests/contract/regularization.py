"""Valid calls of dlf.regularization (format: tests/contract/__init__.py)."""

import numpy as np

_X = np.array([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.8], [0.2, 0.1]])
_y = np.array([0.7, -0.4, 0.5, 0.1])


def _mc_dropout():
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5),
                                torch.nn.Linear(3, 1)).double()
    return dict(model=model, x=torch.ones(4, 2, dtype=torch.float64), n_samples=3, seed=0)


def _fit(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _predict(w, X):
    return X @ w


VALID_CALLS = {
    "ridge_filter": dict(s=np.array([2.0, 1.0, 0.5]), lam=0.3),
    "gd_filter": dict(s=np.array([2.0, 1.0, 0.5]), eta=0.1, t=np.array([0, 3, 10])),
    "flow_filter": dict(s=np.array([2.0, 1.0, 0.5]), t=1.5),
    "spectral_fit": dict(X=_X, y=_y, phi=lambda s: s**2 / (s**2 + 0.1)),
    "gd_path": dict(X=_X, y=_y, eta=0.1, steps=np.array([0, 1, 5])),
    "filter_risk": dict(X=_X, beta=np.array([1.0, -0.5]), sigma=0.3,
                        phi=np.array([0.9, 0.5]), in_sample=False),
    "variance_ratio": dict(x=np.array([0.0, 0.5, 2.0])),
    "early_stopping_constant": dict(),
    "gd_variance_ratio_sup": dict(t=5, grid=101),
    "dropout_mask": dict(shape=(2, 3), p=0.5, rng=0),
    "dropout": dict(h=np.array([[1.0, 2.0], [3.0, 4.0]]), p=0.5, rng=0, train=True),
    "expected_over_masks": dict(fn=lambda keep: keep.sum(), m=3, p=0.5),
    "input_dropout_penalty": dict(X=_X, w=np.array([1.0, -0.5]), p=0.2),
    "input_dropout_minimizer": dict(X=_X, y=_y, p=0.2),
    "last_layer_dropout_penalty": dict(W_out=np.array([[1.0, -0.5, 0.2]]),
                                       A=np.array([[1.0, 0.5, 0.0], [0.2, 0.3, 1.0]]), p=0.2),
    "mc_dropout": _mc_dropout,
    "factorization_penalty": dict(U=np.array([[1.0, 0.5], [0.2, -1.0]]),
                                  V=np.array([[0.3, 0.4], [1.0, 0.1], [0.5, 0.5]])),
    "equalize_factors": dict(M=np.array([[1.0, 0.5, 0.2], [0.2, -1.0, 0.4]]), d1=3),
    "bootstrap_indices": dict(n=5, rng=0),
    "bagging_predict": dict(fit=_fit, predict=_predict, X=_X, y=_y, X_test=_X[:2], n_models=3,
                            rng=0),
    "ambiguity_decomposition": dict(preds=np.array([[0.5, 1.0, 0.0], [0.7, 0.8, 0.2]]),
                                    y=np.array([0.6, 1.0, 0.1])),
    "flip_digits": dict(X=np.arange(128.0).reshape(2, 64)),
    "shift_digits": dict(X=np.arange(128.0).reshape(2, 64), dx=1, dy=-2),
}

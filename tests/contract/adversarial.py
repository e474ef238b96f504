"""Valid calls of dlf.adversarial (format: tests/contract/__init__.py)."""

import math

import numpy as np
import torch

from dlf import adversarial as adv

_W = np.array([0.6, -0.8])


def _linear(x):
    z = x.reshape(x.shape[0], -1)[:, :2] @ torch.tensor(_W, dtype=x.dtype) + 0.1
    return torch.stack([torch.zeros_like(z), z], dim=1)


def _x():
    return torch.tensor([[0.2, 0.7], [0.9, 0.4]], dtype=torch.float64)


def _y():
    return torch.tensor([1, 0])


def _attack(m, x, y):
    return adv.fgsm(m, x, y, 0.1)


def _sphere(m, d, seed):
    X = np.random.default_rng(seed).standard_normal((m, d))
    return X * math.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True)


def _digits():
    X = torch.rand(6, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    return X, torch.tensor([0, 1, 2, 0, 1, 2])


def _smoothed():
    return adv.SmoothedClassifier(_linear, 0.5, 2)


_WR, _AR = adv.random_two_layer(3, 4, seed=0)
_WV, _BV, _AV = adv.robust_construction(_sphere(3, 50, 0), np.array([1, -1, 1]), 0.5)

VALID_CALLS = {
    "project": dict(delta=_x(), eps=0.3, p=2, _allow={"p": {"inf"}}),
    "project_box": dict(x=_x(), delta=_x() * 0.5, low=0.0, high=1.0),
    "fgsm": dict(model=_linear, x=_x(), y=_y(), eps=0.1, p=math.inf, clip=(0.0, 1.0),
                 targeted=None, _allow={"eps": {"zero"}, "p": {"inf"}}),
    "pgd": dict(model=_linear, x=_x(), y=_y(), eps=0.1, alpha=0.03, steps=3, p=2,
                random_start=True, seed=0, targeted=None, clip=(0.0, 1.0),
                _allow={"eps": {"zero"}, "p": {"inf"}}),
    "robust_accuracy": dict(model=_linear, X=_x(), y=_y(), attacks={"fgsm": _attack}),
    "linear_worst_case": dict(w=_W, b=0.1, x=np.array([0.2, 0.3]), y=1, eps=0.1, p=1,
                              _allow={"p": {"inf"}}),
    "digits_mlp": dict(seed=0),
    "adversarial_training": dict(model=adv.digits_mlp(0), X=_digits()[0], y=_digits()[1],
                                 eps=0.1, epochs=1, lr=1e-2, batch_size=6, seed=0,
                                 attack="fgsm_rs", alpha=0.1, steps=2, clip=(0.0, 1.0)),
    "clopper_pearson_lower": dict(k=7, n=10, alpha=0.05),
    "SmoothedClassifier": dict(base=_linear, sigma=0.5, num_classes=2),
    "SmoothedClassifier.counts": dict(x=torch.tensor([0.2, 0.7], dtype=torch.float64), n=50,
                                      batch_size=20, seed=0, _self=_smoothed),
    "SmoothedClassifier.predict": dict(x=torch.tensor([0.2, 0.7], dtype=torch.float64), n=50,
                                       alpha=0.01, batch_size=20, seed=0, _self=_smoothed),
    "SmoothedClassifier.certify": dict(x=torch.tensor([0.9, -0.7], dtype=torch.float64), n0=20,
                                       n=100, alpha=0.01, batch_size=50, seed=0,
                                       _self=_smoothed),
    "robust_construction": dict(X=_sphere(3, 50, 0), y=np.array([1, -1, 1]), c=0.5),
    "relu_net": dict(W=_WV, b=_BV, a=_AV, X=_sphere(2, 50, 1)),
    "random_two_layer": dict(d=3, k=4, seed=0),
    "tanh_net": dict(W=_WR, a=_AR, X=np.ones((2, 3))),
}

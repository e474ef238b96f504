"""Valid calls of dlf.flows (format: tests/contract/__init__.py)."""

import torch
from scipy import stats

from dlf import flows


def _x(d=2):
    return torch.tensor([[0.3, -0.5], [1.0, 0.2], [-0.7, 0.9]], dtype=torch.float32)[:, :d]


def _flow():
    return flows.realnvp(2, n_layers=2, hidden=4, seed=0)


VALID_CALLS = {
    "inverse_cdf_map": dict(cdf_x=stats.gamma(2).cdf, ppf_z=stats.norm.ppf, eps=1e-12),
    "autograd_logdet": dict(func=lambda v: v * 2.0, x=_x()),
    "AdditiveCoupling": dict(mask=[1, 0], hidden=4),
    "AdditiveCoupling.forward": dict(x=_x()),
    "AdditiveCoupling.inverse": dict(z=_x()),
    "AffineCoupling": dict(mask=[1, 0], hidden=4, net=None),
    "AffineCoupling.forward": dict(x=_x()),
    "AffineCoupling.inverse": dict(z=_x()),
    "AffineCoupling.scale_shift": dict(x=_x()),
    "Flow": dict(layers=[flows.AffineCoupling([1, 0], 4), flows.AffineCoupling([0, 1], 4)]),
    "Flow.forward": dict(x=_x(), _self=_flow),
    "Flow.inverse": dict(z=_x(), _self=_flow),
    "Flow.log_prob": dict(x=_x(), _self=_flow),
    "Flow.sample": dict(n=4, generator=None, _self=_flow),
    "alternating_masks": dict(d=3, n_layers=4),
    "realnvp": dict(d=2, n_layers=2, hidden=4, seed=0),
    "train_flow": dict(flow=_flow(), X=_x(), steps=3, lr=1e-3, batch_size=2, seed=0),
}

"""Valid calls of dlf.vae (format: tests/contract/__init__.py)."""

import torch

from dlf import vae

_X = (torch.arange(4 * 6, dtype=torch.float64).reshape(4, 6) % 3 == 0).to(torch.float64)


def _model():
    return vae.VAE(d=6, m=2, hidden=5, seed=0)


def _grid():
    return vae.log_joint_grid(_model(), _X, n_grid=20, lim=4.0)


VALID_CALLS = {
    "VAE": dict(d=6, m=2, hidden=5, seed=0),
    "VAE.encode": dict(x=_X, _self=_model),
    "VAE.decode_logits": dict(z=torch.zeros(3, 2, dtype=torch.float64), _self=_model),
    "VAE.log_likelihood": dict(x=_X, logits=torch.zeros(4, 6, dtype=torch.float64),
                               _self=_model, _allow={"logits": {"negative"}}),
    "VAE.elbo": dict(x=_X, beta=1.0, generator=None, n_samples=2, _self=_model),
    "VAE.kl_term": dict(x=_X, _self=_model),
    "VAE.iwae": dict(x=_X, K=3, generator=None, chunk=2, _self=_model),
    "VAE.log_weights": dict(x=_X, K=3, generator=None, chunk=2, _self=_model),
    "VAE.sample": dict(n=3, generator=None, _self=_model),
    "train_vae": dict(X=_X, m=2, hidden=5, steps=3, lr=1e-3, batch_size=2, beta=1.0, seed=0,
                      record_every=1),
    "log_marginal_grid": dict(model=_model(), x=_X, n_grid=20, lim=4.0),
    "gaussian_elbo_grid": dict(model=_model(), x=_X, mu=torch.zeros(4, 2, dtype=torch.float64),
                               log_var=torch.zeros(4, 2, dtype=torch.float64), n_grid=20,
                               lim=4.0),
    "log_joint_grid": dict(model=_model(), x=_X, n_grid=20, lim=4.0),
    "gaussian_elbo_on_grid": dict(Z=_grid()[0], log_area=_grid()[1], log_joint=_grid()[2],
                                  mu=torch.zeros(4, 2, dtype=torch.float64),
                                  log_var=torch.zeros(4, 2, dtype=torch.float64),
                                  _allow={"log_joint": {"negative"}, "log_area": {"negative"},
                                          "Z": {"negative"}, "mu": {"negative"},
                                          "log_var": {"negative"}}),
    "posterior_kl_grid": dict(model=_model(), x=_X, n_grid=20, lim=4.0),
}

"""Valid calls of dlf.diffusion (format: tests/contract/__init__.py)."""

import numpy as np
import torch

from dlf import diffusion as df

_B = np.array([0.01, 0.05, 0.1, 0.2])
_MEANS = np.array([[1.0, 0.0], [-1.0, 0.0]])
_X = np.array([[0.2, 0.1], [-0.5, 0.3], [1.1, -0.4]])


def _net():
    torch.manual_seed(0)
    return df.DenoiserMLP(4, d=2, hidden=8, n_freq=2)


VALID_CALLS = {
    "linear_beta_schedule": dict(T=5, beta_start=1e-3, beta_end=0.1),
    "alpha_bar": dict(betas=_B),
    "q_sample": dict(x0=_X, t=2, betas=_B, generator=0),
    "q_posterior": dict(x0=_X, xt=_X * 0.5, t=2, betas=_B),
    "mixture_log_prob": dict(x=_X, means=_MEANS, std=0.3, abar=0.5),
    "mixture_score": dict(x=_X, means=_MEANS, std=0.3, abar=0.5),
    "eps_star": dict(x=_X, t=2, betas=_B, means=_MEANS, std=0.3),
    "DenoiserMLP": dict(T=4, d=2, hidden=8, n_freq=2),
    "DenoiserMLP.forward": dict(x=torch.tensor(_X, dtype=torch.float32),
                                t=torch.tensor([1, 2, 4]), _self=_net),
    "dsm_loss": dict(model=_net(), x0=torch.tensor(_X, dtype=torch.float32),
                     abar=torch.tensor(df.alpha_bar(_B)), generator=None),
    "train_denoiser": dict(model=_net(), X=torch.tensor(_X, dtype=torch.float32), betas=_B,
                           steps=2, lr=1e-3, batch_size=2, seed=0),
    "ddpm_sample": dict(eps_fn=lambda x, t: 0.1 * x, n=5, betas=_B, d=2, seed=0),
}

"""Valid calls of dlf.pacbayes (format: tests/contract/__init__.py)."""

import numpy as np
import torch

from dlf import pacbayes

_SIZES = (2, 3, 2)
_P = 17  # pacbayes.mlp_num_params(_SIZES)


def _data():
    X = torch.tensor([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.8], [0.9, 0.2]], dtype=torch.float64)
    y = torch.tensor([0, 1, 0, 1])
    return X, y


def _theta():
    return pacbayes.mlp_init(_SIZES, seed=0)


def _post():
    return pacbayes.GaussianPosterior(_theta(), std=0.01, sigma_prior=0.1)


def _optimize():
    X, y = _data()
    return dict(post=_post(), prior_mean=_theta(), X=X, y=y, sizes=_SIZES, delta=0.025,
                num_priors=5, steps=3, lr=1e-3, batch_size=None, seed=0)


def _bound():
    X, y = _data()
    return dict(post=_post(), prior_mean=_theta(), X=X, y=y, sizes=_SIZES, X_test=X, y_test=y,
                prior_grid=np.array([0.01, 0.1]), delta=0.025, delta_prime=0.01,
                num_samples=20, seed=0)


def _train():
    X, y = _data()
    return dict(theta0=_theta(), X=X, y=y, sizes=_SIZES, epochs=2, lr=0.05, batch_size=2,
                momentum=0.9, seed=0)


def _logits():
    X, _ = _data()
    return dict(theta=_theta(), X=X, sizes=_SIZES)


def _gibbs():
    X, y = _data()
    return dict(thetas=torch.stack([_theta(), _theta() * 0.5]), X=X, y=y, sizes=_SIZES, chunk=1)


VALID_CALLS = {
    # kl(q || 0) = +inf for q > 0, as documented
    "kl_bernoulli": dict(q=0.1, p=0.3, _allow={"p": {"zero"}}),
    "kl_inverse": dict(q=0.1, c=0.2, tol=1e-12),
    "maurer_xi": dict(n=10),
    "gaussian_kl": dict(mu_q=np.array([0.1, -0.2]), sigma_q=np.array([0.5, 1.0]),
                        mu_p=np.zeros(2), sigma_p=1.0),
    "kl_bound": dict(emp_risk=0.1, kl=5.0, n=100, delta=0.05),
    "mcallester_bound": dict(emp_risk=0.1, kl=5.0, n=100, delta=0.05),
    "sample_convergence_bound": dict(mc_risk=0.1, num_samples=100, delta=0.05),
    "mlp_num_params": dict(sizes=_SIZES),
    "mlp_init": dict(sizes=_SIZES, seed=0),
    "mlp_logits": _logits,
    "GaussianPosterior": lambda: dict(mean=_theta(), std=0.01, sigma_prior=0.1),
    "GaussianPosterior.kl": lambda: dict(prior_mean=_theta(), sigma_prior=0.1),
    "GaussianPosterior.sample": dict(num=3, generator=None),
    "train_sgd": _train,
    "optimize_posterior": _optimize,
    "gibbs_errors": _gibbs,
    # mc_test_error is NaN by design when pac_bayes_bound gets no test set
    "PacBayesResult": dict(bound=0.5, kl=3.0, sigma_prior=0.1, mc_train_error=0.1,
                           train_error_bound=0.15, mc_test_error=0.12, n=100,
                           _allow={"mc_test_error": {"nan"}}),
    "pac_bayes_bound": _bound,
}

"""Valid calls of dlf.vi (format: tests/contract/__init__.py)."""

import numpy as np

_GRID = np.linspace(-4.0, 4.0, 41)
_LOGP = -0.5 * (np.log(2 * np.pi) + _GRID ** 2)


def _sq(z):
    return z ** 2


VALID_CALLS = {
    "gaussian_kl": dict(mu_q=np.array([0.1, 0.7]), var_q=np.array([0.5, 0.3]),
                        mu_p=0.0, var_p=1.0),
    "gaussian_kl_full": dict(mu_q=np.array([0.1, 0.2]), cov_q=np.array([[1.0, 0.2], [0.2, 0.5]]),
                             mu_p=np.zeros(2), cov_p=np.eye(2)),
    "score_function_grads": dict(f=_sq, mu=1.0, sigma=0.5, n=10, seed=0),
    "reparam_grads": dict(f=_sq, mu=1.0, sigma=0.5, n=10, seed=0),
    "LinearGaussianModel": dict(w=2.0, s2=0.5),
    "LinearGaussianModel.log_joint": dict(x=1.3, z=np.array([0.0, 0.5])),
    "LinearGaussianModel.log_evidence": dict(x=1.3),
    "LinearGaussianModel.posterior": dict(x=1.3),
    "LinearGaussianModel.elbo": dict(x=1.3, m=0.5, v=0.2),
    "laplace_log_integral": dict(ell_min=0.0, hessian=np.array([[2.0, 0.1], [0.1, 1.0]]), n=10.0),
    "fit_gaussian_1d": dict(log_p=_LOGP, grid=_GRID, direction="reverse", mu0=0.5, var0=2.0,
                            _allow={"log_p": {"negative"}}),
    "mean_field_gaussian": dict(mean=np.zeros(2), cov=np.array([[1.0, 0.9], [0.9, 1.0]]),
                                direction="reverse"),
    "iwae_estimate": dict(log_w=np.array([[-1.0, -2.0, -0.5]])),
    "iwae_exact_discrete": dict(log_joint=np.array([-3.0, -1.0, -2.0]),
                                q=np.array([0.2, 0.5, 0.3]), K=3),
}

"""Valid calls of dlf.generalization (format: tests/contract/__init__.py)."""

import numpy as np

_Xb = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 1, 1]])
_yb = np.array([1, 1, 1, 0])
_Xr = np.array([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.8], [0.9, 0.2]])
_ypm = np.array([1.0, -1.0, 1.0, -1.0])


def _margins():
    from dlf import generalization

    net = generalization.fit_mlp(_Xr, _ypm, 3, steps=2, seed=0)
    return dict(net=net, X=_Xr, y=_ypm)


VALID_CALLS = {
    "conjunction_learner": dict(X=_Xb, y=_yb),
    "conjunction_predict": dict(literals=np.array([True, False, False]), X=_Xb),
    "conjunction_failure_probability": dict(n=5, d=4, k=1, p=0.5, eps=0.1),
    "conjunction_sample_size": dict(d=5, eps=0.1, delta=0.05),
    "finite_class_bound": dict(n=100, log_card=3.0, delta=0.05),
    "erm_excess_bound": dict(n=100, log_card=3.0, delta=0.05),
    "max_deviation_cdf": dict(t=np.array([0.05, 0.1, 0.3]), n=10, N=3),
    "max_deviation_quantile": dict(level=0.5, n=10, N=3),
    "cover_size_bound": dict(k=3, rho=0.5),
    "greedy_packing": dict(points=_Xr, rho=0.5),
    "parameter_count_bound": dict(n=100, k=3, lipschitz=1.0, delta=0.05, rho=0.1),
    "sauer_bound": dict(n=10, h=3),
    "cover_count": dict(n=10, p=2),
    "halfspace_dichotomies": dict(X=_Xr),
    "interval_dichotomies": dict(x=np.array([0.3, -1.0, 2.0, 0.5])),
    "vc_bound": dict(n=100, h=3, delta=0.05),
    "rademacher_finite": dict(A=np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]]), n_draws=50,
                              seed=0),
    "rademacher_linear": dict(X=_Xr, B=1.0, n_draws=50, seed=0),
    "rademacher_kernel": dict(K=_Xr @ _Xr.T, B=1.0, n_draws=50, seed=0),
    "massart_bound": dict(A=np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]])),
    "rademacher_bound": dict(empirical_risk=0.1, rademacher=0.05, n=100, delta=0.05),
    "golowich_bound": dict(frobenius_norms=np.array([1.5, 2.0]), input_norm=1.0, n=100),
    "margin_bound": dict(margin_error=0.1, rademacher=0.05, gamma=0.5, n=100, delta=0.05),
    "fit_mlp": dict(X=_Xr, y=_ypm, width=3, n_classes=1, depth=2, steps=3, lr=0.01, seed=0),
    "margins": _margins,
    "nk_sample": dict(m=4, D=5, K=2, c=1.0, seed=0),
    "nk_one_step": dict(X=np.arange(12.0).reshape(3, 4) / 10, y=np.array([1.0, -1.0, 1.0]), K=2,
                        flip=False),
    "nk_test_error": dict(w=np.array([2.0, 0.0, 0.5, -0.3]), K=2, c=1.0, m=4),
    "sparsify_probabilities": dict(c=np.array([0.1, -0.5, 1.0]), gamma=1.0),
    "sparsify": dict(c=np.array([0.1, -0.5, 1.0]), gamma=1.0, size=None, seed=0),
    "sparsify_variance": dict(c=np.array([0.1, -0.5, 1.0]), u=np.array([1.0, 0.5, -0.2]),
                              gamma=1.0),
    "truncate_svd": dict(A=_Xr, delta=0.1),
    "stable_rank": dict(A=_Xr),
    "sum_exp_model": dict(theta=np.array([0.5, 2.0]), t=np.array([0.0, 0.5, 1.0])),
    "sum_exp_hessians": dict(theta=np.array([0.5, 2.0]), t=np.array([0.0, 0.5, 1.0])),
    "fisher_gauss_newton": dict(J=_Xr, sigma=1.0),
    "vandermonde": dict(x=np.array([0.0, 0.5, 1.0]), k=3),
}

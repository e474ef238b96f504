"""Valid calls of dlf.double_descent (format: tests/contract/__init__.py)."""

import numpy as np

_X = np.array([[1.0, 0.5], [-0.5, 1.0], [0.3, -0.8]])
_x_train = np.array([0.1, 0.3, 0.6, 0.9])
_x_test = np.array([0.0, 0.5, 1.0])
_S = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.5, 0.5]])
_Phi = np.array([[1.0, 0.5, 0.2], [-0.5, 1.0, 0.1], [0.3, -0.8, 0.7], [0.2, 0.1, -0.4]])


def _fit_predict(x, y, x_test):
    return np.interp(x_test, np.sort(x), y[np.argsort(x)])


VALID_CALLS = {
    "relu_weights": dict(d=2, p=3, rng=0),
    "relu_features": dict(X=_X, p=3, rng=0, weights=None),
    "polynomial_smoother": dict(x_train=_x_train, x_test=_x_test, degree=2),
    "smoother_bias_variance": dict(S=_S, f_train=np.array([0.0, 1.0, 0.5, 0.2]),
                                   f_test=np.array([0.4, 0.7, 0.3]), sigma=0.5,
                                   weights=np.array([1.0, 2.0, 1.0])),
    "bias_variance_mc": dict(fit_predict=_fit_predict, f=np.sin, sigma=0.3, x_test=_x_test,
                             reps=3, rng=0, x_train=_x_train, n=None),
    "ols_excess_risk": dict(n=10, p=3, sigma=0.5),
    "ols_parameter_error": dict(n=10, Sigma=np.array([[2.0, 0.5], [0.5, 1.0]]), sigma=0.5),
    "min_norm_risk": dict(n=10, p=3, in_norm2=1.0, out_norm2=0.5, sigma=0.5),
    "gaussian_curve": dict(n=5, ps=[2, 4], beta=np.array([1.0, 0.5, -0.3, 0.2, 0.1]), sigma=0.5,
                           reps=3, rng=0, lams=np.array([0.0, 0.1])),
    "features_curve": dict(Phi=_Phi, y=np.array([1.0, 0.5, -0.2, 0.3]), Phi_test=_Phi[:2],
                           y_test=np.array([0.9, 0.4]), ps=[1, 3], lams=np.array([0.1, 1.0])),
    "lagrange_basis": dict(nodes=np.array([-1.0, 0.0, 1.0]), x=np.array([-0.5, 0.0, 0.7])),
    "lebesgue_function": dict(nodes=np.array([-1.0, 0.0, 1.0]), x=np.array([-0.5, 0.0, 0.7])),
    "interpolation_noise_pl": dict(x_train=_x_train),
    "nadaraya_watson": dict(x_train=_x_train, y_train=np.array([1.0, 0.5, -0.2, 0.3]),
                            x_test=_x_test, h=0.3, alpha=0.4),
}

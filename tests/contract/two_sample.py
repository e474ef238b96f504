"""Valid calls of dlf.two_sample (format: tests/contract/__init__.py)."""

import numpy as np

_X = np.array([[0.0, 1.0], [1.0, 0.5], [-0.5, 0.2], [0.3, -1.0], [0.8, 0.9]])
_Y = np.array([[1.0, 1.5], [2.0, 0.5], [0.5, 1.2], [1.3, 0.0], [1.1, 1.9]])

VALID_CALLS = {
    "mmd2_unbiased": dict(X=_X, Y=_Y, bandwidth=1.0),
    "gaussian_kernel_mean": dict(m=np.array([0.5, -0.2]), S=np.eye(2), bandwidth=1.0),
    "mmd2_gaussian": dict(m1=np.zeros(2), S1=np.eye(2), m2=np.ones(2), S2=2 * np.eye(2),
                          bandwidth=1.0),
    "permutation_test": dict(X=_X, Y=_Y, statistic="mmd", num_permutations=9, bandwidth=1.0,
                             seed=0),
    "classifier_test": dict(X=_X, Y=_Y, test_fraction=0.4, lam=0.1, features="quadratic",
                            threshold=0.5, num_permutations=19, seed=0),
    "z_test_power": dict(shift=0.2, n=100, alpha=0.05, sigma=1.0),
}

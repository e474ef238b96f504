"""Valid calls of dlf.data (format: tests/contract/__init__.py)."""

import numpy as np

VALID_CALLS = {
    "random_orthogonal": dict(d=5, seed=2),
    "quadratic_spectrum": dict(eigenvalues=np.array([0.001]), seed=0, return_basis=False),
    "log_spaced_spectrum": dict(d=5, mu=0.01, L=100.0),
    "two_gaussians": dict(n=101, d=2, separation=3.0, std=1.0, shuffle=True, seed=3),
    "moons": dict(n=101, noise=0.1, shuffle=True, seed=3),
    "circles": dict(n=101, noise=0.05, factor=0.5, shuffle=True, seed=3),
    "spirals": dict(n=101, n_arms=2, turns=1.5, noise=0.05, shuffle=True, seed=3),
    "ring_centers": dict(n_modes=8, radius=2.0),
    "gaussian_ring": dict(n=50, n_modes=8, radius=2.0, std=0.05, seed=3),
    "linear_regression": dict(n=50, d=4, noise_std=0.0, seed=0, w=None),
    "teacher_network": dict(n=30, d=5, m=7, activation="relu", noise_std=0.0, seed=4),
    "load_digits": dict(flatten=True, scale=True),
    "train_test_split": dict(X=np.array([0, 1]), y=np.array([0, 1]), test_fraction=0.01, seed=0),
}

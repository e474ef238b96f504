"""Valid calls of dlf.gan (format: tests/contract/__init__.py)."""

import numpy as np

_P = np.array([0.5, 0.3, 0.2])
_Q = np.array([0.2, 0.2, 0.6])
_A = np.array([[1.0, 0.5], [0.0, 2.0], [0.3, 0.1]])

VALID_CALLS = {
    "optimal_discriminator": dict(p=_P, q=_Q),
    "gan_value": dict(d=np.array([0.7, 0.6, 0.25]), p=_P, q=_Q),
    "js_divergence": dict(p=_P, q=_Q),
    "FDivergence": dict(_skip="a NamedTuple record: its fields are not validated"),
    "f_divergence": dict(p=_P, q=_Q, name="hellinger2"),
    "variational_bound": dict(T=np.array([-0.5, -0.8, -1.2]), p=_P, q=_Q, name="gan"),
    "wasserstein_1d": dict(x=np.array([0.0, 1.0, 2.5]), y=np.array([0.5, -1.0])),
    "gaussian_w2": dict(m1=np.zeros(2), S1=np.eye(2), m2=np.ones(2), S2=2 * np.eye(2)),
    "gaussian_ot_map": dict(m1=np.zeros(2), S1=np.eye(2), m2=np.ones(2), S2=2 * np.eye(2)),
    "fid": dict(m1=np.zeros(2), S1=np.eye(2), m2=np.ones(2), S2=2 * np.eye(2)),
    "fid_from_samples": dict(X=np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]),
                             Y=np.array([[1.0, 1.0], [0.0, 0.5], [1.5, -1.0]])),
    "spectral_normalize": dict(W=_A, seed=0),
    "gda_matrix": dict(A=_A, eta=0.1, method="alternating"),
    "gda": dict(A=_A, eta=0.1, steps=5, method="extragradient", x0=np.ones(3),
                y0=np.zeros(2)),
    "mode_count": dict(samples=np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]]),
                       centers=np.array([[2.0, 0.0], [0.0, 2.0]]), std=0.05, n_std=3.0,
                       min_fraction=0.02),
    "train_gan": dict(steps=2, hidden=4, lr=1e-3, beta1=0.5, batch_size=8, n_modes=8,
                      radius=2.0, std=0.05, loss="saturating", eval_every=1, eval_size=10,
                      seed=0),
    "birthday_probability": dict(N=365, s=23),
    "collision_support_estimate": dict(batches=np.array([[1, 2, 2, 3], [0, 0, 1, 4]])),
}

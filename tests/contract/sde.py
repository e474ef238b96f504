"""Valid calls of dlf.sde (format: tests/contract/__init__.py)."""

import numpy as np

from dlf import sde

VALID_CALLS = {
    "invariant_distribution": dict(P=np.array([[0.99, 0.01], [0.01, 0.99]])),
    "distribution_path": dict(P=np.array([[0.99, 0.01], [0.01, 0.99]]), p0=[1.0, 0.0], n_steps=6),
    "kl_divergence": dict(
        p=np.array([0.5, 0.5]), q=np.array([0.4000707853732506, 0.5999292146267494])
    ),
    "tv_distance": dict(
        p=np.array(
            [
                [1.0, 0.0],
                [0.99, 0.01],
                [0.9802, 0.0198],
                [0.970596, 0.029404000000000003],
                [0.96118408, 0.038815920000000004],
                [0.9519603984, 0.0480396016],
                [0.9429211904320001, 0.057078809568],
            ]
        ),
        q=np.array([0.4999999999999998, 0.5000000000000002]),
    ),
    "discretize_gaussian_chain": dict(grid=[0.0, 1.0], mean=[0.0, 0.5], sd=1.0),
    "ar1_variance": dict(a=-0.7, noise_var=0.3, k=1, var0=2.0),
    "ar1_cumulant": dict(a=0.6, noise_cumulant=1.0, order=2, k=None),
    "sgd_quadratic_variance": dict(eta=0.3, lam=2.0, noise_var=0.5, k=None, var0=0.0),
    "ou_variance": dict(lam=1.5, diffusion_sq=0.4, t=None, var0=0.0),
    "gibbs_density": dict(f=lambda x: 0.5 * x**2, x=[0.0, 1.0], beta=1.0),
    "gibbs_bin_masses": dict(
        f=lambda x: 0.5 * x**2, edges=np.linspace(-3.0, 3.0, 7), beta=1.0, n_fine=2001
    ),
    "noise_covariance": dict(
        G=np.array(
            [
                [0.0, 1.0],
                [2.8284271247461903, 5.196152422706632],
                [8.0, 11.180339887498949],
                [14.696938456699069, 18.520259177452132],
                [22.627416997969522, 27.0],
                [31.622776601683793, 36.4828726939094],
            ]
        )
    ),
    "minibatch_covariance": dict(
        G=np.array(
            [
                [0.0, 1.0],
                [2.8284271247461903, 5.196152422706632],
                [8.0, 11.180339887498949],
                [14.696938456699069, 18.520259177452132],
                [22.627416997969522, 27.0],
                [31.622776601683793, 36.4828726939094],
            ]
        ),
        b=3,
        replace=False,
    ),
    "svag_coefficients": dict(l=1),
    "gaussian_oracle": dict(grad=lambda x: 2.0 * x, b=2.0, cov=None),
    "minibatch_oracle": dict(
        example_grads=lambda x, idx: np.outer(idx + 1.0, x), n=10, b=4, replace=True
    ),
    "sgd": dict(
        oracle=sde.gaussian_oracle(lambda x: 2.0 * x, b=2.0),
        x0=np.zeros((2, 3)),
        eta=0.1,
        n_steps=5,
        seed=0,
        record_every=None,
    ),
    "svag": dict(
        oracle=sde.gaussian_oracle(lambda x: 2.0 * x, b=2.0),
        x0=np.zeros((2, 1)),
        eta=0.1,
        l=2.0,
        n_steps=3,
        seed=0,
        record_every=None,
    ),
    "euler_maruyama": dict(
        drift=lambda x: -x,
        diffusion=lambda x: np.ones_like(x),
        x0=np.array([[1.0, 0.5]]),
        h=0.01,
        n_steps=10,
        seed=0,
        record_every=None,
    ),
    "central_moment": dict(samples=np.array([0.1, -0.3, 0.25, 0.7, -0.2, 0.05]), order=2),
    "empirical_tv_bound": dict(
        q=np.array(
            [
                0.03446832641677031,
                0.04994428620911611,
                0.02769768252843203,
                0.0436065911122443,
                0.0100615463218231,
                0.16483886107966167,
                0.00047516224145411365,
                0.13685507009835307,
                0.028028179869299067,
                0.01464095563438996,
                0.0263622295248178,
                0.01520663175077592,
                0.043833624047408724,
                0.05230690403106979,
                0.09179400751955397,
                0.010818527568894804,
                0.1531973773720797,
                0.035848367394844476,
                0.016971497190525354,
                0.043044172088485544,
            ]
        ),
        n_samples=2000,
        delta=0.05,
    ),
}

"""Valid calls of dlf.concentration (format: tests/contract/__init__.py)."""

import numpy as np

VALID_CALLS = {
    "markov_bound": dict(mean=1.0, t=0.5),
    "chebyshev_bound": dict(variance=0.25, t=1.0),
    "hoeffding_bound": dict(t=0.05, n=200, width=1.0, two_sided=True),
    "hoeffding_sample_size": dict(eps=0.001, delta=1e-06, width=1.0, two_sided=False),
    "chernoff_upper": dict(
        mu=10.0,
        delta=np.array(
            [
                0.05,
                0.1506329113924051,
                0.25126582278481013,
                0.35189873417721523,
                0.4525316455696203,
                0.5531645569620254,
                0.6537974683544305,
                0.7544303797468356,
                0.8550632911392406,
                0.9556962025316457,
            ]
        ),
        form="2+delta",
    ),
    "chernoff_lower": dict(mu=30.0, delta=1.0, form="mgf"),
    "bernstein_bound": dict(
        t=np.array([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), variance=8.0, M=1.0
    ),
    "matrix_bernstein_tail": dict(
        t=7.242515232825298,
        v=25.464021391305007,
        M=1.2949440670386785,
        shape=(
            6,
            9,
        ),
    ),
    "matrix_bernstein_mean": dict(
        v=25.464021391305007,
        M=1.2949440670386785,
        shape=(
            6,
            9,
        ),
    ),
    "union_bound": dict(probs=[]),
    "ball_volume": dict(d=2, r=1.0),
    "shell_fraction": dict(d=10, eps=0.01),
    "sphere_cap_bound": dict(
        t=np.array(
            [
                0.05,
                0.1,
                0.15,
                0.2,
                0.25,
                0.3,
                0.35,
                0.39999999999999997,
                0.44999999999999996,
                0.49999999999999994,
                0.5499999999999999,
                0.6,
                0.65,
                0.7,
                0.75,
                0.7999999999999999,
                0.85,
                0.9,
                0.95,
            ]
        ),
        d=20,
    ),
    "sample_sphere": dict(n=20000, d=20, seed=5),
    "sample_ball": dict(n=50000, d=10, seed=4),
}

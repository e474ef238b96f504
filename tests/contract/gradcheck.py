"""Valid calls of dlf.gradcheck (format: tests/contract/__init__.py)."""

import numpy as np

VALID_CALLS = {
    "numerical_gradient": dict(f=lambda x: float(x @ x), x=np.array([1.0, 2.0]), h=1e-06),
    "numerical_jacobian": dict(f=np.sin, x=np.array([0.5, 1.0]), h=1e-06),
    "relative_error": dict(
        a=np.array([0.10766856523704407]), b=np.array([0.10766856523014566]), floor=1e-12
    ),
}

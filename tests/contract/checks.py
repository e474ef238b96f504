"""Valid calls of dlf.checks (format: tests/contract/__init__.py)."""

import numpy as np


def _bad(n):
    raise ValueError(f"n must be positive, got {n}")


VALID_CALLS = {
    "check_close": dict(
        _raises=(AssertionError,),
        name="pi",
        measured=3.14159265,
        expected=3.141592653589793,
        rtol=1e-08,
        atol=0.0,
    ),
    "check_le": dict(_raises=(AssertionError,), name="contraction", measured=0.9802, bound=0.99),
    "check_ge": dict(_raises=(AssertionError,), name="accuracy", measured=0.95, bound=0.9),
    "check_true": dict(
        _raises=(AssertionError,), name="pieces", condition=True, detail="32 pieces"
    ),
    "check_raises": dict(
        _raises=(AssertionError,), exc_type=ValueError, func=_bad, _args=(-1,), match="positive"
    ),
    "loglog_slope": dict(
        x=np.array(
            [
                1.0,
                1.8738174228603839,
                3.511191734215131,
                6.579332246575679,
                12.32846739442066,
                23.101297000831593,
                43.28761281083057,
                81.11308307896869,
                151.99110829529332,
                284.8035868435799,
                533.6699231206308,
                1000.0,
            ]
        ),
        y=np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
    ),
    "check_slope": dict(
        _raises=(AssertionError,),
        name="1/k",
        x=np.array([10, 100, 1000, 10000]),
        y=np.array([0.1, 0.01, 0.001, 0.0001]),
        expected=-1.0,
        tol=1e-09,
    ),
    "glue": dict(
        _allow={"value": {"nan", "inf", "complex"}}, name="ratio", value=0.25, display=False
    ),
}

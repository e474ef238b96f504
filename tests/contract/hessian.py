"""Valid calls of dlf.hessian (format: tests/contract/__init__.py)."""

import torch

_W = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)


def _loss():
    return (_W**4).sum() + _W[0] * _W[1]


def _problem():
    w = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    def loss():
        return (w**4).sum() + w[0] * w[1]

    return dict(loss_fn=loss, params=[w])


VALID_CALLS = {
    "HessianOperator": lambda: _problem(),
    "HessianOperator.__call__": dict(v=torch.tensor([1.0, 0.0, 0.5], dtype=torch.float64)),
    "hvp": lambda: dict(**_problem(), v=torch.tensor([1.0, 0.0, 0.5], dtype=torch.float64)),
    "hessian": lambda: _problem(),
    "top_eigenvalue": lambda: dict(**_problem(), n_iter=20, seed=0, tol=0.0),
    "PowerIteration": "result record returned by top_eigenvalue (no input to check)",
}

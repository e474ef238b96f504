"""Valid calls of dlf.autodiff (format: tests/contract/__init__.py)."""

import numpy as np
import torch

from dlf import autodiff


def _f(x):
    return x[0] * x[1] + x[0].sin()


def _fvec(x):
    return [x[0] * x[1], x[1].tanh() + x[2]]


VALID_CALLS = {
    "jacobian_chain_cost": dict(dims=[1, 1]),
    "accumulate_jacobian": dict(jacobians=[np.array([[0.1257302210933933]])], mode="forward"),
    "exp": dict(_allow={"a": {"nan", "inf"}}, a=3.3),
    "log": dict(_allow={"a": {"nan", "inf"}}, a=3.0),
    "sqrt": dict(_allow={"a": {"nan", "inf"}}, a=2.1972245773362196),
    "tanh": dict(_allow={"a": {"nan", "inf"}}, a=8.348999999999998),
    "sin": dict(_allow={"a": {"nan", "inf"}}, a=8.075702182385937),
    "cos": dict(_allow={"a": {"nan", "inf"}}, a=8.075702182385937),
    "cosh": dict(_allow={"a": {"nan", "inf"}}, a=2.6447826086956523),
    "sinh": dict(_allow={"a": {"nan", "inf"}}, a=2.6447826086956523),
    "relu": dict(
        _allow={"a": {"nan", "inf"}}, a=torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    ),
    "Dual": dict(value=3.0, tangent=1.0),
    "Dual.cos": dict(),
    "Dual.cosh": dict(),
    "Dual.exp": dict(),
    "Dual.log": dict(),
    "Dual.relu": dict(),
    "Dual.sin": dict(),
    "Dual.sinh": dict(),
    "Dual.sqrt": dict(),
    "Dual.tanh": dict(),
    "topological_order": dict(_args=(autodiff.Scalar(2.0) * autodiff.Scalar(3.0),)),
    "Scalar": dict(value=3.0),
    "Scalar.backward": dict(),
    "Scalar.cos": dict(),
    "Scalar.cosh": dict(),
    "Scalar.exp": dict(),
    "Scalar.log": dict(),
    "Scalar.relu": dict(),
    "Scalar.sin": dict(),
    "Scalar.sinh": dict(),
    "Scalar.sqrt": dict(),
    "Scalar.tanh": dict(),
    "value_and_grad": dict(f=_f, x=[3.0, 2.0]),
    "jvp": dict(f=_f, x=[3.0, 2.0], v=np.array([1.0, 0.0])),
    "jacobian": dict(f=_fvec, x=np.array([0.3, -0.8, 1.1]), mode="forward"),
    "hessian_vector_product": dict(f=_f, x=np.array([3.0, 2.0]), v=np.array([0.5, -1.0])),
    "Tensor": dict(data=np.array([[0.1257302210933933]])),
    "Tensor.backward": dict(seed=None),
    "Tensor.cos": dict(),
    "Tensor.cosh": dict(),
    "Tensor.exp": dict(),
    "Tensor.log": dict(),
    "Tensor.mean": dict(axis=None),
    "Tensor.relu": dict(),
    "Tensor.sin": dict(),
    "Tensor.sinh": dict(),
    "Tensor.sqrt": dict(),
    "Tensor.sum": dict(axis=None, keepdims=False),
    "Tensor.tanh": dict(),
    "softmax_cross_entropy": dict(
        logits=autodiff.Tensor(np.array([[1.0, 2.0], [0.5, -1.0]])), labels=np.array([0, 1])
    ),
    "random_program": dict(n_inputs=3, n_ops=40, seed=5),
    "run_program": dict(
        program=[
            (
                "tanh",
                0,
                0,
            )
        ],
        xs=[0.0],
    ),
}

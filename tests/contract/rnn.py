"""Valid calls of dlf.rnn (format: tests/contract/__init__.py)."""

import numpy as np
import torch

from dlf import rnn

_N, _T, _D, _P = 2, 4, 3, 5


def _x():
    return np.random.default_rng(0).standard_normal((_N, _T, _D))


def _w_ih():
    return np.random.default_rng(1).standard_normal((_P, _D))


def _w_hh():
    return 0.5 * np.random.default_rng(2).standard_normal((_P, _P))


def _xt():
    return torch.randn(_N, _D, dtype=torch.float64, generator=torch.Generator().manual_seed(0))


def _ht():
    return torch.zeros(_N, _P, dtype=torch.float64)


def _cell(cls, **kw):
    return lambda: cls(_D, _P, seed=0, **kw).double()


def _weights(g):
    return dict(weight_ih=torch.zeros(g * _P, _D, dtype=torch.float64),
                weight_hh=torch.zeros(g * _P, _P, dtype=torch.float64),
                bias_ih=torch.zeros(g * _P, dtype=torch.float64),
                bias_hh=torch.zeros(g * _P, dtype=torch.float64))


def _seq():
    return torch.randn(_T, _N, _D, dtype=torch.float64, generator=torch.Generator().manual_seed(1))


VALID_CALLS = {
    "kalman_filter": dict(x=np.array([0.3, -0.2, 1.1]), a=0.9, q=0.25, r=1.0, m0=0.0, v0=1.0,
                          _allow={"a": {"negative", "zero"}, "m0": {"negative", "zero"},
                                  "q": {"zero"}, "v0": {"zero"}}),
    "steady_state_gain": dict(a=0.9, q=0.25, r=1.0, _allow={"a": {"negative", "zero"}}),
    "kalman_sample": dict(n=3, T=4, a=0.9, q=0.25, r=1.0, m0=0.0, v0=1.0, seed=0,
                          _allow={"a": {"negative", "zero"}, "m0": {"negative", "zero"},
                                  "q": {"zero"}, "r": {"zero"}, "v0": {"zero"},
                                  "seed": {"zero"}}),
    "linear_rnn_mse": dict(w_h=0.5, w_x=0.3, a=0.9, q=0.25, r=1.0, T=5, v0=1.0,
                           _allow={k: {"negative", "zero"} for k in ("w_h", "w_x", "a")}
                           | {"q": {"zero"}, "r": {"zero"}, "v0": {"zero"}}),
    "rnn_forward": dict(x=_x(), W_ih=_w_ih(), W_hh=_w_hh(), b_ih=None, b_hh=None, h0=None,
                        nonlinearity="tanh",
                        _allow={k: {"negative", "zero"} for k in ("x", "W_ih", "W_hh")}),
    "rnn_bptt": dict(x=_x(), W_ih=_w_ih(), W_hh=_w_hh(), grad_h=np.ones((_N, _T, _P)),
                     b_ih=None, b_hh=None, h0=None, nonlinearity="tanh", window=None,
                     _allow={k: {"negative", "zero"} for k in ("x", "W_ih", "W_hh", "grad_h")}),
    "truncated_bptt_batches": dict(T=10, window=4),
    "hidden_jacobian_norms": dict(x=_x()[0], W_ih=_w_ih(), W_hh=_w_hh(), b_ih=None, b_hh=None,
                                  h0=None, nonlinearity="tanh",
                                  _allow={k: {"negative", "zero"} for k in ("x", "W_ih", "W_hh")}),
    "orthogonal": dict(n=4, seed=0, _allow={"seed": {"zero"}}),
    "clip_grad_norm": dict(grads=[np.ones(3), -np.ones((2, 2))], max_norm=1.0, eps=1e-6,
                           _allow={"grads": {"negative", "zero"}, "eps": {"zero"}}),
    "clip_grad_value": dict(grads=[np.ones(3), -np.ones((2, 2))], clip_value=0.5,
                            _allow={"grads": {"negative", "zero"}}),
    "num_parameters": dict(cell="lstm", input_size=3, hidden_size=4, num_layers=2,
                           bidirectional=True),
    "RecurrentCell": dict(input_size=_D, hidden_size=_P, seed=0, _allow={"seed": {"zero"}}),
    "RecurrentCell.from_torch": dict(cell=torch.nn.RNNCell(_D, _P, dtype=torch.float64)),
    "RecurrentCell.copy_weights": dict(**_weights(1), _self=_cell(rnn.RecurrentCell)),
    "RNNCell": dict(input_size=_D, hidden_size=_P, nonlinearity="tanh", seed=0,
                    _allow={"seed": {"zero"}}),
    "RNNCell.forward": dict(x=_xt(), h=_ht(), _self=_cell(rnn.RNNCell)),
    "RNNCell.from_torch": dict(cell=torch.nn.RNNCell(_D, _P, dtype=torch.float64)),
    "RNNCell.copy_weights": dict(**_weights(1), _self=_cell(rnn.RNNCell)),
    "GRUCell": dict(input_size=_D, hidden_size=_P, reset_after=True, seed=0,
                    _allow={"seed": {"zero"}}),
    "GRUCell.forward": dict(x=_xt(), h=_ht(), _self=_cell(rnn.GRUCell)),
    "GRUCell.gates_of": dict(x=_xt(), h=_ht(), _self=_cell(rnn.GRUCell)),
    "GRUCell.from_torch": dict(cell=torch.nn.GRUCell(_D, _P, dtype=torch.float64)),
    "GRUCell.copy_weights": dict(**_weights(3), _self=_cell(rnn.GRUCell)),
    "LSTMCell": dict(input_size=_D, hidden_size=_P, seed=0, _allow={"seed": {"zero"}}),
    "LSTMCell.forward": dict(x=_xt(), state=(_ht(), _ht()), _self=_cell(rnn.LSTMCell)),
    "LSTMCell.from_torch": dict(cell=torch.nn.LSTMCell(_D, _P, dtype=torch.float64)),
    "LSTMCell.copy_weights": dict(**_weights(4), _self=_cell(rnn.LSTMCell)),
    "RNN": dict(cell="gru", input_size=_D, hidden_size=_P, num_layers=2, bidirectional=True,
                batch_first=False, reset_after=True, seed=0, _allow={"seed": {"zero"}}),
    "RNN.forward": dict(x=_seq(), state=None,
                        _self=lambda: rnn.RNN("lstm", _D, _P, 2, True, seed=0).double()),
    "RNN.from_torch": dict(module=torch.nn.LSTM(_D, _P, 2, bidirectional=True,
                                                dtype=torch.float64), reset_after=True),
}

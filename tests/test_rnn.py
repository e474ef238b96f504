"""Tests of dlf.rnn against independent oracles: batch Gaussian conditioning, Monte Carlo,
finite differences, torch.autograd, torch.nn.RNN/GRU/LSTM and torch.nn.utils.clip_grad_*."""

import math

import numpy as np
import pytest
import torch

from dlf import gradcheck, rnn

A, Q, R = 0.9, 0.25, 1.0


def _batch_posterior(x, a, q, r, v0, m0=0.0):
    """Mean and variance of h_T given x_1..x_T by conditioning the joint Gaussian."""
    T = len(x)
    var = np.empty(T)
    var[0] = v0
    for t in range(1, T):
        var[t] = a * a * var[t - 1] + q
    idx = np.arange(T)
    lo = np.minimum.outer(idx, idx)
    C = var[lo] * a ** np.abs(np.subtract.outer(idx, idx))
    Cx = C + r * np.eye(T)
    w = np.linalg.solve(Cx, C[:, -1])
    mu = m0 * a ** idx  # prior means E h_t
    return mu[-1] + w @ (x - mu), C[-1, -1] - C[-1] @ w


def test_kalman_equals_batch_conditioning():
    _, x = rnn.kalman_sample(1, 30, A, Q, R, seed=3)
    m, v = rnn.kalman_filter(x[0], A, Q, R)
    mb, vb = _batch_posterior(x[0], A, Q, R, 1.0)
    assert abs(m[-1] - mb) < 1e-12 and abs(v[-1] - vb) < 1e-12


def test_kalman_non_default_prior_vs_batch_conditioning():
    m0, v0 = 0.7, 2.0
    _, x = rnn.kalman_sample(1, 30, A, Q, R, m0=m0, v0=v0, seed=4)
    m, v = rnn.kalman_filter(x[0], A, Q, R, m0=m0, v0=v0)
    for T in (1, 2, 30):
        mb, vb = _batch_posterior(x[0, :T], A, Q, R, v0, m0)
        assert abs(m[T - 1] - mb) < 1e-12 and abs(v[T - 1] - vb) < 1e-12


def test_kalman_sample_prior_moments():
    n, m0, v0 = 20000, 0.7, 2.0
    h, _ = rnn.kalman_sample(n, 2, A, Q, R, m0=m0, v0=v0, seed=5)
    h1 = h[:, 0]
    assert abs(h1.mean() - m0) < 5 * math.sqrt(v0 / n)
    # Var of the sample variance of a Gaussian: 2 v0^2 / (n - 1)
    assert abs(h1.var(ddof=1) - v0) < 5 * v0 * math.sqrt(2 / (n - 1))


def test_kalman_mean_zero_gain_when_r_large():
    x = np.ones(5)
    m, v = rnn.kalman_filter(x, 0.5, 0.1, 1e12)
    assert np.all(np.abs(m) < 1e-10)


def test_steady_state_is_fixed_point():
    for a, q, r in [(0.9, 0.25, 1.0), (1.5, 0.1, 2.0), (-0.3, 2.0, 0.5)]:
        k, s = rnn.steady_state_gain(a, q, r)
        P = a * a * s + q
        assert abs(P / (P + r) - k) < 1e-12
        _, v = rnn.kalman_filter(np.zeros(400), a, q, r)
        assert abs(v[-1] - s) < 1e-10


def test_linear_rnn_mse_vs_monte_carlo():
    h, x = rnn.kalman_sample(20000, 12, A, Q, R, seed=1)
    wh, wx = 0.6, 0.35
    g = np.zeros(len(x))
    err = np.zeros(len(x))
    for t in range(12):
        g = wh * g + wx * x[:, t]
        err += (h[:, t] - g) ** 2 / 12
    se = err.std() / math.sqrt(len(err))
    assert abs(err.mean() - rnn.linear_rnn_mse(wh, wx, A, Q, R, 12)) < 5 * se


def test_linear_rnn_mse_at_least_kalman():
    _, v = rnn.kalman_filter(np.zeros(30), A, Q, R)
    for wh, wx in [(0.58, 0.357), (0.5, 0.5), (0.0, 0.4)]:
        assert rnn.linear_rnn_mse(wh, wx, A, Q, R, 30) >= v.mean() - 1e-12


def _torch_rnn(x, Wi, Wh, bi, bh, h0, act):
    h, out = h0, []
    for t in range(x.shape[1]):
        h = act(x[:, t] @ Wi.T + bi + h @ Wh.T + bh)
        out.append(h)
    return torch.stack(out, 1)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("window", [None, 3, 10])
def test_bptt_vs_autograd(nonlinearity, window):
    rng = np.random.default_rng(0)
    n, T, d, p = 3, 7, 2, 4
    args = [rng.standard_normal(s) for s in ((n, T, d), (p, d), (p, p), (p,), (p,), (n, p))]
    args[2] *= 0.6
    G = rng.standard_normal((n, T, p))
    g = rnn.rnn_bptt(args[0], args[1], args[2], G, *args[3:], nonlinearity=nonlinearity,
                     window=window)
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args[1:]]
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    x = torch.tensor(args[0])
    h, loss = ts[4], 0.0
    for t in range(T):
        if window and t and t % window == 0:
            h = h.detach()
        h = act(x[:, t] @ ts[0].T + ts[2] + h @ ts[1].T + ts[3])
        loss = loss + (h * torch.tensor(G[:, t])).sum()
    loss.backward()
    for key, tt in zip(["W_ih", "W_hh", "b_ih", "b_hh", "h0"], ts, strict=True):
        np.testing.assert_allclose(g[key], tt.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_bptt_vs_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 3))
    Wi, Wh = rng.standard_normal((4, 3)), 0.5 * rng.standard_normal((4, 4))
    G = rng.standard_normal((2, 5, 4))

    def loss(w):
        H = rnn.rnn_forward(x, Wi, w.reshape(4, 4))
        return float(np.sum(H[:, 1:] * G))

    num = gradcheck.numerical_gradient(loss, Wh.ravel())
    g = rnn.rnn_bptt(x, Wi, Wh, G)["W_hh"]
    assert gradcheck.relative_error(g.ravel(), num) < 1e-7


def test_forward_vs_torch_rnn():
    torch.manual_seed(0)
    m = torch.nn.RNN(3, 5, batch_first=True, dtype=torch.float64)
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    H = rnn.rnn_forward(x.numpy(), m.weight_ih_l0.detach(), m.weight_hh_l0.detach(),
                        m.bias_ih_l0.detach(), m.bias_hh_l0.detach())
    np.testing.assert_allclose(H[:, 1:], m(x)[0].detach().numpy(), rtol=0, atol=1e-13)


@pytest.mark.parametrize("cls,kind", [(torch.nn.RNN, "tanh"), (torch.nn.GRU, "gru"),
                                      (torch.nn.LSTM, "lstm")])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_layers_vs_torch(cls, kind, bidirectional, batch_first):
    torch.manual_seed(1)
    m = cls(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=batch_first,
            dtype=torch.float64)
    mine = rnn.RNN.from_torch(m)
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    D = 2 if bidirectional else 1
    h0 = torch.randn(2 * D, 2, 4, dtype=torch.float64)
    if batch_first:
        x = torch.randn(2, 5, 3, dtype=torch.float64)
    s0 = (h0, torch.randn_like(h0)) if kind == "lstm" else h0
    o1, s1 = m(x, s0)
    o2, s2 = mine(x, s0)
    torch.testing.assert_close(o2, o1, rtol=0, atol=1e-12)
    for u, v in zip(s1 if kind == "lstm" else [s1], s2 if kind == "lstm" else [s2], strict=True):
        torch.testing.assert_close(v, u, rtol=0, atol=1e-12)
    assert sum(p.numel() for p in m.parameters()) == rnn.num_parameters(kind, 3, 4, 2,
                                                                        bidirectional)


def test_cells_vs_torch():
    torch.manual_seed(2)
    x = torch.randn(4, 3, dtype=torch.float64)
    h = torch.randn(4, 5, dtype=torch.float64)
    c = torch.randn(4, 5, dtype=torch.float64)
    for tc, cls in [(torch.nn.RNNCell, rnn.RNNCell), (torch.nn.GRUCell, rnn.GRUCell)]:
        t = tc(3, 5, dtype=torch.float64)
        torch.testing.assert_close(cls.from_torch(t)(x, h), t(x, h), rtol=0, atol=1e-13)
    t = torch.nn.LSTMCell(3, 5, dtype=torch.float64)
    for u, v in zip(rnn.LSTMCell.from_torch(t)(x, (h, c)), t(x, (h, c)), strict=True):
        torch.testing.assert_close(u, v, rtol=0, atol=1e-13)


def test_gru_reset_before_differs_and_equals_formula():
    torch.manual_seed(3)
    t = torch.nn.GRUCell(3, 5, dtype=torch.float64)
    cell = rnn.GRUCell.from_torch(t, reset_after=False)
    x, h = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
    r, z, n = cell.gates_of(x, h)
    W_in, b_in = t.weight_ih[10:], t.bias_ih[10:]
    W_hn, b_hn = t.weight_hh[10:], t.bias_hh[10:]
    n_ref = torch.tanh(x @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
    torch.testing.assert_close(n, n_ref, rtol=0, atol=1e-13)
    assert (cell(x, h) - t(x, h)).abs().max() > 1e-3


def test_gru_copy_and_lstm_copy():
    cell = rnn.GRUCell(2, 3, seed=0).double()
    with torch.no_grad():
        cell.bias_ih[3:6] = 1e3  # z = 1
    h = torch.randn(5, 3, dtype=torch.float64)
    torch.testing.assert_close(cell(torch.randn(5, 2, dtype=torch.float64), h), h)


def test_orthogonal():
    Qm = rnn.orthogonal(20, seed=4)
    np.testing.assert_allclose(Qm.T @ Qm, np.eye(20), atol=1e-12)
    assert not np.allclose(rnn.orthogonal(20, seed=5), Qm)


def test_orthogonal_is_haar_first_entry_mean():
    vals = np.array([rnn.orthogonal(3, seed=s)[0, 0] for s in range(3000)])
    # Haar: E[Q_00] = 0, Var = 1/3; unfixed QR has a biased sign
    assert abs(vals.mean()) < 5 * math.sqrt(1 / 3 / 3000)


def test_orthogonal_is_haar_joint_moment_and_uniform_entry():
    from scipy import stats
    Qs = np.array([rnn.orthogonal(3, seed=s) for s in range(3000)])
    # Haar: E[Q_11 Q_22] = 0; a single global random sign would leave it far from 0
    prod = Qs[:, 0, 0] * Qs[:, 1, 1]
    assert abs(prod.mean()) < 5 * prod.std(ddof=1) / math.sqrt(prod.size)
    # n = 3: the first column is uniform on S^2, so Q_11 is uniform on [-1, 1]
    assert stats.kstest(Qs[:, 0, 0], stats.uniform(loc=-1, scale=2).cdf).pvalue > 1e-6


@pytest.mark.parametrize("c", [0.1, 1.0, 100.0])
def test_clip_vs_torch(c):
    rng = np.random.default_rng(5)
    gs = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    ts = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in gs]
    for t, g in zip(ts, gs, strict=True):
        t.grad = torch.tensor(g)
    N = torch.nn.utils.clip_grad_norm_(ts, c)
    mine, Nm = rnn.clip_grad_norm(gs, c)
    assert abs(Nm - N.item()) < 1e-12
    for u, t in zip(mine, ts, strict=True):
        np.testing.assert_allclose(u, t.grad.numpy(), rtol=1e-14)
    for t, g in zip(ts, gs, strict=True):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(ts, c)
    for u, t in zip(rnn.clip_grad_value(gs, c), ts, strict=True):
        np.testing.assert_array_equal(u, t.grad.numpy())


def test_hidden_jacobian_norms_vs_autograd():
    rng = np.random.default_rng(6)
    T, d, p = 8, 2, 4
    x = rng.standard_normal((T, d))
    Wi, Wh = rng.standard_normal((p, d)), rng.standard_normal((p, p))
    nm = rnn.hidden_jacobian_norms(x, Wi, Wh)
    H = rnn.rnn_forward(x[None], Wi, Wh)[0]
    for t in (0, 3, 7):
        def f(h, t=t):
            for s in range(t, T):
                h = torch.tanh(torch.tensor(Wi) @ torch.tensor(x[s]) + torch.tensor(Wh) @ h)
            return h
        J = torch.autograd.functional.jacobian(f, torch.tensor(H[t]))
        assert abs(torch.linalg.matrix_norm(J, 2).item() - nm[t]) < 1e-12


def test_truncated_batches():
    assert rnn.truncated_bptt_batches(60, 25) == [slice(0, 25), slice(25, 50), slice(50, 60)]


@pytest.mark.parametrize("call", [
    lambda: rnn.kalman_filter(np.ones(3), 0.9, -1.0, 1.0),
    lambda: rnn.kalman_sample(3, 4, 1.0, 0.1, 0.1),
    lambda: rnn.rnn_forward(np.ones((2, 3, 4)), np.ones((5, 3)), np.ones((5, 5))),
    lambda: rnn.RNN("lstmx", 2, 3),
])
def test_errors(call):
    with pytest.raises(ValueError):
        call()

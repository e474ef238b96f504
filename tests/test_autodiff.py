"""Tests of dlf.autodiff against closed forms, finite differences and torch.autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlf import autodiff as ad
from dlf import gradcheck


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one torch thread avoids oversubscribing a busy CPU."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)

# ---------------------------------------------------------------------------------------------
# worked examples


def f_worked(v):
    return v[1] * ad.log(v[0]) + ad.sqrt(v[1] * ad.log(v[0]))


def f_symbolic(v):
    x, y, z = v
    return ad.sin(ad.cosh(y**2 + x / z) + ad.tanh(x * y * z)) / ad.log(1 + ad.exp(x))


def test_worked_example_reverse_and_forward():
    ln3 = math.log(3.0)
    closed = [(2 + 1 / math.sqrt(2 * ln3)) / 3, ln3 + 0.5 * math.sqrt(ln3 / 2)]
    value, g = ad.value_and_grad(f_worked, [3.0, 2.0])
    assert value == pytest.approx(2 * ln3 + math.sqrt(2 * ln3), rel=1e-15)
    np.testing.assert_allclose(g, closed, rtol=1e-14)
    np.testing.assert_allclose(g, [0.891542, 1.469188], atol=5e-7)
    fwd = [ad.jvp(f_worked, [3.0, 2.0], e)[1] for e in np.eye(2)]
    np.testing.assert_allclose(fwd, closed, rtol=1e-14)


def test_symbolic_example_matches_torch_and_quoted_values():
    _, g = ad.value_and_grad(f_symbolic, [3.3, 1.1, 2.3])
    t = torch.tensor([3.3, 1.1, 2.3], dtype=torch.float64, requires_grad=True)
    f_symbolic(list(t)).backward()
    np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(g, [-0.285274, -1.01578, 0.288027], atol=6e-6)


# ---------------------------------------------------------------------------------------------
# random expression graphs with reused nodes: Scalar, Dual, torch and finite differences

OPS = ("tanh", "sin", "cos", "exp", "log1p_sq", "sqrt1p_sq", "add", "sub", "mul", "div")


@st.composite
def programs(draw):
    n_in = draw(st.integers(1, 4))
    n_ops = draw(st.integers(1, 12))
    prog = []
    for k in range(n_ops):
        n_nodes = n_in + k
        prog.append((draw(st.sampled_from(OPS)), draw(st.integers(0, n_nodes - 1)),
                     draw(st.integers(0, n_nodes - 1))))
    x = draw(st.lists(st.floats(-1.5, 1.5), min_size=n_in, max_size=n_in))
    return prog, np.array(x)


def _torch_grad(prog, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = ad.run_program(prog, list(t))
    (g,) = torch.autograd.grad(out, t, allow_unused=True, materialize_grads=True)
    return out.item(), g.numpy()


@settings(max_examples=150, deadline=None)
@given(programs())
def test_random_graphs_agree_with_torch_dual_and_finite_differences(case):
    prog, x = case
    f = lambda v: ad.run_program(prog, v)  # noqa: E731
    value = f(list(x))
    assume(math.isfinite(value) and abs(value) < 1e6)
    v_ref, g_ref = _torch_grad(prog, x)
    assume(np.all(np.abs(g_ref) < 1e6))
    v_ad, g_ad = ad.value_and_grad(f, x)
    assert v_ad == pytest.approx(v_ref, rel=1e-12, abs=1e-12)
    scale = max(1.0, float(np.max(np.abs(g_ref))))
    np.testing.assert_allclose(g_ad, g_ref, rtol=1e-11, atol=1e-11 * scale)
    g_fwd = np.array([ad.jvp(f, x, e)[1] for e in np.eye(len(x))])
    np.testing.assert_allclose(g_fwd, g_ref, rtol=1e-11, atol=1e-11 * scale)
    g_fd = gradcheck.numerical_gradient(lambda z: f(list(z)), x)
    assert np.max(np.abs(g_fd - g_ad)) <= 1e-5 * scale


@settings(max_examples=60, deadline=None)
@given(programs(), st.integers(0, 2**31 - 1))
def test_hessian_vector_product_matches_torch(case, seed):
    prog, x = case
    f = lambda v: ad.run_program(prog, v)  # noqa: E731
    value = f(list(x))
    assume(math.isfinite(value) and abs(value) < 1e4)
    v = np.random.default_rng(seed).standard_normal(len(x))
    H = torch.autograd.functional.hessian(lambda t: ad.run_program(prog, list(t)),
                                          torch.tensor(x, dtype=torch.float64)).numpy()
    assume(np.all(np.abs(H) < 1e4))
    g, hv = ad.hessian_vector_product(f, x, v)
    scale = max(1.0, float(np.max(np.abs(H))))
    np.testing.assert_allclose(hv, H @ v, rtol=1e-10, atol=1e-10 * scale * np.abs(v).sum())
    np.testing.assert_allclose(g, ad.value_and_grad(f, x)[1], rtol=1e-13, atol=1e-13)


def test_random_program_is_deterministic_and_reuses_nodes():
    p1, p2 = ad.random_program(3, 40, seed=5), ad.random_program(3, 40, seed=5)
    assert p1 == p2
    assert ad.random_program(3, 40, seed=np.random.default_rng(5)) == p1
    operands = [i for op, i, j in p1] + [j for op, i, j in p1 if op in ("add", "sub", "mul",
                                                                          "div")]
    assert len(set(operands)) < len(operands)  # some node is used more than once


# ---------------------------------------------------------------------------------------------
# reused nodes, counts, idempotence


def test_reused_operand_counts_twice():
    x = ad.Scalar(3.0)
    y = x * x + x  # d/dx = 2x + 1
    assert y.backward() == 4
    assert x.grad == 7.0


def test_repeated_squaring_is_linear_in_depth():
    k = 20
    x = ad.Scalar(1.0001)
    y = x
    for _ in range(k):
        y = y * y  # 2^k paths from y to x, 2k edges
    madds = y.backward()
    assert madds == 2 * k
    assert x.grad == pytest.approx(2**k * 1.0001 ** (2**k - 1), rel=1e-9)


def test_backward_is_idempotent_and_resets_between_outputs():
    x, y = ad.Scalar(0.5), ad.Scalar(-1.2)
    f = ad.tanh(x * y) + x
    g = x * x
    f.backward()
    first = (x.grad, y.grad)
    f.backward()
    assert (x.grad, y.grad) == first
    g.backward()
    assert x.grad == pytest.approx(1.0)
    # torch, by contrast, accumulates into leaves across calls
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    (t * t).backward()
    (t * t).backward()
    assert t.grad.item() == pytest.approx(2.0)


def test_intermediate_gradients_are_adjoints():
    x = ad.Scalar(2.0)
    a = ad.log(x)
    b = 3.0 * a
    c = ad.sqrt(b)
    f = b + c
    f.backward()
    assert c.grad == 1.0
    assert b.grad == pytest.approx(1 + 0.5 / math.sqrt(b.value))
    assert a.grad == pytest.approx(3 * b.grad)


def test_deep_chain_does_not_recurse():
    x = ad.Scalar(0.3)
    y = x
    for _ in range(20_000):
        y = ad.tanh(y) + 0.0
    assert y.backward() == 60_000
    assert math.isfinite(x.grad)


def test_topological_order_puts_inputs_first():
    prog = ad.random_program(2, 30, seed=1)
    out = ad.run_program(prog, [ad.Scalar(0.2), ad.Scalar(0.7)])
    order = ad.topological_order(out)
    pos = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent, _ in node._parents:
            assert pos[id(parent)] < pos[id(node)]
    assert order[-1] is out


def test_all_scalar_operations_against_torch():
    def f(v):
        a, b = v
        return (a - b) * (2.0 - a) / (b + 3.0) + (a + 1.5) ** 2.5 + ad.cosh(a) * ad.sin(b) \
            - ad.cos(a * b) + ad.relu(a) + ad.relu(-a) + ad.exp(-b) + ad.sqrt(a * a + 1.0) \
            + 1.0 / (a + 2.0) - 3.0 * b + (-a) + ad.sinh(b) + (2.0 + b) ** 3

    x = np.array([0.7, -0.4])
    _, g = ad.value_and_grad(f, x)
    t = torch.tensor(x, requires_grad=True)
    f(list(t)).backward()
    np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-13)
    g_fwd = [ad.jvp(f, x, e)[1] for e in np.eye(2)]
    np.testing.assert_allclose(g_fwd, t.grad.numpy(), rtol=1e-13)


def test_power_edge_cases():
    x = ad.Scalar(0.0)
    (x**1).backward()
    assert x.grad == 1.0
    (x**0).backward()
    assert x.grad == 0.0
    (x**2).backward()
    assert x.grad == 0.0
    assert ad.jvp(lambda v: v[0] ** 3, [-2.0], [1.0])[1] == pytest.approx(12.0)


def test_generic_functions_on_floats_arrays_and_torch():
    assert ad.exp(1.0) == pytest.approx(math.e)
    np.testing.assert_allclose(ad.tanh(np.array([0.0, 1.0])), np.tanh([0.0, 1.0]))
    assert ad.relu(np.float64(-2.0)) == 0.0
    np.testing.assert_allclose(ad.relu(np.array([-1.0, 2.0])), [0.0, 2.0])
    assert torch.allclose(ad.log(torch.tensor([2.0])), torch.log(torch.tensor([2.0])))
    assert isinstance(ad.sin(ad.Dual(0.0, 1.0)), ad.Dual)


# ---------------------------------------------------------------------------------------------
# Jacobians: forward vs reverse, chain costs


def test_jacobian_both_modes_match_torch_and_counts():
    def f(v):
        h = [ad.tanh(v[0] * v[1] + v[2]), ad.sin(v[1]) * v[2]]
        return [h[0] * h[1], h[0] + 2.0 * h[1], ad.exp(h[1])]

    x = np.array([0.3, -0.8, 1.1])
    Jf, cf = ad.jacobian(f, x, "forward")
    Jr, cr = ad.jacobian(f, x, "reverse")
    Jt = torch.autograd.functional.jacobian(lambda t: torch.stack(f(list(t))),
                                            torch.tensor(x)).numpy()
    np.testing.assert_allclose(Jf, Jt, rtol=1e-13)
    np.testing.assert_allclose(Jr, Jt, rtol=1e-13)
    outs = f([ad.Scalar(v) for v in x])
    edges = [sum(len(n._parents) for n in ad.topological_order(*roots))
             for roots in [outs] + [[o] for o in outs]]
    assert cf == 3 * edges[0]  # n = 3 sweeps over the whole graph
    assert cr == sum(edges[1:])  # one sweep per output, over that output's subgraph


def test_jacobian_of_input_and_constant_outputs():
    J, _ = ad.jacobian(lambda v: [v[1], 2.0], [1.0, 3.0], "reverse")
    np.testing.assert_array_equal(J, [[0.0, 1.0], [0.0, 0.0]])
    J, _ = ad.jacobian(lambda v: [v[1], 2.0], [1.0, 3.0], "forward")
    np.testing.assert_array_equal(J, [[0.0, 1.0], [0.0, 0.0]])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=2, max_size=6), st.integers(0, 1000))
def test_chain_accumulation_orders_agree_and_cost_formula(dims, seed):
    rng = np.random.default_rng(seed)
    Js = [rng.standard_normal((dims[i], dims[i - 1])) for i in range(1, len(dims))]
    Jf, cf = ad.accumulate_jacobian(Js, "forward")
    Jr, cr = ad.accumulate_jacobian(Js, "reverse")
    direct = Js[0]
    for J in Js[1:]:
        direct = J @ direct
    np.testing.assert_allclose(Jf, direct, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Jr, direct, rtol=1e-12, atol=1e-12)
    assert (cf, cr) == ad.jacobian_chain_cost(dims)
    if dims[0] == dims[-1] and dims[1] == dims[-2]:
        assert cf == cr  # forward - reverse = n^2 (n_{L-1} - n_1) when n_0 = n_L = n


def test_chain_cost_crossover_at_equal_ends():
    for n in (1, 4, 16, 64):
        fwd, rev = ad.jacobian_chain_cost([n, 32, 32, 32, 16])
        assert (fwd < rev) == (n < 16) and (fwd == rev) == (n == 16)


# ---------------------------------------------------------------------------------------------
# the tensor engine


@st.composite
def tensor_programs(draw):
    b, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    steps = draw(st.lists(st.sampled_from(["add_row", "add_col", "mul_row", "scale", "tanh",
                                           "relu", "exp_tanh", "log1p_sq", "matmul", "square",
                                           "skip", "sum_keep"]), min_size=1, max_size=8))
    final = draw(st.sampled_from(["sum", "ce", "mean"]))
    return b, c, steps, final, draw(st.integers(0, 2**31 - 1))


def _run_tensor_program(b, c, steps, final, seed, lib):
    """Run the same program with dlf Tensors (lib='ad') or torch tensors (lib='torch')."""
    rng = np.random.default_rng(seed)
    leaves = []

    def leaf(shape):
        a = rng.standard_normal(shape)
        t = ad.Tensor(a) if lib == "ad" else torch.tensor(a, requires_grad=True)
        leaves.append(t)
        return t

    h = leaf((b, c))
    for s in steps:
        width = h.shape[1]
        if s == "add_row":
            h = h + leaf((width,))
        elif s == "add_col":
            h = leaf((h.shape[0], 1)) + h
        elif s == "mul_row":
            h = h * leaf((1, width))
        elif s == "scale":
            h = leaf(()) * h
        elif s == "tanh":
            h = h.tanh()
        elif s == "relu":
            h = h.relu()
        elif s == "exp_tanh":
            h = h.tanh().exp()
        elif s == "log1p_sq":
            h = (h * h + 1.0).log()
        elif s == "matmul":
            h = h @ leaf((width, int(rng.integers(1, 5))))
        elif s == "square":
            h = h * h
        elif s == "skip":
            h = h + h.tanh()
        elif s == "sum_keep":
            h = h.sum(1, keepdims=True) if lib == "ad" else h.sum(1, keepdim=True)
    labels = rng.integers(0, h.shape[1], size=h.shape[0])
    if final == "sum":
        out = h.sum()
    elif final == "mean":
        out = h.mean()
    elif lib == "ad":
        out = ad.softmax_cross_entropy(h, labels)
    else:
        out = torch.nn.functional.cross_entropy(h, torch.tensor(labels))
    return out, leaves


@settings(max_examples=150, deadline=None)
@given(tensor_programs())
def test_tensor_engine_matches_torch_with_broadcasting(case):
    out, leaves = _run_tensor_program(*case, lib="ad")
    out_t, leaves_t = _run_tensor_program(*case, lib="torch")
    out.backward()
    grads_t = torch.autograd.grad(out_t, leaves_t, allow_unused=True, materialize_grads=True)
    assert float(out.data) == pytest.approx(out_t.item(), rel=1e-12, abs=1e-12)
    for a, g in zip(leaves, grads_t, strict=True):
        assert a.grad.shape == a.data.shape
        np.testing.assert_allclose(a.grad, g.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", ["add", "mul", "matmul", "sum0", "sum1", "exp", "log", "tanh",
                                "relu", "ce"])
def test_vjp_equals_u_transpose_finite_difference_jacobian(op):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 4)) + (3.0 if op == "log" else 0.0)
    other = {"add": rng.standard_normal((1, 4)), "mul": rng.standard_normal((4,)),
             "matmul": rng.standard_normal((4, 2))}.get(op)
    labels = np.array([0, 3, 1])

    def run(x, lib_tensor):
        if op in ("add", "mul", "matmul"):
            o = lib_tensor(other)
            return {"add": lambda: x + o, "mul": lambda: x * o, "matmul": lambda: x @ o}[op]()
        if op == "sum0":
            return x.sum(0)
        if op == "sum1":
            return x.sum(1)
        if op == "ce":
            return ad.softmax_cross_entropy(x, labels)
        return getattr(x, op)()

    out = run(ad.Tensor(a), ad.Tensor)
    u = rng.standard_normal(out.shape)
    x = ad.Tensor(a)
    out = run(x, ad.Tensor)
    out.backward(u)
    J = gradcheck.numerical_jacobian(lambda z: run(ad.Tensor(z), ad.Tensor).data, a)
    np.testing.assert_allclose(x.grad.reshape(-1), u.reshape(-1) @ J, rtol=1e-7, atol=1e-8)


def test_softmax_cross_entropy_is_stable_and_matches_torch():
    z = np.array([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]])
    y = np.array([2, 1])
    t = ad.Tensor(z)
    loss = ad.softmax_cross_entropy(t, y)
    loss.backward()
    zt = torch.tensor(z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    lt.backward()
    assert float(loss.data) == pytest.approx(lt.item(), rel=1e-14)
    np.testing.assert_allclose(t.grad, zt.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(t.grad.sum(axis=1), 0.0, atol=1e-15)


def test_weight_tying_gradient_is_sum_over_uses():
    rng = np.random.default_rng(0)
    T, m = 6, 3
    W0, xs = 0.5 * rng.standard_normal((m, m)), rng.standard_normal((T, 1, m))

    def rnn(weights):
        h = ad.Tensor(np.zeros((1, m)))
        for t in range(T):
            h = (h @ weights[t] + xs[t]).tanh()
        return h.sum()

    tied = ad.Tensor(W0)
    rnn([tied] * T).backward()
    copies = [ad.Tensor(W0) for _ in range(T)]
    rnn(copies).backward()
    np.testing.assert_allclose(tied.grad, sum(c.grad for c in copies), rtol=1e-13)
    Wt = torch.tensor(W0, requires_grad=True)
    h = torch.zeros(1, m, dtype=torch.float64)
    for t in range(T):
        h = torch.tanh(h @ Wt + torch.tensor(xs[t]))
    h.sum().backward()
    np.testing.assert_allclose(tied.grad, Wt.grad.numpy(), rtol=1e-13)


def test_tensor_mean_and_negative_axis_match_torch():
    a = np.random.default_rng(4).standard_normal((3, 4))
    x = ad.Tensor(a)
    (x.mean(axis=-1) * ad.Tensor([1.0, 2.0, 3.0])).sum().backward()
    t = torch.tensor(a, requires_grad=True)
    (t.mean(dim=-1) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
     ).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-15)


def test_tensor_backward_is_idempotent_and_counts_edges():
    x = ad.Tensor([[1.0, 2.0]])
    y = (x * x).sum()
    assert y.backward() == 3
    g1 = x.grad.copy()
    y.backward()
    np.testing.assert_array_equal(x.grad, g1)
    np.testing.assert_array_equal(g1, [[2.0, 4.0]])


# ---------------------------------------------------------------------------------------------
# bad input


def test_bad_input_raises_clear_errors():
    with pytest.raises(TypeError, match="must be a real number"):
        ad.Scalar("a")
    with pytest.raises(ValueError, match="finite"):
        ad.Scalar(float("nan"))
    with pytest.raises(ValueError, match="log needs a positive input"):
        ad.log(ad.Scalar(-1.0))
    with pytest.raises(ValueError, match="sqrt needs a positive input"):
        ad.sqrt(ad.Dual(0.0, 1.0))
    with pytest.raises(TypeError, match="exponent must be a constant"):
        ad.Scalar(2.0) ** ad.Scalar(2.0)
    with pytest.raises(ValueError, match="non-integer exponent"):
        ad.Scalar(-2.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="value 0"):
        ad.Scalar(1.0) / 0.0
    with pytest.raises(TypeError, match="must return a Scalar"):
        ad.value_and_grad(lambda v: [v[0]], [1.0])
    with pytest.raises(ValueError, match="1-D"):
        ad.value_and_grad(lambda v: v[0], [[1.0]])
    with pytest.raises(ValueError, match="v must have the shape of x"):
        ad.jvp(lambda v: v[0], [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="mode must be"):
        ad.jacobian(lambda v: [v[0]], [1.0], "sideways")
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2,\) do not broadcast"):
        ad.Tensor(np.ones((2, 3))) + ad.Tensor(np.ones(2))
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2, 3\) cannot be multi"):
        ad.Tensor(np.ones((2, 3))) @ ad.Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="needs a seed"):
        ad.Tensor(np.ones(3)).tanh().backward()
    with pytest.raises(ValueError, match=r"seed must have shape \(3,\)"):
        ad.Tensor(np.ones(3)).tanh().backward(np.ones(2))
    with pytest.raises(ValueError, match="axis must be"):
        ad.Tensor(np.ones((2, 2))).sum(axis=2)
    with pytest.raises(ValueError, match="log needs positive entries"):
        ad.Tensor([1.0, -1.0]).log()
    with pytest.raises(TypeError, match="labels must be integers"):
        ad.softmax_cross_entropy(ad.Tensor(np.ones((2, 3))), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        ad.softmax_cross_entropy(ad.Tensor(np.ones((2, 3))), [0, 3])
    with pytest.raises(ValueError, match=r"labels must have shape \(2,\)"):
        ad.softmax_cross_entropy(ad.Tensor(np.ones((2, 3))), [0, 1, 2])
    with pytest.raises(ValueError, match=r"jacobians\[1\] has shape \(2, 4\)"):
        ad.accumulate_jacobian([np.ones((3, 2)), np.ones((2, 4))], "forward")
    with pytest.raises(ValueError, match="dims must be"):
        ad.jacobian_chain_cost([3])
    with pytest.raises(ValueError, match="axis must be"):
        ad.Tensor(np.ones((2, 2))).mean(axis=-3)
    with pytest.raises(TypeError, match="relu: a must be"):
        ad.relu("a")
    with pytest.raises(TypeError, match="exp: a must be"):
        ad.exp([1.0])
    with pytest.raises(ZeroDivisionError, match="Dual with value 0"):
        ad.Dual(1.0, 1.0) / 0.0
    with pytest.raises(ValueError, match="x \\*\\* 0.5 is not differentiable"):
        ad.Scalar(0.0) ** 0.5
    with pytest.raises(ValueError, match="n_ops must be a positive int"):
        ad.random_program(2, 0)
    with pytest.raises(ValueError, match="refers to node"):
        ad.run_program([("add", 0, 5)], [1.0])


@pytest.mark.parametrize("name", ["exp", "tanh", "sqrt", "sin", "cos", "cosh", "sinh"])
def test_elementary_functions_accept_a_tensor(name):
    # regression: the module docstring promised Tensor support, but sqrt, sin, cos,
    # cosh and sinh raised TypeError on a Tensor
    a = np.array([[0.3, 1.7, 2.2], [0.9, 0.5, 1.1]])
    x = ad.Tensor(a)
    y = getattr(ad, name)(x)
    np.testing.assert_allclose(y.data, getattr(np, name)(a), rtol=1e-15)
    y.sum().backward()
    t = torch.tensor(a, requires_grad=True)
    getattr(torch, name)(t).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-13)


def test_tensor_tanh_derivative_has_no_cancellation():
    x = ad.Tensor(np.array([20.0, -20.0, 0.0]))
    ad.tanh(x).sum().backward()
    expected = 1.0 / np.cosh(np.array([20.0, -20.0, 0.0])) ** 2
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)  # 1 - t^2 gives 0 or 1e-16 junk


def test_tensor_sqrt_rejects_nonpositive_entries():
    with pytest.raises(ValueError, match="sqrt needs positive entries"):
        ad.sqrt(ad.Tensor(np.array([1.0, 0.0])))


def test_ndarray_on_the_left_is_promoted_to_a_tensor():
    # issue 17: numpy used to build an object array (and @ raised numpy's error)
    T = ad.Tensor(np.eye(2))
    for r in (np.ones((2, 2)) + T, np.ones((2, 2)) @ T, np.ones((2, 2)) * T):
        assert isinstance(r, ad.Tensor) and r.data.dtype == np.float64
    y = (np.ones((2, 2)) @ T).sum()
    y.backward()
    np.testing.assert_array_equal(T.grad, 2 * np.ones((2, 2)))

"""Automatic differentiation from scratch: reverse mode, forward mode and their costs.

What is here, in the order of chapter ``autodiff``:

* :func:`jacobian_chain_cost` and :func:`accumulate_jacobian`: the multiply-adds needed to form
  the Jacobian of a composition ``f_L o ... o f_1`` by forward (right-to-left) or reverse
  (left-to-right) accumulation, counted by formula and by doing it.
* :class:`Scalar`: a scalar reverse-mode engine. Every operation records its inputs and its
  local partial derivatives; :meth:`Scalar.backward` visits the recorded graph once, in reverse
  topological order, with one multiply-add per edge. Nodes may be reused any number of times.
* :class:`Dual`: dual numbers ``a + b eps`` with ``eps^2 = 0``, forward mode without a graph.
* :func:`value_and_grad`, :func:`jvp`, :func:`jacobian`, :func:`hessian_vector_product`:
  the engines as functions of plain arrays. The last one runs the reverse engine on dual
  numbers (forward-over-reverse), which is Pearlmutter's Hessian-vector product.
* :class:`Tensor` and :func:`softmax_cross_entropy`: a small tensor engine whose operations
  (matmul, broadcasting add and multiply, sum, exp, log, tanh, relu, softmax cross-entropy)
  carry vector-Jacobian products.
* Generic elementary functions (:func:`exp`, :func:`log`, :func:`tanh`, ...) that work on
  floats, arrays, :class:`Scalar`, :class:`Dual`, :class:`Tensor` and ``torch.Tensor``, so one
  function definition can be run by every engine; :func:`random_program` and
  :func:`run_program` build random expression graphs with reused nodes for testing.

Gradient accumulation rules of both reverse engines (``backward``):

1. *Sum over uses.* During one backward pass the ``grad`` of a node is the sum of the
   contributions of every edge leaving it; an operand used twice by one operation (``x * x``)
   contributes twice.
2. *Complete before propagating.* Nodes are processed in reverse topological order, so a node
   passes its gradient on only after all of its contributions have arrived.
3. *Idempotent.* ``backward`` first sets ``grad`` to zero on every node of the output's graph and
   seeds the output, so afterwards ``node.grad`` is the derivative of *this* output with respect
   to ``node``; calling it again gives the same values. Nodes outside the graph are not touched.
   (PyTorch instead accumulates into leaf ``.grad`` across calls, hence ``zero_grad``.)

Derived in: ``autodiff``. Depends on: numpy and the standard library (math).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "jacobian_chain_cost",
    "accumulate_jacobian",
    "Dual",
    "Scalar",
    "topological_order",
    "value_and_grad",
    "jvp",
    "jacobian",
    "hessian_vector_product",
    "Tensor",
    "softmax_cross_entropy",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sin",
    "cos",
    "cosh",
    "sinh",
    "relu",
    "random_program",
    "run_program",
]

_REAL = (int, float, np.integer, np.floating)


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, _REAL):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def _vector(name: str, x: Any) -> np.ndarray:
    a = np.array(x, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


# ---------------------------------------------------------------------------------------------
# the cost of a chain of Jacobians


def jacobian_chain_cost(dims: Sequence[int]) -> tuple[int, int]:
    """Multiply-adds to form ``J = J_L ... J_1`` in forward and in reverse order.

    Implements (eq-ad-chain-cost): with ``J_l`` of shape ``(n_l, n_{l-1})``, forward
    accumulation (``J_2 J_1`` first, then ``J_3`` on the left, ...) costs
    ``n_0 * sum_{l=2..L} n_l n_{l-1}`` and reverse accumulation (``J_L J_{L-1}`` first) costs
    ``n_L * sum_{l=1..L-1} n_l n_{l-1}``, counting a ``(p, q) @ (q, r)`` product as ``p q r``.

    Parameters
    ----------
    dims : sequence of int
        ``(n_0, n_1, ..., n_L)``, all ``>= 1``, ``L >= 1``.

    Returns
    -------
    (forward, reverse) : tuple of int
    """
    d = [int(n) for n in dims]
    if len(d) < 2 or any(n < 1 for n in d) or any(n != m for n, m in zip(d, dims, strict=True)):
        raise ValueError(f"dims must be at least two positive integers, got {list(dims)}")
    inner = [d[i] * d[i - 1] for i in range(1, len(d))]  # n_l n_{l-1}, l = 1..L
    return d[0] * sum(inner[1:]), d[-1] * sum(inner[:-1])


def accumulate_jacobian(jacobians: Sequence[Any],
                        mode: str) -> tuple[np.ndarray, int]:
    """Multiply ``J_L ... J_1`` in forward or reverse order, counting madds.

    Parameters
    ----------
    jacobians : sequence of array_like
        ``[J_1, ..., J_L]`` in the order the maps are applied; ``J_l`` has
        shape ``(n_l, n_{l-1})``.
    mode : {"forward", "reverse"}
        ``"forward"`` multiplies from the right (``J_2 J_1`` first),
        ``"reverse"`` from the left (``J_L J_{L-1}`` first).

    Returns
    -------
    J : ndarray of float64, shape (n_L, n_0)
    madds : int
        Multiply-adds performed, ``p q r`` per ``(p, q) @ (q, r)`` product.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    Js = [np.asarray(J, dtype=np.float64) for J in jacobians]
    if not Js:
        raise ValueError("jacobians must contain at least one matrix")
    for i, J in enumerate(Js):
        if J.ndim != 2:
            raise ValueError(f"jacobians[{i}] must be 2-D, got shape {J.shape}")
        if i and J.shape[1] != Js[i - 1].shape[0]:
            raise ValueError(
                f"jacobians[{i}] has shape {J.shape} but jacobians[{i - 1}] "
                f"has shape {Js[i - 1].shape}: expected {J.shape[0]} x "
                f"{Js[i - 1].shape[0]}")
    madds = 0
    if mode == "forward":
        acc = Js[0]
        for J in Js[1:]:
            madds += J.shape[0] * J.shape[1] * acc.shape[1]
            acc = J @ acc
    else:
        acc = Js[-1]
        for J in reversed(Js[:-1]):
            madds += acc.shape[0] * acc.shape[1] * J.shape[1]
            acc = acc @ J
    return acc, madds


# ---------------------------------------------------------------------------------------------
# generic elementary functions: one definition of f runs on every engine


def _apply(name: str, a: Any) -> Any:
    method = getattr(a, name, None)
    if callable(method) and not isinstance(a, np.ndarray | np.generic):
        return method()  # Scalar, Dual, Tensor, torch.Tensor
    if isinstance(a, np.ndarray):
        return getattr(np, name)(a)
    if isinstance(a, bool) or not isinstance(a, _REAL):
        raise TypeError(f"{name}: unsupported argument of type {type(a).__name__}")
    return getattr(math, name)(float(a))


def exp(a: Any) -> Any:
    """``e^a`` for floats, arrays, Scalar, Dual, Tensor or torch.Tensor."""
    return _apply("exp", a)


def log(a: Any) -> Any:
    """Natural logarithm (input must be positive)."""
    return _apply("log", a)


def sqrt(a: Any) -> Any:
    """Square root (input must be positive for the engines)."""
    return _apply("sqrt", a)


def tanh(a: Any) -> Any:
    """Hyperbolic tangent."""
    return _apply("tanh", a)


def sin(a: Any) -> Any:
    """Sine."""
    return _apply("sin", a)


def cos(a: Any) -> Any:
    """Cosine."""
    return _apply("cos", a)


def cosh(a: Any) -> Any:
    """Hyperbolic cosine."""
    return _apply("cosh", a)


def sinh(a: Any) -> Any:
    """Hyperbolic sine."""
    return _apply("sinh", a)


def relu(a: Any) -> Any:
    """``max(a, 0)``; its derivative at 0 is taken to be 0, as in PyTorch."""
    if isinstance(a, bool) or isinstance(a, _REAL):
        return max(float(a), 0.0)
    if isinstance(a, np.ndarray):
        return np.maximum(a, 0.0)
    return a.relu()


# ---------------------------------------------------------------------------------------------
# dual numbers: forward mode


def _re(v: Any) -> float:
    """Real part of a float or a Dual (used for domain checks and branches)."""
    return v.value if isinstance(v, Dual) else v


class Dual:
    r"""A dual number ``value + tangent * eps`` with ``eps^2 = 0``.

    Arithmetic on duals carries a directional derivative along: if every input ``x_i`` is
    ``Dual(x_i, v_i)``, the output of any composition of the supported operations is
    ``Dual(f(x), J_f(x) v)`` (proposition ``prop-ad-dual`` of chapter ``autodiff``). Each
    operation costs one multiply-add per input for the tangent.

    Parameters
    ----------
    value, tangent : float
        Real and infinitesimal parts (finite reals).
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value: float, tangent: float = 0.0) -> None:
        self.value = _real("value", value)
        self.tangent = _real("tangent", tangent)

    @staticmethod
    def _make(value: float, tangent: float) -> Dual:
        d = object.__new__(Dual)
        d.value, d.tangent = value, tangent
        return d

    @staticmethod
    def _lift(other: Any) -> Dual:
        if isinstance(other, Dual):
            return other
        return Dual._make(_real("operand", other), 0.0)

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.tangent!r})"

    def __add__(self, other: Any) -> Dual:
        o = Dual._lift(other)
        return Dual._make(self.value + o.value, self.tangent + o.tangent)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual._make(-self.value, -self.tangent)

    def __sub__(self, other: Any) -> Dual:
        return self + (-Dual._lift(other))

    def __rsub__(self, other: Any) -> Dual:
        return Dual._lift(other) + (-self)

    def __mul__(self, other: Any) -> Dual:
        o = Dual._lift(other)
        return Dual._make(self.value * o.value, self.tangent * o.value + self.value * o.tangent)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Dual:
        o = Dual._lift(other)
        q = self.value / o.value
        return Dual._make(q, (self.tangent - q * o.tangent) / o.value)

    def __rtruediv__(self, other: Any) -> Dual:
        return Dual._lift(other) / self

    def __pow__(self, c: Any) -> Dual:
        c = _real("exponent", c)
        _check_power(self.value, c)
        return Dual._make(self.value**c, _power_slope(self.value, c) * self.tangent)

    def _chain(self, value: float, slope: float) -> Dual:
        return Dual._make(value, slope * self.tangent)

    def exp(self) -> Dual:
        e = math.exp(self.value)
        return self._chain(e, e)

    def log(self) -> Dual:
        _check_positive("log", self.value)
        return self._chain(math.log(self.value), 1.0 / self.value)

    def sqrt(self) -> Dual:
        _check_positive("sqrt", self.value)
        s = math.sqrt(self.value)
        return self._chain(s, 0.5 / s)

    def tanh(self) -> Dual:
        t = math.tanh(self.value)
        return self._chain(t, 1.0 - t * t)

    def sin(self) -> Dual:
        return self._chain(math.sin(self.value), math.cos(self.value))

    def cos(self) -> Dual:
        return self._chain(math.cos(self.value), -math.sin(self.value))

    def cosh(self) -> Dual:
        return self._chain(math.cosh(self.value), math.sinh(self.value))

    def sinh(self) -> Dual:
        return self._chain(math.sinh(self.value), math.cosh(self.value))

    def relu(self) -> Dual:
        return self._chain(self.value, 1.0) if self.value > 0 else Dual._make(0.0, 0.0)


def _check_positive(op: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{op} needs a positive input, got {value!r}")


def _check_power(base: float, c: float) -> None:
    if base == 0 and 0 < c < 1 or base == 0 and c < 0:
        raise ValueError(f"x ** {c:g} is not differentiable at x = 0")
    if base < 0 and c != int(c):
        raise ValueError(f"x ** {c:g} needs x > 0 for a non-integer exponent, got x = {base!r}")


def _power_slope(base: Any, c: float) -> Any:
    """``c * base ** (c - 1)``, with the exact values 0 and 1 for ``c = 0`` and ``c = 1``."""
    if c == 0:
        return 0.0
    return 1.0 if c == 1 else c * base ** (c - 1)


# ---------------------------------------------------------------------------------------------
# the scalar reverse-mode engine


def topological_order(*roots: Any) -> list[Any]:
    """All nodes reachable from ``roots``, each listed after its inputs.

    Works for :class:`Scalar` and :class:`Tensor` (any object with a
    ``_parents`` sequence of ``(node, local)`` pairs). Iterative depth-first
    search, so deep graphs (long unrolled recurrences) do not hit Python's
    recursion limit. Cost ``O(V + E)``.
    """
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent, _ in node._parents:
            if id(parent) not in seen:
                stack.append((parent, False))
    return order


class Scalar:
    """A node of a scalar computational graph, for reverse-mode differentiation.

    Arithmetic (``+ - * / **``, with floats on either side) and the methods ``exp``, ``log``,
    ``sqrt``, ``tanh``, ``sin``, ``cos``, ``cosh``, ``sinh``, ``relu`` create new nodes that
    record their inputs together with the local partial derivatives, evaluated on the spot.
    :meth:`backward` then computes the derivative of the output with respect to every node.

    The value may also be a :class:`Dual`: the engine then differentiates in dual arithmetic,
    which is how :func:`hessian_vector_product` gets ``H v``.

    Parameters
    ----------
    value : float or Dual

    Attributes
    ----------
    value : float or Dual
    grad : float or Dual
        Derivative of the last output that called :meth:`backward`; 0 before that.
    op : str
        Name of the operation that made the node (``""`` for a leaf).
    """

    __slots__ = ("value", "grad", "_parents", "op", "__weakref__")

    def __init__(self, value: Any) -> None:
        if isinstance(value, Scalar):
            raise TypeError("value must be a number or a Dual, got a Scalar (use it directly)")
        self.value = value if isinstance(value, Dual) else _real("value", value)
        self.grad: Any = 0.0
        self._parents: tuple[tuple[Scalar, Any], ...] = ()
        self.op = ""

    @staticmethod
    def _node(value: Any, parents: tuple[tuple[Scalar, Any], ...], op: str) -> Scalar:
        s = object.__new__(Scalar)
        s.value, s.grad, s._parents, s.op = value, 0.0, parents, op
        return s

    @staticmethod
    def _lift(other: Any) -> Scalar:
        return other if isinstance(other, Scalar) else Scalar(other)

    def __repr__(self) -> str:
        return f"Scalar({self.value!r}, op={self.op!r})"

    # binary operations ------------------------------------------------------------------------
    def __add__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        return Scalar._node(self.value + o.value, ((self, 1.0), (o, 1.0)), "+")

    __radd__ = __add__

    def __mul__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        return Scalar._node(self.value * o.value, ((self, o.value), (o, self.value)), "*")

    __rmul__ = __mul__

    def __neg__(self) -> Scalar:
        return Scalar._node(-self.value, ((self, -1.0),), "neg")

    def __sub__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        return Scalar._node(self.value - o.value, ((self, 1.0), (o, -1.0)), "-")

    def __rsub__(self, other: Any) -> Scalar:
        return Scalar._lift(other) - self

    def __truediv__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        if _re(o.value) == 0:
            raise ZeroDivisionError("division by a Scalar with value 0")
        q = self.value / o.value
        return Scalar._node(q, ((self, 1.0 / o.value), (o, -q / o.value)), "/")

    def __rtruediv__(self, other: Any) -> Scalar:
        return Scalar._lift(other) / self

    def __pow__(self, c: Any) -> Scalar:
        if isinstance(c, Scalar | Dual):
            raise TypeError("the exponent must be a constant number; use exp(c * log(x))")
        c = _real("exponent", c)
        _check_power(_re(self.value), c)
        return Scalar._node(self.value**c, ((self, _power_slope(self.value, c)),), f"**{c:g}")

    # unary operations -------------------------------------------------------------------------
    def _unary(self, value: Any, local: Any, op: str) -> Scalar:
        return Scalar._node(value, ((self, local),), op)

    def exp(self) -> Scalar:
        e = exp(self.value)
        return self._unary(e, e, "exp")

    def log(self) -> Scalar:
        _check_positive("log", _re(self.value))
        return self._unary(log(self.value), 1.0 / self.value, "log")

    def sqrt(self) -> Scalar:
        _check_positive("sqrt", _re(self.value))
        s = sqrt(self.value)
        return self._unary(s, 0.5 / s, "sqrt")

    def tanh(self) -> Scalar:
        t = tanh(self.value)
        return self._unary(t, 1.0 - t * t, "tanh")

    def sin(self) -> Scalar:
        return self._unary(sin(self.value), cos(self.value), "sin")

    def cos(self) -> Scalar:
        return self._unary(cos(self.value), -sin(self.value), "cos")

    def cosh(self) -> Scalar:
        return self._unary(cosh(self.value), sinh(self.value), "cosh")

    def sinh(self) -> Scalar:
        return self._unary(sinh(self.value), cosh(self.value), "sinh")

    def relu(self) -> Scalar:
        if _re(self.value) > 0:
            return self._unary(self.value, 1.0, "relu")
        return self._unary(0.0 * self.value, 0.0, "relu")

    # differentiation --------------------------------------------------------------------------
    def backward(self) -> int:
        """Backpropagation: set ``node.grad = d(self)/d(node)`` on the graph.

        Follows the three accumulation rules of the module docstring: zero
        the graph, seed ``self.grad = 1``, then for each node in reverse
        topological order add ``node.grad * local`` to each input
        (algorithm ``alg-ad-backprop``).

        Returns
        -------
        int
            The number of multiply-adds performed: one per edge of the graph.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        madds = 0
        for node in reversed(order):
            g = node.grad
            for parent, local in node._parents:
                parent.grad = parent.grad + g * local
                madds += 1
        return madds


def _as_output_list(out: Any) -> tuple[list[Any], bool]:
    if isinstance(out, Scalar | Dual) or isinstance(out, _REAL):
        return [out], True
    if isinstance(out, Sequence) or isinstance(out, np.ndarray):
        return list(out), False
    raise TypeError(f"f must return a number or a sequence of numbers, got {type(out).__name__}")


def value_and_grad(f: Callable[[list[Scalar]], Any], x: Any) -> tuple[float, np.ndarray]:
    """Value and gradient of ``f: R^n -> R`` by the reverse engine (one backward pass).

    Parameters
    ----------
    f : callable
        Takes a list of ``n`` :class:`Scalar` and returns a :class:`Scalar`; write it with
        arithmetic and the generic functions of this module (:func:`log`, :func:`tanh`, ...).
    x : array_like, shape (n,)

    Returns
    -------
    value : float
    grad : ndarray of float64, shape (n,)
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    xs = [Scalar(float(v)) for v in _vector("x", x)]
    out = f(xs)
    if isinstance(out, _REAL) and not isinstance(out, bool):
        return float(out), np.zeros(len(xs))  # f does not depend on x
    if not isinstance(out, Scalar):
        raise TypeError(f"f must return a Scalar (a scalar output), got {type(out).__name__}")
    out.backward()
    return float(out.value), np.array([float(s.grad) for s in xs])


def jvp(f: Callable[[list[Dual]], Any], x: Any, v: Any) -> tuple[Any, Any]:
    """Forward mode with dual numbers: ``f(x)`` and the directional derivative ``J_f(x) v``.

    Parameters
    ----------
    f : callable
        Takes a list of ``n`` :class:`Dual` and returns a Dual or a sequence of them.
    x, v : array_like, shape (n,)
        Point and direction.

    Returns
    -------
    value, tangent : float, or ndarray of float64 of shape (m,) for a sequence output
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x, v = _vector("x", x), _vector("v", v)
    if v.shape != x.shape:
        raise ValueError(f"v must have the shape of x, {x.shape}, got {v.shape}")
    outs, single = _as_output_list(f([Dual(a, b) for a, b in zip(x, v, strict=True)]))
    duals = [Dual._lift(o) for o in outs]
    vals = np.array([d.value for d in duals])
    tans = np.array([d.tangent for d in duals])
    return (float(vals[0]), float(tans[0])) if single else (vals, tans)


def jacobian(f: Callable[[list[Scalar]], Any], x: Any, mode: str) -> tuple[np.ndarray, int]:
    """Jacobian of ``f: R^n -> R^m`` by ``n`` forward or ``m`` reverse sweeps of one graph.

    ``f`` is evaluated once on :class:`Scalar` inputs, which records the graph with its local
    derivatives. ``mode="forward"`` then pushes a tangent ``e_j`` through the graph in
    topological order for each input ``j`` (``n`` sweeps); ``mode="reverse"`` calls
    :meth:`Scalar.backward` once per output (``m`` sweeps). Each sweep costs one multiply-add
    per edge it visits; the total is returned.

    Returns
    -------
    J : ndarray of float64, shape (m, n)
    madds : int
        Multiply-adds over all sweeps.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    xs = [Scalar(float(v)) for v in _vector("x", x)]
    outs = [Scalar._lift(o) for o in _as_output_list(f(xs))[0]]
    J = np.zeros((len(outs), len(xs)))
    madds = 0
    if mode == "reverse":
        for i, out in enumerate(outs):
            for s in xs:
                s.grad = 0.0  # inputs outside this output's graph keep no stale value
            madds += out.backward()
            J[i] = [s.grad for s in xs]
        return J, madds
    order = topological_order(*outs)
    for j, xj in enumerate(xs):
        tangent: dict[int, float] = {id(xj): 1.0}
        for node in order:
            if node._parents:
                t = 0.0
                for parent, local in node._parents:
                    t += local * tangent.get(id(parent), 0.0)
                    madds += 1
                tangent[id(node)] = t
        J[:, j] = [tangent.get(id(o), 0.0) for o in outs]
    return J, madds


def hessian_vector_product(f: Callable[[list[Scalar]], Any], x: Any,
                           v: Any) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian-vector product ``H(x) v`` of ``f: R^n -> R``, forward-over-reverse.

    Implements Pearlmutter's identity (eq-ad-pearlmutter) with the engines of this module: the
    inputs are ``Scalar(Dual(x_i, v_i))`` and one backward pass runs in dual arithmetic. The
    real parts of the input gradients are ``grad f(x)``, the tangent parts are
    ``d/dt grad f(x + t v) = H v``. The cost is one reverse sweep with dual instead of real
    arithmetic, a constant factor over a gradient, and ``H`` is never formed.

    Returns
    -------
    grad, hv : ndarray of float64, shape (n,)
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x, v = _vector("x", x), _vector("v", v)
    if v.shape != x.shape:
        raise ValueError(f"v must have the shape of x, {x.shape}, got {v.shape}")
    xs = [Scalar(Dual(a, b)) for a, b in zip(x, v, strict=True)]
    out = f(xs)
    if not isinstance(out, Scalar):
        raise TypeError(f"f must return a Scalar (a scalar output), got {type(out).__name__}")
    out.backward()
    grads = [Dual._lift(s.grad) for s in xs]
    return np.array([g.value for g in grads]), np.array([g.tangent for g in grads])


# ---------------------------------------------------------------------------------------------
# random expression graphs (with reused nodes) for tests

_UNARY = ("tanh", "sin", "cos", "exp", "log1p_sq", "sqrt1p_sq")
_BINARY = ("add", "sub", "mul", "div")


def random_program(n_inputs: int, n_ops: int, seed: int | np.random.Generator = 0
                   ) -> list[tuple[str, int, int]]:
    """A random straight-line program: ``n_ops`` operations on ``n_inputs`` inputs.

    Operation ``k`` creates node ``n_inputs + k`` from one or two earlier nodes drawn uniformly
    (so nodes are reused, also twice by the same operation). Unary ops: ``tanh, sin, cos, exp,
    log1p_sq`` (``log(1 + a^2)``), ``sqrt1p_sq`` (``sqrt(1 + a^2)``); binary: ``add, sub, mul,
    div`` (``a / (1 + b^2)``). The output of :func:`run_program` is the sum of the sinks (the
    created nodes that no later operation uses), so every operation affects it.

    Returns
    -------
    list of (op, i, j)
        ``j`` is ignored for unary ops.
    """
    for name, val in (("n_inputs", n_inputs), ("n_ops", n_ops)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 1:
            raise ValueError(f"{name} must be a positive int, got {val!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ops = _UNARY + _BINARY
    prog = []
    for k in range(n_ops):
        n_nodes = n_inputs + k
        prog.append((str(ops[rng.integers(len(ops))]), int(rng.integers(n_nodes)),
                     int(rng.integers(n_nodes))))
    return prog


def run_program(program: Sequence[tuple[str, int, int]], xs: Sequence[Any]) -> Any:
    """Evaluate a program of :func:`random_program` on inputs of any supported type.

    ``xs`` may hold floats, :class:`Scalar`, :class:`Dual`, :class:`Tensor` or ``torch.Tensor``
    values; the result has the same type. Returns the sum of the sinks.
    """
    nodes = list(xs)
    n_in = len(nodes)
    used: set[int] = set()
    if not nodes:
        raise ValueError("xs must contain at least one input")
    for k, (op, i, j) in enumerate(program):
        if not (0 <= i < len(nodes) and 0 <= j < len(nodes)):
            raise ValueError(f"operation {k} refers to node {max(i, j)} but only {len(nodes)} "
                             "nodes exist")
        a, b = nodes[i], nodes[j]
        used.update((i,) if op in _UNARY else (i, j))
        if op == "add":
            r = a + b
        elif op == "sub":
            r = a - b
        elif op == "mul":
            r = a * b
        elif op == "div":
            r = a / (1.0 + b * b)
        elif op == "log1p_sq":
            r = log(1.0 + a * a)
        elif op == "sqrt1p_sq":
            r = sqrt(1.0 + a * a)
        elif op in ("tanh", "sin", "cos", "exp"):
            r = _apply(op, a)
        else:
            raise ValueError(f"unknown operation {op!r} at position {k}")
        nodes.append(r)
    sinks = [nodes[k] for k in range(n_in, len(nodes)) if k not in used]
    if not sinks:
        raise ValueError("program must contain at least one operation")
    out = sinks[0]
    for s in sinks[1:]:
        out = out + s
    return out


# ---------------------------------------------------------------------------------------------
# the tensor engine: operations carry vector-Jacobian products


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes broadcasting added or stretched, to ``shape``.

    The VJP of ``np.broadcast_to(x, g.shape)``, (eq-ad-vjp-add).
    """
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


class Tensor:
    """A float64 array node for reverse-mode differentiation with vector-Jacobian products.

    Every operation returns a new Tensor that stores, for each input, a function mapping the
    gradient of the output to the gradient contribution of that input (its VJP, section
    "A tensor engine" of chapter ``autodiff``). :meth:`backward` runs these in reverse
    topological order under the accumulation rules of the module docstring.

    Supported: ``a + b``, ``a - b``, ``a * b`` (NumPy broadcasting), ``-a``, ``a @ b`` (2-D),
    :meth:`sum`, :meth:`mean`, :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`relu`, and
    :func:`softmax_cross_entropy`. Plain numbers and arrays are promoted to leaf Tensors.

    Parameters
    ----------
    data : array_like
        Converted to a float64 array (copied); must be finite.

    Attributes
    ----------
    data : ndarray of float64
    grad : ndarray of float64 or None
        Same shape as ``data`` after :meth:`backward`; ``None`` before.
    """

    __slots__ = ("data", "grad", "_parents", "op")

    def __init__(self, data: Any) -> None:
        if isinstance(data, Tensor):
            raise TypeError("data must be an array, got a Tensor (use it directly)")
        a = np.array(data, dtype=np.float64)
        if not np.all(np.isfinite(a)):
            raise ValueError("data must be finite")
        self.data = a
        self.grad: np.ndarray | None = None
        self._parents: tuple[tuple[Tensor, Callable[[np.ndarray], np.ndarray]], ...] = ()
        self.op = ""

    @staticmethod
    def _node(data: np.ndarray, parents: tuple, op: str) -> Tensor:
        t = object.__new__(Tensor)
        t.data, t.grad, t._parents, t.op = data, None, parents, op
        return t

    @staticmethod
    def _lift(other: Any) -> Tensor:
        return other if isinstance(other, Tensor) else Tensor(other)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    def _broadcast(self, other: Tensor, op: str) -> tuple[int, ...]:
        try:
            return np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(f"{op}: shapes {self.shape} and {other.shape} do not "
                             "broadcast") from None

    def __add__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        self._broadcast(o, "add")
        sa, sb = self.shape, o.shape
        return Tensor._node(self.data + o.data, ((self, lambda g: _unbroadcast(g, sa)),
                                                 (o, lambda g: _unbroadcast(g, sb))), "+")

    __radd__ = __add__

    def __neg__(self) -> Tensor:
        return Tensor._node(-self.data, ((self, lambda g: -g),), "neg")

    def __sub__(self, other: Any) -> Tensor:
        return self + (-Tensor._lift(other))

    def __rsub__(self, other: Any) -> Tensor:
        return Tensor._lift(other) + (-self)

    def __mul__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        self._broadcast(o, "mul")
        a, b = self.data, o.data
        return Tensor._node(a * b, ((self, lambda g: _unbroadcast(g * b, a.shape)),
                                    (o, lambda g: _unbroadcast(g * a, b.shape))), "*")

    __rmul__ = __mul__

    def __matmul__(self, other: Any) -> Tensor:
        """Matrix product of 2-D tensors; VJPs from (eq-ad-vjp-matmul)."""
        o = Tensor._lift(other)
        A, B = self.data, o.data
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"matmul: shapes {A.shape} and {B.shape} cannot be "
                             "multiplied")
        return Tensor._node(A @ B, ((self, lambda g: g @ B.T),
                                    (o, lambda g: A.T @ g)), "@")

    def __rmatmul__(self, other: Any) -> Tensor:
        return Tensor._lift(other) @ self

    def sum(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Sum over all entries (``axis=None``) or one axis; the VJP broadcasts back."""
        shape = self.shape
        if axis is not None:
            if isinstance(axis, bool) or not isinstance(axis, int | np.integer) or not (
                    -len(shape) <= axis < len(shape)):
                raise ValueError(f"axis must be None or an int in [-{len(shape)}, "
                                 f"{len(shape)}), got {axis!r} for shape {shape}")
            axis = int(axis) % len(shape)

        def vjp(g: np.ndarray) -> np.ndarray:
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape).copy()

        return Tensor._node(np.asarray(self.data.sum(axis=axis, keepdims=keepdims)),
                            ((self, vjp),), "sum")

    def mean(self, axis: int | None = None) -> Tensor:
        """Mean over all entries or one axis (a sum times a constant)."""
        n = self.data.size if axis is None else self.shape[axis]
        return self.sum(axis) * (1.0 / n)

    def exp(self) -> Tensor:
        e = np.exp(self.data)
        return Tensor._node(e, ((self, lambda g: g * e),), "exp")

    def log(self) -> Tensor:
        if not np.all(self.data > 0):
            raise ValueError(f"log needs positive entries, got min {self.data.min():.3g}")
        x = self.data
        return Tensor._node(np.log(x), ((self, lambda g: g / x),), "log")

    def tanh(self) -> Tensor:
        t = np.tanh(self.data)
        return Tensor._node(t, ((self, lambda g: g * (1.0 - t * t)),), "tanh")

    def relu(self) -> Tensor:
        mask = self.data > 0
        return Tensor._node(np.where(mask, self.data, 0.0), ((self, lambda g: g * mask),),
                            "relu")

    def backward(self, seed: Any = None) -> int:
        """Set ``node.grad`` for every node of the graph: the VJP of ``seed`` (backpropagation).

        Parameters
        ----------
        seed : array_like, optional
            The vector ``u`` of the product ``u^T J``, with the shape of ``self``; may be
            omitted only when ``self`` has a single entry (then ``u = 1``).

        Returns
        -------
        int
            The number of vector-Jacobian products evaluated: one per edge.
        """
        if seed is None:
            if self.data.size != 1:
                raise ValueError(f"backward of a non-scalar Tensor of shape {self.shape} needs a "
                                 "seed of the same shape")
            seed = np.ones_like(self.data)
        seed = np.array(seed, dtype=np.float64)
        if seed.shape != self.shape:
            raise ValueError(f"seed must have shape {self.shape}, got {seed.shape}")
        order = topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.data)
        self.grad = seed
        n_vjp = 0
        for node in reversed(order):
            for parent, vjp in node._parents:
                parent.grad += vjp(node.grad)
                n_vjp += 1
        return n_vjp


def softmax_cross_entropy(logits: Tensor, labels: Any) -> Tensor:
    """Mean cross-entropy of softmax(logits) against integer labels, computed stably.

    ``loss = (1/b) sum_i [logsumexp(z_i) - z_{i, y_i}]`` with the max subtracted inside the
    log-sum-exp; its VJP is ``g * (softmax(z) - onehot(y)) / b`` (eq-ad-vjp-softmax-ce).

    Parameters
    ----------
    logits : Tensor, shape (b, k)
    labels : array_like of int, shape (b,), values in ``0 .. k-1``

    Returns
    -------
    Tensor of shape ()
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"logits must be a Tensor, got {type(logits).__name__}")
    z = logits.data
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"logits must have shape (b, k) with b, k >= 1, got {z.shape}")
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    if y.shape != (z.shape[0],):
        raise ValueError(f"labels must have shape ({z.shape[0]},) for logits {z.shape}, "
                         f"got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= z.shape[1]):
        raise ValueError(f"labels must lie in [0, {z.shape[1] - 1}], got range "
                         f"[{y.min()}, {y.max()}]")
    b = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - lse
    rows = np.arange(b)
    loss = -logp[rows, y].mean()
    delta = np.exp(logp)
    delta[rows, y] -= 1.0
    delta /= b
    return Tensor._node(np.asarray(loss), ((logits, lambda g: g * delta),), "softmax_ce")

"""Automatic differentiation from scratch: reverse mode, forward mode, costs.

In the order of chapter ``autodiff``:

1. :func:`jacobian_chain_cost` and :func:`accumulate_jacobian`: the
   multiply-adds needed to form the Jacobian ``J_L ... J_1`` of a composition
   in forward (right-to-left) or reverse (left-to-right) order.
2. Elementary functions (:func:`exp`, :func:`log`, :func:`tanh`, ...) that
   accept floats, arrays, :class:`Dual`, :class:`Scalar`, :class:`Tensor` and
   ``torch.Tensor``, so that one definition of ``f`` runs on every engine.
3. :class:`Dual`: dual numbers ``a + b eps`` with ``eps^2 = 0``, forward mode
   without a graph.
4. :class:`Scalar`: a scalar reverse-mode engine in the style of micrograd.
   Each operation records its inputs with the local partial derivatives;
   :meth:`Scalar.backward` visits the graph once in reverse topological
   order, one multiply-add per edge.
5. :func:`value_and_grad`, :func:`jvp`, :func:`jacobian` and
   :func:`hessian_vector_product`: the engines as functions of arrays. The
   last runs the reverse engine on dual numbers (forward over reverse).
6. :class:`Tensor` and :func:`softmax_cross_entropy`: a tensor engine whose
   operations carry vector-Jacobian products.
7. :func:`random_program` and :func:`run_program`: random expression graphs
   with reused nodes, for testing the engines.

Both reverse engines follow three accumulation rules in ``backward``:

* *Sum over uses.* The gradient of a node is the sum of the contributions of
  all edges leaving it; an operand used twice by one operation (``x * x``)
  contributes twice.
* *Complete before propagating.* Nodes are processed in reverse topological
  order, so a node passes its gradient on only after all contributions
  have arrived.
* *Idempotent.* ``backward`` first zeroes ``grad`` on every node of the
  output's graph and then seeds the output, so ``node.grad`` is the
  derivative of *this* output and a second call gives the same values.
  (PyTorch instead accumulates into leaf ``.grad`` across calls.)

Derived in: ``autodiff``. Depends on: numpy, the standard library (math).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "jacobian_chain_cost",
    "accumulate_jacobian",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sin",
    "cos",
    "cosh",
    "sinh",
    "relu",
    "Dual",
    "topological_order",
    "Scalar",
    "value_and_grad",
    "jvp",
    "jacobian",
    "hessian_vector_product",
    "Tensor",
    "softmax_cross_entropy",
    "random_program",
    "run_program",
]

_REAL = (int, float, np.integer, np.floating)


def _seed_rng(name: str, seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``; ``TypeError``/``ValueError`` naming ``name`` unless
    ``seed`` is None, an int >= 0, a Generator, a SeedSequence or a BitGenerator."""
    ok = (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)
    if seed is None or isinstance(seed, ok):
        return np.random.default_rng(seed)
    if isinstance(seed, (tuple, list)) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in seed):
        return np.random.default_rng(seed)  # a sequence of ints: SeedSequence entropy
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 0, a numpy.random.Generator or None, got "
                        f"{type(seed).__name__} ({seed!r:.40})")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0, got {name}={seed}")
    return np.random.default_rng(seed)


def _int_scalar(name: str, x) -> int:
    """``x`` as an int (an integral float such as ``1e4`` too); ``TypeError`` naming ``name``."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)) and np.isfinite(x) and float(x).is_integer():
        return int(x)
    raise TypeError(f"{name} must be an integer, got {type(x).__name__} ({x!r:.40})")


def _real_scalar(name: str, x) -> float:
    """``x`` as a float; ``TypeError`` naming ``name`` if not real, ``ValueError`` for NaN."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if x is None or isinstance(x, (str, bytes, complex)) or not np.isrealobj(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} ({x!r:.40})")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} "
                        f"({x!r:.40})") from None
    if v != v:
        raise ValueError(f"{name} must be a finite number, got {name}=nan")
    return v


def _real_array(name: str, x, copy: bool = False) -> np.ndarray:
    """``x`` as a float64 array; ``TypeError`` naming ``name`` for None, text or complex, and
    ``ValueError`` for NaN or inf."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__} "
                        f"({err})") from None
    if a.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "U": "text", "S": "text"}.get(a.dtype.kind,
                                                                      type(x).__name__)
        raise TypeError(f"{name} must be real numbers, got {what} ({x!r:.60})")
    a = np.array(a, dtype=np.float64) if copy else a.astype(np.float64, copy=False)
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"{name} must be finite, got {a[tuple(bad)]} at index {bad.tolist()}")
    return a


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, _REAL):
        raise TypeError(f"{name} must be a real number, got "
                        f"{type(value).__name__} ({value!r})")
    v = _real_scalar(name, value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def _vector(name: str, x: Any) -> np.ndarray:
    a = _real_array(name, x, copy=True)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


# ---------------------------------------------------------------------------
# 1. the cost of a chain of Jacobians


def jacobian_chain_cost(dims: Sequence[int]) -> tuple[int, int]:
    """Multiply-adds to form ``J_L ... J_1`` in forward and reverse order.

    Implements (eq-ad-chain-cost). With ``J_l`` of shape ``(n_l, n_{l-1})``
    and a ``(p, q) @ (q, r)`` product counted as ``p q r``, forward
    accumulation costs ``n_0 * sum_{l=2..L} n_l n_{l-1}`` and reverse
    accumulation ``n_L * sum_{l=1..L-1} n_l n_{l-1}``.

    Parameters
    ----------
    dims : sequence of int
        ``(n_0, n_1, ..., n_L)``, all ``>= 1``, with ``L >= 1``.

    Returns
    -------
    (forward, reverse) : tuple of int
    """
    if dims is None or isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
        raise TypeError(f"dims must be a sequence of ints, got {type(dims).__name__} "
                        f"({dims!r:.40})")
    dims = list(dims)
    d = [_int_scalar(f"dims[{i}]", n) for i, n in enumerate(dims)]
    if (len(d) < 2 or any(n < 1 for n in d)
            or any(n != m for n, m in zip(d, dims, strict=True))):
        raise ValueError("dims must be at least two positive integers, "
                         f"got {list(dims)}")
    inner = [d[i] * d[i - 1] for i in range(1, len(d))]  # l = 1..L
    return d[0] * sum(inner[1:]), d[-1] * sum(inner[:-1])


def _check_chain(jacobians: Sequence[Any]) -> list[np.ndarray]:
    if (jacobians is None or isinstance(jacobians, (str, bytes))
            or not hasattr(jacobians, "__iter__")):
        raise TypeError("jacobians must be a sequence of matrices, got "
                        f"{type(jacobians).__name__} ({jacobians!r:.40})")
    Js = [_real_array(f"jacobians[{i}]", J) for i, J in enumerate(jacobians)]
    if not Js:
        raise ValueError("jacobians must contain at least one matrix")
    for i, J in enumerate(Js):
        if J.ndim != 2:
            raise ValueError(f"jacobians[{i}] must be 2-D, "
                             f"got shape {J.shape}")
        if i and J.shape[1] != Js[i - 1].shape[0]:
            raise ValueError(
                f"jacobians[{i}] has shape {J.shape} but jacobians[{i - 1}]"
                f" has shape {Js[i - 1].shape}: its {J.shape[1]} columns "
                f"must equal the {Js[i - 1].shape[0]} rows of the previous")
    return Js


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
        Multiply-adds, ``p q r`` per ``(p, q) @ (q, r)`` product; equal to
        :func:`jacobian_chain_cost` (eq-ad-chain-cost).
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    Js = _check_chain(jacobians)
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


# ---------------------------------------------------------------------------
# 2. elementary functions: one definition of f runs on every engine


def _apply(name: str, a: Any) -> Any:
    # NaN and inf propagate as in IEEE arithmetic (the engines are checked against numpy)
    if isinstance(a, np.ndarray):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name}: a must be a real array, got dtype {a.dtype}")
        return getattr(np, name)(a)
    if isinstance(a, _REAL) and not isinstance(a, bool):
        try:
            return getattr(math, name)(float(a))
        except (ValueError, OverflowError) as err:
            raise ValueError(f"{name}(a) is undefined or overflows at a={a!r} ({err})") from None
    method = getattr(a, name, None)
    if not callable(method):
        raise TypeError(f"{name}: a must be a float, array, Dual, Scalar, Tensor or "
                        f"torch.Tensor, got {type(a).__name__}")
    return method()  # Dual, Scalar, Tensor, torch.Tensor


def exp(a: Any) -> Any:
    """``e^a`` of a float, array, Dual, Scalar, Tensor or torch.Tensor."""
    return _apply("exp", a)


def log(a: Any) -> Any:
    """Natural logarithm (the engines require a positive input)."""
    return _apply("log", a)


def sqrt(a: Any) -> Any:
    """Square root (the engines require a positive input)."""
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
    if isinstance(a, np.ndarray):
        return np.maximum(a, 0.0)
    if isinstance(a, _REAL) and not isinstance(a, bool):
        return max(_real_scalar("a", a), 0.0)
    return _apply("relu", a)


# ---------------------------------------------------------------------------
# 3. forward mode: dual numbers


def _re(v: Any) -> float:
    """Real part of a float or a Dual (for domain checks and branches)."""
    return v.value if isinstance(v, Dual) else v


def _check_positive(op: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{op} needs a positive input, got {value!r}")


def _check_power(base: float, c: float) -> None:
    if base == 0 and c < 1 and c != 0:
        raise ValueError(f"x ** {c:g} is not differentiable at x = 0")
    if base < 0 and c != int(c):
        raise ValueError(f"x ** {c:g} needs x > 0 for a non-integer "
                         f"exponent, got x = {base!r}")


def _power_slope(base: Any, c: float) -> Any:
    """``c * base ** (c - 1)``, exactly 0 for ``c = 0`` and 1 for ``c = 1``."""
    if c == 0:
        return 0.0
    return 1.0 if c == 1 else c * base ** (c - 1)


class Dual:
    """A dual number ``value + tangent * eps`` with ``eps^2 = 0``.

    Implements (eq-ad-dual): if every input ``x_i`` is ``Dual(x_i, v_i)``,
    any composition of the supported operations returns
    ``Dual(f(x), J_f(x) v)`` (proposition ``prop-ad-dual``). Each operation
    costs one multiply-add per argument for the tangent.

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
        return Dual._make(self.value * o.value,
                          self.tangent * o.value + self.value * o.tangent)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Dual:
        o = Dual._lift(other)
        if o.value == 0:
            raise ZeroDivisionError("division by a Dual with value 0")
        q = self.value / o.value
        return Dual._make(q, (self.tangent - q * o.tangent) / o.value)

    def __rtruediv__(self, other: Any) -> Dual:
        return Dual._lift(other) / self

    def __pow__(self, c: Any) -> Dual:
        c = _real("exponent", c)
        _check_power(self.value, c)
        slope = _power_slope(self.value, c)
        return Dual._make(self.value**c, slope * self.tangent)

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
        if self.value > 0:
            return self._chain(self.value, 1.0)
        return Dual._make(0.0, 0.0)


# ---------------------------------------------------------------------------
# 4. reverse mode: the scalar engine


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
    """A node of a scalar computational graph (reverse mode).

    Arithmetic (``+ - * / **``, with numbers on either side) and the
    methods ``exp log sqrt tanh sin cos cosh sinh relu`` create new nodes
    that record their inputs with the local partial derivatives, evaluated
    on the spot. :meth:`backward` then computes the derivative of the output
    with respect to every node of its graph.

    The value may be a :class:`Dual`; the engine then differentiates in
    dual arithmetic, which is how :func:`hessian_vector_product` gets
    ``H v``.

    Parameters
    ----------
    value : float or Dual

    Attributes
    ----------
    value : float or Dual
    grad : float or Dual
        Derivative of the last output that called :meth:`backward` with
        respect to this node; 0 before that.
    op : str
        The operation that made the node (``""`` for a leaf).
    """

    __slots__ = ("value", "grad", "_parents", "op", "__weakref__")

    def __init__(self, value: Any) -> None:
        if isinstance(value, Scalar):
            raise TypeError("value must be a number or a Dual, got a Scalar "
                            "(use it directly)")
        self.value = value if isinstance(value, Dual) else _real("value",
                                                                 value)
        self.grad: Any = 0.0
        self._parents: tuple[tuple[Scalar, Any], ...] = ()
        self.op = ""

    @staticmethod
    def _node(value: Any, parents: tuple[tuple[Scalar, Any], ...],
              op: str) -> Scalar:
        s = object.__new__(Scalar)
        s.value, s.grad, s._parents, s.op = value, 0.0, parents, op
        return s

    @staticmethod
    def _lift(other: Any) -> Scalar:
        return other if isinstance(other, Scalar) else Scalar(other)

    def __repr__(self) -> str:
        return f"Scalar({self.value!r}, op={self.op!r})"

    # binary operations: the local derivative of each argument slot
    def __add__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        return Scalar._node(self.value + o.value, ((self, 1.0), (o, 1.0)),
                            "+")

    __radd__ = __add__

    def __mul__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        return Scalar._node(self.value * o.value,
                            ((self, o.value), (o, self.value)), "*")

    __rmul__ = __mul__

    def __neg__(self) -> Scalar:
        return Scalar._node(-self.value, ((self, -1.0),), "neg")

    def __sub__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        return Scalar._node(self.value - o.value, ((self, 1.0), (o, -1.0)),
                            "-")

    def __rsub__(self, other: Any) -> Scalar:
        return Scalar._lift(other) - self

    def __truediv__(self, other: Any) -> Scalar:
        o = Scalar._lift(other)
        if _re(o.value) == 0:
            raise ZeroDivisionError("division by a Scalar with value 0")
        q = self.value / o.value
        return Scalar._node(q, ((self, 1.0 / o.value), (o, -q / o.value)),
                            "/")

    def __rtruediv__(self, other: Any) -> Scalar:
        return Scalar._lift(other) / self

    def __pow__(self, c: Any) -> Scalar:
        if isinstance(c, Scalar | Dual):
            raise TypeError("the exponent must be a constant number; "
                            "use exp(c * log(x))")
        c = _real("exponent", c)
        _check_power(_re(self.value), c)
        slope = _power_slope(self.value, c)
        return Scalar._node(self.value**c, ((self, slope),), f"**{c:g}")

    # unary operations
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


# ---------------------------------------------------------------------------
# 5. the engines as functions of arrays


def _check_f(f: Any) -> None:
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")


def _outputs(out: Any) -> tuple[list[Any], bool]:
    """``f``'s output as a list, and whether it was a single number."""
    if isinstance(out, Scalar | Dual) or (isinstance(out, _REAL)
                                          and not isinstance(out, bool)):
        return [out], True
    if isinstance(out, Sequence | np.ndarray):
        return list(out), False
    raise TypeError("f must return a number or a sequence of numbers, "
                    f"got {type(out).__name__}")


def value_and_grad(f: Callable[[list[Scalar]], Any],
                   x: Any) -> tuple[float, np.ndarray]:
    """Value and gradient of ``f: R^n -> R`` by one backward pass.

    Parameters
    ----------
    f : callable
        Takes a list of ``n`` :class:`Scalar` and returns a Scalar; write it
        with arithmetic and the functions :func:`log`, :func:`tanh`, ...
    x : array_like, shape (n,)

    Returns
    -------
    value : float
    grad : ndarray of float64, shape (n,)
    """
    _check_f(f)
    xs = [Scalar(v) for v in _vector("x", x)]
    out = f(xs)
    if isinstance(out, _REAL) and not isinstance(out, bool):
        return float(out), np.zeros(len(xs))  # f does not depend on x
    if not isinstance(out, Scalar):
        raise TypeError("f must return a Scalar (a scalar output), "
                        f"got {type(out).__name__}")
    out.backward()
    return float(out.value), np.array([float(s.grad) for s in xs])


def jvp(f: Callable[[list[Dual]], Any], x: Any, v: Any) -> tuple[Any, Any]:
    """Forward mode: ``f(x)`` and ``J_f(x) v`` with dual numbers.

    Parameters
    ----------
    f : callable
        Takes a list of ``n`` :class:`Dual` and returns a Dual or a sequence
        of them.
    x, v : array_like, shape (n,)
        Point and direction.

    Returns
    -------
    value, tangent : float or ndarray of float64
        Floats for a single output, arrays of shape (m,) for a sequence.
    """
    _check_f(f)
    x, v = _vector("x", x), _vector("v", v)
    if v.shape != x.shape:
        raise ValueError(f"v must have the shape of x, {x.shape}, "
                         f"got {v.shape}")
    outs, single = _outputs(f([Dual(a, b) for a, b in zip(x, v, strict=True)]))
    duals = [Dual._lift(o) for o in outs]
    vals = np.array([d.value for d in duals])
    tans = np.array([d.tangent for d in duals])
    return (float(vals[0]), float(tans[0])) if single else (vals, tans)


def jacobian(f: Callable[[list[Scalar]], Any], x: Any,
             mode: str) -> tuple[np.ndarray, int]:
    """Jacobian of ``f: R^n -> R^m`` by sweeps over one recorded graph.

    ``f`` runs once on :class:`Scalar` inputs, which records the graph and
    its local derivatives. ``mode="forward"`` pushes the tangent ``e_j``
    through the graph in topological order for each input (``n`` sweeps);
    ``mode="reverse"`` calls :meth:`Scalar.backward` once per output (``m``
    sweeps, each over the part of the graph that output depends on).

    Returns
    -------
    J : ndarray of float64, shape (m, n)
    madds : int
        Multiply-adds over all sweeps, one per edge visited.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    _check_f(f)
    xs = [Scalar(v) for v in _vector("x", x)]
    outs = [Scalar._lift(o) for o in _outputs(f(xs))[0]]
    J = np.zeros((len(outs), len(xs)))
    madds = 0
    if mode == "reverse":
        for i, out in enumerate(outs):
            for s in xs:
                s.grad = 0.0  # inputs outside this output's graph
            madds += out.backward()
            J[i] = [s.grad for s in xs]
        return J, madds
    order = topological_order(*outs)
    for j, xj in enumerate(xs):
        tangent = {id(xj): 1.0}
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
    """Gradient and ``H(x) v`` of ``f: R^n -> R``, forward over reverse.

    Implements (eq-ad-pearlmutter) with the engines of this module: the
    inputs are ``Scalar(Dual(x_i, v_i))`` and one backward pass runs in dual
    arithmetic. The real parts of the input gradients are ``grad f(x)``,
    the tangent parts ``d/dt grad f(x + t v) = H v``. The cost is a constant
    factor over one gradient; ``H`` is never formed.

    Returns
    -------
    grad, hv : ndarray of float64, shape (n,)
    """
    _check_f(f)
    x, v = _vector("x", x), _vector("v", v)
    if v.shape != x.shape:
        raise ValueError(f"v must have the shape of x, {x.shape}, "
                         f"got {v.shape}")
    xs = [Scalar(Dual(a, b)) for a, b in zip(x, v, strict=True)]
    out = f(xs)
    if not isinstance(out, Scalar):
        raise TypeError("f must return a Scalar (a scalar output), "
                        f"got {type(out).__name__}")
    out.backward()
    grads = [Dual._lift(s.grad) for s in xs]
    return (np.array([g.value for g in grads]),
            np.array([g.tangent for g in grads]))


# ---------------------------------------------------------------------------
# 6. reverse mode on arrays: the tensor engine


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched.

    The VJP of ``np.broadcast_to(x, g.shape)``, (eq-ad-vjp-add).
    """
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


class Tensor:
    """A float64 array node for reverse mode with vector-Jacobian products.

    Every operation returns a Tensor that stores, for each input, a function
    mapping the gradient of the output to that input's share of the
    gradient (its VJP, (eq-ad-vjp)). :meth:`backward` runs them in reverse
    topological order under the accumulation rules of the module docstring.

    Supported: ``a + b``, ``a - b``, ``a * b`` (NumPy broadcasting), ``-a``,
    ``a @ b`` (2-D), :meth:`sum`, :meth:`mean`, :meth:`exp`, :meth:`log`,
    :meth:`tanh`, :meth:`relu` and :func:`softmax_cross_entropy`. Numbers
    and arrays are promoted to leaf Tensors.

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
    # numpy defers to Tensor's reflected operators: ``ndarray + Tensor`` and ``ndarray @ Tensor``
    # promote the array (as ``Tensor + ndarray`` does) instead of building an object array.
    __array_ufunc__ = None

    def __init__(self, data: Any) -> None:
        if isinstance(data, Tensor):
            raise TypeError("data must be an array, got a Tensor "
                            "(use it directly)")
        a = _real_array("data", data, copy=True)
        if not np.all(np.isfinite(a)):
            raise ValueError("data must be finite")
        self.data = a
        self.grad: np.ndarray | None = None
        self._parents: tuple[tuple[Tensor, Callable], ...] = ()
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

    def _check_broadcast(self, other: Tensor, op: str) -> None:
        try:
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(f"{op}: shapes {self.shape} and {other.shape} "
                             "do not broadcast") from None

    def __add__(self, other: Any) -> Tensor:
        o = Tensor._lift(other)
        self._check_broadcast(o, "add")
        sa, sb = self.shape, o.shape
        return Tensor._node(self.data + o.data,
                            ((self, lambda g: _unbroadcast(g, sa)),
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
        self._check_broadcast(o, "mul")
        a, b = self.data, o.data
        return Tensor._node(a * b,
                            ((self, lambda g: _unbroadcast(g * b, a.shape)),
                             (o, lambda g: _unbroadcast(g * a, b.shape))),
                            "*")

    __rmul__ = __mul__

    def __matmul__(self, other: Any) -> Tensor:
        """Matrix product of 2-D tensors; VJPs from (eq-ad-vjp-matmul)."""
        o = Tensor._lift(other)
        A, B = self.data, o.data
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"matmul: shapes {A.shape} and {B.shape} "
                             "cannot be multiplied")
        return Tensor._node(A @ B, ((self, lambda g: g @ B.T),
                                    (o, lambda g: A.T @ g)), "@")

    def __rmatmul__(self, other: Any) -> Tensor:
        return Tensor._lift(other) @ self

    def _axis(self, axis: Any) -> int | None:
        nd = len(self.shape)
        if axis is None:
            return None
        if (isinstance(axis, bool) or not isinstance(axis, int | np.integer)
                or not -nd <= axis < nd):
            raise ValueError(f"axis must be None or an int in [-{nd}, {nd}),"
                             f" got {axis!r} for shape {self.shape}")
        return _int_scalar("axis", axis) % nd

    def sum(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Sum over all entries or one axis; the VJP copies back."""
        if not isinstance(keepdims, (bool, np.bool_)):
            raise TypeError(f"keepdims must be a bool, got {type(keepdims).__name__} "
                            f"({keepdims!r:.40})")
        axis, shape = self._axis(axis), self.shape

        def vjp(g: np.ndarray) -> np.ndarray:
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape).copy()

        out = np.asarray(self.data.sum(axis=axis, keepdims=keepdims))
        return Tensor._node(out, ((self, vjp),), "sum")

    def mean(self, axis: int | None = None) -> Tensor:
        """Mean over all entries or one axis (a sum times a constant)."""
        axis = self._axis(axis)
        n = self.data.size if axis is None else self.shape[axis]
        return self.sum(axis) * (1.0 / n)

    def exp(self) -> Tensor:
        e = np.exp(self.data)
        return Tensor._node(e, ((self, lambda g: g * e),), "exp")

    def log(self) -> Tensor:
        x = self.data
        if not np.all(x > 0):
            raise ValueError("log needs positive entries, "
                             f"got min {x.min():.3g}")
        return Tensor._node(np.log(x), ((self, lambda g: g / x),), "log")

    def tanh(self) -> Tensor:
        t = np.tanh(self.data)
        e = np.exp(-2.0 * np.abs(self.data))
        dt = 4.0 * e / (1.0 + e) ** 2  # 1 - t^2 without its cancellation
        return Tensor._node(t, ((self, lambda g: g * dt),), "tanh")

    def sqrt(self) -> Tensor:
        x = self.data
        if not np.all(x > 0):
            raise ValueError("sqrt needs positive entries, "
                             f"got min {x.min():.3g}")
        r = np.sqrt(x)
        return Tensor._node(r, ((self, lambda g: g * 0.5 / r),), "sqrt")

    def sin(self) -> Tensor:
        x = self.data
        return Tensor._node(np.sin(x), ((self, lambda g: g * np.cos(x)),),
                            "sin")

    def cos(self) -> Tensor:
        x = self.data
        return Tensor._node(np.cos(x), ((self, lambda g: -g * np.sin(x)),),
                            "cos")

    def cosh(self) -> Tensor:
        x = self.data
        return Tensor._node(np.cosh(x), ((self, lambda g: g * np.sinh(x)),),
                            "cosh")

    def sinh(self) -> Tensor:
        x = self.data
        return Tensor._node(np.sinh(x), ((self, lambda g: g * np.cosh(x)),),
                            "sinh")

    def relu(self) -> Tensor:
        mask = self.data > 0
        return Tensor._node(np.where(mask, self.data, 0.0),
                            ((self, lambda g: g * mask),), "relu")

    def backward(self, seed: Any = None) -> int:
        """Set ``node.grad`` on the graph to the VJP of ``seed``.

        Parameters
        ----------
        seed : array_like, optional
            The array ``u`` of the product ``u^T J``, of the shape of
            ``self``; may be omitted only when ``self`` has one entry
            (then ``u = 1``).

        Returns
        -------
        int
            The number of vector-Jacobian products evaluated, one per edge.
        """
        if seed is None:
            if self.data.size != 1:
                raise ValueError("backward of a non-scalar Tensor of shape "
                                 f"{self.shape} needs a seed of that shape")
            seed = np.ones_like(self.data)
        seed = _real_array("seed", seed, copy=True)
        if seed.shape != self.shape:
            raise ValueError(f"seed must have shape {self.shape}, "
                             f"got {seed.shape}")
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
    """Mean cross-entropy of ``softmax(logits)`` against integer labels.

    ``loss = (1/b) sum_i [logsumexp(z_i) - z_{i, y_i}]``, with the row
    maximum subtracted inside the log-sum-exp; the VJP is
    ``g * (softmax(z) - onehot(y)) / b``, (eq-ad-vjp-softmax-ce).

    Parameters
    ----------
    logits : Tensor, shape (b, k)
    labels : array_like of int, shape (b,), values in ``0 .. k-1``

    Returns
    -------
    Tensor of shape ()
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"logits must be a Tensor, "
                        f"got {type(logits).__name__}")
    z = logits.data
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError("logits must have shape (b, k) with b, k >= 1, "
                         f"got {z.shape}")
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    b, k = z.shape
    if y.shape != (b,):
        raise ValueError(f"labels must have shape ({b},) for logits "
                         f"{z.shape}, got {y.shape}")
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"labels must lie in [0, {k - 1}], "
                         f"got range [{y.min()}, {y.max()}]")
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(b)
    delta = np.exp(logp)  # softmax(z)
    delta[rows, y] -= 1.0
    delta /= b
    loss = np.asarray(-logp[rows, y].mean())
    return Tensor._node(loss, ((logits, lambda g: g * delta),), "softmax_ce")


# ---------------------------------------------------------------------------
# 7. random expression graphs with reused nodes, for tests

_UNARY = ("tanh", "sin", "cos", "exp", "log1p_sq", "sqrt1p_sq")
_BINARY = ("add", "sub", "mul", "div")


def random_program(n_inputs: int, n_ops: int,
                   seed: int | np.random.Generator = 0
                   ) -> list[tuple[str, int, int]]:
    """A random straight-line program of ``n_ops`` operations.

    Operation ``k`` creates node ``n_inputs + k`` from one or two earlier
    nodes drawn uniformly, so nodes are reused, sometimes twice by one
    operation. Unary: ``tanh sin cos exp``, ``log1p_sq`` (``log(1 + a^2)``)
    and ``sqrt1p_sq`` (``sqrt(1 + a^2)``); binary: ``add sub mul`` and
    ``div`` (``a / (1 + b^2)``). :func:`run_program` returns the sum of the
    sinks (created nodes no later operation reads), so every operation
    affects the output.

    Returns
    -------
    list of (op, i, j)
        Operand indices; ``j`` is ignored by unary operations.
    """
    for name, val in (("n_inputs", n_inputs), ("n_ops", n_ops)):
        if (isinstance(val, bool) or not isinstance(val, int | np.integer)
                or val < 1):
            raise ValueError(f"{name} must be a positive int, got {val!r}")
    rng = _seed_rng("seed", seed)
    ops = _UNARY + _BINARY
    prog = []
    for k in range(n_ops):
        n_nodes = n_inputs + k
        prog.append((str(ops[rng.integers(len(ops))]),
                     int(rng.integers(n_nodes)), int(rng.integers(n_nodes))))
    return prog


def _run_op(op: str, a: Any, b: Any) -> Any:
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / (1.0 + b * b)
    if op == "log1p_sq":
        return log(1.0 + a * a)
    if op == "sqrt1p_sq":
        return sqrt(1.0 + a * a)
    if op in ("tanh", "sin", "cos", "exp"):
        return _apply(op, a)
    raise ValueError(f"unknown operation {op!r}")


def run_program(program: Sequence[tuple[str, int, int]],
                xs: Sequence[Any]) -> Any:
    """Evaluate a :func:`random_program` on inputs of any supported type.

    ``xs`` may hold floats, :class:`Dual`, :class:`Scalar` or
    ``torch.Tensor`` values; the result, the sum of the sinks, has the same
    type.
    """
    if xs is None or isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"xs must be a sequence of inputs, got {type(xs).__name__} "
                        f"({xs!r:.40})")
    nodes = list(xs)
    if not nodes:
        raise ValueError("xs must contain at least one input")
    for k, x in enumerate(nodes):
        if isinstance(x, _REAL) and not isinstance(x, bool):
            if not math.isfinite(x):
                raise ValueError(f"xs[{k}] must be finite, got {x!r}")
        elif x is None or isinstance(x, (str, bytes, complex, np.complexfloating, list,
                                         tuple, dict, set)):
            raise TypeError(f"xs[{k}] must be a float, Dual, Scalar or torch.Tensor, got "
                            f"{type(x).__name__} ({x!r:.40})")
    if program is None or isinstance(program, (str, bytes)) or not hasattr(program,
                                                                             "__iter__"):
        raise TypeError("program must be a sequence of (op, i, j) triples (see "
                        f"random_program), got {type(program).__name__} ({program!r:.40})")
    n_in, used = len(nodes), set()
    for k, step in enumerate(program):
        try:
            op, i, j = step
        except (TypeError, ValueError):
            raise TypeError(f"program[{k}] must be an (op, i, j) triple, got "
                            f"{step!r:.40}") from None
        if not (0 <= i < len(nodes) and 0 <= j < len(nodes)):
            raise ValueError(f"operation {k} refers to node {max(i, j)} "
                             f"but only {len(nodes)} nodes exist")
        used.update((i,) if op in _UNARY else (i, j))
        nodes.append(_run_op(op, nodes[i], nodes[j]))
    sinks = [nodes[k] for k in range(n_in, len(nodes)) if k not in used]
    if not sinks:
        raise ValueError("program must contain at least one operation")
    out = sinks[0]
    for s in sinks[1:]:
        out = out + s
    return out

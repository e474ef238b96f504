"""The input contract of every public ``dlf`` callable (BOOK_GUIDE: "Bad input gets a clear error").

Coverage is by construction: every module in ``src/dlf`` is imported, and every public callable
(the names in ``__all__``, or the public names the module defines) and every public method of a
public class (plus ``__call__``) must have a valid call in ``tests/contract/<module>.py`` (or a
``VALID_CALLS`` dict in ``tests/test_<module>.py``); the format is in tests/contract/__init__.py.
A new module is covered the day it lands: until its table exists the test fails and says where
to add what.

Then one argument at a time is replaced by a bad value derived from its valid value, and each call
must (within PER_CALL_SECONDS):

* raise ``ValueError`` or ``TypeError`` (or a domain error the entry documents in ``_raises``)
  whose message names the argument (as a word), or
* succeed, except that NaN, inf and complex input must be rejected unless the entry's ``_allow``
  says the argument accepts them by design, and a call must not return NaN or inf where the
  valid call returned only finite numbers.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import math
import re
import signal
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dlf"
MODULES = sorted(p.stem for p in SRC.glob("*.py") if not p.stem.startswith("_"))

# Modules whose tables are being written by their authors (the lead empties this set).
PENDING: set[str] = set()

# Modules with known contract breaches (issue 17). Strict: a module that passes must leave the
# list. This list only shrinks.
XFAIL: dict[str, str] = {}

PER_CALL_SECONDS = 2.0
RESERVED = {"_self", "_args", "_allow", "_raises", "_skip"}
KINDS = ("none", "str", "strings", "nan", "inf", "complex", "empty", "extra_dim", "negative",
         "zero", "fraction")


class CallTimeout(BaseException):
    """Raised by the alarm when a call exceeds PER_CALL_SECONDS."""


def _alarm(signum, frame):
    raise CallTimeout


# ----------------------------------------------------------------------------- discovery

def public_callables(module) -> list[str]:
    """Names in ``VALID_CALLS`` form: ``func``, ``Class``, ``Class.method``."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, o in vars(module).items() if not n.startswith("_")
                 and getattr(o, "__module__", None) == module.__name__]
    out = []
    for name in names:
        obj = getattr(module, name)
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                continue
            out.append(name)
            methods = set()
            for cls in obj.__mro__:
                if cls.__module__ != module.__name__:
                    continue
                for k, v in vars(cls).items():
                    if k.startswith("_") and k != "__call__":
                        continue
                    f = v.__func__ if isinstance(v, (staticmethod, classmethod)) else v
                    if inspect.isfunction(f):
                        methods.add(k)
            out += [f"{name}.{m}" for m in sorted(methods)]
        elif callable(obj):
            out.append(name)
    return out


def load_table(module: str) -> dict | None:
    for where in (f"tests.contract.{module}", f"tests.test_{module}"):
        try:
            mod = importlib.import_module(where)
        except ModuleNotFoundError as err:
            if err.name and where.startswith(err.name):
                continue
            raise
        if hasattr(mod, "VALID_CALLS"):
            return mod.VALID_CALLS
    return None


def _how_to_add(module: str, name: str, mod) -> str:
    obj = _resolve(mod, name)
    try:
        sig = inspect.signature(obj)
        params = [p for p in sig.parameters.values() if p.name != "self"
                  and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        example = ", ".join(f"{p.name}=..." for p in params)
    except (TypeError, ValueError):
        example = "..."
    return (f'add  "{name}": dict({example}),  to VALID_CALLS in tests/contract/{module}.py '
            f"(one call that succeeds; format in tests/contract/__init__.py)")


def _resolve(mod, name: str):
    obj = mod
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


# ----------------------------------------------------------------------------- bad values

def _is_num(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_))


def _array_variants(a: np.ndarray) -> dict:
    out = {"none": None, "str": "abc", "strings": ["a", "b"]}
    if a.dtype.kind not in "iuf":
        return out
    if a.size:
        f = a.astype(float).copy()
        f.flat[0] = np.nan
        out["nan"] = f
        f = a.astype(float).copy()
        f.flat[0] = np.inf
        out["inf"] = f
        out["complex"] = a + 1j
    out["empty"] = np.zeros((0,) + a.shape[1:], dtype=a.dtype)
    out["extra_dim"] = a[None]
    if a.dtype.kind in "iu" and a.size:
        out["fraction"] = a + 0.5
        neg = a.copy().astype(np.int64)
        neg.flat[0] = -1
        out["negative"] = neg
    return out


def _is_array(v) -> bool:
    if isinstance(v, np.ndarray):
        return True
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return isinstance(v, torch.Tensor)


def bad_values(value, default) -> dict:
    """Bad variants of a valid argument value, by kind."""
    out: dict = {}
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    if value is None:
        return {"str": "abc"}
    if isinstance(value, (bool, np.bool_)):
        out = {"none": None, "str": "abc"}
    elif _is_num(value):
        out = {"none": None, "str": "abc", "nan": math.nan, "inf": math.inf,
               "complex": complex(float(value), 1.0), "negative": -1, "zero": 0}
        if isinstance(value, (int, np.integer)):
            out["fraction"] = 1.5
    elif isinstance(value, str):
        out = {"none": None, "str": "not-a-valid-choice", "zero": 0}
    elif isinstance(value, np.ndarray):
        out = _array_variants(value)
    elif torch is not None and isinstance(value, torch.Tensor):
        a = value.detach().cpu().numpy()
        out = {k: (torch.as_tensor(v, dtype=torch.complex128 if k == "complex" else None)
                   if isinstance(v, np.ndarray) else v)
               for k, v in _array_variants(a).items()}
        if value.requires_grad:
            for v in out.values():
                if isinstance(v, torch.Tensor) and v.is_floating_point():
                    v.requires_grad_(True)
    elif isinstance(value, (list, tuple)) and value and all(_is_num(v) for v in value):
        out = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
               for k, v in _array_variants(np.asarray(value)).items()}
    elif isinstance(value, (list, tuple)) and value and _is_array(value[0]):
        # a list of arrays (weights, layers): spoil the first one
        out = {"none": None, "str": "abc"}
        for k, v in bad_values(value[0], None).items():
            if k not in ("none", "str"):
                out[k] = type(value)([v, *value[1:]])
    elif callable(value):
        out = {"none": None, "str": "abc"}
    else:
        out = {"none": None, "str": "abc"}
    if default is None:
        out.pop("none", None)
    return out


# ----------------------------------------------------------------------------- running

def _nonfinite(x, depth=0) -> bool:
    if depth > 4:
        return False
    try:
        import torch
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, (bool, np.bool_, str)) or x is None:
        return False
    if isinstance(x, (int, float, complex, np.number)):
        return not np.isfinite(x)
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fc" and not np.all(np.isfinite(x))
    if isinstance(x, dict):
        return any(_nonfinite(v, depth + 1) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(_nonfinite(v, depth + 1) for v in x[:50])
    if dataclasses.is_dataclass(x):
        return any(_nonfinite(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x))
    return False


def _timed(func, args, kwargs, limit: float | None = PER_CALL_SECONDS):
    if args:  # a *args parameter: the named parameters before it go positionally
        kwargs = dict(kwargs)
        head = []
        for p in inspect.signature(func).parameters.values():
            if p.kind == p.VAR_POSITIONAL:
                break
            if p.name in kwargs:
                head.append(kwargs.pop(p.name))
        args = (*head, *args)
    old = signal.signal(signal.SIGALRM, _alarm)
    if limit:
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return func(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _target(mod, table, name, spec):
    """The callable for ``name`` (a bound method on a fresh instance for ``Class.method``)."""
    obj = _resolve(mod, name)
    if "." not in name:
        return obj
    cls_name, meth = name.split(".")
    if "_self" in spec:
        inst = spec["_self"]()
    else:
        cspec = _fresh(table[cls_name])
        inst = _resolve(mod, cls_name)(*cspec.get("_args", ()), **_kwargs(cspec))
    return getattr(inst, meth)


def _kwargs(spec) -> dict:
    return {k: v for k, v in spec.items() if k not in RESERVED}


def _copy(value):
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 (e.g. torch non-leaf tensors): share the value
        return value


def _fresh(entry) -> dict:
    """A new spec: call a factory entry, else deep-copy the dict's values."""
    if callable(entry):
        return entry()
    return {k: _copy(v) for k, v in entry.items()}


def check_callable(mod, table, name) -> tuple[list[str], int]:
    """Fuzz one callable; return (breaches, number of calls)."""
    entry = table[name]
    if isinstance(entry, str) or (isinstance(entry, dict) and "_skip" in entry):
        return [], 0
    spec = _fresh(entry)
    label = f"{mod.__name__.split('.')[-1]}.{name}"
    breaches = []
    kwargs = _kwargs(spec)
    args = tuple(spec.get("_args", ()))
    raises = (ValueError, TypeError) + tuple(spec.get("_raises", ()))
    allow = spec.get("_allow", {})
    try:
        # untimed: the first call may import lazily (an alarm there would break the import)
        ref = _timed(_target(mod, table, name, spec), args, kwargs, limit=None)
    except CallTimeout:
        return [f"{label}: the valid call takes over {PER_CALL_SECONDS} s"], 1
    except Exception as err:  # noqa: BLE001
        return [f"{label}: the valid call fails: {type(err).__name__}: {err}"], 1
    ref_finite = not _nonfinite(ref)
    try:
        sig = inspect.signature(_resolve(mod, name))
        defaults = {p.name: p.default for p in sig.parameters.values()}
    except (TypeError, ValueError):
        defaults = {}
    calls = 1
    for arg, value in kwargs.items():
        for kind, bad in bad_values(value, defaults.get(arg, inspect.Parameter.empty)).items():
            if kind in allow.get(arg, ()):
                continue
            fresh = _fresh(entry)
            trial = _kwargs(fresh)
            trial[arg] = bad
            what = f"{label}({arg}={_short(bad)})"
            calls += 1
            try:
                out = _timed(_target(mod, table, name, fresh), tuple(fresh.get("_args", ())),
                             trial)
            except CallTimeout:
                breaches.append(f"hang: {what} runs over {PER_CALL_SECONDS} s")
                continue
            except raises as err:
                if isinstance(err, (ValueError, TypeError)) and not re.search(
                        rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", str(err)):
                    breaches.append(f"message: {what} raised {type(err).__name__}: "
                                    f"{_short(str(err), 120)} (does not name {arg!r})")
                continue
            except Exception as err:  # noqa: BLE001
                breaches.append(f"exception type: {what} raised {type(err).__name__}: "
                                f"{_short(str(err), 120)}")
                continue
            if kind in ("nan", "inf"):
                breaches.append(f"accepted {kind}: {what} returned without an error")
            elif kind == "complex":
                breaches.append(f"accepted complex: {what} returned without an error")
            elif ref_finite and _nonfinite(out):
                breaches.append(f"silent NaN: {what} returned NaN or inf")
    return breaches, calls


def _short(x, n=40) -> str:
    if isinstance(x, np.ndarray):
        return f"array(shape={x.shape}, dtype={x.dtype})"
    try:
        import torch
        if isinstance(x, torch.Tensor):
            return f"tensor(shape={tuple(x.shape)}, dtype={x.dtype})"
    except ImportError:  # pragma: no cover
        pass
    s = repr(x) if not isinstance(x, str) or n == 40 else x
    return s if len(s) <= n else s[: n - 3] + "..."


# ----------------------------------------------------------------------------- tests

@pytest.mark.parametrize("module", MODULES)
def test_every_public_callable_has_a_valid_call(module):
    if module in PENDING:
        pytest.skip(f"dlf.{module}: valid-call table pending (PENDING in tests/test_contract.py)")
    mod = importlib.import_module(f"dlf.{module}")
    table = load_table(module)
    names = public_callables(mod)
    assert table is not None, (
        f"dlf.{module} has no valid-call table: create tests/contract/{module}.py with "
        f"VALID_CALLS = {{...}} naming {names} (format in tests/contract/__init__.py)")
    missing = [n for n in names if n not in table]
    assert not missing, "\n".join(
        [f"dlf.{module}: {len(missing)} public callables have no valid call:"]
        + [f"  {n}: " + _how_to_add(module, n, mod) for n in missing])
    stale = sorted(set(table) - set(names))
    assert not stale, f"tests/contract/{module}.py names no public callable: {stale}"


@pytest.mark.parametrize("module", MODULES)
def test_contract(module, request):
    if module in PENDING:
        pytest.skip(f"dlf.{module}: valid-call table pending (PENDING in tests/test_contract.py)")
    if module in XFAIL:
        request.applymarker(pytest.mark.xfail(reason=XFAIL[module], strict=True))
    mod = importlib.import_module(f"dlf.{module}")
    table = load_table(module)
    assert table is not None, f"dlf.{module} has no valid-call table (see the test above)"
    breaches, calls = [], 0
    t0 = time.perf_counter()
    for name in public_callables(mod):
        if name in table:
            b, c = check_callable(mod, table, name)
            breaches += b
            calls += c
    print(f"dlf.{module}: {calls} calls in {time.perf_counter() - t0:.1f} s, "
          f"{len(breaches)} breaches")
    assert not breaches, f"dlf.{module}: {len(breaches)} contract breaches in {calls} calls:\n" \
        + "\n".join(breaches)

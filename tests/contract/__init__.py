"""Valid calls of every public ``dlf`` callable, one file per module (tests/test_contract.py).

``tests/contract/<module>.py`` defines ``VALID_CALLS``, a dict from the public name (``"func"``,
``"Class"`` for the constructor, ``"Class.method"`` for a method) to one call that succeeds:

* ``dict(arg=value, ...)``: keyword arguments (every argument by name). For a method, the instance
  is built from the class's own entry, afresh for every call; ``"_self": lambda: obj`` overrides.
* reserved keys: ``"_args": (...)`` positional values for a ``*args`` parameter;
  ``"_allow": {"arg": {"nan", "inf", "complex", ...}}`` bad kinds an argument accepts by design
  (documented in its docstring); ``"_raises": (CheckError,)`` documented domain errors besides
  ``ValueError``/``TypeError``; ``"_skip": "reason"`` to list a callable without fuzzing it.

The contract test then replaces one argument at a time by bad values (None, strings, complex,
NaN, inf, empty and extra-dimensional arrays, negative, zero, non-integer) and asserts: only
``ValueError``/``TypeError`` whose message names the argument, no NaN/inf returned without an
error, no hang, complex rejected unless allowed. A module may instead define ``VALID_CALLS`` in
``tests/test_<module>.py``. See tests/test_contract.py for the exact rules.
"""

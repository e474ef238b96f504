"""IPython start-up file of the robustness sweep: every seed a chapter draws is shifted.

The sweep (``sweep.py``) copies this file into the ``startup`` folder of a fresh IPython profile
and points the kernel at it with ``IPYTHONDIR``; it runs before the chapter's first cell, so no
chapter is edited. With ``DLF_SEED_SHIFT=k`` (an integer), every integer seed handed to

- ``numpy.random.default_rng``, ``numpy.random.seed``,
- ``torch.manual_seed`` (and ``torch.random.manual_seed``), ``torch.Generator().manual_seed``,
- ``random.seed``

becomes ``seed + k`` (a list or tuple of integers has its first entry shifted). Seeds that are
already generators, bit generators or seed sequences, and ``None``, pass through unchanged: they
come from a seed that was shifted where it was drawn. Every call site is patched, the ``dlf``
package's included (it is imported after this file runs), so a chapter and the functions it calls
see consistently shifted seeds: two calls that shared a seed still share one.
"""

from __future__ import annotations

import os
import random
from numbers import Integral

import numpy as np

SHIFT = int(os.environ.get("DLF_SEED_SHIFT", "0"))


def _shift(seed):
    if isinstance(seed, bool):
        return seed
    if isinstance(seed, Integral):
        return int(seed) + SHIFT
    if isinstance(seed, (list, tuple)) and seed and all(isinstance(s, Integral) for s in seed):
        return type(seed)([int(seed[0]) + SHIFT, *seed[1:]])
    return seed


if SHIFT:
    _default_rng = np.random.default_rng
    _np_seed = np.random.seed
    _random_seed = random.seed

    def default_rng(seed=None):
        return _default_rng(_shift(seed))

    def np_seed(seed=None):
        return _np_seed(_shift(seed))

    def random_seed(a=None, version=2):
        return _random_seed(_shift(a), version)

    default_rng.__doc__ = _default_rng.__doc__
    np.random.default_rng = default_rng
    np.random.seed = np_seed
    random.seed = random_seed

    try:
        import torch
    except ImportError:  # a chapter without torch
        torch = None
    if torch is not None:
        _torch_manual_seed = torch.manual_seed

        def manual_seed(seed):
            return _torch_manual_seed(_shift(seed))

        class Generator(torch.Generator):
            """``torch.Generator`` whose ``manual_seed`` shifts its seed."""

            def manual_seed(self, seed):
                return super().manual_seed(_shift(seed))

        torch.manual_seed = manual_seed
        torch.random.manual_seed = manual_seed
        torch.Generator = Generator

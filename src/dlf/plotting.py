"""The book's house style for figures.

One call, :func:`use_style`, sets readable fonts, a colour-blind-safe palette (Okabe and Ito),
light grids and deterministic SVG output (no date stamp, fixed hash salt), and asks Jupyter for
SVG figures. :func:`subplots` returns a figure in the book's standard sizes.

Derived in: none (used by every chapter). Depends on: numpy, matplotlib.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

__all__ = ["PALETTE", "use_style", "subplots", "color"]

#: Okabe-Ito palette: distinguishable under the common colour-vision deficiencies.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

_ORDER = ["blue", "vermillion", "green", "orange", "sky", "purple", "black", "yellow"]

STYLE: dict[str, Any] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.prop_cycle": cycler(color=[PALETTE[c] for c in _ORDER]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
    "svg.fonttype": "path",
    "svg.hashsalt": "dlf",
    "savefig.format": "svg",
    "savefig.bbox": "tight",
}


def color(i: int | str) -> str:
    """The ``i``-th colour of the house cycle, or a named colour of :data:`PALETTE`."""
    if isinstance(i, str):
        if i not in PALETTE:
            raise ValueError(f"i (a color name) must be one of {sorted(PALETTE)}, got {i!r}")
        return PALETTE[i]
    if not isinstance(i, int):
        raise TypeError(f"i (a color index) must be int or str, got {type(i).__name__}")
    return PALETTE[_ORDER[i % len(_ORDER)]]


def use_style() -> None:
    """Apply the house style; in Jupyter also switch inline figures to SVG without a date."""
    mpl.rcParams.update(STYLE)
    try:  # only inside IPython; a plain script keeps its backend
        from IPython import get_ipython

        ip = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency of the book, not the package
        ip = None
    if ip is not None and getattr(ip, "kernel", None) is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg", metadata={"Date": None})


def subplots(nrows: int = 1, ncols: int = 1, *, width: float | None = None,
             height: float | None = None, **kwargs: Any) -> tuple[plt.Figure, Any]:
    """``plt.subplots`` with the book's sizes: 6.4 in wide per row of up to two panels.

    ``width`` and ``height`` (inches) override the defaults.
    """
    if not (isinstance(nrows, int) and nrows >= 1 and isinstance(ncols, int) and ncols >= 1):
        raise ValueError(f"nrows and ncols must be positive integers, got {nrows}, {ncols}")
    for name, size in (("width", width), ("height", height)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number of inches, got {type(size).__name__} "
                            f"({size!r:.40})")
        if not 0 < size < np.inf:
            raise ValueError(f"{name} must be a finite number of inches > 0, got {name}={size!r}")
    w = width if width is not None else (6.4 if ncols <= 2 else 3.3 * ncols)
    h = height if height is not None else (3.6 if ncols == 1 else 3.2) * nrows
    return plt.subplots(nrows, ncols, figsize=(w, h), **kwargs)


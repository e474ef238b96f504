"""Tests of dlf.plotting: the house style is applied and figures are deterministic SVG."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlf import plotting  # noqa: E402


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def test_use_style_sets_palette_and_svg():
    plotting.use_style()
    cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle[0] == plotting.PALETTE["blue"] and len(set(cycle)) == len(cycle)
    assert matplotlib.rcParams["savefig.format"] == "svg"


def test_figures_are_byte_identical_across_runs():
    plotting.use_style()
    outs = []
    for _ in range(2):
        fig, ax = plotting.subplots()
        ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2, label="x^2")
        ax.legend()
        outs.append(_svg(fig))
        plt.close(fig)
    assert outs[0] == outs[1]
    assert outs[0].startswith(b"<?xml")


def test_subplots_sizes_and_errors():
    fig, axes = plotting.subplots(1, 3)
    assert axes.shape == (3,) and fig.get_size_inches()[0] == pytest.approx(9.9)
    plt.close(fig)
    with pytest.raises(ValueError, match="nrows and ncols must be positive integers"):
        plotting.subplots(0, 1)


def test_color():
    assert plotting.color(0) == plotting.PALETTE["blue"]
    assert plotting.color("orange") == plotting.PALETTE["orange"]
    assert plotting.color(8) == plotting.color(0)
    with pytest.raises(ValueError, match=r"i \(a color name\) must be one of"):
        plotting.color("magenta")
    with pytest.raises(TypeError, match=r"i \(a color index\) must be int or str"):
        plotting.color(1.5)

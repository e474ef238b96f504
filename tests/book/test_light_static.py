"""The figure minifier of book/_ext/light_static.py on a real matplotlib SVG."""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET

import matplotlib

from .conftest import ROOT

matplotlib.use("Agg")
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import matplotlib.pyplot as plt  # noqa: E402
from light_static import minify_svg  # noqa: E402

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _svg() -> str:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0.123456, 1.987654, 2.5], [3.14159265, -2.71828, 0.5], label="$x_k$")
    ax.scatter([0.3333333, 0.6666666], [1.0, 2.0])
    ax.legend()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def test_minified_figure_has_the_same_elements_and_coordinates_to_a_hundredth_point():
    svg = _svg()
    small = minify_svg(svg)
    assert len(small) < 0.85 * len(svg)
    assert "<!--" not in small and "\n" not in small
    before, after = ET.fromstring(svg.encode()), ET.fromstring(small.encode())
    old, new = list(before.iter()), list(after.iter())
    assert [e.tag for e in old] == [e.tag for e in new]
    for a, b in zip(old, new, strict=True):
        assert a.attrib.keys() == b.attrib.keys()
        for key, value in a.attrib.items():
            x = [float(v) for v in NUMBER.findall(value)]
            y = [float(v) for v in NUMBER.findall(b.attrib[key])]
            assert len(x) == len(y), (key, value)
            tol = 0.005 + 1e-9 if key in ("d", "x", "y", "width", "height") else 0.0
            close = all(abs(u - v) <= tol for u, v in zip(x, y, strict=True))
            assert close, (key, value, b.attrib[key])

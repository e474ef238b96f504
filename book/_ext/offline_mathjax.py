"""Serve MathJax 3 from the site itself, so the built book makes no request to a CDN.

The files come from the ``sphinx-mathjax-offline`` wheel (MathJax 3.2.2), which is used only as a
file source: that package's own extension does not declare parallel safety. Only what the pages
load is copied (about 7 of the wheel's 24 MB): the combined TeX-to-HTML component, its fonts, the
TeX extensions it loads on demand, and the accessibility modules its context menu can switch on.
The browser tests fail on any request that does not succeed, so a missing file cannot go unseen.
"""

import importlib.util
from pathlib import Path

from sphinx.util.fileutil import copy_asset


def _mathjax_dir() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("sphinx-mathjax-offline is not installed; run `make html` to install")
    path = Path(spec.origin).parent / "static" / "mathjax"
    if not (path / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax files not found in {path}")
    return path


#: the parts of MathJax that tex-chtml.js loads (at start-up or on demand)
USED = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "sre",
        "ui")


def _copy(app, exc):
    if exc is None and app.builder.format == "html":
        src, dest = _mathjax_dir(), Path(app.outdir) / "_static" / "mathjax"
        for part in USED:
            if (src / part).is_dir():
                copy_asset(str(src / part), str(dest / part))
            else:
                dest.mkdir(parents=True, exist_ok=True)
                copy_asset(str(src / part), str(dest))


def setup(app):
    _mathjax_dir()  # fail early and clearly
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

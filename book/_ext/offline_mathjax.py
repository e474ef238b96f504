"""Serve MathJax 3 from the site itself, so the built book makes no request to a CDN.

The files come from the ``sphinx-mathjax-offline`` wheel (MathJax 3.2.2), which is used only as a
file source: that package's own extension does not declare parallel safety.
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


def _copy(app, exc):
    if exc is None and app.builder.format == "html":
        copy_asset(str(_mathjax_dir()), str(Path(app.outdir) / "_static" / "mathjax"))


def setup(app):
    _mathjax_dir()  # fail early and clearly
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Executed notebooks for download: every chapter page offers its ``.ipynb`` with outputs.

sphinx-book-theme puts an ``.ipynb`` entry in a page's download menu only when the page context
names one (``ipynb_source``), and it sets that only when a launch button (Binder, Colab) is
configured, which this offline book does not have. And the notebook myst-nb writes to
``jupyter_execute/`` has no outputs when its outputs came from the execution cache (myst-nb writes
the notebook it parsed, not the one the cache merged outputs into; myst-nb issue 617).

So, for every chapter, this extension takes myst-nb's notebook, merges the cached outputs into it
when the cache holds them (on a cache miss or in ``force`` mode the notebook already has them),
puts a first cell saying where the notebook comes from and what it needs, writes it to
``_sources/<page>.ipynb`` and names it in the page context. A chapter whose notebook has no
outputs is a warning (an error under ``-W``): a download without outputs is never published.

Run as a script, ``python notebooks.py <html dir> <dest dir>`` copies all those notebooks into
one folder (by part) and zips it: the ``make notebooks`` target.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from light_static import minify_svg
from nbmarkdown import Converter, glue_values, numbers_from_html

#: folders that hold chapters (as in dlf_book.PART_FOLDERS)
PART_FOLDERS = ("foundations", "networks", "optimization", "training", "generalization",
                "architectures", "generative", "robustness")

#: the versions the book is tested with, named in each notebook's first cell
TESTED = ("numpy", "torch", "matplotlib", "scipy", "scikit-learn")


def tested_versions(confdir: Path) -> str:
    """``numpy 2.4.6, torch 2.13.0 (CPU build), ...`` from the lock file of the build."""
    lock = confdir / "requirements-lock.txt"
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock.read_text(), re.M)) \
        if lock.is_file() else {}
    parts = [f"{name} {pins[name]}" + (" (CPU build)" if name == "torch" else "")
             for name in TESTED if name in pins]
    return ", ".join(parts)


def preamble(title: str, pagename: str, *, wheel: str | None, versions: str,
             repository: str = "", site: str = "") -> str:
    """The notebook's first cell: what it is, how to install what it needs, where it comes from."""
    page = f"{site}/{pagename}.html" if site else ""
    lines = [f"*{title}*: a chapter of **Deep Learning Foundations**, executed by the book's "
             "build (the outputs below are that run's)"
             + (f"; its web page is <{page}>." if page else ".")]
    if wheel:
        where = f"<{site}/{wheel}>" if site else "the root of the book's website"
        lines += ["", "**To run it**, install the book's companion package `dlf` from its wheel, "
                  f"`{wheel}` (at {where}, and in the book's `notebooks.zip`), for example with "
                  "the wheel next to this notebook:", "", "```", f"%pip install {wheel}", "```",
                  "", "It brings what the chapters import (NumPy, PyTorch, Matplotlib, SciPy, "
                  "scikit-learn, mpmath, threadpoolctl). The book is tested with Python 3.11, "
                  f"{versions}. On Linux, install PyTorch's CPU build first "
                  "(`%pip install torch --index-url https://download.pytorch.org/whl/cpu`); "
                  "otherwise pip may fetch several GB of CUDA libraries the book never uses."]
    if repository:
        lines += ["", f"The book's sources, with the package and its tests: <{repository}>."]
    lines += ["", "Theorems, proofs and exercises appear as headed paragraphs; cross-references "
              "carry the numbers of the web page. Licences: code MIT, text CC BY 4.0."]
    return "\n".join(lines)


def macros_cell(macros: dict) -> nbformat.NotebookNode:
    """A hidden Markdown cell defining the book's TeX macros for Jupyter's MathJax."""
    defs = []
    for name, body in macros.items():
        if isinstance(body, list):
            defs.append(rf"\newcommand{{\{name}}}[{body[1]}]{{{body[0]}}}")
        else:
            defs.append(rf"\newcommand{{\{name}}}{{{body}}}")
    cell = nbformat.v4.new_markdown_cell("$$\n" + "\n".join(defs) + "\n$$")
    cell.metadata["jupyter"] = {"source_hidden": True}
    cell.metadata["tags"] = ["remove-cell"]
    return cell


def is_chapter(pagename: str) -> bool:
    return pagename.split("/")[0] in PART_FOLDERS and pagename.count("/") == 1


def has_outputs(nb: nbformat.NotebookNode) -> bool:
    """True if every code cell that ran produced its outputs (at least one cell has some)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return bool(code) and any(c.get("outputs") for c in code)


def executed_notebook(app, pagename: str) -> nbformat.NotebookNode | None:
    """myst-nb's notebook for ``pagename``, with the outputs of the run that built the page."""
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    if app.config.nb_execution_mode == "cache" and not has_outputs(nb):
        from jupyter_cache import get_cache

        try:
            _, nb = get_cache(app.config.nb_execution_cache_path).merge_match_into_notebook(nb)
        except KeyError:  # not in the cache: the chapter failed, which the build reports
            return None
    return nb


def _add_download(app, pagename, templatename, context, doctree):
    if not is_chapter(pagename) or doctree is None:
        return
    nb = executed_notebook(app, pagename)
    if nb is None or not has_outputs(nb):
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "chapter %s: no executed notebook with outputs to offer for download", pagename,
            location=pagename, type="dlf", subtype="notebook")
        return
    title = context.get("title", pagename)
    title = html.unescape(re.sub(r"<[^>]+>", "", title))  # plain text for the preamble
    nb = nbformat.from_dict(nb)
    conf = app.config
    theme = conf.html_theme_options or {}
    wheel_file = getattr(app, "dlf_wheel", None)
    site = (conf.html_baseurl or "").rstrip("/")
    first = preamble(title, pagename, wheel=wheel_file.name if wheel_file else None,
                     versions=tested_versions(Path(app.confdir)),
                     repository=theme.get("repository_url", ""), site=site)
    refs, titles = numbers_from_html(context.get("body", ""))
    convert = Converter(refs, titles, glue_values(nb),
                        page_url=f"{site}/{pagename}.html" if site else "").convert
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = convert(cell.source)
    macros = (conf.mathjax3_config or {}).get("tex", {}).get("macros", {})
    nb.cells[:0] = [nbformat.v4.new_markdown_cell(first), macros_cell(macros)]
    nb.metadata.pop("source_map", None)
    for cell in nb.cells:  # cell ids of the cache differ per run; keep the file stable
        cell.pop("id", None)
    for cell in nb.cells:  # the figures as on the page: minified (light_static.py)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                data["image/svg+xml"] = minify_svg("".join(svg) if isinstance(svg, list)
                                                   else svg)
    nb.nbformat, nb.nbformat_minor = 4, 4
    dest = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    context["ipynb_source"] = f"{pagename}.ipynb"


def export(html_dir: Path, dest: Path) -> list[Path]:
    """Copy the chapters' executed notebooks of a built site into ``dest`` and zip them."""
    sources = html_dir / "_sources"
    notebooks = sorted(p for p in sources.glob("*/*.ipynb") if p.parent.name in PART_FOLDERS)
    if not notebooks:
        raise SystemExit(f"no chapter notebooks under {sources}: run `make html` first")
    if dest.exists():
        shutil.rmtree(dest)
    written = []
    for nb in notebooks:
        target = dest / nb.relative_to(sources)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(nb, target)
        written.append(target)
    for wheel in html_dir.glob("*.whl"):  # the package the notebooks need
        shutil.copy2(wheel, dest / wheel.name)
        written.append(dest / wheel.name)
    archive = shutil.make_archive(str(dest), "zip", root_dir=dest.parent, base_dir=dest.name)
    print(f"{len(written)} executed notebooks in {dest}/ and {archive}")
    return written


def setup(app):
    # before sphinx-book-theme's header buttons (priority 501), which read ``ipynb_source``
    app.connect("html-page-context", _add_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python notebooks.py <built html dir> <destination dir>")
    export(Path(sys.argv[1]), Path(sys.argv[2]))

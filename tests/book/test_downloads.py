"""Downloads: every chapter offers its executed notebook, with outputs, and it runs.

The trap (DESIGN.md pitfall 6): on an execution-cache hit the notebook myst-nb writes has no
outputs. The tiny-book test builds twice so that the second build is a cache hit; the site tests
follow each chapter page's download link and read the notebook. That every downloaded notebook runs
top to bottom in a fresh kernel is shown by the robustness sweep of ``make test`` (``sweep.py
--site``), whose first perturbation runs the downloaded notebooks instead of the sources; a
downloaded notebook also runs in a fresh virtual environment from the wheel (last test).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, chapter_sources

CHAPTERS = chapter_sources()


def _outputs_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


def _download_link(page: Path) -> str:
    m = re.search(r'href="([^"]+\.ipynb)"', page.read_text())
    assert m, f"{page.name} offers no .ipynb download"
    return m.group(1)


@pytest.mark.book
def test_notebook_download_keeps_outputs_on_a_cache_hit(tiny_book):
    for build in ("first (executes)", "second (cache hit)"):
        proc = tiny_book.build()
        assert proc.returncode == 0, proc.output
        html = tiny_book.root / "_build" / "html"
        link = _download_link(html / "optimization" / "tiny.html")
        nb = json.loads((html / "optimization" / link).resolve().read_text())
        assert "hypotenuse" in _outputs_text(nb), f"{build} build: the download has no outputs"
    assert tiny_book.executions() == 1, "the second build should have used the cache"


@pytest.mark.book
def test_stream_chunks_merge_exactly(tiny_book):
    # the kernel sends a line's text and its newline in two chunks when it flushes in between
    from .conftest import GOOD_CHAPTER

    tiny_book.write_chapter(GOOD_CHAPTER + "\n```{code-cell} ipython3\nimport sys\n"
                            "sys.stdout.write('first ok'); sys.stdout.flush()\n"
                            "sys.stdout.write('\\nsecond ok\\n')\n```\n")
    proc = tiny_book.build()
    assert proc.returncode == 0, proc.output
    html = tiny_book.root / "_build" / "html"
    page = (html / "optimization" / "tiny.html").read_text()
    assert "first ok\nsecond ok" in page, "the two chunks are not one line each"
    nb = json.loads((html / "_sources" / "optimization" / "tiny.ipynb").read_text())
    assert _outputs_text(nb).count("second ok") == 1, "a chunk appears twice in the notebook"


@pytest.mark.book
def test_make_notebooks_writes_folder_and_zip(tiny_book):
    proc = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "notebooks",
         f"CONFDIR={tiny_book.root}", f"BOOKDIR={tiny_book.root / 'book'}",
         f"BUILDDIR={tiny_book.root / '_build'}", "JOBS=1"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(tiny_book.root / "src"),
             "DLF_TEST_MARKER": str(tiny_book.marker)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tiny_book.root / "_build" / "notebooks"
    nb = json.loads((out / "optimization" / "tiny.ipynb").read_text())
    assert "hypotenuse" in _outputs_text(nb)
    with zipfile.ZipFile(out.with_suffix(".zip")) as zf:
        assert "notebooks/optimization/tiny.ipynb" in zf.namelist()


# --- the built site ----------------------------------------------------------------------------

_RUN = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}
               ).execute()
print("cells:", sum(c.cell_type == "code" for c in nb.cells))
"""

@pytest.mark.site
@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_downloaded_notebook_has_outputs(html_dir, src):
    page = html_dir / src.relative_to(ROOT / "book").with_suffix(".html")
    nb = json.loads((page.parent / _download_link(page)).resolve().read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "the notebook has no code cell"
    text = _outputs_text(nb)
    assert re.search(r"\bok\b", text), "the notebook's outputs contain no passing check"
    n_figures = sum("image/svg+xml" in o.get("data", {}) or "image/png" in o.get("data", {})
                    for c in code for o in c.get("outputs", []))
    n_figure_cells = len(re.findall(r"^\s+figure:", src.read_text(), re.M))  # cell metadata
    assert n_figures >= n_figure_cells, f"{n_figures} images for {n_figure_cells} figure cells"


@pytest.mark.site
@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_page_offers_its_markdown_source(html_dir, src):
    page = html_dir / src.relative_to(ROOT / "book").with_suffix(".html")
    m = re.search(r'href="([^"]+/_sources/[^"]+\.md)"', page.read_text())
    assert m, f"{page.name} offers no .md download"
    assert (page.parent / m.group(1)).resolve().read_text() == src.read_text()


# --- readers outside the repository: the notebooks read as Markdown, the wheel installs ---------

RAW_MYST = ("{prf:", "{eq}`", ":::{", "{glue", "{numref}`", "{cite}`", "{doc}`", "```{")


@pytest.mark.site
@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_downloaded_notebook_reads_as_markdown(html_dir, src):
    sys.path.insert(0, str(ROOT))
    from conf import MACROS

    page = html_dir / src.relative_to(ROOT / "book").with_suffix(".html")
    nb = json.loads((page.parent / _download_link(page)).resolve().read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert "%pip install dlf_book-" in cells[0], "the first cell does not say how to install dlf"
    for name in MACROS:  # the book's TeX macros are defined for Jupyter's MathJax
        assert f"\\newcommand{{\\{name}}}" in cells[1], f"macro \\{name} is not defined"
    text = "\n".join(cells[2:])
    raw = [r for r in RAW_MYST if r in text]
    assert not raw, f"raw MyST left in the notebook's Markdown: {raw}"
    assert re.search(r"\*\*(Theorem|Proposition|Definition|Lemma) \d+\.\d+\*\*", text), \
        "no numbered result heading in the notebook"


def _wheel(html_dir: Path) -> Path:
    wheels = sorted(html_dir.glob("dlf_book-*-py3-none-any.whl"))
    assert len(wheels) == 1, f"expected one dlf wheel at the site's root, found {wheels}"
    return wheels[0]


@pytest.mark.site
def test_site_ships_the_wheel(html_dir):
    import dlf

    wheel = _wheel(html_dir)
    assert wheel.name == f"dlf_book-{dlf.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read(f"dlf_book-{dlf.__version__}.dist-info/METADATA").decode()
    modules = {f"dlf/{p.name}" for p in (ROOT / "src" / "dlf").glob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {modules - names}"
    for dep in ("numpy", "torch", "matplotlib", "scipy", "scikit-learn"):
        assert f"Requires-Dist: {dep}" in meta
    landing = (html_dir / "index.html").read_text()
    assert f'href="{wheel.name}"' in landing, "the landing page does not link the wheel"


@pytest.mark.site
def test_wheel_runs_a_downloaded_notebook_in_a_fresh_environment(html_dir, tmp_path):
    """Only the wheel and its declared dependencies: no editable install, no source tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, env=env)
    py = env_dir / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "requirements-lock.txt")]
    proc = subprocess.run([*pip, str(_wheel(html_dir)), "nbclient", "ipykernel", "nbformat"],
                          capture_output=True, text=True, timeout=1200, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    where = subprocess.run([str(py), "-c", "import dlf; print(dlf.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True, env=env).stdout
    assert str(env_dir) in where, f"dlf imported from {where}, not from the wheel"
    page = html_dir / "optimization" / "opt-gd.html"
    nb = (page.parent / _download_link(page)).resolve()
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run([str(py), "-c", _RUN, str(nb), str(work)], capture_output=True,
                         text=True, timeout=900, cwd=work, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "cells:" in run.stdout

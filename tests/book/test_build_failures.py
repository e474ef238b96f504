"""The book build fails loudly, names the chapter and says why, and only for real reasons.

Each test builds a one-chapter book with the project's own conf.py, extensions and Makefile
(the same command as ``make html``), breaks it in one way, and checks the exit code and the
report. The first test is the control: the unbroken book builds.
"""

from __future__ import annotations

import pytest

from .conftest import GOOD_CHAPTER, HEADER

pytestmark = pytest.mark.book


def assert_fails_naming_chapter(proc, *needles: str) -> None:
    out = proc.output
    assert proc.returncode != 0, f"the build should have failed:\n{out[-3000:]}"
    assert "BOOK BUILD FAILED" in out, out[-3000:]
    assert "tiny.md" in out, f"the failing chapter is not named:\n{out[-3000:]}"
    for needle in needles:
        assert needle in out, f"{needle!r} missing from the build output:\n{out[-3000:]}"


def test_good_book_builds(tiny_book):
    proc = tiny_book.build()
    assert proc.returncode == 0, proc.output[-3000:]
    html = (tiny_book.root / "_build" / "html" / "optimization" / "tiny.html").read_text()
    assert "hypotenuse: 5 vs expected 5" in html  # the cell ran and its output is shown
    assert tiny_book.executions() == 1


def test_cell_error_fails_with_traceback(tiny_book):
    tiny_book.write_chapter(GOOD_CHAPTER + "\n```{code-cell} ipython3\nx = 1 / 0\n```\n")
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, "ZeroDivisionError", "x = 1 / 0", "Traceback")


def test_failing_check_fails_the_build(tiny_book):
    tiny_book.write_chapter(GOOD_CHAPTER + "\n```{code-cell} ipython3\n"
                            "checks.check_le('rate', 0.99, 0.5)\n```\n")
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, "AssertionError", "rate: 0.99 <= bound 0.5")


@pytest.mark.parametrize("text, needle", [
    ("See {ref}`no-such-label`.", "no-such-label"),
    ("As shown by {cite}`nobody2099`.", "nobody2099"),
    ("Equation {eq}`eq-missing`.", "eq-missing"),
])
def test_sphinx_warning_fails(tiny_book, text, needle):
    tiny_book.write_chapter(GOOD_CHAPTER + "\n" + text + "\n")
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, needle)


def test_chapter_without_header_fails(tiny_book):
    tiny_book.write_chapter(GOOD_CHAPTER.replace(HEADER, ""))
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, "would not be executed")
    assert tiny_book.executions() == 0


def test_chapter_with_partial_header_fails(tiny_book):
    # kernelspec alone is not enough for myst-nb to execute a text notebook
    tiny_book.write_chapter(GOOD_CHAPTER.replace(
        "jupytext:\n  text_representation: {extension: .md, format_name: myst}\n", ""))
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, "jupytext")


@pytest.mark.parametrize("cell", [
    "import sys\nprint('leak', file=sys.stderr)",
    "import warnings\nwarnings.warn('a leaking warning', UserWarning)",
])
def test_stderr_in_a_cell_fails(tiny_book, cell):
    tiny_book.write_chapter(GOOD_CHAPTER + f"\n```{{code-cell}} ipython3\n{cell}\n```\n")
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, "stderr")


def test_figure_that_fails_to_render_fails(tiny_book):
    # matplotlib raises while IPython renders the figure; IPython catches it and shows the
    # traceback as an output, so the cell itself does not fail
    tiny_book.write_chapter(GOOD_CHAPTER + "\n```{code-cell} ipython3\n"
                            "import matplotlib.pyplot as plt\n"
                            "plt.plot([0, 1], label=r'$x \\le y$')\nplt.legend()\n```\n")
    proc = tiny_book.build()
    assert_fails_naming_chapter(proc, "traceback")


def test_cell_timeout_fails(tiny_book):
    tiny_book.write_chapter(GOOD_CHAPTER + "\n```{code-cell} ipython3\n"
                            "import time\ntime.sleep(30)\n```\n")
    proc = tiny_book.build(DLF_CELL_TIMEOUT="3")
    assert_fails_naming_chapter(proc, "CellTimeoutError")


def test_failure_does_not_vanish_on_rebuild(tiny_book):
    tiny_book.write_chapter(GOOD_CHAPTER + "\n```{code-cell} ipython3\nx = 1 / 0\n```\n")
    assert tiny_book.build().returncode != 0
    assert_fails_naming_chapter(tiny_book.build(), "ZeroDivisionError")


def test_cache_reuses_outputs_and_is_invalidated_by_package_edits(tiny_book):
    assert tiny_book.build().returncode == 0
    assert tiny_book.executions() == 1
    # unchanged tree: outputs come from the cache, the chapter does not run again
    proc = tiny_book.build()
    assert proc.returncode == 0, proc.output[-3000:]
    assert tiny_book.executions() == 1
    # edit a package function the chapter uses: the chapter re-executes and sees the edit
    checks_py = tiny_book.root / "src" / "dlf" / "checks.py"
    checks_py.write_text(checks_py.read_text().replace(
        "    ok = bool(np.all(dev <= atol + rtol * np.abs(e)))",
        "    ok = False"))
    proc = tiny_book.build()
    assert tiny_book.executions() == 2
    assert_fails_naming_chapter(proc, "hypotenuse", "FAILED")


def test_lock_file_change_invalidates_cache(tiny_book):
    assert tiny_book.build().returncode == 0
    lock = tiny_book.root / "requirements-lock.txt"
    lock.write_text(lock.read_text() + "# touched\n")
    assert tiny_book.build().returncode == 0
    assert tiny_book.executions() == 2


def test_parallel_build_with_theorems(tiny_book):
    """Two chapters with theorems and cross-references build under ``-j 2`` (both cores)."""
    theorem = ("\n:::{prf:theorem} Pythagoras\n:label: thm-%s\n"
               "Statement. {cited}`a test theorem`\n:::\n"
               "\nSee {prf:ref}`thm-tiny` and {prf:ref}`thm-second`.\n")
    # each chapter records when it runs: overlapping intervals prove parallel execution
    times = tiny_book.root / "times.txt"
    theorem += ("\n```{code-cell} ipython3\nimport time  # chapter %s\n"
                "t0 = time.time()\ntime.sleep(4)\n"
                f"with open({str(times)!r}, 'a') as fh:\n"
                "    fh.write(f'{t0} {time.time()}\\n')\n```\n")
    tiny_book.write_chapter(GOOD_CHAPTER + theorem % ("tiny", "tiny"))
    second = tiny_book.root / "book" / "optimization" / "second.md"
    second.write_text(GOOD_CHAPTER.replace("A tiny chapter", "A second chapter")
                      .replace("eq-tiny", "eq-second") + theorem % ("second", "second"))
    # Sphinx reads in parallel only with more than five pages: add four plain pages, named to
    # sort first (Sphinx's own batching would then put both chapters in one batch)
    extra = ""
    for i in range(4):
        (tiny_book.root / "book" / f"aaa{i}.md").write_text(f"# Page {i}\n\nText.\n")
        extra += f"aaa{i}\n"
    index = tiny_book.root / "book" / "index.md"
    index.write_text(index.read_text().replace(
        "optimization/tiny\n", "optimization/tiny\noptimization/second\n```\n\n```{toctree}\n"
        + extra))
    proc = tiny_book.build(jobs=2)
    assert proc.returncode == 0, proc.output[-3000:]
    assert tiny_book.executions() == 2
    (s1, e1), (s2, e2) = [map(float, line.split()) for line in times.read_text().splitlines()]
    assert max(s1, s2) < min(e1, e2), "the two chapters did not execute in parallel"
    html = (tiny_book.root / "_build" / "html" / "optimization" / "second.html").read_text()
    assert "Theorem 2.1" in html and "Theorem 1.1" in html


def test_figure_renders_whatever_the_callers_backend(tiny_book):
    """A numbered figure from a cell appears even if the caller exported MPLBACKEND=Agg."""
    tiny_book.write_chapter(GOOD_CHAPTER + (
        "\n```{code-cell} ipython3\n:mystnb:\n:  figure:\n:    caption: A line.\n"
        ":    name: fig-tiny\n:  image:\n:    alt: A straight line.\n"
        "import matplotlib.pyplot as plt\nfrom dlf import plotting\nplotting.use_style()\n"
        "fig, ax = plt.subplots()\nax.plot([0, 1], [0, 1]);\n```\n\nSee {numref}`fig-tiny`.\n"))
    proc = tiny_book.build(MPLBACKEND="Agg")
    assert proc.returncode == 0, proc.output[-3000:]
    html = (tiny_book.root / "_build" / "html" / "optimization" / "tiny.html").read_text()
    assert "<figure" in html and "Fig. 1.1" in html and 'alt="A straight line."' in html


def test_pdf_failure_names_the_chapter(tiny_book):
    # a macro MathJax would show in red on the site stops XeLaTeX: the report names the chapter
    tiny_book.write_chapter(GOOD_CHAPTER + "\nA formula with a typo: $\\nosuchmacro{x}$.\n")
    proc = tiny_book.build(target="pdf")
    assert proc.returncode != 0, proc.output[-3000:]
    for needle in ("XeLaTeX failed in optimization/tiny.md", "Undefined control sequence",
                   "\\nosuchmacro"):
        assert needle in proc.output, f"{needle!r} missing from:\n{proc.output[-3000:]}"

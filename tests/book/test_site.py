"""Tests of the built book: every chapter executed and rendered with its numbers, offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT, chapter_sources

pytestmark = pytest.mark.site

CHAPTERS = chapter_sources()


def _page(html_dir: Path, src: Path) -> str:
    rel = src.relative_to(ROOT / "book").with_suffix(".html")
    path = html_dir / rel
    assert path.is_file(), f"{rel} was not built"
    return path.read_text()


def test_there_are_chapters():
    assert CHAPTERS, "no chapter found under book/<part>/"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_executed_with_passing_checks(html_dir, src):
    page = _page(html_dir, src)
    assert "cell_output" in page, "no executed output on the page"
    assert re.search(r"\bok\b", page), "no check printed 'ok'"
    for bad in ("Traceback (most recent call last)", "FAILED", "Executing notebook failed"):
        assert bad not in page, f"{bad!r} appears on the page"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_numbering_figures_and_exercises(html_dir, src):
    page = _page(html_dir, src)
    text = src.read_text()
    if "{prf:theorem}" in text:
        assert re.search(r"Theorem \d+\.\d+", page), "theorems are not numbered per chapter"
    if re.search(r"\$\$\s*\(eq-", text):
        assert re.search(r"\(\d+\.\d+\)", page), "equations are not numbered per chapter"
    if "figure:" in text:
        figs = re.findall(r"<figure[^>]*>.*?</figure>", page, re.S)
        assert figs, "no figure rendered"
        for fig in figs:
            assert re.search(r"Fig\. \d+\.\d+", fig), "figure without a chapter number"
            for img in re.findall(r"<img[^>]*>", fig):
                alt = re.search(r'alt="([^"]*)"', img)
                assert alt and len(alt.group(1)) > 10, f"figure image without alt text: {img}"
    n_ex = text.count(":::{exercise}")
    assert n_ex >= 3 or "appendix" in str(src), f"only {n_ex} exercises"
    assert re.search(r"Exercise \d+\.\d+", page), "exercises are not numbered"


def test_citations_resolve(html_dir):
    for src in CHAPTERS:
        page = _page(html_dir, src)
        assert "[?]" not in page and "??" not in page, f"unresolved reference in {src.stem}"
    bib = (html_dir / "appendix" / "bibliography.html").read_text()
    assert "Nesterov" in bib


def test_no_external_scripts_or_styles(html_dir):
    """The site loads no script, stylesheet or font from another host (MathJax is local)."""
    for page in html_dir.rglob("*.html"):
        text = page.read_text()
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", text):
            url = re.search(r'(?:src|href)="([^"]+)"', tag)
            if url and "rel=\"canonical\"" not in tag:
                assert not re.match(r"(https?:)?//", url.group(1)), f"{page.name}: {tag}"
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_api_reference_lists_every_module(html_dir):
    api = (html_dir / "appendix" / "api.html").read_text()
    for mod in sorted((ROOT / "src" / "dlf").glob("*.py")):
        if not mod.stem.startswith("_"):
            page = html_dir / "appendix" / "api" / f"{mod.stem}.html"
            assert page.is_file(), f"dlf.{mod.stem} has no API page"
            assert f'id="module-dlf.{mod.stem}"' in page.read_text(), f"dlf.{mod.stem} undocumented"
            assert f'href="api/{mod.stem}.html"' in api, f"dlf.{mod.stem} not in the API index"


def test_execution_report_lists_every_chapter(html_dir):
    report = (html_dir / "appendix" / "execution.html").read_text()
    for src in CHAPTERS:
        assert src.stem in report, f"{src.stem} missing from the execution report"


def test_site_is_light(html_dir):
    """The published folder stays small: MathJax only as far as it is used, no build leftovers."""
    # the PDFs (`make pdf`) are downloads no page loads: they have a budget of their own
    pdfs = [p for p in html_dir.rglob("*.pdf")]
    files = [p for p in html_dir.rglob("*") if p.is_file() and p.suffix != ".pdf"]
    size = sum(p.stat().st_size for p in files)
    for pdf in pdfs:
        budget = (0.6 * len(CHAPTERS) + 2) if pdf.parent == html_dir else 2.0  # MB
        size_mb = pdf.stat().st_size / 2**20
        assert size_mb <= budget, f"{pdf.relative_to(html_dir)}: {size_mb:.1f} MB > {budget:.1f}"
    assert not (html_dir / ".doctrees").exists(), "Sphinx's doctrees ended up in the site"
    # A budget per chapter, not one number for the whole book: the fixed part (MathJax, theme,
    # search, wheel) stays under 12 MB and a chapter brings its page, its figures, its downloads
    # (.md and the executed .ipynb, which repeats the figures) and its share of the API pages:
    # 1.0-1.8 MB, 1.35 MB on average at 27 chapters (40 MB was the limit at 19 chapters).
    limit = 12 + 1.6 * len(CHAPTERS)
    assert size <= limit * 2**20, (
        f"the site is {size / 2**20:.1f} MB (limit {limit:.1f} MB = 12 MB + 1.6 MB for each of "
        f"{len(CHAPTERS)} chapters)")
    mathjax = sum(p.stat().st_size for p in (html_dir / "_static" / "mathjax").rglob("*")
                  if p.is_file())
    assert mathjax <= 8 * 2**20, f"MathJax takes {mathjax / 2**20:.1f} MB (limit 8 MB)"


def test_search_index_folds_accents(html_dir):
    """A reader who types "Lojasiewicz" finds the pages that write "Łojasiewicz"."""
    import json

    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    terms = index["terms"]
    accented = [w for w in terms if "łojasiewicz" in w]
    assert accented, "no page mentions Łojasiewicz any more: pick another accented name"
    for word in accented:
        folded = word.replace("ł", "l")
        assert folded in terms, f"search index has {word!r} but not {folded!r}"
        docs = {terms[word]} if isinstance(terms[word], int) else set(terms[word])
        assert docs <= ({terms[folded]} if isinstance(terms[folded], int)
                        else set(terms[folded])), f"{folded!r} misses pages of {word!r}"


def test_build_pickles_stay_small(html_dir):
    """No node drags a whole doctree or the environment into the build's pickles.

    book/_ext/lean_pickles.py: before it, environment.pickle weighed 26 MB (each exercise and
    erratum title carried its chapter's doctree) and every API page's doctree 3.3 MB (a copy of
    the environment), and the parallel build spent minutes of CPU pickling them.
    """
    doctrees = html_dir.parent / "doctrees"
    env = doctrees / "environment.pickle"
    assert env.is_file(), f"no {env}: the site tests read the doctrees `make html` leaves there"
    assert env.stat().st_size <= 10 * 2**20, f"environment.pickle: {env.stat().st_size} bytes"
    api = {p.name: p.stat().st_size for p in (doctrees / "appendix" / "api").glob("*.doctree")}
    assert api, "no doctree of an API page"
    heavy = {k: v for k, v in api.items() if v > 2**20}
    assert not heavy, f"API doctrees over 1 MB (a node keeps another document?): {heavy}"

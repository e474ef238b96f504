"""Tests of the book's PDF (`make pdf`): every part, chapter, numbered result, figure, exercise and
solution of the site is in it with the site's number, and no reference is left unresolved."""

from __future__ import annotations

import functools
import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import HTML, ROOT, chapter_sources

pytestmark = pytest.mark.site

PDF_DIR = HTML.parent / "pdf"
BOOK = PDF_DIR / "deep-learning-foundations.pdf"
LATEX_LOG = HTML.parent / "latex" / "dlf.log"
CHAPTERS = chapter_sources()


@pytest.fixture(scope="module")
def book_pdf() -> Path:
    if not BOOK.is_file():
        pytest.fail(f"no {BOOK.relative_to(ROOT)}: run `make pdf` (make test does it) first")
    return BOOK


@functools.cache
def _raw_text(pdf: Path) -> str:
    """The PDF's text, line by line (poppler's pdftotext)."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def _text(pdf: Path) -> str:
    """The PDF's text with whitespace collapsed (hyphenation left as is)."""
    return re.sub(r"\s+", " ", _raw_text(pdf))


def _plain(title: str) -> str:
    """A heading's text as typeset: no Markdown markup or math delimiters."""
    return re.sub(r"\s+", " ", re.sub(r"[*`$]", "", title)).strip()


def _order() -> list[str]:
    """The chapters in the book's order (the root page's numbered toctrees), and the parts."""
    index = (ROOT / "book" / "index.md").read_text()
    parts = "|".join(p.parent.name for p in CHAPTERS)
    return re.findall(rf"^((?:{parts})/[\w-]+)$", index, re.M)


def _parts() -> list[str]:
    index = (ROOT / "book" / "index.md").read_text()
    return re.findall(r":caption: Part [IVX]+\. (.+)", index)


def _site_numbers(page: str) -> dict[str, list[str]]:
    """The numbers the site shows on a chapter page: results, equations, figures, exercises."""
    captions = [html.unescape(c).strip() for c in
                re.findall(r'<span class="caption-number">([^<]+)</span>', page)]
    return {
        "results": [c for c in captions if not c.startswith(("Fig.", "Exercise"))],
        "figures": [c.rstrip(" .") for c in captions if c.startswith("Fig.")],
        "exercises": [c for c in captions if c.startswith("Exercise")],
        "equations": re.findall(r'<span class="eqno">(\(\d+\.\d+\))', page),
    }


def test_every_part_and_chapter_in_the_books_order(book_pdf):
    text = _text(book_pdf)
    assert re.search(r"\bContents\b", text[:5000]), "no table of contents titled 'Contents'"
    order = _order()
    assert sorted(order) == sorted(p.relative_to(ROOT / "book").with_suffix("").as_posix()
                                   for p in CHAPTERS), "index.md and book/<part>/ disagree"
    pos = 0
    for roman, part in zip(("I", "II", "III", "IV", "V", "VI", "VII", "VIII"), _parts(),
                           strict=True):
        found = text.upper().find(f"PART {roman} {part}".upper(), pos)
        assert found >= 0, f"part page 'Part {roman} {part}' missing or out of order"
        pos = found
    pos = 0
    for number, doc in enumerate(order, start=1):
        title = _plain(re.search(r"^# (.+)$", (ROOT / "book" / f"{doc}.md").read_text(),
                                 re.M).group(1))
        found = text.upper().find(f"CHAPTER {number} {title}".upper(), pos)
        assert found >= 0, f"'Chapter {number} {title}' ({doc}) missing or out of order"
        pos = found


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_pdf_has_every_number_of_the_site(html_dir, book_pdf, src):
    doc = src.relative_to(ROOT / "book").with_suffix("")
    pdf = PDF_DIR / f"{doc}.pdf"
    assert pdf.is_file(), f"no chapter PDF {pdf.relative_to(ROOT)}"
    text = _text(pdf)
    numbers = _site_numbers((html_dir / f"{doc}.html").read_text())
    assert numbers["results"] and numbers["equations"] and numbers["exercises"], \
        "the site page shows no numbered results, equations or exercises"
    missing = [n for kind in ("results", "figures", "exercises") for n in numbers[kind]
               if n not in text]
    missing += [n for n in numbers["equations"] if n not in text]
    assert not missing, f"numbered on the site, not in the chapter's PDF: {missing}"
    # every solution is printed, expanded (on the site it is behind a toggle)
    page = (html_dir / f"{doc}.html").read_text()
    on_site = len(re.findall(r'class="admonition-title">Solution\b', page))
    in_pdf = len(re.findall(r"^\f?Solution$", _raw_text(pdf), re.M))
    assert on_site > 0 and in_pdf == on_site, \
        f"{in_pdf} solutions in the PDF, {on_site} on the site"
    chapter = numbers["exercises"][0].split()[1].split(".")[0]
    assert re.match(rf"\s*CHAPTER {chapter}\b", text, re.I), "the PDF does not open on its chapter"


def _figures(pdf: Path) -> int:
    """Figures drawn on the PDF's pages: the form XObjects the pages use (each figure is an
    included PDF, placed as a form); qpdf lists the objects as JSON."""
    out = subprocess.run(["qpdf", "--json", "--json-key=qpdf", str(pdf)], check=True,
                         capture_output=True, text=True).stdout
    objects = json.loads(out)["qpdf"][1]

    def deref(value):
        if isinstance(value, str) and value.endswith(" R"):
            obj = objects[f"obj:{value}"]
            return obj.get("value", obj.get("stream", {}).get("dict"))
        return value

    count = 0
    for obj in objects.values():
        page = obj.get("value")
        if not isinstance(page, dict) or page.get("/Type") != "/Page":
            continue
        xobjects = deref(deref(page.get("/Resources", {})).get("/XObject", {}))
        count += sum(deref(ref).get("/Subtype") == "/Form" for ref in xobjects.values())
    return count


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_pdf_has_every_figure(html_dir, book_pdf, src):
    """As many figures drawn in the chapter's PDF as on its page (vector, not rasterized)."""
    doc = src.relative_to(ROOT / "book").with_suffix("")
    page = (html_dir / f"{doc}.html").read_text()
    on_site = len(re.findall(r'<img[^>]*src="[^"]*_images/[^"]+\.svg"', page))
    in_pdf = _figures(PDF_DIR / f"{doc}.pdf")
    assert on_site > 0
    assert in_pdf == on_site, f"{in_pdf} figures in the chapter's PDF, {on_site} on its page"


def test_no_unresolved_reference_or_missing_glyph(book_pdf):
    text = _text(book_pdf)
    assert "??" not in text, "an unresolved reference ('??') in the PDF: " + \
        text[max(0, text.find("??") - 120): text.find("??") + 40]
    log = LATEX_LOG.read_text(errors="replace")
    undefined = re.findall(r"(?:Hyper r|R)eference `[^']+' on page \d+ undefined", log)
    assert not undefined, f"LaTeX left references undefined: {undefined[:5]}"
    missing = sorted(set(re.findall(r"Missing character: There is no (\S+)", log)))
    assert not missing, f"characters the fonts lack (dropped from the PDF): {missing}"


def test_appendices_bibliography_and_notation(html_dir, book_pdf):
    text = _text(book_pdf)
    titles = ("Notation", "How the checks are made", "Errata in the sources", "Bibliography")
    for letter, title in zip("ABCD", titles, strict=True):
        assert re.search(rf"APPENDIX {letter} {title}", text, re.I), \
            f"Appendix {letter} ({title}) missing"
    site = (html_dir / "appendix" / "bibliography.html").read_text()
    on_site = site.count('role="doc-biblioentry"')
    raw = _raw_text(book_pdf)
    start = re.search(r"\bAPPENDIX\s+D\s+Bibliography\b", raw, re.I)
    labels = [int(n) for n in re.findall(r"^\f?\[(\d+)\]", raw[start.end():], re.M)]
    assert on_site > 100 and labels == list(range(1, on_site + 1)), \
        f"the PDF's bibliography has {len(labels)} entries, the site's {on_site}"


def test_site_offers_the_pdfs(html_dir, book_pdf):
    """Each chapter's download menu links its PDF, which the site ships; the landing page the
    book's."""
    assert (html_dir / BOOK.name).is_file()
    index = (html_dir / "index.html").read_text()
    assert f'href="{BOOK.name}"' in index, "the landing page does not offer the book's PDF"
    for src in CHAPTERS:
        doc = src.relative_to(ROOT / "book").with_suffix("").as_posix()
        page = (html_dir / f"{doc}.html").read_text()
        assert f'href="../pdf/{doc}.pdf"' in page, f"{doc}: no PDF in the download menu"
        assert (html_dir / "pdf" / f"{doc}.pdf").is_file(), f"{doc}: its PDF is not in the site"
        assert "window.print()" not in page, f"{doc}: the menu still prints the page"

"""The claims ledger: every result shows its checks, and the build refuses an unchecked one.

Tiny books: a result followed by a check builds and shows "Checked"; a result marked
``{cited}`reason``` builds and says why it is not checked; a result with neither fails the build,
naming the chapter and the label. Site tests: the Claims page lists every result of the book.
"""

from __future__ import annotations

import re

import pytest

from .conftest import GOOD_CHAPTER, chapter_sources

RESULT = "\n:::{{prf:theorem}} {title}\n:label: {label}\n{body}\n:::\n"
CHECK = "\n```{code-cell} ipython3\nchecks.check_le('rate', 0.5, 1.0)\n```\n"


@pytest.mark.book
def test_checked_and_cited_results_build_and_show_their_status(tiny_book):
    tiny_book.write_chapter(
        GOOD_CHAPTER
        + RESULT.format(title="Checked", label="thm-checked", body="Half is below one.") + CHECK
        + RESULT.format(title="Cited", label="thm-cited",
                        body="Deep. {cited}`the proof needs measure theory`"))
    proc = tiny_book.build()
    assert proc.returncode == 0, proc.output[-3000:]
    page = (tiny_book.root / "_build" / "html" / "optimization" / "tiny.html").read_text()
    assert "Checked: 1 assertion; tightest inequality at 0.5 of its bound" in page
    assert "rate: 0.5 &lt;= bound 1 (measured/bound 0.5)  ok" in page
    assert 'href="#checks-thm-checked"' in page and 'id="checks-thm-checked"' in page
    assert "Cited, not checked: the proof needs measure theory" in page


@pytest.mark.book
def test_unchecked_result_fails_naming_chapter_and_label(tiny_book):
    # a definition after it ends its turn: the checks after the definition are not its own
    tiny_book.write_chapter(GOOD_CHAPTER + RESULT.format(
        title="Unchecked", label="thm-lonely", body="Trust me.")
        + ":::{prf:definition} Something\n:label: def-something\nA word.\n:::\n" + CHECK)
    proc = tiny_book.build()
    assert proc.returncode != 0
    assert "BOOK BUILD FAILED" in proc.output
    assert "tiny" in proc.output and "thm-lonely" in proc.output
    assert "has no check after it" in proc.output


@pytest.mark.book
def test_a_result_followed_by_another_shares_its_checks(tiny_book):
    tiny_book.write_chapter(
        GOOD_CHAPTER + RESULT.format(title="Lemma-like", label="thm-first", body="A step.")
        + RESULT.format(title="Main", label="thm-main", body="The point.") + CHECK)
    proc = tiny_book.build()
    assert proc.returncode == 0, proc.output[-3000:]
    page = (tiny_book.root / "_build" / "html" / "optimization" / "tiny.html").read_text()
    assert page.count("Checked: 1 assertion") == 2
    assert "(shared with the result that follows it)" in page


@pytest.mark.site
def test_claims_page_lists_every_result(html_dir):
    labels = []
    for src in chapter_sources():
        labels += re.findall(r":::\{prf:(?:theorem|proposition|lemma|corollary)\}[^\n]*\n"
                             r"(?::[\w-]+:[^\n]*\n)*?:label: ([\w-]+)", src.read_text())
    page = (html_dir / "appendix" / "claims.html").read_text()
    listed = set(re.findall(r'href="[^"#]*#([\w-]+)"', page))
    assert labels and not set(labels) - listed, f"missing from Claims: {set(labels) - listed}"
    assert "UNCHECKED" not in page
    m = re.search(r"(\d+) results: (\d+) checked", page)
    assert m and int(m.group(1)) == len(labels), (m and m.group(0), len(labels))


@pytest.mark.site
@pytest.mark.parametrize("src", chapter_sources(), ids=lambda p: p.stem)
def test_ledger_lines_count_their_checks(html_dir, src):
    page = (html_dir / src.parent.name / (src.stem + ".html")).read_text()
    for n, body in re.findall(r"<summary>Checked: (\d+) assertions?[^<]*</summary><pre>(.*?)</pre>",
                              page, re.S):
        lines = body.strip("\n").split("\n")
        assert int(n) == len(lines) and all(ln.endswith("  ok") for ln in lines)


@pytest.mark.site
def test_errata_page_lists_every_misstatement_box(html_dir):
    boxes = 0
    for src in chapter_sources():
        boxes += len(re.findall(r"^(?::{3,}|`{3,})\{admonition\}[^\n]*\b(?:[Mm]isstatements?|"
                                r"[Ss]lips?)\b", src.read_text(), re.M))
    page = (html_dir / "appendix" / "errata.html").read_text()
    m = re.search(r"(\d+) errata in \d+ chapters", page)
    assert m and int(m.group(1)) == boxes, (m and m.group(0), boxes)
    assert page.count('#erratum-') >= boxes


@pytest.mark.book
def test_errata_table_links_box_and_check(tiny_book):
    (tiny_book.root / "book" / "appendix").mkdir()
    (tiny_book.root / "book" / "appendix" / "errata.md").write_text(
        "# Errata\n\nSome math $x$.\n\n```{eval-rst}\n.. dlf-errata::\n```\n")
    index = tiny_book.root / "book" / "index.md"
    index.write_text(index.read_text().replace("optimization/tiny\n",
                                               "optimization/tiny\nappendix/errata\n"))
    tiny_book.write_chapter(GOOD_CHAPTER + "\n:::{admonition} A frequent misstatement: $2x$\n"
                            ":class: warning\nIt is $x$.\n:::\n" + CHECK)
    proc = tiny_book.build()
    assert proc.returncode == 0, proc.output[-3000:]
    page = (tiny_book.root / "_build" / "html" / "appendix" / "errata.html").read_text()
    assert "1 errata in 1 chapters" in page
    assert 'href="../optimization/tiny.html#erratum-1"' in page
    assert re.search(r'href="\.\./optimization/tiny\.html#[\w-]+">the check</a>', page)
    chapter = (tiny_book.root / "_build" / "html" / "optimization" / "tiny.html").read_text()
    assert 'id="erratum-1"' in chapter

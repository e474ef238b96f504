"""The API reference reads as documentation: one page per module, labels as numbered links.

The site tests read the built ``_build/html``; the last test builds a tiny book (the project's
conf.py, extensions and Makefile) whose one module names an equation that exists and one that
does not, and checks that the build fails naming the module and the label.
"""

from __future__ import annotations

import functools
import html
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import GOOD_CHAPTER, ROOT, chapter_sources

MODULES = sorted(p.stem for p in (ROOT / "src" / "dlf").glob("*.py") if not p.stem.startswith("_"))
PREFIXES = "eq|thm|prop|def|lem|cor|ex|alg|rem|conj|fig|tab|sec|asm"
#: what a docstring's label looks like when it reaches the page unconverted
RAW = [
    re.compile(rf"\(\s*(?:{PREFIXES})-[\w-]+"),  # "(eq-sto-adam)", "(eq-a, eq-b)"
    re.compile(rf"(?<![\w/#.-])(?:{PREFIXES})-[a-z0-9]+-[\w-]*"),  # "thm-tk-bernstein"
    re.compile(rf"``(?:(?:{PREFIXES})-|[a-z]+(?:-[a-z]+)+``|[a-z]+/[\w-]+``)"),  # ``opt-gd``
    re.compile(r"prf:ref|dlf-ref|:eq:|\{eq\}"),  # roles left as text
    re.compile(r"\bbook/[\w-]+/[\w-]+\.md\b"),  # a source path instead of a chapter link
]


class _Page(HTMLParser):
    """Visible text (scripts and styles left out), ids, links with their text, code spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self.code: list[str] = []
        self._skip = 0
        self._href: str | None = None
        self._link_text: list[str] = []
        self._code: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a" and a.get("href") is not None:
            self._href, self._link_text = a["href"], []
        elif tag == "code":
            self._code = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        elif tag == "code" and self._code is not None:
            self.code.append("".join(self._code))
            self._code = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._href is not None:
            self._link_text.append(data)
        if self._code is not None:
            self._code.append(data)


@functools.cache  # a page is read once per session, however many links reach it
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text())
    return page


def _api_pages(html_dir: Path) -> list[Path]:
    return [html_dir / "appendix" / "api.html",
            *sorted((html_dir / "appendix" / "api").glob("*.html"))]


def _target(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    path = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    return path, unquote(parts.fragment)


@pytest.mark.site
def test_every_module_has_its_page_and_a_row_in_the_index(html_dir):
    index = (html_dir / "appendix" / "api.html").read_text()
    pages = {p.stem for p in (html_dir / "appendix" / "api").glob("*.html")}
    assert set(MODULES) <= pages, f"modules without a page: {sorted(set(MODULES) - pages)}"
    table = re.search(r"<table.*?</table>", index, re.S)
    assert table, "the API index has no table of the modules"
    for mod in MODULES:
        page = (html_dir / "appendix" / "api" / f"{mod}.html").read_text()
        assert f'id="module-dlf.{mod}"' in page, f"dlf.{mod} is not documented on its page"
        assert f'href="api/{mod}.html"' in table.group(0), f"dlf.{mod} has no row in the index"
    assert re.search(r"Chapter \d+: ", table.group(0)), "no row names its chapter"


@pytest.mark.site
@pytest.mark.parametrize("mod", MODULES)
def test_no_raw_label_on_the_api_pages(html_dir, mod):
    page = html_dir / "appendix" / "api" / f"{mod}.html"
    if not page.is_file():
        pytest.fail(f"dlf.{mod} has no API page")
    parsed = _parse(page)
    text = html.unescape("".join(parsed.text))
    found = [m.group(0) for rx in RAW for m in rx.finditer(text)]
    chapters = {p.stem for p in chapter_sources()} | {
        p.relative_to(ROOT / "book").with_suffix("").as_posix() for p in chapter_sources()}
    found += [c for c in parsed.code if c in chapters and ("-" in c or "/" in c)]
    assert not found, f"raw labels on the page of dlf.{mod}: {found[:10]}"


@pytest.mark.site
def test_no_raw_label_on_the_api_index(html_dir):
    text = html.unescape("".join(_parse(html_dir / "appendix" / "api.html").text))
    found = [m.group(0) for rx in RAW for m in rx.finditer(text)]
    assert not found, f"raw labels on the API index: {found[:10]}"


@pytest.mark.site
def test_api_label_links_carry_numbers_and_resolve(html_dir):
    """Every "(9.12)", "Theorem 6.3", "Chapter 9: ..." link of an API page leads to its target."""
    n = {"equation": 0, "result": 0, "chapter": 0}
    bad: list[str] = []
    for page in _api_pages(html_dir):
        for href, text in _parse(page).links:
            kind = ("equation" if re.fullmatch(r"\(\d+\.\d+\)", text) else
                    "result" if re.fullmatch(r"[A-Z][a-z]+ \d+\.\d+", text) else
                    "chapter" if re.match(r"Chapter \d+: \S", text) else None)
            if kind is None or urlsplit(href).scheme:
                continue
            n[kind] += 1
            path, anchor = _target(page, href)
            if not path.is_file():
                bad.append(f"{page.name}: {text} -> {href} (no such page)")
            elif anchor and anchor not in _parse(path).ids:
                bad.append(f"{page.name}: {text} -> {href} (no such anchor)")
            elif kind == "equation" and not anchor.startswith("equation-"):
                bad.append(f"{page.name}: {text} -> {href} (not an equation)")
    assert not bad, "\n".join(bad[:30])
    assert n["equation"] >= 100 and n["chapter"] >= 25 and n["result"] >= 3, n


@pytest.mark.site
def test_chapter_code_links_reach_their_api_entries(html_dir):
    """The code cells' links (sphinx-codeautolink) land on an entry of a module's page."""
    n, bad = 0, []
    for src in chapter_sources():
        page = html_dir / src.relative_to(ROOT / "book").with_suffix(".html")
        text = page.read_text()
        for href in re.findall(r'class="sphinx-codeautolink-a" href="([^"]+)"', text):
            href = html.unescape(href)
            path, anchor = _target(page, href)
            if "appendix/api" not in path.as_posix():
                continue
            n += 1
            if path.parent.name != "api" or not path.is_file() or anchor not in _parse(path).ids:
                bad.append(f"{page.name}: {href}")
    assert n > 100, f"only {n} code links into the API reference"
    assert not bad, f"{len(bad)} code links miss their API entry:\n" + "\n".join(
        sorted(set(bad))[:30])


@pytest.mark.site
def test_old_api_anchors_are_forwarded(html_dir):
    """A bookmark to the one-page reference (api.html#dlf.optim.adam) reaches the module page."""
    index = (html_dir / "appendix" / "api.html").read_text()
    script = re.search(r"<script>\(function \(\) \{var m = .*?</script>", index, re.S)
    assert script and "location.replace" in script.group(0) and '"optim"' in script.group(0)


@pytest.mark.site
def test_api_pages_stay_light(html_dir):
    sizes = {p.name: p.stat().st_size for p in _api_pages(html_dir)}
    total = sum(sizes.values())
    assert total <= 4 * 2**20, f"the API pages take {total / 2**20:.1f} MB (limit 4 MB)"
    big = {k: v for k, v in sizes.items() if v > 600 * 2**10}
    assert not big, f"API pages over 600 KB: {big}"


TINY_MODULE = '''\
"""A module of the tiny book.

Derived in: ``optimization/tiny``.
"""


def hypotenuse(a, b):
    """The hypotenuse (eq-tiny) of chapter ``tiny`` (A tiny chapter); not (eq-tpyo).

    Parameters
    ----------
    a, b : float
        The legs.
    """
    return (a * a + b * b) ** 0.5
'''


@pytest.mark.book
def test_api_pages_link_labels_and_fail_on_an_unknown_one(tiny_book):
    for mod in (tiny_book.root / "src" / "dlf").glob("*.py"):
        if mod.stem not in ("__init__", "checks"):  # the chapter uses dlf.checks only
            mod.unlink()
    (tiny_book.root / "src" / "dlf" / "tiny.py").write_text(TINY_MODULE)
    (tiny_book.root / "book" / "appendix").mkdir()
    (tiny_book.root / "book" / "appendix" / "api.md").write_text(
        "# API\n\n```{eval-rst}\n.. dlf-api::\n```\n")
    index = tiny_book.root / "book" / "index.md"
    index.write_text(index.read_text() + textwrap.dedent("""
        ```{toctree}
        appendix/api
        ```
        """))
    tiny_book.write_chapter(GOOD_CHAPTER.replace("# A tiny chapter", "(tiny)=\n# A tiny chapter"))
    proc = tiny_book.build()
    assert proc.returncode != 0, f"the unknown label did not fail the build:\n{proc.output[-3000:]}"
    warning = [line for line in proc.output.splitlines() if "eq-tpyo" in line]
    assert warning and "dlf.tiny.hypotenuse" in warning[0], proc.output[-3000:]
    assert not any("eq-tiny'" in line for line in proc.output.splitlines()), proc.output[-3000:]
    page = (tiny_book.root / "_build" / "html" / "appendix" / "api" / "tiny.html").read_text()
    assert 'href="../../optimization/tiny.html#equation-eq-tiny"' in page
    assert ">(1.1)<" in page and "Chapter 1: A tiny chapter" in page
    assert "(eq-tiny)" not in page and "A tiny chapter)" not in page
    index = (tiny_book.root / "_build" / "html" / "appendix" / "api.html").read_text()
    assert 'href="api/tiny.html"' in index

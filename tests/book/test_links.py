"""Every internal link of the built site leads somewhere, and the API knows where it is used.

Offline: links to other hosts are not followed (CI has no network); every other ``href`` and
``src`` must name a file of the site, and its ``#anchor``, if any, an element id of that file.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import ROOT, chapter_sources

pytestmark = pytest.mark.site


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and a.get("rel") == "canonical"):
                self.links.append(a[key])


@cache
def _parse(path: Path) -> _Collect:
    c = _Collect()
    c.feed(path.read_text(errors="replace"))
    return c


def test_no_broken_internal_link_or_anchor(html_dir):
    # pages of the site; _static holds the themes' Jinja macro files, which are not pages
    pages = sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) > 10
    broken: list[str] = []
    n_checked = 0
    for page in pages:
        for link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue  # another host (not checked offline), or not a link to a file
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(html_dir)}: {link}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
                continue
            n_checked += 1
            anchor = unquote(parts.fragment)
            if anchor and target.suffix == ".html" and anchor not in _parse(target).ids:
                broken.append(f"{where} (no anchor #{anchor})")
    assert n_checked > 1000, f"only {n_checked} internal links found"
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])


def test_api_entries_list_the_chapters_that_use_them(html_dir):
    api = (html_dir / "appendix" / "api" / "optim.html").read_text()
    # the entry of dlf.optim.gradient_descent, up to the next documented object
    start = api.index('id="dlf.optim.gradient_descent"')
    entry = api[start:api.index('<dt class="sig', start + 1)]
    assert "<details><summary>Used in</summary>" in entry, "gradient_descent has no 'used in' list"
    assert 'href="../../optimization/opt-gd.html#' in entry, "opt-gd is missing from its list"


@pytest.mark.parametrize("src", chapter_sources(), ids=lambda p: p.stem)
def test_chapter_code_links_to_the_api(html_dir, src):
    page = (html_dir / src.relative_to(ROOT / "book").with_suffix(".html")).read_text()
    if "from dlf import" not in src.read_text():
        pytest.fail(f"{src.stem} does not use the dlf package")
    links = re.findall(r'class="sphinx-codeautolink-a" href="\.\./appendix/api/\w+\.html#([^"]+)"',
                       page)
    assert any(x.startswith("dlf.") and x.count(".") >= 2 for x in links), (
        "no call in a code cell links to its API entry")

"""The built site in a real browser: headless Chromium, offline, driven by Playwright.

Every page is loaded from a local HTTP server with every request to another host blocked, so a
page that needs the network fails here. Chromium is Debian's (``apt-get install chromium``;
``.ci/run`` installs it); Playwright only drives it and downloads nothing. Screenshots of the
landing page, a chapter (light and dark) and the API page are written to
``_build/screenshots/`` for a human to look at.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import ROOT, chapter_sources

pytestmark = pytest.mark.site

CHROMIUM = Path(os.environ.get("DLF_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = [p.relative_to(ROOT / "book").with_suffix(".html").as_posix()
            for p in chapter_sources()]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def site(html_dir: Path) -> Iterator[str]:
    """Base URL of the built site served on a free local port."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
                    "(apt-get install chromium chromium-driver) or set DLF_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@dataclass
class PageLog:
    """What went wrong while a page loaded."""

    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"request to another host: {u}" for u in self.external]
                + [f"failed request: {u}" for u in self.failed]
                + [f"console error: {e}" for e in self.errors])


def _open(browser, site: str, path: str, math: bool = True, **context_options):
    """Open ``path`` offline; return the page and the log of what went wrong.

    ``math=False`` keeps MathJax from loading (for tests of the page's controls, which need no
    typeset formulas: typesetting a chapter costs seconds of CPU).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    log = PageLog()
    host = urlparse(site).netloc
    blocked: set[str] = set()

    def route(r):
        url = r.request.url
        if not math and "/_static/mathjax/" in url:
            blocked.add(url)
            r.abort()
        elif urlparse(url).netloc == host or url.startswith("data:"):
            r.continue_()
        else:
            log.external.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: log.failed.append(f"{r.url} ({r.failure})")
            if r.url not in log.external and r.url not in blocked else None)
    page.on("response", lambda r: log.failed.append(f"{r.url} (HTTP {r.status})")
            if r.status >= 400 else None)
    page.on("console", lambda m: log.errors.append(m.text) if m.type == "error"
            and m.location.get("url") not in blocked else None)
    page.on("pageerror", lambda e: log.errors.append(str(e)))
    page.goto(f"{site}/{path}", wait_until="load")
    return page, log


def _typeset(page) -> None:
    """Wait until MathJax has typeset the page (Sphinx loads it only on pages with math)."""
    if page.locator(".math").count() == 0:
        return
    page.wait_for_function("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                           timeout=20_000)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


# Text a reader sees outside code: no TeX delimiters left over. Code cells may mention them.
_RAW_TEX = """() => {
  const body = document.querySelector('main') || document.body;
  const clone = body.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
  const text = clone.innerText;
  return ['$$', '\\\\(', '\\\\)', '\\\\[', '\\\\]', '\\\\begin{'].filter(d => text.includes(d));
}"""

_MATH = """() => {
  const math = [...document.querySelectorAll('.math')];
  return {
    total: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent
      .slice(0, 80)),
    errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
    // MathJax shows an undefined macro as its name in red (noundefined) instead of failing
    undefined: [...document.querySelectorAll('mjx-assistive-mml mtext[mathcolor="red"]')]
      .map(e => e.textContent),
  };
}"""

# Inline formulas that fit their box but scroll anyway: [scrollWidth, clientWidth, formula width].
_SPURIOUS_SCROLL = """() => [...document.querySelectorAll('span.math')]
  .filter(s => ['auto', 'scroll'].includes(getComputedStyle(s).overflowX)).map(s => {
  const m = s.querySelector('mjx-math');
  return [s.scrollWidth, s.clientWidth, m ? Math.ceil(m.getBoundingClientRect().width) : 0];
}).filter(([scroll, client, width]) => scroll > client + 1 && width <= client + 1)"""

# Every file the page requested (the page itself first), as paths below the site's root.
_REQUESTED = """() => [performance.getEntriesByType('navigation')[0].name,
  ...performance.getEntriesByType('resource').map(e => e.name)]"""

#: what a chapter page may weigh: compressed as any static host serves it (gzip; issue 16's
#: "2 MB transferred"), and raw, as a plain file server sends it (a guard against a heavy asset
#: coming back: the heaviest chapter, mlp, weighed 3.5 MB raw before figures were minified)
PAGE_GZIP_LIMIT, PAGE_RAW_LIMIT = 2 * 2**20, 4 * 2**20


def _weight(html_dir: Path, urls: list[str]) -> tuple[int, int]:
    """Raw and gzip-compressed bytes of the site's files behind ``urls``."""
    raw = packed = 0
    for url in dict.fromkeys(urls):
        path = html_dir / urlparse(url).path.lstrip("/")
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, compresslevel=6, mtime=0))
    return raw, packed


_IMAGES = """() => [...document.images].map(i => ({src: i.getAttribute('src'),
  ok: i.complete && i.naturalWidth > 0}))"""


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_renders_offline(browser, site, html_dir, path):
    page, log = _open(browser, site, path)
    try:
        _typeset(page)
        # the theme's icons (a subset of Font Awesome, book/_ext/light_static.py) all render
        icons = page.evaluate("() => [document.querySelectorAll('i[class*=\"fa-\"]').length,"
                              " document.querySelectorAll('svg.svg-inline--fa').length]")
        assert icons[0] == 0 and icons[1] >= 10, f"icons left unrendered/rendered: {icons}"
        # an inline formula scrolls only if it is wider than its box (no scrollbar on formulas
        # that fit: MathJax's hidden assistive copy must not widen them, book/_static/dlf.css)
        if page.locator("span.math").count():
            try:
                page.wait_for_function(
                    "() => document.documentElement.hasAttribute('data-dlf-math-fitted')",
                    timeout=20_000)
            except Exception:  # playwright's TimeoutError (imported lazily above)
                pytest.fail("dlf.js did not fit the inline formulas (fitMath in "
                            "book/_static/dlf.js never ran after MathJax)")
        spurious = page.evaluate(_SPURIOUS_SCROLL)
        assert not spurious, f"{len(spurious)} inline formulas that fit scroll: {spurious[:3]}"
        raw, packed = _weight(html_dir, page.evaluate(_REQUESTED))
        assert packed <= PAGE_GZIP_LIMIT and raw <= PAGE_RAW_LIMIT, (
            f"the page weighs {packed / 2**20:.2f} MB compressed (limit "
            f"{PAGE_GZIP_LIMIT / 2**20:.1f}), {raw / 2**20:.2f} MB raw (limit "
            f"{PAGE_RAW_LIMIT / 2**20:.1f})")
        math = page.evaluate(_MATH)
        raw = page.evaluate(_RAW_TEX)
        images = page.evaluate(_IMAGES)
        assert not log.problems(), "\n".join(log.problems())
        assert math["total"] > 10, f"only {math['total']} formulas found on the page"
        assert not math["untypeset"], f"formulas not typeset: {math['untypeset'][:5]}"
        assert not math["errors"], f"MathJax errors: {math['errors'][:5]}"
        assert not math["undefined"], f"undefined TeX macros: {sorted(set(math['undefined']))}"
        assert not raw, f"raw TeX delimiters visible in the text: {raw}"
        assert images, "no image on the page"
        broken = [i["src"] for i in images if not i["ok"]]
        assert not broken, f"images that did not load: {broken}"
        # accessibility, on the typeset page (axe is most of this test's time: one load serves)
        found = _axe(page)
        assert not found, f"serious accessibility violations: {found}"
        # the same page on a phone's width (CSS media queries apply; dlf.js refits the formulas
        # on resize): nothing clipped, nothing running off the right edge
        page.set_viewport_size(PHONE["viewport"])
        page.wait_for_timeout(400)
        _assert_nothing_clipped(page.evaluate(_NARROW))
    finally:
        page.context.close()


def test_search_finds_gradient_descent(browser, site):
    page, log = _open(browser, site, "search.html?q=gradient", math=False)
    try:
        page.wait_for_selector("#search-results li a[href*='optimization/opt-gd']",
                               timeout=20_000)
        hits = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
        assert any("optimization/opt-gd.html" in h for h in hits), hits
        assert not log.problems(), "\n".join(log.problems())
    finally:
        page.context.close()


def test_search_folds_accents(browser, site):
    page, log = _open(browser, site, "search.html?q=Lojasiewicz", math=False)
    try:
        page.wait_for_selector("#search-results li a[href*='optimization/landscapes']",
                               timeout=20_000)
        assert not log.problems(), "\n".join(log.problems())
    finally:
        page.context.close()


def test_copy_button_copies_code_without_prompts_or_output(browser, site, html_dir):
    path = "optimization/opt-gd.html"
    page, _ = _open(browser, site, path, math=False)
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
        cell = page.locator("div.cell_input").first
        cell.hover()
        cell.locator("button.copybtn").click()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        # the oracle: the first code cell of the chapter's notebook, written from the source
        nb = json.loads((html_dir / "_sources" / "optimization" / "opt-gd.ipynb").read_text())
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        source = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
        assert copied.strip() == source.strip()
        # outputs have no copy button: what a cell printed is not code
        n_out = page.locator("div.cell_output button.copybtn").count()
        assert n_out == 0, f"{n_out} copy buttons on cell outputs"
        assert page.locator("div.cell_input button.copybtn").count() >= 5
    finally:
        page.context.close()


def test_code_names_link_to_the_api(browser, site):
    page, _ = _open(browser, site, "optimization/opt-gd.html", math=False)
    try:
        link = page.locator("div.cell_input a.sphinx-codeautolink-a[href*='dlf.optim.gradient']")
        assert link.count() >= 1, "no call of dlf.optim.gradient_descent links to the API"
        link.first.click()
        page.wait_for_url("**/appendix/api/optim.html#dlf.optim.gradient_descent")
        assert page.locator("[id='dlf.optim.gradient_descent']").is_visible()
    finally:
        page.context.close()


@pytest.mark.parametrize(("name", "path", "scheme", "show"), [
    ("landing", "index.html", "light", None),
    ("chapter-light", "optimization/opt-gd.html", "light", None),
    ("chapter-dark", "optimization/opt-gd.html", "dark", None),
    ("figure-dark", "optimization/opt-gd.html", "dark", "figure"),
    ("api", "appendix/api.html", "light", None),
    ("api-used-in", "appendix/api/optim.html#dlf.optim.gradient_descent", "light", "details"),
])
def test_screenshots(browser, site, name, path, scheme, show):
    page, log = _open(browser, site, path, color_scheme=scheme)
    try:
        _typeset(page)
        if show == "details":  # open the "used in" list of the entry in view
            entry = page.locator("[id='dlf.optim.gradient_descent'] ~ dd details").first
            entry.evaluate("d => { d.open = true; }")
            entry.scroll_into_view_if_needed()
        elif show:
            page.locator(show).first.scroll_into_view_if_needed()
        theme = page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == scheme, f"page shows the {theme} theme, expected {scheme}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
        assert not log.problems(), "\n".join(log.problems())
    finally:
        page.context.close()


# --- phones ------------------------------------------------------------------------------------

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}

_NARROW = """() => {
  let clipped = 0;
  for (const s of document.querySelectorAll('span.math')) {
    const m = s.querySelector('mjx-math');
    if (!m || getComputedStyle(s).overflowX !== 'hidden') continue;
    const a = s.getBoundingClientRect(), b = m.getBoundingClientRect();
    if (b.right > a.right + 1 || b.left < a.left - 1) clipped++;
  }
  const wide = [...document.querySelectorAll('mjx-container[display="true"]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1);
  const hidden = wide.filter(e => !['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
    || getComputedStyle(e).backgroundImage === 'none').length;
  const pre = [...document.querySelectorAll('div.output.stream pre')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).length;
  return {clipped, wide: wide.length, hidden, pre,
          page: document.documentElement.scrollWidth > window.innerWidth + 1};
}"""


def _open_at(browser, site: str, path: str, width: int):
    page, log = _open(browser, site, path, math=False)
    page.set_viewport_size({"width": width, "height": 844})
    return page, log


@pytest.mark.parametrize("width", [390, 800])
@pytest.mark.parametrize("toggle, drawer", [(".primary-toggle", "#pst-primary-sidebar-modal"),
                                            (".secondary-toggle",
                                             "#pst-secondary-sidebar-modal")])
def test_navigation_buttons_open_their_drawer_on_narrow_screens(browser, site, width, toggle,
                                                               drawer):
    page, log = _open_at(browser, site, "optimization/opt-gd.html", width)
    try:
        visible = [b for b in page.query_selector_all(toggle) if b.is_visible()]
        assert visible, f"no visible {toggle} button at {width} px"
        visible[0].click()
        page.wait_for_selector(f"{drawer}[open]", timeout=5_000)
        links = page.locator(f"{drawer} a").count()
        assert links > 5, f"the drawer opened by {toggle} shows {links} links"
        if width == 390:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"phone-{toggle.strip('.')}.png"))
        assert not log.problems(), log.problems()
    finally:
        page.context.close()


def test_menu_button_collapses_the_sidebar_on_a_desktop(browser, site):
    page, log = _open(browser, site, "optimization/opt-gd.html", math=False)
    try:
        [b for b in page.query_selector_all(".primary-toggle") if b.is_visible()][0].click()
        page.wait_for_timeout(300)
        assert "pst-sidebar-hidden" in page.get_attribute("#pst-primary-sidebar", "class")
    finally:
        page.context.close()


def _assert_nothing_clipped(found: dict) -> None:
    assert found["clipped"] == 0, f"{found['clipped']} inline formulas are cut off"
    assert found["hidden"] == 0, f"{found['hidden']} wide equations scroll invisibly"
    assert found["pre"] == 0, f"{found['pre']} check outputs run off the right edge"
    assert not found["page"], "the page itself scrolls sideways"


#: chapters read on an emulated phone (touch, 2x pixels, the page's viewport meta tag): the three
#: with the most inline mathematics when issue 16 was filed, and the one with the widest tables.
#: Every chapter is also checked at the phone's width in test_chapter_renders_offline.
PHONE_CHAPTERS = ["optimization/opt-gd.html", "networks/autodiff.html",
                  "optimization/landscapes.html", "architectures/transformers.html"]


@pytest.mark.parametrize("path", PHONE_CHAPTERS)
def test_phone_reading_nothing_clipped(browser, site, path):
    page = browser.new_context(**PHONE).new_page()
    try:
        page.goto(f"{site}/{path}", wait_until="load")
        _typeset(page)
        _assert_nothing_clipped(page.evaluate(_NARROW))
        if path == PHONE_CHAPTERS[0]:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "phone-chapter.png"))
    finally:
        page.context.close()


# --- accessibility -----------------------------------------------------------------------------

AXE = Path(__file__).with_name("vendor") / "axe.min.js"  # axe-core 4.14.1, see vendor/README.md


def _axe(page) -> list[str]:
    """The serious and critical violations axe-core finds on the (typeset) page."""
    page.wait_for_timeout(600)  # dlf.js names the buttons other scripts add on load
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.impact} ${v.id} (${v.nodes.length}): ${v.nodes[0].html.slice(0, 120)}`);
    }""")


# every chapter is checked in test_chapter_renders_offline, on the page it has typeset
@pytest.mark.parametrize("path", ["index.html", "appendix/api.html", "appendix/api/optim.html",
                                  "appendix/claims.html", "appendix/notation.html"])
def test_no_serious_accessibility_violations(browser, site, path):
    page, log = _open(browser, site, path)
    try:
        _typeset(page)
        found = _axe(page)
        assert not found, f"{path}: {found}"
    finally:
        page.context.close()


# --- hover previews ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["other page", "same page"])
def test_hovering_a_reference_previews_the_result(browser, site, kind):
    page, log = _open(browser, site, "optimization/landscapes.html")
    try:
        _typeset(page)
        href = ('a.reference.internal[href*=".html#thm-"]' if kind == "other page"
                else 'a.reference.internal[href^="#thm-"]')
        link = page.locator(href).first
        link.scroll_into_view_if_needed()
        link.hover()
        tip = page.locator(".dlf-preview")
        tip.wait_for(timeout=5_000)
        assert "Theorem" in tip.inner_text()
        page.wait_for_function("() => document.querySelector('.dlf-preview mjx-container')",
                               timeout=10_000)  # its mathematics is typeset
        page.mouse.move(2, 2)
        tip.wait_for(state="detached", timeout=5_000)
        assert not log.problems(), log.problems()
    finally:
        page.context.close()

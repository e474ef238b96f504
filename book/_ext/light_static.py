"""A light site: only the icons the pages use, no source maps, no unused theme files.

The book theme (pydata-sphinx-theme) ships Font Awesome as one script of about 1.5 MB that every
page loads: three packs of some 2,000 icon definitions each, for the two dozen icons the book
shows (menu, search, theme switch, download, arrows). After the build, this extension rewrites
that script in place with the same runtime and only the icons named anywhere in the site's HTML
or scripts (by name or alias), so every ``<i class="fa-solid fa-bars">`` renders as before. It
also removes files that a reader's browser never requests: the source maps of the theme's
minified scripts and styles (with the comments that point to them) and the theme's translation
catalogues (``_static/locales``, used at build time only). Figures are matplotlib SVGs, written
with indentation, one line per path command, a comment per text label and six decimals per
coordinate; :func:`minify_svg` drops the comments and the whitespace and rounds coordinates to
0.01 pt (a hundredth of a typographic point; figures are at most about 500 pt wide), which takes
a fifth off the figures and a third off the downloadable notebooks that embed them
(``notebooks.py`` uses it too). Glyph outlines and transforms are left exact.

Nothing here changes a page; the browser tests check that the icons still render (every ``<i
class="fa-...">`` becomes an ``<svg>``) and the site tests check the weight of the site and of a
chapter page.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: an icon pack in fontawesome.js: ``var b={"name":[w,h,[aliases],"unicode","path"],...}``
_PACK_START = re.compile(r"var b=\{")
_ICON_NAME = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
_SOURCE_MAP = re.compile(r"\n?/[/*][#@] sourceMappingURL=\S+?(?: ?\*/)?\s*$")


def _matching(text: str, start: int, open_: str, close: str) -> int:
    """Index just past the bracket that closes the one at ``start`` (strings skipped)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i = text.index('"', i + 1)
            while text[i - 1] == "\\":
                i = text.index('"', i + 1)
        elif ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced icon pack in fontawesome.js")


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BETWEEN_TAGS = re.compile(r">\s+<")
_NEWLINES = re.compile(r"\s*\n\s*")
#: attributes that hold coordinates in the figure's units (points); transforms are not touched
_COORD_ATTR = re.compile(r'\b(d|x|y|x1|y1|x2|y2|width|height|points)="([^"]*)"')
_LONG_DECIMAL = re.compile(r"-?\d+\.\d{3,}")


def _round(m: re.Match) -> str:
    return f"{float(m.group(0)):.2f}".rstrip("0").rstrip(".")


def minify_svg(svg: str) -> str:
    """A matplotlib SVG without comments or layout whitespace, coordinates to 0.01 pt."""
    svg = _COMMENT.sub("", svg)
    svg = _BETWEEN_TAGS.sub("><", svg)
    svg = _NEWLINES.sub(" ", svg)
    return _COORD_ATTR.sub(
        lambda m: f'{m.group(1)}="{_LONG_DECIMAL.sub(_round, m.group(2))}"', svg)


def _entries(body: str):
    """Split an object literal's body into (key, value text) pairs; values are arrays."""
    i, n = 0, len(body)
    while i < n:
        if body[i] == ",":
            i += 1
            continue
        if body[i] == '"':
            end = body.index('"', i + 1)
            key = body[i + 1:end]
        else:
            end = body.index(":", i) - 1
            key = body[i:end + 1]
        colon = body.index(":", end)
        close = _matching(body, colon + 1, "[", "]")
        yield key, body[i:close], body[colon + 1:close]
        i = close


def subset_fontawesome(script: str, wanted: set[str]) -> tuple[str, int, int]:
    """The script with each icon pack cut to the icons in ``wanted`` (names or aliases).

    Returns the new script, the number of icon definitions kept and the number before.
    """
    out, pos, kept, total = [], 0, 0, 0
    for m in _PACK_START.finditer(script):
        open_brace = m.end() - 1
        close = _matching(script, open_brace, "{", "}")
        body = script[open_brace + 1:close - 1]
        keep = []
        for key, text, value in _entries(body):
            total += 1
            aliases = set(re.findall(r'"([a-z0-9-]+)"', value.split("]", 1)[0]))
            if key in wanted or aliases & wanted:
                keep.append(text)
        kept += len(keep)
        out += [script[pos:open_brace + 1], ",".join(keep), "}"]
        pos = close
    out.append(script[pos:])
    return "".join(out), kept, total


def _icons_used(outdir: Path) -> set[str]:
    names: set[str] = set()
    for path in outdir.rglob("*"):
        if path.suffix in (".html", ".js") and path.name != "fontawesome.js" and path.is_file():
            names.update(_ICON_NAME.findall(path.read_text(errors="ignore")))
    return names


def lighten(outdir: Path) -> dict:
    """Minify the figures, subset the icon script, drop source maps and unused catalogues.

    Returns the bytes saved by each.
    """
    saved = {"icons": 0, "maps": 0, "locales": 0, "figures": 0}
    for path in (outdir / "_images").glob("*.svg"):
        text = path.read_text(encoding="utf-8")
        small = minify_svg(text)
        path.write_text(small, encoding="utf-8")
        saved["figures"] += len(text.encode()) - len(small.encode())
    static = outdir / "_static"
    script = static / "scripts" / "fontawesome.js"
    if script.is_file():
        text = script.read_text()
        small, kept, total = subset_fontawesome(text, _icons_used(outdir))
        if total:
            if kept == 0:
                logger.warning("light_static: no icon of the site found in fontawesome.js",
                               type="dlf", subtype="light")
            script.write_text(small)
            saved["icons"] = len(text) - len(small)
    for path in list(static.rglob("*.map")):
        saved["maps"] += path.stat().st_size
        path.unlink()
    for path in list((static / "scripts").glob("*.js")) + list((static / "styles").glob("*.css")):
        text = path.read_text()
        new = _SOURCE_MAP.sub("\n", text)
        if new != text:
            path.write_text(new)
    locales = static / "locales"
    if locales.is_dir():
        saved["locales"] = sum(p.stat().st_size for p in locales.rglob("*") if p.is_file())
        shutil.rmtree(locales)
    return saved


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    saved = lighten(Path(app.outdir))
    logger.info("light_static: icons -%.1f MB, source maps -%.1f MB, catalogues -%.1f MB, "
                "figures -%.1f MB", saved["icons"] / 2**20, saved["maps"] / 2**20,
                saved["locales"] / 2**20, saved["figures"] / 2**20)


def setup(app):
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

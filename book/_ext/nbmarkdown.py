"""MyST to plain Jupyter Markdown, for the downloaded notebooks.

Jupyter does not know MyST: a theorem shows as a raw ``:::{prf:theorem}`` fence and a
cross-reference as ``{prf:ref}`thm-x```. The notebooks offered for download are rewritten so that
they read like the web page:

- theorem-like blocks, proofs, exercises, solutions and admonitions become headed paragraphs
  (``**Theorem 3.2** (Convex and smooth).``, ``*Proof.* ... ∎``, a quoted admonition);
- cross-references carry the numbers the web page shows ("Theorem 3.2", "(3.4)", "Figure 3.1"),
  read from the rendered page, and link to it when the site's address is known;
- labelled display equations get their number as ``\\tag``, glued numbers their value (from the
  notebook's own outputs), citations their key, and a ``literalinclude`` a pointer to the source.

The conversion works line by line on each Markdown cell; it needs no Sphinx objects, only the
maps built by :func:`numbers_from_html` from the page's HTML body.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
_EQ_CLOSE = re.compile(r"^(?P<pre>.*)\$\$[ \t]*\((?P<label>[\w:.-]+)\)[ \t]*$")
_TARGET = re.compile(r"^\((?P<label>[\w:.-]+)\)=[ \t]*$")

#: directive name -> the word a reader sees
KINDS = {
    "prf:theorem": "Theorem", "prf:lemma": "Lemma", "prf:proposition": "Proposition",
    "prf:corollary": "Corollary", "prf:definition": "Definition", "prf:remark": "Remark",
    "prf:example": "Example", "prf:algorithm": "Algorithm", "prf:conjecture": "Conjecture",
    "prf:assumption": "Assumption", "prf:observation": "Observation", "prf:axiom": "Axiom",
    "prf:criterion": "Criterion", "prf:property": "Property", "exercise": "Exercise",
    "exercise-start": "Exercise",
}
ADMONITIONS = {"admonition", "note", "warning", "tip", "important", "caution", "attention",
               "hint", "seealso", "danger", "error"}
DROP = {"toctree", "bibliography", "glue:figure", "figure", "image", "raw", "tableofcontents"}


def glue_values(nb) -> dict[str, str]:
    """The values glued in a notebook's outputs (myst-nb's ``glue``), as plain text."""
    values = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            data = out.get("data", {})
            text = next((v for k, v in data.items() if k.endswith("text/plain")), None)
            if text is None:
                continue
            text = "".join(text) if isinstance(text, list) else str(text)
            m = re.fullmatch(r"np\.\w+\((.*)\)", text.strip())  # np.float64(0.98) -> 0.98
            values[name] = (m.group(1) if m else text).strip().strip("'\"")
    return values


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment; MathJax's inline ``\\(...\\)`` becomes ``$...$``."""
    text = " ".join(html.unescape(_TAG.sub("", fragment)).split())
    return text.replace("\\(", "$").replace("\\)", "$")


def numbers_from_html(body: str) -> tuple[dict[str, str], dict[str, str]]:
    """Read a rendered page: (label -> reference text, label -> numbered block title).

    The first map comes from internal links (``href="...#label"``), e.g. ``Theorem 3.2`` or
    ``(3.4)``; the second from the title of each block with an ``id``, e.g.
    ``Theorem 3.2 (Convex and smooth)``, and from equation numbers.
    """
    refs: dict[str, str] = {}
    for m in re.finditer(r'<a class="reference internal"[^>]*href="[^"#]*#([^"]+)"[^>]*>(.*?)'
                         r"</a>", body, re.S):
        refs.setdefault(m.group(1), _text(m.group(2)))
    titles: dict[str, str] = {}
    for m in re.finditer(r'id="([^"]+)"[^>]*>\s*<p class="admonition-title">(.*?)</p>', body,
                         re.S):
        titles[m.group(1)] = _text(m.group(2))
    for m in re.finditer(r'id="equation-([^"]+)"[^>]*>\s*<span class="eqno">\((.*?)\)', body,
                         re.S):
        titles["equation-" + m.group(1)] = _text(m.group(2))
    for m in re.finditer(r'<figure[^>]*id="([^"]+)"[^>]*>.*?<span class="caption-number">(.*?)'
                         r"</span>", body, re.S):
        titles[m.group(1)] = _text(m.group(2)).replace("Fig.", "Figure")
    return refs, titles


class Converter:
    """Rewrite MyST Markdown as Jupyter Markdown for one page (see the module docstring)."""

    def __init__(self, refs: dict[str, str], titles: dict[str, str], glue: dict[str, str],
                 page_url: str = ""):
        self.refs, self.titles, self.glue, self.page_url = refs, titles, glue, page_url

    # --- inline roles ------------------------------------------------------------------------
    def _number(self, label: str) -> str | None:
        """``Theorem 3.2`` for a block label (from its title), or the page's link text."""
        title = self.titles.get(label)
        if title:
            m = re.match(r"^(\w+ [\d.]+)", title)
            return m.group(1) if m else title
        return self.refs.get(label)

    def _link(self, text: str, label: str) -> str:
        return f"[{text}]({self.page_url}#{label})" if self.page_url and label else text

    def role(self, m: re.Match) -> str:
        role, body = m.group("role"), m.group("body")
        explicit = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^>]+)>$", body, re.S)
        text, target = (explicit.group("text"), explicit.group("target")) if explicit \
            else (None, body)
        if role in ("prf:ref", "ref", "numref"):
            label = target.split("#")[-1]
            shown = text or self._number(label) or label
            return self._link(shown, label)
        if role == "eq":
            number = self.titles.get("equation-" + target) or self.refs.get(
                "equation-" + target)
            return self._link(f"({number.strip('()')})" if number else f"({target})",
                              "equation-" + target)
        if role == "doc":
            return text or target.rsplit("/", 1)[-1]
        if role in ("cite", "cite:p", "cite:t"):
            return "[" + "; ".join(k.strip() for k in target.split(",")) + "]"
        if role.startswith("glue"):
            key, _, spec = target.partition(":")
            value = self.glue.get(key.strip())
            if value is None:
                return key
            try:
                return format(float(value), spec) if spec else value
            except ValueError:
                return value
        if role in ("math",):
            return f"${body}$"
        return text or body

    def inline(self, line: str) -> str:
        return _ROLE.sub(self.role, line)

    # --- blocks ------------------------------------------------------------------------------
    def convert(self, source: str) -> str:
        out: list[str] = []
        stack: list[tuple[str, str, str]] = []  # (fence, name, label)
        lines = source.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            if stack and stripped == stack[-1][0]:
                _, name, _ = stack.pop()
                if name == "prf:proof":
                    out.append("$\\blacksquare$")
                elif name in DROP or name in ("math",):
                    out.append("$$" if name == "math" else "")
                i += 1
                continue
            m = _OPEN.match(stripped)
            if m and m.group("name") in ("code-block", "code", "sourcecode"):
                options, j = self._options(lines, i + 1)
                end = self._skip_to_close(lines, j, m.group("fence"))
                out += ["```" + m.group("arg").strip(), *lines[j:end - 1], "```"]
                i = end
                continue
            if m:
                name, arg = m.group("name"), m.group("arg").strip()
                options, i = self._options(lines, i + 1)
                label = options.get("label", "")
                if name in ("exercise-start", "solution-start", "exercise-end",
                            "solution-end") or name.endswith("-end"):
                    i = self._close_empty(lines, i, m.group("fence"))
                out.extend(self._header(name, arg, label, options))
                if name in ("exercise-end", "solution-end"):
                    continue
                if name in ("exercise-start", "solution-start"):
                    continue
                if name == "literalinclude":
                    i = self._skip_to_close(lines, i, m.group("fence"))
                    continue
                stack.append((m.group("fence"), name, label))
                if name in DROP:
                    i = self._skip_to_close(lines, i, m.group("fence"))
                    stack.pop()
                continue
            if _TARGET.match(stripped):
                i += 1
                continue
            eq = _EQ_CLOSE.match(line)
            if eq:
                number = self.titles.get("equation-" + eq.group("label"))
                tag = f"\\tag{{{number}}}" if number else ""
                out.append(f"{self.inline(eq.group('pre'))}{tag}$$")
                i += 1
                continue
            text = self.inline(line)
            if any(n in ADMONITIONS for _, n, _ in stack):
                text = "> " + text if text else ">"
            out.append(text)
            i += 1
        return "\n".join(out).strip("\n")

    def _options(self, lines: list[str], i: int) -> tuple[dict[str, str], int]:
        options: dict[str, str] = {}
        if i < len(lines) and lines[i].strip() == "---":  # YAML option block
            j = i + 1
            while j < len(lines) and lines[j].strip() != "---":
                key, _, value = lines[j].partition(":")
                options[key.strip()] = value.strip()
                j += 1
            return options, j + 1
        while i < len(lines):
            m = _OPTION.match(lines[i].strip())
            if not m:
                break
            options[m.group("key")] = m.group("value")
            i += 1
        return options, i

    @staticmethod
    def _close_empty(lines: list[str], i: int, fence: str) -> int:
        """Skip the closing fence of a body-less directive (``solution-start``)."""
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        return j + 1 if j < len(lines) and lines[j].strip() == fence else i

    @staticmethod
    def _skip_to_close(lines: list[str], i: int, fence: str) -> int:
        while i < len(lines) and lines[i].strip() != fence:
            i += 1
        return i + 1

    def _header(self, name: str, arg: str, label: str, options: dict[str, str]) -> list[str]:
        arg = self.inline(arg)
        if name in KINDS:
            title = self.titles.get(label) if label else None
            if title:  # "Theorem 3.2 (Convex and smooth)" as the page shows it
                m = re.match(r"^(\w+ [\d.]+)\s*(.*)$", title)
                head = f"**{m.group(1)}** {m.group(2)}".rstrip() if m else f"**{title}**"
            else:
                head = f"**{KINDS[name]}**" + (f" ({arg})" if arg else "")
            return [head.rstrip() + "."]
        if name == "prf:proof":
            return ["*Proof.*" + (f" ({arg})" if arg else "")]
        if name == "solution-start":
            return ["**Solution.**"]
        if name in ("solution-end", "exercise-end"):
            return [""]
        if name in ADMONITIONS:
            title = arg or name.capitalize()
            return [f"> **{title}.**", ">"]
        if name == "math":
            return ["$$"]
        if name == "literalinclude":
            obj = options.get("pyobject")
            where = arg.split("src/", 1)[-1]
            what = f"`{obj}` from `{where}`" if obj else f"`{where}`"
            return [f"*(The web page shows the source of {what} here.)*"]
        if name in DROP:
            return []
        return []

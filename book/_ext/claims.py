"""The claims ledger: every result shows the checks that test it, and none goes unchecked.

A chapter states a result (a ``prf:theorem``, ``prf:proposition``, ``prf:lemma`` or
``prf:corollary`` with a ``:label:``) and then, in the cells that follow, checks it. This extension
reads each chapter's doctree after execution and gives every result the check lines printed
between it and the next result, definition or exercise (proofs, algorithms, remarks and
examples in between belong to it): a line of
:mod:`dlf.checks` ends in ``ok``, and an inequality check also prints how nearly it is attained
(``measured/bound 0.93``). Then

- under the result, a compact line "Checked: 3 assertions; tightest inequality at 0.93 of its
  bound" expands
  to those lines and links to the first check cell;
- a result that is only cited, not checked, says so in its statement with the role
  ``{cited}`the proof needs measure theory beyond this book``; the line then reads
  "Cited, not checked: <reason>";
- a result stated right before the next result, with no check of its own in between (a lemma
  and the theorem it serves, a theorem and its corollary), is checked together with it: it
  shares the checks that follow, and its line says so;
- a result with neither fails the build (a warning under ``-W``), naming the chapter and label;
- the directive ``dlf-claims`` (the appendix page "Claims") lists every result of the book:
  number and title (linked), kind, checks, tightest ratio, status, with totals.

The same walk collects the errata: every admonition whose title names a misstatement or a slip
("A frequent misstatement: ...") gets an anchor and, with the first check cell after it, a row
of the directive ``dlf-errata`` (the appendix page "Errata in the sources").

Attribution is by position, as the book is written (BOOK_GUIDE: "right after it, a code cell runs
it"): the reader sees exactly which printed lines are counted, and can judge them.
"""

from __future__ import annotations

import html
import re
import statistics

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.util import logging

logger = logging.getLogger(__name__)

PART_FOLDERS = ("foundations", "networks", "optimization", "training", "generalization",
                "architectures", "generative", "robustness")
#: the kinds of result that are claims (each must be checked or cited)
RESULTS = ("theorem", "proposition", "lemma", "corollary")
#: an admonition whose title names a misstatement or slip is an erratum (appendix "Errata")
_ERRATUM = re.compile(r"\b(misstatements?|slips?)\b", re.I)
_RATIO = re.compile(r"\((?:measured/bound|bound/measured) ([0-9.eE+-]+)\)")


class ledger_node(nodes.General, nodes.Element):
    """The line under a result: its checks, or why it is only cited."""


class cited_node(nodes.Inline, nodes.Element):
    """``{cited}`reason```: the result is cited, not checked (renders nothing in place)."""


class claims_table_node(nodes.General, nodes.Element):
    """Placeholder for the table of all results, filled when the page is resolved."""


def cited_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    if not text.strip():
        msg = inliner.reporter.error("{cited} needs a reason, e.g. {cited}`proof beyond scope`",
                                     line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [cited_node(reason=" ".join(text.split()))], []


#: numbered blocks that end a result's turn: a new object (definition) or an exercise
BOUNDARIES = ("definition", "axiom", "assumption", "notation")


def _kind(node: nodes.Node) -> str | None:
    """The kind of a result; ``""`` for a block that ends a result's turn; else None.

    Proofs, algorithms, remarks and examples belong to the result before them (an algorithm
    stated with its correctness theorem is checked with it): they are transparent.
    """
    mod = type(node).__module__
    if mod.startswith("sphinx_exercise"):
        return ""
    if mod.startswith("sphinx_proof"):
        kind = type(node).__name__.removesuffix("_node")
        if kind in RESULTS:
            return kind
        return "" if kind in BOUNDARIES else None
    return None


def _title(node: nodes.Element) -> str:
    title = node.next_node(nodes.title)
    text = title.astext().strip() if title is not None else ""
    return text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text


def _is_chapter(docname: str) -> bool:
    return docname.split("/")[0] in PART_FOLDERS and docname.count("/") == 1


def _anchor(node: nodes.Element, anchor: str) -> None:
    """Make ``anchor`` a link target at the start of ``node`` (after its title): a target node,
    which every builder writes (HTML an empty span with the id, LaTeX a label; LaTeX writes no
    label for the ids of an admonition or a cell). The doctree is the same for every builder, so
    the PDF build can reuse the site's."""
    at = 1 if len(node) and isinstance(node[0], nodes.title) else 0
    node.insert(at, nodes.target("", "", ids=[anchor]))


def collect(app, doctree: nodes.document) -> None:
    """Attribute each chapter's check lines to the results they follow; add the ledger lines."""
    env = app.env
    docname = env.docname
    if not hasattr(env, "dlf_claims"):
        env.dlf_claims = {}
    env.dlf_claims.pop(docname, None)
    if not _is_chapter(docname):
        return
    records, current, pending = [], None, []
    errata, erratum = [], None
    for node in list(doctree.findall(nodes.Element)):
        if isinstance(node, nodes.admonition) and _ERRATUM.search(_title(node)):
            erratum = {"docname": docname, "anchor": f"erratum-{len(errata) + 1}",
                       "title": node.next_node(nodes.title).deepcopy(), "check": ""}
            _anchor(node, erratum["anchor"])
            errata.append(erratum)
        elif erratum is not None and not erratum["check"] and isinstance(
                node, nodes.literal_block) and "output" in node.get("classes", []) \
                and any(ln.rstrip().endswith("  ok") for ln in node.astext().splitlines()):
            cell = node.parent.parent if node.parent is not None else node
            erratum["check"] = cell["ids"][0] if cell["ids"] else f"{erratum['anchor']}-check"
            if not cell["ids"]:
                _anchor(cell, erratum["check"])
        kind = _kind(node)
        if kind is not None:
            # a result stated right before the next one, with no check of its own in between
            # (a lemma and the theorem it serves, a theorem and its corollary), is checked
            # together with it: it shares the checks that follow, and its line says so
            if current is not None and not current["checks"] and not current["cited"] \
                    and kind in RESULTS:
                pending.append(current)
            else:
                pending = []
            current = None
            if kind and node.get("ids"):
                current = {"label": node["ids"][0], "kind": kind, "title": _title(node),
                           "docname": docname, "checks": [], "cited": "", "node": node,
                           "anchor": "", "with": ""}
                records.append(current)
            continue
        if isinstance(node, cited_node):
            owner = next((r for r in records if node in r["node"].findall(cited_node)), None)
            if owner is not None:
                owner["cited"] = node["reason"]
            node.parent.remove(node)
            continue
        if current is None or not isinstance(node, nodes.literal_block):
            continue
        if "output" not in node.get("classes", []):
            continue
        lines = [ln.rstrip() for ln in node.astext().splitlines() if ln.rstrip().endswith("  ok")]
        if not lines:
            continue
        if not current["anchor"]:  # the first check cell of the result gets an anchor
            cell = node.parent.parent if node.parent is not None else node
            current["anchor"] = f"checks-{current['label']}"
            cell["ids"].append(current["anchor"])
        current["checks"].extend(lines)
        for lemma in pending:
            lemma["checks"].extend(lines)
            lemma["anchor"], lemma["with"] = current["anchor"], current["label"]
    for rec in records:
        ratios = [float(m.group(1)) for ln in rec["checks"] for m in [_RATIO.search(ln)] if m]
        rec["tightest"] = max(ratios) if ratios else None
        result = rec.pop("node")
        result.parent.insert(result.parent.index(result) + 1, ledger_node(**{
            k: rec[k] for k in ("label", "checks", "cited", "anchor", "tightest", "with")}))
        if not rec["checks"] and not rec["cited"]:
            (logger.warning if app.config.dlf_claims_strict else logger.info)(
                "chapter %s: %s %s (%s) has no check after it and is not marked "
                "{cited}`reason` (the claims ledger, book/_ext/claims.py)", docname,
                rec["kind"], rec["label"], rec["title"], location=result, type="dlf",
                subtype="claims")
    env.dlf_claims[docname] = records
    if not hasattr(env, "dlf_errata"):
        env.dlf_errata = {}
    env.dlf_errata[docname] = errata


def _summary(node: ledger_node) -> str:
    n = len(node["checks"])
    if n:
        s = f"Checked: {n} assertion{'s' if n != 1 else ''}"
        if node["with"]:
            s += " (shared with the result that follows it)"
        if node["tightest"] is not None:
            s += f"; tightest inequality at {node['tightest']:.3g} of its bound"
        return s + " \u2713"
    return f"Cited, not checked: {node['cited']}"


def visit_ledger_html(self, node: ledger_node) -> None:
    summary = html.escape(_summary(node))
    if not node["checks"]:
        self.body.append(f'<p class="dlf-ledger dlf-ledger-cited">{summary}</p>')
        raise nodes.SkipNode
    lines = html.escape("\n".join(node["checks"]))
    link = (f'<a class="dlf-ledger-link" href="#{node["anchor"]}">first check cell</a>'
            if node["anchor"] else "")
    self.body.append(f'<details class="dlf-ledger"><summary>{summary}</summary>'
                     f'<pre>{lines}</pre>{link}</details>')
    raise nodes.SkipNode


def visit_skip(self, node) -> None:
    raise nodes.SkipNode


class ClaimsTable(Directive):
    """``dlf-claims``: the table of every result of the book (filled at resolve time)."""

    def run(self):
        return [claims_table_node()]


class errata_table_node(nodes.General, nodes.Element):
    """Placeholder for the table of errata, filled when the page is resolved."""


class ErrataTable(Directive):
    """``dlf-errata``: every misstatement the book corrects, from the chapters' admonitions."""

    def run(self):
        return [errata_table_node()]


def fill_errata(app, doctree: nodes.document, fromdocname: str) -> None:
    env = app.env
    errata = getattr(env, "dlf_errata", {})
    order = {doc: i for i, doc in enumerate(env.toctree_includes.get(env.config.root_doc, []))}
    rows = sorted((e for doc in env.found_docs if doc in errata for e in errata[doc]),
                  key=lambda e: (order.get(e["docname"], 1 << 30), e["docname"]))
    for placeholder in list(doctree.findall(errata_table_node)):
        table, tbody = _empty_table(("Chapter", "The misstatement (and its correction)",
                                     "Check"), (22, 60, 18))
        for e in rows:
            doc = e["docname"]
            uri = app.builder.get_relative_uri(fromdocname, doc)
            chapter = env.titles[doc].astext() if doc in env.titles else doc
            title = nodes.reference("", "", *e["title"].deepcopy().children, internal=True,
                                    refuri=f"{uri}#{e['anchor']}")
            check = nodes.reference("", "the check", internal=True,
                                    refuri=f"{uri}#{e['check']}") if e["check"] \
                else nodes.Text("\u2013")
            tbody += _row([nodes.Text(chapter), title, check])
        total = nodes.paragraph("", f"{len(rows)} errata in {len({e['docname'] for e in rows})} "
                                "chapters.")
        placeholder.replace_self([total, table])


def _number(env, rec) -> str:
    num = env.toc_fignumbers.get(rec["docname"], {}).get(rec["kind"], {}).get(rec["label"])
    return ".".join(map(str, num)) if num else ""


def fill_table(app, doctree: nodes.document, fromdocname: str) -> None:
    env = app.env
    claims = getattr(env, "dlf_claims", {})
    for placeholder in list(doctree.findall(claims_table_node)):
        records = [r for doc in env.found_docs if doc in claims for r in claims[doc]]
        order = {doc: i for i, doc in enumerate(env.toctree_includes.get(env.config.root_doc,
                                                                          []))}
        records.sort(key=lambda r: (order.get(r["docname"], 1 << 30), r["docname"]))
        checked = [r for r in records if r["checks"]]
        cited = [r for r in records if not r["checks"] and r["cited"]]
        tight = [r["tightest"] for r in checked if r["tightest"] is not None]
        total = nodes.paragraph()
        text = (f"{len(records)} results: {len(checked)} checked "
                f"({sum(len(r['checks']) for r in records)} assertions), {len(cited)} cited "
                f"with a reason, {len(records) - len(checked) - len(cited)} neither.")
        if tight:
            text += (f" Over the {len(tight)} results with an inequality check, the tightest "
                     f"check attains its bound to a median of {statistics.median(tight):.2f} "
                     f"and a minimum of {min(tight):.2f}; {sum(t >= 0.5 for t in tight)} "
                     "reach at least 0.5.")
        total += nodes.Text(text)
        table = _table(app, fromdocname, records)
        placeholder.replace_self([total, table])


def _table(app, fromdocname: str, records: list[dict]) -> nodes.table:
    env = app.env
    table, tbody = _empty_table(("Chapter", "Result", "Checks", "Tightest", "Status"),
                                (18, 42, 8, 9, 23))
    for rec in records:
        doc = rec["docname"]
        chapter = env.titles[doc].astext() if doc in env.titles else doc
        number = _number(env, rec)
        name = f"{rec['kind'].capitalize()} {number}".strip()
        if rec["title"]:
            name += f" ({rec['title']})"
        uri = app.builder.get_relative_uri(fromdocname, doc) + "#" + rec["label"]
        link = nodes.reference("", name, internal=True, refuri=uri)
        tight = f"{rec['tightest']:.3g}" if rec["tightest"] is not None else "\u2013"
        status = ("checked" + (" with the next result" if rec["with"] else "")) \
            if rec["checks"] else (f"cited: {rec['cited']}" if rec["cited"]
                                                  else "UNCHECKED")
        tbody += _row([nodes.Text(chapter), link, nodes.Text(str(len(rec["checks"]))),
                       nodes.Text(tight), nodes.Text(status)])
    return table


def _empty_table(head: tuple[str, ...], widths: tuple[int, ...]) -> tuple[nodes.table,
                                                                          nodes.tbody]:
    """A table of the Claims/Errata pages with its header row; rows go into the returned body."""
    table = nodes.table(classes=["dlf-claims"])
    group = nodes.tgroup(cols=len(head))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    thead, tbody = nodes.thead(), nodes.tbody()
    group += [thead, tbody]
    thead += _row([nodes.Text(h) for h in head])
    return table, tbody


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for content in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", content)
        row += entry
    return row


def purge(app, env, docname: str) -> None:
    getattr(env, "dlf_claims", {}).pop(docname, None)
    getattr(env, "dlf_errata", {}).pop(docname, None)


def merge(app, env, docnames, other) -> None:
    for attr in ("dlf_claims", "dlf_errata"):
        if not hasattr(env, attr):
            setattr(env, attr, {})
        getattr(env, attr).update({d: v for d, v in getattr(other, attr, {}).items()
                                   if d in docnames})


def setup(app):
    # strict: an unchecked, uncited result is a warning (an error under -W); else only logged
    app.add_config_value("dlf_claims_strict", True, "env")
    app.add_role("cited", cited_role)
    app.add_node(ledger_node, html=(visit_ledger_html, None), latex=(visit_skip, None),
                 text=(visit_skip, None), man=(visit_skip, None), texinfo=(visit_skip, None))
    app.add_node(cited_node, html=(visit_skip, None), latex=(visit_skip, None),
                 text=(visit_skip, None), man=(visit_skip, None), texinfo=(visit_skip, None))
    app.add_node(claims_table_node)
    app.add_directive("dlf-claims", ClaimsTable)
    app.add_node(errata_table_node)
    app.add_directive("dlf-errata", ErrataTable)
    # after myst-nb has put the cell outputs into the doctree
    app.connect("doctree-read", collect, priority=900)
    app.connect("doctree-resolved", fill_table)
    app.connect("doctree-resolved", fill_errata)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}

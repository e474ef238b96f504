"""Fit sphinx-codeautolink to this book: theorem and exercise blocks, and listings of ``dlf``.

* Code cells are read as one program per chapter (``codeautolink_concat_default``), as the
  kernel runs them. A listing of the package (``literalinclude`` of a function or a method of
  ``src/dlf``) is not part of that program: a method's source is indented, so it cannot be
  parsed as a top-level block, and the listing defines the very names the cells link to. Such
  listings are left out of the analysis.
* sphinx-proof and sphinx-exercise wrap a theorem's or an exercise's body in an untitled
  ``section`` node, and put its title in a ``title`` node outside any section.
  sphinx-codeautolink keeps a stack of section titles (to name the section of each example in
  the "used in" lists): it pushes on every title and pops on every section, so such a page
  crashes it with ``IndexError: pop from empty list``. Here only real sections (a section whose
  first child is its title) move the stack.
* The "used in" list of an API entry is titled "Used in" (not the extension's "Expand for
  references to <the entry's own name>", which repeats the heading just above it).
"""

from __future__ import annotations

from docutils import nodes
from sphinx_codeautolink.extension.backref import SummaryNode
from sphinx_codeautolink.extension.block import CodeBlockAnalyser

_visit_title = CodeBlockAnalyser.visit_title
_visit_section = CodeBlockAnalyser.visit_section
_depart_section = CodeBlockAnalyser.depart_section


def _is_titled(section: nodes.Node) -> bool:
    return bool(section.children) and isinstance(section.children[0], nodes.title)


def visit_title(self, node):
    if isinstance(node.parent, nodes.section) and _is_titled(node.parent):
        _visit_title(self, node)


def visit_section(self, node):
    if _is_titled(node):
        _visit_section(self, node)


def depart_section(self, node):
    if _is_titled(node):
        _depart_section(self, node)


_visit_literal_block = CodeBlockAnalyser.visit_literal_block


def visit_literal_block(self, node):
    if str(node.get("source", "")).endswith(".py"):  # a literalinclude of a Python file
        return None
    return _visit_literal_block(self, node)


def _retitle_used_in(app, doctree, docname):
    for summary in doctree.findall(SummaryNode):
        summary.children = []
        summary += nodes.Text("Used in")


def setup(app):
    app.connect("doctree-resolved", _retitle_used_in, priority=600)  # after codeautolink
    CodeBlockAnalyser.visit_title = visit_title
    CodeBlockAnalyser.visit_section = visit_section
    CodeBlockAnalyser.depart_section = depart_section
    CodeBlockAnalyser.visit_literal_block = visit_literal_block
    return {"parallel_read_safe": True, "parallel_write_safe": True}

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
* The links are written into the HTML pages after the build, one page at a time in the main
  process (each page parsed with BeautifulSoup: about 80 s of CPU for this book). Under
  ``sphinx-build -j N`` the pages are shared among N forked processes, with Sphinx's own
  parallel tasks, which hand each process's warnings back to the build.
"""

from __future__ import annotations

import functools
from pathlib import Path

from docutils import nodes
from sphinx.util.parallel import ParallelTasks, parallel_available
from sphinx_codeautolink.extension import SphinxCodeAutoLink
from sphinx_codeautolink.extension.backref import SummaryNode
from sphinx_codeautolink.extension.block import CodeBlockAnalyser, link_html

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


_apply_links = SphinxCodeAutoLink.apply_links


def apply_links(self, app, exception) -> None:
    """``SphinxCodeAutoLink.apply_links``, with the pages shared among the build's processes."""
    if self.do_nothing or exception is not None or app.parallel <= 1 or not parallel_available:
        return _apply_links(self, app, exception)
    docs = [doc for doc, transforms in self.cache.transforms.items()
            if transforms and str(Path(doc)) in self.outdated_docs]

    def link(chunk: list[str]) -> None:
        for doc in chunk:
            link_html(doc, app.outdir, self.cache.transforms[doc], self.inventory,
                      self.custom_blocks, self.search_css_classes, builder_name=app.builder.name,
                      disable_link_titles=self.disable_link_titles)

    # the largest pages first, two at a time, so that no process is left with the long tail
    docs.sort(key=lambda d: -(Path(app.outdir) / f"{d}.html").stat().st_size)
    tasks = ParallelTasks(app.parallel)
    for i in range(0, len(docs), 2):
        tasks.add_task(link, docs[i:i + 2])
    tasks.join()
    self.cache.write()
    return None


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
    # sphinx-codeautolink (set up before this extension) connected its bound method: swap it
    for listener in list(app.events.listeners.get("build-finished", [])):
        state = getattr(listener.handler, "__self__", None)
        if isinstance(state, SphinxCodeAutoLink):
            app.disconnect(listener.id)
            app.connect("build-finished", functools.partial(apply_links, state),
                        priority=listener.priority - 1)  # still before the other extensions'
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Keep the build's pickles small: no node may drag a whole document (or the environment) along.

Under docutils 0.22 a node can hold a reference to "its" document (``node._document``), and that
document's settings hold the build environment. Two kinds of nodes made every pickle of this book
huge, and the parallel build spent minutes of CPU writing and reading them:

* nodes kept in the environment, outside any doctree: sphinx-exercise's registry (a copy of each
  exercise, and each solution node itself, parent and all) and the errata titles of ``claims``;
  each brought its chapter's whole doctree into ``environment.pickle`` (26 MB for 27 chapters),
  which every parallel reader returns and the main process merges;
* nodes made by a nested parse (autodoc's signatures): their ``_document`` is the nested parse's
  document, whose settings hold the environment, so every API page's doctree carried a copy of the
  environment (3.3 MB per page instead of 30 KB).

After a page is read, every node except the root forgets its own ``_document``: ``node.document``
then resolves through its parents to the page's root, as docutils intends. The registry's nodes
are detached copies (nothing reads their parents or documents). The build's output is unchanged.
"""

from __future__ import annotations

from docutils import nodes


def _forget_documents(node: nodes.Node, root: nodes.Node | None = None) -> None:
    for n in node.findall(include_self=True):
        if n is not root and "_document" in vars(n):
            del n._document


def _lean(app, doctree: nodes.document) -> None:
    _forget_documents(doctree, root=doctree)
    env, docname = app.env, app.env.docname
    for entry in getattr(env, "sphinx_exercise_registry", {}).values():
        if entry.get("docname") == docname and isinstance(entry.get("node"), nodes.Node):
            node = entry["node"]
            if node.parent is not None:
                node = node.deepcopy()
            _forget_documents(node)
            entry["node"] = node
    for erratum in getattr(env, "dlf_errata", {}).get(docname, []):
        if isinstance(erratum.get("title"), nodes.Node):
            _forget_documents(erratum["title"])


def setup(app):
    app.connect("doctree-read", _lean, priority=900)  # after every other reader (claims: 500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

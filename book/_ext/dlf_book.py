"""Book-specific Sphinx glue.

* Every chapter (a page inside a part folder) must carry the jupytext/kernelspec header that makes
  myst-nb execute it; a chapter without it would be rendered but never run, so its checks would
  silently not happen. Such a page is reported as a warning (an error under ``-W``).
* Chapter numbers run on across the parts: Sphinx restarts the numbering in every numbered
  toctree, and the book has one toctree per part.
* Parallel reading balances the chapters over the cores: Sphinx hands each worker a fixed
  batch of consecutive pages, so two workers could get one chapter and four; here every page is
  its own batch and the chapters (which execute) come first, so a free worker takes the next one.
* A traceback in a cell's output is a warning too. An exception that does not stop the cell (a
  figure that fails to render: IPython's display formatter catches the error and shows it) would
  otherwise put a traceback on the page of a build that succeeded.
* Stream outputs are merged exactly. myst-nb's ``coalesce_streams`` strips and re-adds the
  newline at the end of each chunk, so a line whose newline arrived in the next chunk (as when
  the kernel flushes between ``print``'s text and its end) showed a blank line; and it edits
  the notebook's output objects in place, so the notebook (the download) got the merged text
  and the later chunks a second time.
* In the API reference, a type in a docstring ("array_like, shape (d,)") is looked up exactly,
  never by suffix: Sphinx's suffix search turned every ``d`` into a link to the attribute
  ``dlf.problems.Quadratic.d``.
* The API reference (one page per module of ``dlf``, docstring labels as numbered links) is
  ``dlf_api``, loaded from here.
"""

from __future__ import annotations

import re

import sphinx.builders
from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: folders that hold chapters (SYLLABUS.md parts); pages elsewhere (index, appendix) are prose.
PART_FOLDERS = ("foundations", "networks", "optimization", "training", "generalization",
                "architectures", "generative", "robustness")

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def missing_header(source: str) -> str | None:
    """Why ``source`` would not be executed by myst-nb, or ``None`` if its header is right."""
    m = _FRONT.match(source)
    if m is None:
        return "no YAML front matter"
    front = m.group(1)
    if not re.search(r"^jupytext\s*:", front, re.M):
        return "front matter lacks the `jupytext:` block"
    if not re.search(r"format_name\s*:\s*myst", front):
        return "front matter lacks `format_name: myst`"
    if not re.search(r"^kernelspec\s*:", front, re.M):
        return "front matter lacks the `kernelspec:` block"
    return None


def is_chapter(docname: str) -> bool:
    return docname.split("/", 1)[0] in PART_FOLDERS and "/" in docname


def _check_header(app, docname, source):
    if not is_chapter(docname):
        return
    why = missing_header(source[0])
    if why is not None:
        logger.warning(
            "chapter %s would not be executed: %s. Start it with the jupytext header of "
            "BOOK_GUIDE.md.", docname, why, location=docname, type="dlf", subtype="header")


_assign_section_numbers = TocTreeCollector.assign_section_numbers


def _descendants(env, docname: str) -> list[str]:
    out, todo = [], [docname]
    while todo:
        doc = todo.pop()
        if doc not in out:
            out.append(doc)
            todo.extend(env.toctree_includes.get(doc, []))
    return out


def assign_continuous_section_numbers(self, env):
    """Sphinx's numbering, then shift each part's chapters past those of the earlier parts."""
    rewrite = list(_assign_section_numbers(self, env))
    root = env.config.root_doc
    if root not in env.numbered_toctrees:
        return rewrite
    offset = 0
    for toc in env.get_doctree(root).findall(addnodes.toctree):
        if not toc.get("numbered"):
            continue
        chapters = [ref for _title, ref in toc["entries"] if ref in env.tocs]
        if offset:
            for chapter in chapters:
                for doc in _descendants(env, chapter):
                    nums = env.toc_secnumbers.get(doc, {})
                    for anchor, num in nums.items():
                        if num:
                            nums[anchor] = (num[0] + offset, *num[1:])
                    # the same numbers are stored on the toc and title nodes (for the sidebar
                    # and the prev/next links); lists may be shared, so replace, never mutate
                    nodes_with_number = list(env.tocs[doc].findall(nodes.reference))
                    if doc in env.titles:
                        nodes_with_number.append(env.titles[doc])
                    for node in nodes_with_number:
                        num = node.get("secnumber")
                        if num:
                            node["secnumber"] = [num[0] + offset, *num[1:]]
                    if doc not in rewrite:
                        rewrite.append(doc)
        offset += len(chapters)
    return rewrite


def _one_page_per_batch(arguments, nproc, maxbatch=10):
    """Replacement for ``sphinx.util.parallel.make_chunks``: one page per batch."""
    return [[a] for a in arguments]


_CARRIAGE_RETURN = re.compile(r".*\r(?=[^\n])")
_BACKSPACE = re.compile(r"[^\n]\x08")  # a character, then a backspace


def coalesce_streams(outputs):
    """Merge the stream outputs of a cell by name (stdout first), exactly, without mutation."""
    from nbformat import NotebookNode

    merged: list = []
    streams: dict = {}
    for output in outputs or []:
        if output["output_type"] != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            copy = NotebookNode(dict(output))
            streams[output["name"]] = copy
            merged.append(copy)
    for output in streams.values():
        text = output["text"]
        while True:  # a backspace erases the character before it; \r restarts the line
            shorter = _BACKSPACE.sub("", text)
            if len(shorter) == len(text):
                break
            text = shorter
        output["text"] = _CARRIAGE_RETURN.sub("", text).rstrip("\n") + "\n"
    for i, output in enumerate(merged):  # stdout before stderr, whatever the arrival order
        if (output["output_type"] == "stream" and output["name"] == "stderr"
                and i + 1 < len(merged) and merged[i + 1]["output_type"] == "stream"
                and merged[i + 1]["name"] == "stdout"):
            merged.insert(i, merged.pop(i + 1))
    return merged


def _traceback_in_output(app, doctree):
    docname = app.env.docname
    if not is_chapter(docname):
        return
    for node in doctree.findall(nodes.literal_block):
        if "traceback" in node.get("classes", []):
            first = node.astext().strip().splitlines()[-1][:200] if node.astext().strip() else ""
            logger.warning("chapter %s: a cell output shows a traceback (an error the cell did "
                           "not raise, e.g. a figure that failed to render): %s", docname, first,
                           location=node, type="dlf", subtype="traceback")


def _exact_type_lookup(app, doctree):
    for ref in doctree.findall(addnodes.pending_xref):
        if (ref.get("refdomain") == "py" and ref.get("refspecific")
                and "." not in ref.get("reftarget", "")
                and any(isinstance(a, nodes.field_body) for a in _ancestors(ref))):
            del ref["refspecific"]  # the domain tests its presence, not its value


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def _chapters_first(app, env, docnames):
    docnames.sort(key=lambda d: (not is_chapter(d), d))


def _create_execution_cache(app, env, docnames):
    """Create jupyter-cache's database before the workers fork.

    Two workers that both find no database race to create its tables, and one of them fails
    with "table settings already exists". Creating it here, in the main process, avoids that.
    """
    if app.config.nb_execution_mode != "cache" or not docnames:
        return
    from jupyter_cache import get_cache

    engine = get_cache(app.config.nb_execution_cache_path).db
    engine.dispose()  # no connection is shared with the forked workers


def setup(app):
    sphinx.builders.make_chunks = _one_page_per_batch
    app.connect("env-before-read-docs", _chapters_first)
    app.connect("env-before-read-docs", _create_execution_cache)
    TocTreeCollector.assign_section_numbers = assign_continuous_section_numbers
    app.connect("source-read", _check_header)
    app.connect("doctree-read", _exact_type_lookup)
    app.connect("doctree-read", _traceback_in_output)
    import myst_nb.core.render

    myst_nb.core.render.coalesce_streams = coalesce_streams
    app.setup_extension("dlf_api")  # the API reference (book/_ext/dlf_api.py)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""The book as a PDF (``make pdf``), and its chapters as PDFs in the site's download menus.

For Sphinx's LaTeX builder (XeLaTeX):

* **parts**: the root page's numbered toctrees become ``\\part{...}`` followed by their chapters
  (chapter numbers run on across parts, as on the site); the appendices are the pages listed in
  ``latex_appendices`` (the notation, how the checks are made, the errata, the bibliography). The
  site-only appendices (API reference, claims ledger, execution report) are left out: they are
  generated tables of links, read on the site.
* **figures**: the cells' SVG figures are converted to PDF by ``rsvg-convert`` (vector, no
  rasterization), through Sphinx's image-converter mechanism.
* **math**: the site's MathJax macros (``conf.py``: ``MACROS``) become ``\\newcommand``s.

``python pdf_book.py split <book dir> <latex dir> <pdf dir>`` cuts the built book into one PDF
per chapter: chapter ``N`` starts on the page of hyperref's destination ``chapter.N`` and ends
before the next chapter, part or appendix; ``python pdf_book.py report <latex dir>`` names the
chapter of XeLaTeX's first error. The pages keep the book's numbering ("Theorem 7.3" in the
chapter's PDF is Theorem 7.3 of the book).

For the HTML builder: when ``<build>/pdf`` holds the chapter PDFs (``make pdf`` ran first), they are
copied into the site (``pdf/``) and each chapter's download menu offers its PDF instead of the
browser's "print" (the landing page offers the whole book); ``DLF_PDF_LINKS=1`` promises them
before they exist (``make test``: the site first, then the PDF, copied into it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from docutils import nodes

BOOK_PDF = "deep-learning-foundations.pdf"


# --- LaTeX builder ----------------------------------------------------------------------------

def latex_macros(macros: dict) -> str:
    """``\\newcommand`` lines for MathJax's ``{name: body}`` or ``{name: [body, nargs]}`` macros."""
    lines = []
    for name, body in macros.items():
        body, nargs = (body, 0) if isinstance(body, str) else (body[0], int(body[1]))
        args = f"[{nargs}]" if nargs else ""
        # \providecommand then \renewcommand: defined whether or not a package had the name
        lines.append(f"\\providecommand{{\\{name}}}{{}}\\renewcommand{{\\{name}}}{args}{{{body}}}")
    return "\n".join(lines)


def _part_title(caption: str) -> str:
    """"Part III. Optimization" -> "Optimization" (LaTeX numbers the parts itself)."""
    return re.sub(r"^Part\s+[IVXLC]+\.\s*", "", caption)


def _assemble_with_parts(builder):
    """Wrap the LaTeX builder's ``assemble_doctree``: a ``\\part`` before each part's chapters.

    The root page is replaced, for this builder only, by a document holding just its numbered
    toctrees, each preceded by a raw ``\\part{...}``; the unnumbered toctree (the appendices) is
    dropped, since ``latex_appendices`` lists the appendices that belong in the book.
    """
    from docutils.utils import new_document
    from sphinx import addnodes

    original = builder.assemble_doctree
    env = builder.env

    def assemble(indexfile, toctree_only, appendices):
        get = env.get_doctree

        def get_doctree(docname):
            tree = get(docname)
            if docname != indexfile:
                return tree
            new = new_document("<latex output>")
            section = nodes.section()
            section += nodes.title(builder.config.project, builder.config.project)
            new += section
            for toc in list(tree.findall(addnodes.toctree)):
                if not toc.get("numbered"):
                    continue
                title = _part_title(toc.get("caption") or "")
                section += nodes.raw("", f"\\part{{{title}}}\n", format="latex")
                section += toc
            return new

        env.get_doctree = get_doctree
        try:
            return original(indexfile, False, appendices)
        finally:
            env.get_doctree = get

    builder.assemble_doctree = assemble
    # Sphinx would title the table of contents with the first toctree's caption ("Part I. ...")
    builder.get_contentsname = lambda indexfile: "Contents"


def _svg_converter():
    from sphinx.transforms.post_transforms.images import ImageConverter

    class SvgToPdf(ImageConverter):
        """SVG figures to PDF with librsvg's ``rsvg-convert`` (Debian: librsvg2-bin)."""

        default_priority = 200
        conversion_rules = [("image/svg+xml", "application/pdf")]

        def is_available(self) -> bool:  # `make pdf` names the package when it is missing
            return shutil.which("rsvg-convert") is not None

        def convert(self, _from: str, _to: str) -> bool:
            subprocess.run(["rsvg-convert", "--format=pdf", f"--output={_to}", _from],
                           check=True, capture_output=True)
            return True

    return SvgToPdf


def _exercise_references():
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class ExerciseReferences(SphinxPostTransform):
        """A reference to another chapter's exercise, numbered as Sphinx numbered it.

        sphinx-exercise turns only same-page references into its LaTeX reference (to the label
        ``exercise:<label>``, with the text "Exercise 7.4"); a reference from another chapter stays
        a ``number_reference``, which LaTeX would number with ``\\ref`` and print as "??".
        """

        default_priority = 23  # after sphinx-exercise's own (22) and the references (10)
        formats = ("latex",)

        def run(self, **kwargs) -> None:
            from sphinx import addnodes
            from sphinx_exercise.nodes import exercise_latex_number_reference

            registry = getattr(self.env, "sphinx_exercise_registry", {})
            for node in list(self.document.findall(addnodes.number_reference)):
                label = node.get("refuri", "").rpartition("#")[2] or node.get("refid", "")
                if label not in registry:
                    continue
                new = exercise_latex_number_reference()
                new["refid"] = label
                new += nodes.Text(node.astext())
                node.replace_self(new)

    return ExerciseReferences


def _proofs():
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class Proofs(SphinxPostTransform):
        """Proofs typeset as proofs: "*Proof.*" and a closing square, not a box.

        sphinx-proof makes a proof an untitled admonition whose text starts with "Proof. ";
        Sphinx's LaTeX admonition takes its title as an argument and would swallow the first
        token of the body instead.
        """

        default_priority = 200
        formats = ("latex",)

        def run(self, **kwargs) -> None:
            for node in list(self.document.findall(nodes.admonition)):
                if "proof" not in node["classes"] or node.next_node(nodes.title) is not None:
                    continue
                first = node.next_node(nodes.Text)
                if first is not None and first.astext().startswith("Proof. "):
                    rest = first.astext()[len("Proof. "):]
                    first.parent.replace(first, [nodes.emphasis("Proof.", "Proof."),
                                                 nodes.Text(" " + rest)])
                node.replace_self([nodes.raw("", "\\begin{dlfproof}", format="latex"),
                                   *node.children,
                                   nodes.raw("", "\\end{dlfproof}", format="latex")])

    return Proofs


def _builder_inited(app) -> None:
    if app.builder.format == "latex":
        _assemble_with_parts(app.builder)


# --- HTML builder: the chapter PDFs in the download menus -----------------------------------

PARTS = ("foundations", "networks", "optimization", "training", "generalization",
         "architectures", "generative", "robustness")


def _is_chapter(docname: str) -> bool:
    return docname.count("/") == 1 and docname.split("/")[0] in PARTS


def _pdf_dir(app) -> Path:
    return Path(app.outdir).parent / "pdf"


def _fresh_pdf(app, pagename: str) -> bool:
    """Whether ``make pdf`` left this chapter's PDF, newer than the chapter's source."""
    pdf = _pdf_dir(app) / f"{pagename}.pdf"
    source = Path(app.srcdir) / f"{pagename}.md"
    return pdf.is_file() and source.is_file() and pdf.stat().st_mtime >= source.stat().st_mtime


def _download_menu(app, pagename, templatename, context, doctree) -> None:
    """Offer the chapter's PDF (on the landing page the book's) instead of "print".

    Offered when ``make pdf`` ran before (its PDFs are copied into the site), or always with
    ``DLF_PDF_LINKS=1``: ``make test`` builds the site first and ``make pdf`` then copies the
    PDFs into it (and the site tests check that every link resolves).
    """
    if app.builder.format != "html":
        return
    promised = os.environ.get("DLF_PDF_LINKS") == "1"
    if pagename == app.config.root_doc:
        available = promised or (_pdf_dir(app) / BOOK_PDF).is_file()
        target, tooltip = BOOK_PDF, "Download the whole book as a PDF"
    else:
        available = _is_chapter(pagename) and (promised or _fresh_pdf(app, pagename))
        target = f"pdf/{pagename}.pdf"
        tooltip = "Download this chapter as a PDF (numbered as in the book)"
    if not available:
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("label") == "download-pdf-button":
                button.update(type="link", url=context["pathto"](target, 1), tooltip=tooltip)
                button.pop("javascript", None)


def copy_into_site(pdf_dir: Path, site: Path, docnames: list[str]) -> None:
    """The book's PDF at the site's root and the chapters' under ``pdf/<part>/<id>.pdf``."""
    if (pdf_dir / BOOK_PDF).is_file():
        shutil.copy2(pdf_dir / BOOK_PDF, site / BOOK_PDF)
    for doc in docnames:
        target = site / "pdf" / f"{doc}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pdf_dir / f"{doc}.pdf", target)


def _copy_pdfs(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = _pdf_dir(app)
    docs = [doc for doc in app.env.found_docs if _is_chapter(doc) and _fresh_pdf(app, doc)]
    copy_into_site(source, Path(app.outdir), sorted(docs))


def setup(app):
    app.add_post_transform(_svg_converter())
    app.add_post_transform(_exercise_references())
    app.add_post_transform(_proofs())
    app.connect("builder-inited", _builder_inited)
    # after sphinx-book-theme builds its header buttons (priority 501)
    app.connect("html-page-context", _download_menu, priority=502)
    app.connect("build-finished", _copy_pdfs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- splitting the book into chapters ---------------------------------------------------------

def chapter_labels(aux: str) -> dict[str, int]:
    """``{docname: chapter number}`` from the LaTeX ``.aux`` file (Sphinx labels ``<doc>::doc``)."""
    found = {}
    for doc, anchor in re.findall(
            r"\\newlabel\{(\S+?)::doc\}\{\{[^{}]*\}\{[^{}]*\}\{.*?\}\{chapter\.(\d+)\}", aux):
        found.setdefault(doc, int(anchor))
    return found


def destinations(pdf: Path) -> dict[str, int]:
    """Named destinations of a PDF and their (1-based) pages, from poppler's ``pdfinfo -dests``."""
    out = subprocess.run(["pdfinfo", "-dests", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    dests = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+\[.*\]\s+\"(.*)\"\s*$", line)
        if m:
            dests[m.group(2)] = int(m.group(1))
    return dests


def chapter_ranges(labels: dict[str, int], dests: dict[str, int], pages: int
                   ) -> dict[str, tuple[int, int]]:
    """Page range of each chapter: from ``chapter.N`` to before the next chapter or part."""
    starts = sorted({p for name, p in dests.items()
                     if re.fullmatch(r"(chapter|part|appendix)\.\w+", name)} | {pages + 1})
    ranges = {}
    for doc, number in labels.items():
        first = dests.get(f"chapter.{number}")
        if first is None:
            raise SystemExit(f"no destination chapter.{number} ({doc}) in the PDF")
        last = min(p for p in starts if p > first) - 1
        ranges[doc] = (first, last)
    return ranges


def split(latex_dir: Path, pdf_dir: Path, chapters: list[str], site: Path | None = None) -> None:
    """Copy the book's PDF to ``pdf_dir`` and cut one PDF per chapter (``<part>/<id>.pdf``);
    copy them into the built ``site`` if there is one."""
    book, aux = latex_dir / "dlf.pdf", latex_dir / "dlf.aux"  # conf.py: latex_documents
    if not book.is_file() or not aux.is_file():
        raise SystemExit(f"no dlf.pdf or dlf.aux in {latex_dir}: the LaTeX run did not finish")
    labels = {d: n for d, n in chapter_labels(aux.read_text(errors="replace")).items()
              if d in chapters}
    missing = sorted(set(chapters) - set(labels))
    if missing:
        raise SystemExit(f"chapters missing from the PDF: {', '.join(missing)}")
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(book)], check=True, capture_output=True, text=True).stdout).group(1))
    if pdf_dir.exists():
        shutil.rmtree(pdf_dir)
    pdf_dir.mkdir(parents=True)
    shutil.copy2(book, pdf_dir / BOOK_PDF)
    for doc, (first, last) in chapter_ranges(labels, destinations(book), pages).items():
        target = pdf_dir / f"{doc}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["qpdf", "--empty", "--pages", str(book), f"{first}-{last}", "--",
                        str(target)], check=True)
    print(f"{pages} pages in {pdf_dir / BOOK_PDF}; {len(labels)} chapter PDFs in {pdf_dir}/")
    if site is not None and (site / "index.html").is_file():  # a built site offers them
        copy_into_site(pdf_dir, site, sorted(labels))
        print(f"and copied into the site {site}/")


def latex_failure(latex_dir: Path) -> str:
    """The first XeLaTeX error of ``dlf.log``, with the chapter whose text caused it."""
    log_file, tex_file = latex_dir / "dlf.log", latex_dir / "dlf.tex"
    if not log_file.is_file():
        return f"make pdf: XeLaTeX did not run (no {log_file}); see {latex_dir}/make-pdf.log"
    log = log_file.read_text(errors="replace")
    error = re.search(r"^! (.*)$", log, re.M)
    if error is None:
        return f"make pdf: XeLaTeX failed without an error message; see {log_file}"
    where = re.search(r"^l\.(\d+) (.*)\n(.*)$", log[error.start():], re.M)
    line, doc = (int(where.group(1)), "") if where else (0, "")
    tex = tex_file.read_text(errors="replace").splitlines() if tex_file.is_file() else []
    for text in reversed(tex[:line]):
        found = re.search(r"\\label\{\\detokenize\{([^{}]+)::doc\}\}", text)
        if found:
            doc = found.group(1)
            break
    context = f"\n    {where.group(2).strip()}{where.group(3).strip()}" if where else ""
    chapter = f" in {doc}.md" if doc else ""
    return (f"make pdf: XeLaTeX failed{chapter} (dlf.tex line {line}): {error.group(1)}{context}"
            f"\nThe whole log: {log_file}")


def _chapters(book: Path) -> list[str]:
    return [f"{part}/{p.stem}" for part in PARTS for p in sorted((book / part).glob("*.md"))]


if __name__ == "__main__":
    usage = ("usage: python pdf_book.py split <book dir> <latex dir> <pdf dir> [<site dir>]\n"
             "       python pdf_book.py report <latex dir>")
    if len(sys.argv) in (5, 6) and sys.argv[1] == "split":
        site = Path(sys.argv[5]) if len(sys.argv) == 6 else None
        split(Path(sys.argv[3]), Path(sys.argv[4]), _chapters(Path(sys.argv[2])), site)
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        raise SystemExit(latex_failure(Path(sys.argv[2])))
    else:
        raise SystemExit(usage)

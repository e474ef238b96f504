"""Sphinx configuration for Deep Learning Foundations.

Build with ``sphinx-build -c . book _build/html`` (the Makefile does this). The settings make the
build fail closed: any cell error, stderr output, timeout, broken reference or unexecuted chapter
is a warning, and the Makefile turns warnings into errors (``-W --keep-going``).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))  # local Sphinx extensions only, never the package

project = "Deep Learning Foundations"
author = "The Deep Learning Foundations authors"
copyright = "2026, " + author
release = version = "0.1.0"  # as dlf.__version__ and CITATION.cff (tests/test_metadata.py)

extensions = [
    "myst_nb",  # loads myst_parser itself
    "sphinx.ext.mathjax",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_togglebutton",
    "sphinx_proof",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "sphinx_codeautolink",  # names in code cells link to their API entries
    # local extensions (book/_ext)
    "offline_mathjax",  # MathJax served from _static: the site needs no network
    "proof_parallel",  # lets sphinx-proof run under `-j N`
    "codeautolink_book",  # lets sphinx-codeautolink read pages with theorems and listings
    "dlf_book",  # chapter header check, API directive
    "notebooks",  # each chapter offers its executed .ipynb (with outputs) for download
    "claims",  # every result shows its checks; an unchecked, uncited result fails the build
    "wheel",  # the dlf wheel ships at the site's root, for readers outside the repository
    "light_static",  # only the icons the pages use; no source maps or unused theme files
    "search_fold",  # search finds "Lojasiewicz" for "Łojasiewicz"
    "pdf_book",  # `make pdf`: parts, SVG figures as PDF, macros; chapter PDFs in the site
    "lean_pickles",  # no node drags a whole doctree or the environment into the build's pickles
]

exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "_ext", "_static"]
root_doc = "index"

# --- MyST -----------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_dmath_double_inline = True
from wheel import wheel_name  # noqa: E402  (book/_ext, on sys.path above)

WHEEL = wheel_name(ROOT) or "dlf_book.whl"
# {{ version }} and {{ wheel_link }} in the text (the wheel is written to the site's root)
myst_substitutions = {"version": version, "wheel": WHEEL,
                      "wheel_link": f'<a href="{WHEEL}" download>{WHEEL}</a>',
                      "wheel_pip": f"<code>pip install {WHEEL}</code>"}
myst_heading_anchors = 3
# Referenced equations use `$$ ... $$ (eq-label)`; amsmath \label cannot be referenced.

# --- numbering: "(3.2)", "Theorem 3.1", "Figure 3.1", "Exercise 3.4" ---------------------------
numfig = True
math_numfig = True
numfig_secnum_depth = 1
math_eqref_format = "({number})"

# --- execution: fail closed -----------------------------------------------------------------


def _tree_hash(*paths: Path) -> str:
    """Hash of the package sources and the lock file: the execution cache's key.

    jupyter-cache keys a notebook on its code cells only, so a change to ``dlf`` would otherwise
    be hidden behind stale outputs. A new hash means a new, empty cache folder.
    """
    h = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for p in files:
            if "__pycache__" in p.parts:
                continue
            h.update(p.relative_to(ROOT).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


CACHE_KEY = _tree_hash(ROOT / "src" / "dlf", ROOT / "requirements-lock.txt")
# The kernels inherit this process's environment: make sure figures are rendered inline even
# when the caller has set another backend (MPLBACKEND=Agg would silently drop every figure).
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
# Chapters execute in parallel, one per core (-j auto): one math thread per kernel avoids
# oversubscription, and the contention of torch's OpenMP pool with NumPy's BLAS threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
nb_execution_mode = os.environ.get("DLF_EXECUTION_MODE", "cache")
nb_execution_cache_path = str(ROOT / ".jupyter_cache" / CACHE_KEY)
nb_execution_timeout = int(os.environ.get("DLF_CELL_TIMEOUT", "60"))  # seconds per cell
nb_execution_allow_errors = False
nb_execution_raise_on_error = False  # with -W --keep-going every failing chapter is listed
nb_execution_show_tb = True  # the traceback of the failing cell goes into the warning
nb_execution_in_temp = True  # chapters cannot litter the source tree
nb_execution_excludepatterns: list[str] = []
nb_output_stderr = "warn"  # stderr in a cell is a warning, hence an error under -W
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}
nb_ipywidgets_js: dict[str, dict[str, str]] = {}  # no widget CDN scripts
nb_mime_priority_overrides = [
    ("html", "image/svg+xml", 10),
    ("html", "image/png", 20),
    ("latex", "image/svg+xml", 15),  # converted to PDF by book/_ext/pdf_book.py
]

# --- authoring aid: `make chapter CHAPTER=optimization/opt-gd` builds only the named chapters --
# (DLF_ONLY, comma-separated docnames): the other chapters are excluded, executed afresh without
# the cache, and references to the excluded pages are tolerated. The full build never sets it.
ONLY = [d.strip().removesuffix(".md") for d in os.environ.get("DLF_ONLY", "").split(",")
        if d.strip()]
if ONLY:
    PARTS = ("foundations", "networks", "optimization", "training", "generalization",
             "architectures", "generative", "robustness")
    for part in PARTS:
        for page in sorted((ROOT / "book" / part).glob("*.md")):
            if f"{part}/{page.stem}" not in ONLY:
                exclude_patterns.append(f"{part}/{page.name}")
    suppress_warnings = ["toc.excluded", "toc.not_readable"]
    nb_execution_mode = "force"

# --- theorems, exercises, citations ---------------------------------------------------------
# The claims ledger (book/_ext/claims.py): strict, an unchecked and uncited result fails the build.
dlf_claims_strict = True
proof_minimal_theme = True
exercise_style = "solution_follow_exercise"
bibtex_bibfiles = ["book/references.bib",
                   *sorted(f"book/bib/{p.name}" for p in (ROOT / "book" / "bib").glob("*.bib"))]
bibtex_reference_style = "author_year"
bibtex_default_style = "plain"

# --- math macros (one source for the whole book; listed on the notation page) ----------------
MACROS = {
    "R": r"\mathbb{R}",
    "E": r"\mathbb{E}",
    "Prob": r"\mathbb{P}",
    "argmin": r"\operatorname*{arg\,min}",
    "argmax": r"\operatorname*{arg\,max}",
    "tr": r"\operatorname{tr}",
    "diag": r"\operatorname{diag}",
    "norm": [r"\lVert #1 \rVert", 1],
    "inner": [r"\left\langle #1, #2 \right\rangle", 2],
}
mathjax3_config = {"tex": {"macros": MACROS}}

# --- API reference --------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# a parameter is listed with its type only where its docstring describes it ("as in heavy_ball"
# would otherwise leave a list of bare types)
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
# Code cells link each dlf name they call to its API entry, and every API entry lists the chapters
# that call it ("used in"). A chapter's cells are read as one program, as the kernel runs them.
codeautolink_autodoc_inject = True
codeautolink_concat_default = True

# --- nitpicky references, without network ---------------------------------------------------
# No intersphinx (it needs the network). Types from numpy, torch, typing and the docstrings'
# prose types ("float or array_like") cannot resolve offline; references into dlf must resolve.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:(class|obj|data|exc|func|meth|attr)", r"(?!dlf\.).*"),
]

# --- HTML -----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_favicon = "book/_static/favicon.svg"  # a local icon: no request for /favicon.ico
html_static_path = ["book/_static"]
html_css_files = ["dlf.css"]
html_js_files = ["dlf.js"]  # the theme's navigation buttons work at every width
html_last_updated_fmt = None
html_theme_options = {
    "path_to_docs": "book",
    "use_download_button": True,
    "use_fullscreen_button": True,
    "use_source_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "show_navbar_depth": 1,
    "launch_buttons": {},
}
html_show_sourcelink = True

# The book's public addresses: one setting each, overridable when building (e.g. in a deployment:
# DLF_REPOSITORY_URL=https://github.com/<owner>/<repo> make html). With a repository address the
# site shows the repository button and "edit this page" / "open an issue" links, and the notebooks
# name it; with a site address the notebooks link to the web pages. Unset, nothing points nowhere.
REPOSITORY_URL = os.environ.get("DLF_REPOSITORY_URL", "").rstrip("/")
SITE_URL = os.environ.get("DLF_SITE_URL", "").rstrip("/")
if REPOSITORY_URL:
    html_theme_options.update({
        "repository_url": REPOSITORY_URL,
        "repository_branch": os.environ.get("DLF_REPOSITORY_BRANCH", "main"),
        "use_repository_button": True,
        "use_edit_page_button": True,
        "use_issues_button": True,
    })
if SITE_URL:
    html_baseurl = SITE_URL + "/"
# Light or dark as the reader's system prefers (left unset, the theme logs a console error).
html_context = {"default_mode": "auto"}
# Copy buttons on code only (cell inputs, listings, shell commands), never on a cell's output;
# shell and console prompts are left out of the copied text.
copybutton_selector = "div:not(.output) > div.highlight pre"
copybutton_prompt_text = r">>> |\.\.\. |\$ |In \[\d*\]: | {2,5}\.\.\.: "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go, .viewcode-back"  # no "[docs]" in copied source

# --- PDF (`make pdf`: book/_ext/pdf_book.py) ------------------------------------------------
# XeLaTeX (Unicode in cell outputs: Greek letters, <=, x), the book class with parts, chapters
# starting on any page (a PDF read on screen), no index (the site has search).
latex_engine = "xelatex"
latex_documents = [("index", "dlf.tex", project, author, "manual", False)]
latex_appendices = [doc for doc in ("appendix/notation", "appendix/checks", "appendix/errata",
                                     "appendix/bibliography")
                    if (ROOT / "book" / f"{doc}.md").is_file()]  # (tiny test books have none)
latex_toplevel_sectioning = "chapter"
latex_domain_indices = False
latex_use_xindy = False
latex_show_urls = "no"
latex_show_pagerefs = False
from pdf_book import latex_macros  # noqa: E402  (book/_ext, on sys.path above)

latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "extraclassoptions": "openany,oneside",
    "printindex": "",
    "makeindex": "",
    "figure_align": "H",
    "releasename": "Version",
    "fncychap": "\\usepackage[Sonny]{fncychap}",  # "Chapter 7" in digits, as results are numbered
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
    "preamble": "\\usepackage{amsmath,amssymb,mathtools}\n" + latex_macros(MACROS) + "\n"
                # a proof: "*Proof.* ...", and a square at its end (pdf_book.py)
                "\\newenvironment{dlfproof}{\\par\\medskip}"
                "{\\nobreak\\hfill\\(\\square\\)\\par\\medskip}",
}

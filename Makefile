# Deep Learning Foundations: the commands a reader uses.
#
#   make html       build the book into _build/html (creates .venv and installs on first use)
#   make pdf        the whole book as one PDF, and one PDF per chapter, in _build/pdf (needs
#                   TeX Live: see README); a later `make html` offers them in the download menus
#   make test       lint + unit tests + PDF + strict book build + tests of the built site + sweep
#   make sweep      every chapter again with shifted seeds and other CPU kernels
#   make dist       the package's wheel and sdist in dist/ (the site ships the wheel too)
#   make notebooks  the chapters as executed Jupyter notebooks in _build/notebooks (and a .zip)
#   make serve      serve _build/html on http://localhost:$(PORT)
#   make clean      remove build products
#   make distclean  also remove .venv and the execution cache

PYTHON    ?= python3
VENV      ?= .venv
PORT      ?= 8000
JOBS      ?= auto
TESTJOBS  ?= 2
BUILDDIR  ?= _build
BOOKDIR   ?= book
CONFDIR   ?= .
BIN       := $(VENV)/bin
PY        := $(BIN)/python
STAMP     := $(VENV)/.dlf-installed
LOCK      := requirements-lock.txt
SPHINXOPTS ?=
comma     := ,
export DLF_ONLY DLF_PDF_LINKS
# -E: read every page afresh (a failure never disappears on a re-run); -n: nitpicky references;
# -W --keep-going: every warning is an error, and all of them are reported before failing.
# -d: Sphinx's pickled doctrees stay out of the published folder (they would double its size).
SPHINX    := $(BIN)/sphinx-build -E -n -W --keep-going -j $(JOBS) -c $(CONFDIR) -b html \
             -d $(BUILDDIR)/doctrees -w $(BUILDDIR)/warnings.log $(SPHINXOPTS) $(BOOKDIR) \
             $(BUILDDIR)/html

.PHONY: chapter html pdf notebooks dist test lint unit book-tests site-tests sweep sweep-site serve clean distclean install lock

html: $(STAMP)
	@mkdir -p $(BUILDDIR)
	@rm -f $(BUILDDIR)/warnings.log $(BUILDDIR)/doctrees/.html-ok
	@start=$$(date +%s); \
	if $(SPHINX); then \
	  touch $(BUILDDIR)/doctrees/.html-ok; \
	  echo "Book built in $$(( $$(date +%s) - start )) s: open $(BUILDDIR)/html/index.html or run 'make serve'"; \
	else \
	  $(PY) book/_ext/build_report.py $(BUILDDIR)/warnings.log; exit 1; \
	fi

# The book as a PDF through Sphinx's LaTeX builder and XeLaTeX, then one PDF per chapter (copied
# into the site if one is built). After a successful `make html` the LaTeX build reuses the pages
# it read (.html-ok; Sphinx still re-reads any page edited since); otherwise it reads all (-E).
LATEX     := $(BIN)/sphinx-build -n -W --keep-going -j $(JOBS) -c $(CONFDIR) -b latex \
             -d $(BUILDDIR)/doctrees -w $(BUILDDIR)/warnings-latex.log $(SPHINXOPTS) \
             $(BOOKDIR) $(BUILDDIR)/latex
PDFTOOLS  := xelatex latexmk rsvg-convert pdfinfo pdftotext qpdf
pdf: $(STAMP)
	@for t in $(PDFTOOLS); do command -v $$t >/dev/null || { echo "make pdf needs $$t: install TeX Live and the PDF tools, e.g. on Debian/Ubuntu: sudo apt-get install texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended tex-gyre fonts-freefont-otf latexmk librsvg2-bin poppler-utils qpdf"; exit 1; }; done
	@mkdir -p $(BUILDDIR)
	@rm -f $(BUILDDIR)/warnings-latex.log
	@start=$$(date +%s); \
	fresh=$$(test -f $(BUILDDIR)/doctrees/.html-ok || echo -E); \
	if ! $(LATEX) $$fresh; then $(PY) book/_ext/build_report.py $(BUILDDIR)/warnings-latex.log; exit 1; fi; \
	if ! $(MAKE) --no-print-directory -C $(BUILDDIR)/latex LATEXMKOPTS="-xelatex -silent -halt-on-error" all-pdf >$(BUILDDIR)/latex/make-pdf.log 2>&1; then \
	  $(PY) book/_ext/pdf_book.py report $(BUILDDIR)/latex; exit 1; fi; \
	$(PY) book/_ext/pdf_book.py split $(BOOKDIR) $(BUILDDIR)/latex $(BUILDDIR)/pdf $(BUILDDIR)/html && \
	echo "PDF built in $$(( $$(date +%s) - start )) s: $(BUILDDIR)/pdf/deep-learning-foundations.pdf"

# Authoring aid: build only some chapters, e.g. make chapter CHAPTER=optimization/opt-gd
# (comma-separated; executes them afresh into _build/chapter-*). Not a substitute for `make html`.
chapter: $(STAMP)
	@test -n "$(CHAPTER)" || { echo "usage: make chapter CHAPTER=<part>/<id>[,...]"; exit 2; }
	@$(MAKE) --no-print-directory html DLF_ONLY=$(CHAPTER) \
	  BUILDDIR=$(BUILDDIR)/chapter-$(subst /,-,$(subst $(comma),+,$(CHAPTER)))

# Every chapter as an executed .ipynb (the page's download), in one folder and one zip.
notebooks: html
	@$(PY) $(CONFDIR)/book/_ext/notebooks.py $(BUILDDIR)/html $(BUILDDIR)/notebooks

# The companion package as a wheel and an sdist (distribution dlf-book, import name dlf).
dist: $(STAMP)
	@rm -rf dist
	@$(PY) book/_ext/wheel.py dist

install: $(STAMP)

# (Re)install whenever the package metadata or the pinned versions change.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[book,test]"
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check src tests book/_ext conf.py

unit: $(STAMP)
	$(BIN)/pytest -m "not book and not site" -q -n $(TESTJOBS)

# The failure modes of the build, on tiny temporary books built with this conf.py.
book-tests: $(STAMP)
	$(BIN)/pytest -m book -q -n $(TESTJOBS)

# Tests of the built site in _build/html (run after `make html`).
site-tests: $(STAMP)
	$(BIN)/pytest -m site -q -n $(TESTJOBS)

# The robustness sweep: every chapter executed again (outside Sphinx) with every seed shifted and
# other floating-point kernels; a check that passed by luck fails here, named with its chapter.
# SWEEP=<part>/<id>[,...] limits it to some chapters (authoring aid).
sweep: $(STAMP)
	$(PY) book/_ext/sweep.py $(subst $(comma), ,$(SWEEP))

# In `make test` the sweep's first perturbation (shifted seeds, generic kernels) runs each page's
# downloaded notebook (built by `html`): one run shows that the download runs in a fresh kernel
# and survives the perturbation. `make sweep` runs every perturbation on the sources.
sweep-site: $(STAMP)
	$(PY) book/_ext/sweep.py --site $(BUILDDIR)/html --first 1

# The site first (its download menus promise the PDFs), then the PDF from the same pages, copied
# into the site; the site tests check both.
test: lint unit book-tests
	@$(MAKE) --no-print-directory html DLF_PDF_LINKS=1
	@$(MAKE) --no-print-directory pdf
	@$(MAKE) --no-print-directory site-tests sweep-site
	@echo "make test: all checks passed"

serve:
	@test -f $(BUILDDIR)/html/index.html || { echo "No built book: run 'make html' first"; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILDDIR)/html

clean:
	rm -rf $(BUILDDIR) dist .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .jupyter_cache src/*.egg-info

# Refresh the pinned versions from the current environment (maintainers only).
lock: $(STAMP)
	@{ echo "# Exact versions that resolve together (Python 3.11, CPU). Used as pip constraints by the Makefile."; \
	   echo "# Regenerate with: make lock"; \
	   $(PY) -m pip freeze --exclude-editable | grep -v '^dlf' | sed 's/^torch==\([0-9.]*\)+cpu/torch==\1/'; } > $(LOCK)

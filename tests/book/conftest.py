"""Fixtures: tiny books built with the project's own conf.py and Makefile, and the built site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("DLF_HTML", ROOT / "_build" / "html"))  # the site under test
PART_FOLDERS = ("foundations", "networks", "optimization", "training", "generalization",
                "architectures", "generative", "robustness")

HEADER = textwrap.dedent("""\
    ---
    jupytext:
      text_representation: {extension: .md, format_name: myst}
    kernelspec: {name: python3, display_name: Python 3, language: python}
    ---
    """)

GOOD_CHAPTER = HEADER + textwrap.dedent("""\
    # A tiny chapter

    $$ a^2 + b^2 = c^2 $$ (eq-tiny)

    Equation {eq}`eq-tiny` is checked below.

    ```{code-cell} ipython3
    import os
    from dlf import checks
    with open(os.environ["DLF_TEST_MARKER"], "a") as fh:
        fh.write("run\\n")
    checks.check_close("hypotenuse", (3.0**2 + 4.0**2) ** 0.5, 5.0)
    ```
    """)


@dataclass
class TinyBook:
    """A copy of the project's build machinery with a one-chapter book in ``book/``."""

    root: Path
    marker: Path

    @property
    def chapter(self) -> Path:
        return self.root / "book" / "optimization" / "tiny.md"

    def write_chapter(self, text: str) -> None:
        self.chapter.write_text(text)

    def executions(self) -> int:
        """How many times the chapter's first cell has run (it appends to the marker file)."""
        return len(self.marker.read_text().splitlines()) if self.marker.exists() else 0

    def build(self, jobs: int = 1, target: str = "html",
              **env: str) -> subprocess.CompletedProcess[str]:
        """Run ``make html`` (or ``target``) of the real Makefile on this book; return the
        finished process."""
        full_env = {
            **os.environ,
            "PYTHONPATH": str(self.root / "src"),  # the kernel imports this copy of dlf
            "DLF_TEST_MARKER": str(self.marker),
            **env,
        }
        cmd = ["make", "--no-print-directory", "-C", str(ROOT), target,
               f"CONFDIR={self.root}", f"BOOKDIR={self.root / 'book'}",
               f"BUILDDIR={self.root / '_build'}", f"JOBS={jobs}"]
        proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=600)
        proc.output = proc.stdout + proc.stderr  # type: ignore[attr-defined]
        return proc


@pytest.fixture
def tiny_book(tmp_path: Path) -> TinyBook:
    if not (Path(sys.prefix) / "bin" / "sphinx-build").exists():
        pytest.fail("sphinx-build is not installed in this environment: run `make install`")
    proj = tmp_path / "proj"
    (proj / "book" / "optimization").mkdir(parents=True)
    shutil.copy(ROOT / "conf.py", proj / "conf.py")
    shutil.copy(ROOT / "requirements-lock.txt", proj / "requirements-lock.txt")
    shutil.copytree(ROOT / "src" / "dlf", proj / "src" / "dlf",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "book" / "_ext", proj / "book" / "_ext",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "book" / "_static", proj / "book" / "_static")
    shutil.copy(ROOT / "book" / "references.bib", proj / "book" / "references.bib")
    (proj / "book" / "index.md").write_text(textwrap.dedent("""\
        # Tiny book

        ```{toctree}
        :numbered: 2

        optimization/tiny
        ```
        """))
    book = TinyBook(root=proj, marker=tmp_path / "executions.txt")
    book.write_chapter(GOOD_CHAPTER)
    return book


def chapter_sources() -> list[Path]:
    return sorted(p for part in PART_FOLDERS for p in (ROOT / "book" / part).glob("*.md"))


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail("no built site in _build/html: run `make html` (make test does it) first")
    return HTML

"""Every module the project imports directly is declared in pyproject.toml.

A package that arrives only as somebody else's dependency can vanish in the next release of that
package. This test reads every ``import`` of ``src/``, ``tests/``, ``book/_ext/``, ``conf.py`` and
the chapters' code cells, maps each top-level module to the distribution that installs it, and
fails naming any that pyproject.toml does not declare (as a dependency or in an extra).
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + [r for extra in meta.get("optional-dependencies", {})
                                         .values() for r in extra]
    return {_norm(re.match(r"[A-Za-z0-9_.\-]+", r).group(0)) for r in reqs}


def imports_of(code: str) -> set[str]:
    # IPython magics (%pip, !cmd) are not Python: drop those lines before parsing
    code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))
    mods = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods.add(node.module.split(".")[0])
    return mods


def project_imports() -> dict[str, set[str]]:
    """Top-level module -> files that import it."""
    found: dict[str, set[str]] = {}
    files = [*ROOT.glob("src/**/*.py"), *ROOT.glob("tests/**/*.py"),
             *ROOT.glob("book/_ext/*.py"), ROOT / "conf.py"]
    sources = [(f, f.read_text()) for f in files]
    from myst_nb.core.read import read_myst_markdown_notebook

    for md_file in ROOT.glob("book/*/*.md"):
        nb = read_myst_markdown_notebook(md_file.read_text(), path=md_file)
        for cell in nb.cells:
            if cell.cell_type == "code":
                sources.append((md_file, cell.source))
    for path, code in sources:
        for mod in imports_of(code):
            found.setdefault(mod, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_direct_import_is_declared():
    dists = md.packages_distributions()
    local = {"dlf", "tests", "conftest", "conf"} | {p.stem for p in ROOT.glob("book/_ext/*.py")}
    ours = declared()
    missing = {}
    for mod, where in sorted(project_imports().items()):
        if mod in sys.stdlib_module_names or mod in local or mod == "__future__":
            continue
        names = {_norm(d) for d in dists.get(mod, [])}
        assert names, f"module {mod!r} (imported in {sorted(where)}) is not installed"
        if not names & ours:
            missing[mod] = (sorted(names), sorted(where))
    assert not missing, ("imported but not declared in pyproject.toml (module: distributions, "
                         f"files): {missing}")


def test_the_check_sees_imports():
    # the scan itself works: it finds a chapter-only import and a package import
    found = project_imports()
    assert "numpy" in found and "torch" in found
    assert any(w.endswith(".md") for w in found["numpy"])

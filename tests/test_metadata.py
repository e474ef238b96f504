"""One version number for the package, the book and its citation file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import dlf

ROOT = Path(__file__).resolve().parents[1]


def test_versions_agree():
    conf = re.search(r'^release = version = "([^"]+)"', (ROOT / "conf.py").read_text(), re.M)
    cff = re.search(r'^version: "([^"]+)"', (ROOT / "CITATION.cff").read_text(), re.M)
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    versions = {"dlf.__version__": dlf.__version__, "conf.py": conf and conf.group(1),
                "CITATION.cff": cff and cff.group(1), "pyproject.toml": meta.get("version")}
    assert len(set(versions.values())) == 1, versions


def test_licence_files_exist():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "Attribution 4.0" in (ROOT / "LICENSE-TEXT.md").read_text()

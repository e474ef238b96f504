"""The companion package ships with the site: ``dlf_book-<version>-py3-none-any.whl`` at its root.

A reader who has only the website, or only a downloaded notebook, installs ``dlf`` from this wheel
(``%pip install dlf_book-<version>-py3-none-any.whl``). The wheel is built once per book build from
a clean copy of the project's package files (so the source tree is not littered with ``build/``
and ``egg-info`` folders) with the pip of the build's own environment, offline
(``--no-build-isolation``: setuptools comes from the same environment). A build from a folder
without ``pyproject.toml`` (the tiny test books) has no package to ship and skips this step.

Run as a script, ``python wheel.py <dest dir>`` builds the wheel and the sdist into ``dest``
(``make dist``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

#: the files a wheel or an sdist is made from
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT.md")


def wheel_name(root: Path) -> str | None:
    """The wheel's file name for the project at ``root`` (None if there is no project)."""
    meta_file = root / "pyproject.toml"
    if not meta_file.is_file():
        return None
    meta = tomllib.loads(meta_file.read_text())["project"]
    dist = meta["name"].replace("-", "_")
    return f"{dist}-{meta['version']}-py3-none-any.whl"


def build(root: Path, dest: Path, *, sdist: bool = False) -> list[Path]:
    """Build the wheel (and the sdist) of the project at ``root`` into ``dest``."""
    dest = dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlf-dist-") as tmp:
        src = Path(tmp) / "project"
        src.mkdir()
        for name in PACKAGE_FILES:
            if (root / name).is_file():
                shutil.copy(root / name, src / name)
        shutil.copytree(root / "src" / "dlf", src / "src" / "dlf",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
               "--quiet", "-w", str(dest), str(src)]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        if sdist:
            code = ("import sys, setuptools.build_meta as b; "
                    "print(b.build_sdist(sys.argv[1]))")
            subprocess.run([sys.executable, "-c", code, str(dest)], cwd=src, check=True,
                           capture_output=True, text=True)
    return sorted(dest.iterdir())


def _build_wheel(app) -> None:
    root = Path(app.confdir)
    name = wheel_name(root)
    if name is None or app.builder.format != "html":
        return
    out = Path(app.outdir).parent / "wheel"
    if out.exists():
        shutil.rmtree(out)
    try:
        build(root, out)
    except subprocess.CalledProcessError as err:
        from sphinx.util import logging

        logging.getLogger(__name__).warning("could not build the wheel %s: %s", name,
                                            (err.stderr or err.stdout or "").strip()[-2000:],
                                            type="dlf", subtype="wheel")
        return
    app.dlf_wheel = out / name  # type: ignore[attr-defined]


def _copy_wheel(app, exception) -> None:
    wheel = getattr(app, "dlf_wheel", None)
    if exception is None and wheel is not None and wheel.is_file():
        shutil.copy(wheel, Path(app.outdir) / wheel.name)


def setup(app):
    app.connect("builder-inited", _build_wheel)
    app.connect("build-finished", _copy_wheel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python wheel.py <destination dir>")
    for path in build(Path(__file__).resolve().parents[2], Path(sys.argv[1]), sdist=True):
        print(f"{path} ({path.stat().st_size / 1024:.0f} KiB)")

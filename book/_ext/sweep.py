"""The robustness sweep: every chapter runs again with shifted seeds and other CPU kernels.

A check in this book asserts what is true of every run: of every seed, and of every machine. The
book build runs each chapter once, on this machine's fastest kernels and with the published seeds.
This script runs each chapter again, outside Sphinx (myst-nb's reader and nbclient, as the build
does), under perturbations that a correct chapter must survive, and fails naming the chapter, the
perturbation and the check.

Perturbations
-------------
Each chapter runs once per *perturbation*; the default set combines a seed shift with kernels:

``seed+1, generic kernels``
    every seed shifted by 1 (``seed_shift.py``, an IPython start-up file; no chapter is edited),
    torch's scalar CPU kernels (``ATEN_CPU_CAPABILITY=default``), MKL's compatible code path
    (``MKL_CBWR=COMPATIBLE``), and OpenBLAS's generic x86-64 kernels for NumPy
    (``OPENBLAS_CORETYPE=Prescott``).
``seed+2, AVX2 kernels``
    every seed shifted by 2, torch's AVX2 kernels (``ATEN_CPU_CAPABILITY=avx2``,
    ``MKL_ENABLE_INSTRUCTIONS=AVX2``) and OpenBLAS's Haswell kernels.

A kernel choice that the CPU cannot run (AVX2 on a CPU without it) is left out of that
perturbation and the line says so. The normal build and the unit tests never set these variables.
A different summation order changes a float by a few units in the last place, and a chaotic
trajectory (a training run past an instability) by everything: a check that passes here is robust
to both.

False alarms
------------
A Monte Carlo check with a tolerance of ``k`` standard errors fails by chance with probability at
most about ``2 * Phi(-k)`` per run (Gaussian limit): ``6.8e-6`` at ``k = 4.5``, ``5.7e-7`` at
``k = 5``. The book's rule is ``k >= 4.5``, and ``k = 5`` for all but a few: in 13 chapters about
300 check lines quote standard errors, fewer than 50 of them at ``k = 4.5``. By the union bound one
run of the whole book (the build, or one perturbation) raises a false alarm with probability below
``50 * 6.8e-6 + 250 * 5.7e-7 = 4.8e-4``, and the sweep's two perturbed runs below ``9.6e-4``:
under 1 in 1,000. New Monte Carlo checks use ``k = 5`` (or more), which keeps the budget as the
book grows: at ``k = 5`` a thousand checks cost ``5.7e-4`` per run.

Usage
-----
``python book/_ext/sweep.py [options] [CHAPTER ...]`` where a chapter is ``<part>/<id>`` (all
chapters when none is named). ``--shifts 3,4,5`` runs those seed shifts on the native kernels
instead of the default set (for authors: try a new chapter on many seeds); ``--jobs`` sets how many
chapters run at once (default: the number of cores). ``--site DIR`` (``make test`` passes the built
site) runs the first perturbation on the notebook each chapter page offers for download instead of
the chapter's source: one run then shows both that the download runs top to bottom in a fresh
kernel and that its checks survive the perturbation (the site tests no longer run it separately).
``--first N`` runs only the first N perturbations: ``make test`` runs the first (``--site``,
``--first 1``: generic kernels and shifted seeds, the furthest from the build's run) to keep CI
under 30 minutes; ``make sweep`` runs both.
Exit status 1 when any run fails; every failure is listed at the end as
``chapter [perturbation]: check``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PART_FOLDERS = ("foundations", "networks", "optimization", "training", "generalization",
                "architectures", "generative", "robustness")
#: seconds a cell may take under the sweep (generic kernels are slower than the build's)
CELL_TIMEOUT = int(os.environ.get("DLF_SWEEP_CELL_TIMEOUT", "180"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Perturbation:
    """A seed shift and a choice of floating-point kernels (environment variables)."""

    name: str
    seed_shift: int
    env: dict[str, str] = field(default_factory=dict)


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    m = re.search(r"^flags\s*:\s*(.*)$", text, re.M)
    return set(m.group(1).split()) if m else set()


def default_perturbations() -> list[Perturbation]:
    """The two perturbed runs of ``make test``: each combines a seed shift with other kernels."""
    x86 = os.uname().machine in ("x86_64", "AMD64")
    generic = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}
    if x86:
        generic["OPENBLAS_CORETYPE"] = "Prescott"
    runs = [Perturbation("seed+1, generic kernels", 1, generic)]
    if x86 and "avx2" in cpu_flags():
        runs.append(Perturbation("seed+2, AVX2 kernels", 2, {
            "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
            "OPENBLAS_CORETYPE": "Haswell"}))
    else:
        runs.append(Perturbation("seed+2, native kernels (no AVX2 on this CPU)", 2))
    return runs


def all_chapters() -> list[str]:
    out = []
    for part in PART_FOLDERS:
        out += [f"{part}/{p.stem}" for p in sorted((ROOT / "book" / part).glob("*.md"))]
    return out


def read_chapter(chapter: str):
    """The chapter as a notebook, read by myst-nb exactly as the build reads it."""
    from myst_nb.core.read import read_myst_markdown_notebook

    path = ROOT / "book" / f"{chapter}.md"
    if not path.is_file():
        raise SystemExit(f"sweep: no chapter {chapter!r} (expected {path})")
    return read_myst_markdown_notebook(path.read_text(), path=path)


def downloaded_notebook(site: Path, chapter: str):
    """The executed notebook the chapter's page in ``site`` offers for download (its link)."""
    import nbformat

    page = site / f"{chapter}.html"
    if not page.is_file():
        raise FileNotFoundError(f"no page {page} in the built site (run `make html` first)")
    m = re.search(r'href="([^"]+\.ipynb)"', page.read_text(encoding="utf-8"))
    if not m:
        raise FileNotFoundError(f"{page} offers no .ipynb download")
    return nbformat.read((page.parent / m.group(1)).resolve(), as_version=4)


def failing_check(ename: str, evalue: str, traceback: list[str]) -> str:
    """The most telling line of a cell error: the failed check (``... FAILED``) if there is one."""
    if evalue.rstrip().endswith("FAILED"):
        return evalue.strip()
    lines = [ANSI.sub("", ln).rstrip() for tb in traceback for ln in tb.splitlines()]
    failed = [ln for ln in lines if ln.endswith("FAILED")]
    return failed[-1].split("AssertionError: ", 1)[-1].strip() if failed else f"{ename}: {evalue}"


def cell_failures(nb) -> list[str]:
    """Every error and stderr output in an executed notebook, in order, with its cell number."""
    out = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code, 1):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append(f"cell {i}: " + failing_check(o.get("ename", ""), o.get("evalue", ""),
                                                         o.get("traceback", [])))
            elif o.get("output_type") == "stream" and o.get("name") == "stderr":
                first = o.get("text", "").strip().splitlines() or [""]
                out.append(f"cell {i}: wrote to stderr: {first[0]}")
    return out


def run_one(chapter: str, pert: Perturbation, workdir: Path,
            site: Path | None = None) -> tuple[list[str], float]:
    """Execute ``chapter`` under ``pert`` in a fresh kernel; return (failures, seconds).

    The chapter runs to its end even when a cell fails, so that every failing check is listed
    (a failure early in a chapter may cause later ones: the first is the one to read). With
    ``site``, the notebook that the chapter's page in the built site offers for download runs
    instead of the source (the same cells, as a reader gets them).
    """
    import nbclient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if site is None:
        nb = read_chapter(chapter)
    else:
        try:
            nb = downloaded_notebook(site, chapter)
        except (OSError, ValueError) as exc:
            return [f"downloaded notebook: {exc}"], 0.0
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    run_dir = Path(tempfile.mkdtemp(prefix=chapter.replace("/", "-") + "-", dir=workdir))
    ipdir = run_dir / "ipython"
    startup = ipdir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("seed_shift.py"), startup / "00-dlf-seed-shift.py")
    env = {**os.environ, **pert.env, "IPYTHONDIR": str(ipdir),
           "DLF_SEED_SHIFT": str(pert.seed_shift),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(run_dir)}},
                                     allow_errors=True)
    start = time.perf_counter()
    try:
        # the kernel's own log (e.g. its transport warning) is not a finding of the sweep
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except (CellTimeoutError, DeadKernelError) as exc:
        return cell_failures(nb) + [f"{type(exc).__name__}: {str(exc).splitlines()[0]}"], \
            time.perf_counter() - start
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return cell_failures(nb), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="<part>/<id> (default: every chapter)")
    ap.add_argument("--shifts", help="comma-separated seed shifts on native kernels instead of "
                    "the default perturbations")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--site", type=Path, help="built site (e.g. _build/html): the first "
                    "perturbation runs each chapter's downloaded notebook instead of its source")
    ap.add_argument("--first", type=int, metavar="N", help="only the first N perturbations "
                    "(`make test` runs the first one, with --site; `make sweep` runs them all)")
    args = ap.parse_args(argv)
    if args.first is not None and args.first < 1:
        ap.error(f"--first must be at least 1 (got {args.first})")
    chapters = [c.removesuffix(".md").removeprefix("book/") for c in args.chapters] \
        or all_chapters()
    if args.shifts:
        perts = [Perturbation(f"seed+{k}, native kernels", int(k))
                 for k in args.shifts.split(",")]
    else:
        perts = default_perturbations()
    perts = perts[:args.first] if args.first else perts
    # with --site, the first perturbation of each chapter runs the page's downloaded notebook
    jobs = [(c, p, args.site if (args.site and p is perts[0]) else None)
            for c in chapters for p in perts]
    # longest first keeps both cores busy to the end; chapter order is a fair proxy
    print(f"sweep: {len(chapters)} chapter(s) x {len(perts)} perturbation(s) on "
          f"{args.jobs} worker(s): " + "; ".join(p.name + (
              " [" + " ".join(f"{k}={v}" for k, v in p.env.items()) + "]" if p.env else "")
              for p in perts), flush=True)
    start = time.perf_counter()
    failures = []
    with tempfile.TemporaryDirectory(prefix="dlf-sweep-") as tmp, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, c, p, Path(tmp), site): (c, p, site)
                   for c, p, site in jobs}
        for fut, (c, p, site) in futures.items():
            found, secs = fut.result()
            what = " (downloaded notebook)" if site else ""
            print(f"  {'FAIL' if found else 'ok  '} {c} [{p.name}]{what} {secs:5.1f} s",
                  flush=True)
            for msg in found:
                print(f"       {msg}", flush=True)
                failures.append(f"{c} [{p.name}] {msg}")
    total = time.perf_counter() - start
    if failures:
        runs = len({f.split("] ", 1)[0] for f in failures})
        print(f"\nROBUSTNESS SWEEP FAILED ({runs} of {len(jobs)} runs, {len(failures)} "
              f"failing cell(s), {total:.0f} s):")
        for f in failures:
            print("  " + f)
        return 1
    print(f"sweep: all {len(jobs)} runs passed in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())

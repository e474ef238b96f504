"""The robustness sweep catches checks that pass by luck, and only those.

A tiny book holds one chapter with three checks: one true only of the published seed, one that
asserts a float32 sum to more digits than its summation order fixes, and a correct Monte Carlo
check (a tolerance in standard errors). The sweep (``book/_ext/sweep.py``, run as ``make test``
runs it) must flag the first two, naming chapter, perturbation and check, and pass the third.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from .conftest import GOOD_CHAPTER, ROOT

pytestmark = pytest.mark.book

FLOAT32_DOT = "float(a @ a)"
SETUP = ("a = np.sin(np.linspace(0.0, 1.0, 100_003)).astype(np.float32)\n")


def native_float32_dot() -> float:
    """The float32 dot product on this machine's native BLAS kernels (as the build sees it)."""
    code = "import numpy as np\n" + SETUP + f"print(repr({FLOAT32_DOT}))"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout)


def lucky_chapter(dot: float) -> str:
    seed0_mean = float(np.random.default_rng(0).standard_normal(1000).mean())
    return GOOD_CHAPTER + textwrap.dedent(f"""\

        ```{{code-cell}} ipython3
        import numpy as np
        x = np.random.default_rng(0).standard_normal(1000)
        checks.check_close("seed-0 mean", x.mean(), {seed0_mean!r}, rtol=1e-12)
        ```

        ```{{code-cell}} ipython3
        {SETUP.strip()}
        checks.check_close("float32 sum of squares", {FLOAT32_DOT}, {dot!r}, rtol=1e-9)
        ```

        ```{{code-cell}} ipython3
        z = np.random.default_rng(1).standard_normal(10_000)
        checks.check_le("|sample mean| in standard errors", abs(z.mean()) / 0.01, 4.5)
        ```
        """)


def run_sweep(book, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(book.root / "src"),
           "DLF_TEST_MARKER": str(book.marker)}
    return subprocess.run([sys.executable, str(book.root / "book" / "_ext" / "sweep.py"),
                           *args, "optimization/tiny"], env=env, capture_output=True, text=True,
                          timeout=600)


def test_sweep_passes_a_correct_chapter(tiny_book):
    proc = run_sweep(tiny_book)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all 2 runs passed" in proc.stdout
    assert tiny_book.executions() == 2  # the chapter really ran under both perturbations


def test_sweep_catches_luck_and_summation_order(tiny_book):
    if os.uname().machine not in ("x86_64", "AMD64"):
        pytest.skip("the generic-kernel perturbation is defined for x86-64 OpenBLAS")
    tiny_book.write_chapter(lucky_chapter(native_float32_dot()))
    proc = run_sweep(tiny_book)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "ROBUSTNESS SWEEP FAILED" in out
    # (a) a check true only of seed 0 fails under every seed shift, named with its perturbation
    assert "optimization/tiny [seed+1, generic kernels] cell 2: seed-0 mean" in out, out
    assert "optimization/tiny [seed+2," in out and "cell 2: seed-0 mean" in out, out
    # (b) a float32 sum asserted to 1e-9 depends on the BLAS kernel's summation order
    assert "[seed+1, generic kernels] cell 3: float32 sum of squares" in out, out
    # (c) a correct Monte Carlo check (4.5 standard errors) is never flagged
    assert "cell 4" not in out, out


def test_sweep_runs_the_downloaded_notebook_with_site(tiny_book, tmp_path):
    # without a built site the chapter fails, named, instead of silently running the source
    proc = run_sweep(tiny_book, "--site", str(tmp_path / "no-site"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "optimization/tiny [seed+1, generic kernels] downloaded notebook: no page" in \
        proc.stdout, proc.stdout
    assert tiny_book.build().returncode == 0
    built = tiny_book.executions()
    proc = run_sweep(tiny_book, "--site", str(tiny_book.root / "_build" / "html"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "optimization/tiny [seed+1, generic kernels] (downloaded notebook)" in proc.stdout
    assert tiny_book.executions() == built + 2  # the notebook and the source both ran


def test_sweep_first_runs_only_the_first_perturbations(tiny_book):
    proc = run_sweep(tiny_book, "--first", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 perturbation(s)" in proc.stdout and "seed+2" not in proc.stdout, proc.stdout
    proc = run_sweep(tiny_book, "--first", "0")
    assert proc.returncode == 2 and "--first must be at least 1" in proc.stderr, proc.stderr


def test_sweep_shifts_run_on_native_kernels(tiny_book):
    tiny_book.write_chapter(lucky_chapter(native_float32_dot()))
    proc = run_sweep(tiny_book, "--shifts", "0")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the published seed, native kernels
    assert "[seed+0, native kernels]" in proc.stdout


def test_seed_shift_hook_shifts_every_generator():
    code = textwrap.dedent(f"""\
        import random, runpy
        import numpy as np, torch
        torch.manual_seed(7)
        ref = (np.random.default_rng(7).random(), None, torch.rand(1).item())
        random.seed(7); ref_py = random.random()
        np.random.seed(7); ref_np = np.random.rand()
        ref_gen = torch.rand(1, generator=torch.Generator().manual_seed(7)).item()
        ref_seq = np.random.default_rng([7, 9]).random()
        runpy.run_path({str(ROOT / "book" / "_ext" / "seed_shift.py")!r})
        assert np.random.default_rng(4).random() == ref[0]
        assert np.random.default_rng([4, 9]).random() == ref_seq
        g = np.random.default_rng(np.random.default_rng(4))  # a Generator passes through
        torch.manual_seed(4); assert torch.rand(1).item() == ref[2]
        assert torch.rand(1, generator=torch.Generator().manual_seed(4)).item() == ref_gen
        random.seed(4); assert random.random() == ref_py
        np.random.seed(4); assert np.random.rand() == ref_np
        print("shifted")
        """)
    env = {**os.environ, "DLF_SEED_SHIFT": "3"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "shifted" in proc.stdout, proc.stdout + proc.stderr

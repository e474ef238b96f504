"""Tests of dlf.checks: each helper passes on true claims, fails on false ones with the numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlf import checks


def test_check_close_passes_and_prints(capsys):
    assert checks.check_close("pi", 3.14159265, np.pi, rtol=1e-8) is None
    out = capsys.readouterr().out
    assert out == "pi: 3.14159 vs expected 3.14159, |diff| 3.6e-09 (rtol 1e-08)  ok\n"


def test_check_close_fails_with_numbers():
    with pytest.raises(AssertionError, match=r"e: 2\.7 vs expected 2\.71828.*FAILED"):
        checks.check_close("e", 2.7, np.e, rtol=1e-3)


def test_check_close_arrays_and_atol():
    checks.check_close("vec", [1.0, 2.0 + 1e-9], [1.0, 2.0], atol=1e-8, rtol=0)
    with pytest.raises(AssertionError, match=r"max \|diff\| 0.1 over 2 entries.*"
                       r"worst entry \(1,\): 2.1 vs 2"):
        checks.check_close("vec", [1.0, 2.1], [1.0, 2.0], rtol=1e-3)


def test_check_close_rejects_nan_and_bad_tolerances():
    with pytest.raises(AssertionError, match="not finite"):
        checks.check_close("x", np.nan, 1.0)
    with pytest.raises(ValueError, match="rtol must be finite and >= 0"):
        checks.check_close("x", 1.0, 1.0, rtol=-1)
    with pytest.raises(ValueError, match="do not broadcast"):
        checks.check_close("x", [1.0, 2.0], [1.0, 2.0, 3.0])


def test_check_le_ge(capsys):
    checks.check_le("contraction", 0.9802, 0.99)
    assert "contraction: 0.9802 <= bound 0.99 (measured/bound 0.99)  ok" in \
        capsys.readouterr().out
    checks.check_ge("accuracy", 0.95, 0.9)
    assert "accuracy: 0.95 >= bound 0.9 (bound/measured 0.947)  ok" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"gap: 1.5 <= bound 1 \(measured/bound 1.5\)  FAILED"):
        checks.check_le("gap", 1.5, 1.0)
    with pytest.raises(AssertionError, match=r"gaps: 1 of 2 entries >= bound, tightest margin "
                       r"-0\.5; worst entry \(1,\): 0\.5 vs bound 1 \(bound/measured 2\)  FAILED"):
        checks.check_ge("gaps", [1.0, 0.5], [1.0, 1.0])
    checks.check_le("all", np.arange(5.0), 4.0)
    assert "all: 5 of 5 entries <= bound, tightest margin 0 (measured/bound 1)  ok" in \
        capsys.readouterr().out
    checks.check_le("signs", -1.0, 2.0)  # no ratio where a side is not positive
    assert "signs: -1 <= bound 2  ok" in capsys.readouterr().out


def test_check_true():
    checks.check_true("pieces", 2**5 == 32, "32 pieces")
    with pytest.raises(AssertionError, match="pieces: 31 pieces  FAILED"):
        checks.check_true("pieces", False, "31 pieces")


def test_check_raises_right_wrong_and_none():
    def bad(x):
        raise ValueError(f"x must be positive, got {x}")

    checks.check_raises(ValueError, bad, -1, match="positive")
    with pytest.raises(AssertionError, match="raised nothing, expected ValueError"):
        checks.check_raises(ValueError, lambda: None)
    with pytest.raises(AssertionError, match="raised ValueError.*expected TypeError"):
        checks.check_raises(TypeError, bad, 1)
    with pytest.raises(AssertionError, match="does not contain 'negative'"):
        checks.check_raises(ValueError, bad, 1, match="negative")


@given(st.floats(-3, 3), st.floats(0.1, 10))
def test_loglog_slope_recovers_power_laws(p, c):
    x = np.geomspace(1, 1000, 12)
    assert checks.loglog_slope(x, c * x**p) == pytest.approx(p, abs=1e-9)


def test_check_slope_and_bad_input():
    x = np.array([10, 100, 1000, 10000])
    checks.check_slope("1/k", x, 1.0 / x, -1.0, tol=1e-9)
    with pytest.raises(AssertionError, match="log-log slope -0.5000 vs expected -1.0000"):
        checks.check_slope("rate", x, x**-0.5, -1.0, tol=0.1)
    with pytest.raises(ValueError, match="strictly positive"):
        checks.loglog_slope([1, 2], [1, -1])
    with pytest.raises(ValueError, match="1-D of equal length"):
        checks.loglog_slope([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="tol must be finite and > 0"):
        checks.check_slope("r", x, x, 1.0, tol=0)


def test_glue_without_myst_nb_is_silent_or_prints(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in a reader's environment
    checks.glue("ratio", np.float64(0.25))
    assert capsys.readouterr().out == ""
    checks.glue("ratio", np.float64(0.25), display=True)
    assert capsys.readouterr().out == "ratio: 0.25\n"
    with pytest.raises(TypeError, match="name"):
        checks.glue("", 1.0)


def test_glue_hands_python_numbers_to_myst_nb(monkeypatch):
    import sys
    import types

    seen = {}
    fake = types.SimpleNamespace(glue=lambda n, v, display: seen.update({n: (v, display)}))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    checks.glue("k", np.float32(1.5))
    assert seen == {"k": (1.5, False)} and type(seen["k"][0]) is float


def test_infinite_or_nan_tolerance_is_rejected():
    # a check with rtol=inf cannot fail (issue 17)
    for bad in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="rtol must be finite"):
            checks.check_close("x", 1.0, 2.0, rtol=bad)
        with pytest.raises(ValueError, match="tol must be finite"):
            checks.check_slope("s", [1.0, 10.0], [1.0, 10.0], 1.0, tol=bad)
    with pytest.raises(TypeError, match="atol must be a real number"):
        checks.check_close("x", 1.0, 1.0, atol="0.1")

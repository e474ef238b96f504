"""The downloaded notebooks read like the web page: MyST turned into Jupyter Markdown."""

from __future__ import annotations

import sys
import textwrap

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from nbmarkdown import Converter, glue_values, numbers_from_html  # noqa: E402

BODY = """
<div class="proof theorem admonition" id="thm-x">
<p class="admonition-title"><span class="caption-number">Theorem 3.2 </span> (Sharp \\(L\\))</p>
</div>
<div class="math notranslate nohighlight" id="equation-eq-x">
<span class="eqno">(3.4)<a class="headerlink" href="#equation-eq-x">#</a></span></div>
<figure class="align-default" id="fig-x"><img src="a.svg"/><figcaption><p>
<span class="caption-number">Fig. 3.1 </span><span class="caption-text">A.</span></p>
</figcaption></figure>
<a class="reference internal" href="../networks/mlp.html#lem-y"><span>Lemma 4.1</span></a>
"""

SOURCE = textwrap.dedent("""\
    (sec-x)=
    :::{prf:theorem} Sharp $L$
    :label: thm-x

    By {prf:ref}`lem-y`, $$ a = b $$ (eq-x)
    :::
    :::{prf:proof}
    Use {eq}`eq-x`, {numref}`fig-x`, {prf:ref}`the theorem <thm-x>` and {cite}`a2020,b2021`;
    the ratio is {glue:text}`ratio:.2f`.
    :::
    :::{admonition} Careful
    :class: warning
    Body.
    :::
    ```{literalinclude} ../../src/dlf/optim.py
    :pyobject: gradient_descent
    ```
    :::{solution-start} ex-x
    :class: dropdown
    :::
    Text.
    :::{solution-end}
    :::
    """)


def test_numbers_from_the_rendered_page():
    refs, titles = numbers_from_html(BODY)
    assert titles["thm-x"] == "Theorem 3.2 (Sharp $L$)"
    assert titles["equation-eq-x"] == "3.4"
    assert titles["fig-x"] == "Figure 3.1"
    assert refs["lem-y"] == "Lemma 4.1"


def test_myst_becomes_readable_markdown():
    refs, titles = numbers_from_html(BODY)
    out = Converter(refs, titles, {"ratio": "5.4321"}).convert(SOURCE)
    for raw in ("{prf:", "{eq}", "{numref}", "{cite}", "{glue", ":::", "(eq-x)", "(sec-x)="):
        assert raw not in out, (raw, out)
    assert out.startswith("**Theorem 3.2** (Sharp $L$).")
    assert "By Lemma 4.1, $$ a = b \\tag{3.4}$$" in out
    assert "*Proof.*" in out and "$\\blacksquare$" in out
    assert "Use (3.4), Figure 3.1, the theorem and [a2020; b2021]" in out
    assert "the ratio is 5.43." in out
    assert "> **Careful.**" in out and "> Body." in out
    assert "source of `gradient_descent` from `dlf/optim.py`" in out
    assert "**Solution.**" in out and "Text." in out


def test_links_to_the_site_when_its_address_is_known():
    refs, titles = numbers_from_html(BODY)
    out = Converter(refs, titles, {}, page_url="https://example.org/ch.html").convert(
        "See {prf:ref}`thm-x`.")
    assert out == "See [Theorem 3.2](https://example.org/ch.html#thm-x)."


def test_glue_values_read_from_outputs():
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "r"}},
         "data": {"application/papermill.record/text/plain": "np.float64(0.25)"}}]}]}
    assert glue_values(nb) == {"r": "0.25"}

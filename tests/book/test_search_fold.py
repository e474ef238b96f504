"""The accent folding of the search index (book/_ext/search_fold.py), on small indexes."""

from __future__ import annotations

import sys

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))

from search_fold import fold, fold_terms  # noqa: E402


def test_fold_drops_diacritics_and_maps_letters_that_do_not_decompose():
    assert fold("łojasiewicz") == "lojasiewicz"
    assert fold("erdős") == "erdos" and fold("hölder") == "holder" and fold("rényi") == "renyi"
    assert fold("gradient") == "gradient"


def test_fold_terms_merges_documents_and_keeps_the_accented_key():
    terms = {"łojasiewicz": [1, 2], "lojasiewicz": 3, "gradient": [1]}
    assert fold_terms(terms) == 0  # the folded key existed: merged, not added
    assert terms["lojasiewicz"] == [1, 2, 3] and terms["łojasiewicz"] == [1, 2]
    terms = {"rényi": 4}
    assert fold_terms(terms) == 1 and terms == {"rényi": 4, "renyi": 4}

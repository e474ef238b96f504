"""Search that folds accents: "Lojasiewicz" finds the pages that write "Łojasiewicz".

Sphinx's search index maps each (stemmed, lower-case) word of the pages to the documents that
contain it, and the browser looks the reader's words up as typed. A reader without a Polish or
Hungarian keyboard types "Lojasiewicz", "Erdos" or "Holder" and finds nothing. After the build,
this extension adds to the index, for every word with a diacritic, its folded spelling (Unicode
decomposition without the combining marks, plus the letters that do not decompose: ł, ø, đ, ß,
æ, œ) pointing to the same documents; the accented spelling keeps working. Titles are folded the
same way. The site tests check that the index holds the folded words, and the browser tests that
a search for "Lojasiewicz" finds the landscapes chapter.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
                          "ı": "i"})
_INDEX = re.compile(r"^Search\.setIndex\((.*)\)\s*;?\s*$", re.S)


def fold(word: str) -> str:
    """``word`` without diacritics: ``fold("łojasiewicz") == "lojasiewicz"``."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _as_set(docs) -> set[int]:
    return {docs} if isinstance(docs, int) else set(docs)


def fold_terms(terms: dict) -> int:
    """Add the folded spelling of every accented key of ``terms``; returns how many were added."""
    added = 0
    for word in [w for w in terms if fold(w) != w]:
        folded = fold(word)
        docs = _as_set(terms[word]) | _as_set(terms.get(folded, []))
        if folded not in terms:
            added += 1
        terms[folded] = sorted(docs)[0] if len(docs) == 1 else sorted(docs)
    return added


def _fold_index(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / "searchindex.js"
    if not path.is_file():
        return
    match = _INDEX.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError(f"{path}: not in the Search.setIndex(...) form this extension reads")
    index = json.loads(match.group(1))
    for key in ("terms", "titleterms"):
        fold_terms(index.get(key, {}))
    path.write_text("Search.setIndex(" + json.dumps(index, separators=(",", ":"),
                                                    ensure_ascii=False) + ")",
                    encoding="utf-8")


def setup(app):
    app.connect("build-finished", _fold_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

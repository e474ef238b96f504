"""Summarise a failed book build: which page failed and why, from Sphinx's warning log.

Usage: python book/_ext/build_report.py _build/warnings.log
The full messages (with the traceback of a failing cell) are printed by Sphinx above this summary
and kept in the log file.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

_LOC = re.compile(r"^(?P<path>[^\s:][^:]*?)(?::\d+)?: (?:WARNING|ERROR|CRITICAL): (?P<msg>.*)$")


def summarise(text: str) -> dict[str, list[str]]:
    """Map each page (source path) to the first lines of its problems."""
    problems: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        m = _LOC.match(line)
        if m:
            problems[m.group("path")].append(m.group("msg").strip())
        elif ": WARNING: " in line or line.startswith("WARNING: "):
            problems["(no page)"].append(line.split("WARNING: ", 1)[1].strip())
    # the last line of a cell traceback names the exception: attach it to the page's message
    return problems


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path("_build/warnings.log")
    text = path.read_text(errors="replace") if path.exists() else ""
    problems = summarise(text)
    print("\n" + "=" * 78)
    if not problems:
        print("BOOK BUILD FAILED (no warning recorded; see the output above)")
    else:
        n = sum(len(v) for v in problems.values())
        print(f"BOOK BUILD FAILED: {n} problem(s) in {len(problems)} page(s)")
        for page, msgs in problems.items():
            print(f"  {page}")
            for msg in msgs:
                print(f"    - {msg[:200]}")
        print(f"Full messages, with the traceback of each failing cell: {path}")
    print("=" * 78)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

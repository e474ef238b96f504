"""Valid calls of dlf.plotting (format: tests/contract/__init__.py)."""

VALID_CALLS = {
    "use_style": dict(),
    "subplots": dict(nrows=1, ncols=1, width=None, height=None),
    "color": dict(i=0),
}

"""Deep Learning Foundations: reference implementations for the book.

Each module implements the results of one chapter and names, in its docstring, the chapter that
derives it and the other ``dlf`` modules it imports (copy those along when you copy a module).
Import modules explicitly, e.g. ``from dlf import checks, optim``.
"""

__version__ = "0.1.0"

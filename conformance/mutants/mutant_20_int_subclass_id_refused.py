"""Breaks INTERP-OBJ-4 (MUST): Interpreter(x) raises TypeError when x is an instance of an int
subclass, bool included, instead of accepting it as the id int(x).

How: Interpreter.__new__ raises TypeError unless type(x) is exactly int.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def __new__(cls, *args, **kwargs):
    if len(args) == 1 and isinstance(args[0], int) and type(args[0]) is not int:
        raise TypeError('interpreter id must be an int, not %s' % type(args[0]).__name__)
    return _kit._BaseInterpreter.__new__(cls, *args, **kwargs)


Interpreter.__new__ = staticmethod(__new__)

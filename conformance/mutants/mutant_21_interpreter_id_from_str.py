"""Breaks INTERP-OBJ-2 (MUST): Interpreter(x) accepts a str, bytes or float id instead of raising
TypeError.

How: Interpreter(x) converts a str, bytes or float with int() first.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def __new__(cls, *args, **kwargs):
    if len(args) == 1 and type(args[0]) in (str, bytes, float):
        args = (int(args[0]),)
    return _kit._BaseInterpreter.__new__(cls, *args, **kwargs)


Interpreter.__new__ = staticmethod(__new__)

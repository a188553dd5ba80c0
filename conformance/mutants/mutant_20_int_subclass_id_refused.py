"""Breaks INTERP-OBJ-3 (MUST): Interpreter(n) with a negative n does not raise ValueError.

How: Interpreter(n) uses abs(n) for a negative int.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def __new__(cls, *args, **kwargs):
    if len(args) == 1 and type(args[0]) is int and args[0] < 0:
        args = (-args[0],)
    return _kit._BaseInterpreter.__new__(cls, *args, **kwargs)


Interpreter.__new__ = staticmethod(__new__)

"""Breaks INTERP-OBJ-9 (MUST): An Interpreter equals its int id: Interpreter(0) == 0.

How: Interpreter.__eq__ (and __ne__) compare the id with an int; the hash is unchanged.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_eq = Interpreter.__eq__
_hash = Interpreter.__hash__


def __eq__(self, other):
    if type(other) is int:
        return self.id == other
    return _eq(self, other)


def __ne__(self, other):
    equal = __eq__(self, other)
    return equal if equal is NotImplemented else not equal


Interpreter.__eq__ = __eq__
Interpreter.__ne__ = __ne__
Interpreter.__hash__ = _hash

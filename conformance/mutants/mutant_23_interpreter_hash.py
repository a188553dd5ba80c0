"""Breaks INTERP-OBJ-10 (MUST): hash(Interpreter(n)) differs from hash(n).

How: Interpreter.__hash__ hashes the tuple ('Interpreter', id).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def __hash__(self):
    return hash(('Interpreter', self.id))


Interpreter.__hash__ = __hash__

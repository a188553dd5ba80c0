"""Breaks INTERP-OBJ-10 (MUST): Equal Interpreter handles have different hashes.

How: Interpreter.__hash__ is object identity's hash, so the distinct handle objects the
reference makes for one id (get_main(), Interpreter(0), ...) hash differently.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def __hash__(self):
    return object.__hash__(self)


Interpreter.__hash__ = __hash__

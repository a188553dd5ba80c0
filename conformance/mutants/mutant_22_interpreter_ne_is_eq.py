"""Breaks INTERP-OBJ-8 (MUST): For two Interpreter objects, != gives the same result as ==.

How: Interpreter.__ne__ is Interpreter.__eq__.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


Interpreter.__ne__ = Interpreter.__eq__

"""Breaks INTERP-RUNNING-1 (MUST): is_running() returns 1 or 0 instead of a bool.

How: Interpreter.is_running returns int(result).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_is_running = Interpreter.is_running


def is_running(self, *args):
    return int(_is_running(self, *args))


Interpreter.is_running = is_running

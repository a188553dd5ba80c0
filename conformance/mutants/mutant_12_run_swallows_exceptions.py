"""Breaks INTERP-FAIL-1 (MUST): run() returns None when the code raises an uncaught exception.

How: Interpreter.run catches RunFailedError and returns None.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    try:
        return _run(self, *args, **kwargs)
    except RunFailedError:
        return None


Interpreter.run = run

"""Breaks INTERP-RUNNING-8 (MUST): is_running() on a handle that names no live interpreter returns
False instead of raising RuntimeError.

How: Interpreter.is_running turns that RuntimeError into False.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_is_running = Interpreter.is_running


def is_running(self, *args):
    try:
        return _is_running(self, *args)
    except RuntimeError as exc:
        if 'does not exist' in str(exc):
            return False
        raise


Interpreter.is_running = is_running

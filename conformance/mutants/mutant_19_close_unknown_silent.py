"""Breaks INTERP-CLOSE-5 (MUST): close() on a handle that names no live interpreter returns None
instead of raising RuntimeError.

How: Interpreter.close returns None when the reference says the interpreter does not exist.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_close = Interpreter.close


def close(self, *args):
    try:
        return _close(self, *args)
    except RuntimeError as exc:
        if 'does not exist' in str(exc):
            return None
        raise


Interpreter.close = close

"""Breaks INTERP-CLOSE-3 (MUST): close() on main does not raise RuntimeError.

How: Interpreter.close returns None, doing nothing, for id 0.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_close = Interpreter.close


def close(self, *args):
    if not args and self.id == 0:
        return None
    return _close(self, *args)


Interpreter.close = close

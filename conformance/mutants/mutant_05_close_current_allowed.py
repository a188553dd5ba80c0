"""Breaks INTERP-CLOSE-2 (MUST): close() called by code in a sub on that same sub does not raise
RuntimeError.

How: Interpreter.close returns None without doing anything when the handle is the current
interpreter.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_close = Interpreter.close


def close(self, *args):
    if not args and self.id == _ref.get_current().id:
        return None
    return _close(self, *args)


Interpreter.close = close

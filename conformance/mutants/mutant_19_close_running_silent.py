"""Breaks INTERP-CLOSE-4 (MUST): close() on a sub whose run() is blocked in another thread
returns None instead of raising RuntimeError.

How: Interpreter.close returns None (closing nothing) when the reference refuses because the
sub is running.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _refused(exc):
    if 'it is running' in str(exc):
        return None
    raise exc


_kit.on_error(Interpreter, 'close', RuntimeError, _refused)

"""Breaks INTERP-FAIL-3 (MUST): str() of RunFailedError does not name the type of the uncaught
exception.

How: Interpreter.run re-raises RunFailedError with only the uncaught exception's message.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _failed(exc):
    raise RunFailedError(getattr(exc, 'msg', '')) from None


_kit.on_error(Interpreter, 'run', RunFailedError, _failed)

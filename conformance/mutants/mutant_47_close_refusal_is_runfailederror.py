"""Breaks EXC-8 (MUST): The RuntimeError of a refused close() is a RunFailedError.

How: Interpreter.close re-raises every plain RuntimeError it gets from the reference as
RunFailedError (still a RuntimeError).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _refused(exc):
    if isinstance(exc, RunFailedError):
        raise exc
    raise RunFailedError(str(exc)) from None


_kit.on_error(Interpreter, 'close', RuntimeError, _refused)

"""Breaks EXC-1 (MUST): RunFailedError is not a subclass of RuntimeError.

How: RunFailedError is a new class derived from Exception only; Interpreter.run raises it in
place of the reference's.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


class RunFailedError(Exception):
    """Interpreter.run() ended with an uncaught exception (not a RuntimeError here)."""


_run = Interpreter.run


def run(self, *args, **kwargs):
    try:
        return _run(self, *args, **kwargs)
    except _ref.RunFailedError as exc:
        raise RunFailedError(str(exc)) from None


Interpreter.run = run

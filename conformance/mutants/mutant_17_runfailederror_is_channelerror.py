"""Breaks EXC-5 (MUST): RunFailedError is also a ChannelError.

How: RunFailedError is a class derived from both the reference's RunFailedError and
ChannelError; Interpreter.run raises it.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


class RunFailedError(_ref.RunFailedError, _ref.ChannelError):
    """Interpreter.run() ended with an uncaught exception (and a ChannelError here)."""


_run = Interpreter.run


def run(self, *args, **kwargs):
    try:
        return _run(self, *args, **kwargs)
    except _ref.RunFailedError as exc:
        raise RunFailedError(str(exc)) from None


Interpreter.run = run

"""Breaks INTERP-RUN-6 (MUST): run() executes the code in an OS thread other than the caller's.

How: Interpreter.run makes the reference's run() call in a new thread and waits for it, re-
raising what it raised.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    return _kit.call_in_thread(lambda: _run(self, *args, **kwargs))


Interpreter.run = run

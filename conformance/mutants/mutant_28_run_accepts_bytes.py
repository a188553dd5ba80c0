"""Breaks INTERP-RUN-7 (MUST): run() accepts a bytes source instead of raising TypeError.

How: Interpreter.run decodes a bytes source as UTF-8 and runs it.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    if args and type(args[0]) is bytes:
        args = (args[0].decode('utf-8'),) + args[1:]
    return _run(self, *args, **kwargs)


Interpreter.run = run

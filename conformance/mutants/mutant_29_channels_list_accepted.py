"""Breaks INTERP-CHAN-6 (MUST): run(src, channels=[r, s]) accepts a list instead of raising
TypeError.

How: Interpreter.run turns a channels list into a tuple.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    if type(kwargs.get('channels')) is list:
        kwargs['channels'] = tuple(kwargs['channels'])
    return _run(self, *args, **kwargs)


Interpreter.run = run

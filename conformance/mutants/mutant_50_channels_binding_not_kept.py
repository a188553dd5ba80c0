"""Breaks INTERP-CHAN-5 (MUST): The channels global bound by run(src, channels=...) does not
persist after run() returns.

How: Interpreter.run, after a run with channels=, removes the global channels from the sub's
__main__ (by a second run of the reference).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run
_base_run = _kit._BaseInterpreter.run


def run(self, *args, **kwargs):
    try:
        return _run(self, *args, **kwargs)
    finally:
        if kwargs.get('channels') is not None:
            try:
                _base_run(self, "globals().pop('channels', None)")
            except Exception:
                pass


Interpreter.run = run

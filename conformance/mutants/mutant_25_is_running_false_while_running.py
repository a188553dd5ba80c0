"""Breaks INTERP-RUNNING-5 (MUST): is_running() on a sub returns False while a run() call on it
is blocked in another thread.

How: Interpreter.is_running returns False for every interpreter but main that the reference
says is running.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_is_running = Interpreter.is_running


def is_running(self, *args):
    running = _is_running(self, *args)
    if running is True and self.id != _kit._ref.get_main().id:
        return False
    return running


Interpreter.is_running = is_running

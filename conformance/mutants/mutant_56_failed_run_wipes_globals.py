"""Breaks INTERP-FAIL-6 (MUST): After a run() that raised RunFailedError, the globals bound before
the exception are gone.

How: Interpreter.run, when RunFailedError comes, deletes every non-dunder global of the sub's
__main__ (by a second run of the reference) and re-raises.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run
_base_run = _kit._BaseInterpreter.run
_WIPE = "[globals().pop(k) for k in list(globals()) if not k.startswith('__')]"


def run(self, *args, **kwargs):
    try:
        return _run(self, *args, **kwargs)
    except RunFailedError:
        _base_run(self, _WIPE)
        raise


Interpreter.run = run

"""Breaks LIFE-INTERP-2 (MUST): close() leaves the channels only the sub referred to in
existence, with their queued objects.

How: Interpreter.close first asks the sub (a probe run in it) which channels its __main__
globals hold ends of, and keeps a pair of reference ends of each, forever, in a module-level
list of the closing interpreter; then it closes the sub.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_close = Interpreter.close
_kept = []


def close(self, *args):
    for cid in _kit.channels_held_by(self) or ():
        _kept.append((_ref.RecvChannel(cid), _ref.SendChannel(cid)))
    return _close(self, *args)


Interpreter.close = close

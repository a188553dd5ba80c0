"""Breaks INTERP-CHAN-2 (MUST): run(src, channels=(r, s)) does not bind the global channels in the
sub.

How: Interpreter.run drops a valid channels pair before running (invalid values still raise).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    pair = kwargs.get('channels')
    if type(pair) is tuple and len(pair) == 2 and \
            (pair[0] is None or type(pair[0]) is RecvChannel) and \
            (pair[1] is None or type(pair[1]) is SendChannel):
        del kwargs['channels']
    return _run(self, *args, **kwargs)


Interpreter.run = run

"""Breaks INTERP-CHAN-7 (MUST): run(src, channels=(s, r)) with the ends swapped runs the code,
binding them in order, instead of raising ValueError.

How: Interpreter.run puts a swapped pair of ends back in order before calling the reference.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    pair = kwargs.get('channels')
    if type(pair) is tuple and len(pair) == 2 and isinstance(pair[0], SendChannel) \
            and isinstance(pair[1], RecvChannel):
        kwargs['channels'] = (pair[1], pair[0])
    return _run(self, *args, **kwargs)


Interpreter.run = run

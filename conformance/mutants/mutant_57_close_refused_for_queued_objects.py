"""Breaks INTERP-CLOSE-8 (MUST): A close() refused with ChannelNotEmptyError changes the sub: its
__main__ globals are gone.

How: Interpreter.close, when the reference refuses with ChannelNotEmptyError, deletes every
non-dunder global of the sub's __main__ except the ends (so that the refusal still holds) and
re-raises.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_close = Interpreter.close
_base_run = _kit._BaseInterpreter.run
_WIPE = ("[globals().pop(k) for k in list(globals()) if not k.startswith('__')"
         " and 'Channel' not in type(globals()[k]).__name__"
         " and type(globals()[k]) not in (tuple, list)]")


def close(self, *args):
    try:
        return _close(self, *args)
    except ChannelNotEmptyError:
        _base_run(self, _WIPE)
        raise


Interpreter.close = close

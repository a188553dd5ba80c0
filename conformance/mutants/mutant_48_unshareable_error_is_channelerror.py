"""Breaks SHARE-5 (MUST): The exception for a non-shareable object is a ChannelError and not a
ValueError.

How: send() and send_nowait() re-raise that ValueError as an instance of a class derived from
ChannelError only.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


class _NotShareableError(ChannelError):
    pass


def _patch(name):
    original = getattr(SendChannel, name)

    def method(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except ValueError as exc:
            raise _NotShareableError(str(exc)) from None
    setattr(SendChannel, name, method)


_patch('send')
_patch('send_nowait')

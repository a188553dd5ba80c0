"""Breaks SHARE-11 (MUST): An end sent through a channel is received as its int id.

How: recv() and recv_nowait() return obj.id when the received object is an end.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _patch(name):
    original = getattr(RecvChannel, name)

    def method(self, *args, **kwargs):
        obj = original(self, *args, **kwargs)
        if type(obj) in (RecvChannel, SendChannel) and not (args and obj is args[0]):
            return obj.id
        return obj
    setattr(RecvChannel, name, method)


_patch('recv')
_patch('recv_nowait')

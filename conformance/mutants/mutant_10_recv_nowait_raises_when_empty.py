"""Breaks CH-RECVNW-2 (MUST): recv_nowait() without an argument raises ChannelEmptyError on an
empty channel instead of returning None.

How: RecvChannel.recv_nowait called with no argument raises ChannelEmptyError when nothing is
queued; with a default it is unchanged.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv_nowait = RecvChannel.recv_nowait
_missing = object()


def recv_nowait(self, *args, **kwargs):
    if args or kwargs:
        return _recv_nowait(self, *args, **kwargs)
    obj = _recv_nowait(self, _missing)
    if obj is _missing:
        raise ChannelEmptyError('channel %d is empty' % self.id)
    return obj


RecvChannel.recv_nowait = recv_nowait

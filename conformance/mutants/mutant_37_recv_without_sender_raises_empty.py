"""Breaks CH-RECV-5 (MUST): recv() on an empty channel raises ChannelEmptyError when no
SendChannel for it exists, instead of waiting for one built later.

How: RecvChannel.recv raises ChannelEmptyError when the channel is empty (recv_nowait finds
nothing) and the calling interpreter holds no SendChannel for it (counted by the kit: the
reference cannot tell whether another interpreter holds one).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_live = _kit.count_live_ends()
_recv = RecvChannel.recv
_recv_nowait = RecvChannel.recv_nowait
_EMPTY = object()


def recv(self, *args):
    if args or _live(SendChannel, self.id):
        return _recv(self, *args)
    obj = _recv_nowait(self, _EMPTY)
    if obj is _EMPTY:
        raise ChannelEmptyError('channel %d is empty and no SendChannel for it exists' % self.id)
    return obj


RecvChannel.recv = recv

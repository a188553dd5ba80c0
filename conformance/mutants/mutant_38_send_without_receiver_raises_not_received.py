"""Breaks CH-SEND-6 (MUST): send() raises NotReceivedError, queueing nothing, when no
RecvChannel for the channel exists, instead of waiting for one built later.

How: SendChannel.send raises NotReceivedError without sending when the calling interpreter
holds no RecvChannel for the channel (counted by the kit: the reference cannot tell whether
another interpreter holds one).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_live = _kit.count_live_ends()
_send = SendChannel.send


def send(self, *args, **kwargs):
    if not _live(RecvChannel, self.id):
        raise NotReceivedError('nothing can receive from channel %d' % self.id)
    return _send(self, *args, **kwargs)


SendChannel.send = send

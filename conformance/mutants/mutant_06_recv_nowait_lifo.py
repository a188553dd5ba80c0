"""Breaks CH-RECVNW-1 (MUST): recv_nowait() returns the object queued last, not the one queued
first.

How: recv_nowait() pulls everything queued into a buffer of this interpreter and pops the
newest; recv() serves that buffer oldest first before it waits.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv = RecvChannel.recv
_buffers = {}   # channel id -> objects pulled out of the channel, oldest first


def recv_nowait(self, default=None):
    buffer = _kit.take_queued(self, _buffers.setdefault(self.id, []), wrap=True)
    return buffer.pop() if buffer else default


def recv(self):
    buffer = _buffers.get(self.id)
    return buffer.pop(0) if buffer else _recv(self)


RecvChannel.recv_nowait = recv_nowait
RecvChannel.recv = recv

"""Breaks CH-RECV-1 (MUST): recv() on a channel holding queued objects returns the one queued
last.

How: recv() pulls everything queued into a buffer of this interpreter and pops the newest (it
waits as usual when nothing is queued); recv_nowait() serves that buffer oldest first.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv = RecvChannel.recv
_recv_nowait = RecvChannel.recv_nowait
_buffers = {}   # channel id -> objects pulled out of the channel, oldest first


def recv(self):
    buffer = _kit.take_queued(self, _buffers.setdefault(self.id, []), wrap=True)
    return buffer.pop() if buffer else _recv(self)


def recv_nowait(self, default=None):
    buffer = _buffers.get(self.id)
    return buffer.pop(0) if buffer else _recv_nowait(self, default)


RecvChannel.recv = recv
RecvChannel.recv_nowait = recv_nowait

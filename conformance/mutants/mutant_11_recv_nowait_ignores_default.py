"""Breaks CH-RECVNW-3 (MUST): recv_nowait(d) on an empty channel returns None instead of d.

How: RecvChannel.recv_nowait accepts the default argument and ignores it.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv_nowait = RecvChannel.recv_nowait


def recv_nowait(self, default=None):
    return _recv_nowait(self)


RecvChannel.recv_nowait = recv_nowait

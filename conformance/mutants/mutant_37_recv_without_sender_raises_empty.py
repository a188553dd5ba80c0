"""Breaks CH-RECV-5 (MUST): recv() on an empty channel with no SendChannel returns None instead of
raising ChannelEmptyError.

How: RecvChannel.recv turns ChannelEmptyError into None.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv = RecvChannel.recv


def recv(self, *args):
    try:
        return _recv(self, *args)
    except ChannelEmptyError:
        return None


RecvChannel.recv = recv

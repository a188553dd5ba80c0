"""Breaks CH-RECV-3 (MUST): An object can be received twice.

How: The first object that recv() returns in an interpreter is queued again on its channel
(once per interpreter).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv = RecvChannel.recv
_duplicated = []


def recv(self, *args):
    obj = _recv(self, *args)
    if not _duplicated:
        _duplicated.append(True)
        SendChannel(self.id).send_nowait(obj)
    return obj


RecvChannel.recv = recv

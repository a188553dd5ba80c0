"""Breaks ARG-4 (MUST): recv_nowait() accepts two arguments and unknown keywords.

How: RecvChannel.recv_nowait ignores arguments after the default.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_recv_nowait = RecvChannel.recv_nowait


def recv_nowait(self, default=None, *ignored, **ignored_keywords):
    return _recv_nowait(self, default)


RecvChannel.recv_nowait = recv_nowait

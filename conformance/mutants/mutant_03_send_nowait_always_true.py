"""Breaks CH-SENDNW-1 (MUST): send_nowait() returns True although no recv() is waiting.

How: SendChannel.send_nowait queues as usual but always returns True.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_send_nowait = SendChannel.send_nowait


def send_nowait(self, obj):
    _send_nowait(self, obj)
    return True


SendChannel.send_nowait = send_nowait

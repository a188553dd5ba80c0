"""Breaks CH-SEND-3 (MUST): While send() is blocked, its object is not yet queued.

How: SendChannel.send waits half a second before it queues the object (and then blocks as
usual).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


import time as _time

_send = SendChannel.send


def send(self, *args, **kwargs):
    _time.sleep(0.5)
    return _send(self, *args, **kwargs)


SendChannel.send = send

"""Breaks CH-SEND-2 (MUST): send() returns before its object has been received.

How: SendChannel.send queues the object with send_nowait() and returns None at once.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def send(self, obj):
    self.send_nowait(obj)


SendChannel.send = send

"""Breaks CH-SEND-6 (MUST): send() with no RecvChannel in existence returns None instead of
raising NotReceivedError.

How: SendChannel.send turns NotReceivedError into None.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_send = SendChannel.send


def send(self, *args, **kwargs):
    try:
        return _send(self, *args, **kwargs)
    except NotReceivedError:
        return None


SendChannel.send = send

"""Breaks CH-SENDNW-3 (MUST): send_nowait() returns 1 or 0 instead of exactly True or False.

How: SendChannel.send_nowait returns int(result).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_send_nowait = SendChannel.send_nowait


def send_nowait(self, obj):
    return int(_send_nowait(self, obj))


SendChannel.send_nowait = send_nowait

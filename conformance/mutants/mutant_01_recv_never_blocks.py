"""Breaks CH-RECV-2 (MUST): recv() on an empty channel does not wait for a sender.

How: RecvChannel.recv is recv_nowait: an empty channel gives None at once.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


RecvChannel.recv = RecvChannel.recv_nowait

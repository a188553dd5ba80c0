"""Breaks CH-SEND-9 (MUST): send() on an end whose channel does not exist raises NotReceivedError,
not ChannelNotFoundError.

How: SendChannel.send turns ChannelNotFoundError into NotReceivedError.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _not_found(exc):
    raise NotReceivedError(str(exc)) from None


_kit.on_error(SendChannel, 'send', ChannelNotFoundError, _not_found)

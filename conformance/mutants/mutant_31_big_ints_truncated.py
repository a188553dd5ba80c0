"""Breaks SHARE-6 (MUST): Ints beyond the signed 64-bit range, which is_shareable() accepts, are
received as other ints (SHARE-7 allows refusing them, not changing them).

How: send() and send_nowait() send such an int reduced to its low 63 bits.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _truncate(obj):
    if type(obj) is int and not -2**63 <= obj < 2**63:
        return obj & (2**63 - 1)
    return obj


_kit.map_sent(_truncate)

"""Breaks SHARE-8 (MUST): Strs with characters outside the BMP are not received exactly.

How: send() and send_nowait() replace every character above U+FFFF by U+FFFD.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _mangle(obj):
    if type(obj) is str:
        return ''.join(c if ord(c) <= 0xFFFF else '\ufffd' for c in obj)
    return obj


_kit.map_sent(_mangle)

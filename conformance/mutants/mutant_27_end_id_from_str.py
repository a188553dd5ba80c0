"""Breaks CH-END-2 (MUST): RecvChannel(x) and SendChannel(x) accept a str or float id instead of
raising TypeError.

How: Both end classes convert a str, bytes or float id with int() first.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _patch(cls, base):
    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and type(args[0]) in (str, bytes, float):
            args = (int(args[0]),)
        return base.__new__(cls, *args, **kwargs)
    cls.__new__ = staticmethod(__new__)


_patch(RecvChannel, _kit._BaseRecv)
_patch(SendChannel, _kit._BaseSend)

"""Breaks CH-END-8 (MUST): A RecvChannel and a SendChannel with the same id are equal.

How: __eq__ and __ne__ of both end classes compare ids only, whatever the end class; hashes are
unchanged.
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


def _patch(cls):
    eq = cls.__eq__
    old_hash = cls.__hash__

    def __eq__(self, other):
        if type(other) in (RecvChannel, SendChannel):
            return self.id == other.id
        return eq(self, other)

    def __ne__(self, other):
        equal = __eq__(self, other)
        return equal if equal is NotImplemented else not equal

    cls.__eq__ = __eq__
    cls.__ne__ = __ne__
    cls.__hash__ = old_hash


_patch(RecvChannel)
_patch(SendChannel)

"""Breaks LIFE-INTERP-1 (MUST): A sub is destroyed when the handle create() returned is
deallocated.

How: create() returns a handle of a subclass of Interpreter whose __del__ closes the sub
(errors ignored).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


class _OwningInterpreter(Interpreter):
    __slots__ = ()

    def __del__(self):
        try:
            _kit._BaseInterpreter.close(self)
        except Exception:
            pass


_OwningInterpreter.__name__ = _OwningInterpreter.__qualname__ = 'Interpreter'
_create = create


def create(*args, **kwargs):
    return _OwningInterpreter(_create(*args, **kwargs).id)

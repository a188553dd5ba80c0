"""Breaks SHARE-1 (MUST): is_shareable() returns False for bytes.

How: is_shareable(obj) is False when type(obj) is bytes; sending bytes still works.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def is_shareable(obj):
    if type(obj) is bytes:
        return False
    return _ref.is_shareable(obj)

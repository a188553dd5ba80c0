"""Breaks SHARE-4 (MUST): is_shareable() returns True for True and False, yet sending a bool
raises ValueError (SHARE-2 allows True only for objects that can then be sent).

How: is_shareable(obj) is True when type(obj) is bool; sending a bool still raises ValueError.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def is_shareable(obj):
    if type(obj) is bool:
        return True
    return _ref.is_shareable(obj)

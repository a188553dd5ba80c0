"""Breaks SHARE-2 (MUST): is_shareable() returns True for True and False.

How: is_shareable(obj) is True when type(obj) is bool; sending a bool still raises ValueError.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def is_shareable(obj):
    if type(obj) is bool:
        return True
    return _ref.is_shareable(obj)

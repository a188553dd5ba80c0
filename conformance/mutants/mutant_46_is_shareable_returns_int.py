"""Breaks SHARE-3 (MUST): is_shareable() returns 1 or 0 instead of a bool.

How: is_shareable() returns int(result).
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def is_shareable(obj):
    return int(_ref.is_shareable(obj))

"""Breaks FN-CHCREATE-1 (MUST): create_channel() returns a list, not a tuple.

How: create_channel() returns [r, s].
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def create_channel(*args):
    return list(_ref.create_channel(*args))

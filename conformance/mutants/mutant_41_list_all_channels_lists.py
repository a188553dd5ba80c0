"""Breaks FN-CHLIST-1 (MUST): list_all_channels() gives 2-element lists instead of 2-tuples.

How: list_all_channels() turns each pair into a list.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def list_all_channels(*args):
    return [list(pair) for pair in _ref.list_all_channels(*args)]

"""Breaks FN-CHLIST-2 (MUST): list_all_channels() has no pair for the newest existing channel.

How: list_all_channels() leaves out the pair with the highest id.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def list_all_channels(*args):
    pairs = _ref.list_all_channels(*args)
    if pairs:
        newest = max(pair[0].id for pair in pairs)
        pairs = [pair for pair in pairs if pair[0].id != newest]
    return pairs

"""Breaks EXC-4 (MUST): ChannelEmptyError is not a subclass of ChannelError.

How: The module's ChannelEmptyError is a class of its own, derived from Exception only (nothing
raises it: EXC-11).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference


class ChannelEmptyError(Exception):
    """The channel was unexpectedly empty (not a ChannelError here)."""


ChannelEmptyError.__module__ = 'interpref'

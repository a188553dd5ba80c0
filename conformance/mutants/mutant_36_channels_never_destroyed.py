"""Breaks LIFE-CH-2 (MUST): A channel is not destroyed when the last end the program holds is
deallocated.

How: create_channel() keeps its pair of ends in a module-level list of the interpreter,
forever.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


_kept = []


def create_channel(*args):
    pair = _ref.create_channel(*args)
    _kept.append(pair)
    return pair

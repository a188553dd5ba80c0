"""Breaks INTERP-RUN-14 (MUST): A new sub's __main__ already holds a name that is not a dunder
name.

How: create() runs `prepared = True` in every new sub before returning it.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def create(*args, **kwargs):
    interp = _ref.create(*args, **kwargs)
    interp.run('prepared = True')
    return interp

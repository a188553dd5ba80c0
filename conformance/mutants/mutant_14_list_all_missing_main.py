"""Breaks FN-LIST-2 (MUST): list_all() leaves out the main interpreter.

How: list_all() filters out the element with id 0.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def list_all(*args):
    return [interp for interp in _ref.list_all(*args) if interp.id != 0]

"""Breaks FN-CREATE-3 (MUST): create(True) is accepted instead of raising TypeError.

How: create() takes the isolated flag positionally too, and ignores unknown keywords.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def create(*args, isolated=True, **ignored):
    if args:
        isolated = bool(args[0])
    return _ref.create(isolated=isolated)

"""Breaks FN-GETMAIN-1 (MUST): get_main() returns None when called from code running in a sub.

How: get_main() returns None unless the current interpreter is main.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def get_main(*args):
    main = _ref.get_main(*args)
    return main if _ref.get_current().id == 0 else None

"""Breaks FN-GETCUR-2 (MUST): get_current() in code running in a sub returns main, not that sub.

How: get_current is get_main.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


get_current = _ref.get_main

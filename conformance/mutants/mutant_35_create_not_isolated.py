"""Breaks FN-CREATE-2 (MUST): create() without arguments makes a non-isolated sub.

How: The default of create()'s isolated keyword is False.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference


def create(*, isolated=False):
    return _ref.create(isolated=isolated)

"""Breaks MOD-2 (MUST): The module has no attribute NotReceivedError.

How: The name is deleted after the star import (send() still raises the reference's class).
"""
from interpref import *  # noqa: F401,F403  everything else is the reference


del NotReceivedError  # noqa: F821

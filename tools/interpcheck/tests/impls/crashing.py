"""A deliberately broken implementation for the runner's self-test: the
process dies (SIGSEGV) as soon as a channel is created.  The runner must
report CRASH for that scenario, name the step, and go on."""

import ctypes

from interpref import *  # noqa: F401,F403  everything else works


def create_channel():
    ctypes.string_at(0)   # reads address 0: SIGSEGV

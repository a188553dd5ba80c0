"""A deliberately broken implementation for the runner's self-test: creating
a channel never returns.  The runner must report TIMEOUT for that scenario,
name the step, kill the process and go on."""

import threading

from interpref import *  # noqa: F401,F403  everything else works


def create_channel():
    threading.Event().wait()   # forever

"""A deliberately unruly implementation for the runner's hardening tests:
create() starts a helper process that outlives it (and holds the scenario's
output pipe open), writing the helper's pid to $INTERPCHECK_TEST_PIDFILE.
The scenario must be judged when its process ends, not when the pipe
closes, and the helper must be killed with the scenario's process group.
Pure Python (no interpref), so that any stock Python loads it (--python)."""

import os
import subprocess


class Interpreter(object):
    def __init__(self, id):
        self.id = id

    def is_running(self):
        return False


def create():
    helper = subprocess.Popen(["sleep", "600"])  # inherits stdout and stderr
    path = os.environ.get("INTERPCHECK_TEST_PIDFILE")
    if path:
        with open(path, "a") as f:
            f.write("%d\n" % helper.pid)
    return Interpreter(1)


def get_main():
    return Interpreter(0)

"""A stand-in implementation for the runner's out-of-process tests
(--python): get_main() and nothing else, in pure Python, so that any stock
Python loads it (an interpref built with sanitizers does not).  Scenarios
that need only get_main() pass on it; the others fail (AttributeError)."""


class Interpreter(object):
    def __init__(self, id):
        self.id = id


def get_main():
    return Interpreter(0)

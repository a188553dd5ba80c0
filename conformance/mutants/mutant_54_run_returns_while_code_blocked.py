"""Breaks INTERP-RUN-5 (MUST): run() returns while the code it runs is still blocked.

How: In main, Interpreter.run makes the reference's run() call in a daemon thread and returns
None after 0.5 s if that call has not finished (errors from quicker runs are re-raised);
elsewhere it is unchanged.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_run = Interpreter.run


def run(self, *args, **kwargs):
    if _kit._ref.get_current().id != 0:
        return _run(self, *args, **kwargs)   # isolated subs cannot start threads
    return _kit.call_in_thread(lambda: _run(self, *args, **kwargs), daemon=True, timeout=0.5)


Interpreter.run = run

"""Adapter: CPython 3.10 to 3.12's `test.support.interpreters`, which is the
documented API itself; this module only re-exports it (adding nothing:
RunFailedError, ChannelNotEmptyError and NotReceivedError are missing from
its namespace on 3.10/3.11, and that is a finding the suite reports)."""

from test.support.interpreters import *  # noqa: F401,F403
from test.support.interpreters import __all__  # noqa: F401

import test.support.interpreters as _hl

# Names the module has but does not list in __all__ (3.12 adds RunFailedError).
for _name in ("RunFailedError", "ChannelNotEmptyError", "NotReceivedError"):
    if hasattr(_hl, _name):
        globals()[_name] = getattr(_hl, _name)
del _name

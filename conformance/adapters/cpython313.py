"""Adapter: CPython 3.13's `test.support.interpreters` package (with its
`channels` submodule) presented as the documented API.  See pep734.py for
what an adapter may and may not do."""

import _interpreters
from test.support import interpreters as _hl
from test.support.interpreters import channels as _ch

from pep734 import RunFailedError, documented_names  # noqa: F401  RunFailedError: re-exported

globals().update(documented_names(_hl, _interpreters, _ch))
# NotReceivedError: CPython 3.13 has none; not emulated.

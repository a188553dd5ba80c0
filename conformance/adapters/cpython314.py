"""Adapter: CPython 3.14's `concurrent.interpreters` with the channels of
`test.support.channels`, presented as the documented API.  See pep734.py
for what an adapter may and may not do."""

import _interpreters
import concurrent.interpreters as _hl
from test.support import channels as _ch

from pep734 import RunFailedError, documented_names  # noqa: F401  RunFailedError: re-exported

globals().update(documented_names(_hl, _interpreters, _ch))
# NotReceivedError: CPython 3.14 has none; not emulated.

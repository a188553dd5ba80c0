"""Adapter: CPython 3.14's `concurrent.interpreters` with the channels of
`test.support.channels`, presented as the documented API.  See pep734.py
for what an adapter may and may not do."""

import _interpreters
import concurrent.interpreters as _hl
from test.support import channels as _ch

from pep734 import RunFailedError, make_create, make_run

Interpreter = _hl.Interpreter
if not hasattr(Interpreter, "run"):
    Interpreter.run = make_run(_hl.ExecutionFailed)

create = make_create(_hl, _interpreters, Interpreter)
list_all = _hl.list_all
get_current = _hl.get_current
get_main = _hl.get_main
is_shareable = _hl.is_shareable

RecvChannel = _ch.RecvChannel
SendChannel = _ch.SendChannel
create_channel = _ch.create
list_all_channels = _ch.list_all

ChannelError = _ch.ChannelError
ChannelNotFoundError = _ch.ChannelNotFoundError
ChannelEmptyError = _ch.ChannelEmptyError
ChannelNotEmptyError = _ch.ChannelNotEmptyError
# NotReceivedError: CPython 3.14 has none; not emulated.

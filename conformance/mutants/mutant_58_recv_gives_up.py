"""Breaks CH-RECV-2 (MUST): recv() on an empty channel returns None after half a second although a
SendChannel exists.

How: In main, RecvChannel.recv waits for the reference's recv() in a helper thread for 0.5 s
only, then returns None; an object the helper receives later is kept for the next recv() or
recv_nowait(). Elsewhere recv() is unchanged.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


import threading as _threading

_recv = RecvChannel.recv
_recv_nowait = RecvChannel.recv_nowait
_late = {}      # channel id -> objects a helper received after its recv() gave up
_helpers = {}   # channel id -> the helper still waiting


def recv(self, *args):
    if args or _kit._ref.get_current().id != 0:
        return _recv(self, *args)
    if _late.get(self.id):
        return _late[self.id].pop(0)
    helper = _helpers.get(self.id)
    if helper is None:
        outcome = {}

        def target():
            try:
                outcome['result'] = _recv(self)
            except BaseException as exc:
                outcome['error'] = exc
        helper = (_threading.Thread(target=target, daemon=True), outcome)
        _helpers[self.id] = helper
        helper[0].start()
    thread, outcome = helper
    thread.join(0.5)
    if thread.is_alive():
        return None
    del _helpers[self.id]
    if 'error' in outcome:
        raise outcome['error']
    return outcome['result']


def recv_nowait(self, *args, **kwargs):
    helper = _helpers.get(self.id)
    if helper is not None and not helper[0].is_alive():
        del _helpers[self.id]
        if 'result' in helper[1]:
            _late.setdefault(self.id, []).append(helper[1]['result'])
    if _late.get(self.id):
        return _late[self.id].pop(0)
    return _recv_nowait(self, *args, **kwargs)


RecvChannel.recv = recv
RecvChannel.recv_nowait = recv_nowait

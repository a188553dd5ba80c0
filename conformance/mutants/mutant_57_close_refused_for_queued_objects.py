"""Breaks INTERP-CLOSE-1 (MUST): close() on an idle sub raises ChannelNotEmptyError, destroying
nothing, when the sub holds the only ends of a channel with queued objects.

How: Interpreter.close first asks the sub (a probe run in it) which channels its __main__
globals hold ends of; for each one that main holds no kit end of, it takes the queued objects
out and puts them back in order: if there were any, it raises ChannelNotEmptyError instead of
closing.  Other subs' ends are not looked for.
"""
import interpref as _ref
from interpref import *  # noqa: F401,F403  everything else is the reference
from _mutant_kit import *  # noqa: F401,F403  the same API through mutable classes
import _mutant_kit as _kit

_kit.patched_by(__name__)


_live = _kit.count_live_ends()
_close = Interpreter.close


def _queued(cid):
    """The objects queued in channel `cid`, left queued in the same order."""
    recv, send = _ref.RecvChannel(cid), _ref.SendChannel(cid)
    items = _kit.take_queued(recv)
    for obj in items:
        send.send_nowait(obj)
    return items


def close(self, *args):
    for cid in _kit.channels_held_by(self) or ():
        if not _live(RecvChannel, cid) and not _live(SendChannel, cid) and _queued(cid):
            raise ChannelNotEmptyError('cannot close interpreter %d: channel %d has queued objects'
                                       % (self.id, cid))
    return _close(self, *args)


Interpreter.close = close

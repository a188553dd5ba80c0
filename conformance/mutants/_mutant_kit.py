"""Mutant kit: interpref re-exposed through Python subclasses, unchanged.

The C types of interpref are immutable, so a mutant cannot patch one of their
methods.  This module gives them Python subclasses with the same names
(`Interpreter`, `RecvChannel`, `SendChannel`) and wraps every function and
method that hands out or takes in handles and ends, so that scenario code only
ever sees the subclasses.  A mutant then changes one behaviour by assigning to
a method of these classes (they are mutable) or by defining its own function.

By itself the kit changes nothing: `--impl _mutant_kit --path conformance/mutants`
must pass the whole suite (tools/mutation-score checks that first, as the
control run), so that whatever kills a mutant is its mutation, not the kit.
The helpers at the end (count_live_ends, channels_held_by, take_queued,
on_error, map_sent, call_in_thread) do nothing until a mutant calls them;
they hold what several mutants do alike.

How the kit stays invisible:
- Results: create(), get_current(), get_main(), list_all(), create_channel(),
  list_all_channels() and recv()/recv_nowait() build kit objects with the
  same ids (a new end object for the same channel: it holds its own
  reference, so the channel's life is unchanged).
- Arguments: interpref accepts only its exact end types (is_shareable,
  send, channels=), so kit ends are turned back into interpref ends of the
  same id just for the call.  Anything else is passed through untouched, so
  interpref raises exactly what it raises.
- run(src, channels=...): the subinterpreter receives interpref ends, bound by
  interpref before the code runs.  The kit runs a first, tiny source that
  rebinds those globals as kit ends of the importing module, then `src`
  itself (a second run(), without channels=).  Only when both arguments are
  valid; otherwise the call goes to interpref as it is, to fail there.

Works in subinterpreters too: code there imports the mutant (and so this kit)
as `interpreters`, as scenario `run` bodies do.
"""

import interpref as _ref
from interpref import *  # noqa: F401,F403  exceptions and anything not wrapped below

# What `from _mutant_kit import *` gives a mutant: the documented API only.
__all__ = [
    'Interpreter', 'RecvChannel', 'SendChannel',
    'create', 'get_current', 'get_main', 'list_all', 'is_shareable',
    'create_channel', 'list_all_channels',
    'RunFailedError', 'ChannelError', 'ChannelNotFoundError', 'ChannelEmptyError',
    'ChannelNotEmptyError', 'NotReceivedError',
]

_BaseInterpreter = _ref.Interpreter
_BaseRecv = _ref.RecvChannel
_BaseSend = _ref.SendChannel


class Interpreter(_BaseInterpreter):
    __slots__ = ()

    def run(self, *args, **kwargs):
        return _run(self, *args, **kwargs)


class RecvChannel(_BaseRecv):
    __slots__ = ()

    def recv(self, *args, **kwargs):
        return _wrap(_BaseRecv.recv(self, *args, **kwargs))

    def recv_nowait(self, *args, **kwargs):
        return _wrap(_BaseRecv.recv_nowait(self, *args, **kwargs))


class SendChannel(_BaseSend):
    __slots__ = ()

    def send(self, *args, **kwargs):
        return _BaseSend.send(self, *map(_unwrap, args), **kwargs)

    def send_nowait(self, *args, **kwargs):
        return _BaseSend.send_nowait(self, *map(_unwrap, args), **kwargs)


# Keep the names the suite prints and compares.
for _cls in (Interpreter, RecvChannel, SendChannel):
    _cls.__module__ = _ref.__name__
del _cls


def _convert(obj, pairs):
    """`obj` as the end of the same id of the class paired with its exact type;
    anything else unchanged."""
    for source, target in pairs:
        if type(obj) is source:
            return target(obj.id)
    return obj


def _wrap(obj):
    """A received or listed object, with interpref ends turned into kit ends."""
    return _convert(obj, ((_BaseRecv, RecvChannel), (_BaseSend, SendChannel)))


def _unwrap(obj):
    """A kit end as the interpref end of the same id (interpref wants exact types)."""
    return _convert(obj, ((RecvChannel, _BaseRecv), (SendChannel, _BaseSend)))


def _handle(interp):
    return Interpreter(interp.id)


# ---- module functions -----------------------------------------------------------

def create(*args, **kwargs):
    return _handle(_ref.create(*args, **kwargs))


def get_current(*args):
    return _handle(_ref.get_current(*args))


def get_main(*args):
    return _handle(_ref.get_main(*args))


def list_all(*args):
    return [_handle(i) for i in _ref.list_all(*args)]


def create_channel(*args):
    r, s = _ref.create_channel(*args)
    return RecvChannel(r.id), SendChannel(s.id)


def list_all_channels(*args):
    return [(RecvChannel(r.id), SendChannel(s.id)) for r, s in _ref.list_all_channels(*args)]


def is_shareable(*args, **kwargs):
    if len(args) == 1 and not kwargs and type(args[0]) in (RecvChannel, SendChannel):
        return True
    return _ref.is_shareable(*args, **kwargs)


# ---- run() ----------------------------------------------------------------------

# The module the subinterpreter imports before the rebinding, so that a
# mutant's changes to the kit classes are in place there: the mutant that
# imported the kit says so with patched_by(__name__).
_IMPL = __name__


def patched_by(name):
    """Called by a mutant module that changes the kit classes, with its __name__."""
    global _IMPL
    _IMPL = name


_REBIND = "__import__(%r); __import__('_mutant_kit')._rebind(globals(), %r)"


def _rebind(namespace, names):
    """In the subinterpreter: the interpref ends interpref bound, as kit ends."""
    for name in names:
        value = namespace.get(name)
        if type(value) is tuple:
            namespace[name] = tuple(_wrap(v) for v in value)
        else:
            namespace[name] = _wrap(value)


def _is_end_or_none(obj):
    return obj is None or type(obj) in (RecvChannel, SendChannel, _BaseRecv, _BaseSend)


def _run(self, *args, **kwargs):
    channels = kwargs.get('channels')
    plain = (len(args) == 1 and set(kwargs) <= {'channels'} and type(args[0]) is str
             and channels is not None)
    names = None
    if plain and type(channels) is tuple and len(channels) == 2:
        recv, send = channels
        if (recv is None or type(recv) in (RecvChannel, _BaseRecv)) and \
                (send is None or type(send) in (SendChannel, _BaseSend)):
            names = ['channels']
            kwargs['channels'] = tuple(_unwrap(e) for e in channels)
    elif plain and type(channels) is dict:
        if all(type(k) is str for k in channels) and \
                all(_is_end_or_none(v) and v is not None for v in channels.values()):
            names = list(channels)
            kwargs['channels'] = {k: _unwrap(v) for k, v in channels.items()}
    if names is None:
        # Not the valid form: interpref decides (TypeError, ValueError, ...).
        if 'channels' in kwargs and type(kwargs['channels']) is tuple:
            kwargs['channels'] = tuple(_unwrap(e) for e in kwargs['channels'])
        elif 'channels' in kwargs and type(kwargs['channels']) is dict:
            kwargs['channels'] = {k: _unwrap(v) for k, v in kwargs['channels'].items()}
        return _BaseInterpreter.run(self, *args, **kwargs)
    _BaseInterpreter.run(self, _REBIND % (_IMPL, names), **kwargs)
    return _BaseInterpreter.run(self, args[0])


# ---- helpers for mutants (inert until called) ------------------------------------

_live = None   # {(class, channel id): count} once count_live_ends() ran


def count_live_ends():
    """Start counting this interpreter's kit end objects per (class, channel id).

    Returns live(cls, cid): how many `cls` objects for channel `cid` exist now
    in this interpreter (ends made before the call are not counted).  The
    reference offers no way to ask whether an end exists anywhere, so mutants
    that need it settle for the calling interpreter's own kit ends.
    """
    global _live
    if _live is None:
        _live = {}
        counted = set()   # id() of the objects counted, so __del__ only undoes __init__

        def key(end):
            return (RecvChannel if isinstance(end, RecvChannel) else SendChannel), end.id

        def __init__(self, *args, **kwargs):
            _live[key(self)] = _live.get(key(self), 0) + 1
            counted.add(id(self))

        def __del__(self):
            try:
                if id(self) in counted:
                    counted.discard(id(self))
                    _live[key(self)] -= 1
            except Exception:   # interpreter shutdown: the module may be half gone
                pass

        for cls in (RecvChannel, SendChannel):
            cls.__init__ = __init__
            cls.__del__ = __del__
    return lambda cls, cid: _live.get((cls, cid), 0)


_PROBE = """
def __probe(cid):
    import interpref
    out = interpref.SendChannel(cid)
    found, seen = set(), set()
    todo = list(globals().values())
    while todo:
        value = todo.pop()
        if isinstance(value, (interpref.RecvChannel, interpref.SendChannel)):
            found.add(value.id)
        elif type(value) in (tuple, list, dict) and id(value) not in seen:
            seen.add(id(value))
            todo.extend(value.values() if type(value) is dict else value)
    for found_id in sorted(found):
        out.send_nowait(found_id)
__probe(%d)
del __probe
"""


def channels_held_by(interp):
    """Ids of the channels whose ends the sub's __main__ globals hold (also
    inside tuples, lists and dicts), found by running a probe in it; None when
    it cannot run code now (running, closed, the current interpreter...)."""
    recv, send = _ref.create_channel()
    try:
        _BaseInterpreter.run(interp, _PROBE % recv.id)
    except Exception:
        return None
    return take_queued(recv)


def take_queued(end, into=None, wrap=False):
    """Takes every object queued now in the channel of `end` (a RecvChannel, kit
    or interpref) out, oldest first, without waiting, appending each to `into`
    as it comes (a new list by default), which it returns.  The objects are
    what interpref's recv_nowait() gives; with `wrap`, what the kit's gives
    (interpref ends as kit ends)."""
    items = [] if into is None else into
    missing = object()
    obj = _BaseRecv.recv_nowait(end, missing)
    while obj is not missing:
        items.append(_wrap(obj) if wrap else obj)
        obj = _BaseRecv.recv_nowait(end, missing)
    return items


def on_error(cls, name, catch, handle):
    """Makes method `name` of kit class `cls` return handle(exc) when the method it
    had raises `catch` (handle may raise instead: then the call raises that)."""
    original = getattr(cls, name)

    def method(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except catch as exc:
            return handle(exc)
    setattr(cls, name, method)


def map_sent(func):
    """Makes SendChannel.send() and send_nowait() pass each positional argument
    through func first."""
    def patch(name):
        original = getattr(SendChannel, name)
        setattr(SendChannel, name,
                lambda self, *args, **kwargs: original(self, *map(func, args), **kwargs))
    patch('send')
    patch('send_nowait')


def call_in_thread(call, daemon=False, timeout=None):
    """call() in a new thread, waited for (at most `timeout` seconds): its result,
    or what it raised, raised again; None when it has not finished in time."""
    import threading   # here, not at the top: the kit alone imports nothing more into the subs
    outcome = {}

    def target():
        try:
            outcome['result'] = call()
        except BaseException as exc:
            outcome['error'] = exc
    thread = threading.Thread(target=target, daemon=daemon)
    thread.start()
    thread.join(timeout)
    if 'error' in outcome:
        raise outcome.pop('error')
    return outcome.get('result')

"""Probe the CPython behaviour that conformance/EVIDENCE.md records.

Usage:

    python3.X -S conformance/evidence/probe.py [--crashers] [--command TEXT] [FACT-ID-PREFIX...]
    python3.X -S conformance/evidence/probe.py --one FACT-ID

Runs on CPython 3.10 to 3.14.  Every fact is one function below; each runs in a
fresh child process (`--one`), bounded by a timeout, and the parent prints one
line `fact-id: observed` per fact.  Facts that do not apply to the running
version print `n/a (...)`.  Facts that are known to crash or abort the process
(EVIDENCE.md S4.4 and V4) are not run unless `--crashers` is given; they then
run in their child process, with core dumps disabled.  `--command TEXT` is
the command line the header records (default: the running one).

Output is meant to be stable across runs: addresses are masked and times are
rounded to 0.1 s.  conformance/evidence/<version>.txt holds one output per
CPython build.
"""

import gc
import os
import re
import subprocess
import sys
import threading
import time

FACTS = []


def fact(fid, timeout=20, crasher=False):
    """Register a probe: `crasher` is False, True, or a predicate on the version.

    A probe that takes a parameter is called with api(), the modules of the
    running version (most need them); one that takes none is called as it is
    (those that import nothing, or check something else first)."""

    def deco(func):
        FACTS.append((fid, func, timeout, crasher))
        return func

    return deco


V = sys.version_info[:2]


# ---------------------------------------------------------------- helpers


def mask(text):
    text = re.sub(r"0x[0-9a-fA-F]+", "0x...", text)
    text = re.sub(r"\n+", " | ", text)
    return text


def ename(exc):
    t = type(exc)
    mod = t.__module__
    return t.__qualname__ if mod == "builtins" else mod + "." + t.__qualname__


def eshow(exc):
    msg = str(exc)
    return ename(exc) + (": " + msg if msg else "")


def attempt(func, *args, **kwargs):
    """repr of the result, or `raises Type: message`."""
    try:
        return repr(func(*args, **kwargs))
    except BaseException as exc:  # noqa: B902 - facts include SystemExit etc.
        return "raises " + eshow(exc)


def secs(t):
    return "%.1f s" % t


def mro(cls):
    return " -> ".join(
        (c.__qualname__ if c.__module__ == "builtins" else c.__module__ + "." + c.__qualname__)
        for c in cls.__mro__
        if c is not object
    )


class Api:
    """The modules of the running version, under one set of names."""

    def __init__(self):
        if V >= (3, 14):
            import concurrent.interpreters as hl
            from test.support import channels as ch

            self.sub_import = (
                "import concurrent.interpreters as I\nfrom test.support import channels as C\n"
            )
        elif V == (3, 13):
            from test.support import interpreters as hl
            from test.support.interpreters import channels as ch

            self.sub_import = (
                "from test.support import interpreters as I\n"
                "from test.support.interpreters import channels as C\n"
            )
        else:
            from test.support import interpreters as hl

            ch = hl
            self.sub_import = "from test.support import interpreters as I\nC = I\n"
        self.hl, self.ch = hl, ch
        if V <= (3, 11):
            import _xxsubinterpreters as low

            self.low, self.lowch = low, low
        elif V == (3, 12):
            import _xxinterpchannels as lowch
            import _xxsubinterpreters as low

            self.low, self.lowch = low, lowch
        else:
            import _interpchannels as lowch
            import _interpreters as low

            self.low, self.lowch = low, lowch
        self.create_channel = getattr(ch, "create_channel", None) or ch.create
        self.list_channels = getattr(ch, "list_all_channels", None) or ch.list_all
        self.RecvChannel, self.SendChannel = ch.RecvChannel, ch.SendChannel
        if hasattr(hl, "ExecutionFailed"):
            self.RunFailed = hl.ExecutionFailed
        else:
            self.RunFailed = self.low.RunFailedError

    def run(self, interp, src):
        if hasattr(interp, "run"):
            return interp.run(src)
        return interp.exec(src)

    def sub(self, src):
        """Source for a sub: binds I (the module) and C (its channels)."""
        return self.sub_import + src

    def low_close(self, cid, **kw):
        if V <= (3, 11):
            return self.lowch.channel_close(cid, **kw)
        return self.lowch.close(cid, **kw)

    def low_release(self, cid, **kw):
        if V <= (3, 11):
            return self.lowch.channel_release(cid, **kw)
        return self.lowch.release(cid, **kw)

    def low_destroy(self, cid):
        if V <= (3, 11):
            return self.lowch.channel_destroy(cid)
        return self.lowch.destroy(cid)

    def legacy(self):
        """A sub without the isolated restrictions."""
        if V <= (3, 12):
            return self.hl.create(isolated=False)
        lid = self.low.create("legacy", reqrefs=True)
        return self.hl.Interpreter(lid, _ownsref=True)

    def share_ends(self, interp, **ends):
        """Bind channel ends in interp's __main__ as ends (3.13+) or rebuilt from ids."""
        if hasattr(interp, "prepare_main"):
            interp.prepare_main(**ends)
            return
        lines = []
        for name, end in ends.items():
            kind = "RecvChannel" if isinstance(end, self.RecvChannel) else "SendChannel"
            lines.append("%s = C.%s(%d)" % (name, kind, int(end.id)))
        self.run(interp, self.sub("\n".join(lines)))


def api():
    return Api()


def run_failure_text(A, interp, src):
    try:
        A.run(interp, src)
    except A.RunFailed as exc:
        return "%s(%r)" % (ename(exc), exc.args[0] if exc.args else "")
    except BaseException as exc:  # noqa: B902
        return "raises in the caller " + eshow(exc)
    return "no exception"


def in_thread(func, *args):
    box = {}

    def body():
        t0 = time.monotonic()
        try:
            box["result"] = func(*args)
        except BaseException as exc:  # noqa: B902
            box["exc"] = exc
        box["elapsed"] = time.monotonic() - t0

    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t, box


def outcome(box):
    if "exc" in box:
        return "raised " + eshow(box["exc"])
    if "result" in box:
        return "returned %r" % (box["result"],)
    return "still blocked"


# ---------------------------------------------------------------- V2: modules


@fact("V2-modules")
def v2_modules():
    import importlib

    found = []
    for name in (
        "_xxsubinterpreters",
        "_xxinterpchannels",
        "_interpreters",
        "_interpchannels",
        "_interpqueues",
        "test.support.interpreters",
        "test.support.interpreters.channels",
        "test.support.interpreters.queues",
        "concurrent.interpreters",
        "test.support.channels",
    ):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        found.append(name + ("(package)" if hasattr(mod, "__path__") else ""))
    return " ".join(found)


@fact("V2-hl-all")
def v2_hl_all(A):
    text = "%s.__all__ = %s" % (A.hl.__name__, ", ".join(A.hl.__all__))
    if A.ch is not A.hl:
        text += "; %s.__all__ = %s" % (A.ch.__name__, ", ".join(A.ch.__all__))
    return text


@fact("V2-no-notreceived")
def v2_no_notreceived(A):
    mods = {id(m): m for m in (A.hl, A.ch, A.low, A.lowch)}.values()
    hits = [
        "%s.%s" % (m.__name__, n)
        for m in mods
        for n in ("NotReceivedError", "ChannelReleasedError")
        if hasattr(m, n)
    ]
    return "found " + ", ".join(hits) if hits else "neither NotReceivedError nor ChannelReleasedError in " + ", ".join(
        m.__name__ for m in mods
    )


@fact("V2-exc-bases")
def v2_exc_bases(A):
    r, s = A.create_channel()
    try:
        s.send_nowait([1])
        notshare = "send_nowait([1]) accepted"
    except Exception as exc:
        notshare = "send_nowait([1]) raises %s" % mro(type(exc))
    return "run failure: %s; ChannelError: %s; %s" % (
        mro(A.RunFailed),
        mro(A.ch.ChannelError),
        notshare,
    )


# ---------------------------------------------------------------- S3.1: low level


@fact("S3.1-low-names")
def s31_low_names(A):
    mods = [A.low] if A.low is A.lowch else [A.low, A.lowch]
    return "; ".join(
        "%s: %s" % (m.__name__, " ".join(n for n in sorted(dir(m)) if not n.startswith("__")))
        for m in mods
    )


@fact("S3.1-low-send-recv")
def s31_low_send_recv(A):
    if V >= (3, 13):
        return "n/a (3.13+ channel_send blocks by default; see S3.2.3-send-no-receiver)"
    if V <= (3, 11):
        cid = A.lowch.channel_create()
        send, recv = A.lowch.channel_send, A.lowch.channel_recv
    else:
        cid = A.lowch.create()
        send, recv = A.lowch.send, A.lowch.recv
    return "send -> %s; recv(empty) %s; recv(empty, 'd') -> %s" % (
        attempt(send, cid, b"x"),
        "-> " + attempt(recv, cid) if recv(cid, None) == b"x" else "?",
        attempt(recv, cid, "d"),
    )


# ---------------------------------------------------------------- S3.2: 3.10/3.11 divergences


@fact("S3.2.1-exports")
def s32_1_exports(A):
    names = ("RunFailedError", "ChannelNotEmptyError", "NotReceivedError", "ChannelClosedError")
    return ", ".join(
        "%s.%s %s" % (A.ch.__name__ if n.startswith("Channel") else A.hl.__name__, n,
                      "yes" if hasattr(A.ch if n.startswith("Channel") else A.hl, n) else "no")
        for n in names
    )


@fact("S3.2.2-channelerror-base")
def s32_2_channelerror_base(A):
    return "ChannelError: %s; ChannelNotFoundError: %s" % (
        mro(A.ch.ChannelError),
        mro(A.ch.ChannelNotFoundError),
    )


@fact("S3.2.3-send-no-receiver")
def s32_3_send_no_receiver(A):
    r, s = A.create_channel()
    t, box = in_thread(s.send, b"x")
    t.join(3.0)
    if not t.is_alive():
        return "send() %s after %s with nobody receiving; then recv_nowait('empty') -> %r" % (
            outcome(box),
            secs(box["elapsed"]),
            r.recv_nowait("empty"),
        )
    t0 = time.monotonic()
    got = r.recv_nowait("empty")
    t.join(5.0)
    return "send() still blocked after 3.0 s; recv_nowait() in main -> %r, then send() %s %s later" % (
        got,
        outcome(box),
        secs(time.monotonic() - t0),
    )


@fact("S3.2.4-send-nowait-result")
def s32_4_send_nowait_result(A):
    r, s = A.create_channel()
    first = attempt(s.send_nowait, 1)
    r.recv_nowait()
    t, box = in_thread(r.recv)
    time.sleep(0.5)
    second = attempt(s.send_nowait, b"x")
    t.join(5.0)
    return "no receiver: %s; while a recv() is blocked in a thread: %s (that recv() %s)" % (
        first,
        second,
        outcome(box),
    )


@fact("S3.2.5-recv-nowait")
def s32_5_recv_nowait(A):
    r, s = A.create_channel()
    return "recv_nowait() on empty: %s; recv_nowait(None) -> %s; recv_nowait('dflt') -> %s; recv_nowait(default='d') -> %s" % (
        attempt(r.recv_nowait),
        attempt(r.recv_nowait, None),
        attempt(r.recv_nowait, "dflt"),
        attempt(r.recv_nowait, default="d"),
    )


@fact("S3.2.6-recv-wakes")
def s32_6_recv_wakes(A):
    r, s = A.create_channel()

    def later():
        time.sleep(0.3)
        s.send_nowait(b"late")

    threading.Thread(target=later).start()
    t0 = time.monotonic()
    got = r.recv()
    return "recv() on empty, a thread sends after 0.3 s: returns %r after %s" % (
        got,
        secs(time.monotonic() - t0),
    )


@fact("S3.2.6-recv-no-sender")
def s32_6_recv_no_sender(A):
    r, s = A.create_channel()
    cid = int(r.id)
    del s
    gc.collect()
    t, box = in_thread(r.recv)
    t.join(1.0)
    state = "still blocked" if t.is_alive() else outcome(box)
    A.SendChannel(cid).send_nowait(b"late")
    t.join(5.0)
    return "recv() with no SendChannel object left: %s after 1.0 s; SendChannel(cid).send_nowait(b'late') then releases it: %s" % (
        state,
        outcome(box),
    )


@fact("S3.2.6-recv-signal")
def s32_6_recv_signal():
    import signal

    if not hasattr(signal, "setitimer"):
        return "n/a (no setitimer)"
    A = api()
    r, s = A.create_channel()

    class Alarm(Exception):
        pass

    def handler(signum, frame):
        raise Alarm("alarm")

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    t0 = time.monotonic()
    try:
        r.recv()
        result = "recv() returned"
    except Alarm:
        result = "recv() in the main thread interrupted by the handler's exception after %s" % secs(
            time.monotonic() - t0
        )
    s.send_nowait(b"after")
    return "%s; channel then delivers %r" % (result, r.recv_nowait("empty"))


@fact("S3.2.7-channels-arg")
def s32_7_channels_arg(A):
    if V >= (3, 13):
        return "n/a (no run(); prepare_main() instead: S3.4-prepare-main)"
    interp = A.hl.create()
    r, s = A.create_channel()
    parts = []
    for label, value in (
        ("(r, s)", (r, s)),
        ("[r, s]", [r, s]),
        ("7", 7),
        ("{1: b'x'}", {1: b"x"}),
        ("{'a': [1]}", {"a": [1]}),
        ("{'r': r}", {"r": r}),
    ):
        parts.append("channels=%s: %s" % (label, attempt(interp.run, "x = 1", channels=value)))
    interp.run("got = None", channels={"a": b"b", "n": 7, "s": "t", "z": None})
    rr, ss = A.create_channel()
    interp.run(
        A.sub("got = (a, n, s, z, type(c).__name__, c.end)\nC.SendChannel(%d).send_nowait(repr(got))" % int(ss.id)),
        channels={"c": r.id},
    )
    parts.append("channels={'a': b'b', 'n': 7, 's': 't', 'z': None, 'c': r.id} binds %s" % rr.recv_nowait())
    return "; ".join(parts)


@fact("S3.2.7-ends-shareable")
def s32_7_ends_shareable(A):
    r, s = A.create_channel()
    parts = ["is_shareable(r) %r, is_shareable(s) %r, is_shareable(r.id) %r" % (
        A.hl.is_shareable(r), A.hl.is_shareable(s), A.hl.is_shareable(r.id))]
    r2, s2 = A.create_channel()
    try:
        s2.send_nowait(r)
        got = r2.recv_nowait()
        parts.append("send_nowait(r) then recv_nowait() -> %r (%s)" % (got, type(got).__module__ + "." + type(got).__qualname__))
    except Exception as exc:
        parts.append("send_nowait(r) raises " + eshow(exc))
    return "; ".join(parts)


@fact("S3.2.8-runfailed-str")
def s32_8_runfailed_str(A):
    interp = A.hl.create()
    out = []
    for src in (
        "raise ValueError('boom')",
        "raise KeyError('spam')",
        "raise ValueError()",
        "class MyErr(Exception): pass\nraise MyErr('boom', 2)",
    ):
        out.append(run_failure_text(A, interp, src))
    return "; ".join(out)


@fact("S3.2.8-runfailed-attrs")
def s32_8_runfailed_attrs(A):
    interp = A.hl.create()
    try:
        A.run(interp, "raise ValueError('boom')")
    except A.RunFailed as exc:
        text = "str(e) == args[0]: %r; __cause__ %r; __context__ %r; len(args) %d" % (
            str(exc) == exc.args[0], exc.__cause__, exc.__context__, len(exc.args))
        info = getattr(exc, "excinfo", None)
        if info is not None:
            text += "; excinfo.type.__name__ %r, .__module__ %r, .msg %r, .formatted %r; str(e) = %r" % (
                info.type.__name__, info.type.__module__, info.msg, info.formatted,
                mask(str(exc))[:120] + "...")
        return text
    return "no exception"


@fact("S3.2.8-runfailed-exit")
def s32_8_runfailed_exit(A):
    interp = A.hl.create()
    out = [run_failure_text(A, interp, src) for src in (
        "raise SystemExit(3)", "import sys\nsys.exit()", "raise KeyboardInterrupt")]
    out.append("caller still running")
    return "; ".join(out)


@fact("S3.2.8-runfailed-syntax")
def s32_8_runfailed_syntax(A):
    interp = A.hl.create()
    return "%s; source with NUL: %s" % (
        run_failure_text(A, interp, "def ("),
        run_failure_text(A, interp, "x = 1\0"),
    )


@fact("S3.2.8-runfailed-nested")
def s32_8_runfailed_nested(A):
    outer = A.hl.create()
    inner = A.hl.create()
    if V >= (3, 13):
        src = A.sub("I.Interpreter(%d).exec('raise ValueError(1)')" % int(inner.id))
    else:
        src = A.sub("I.Interpreter(%d).run('raise ValueError(1)')" % int(inner.id))
    return run_failure_text(A, outer, src)


@fact("S3.2.9-isolated-attr")
def s32_9_isolated_attr(A):
    if V >= (3, 13):
        return "create(isolated=False): %s; get_main().isolated: %s" % (
            attempt(A.hl.create, isolated=False), attempt(lambda: A.hl.get_main().isolated))
    return "create().isolated %s; create(isolated=False).isolated %s; get_main().isolated %s; repr(get_main()) %s" % (
        attempt(lambda: A.hl.create().isolated),
        attempt(lambda: A.hl.create(isolated=False).isolated),
        attempt(lambda: A.hl.get_main().isolated),
        repr(A.hl.get_main()),
    )


def id_assignment(handle, label):
    """Whether `handle.id = 5` works (S3.2.10, S3.2.11); `label` names the
    assignment in the refusal."""
    try:
        handle.id = 5
        return "id assignable"
    except AttributeError:
        return label + " raises AttributeError"


@fact("S3.2.10-interp-ids")
def s32_10_interp_ids(A):
    I = A.hl
    a = I.create()
    n = int(a.id)
    parts = [
        "Interpreter(True) %s" % attempt(lambda: I.Interpreter(True) == I.Interpreter(1)),
        "Interpreter('1') %s" % attempt(I.Interpreter, "1"),
        "Interpreter(1.0) %s" % attempt(I.Interpreter, 1.0),
        "Interpreter(-1) %s" % attempt(I.Interpreter, -1),
        "Interpreter(-1).is_running() %s" % attempt(lambda: I.Interpreter(-1).is_running()),
        "Interpreter(2**70) %s" % attempt(I.Interpreter, 2**70),
        "Interpreter(2**70).is_running() %s" % attempt(lambda: I.Interpreter(2**70).is_running()),
        "Interpreter(10**6) %s" % attempt(I.Interpreter, 10**6),
        "Interpreter(10**6).is_running() %s" % attempt(lambda: I.Interpreter(10**6).is_running()),
        "repr %r" % (I.Interpreter(n),),
        "Interpreter(0) == 0 %r" % (I.Interpreter(0) == 0,),
        "hash(Interpreter(%d)) == hash(%d) %r" % (n, n, hash(I.Interpreter(n)) == hash(n)),
        "type(id) %s" % type(a.id).__name__,
        "get_main() is get_main() %r" % (I.get_main() is I.get_main(),),
        "Interpreter(%d) is Interpreter(%d) %r" % (n, n, I.Interpreter(n) is I.Interpreter(n)),
    ]
    parts.append(id_assignment(a, "id = 5"))
    return "; ".join(parts)


@fact("S3.2.11-end-ids")
def s32_11_end_ids(A):
    R, S = A.RecvChannel, A.SendChannel
    r, s = A.create_channel()
    parts = [
        "RecvChannel('1') %s" % attempt(R, "1"),
        "RecvChannel(1.0) %s" % attempt(R, 1.0),
        "RecvChannel(-1) %s" % attempt(R, -1),
        "RecvChannel(-1).recv_nowait(None) %s" % attempt(lambda: R(-1).recv_nowait(None)),
        "SendChannel(2**70) %s" % attempt(S, 2**70),
        "SendChannel(2**70).send_nowait(1) %s" % attempt(lambda: S(2**70).send_nowait(1)),
        "RecvChannel(True) == RecvChannel(1) %s" % attempt(lambda: R(True) == R(1)),
        "RecvChannel(1) == SendChannel(1) %r" % (R(1) == S(1),),
        "hash(RecvChannel(1)), hash(SendChannel(1)), hash(1) equal %r" % (hash(R(1)) == hash(S(1)) == hash(1),),
        "RecvChannel(0) == 0 %r" % (R(0) == 0,),
        "r.id is s.id %r, r.id == s.id %r" % (r.id is s.id, r.id == s.id),
        "type(r.id) %s" % (type(r.id).__module__ + "." + type(r.id).__qualname__),
        "repr %r %r" % (r, s),
        "r.id.end %s" % attempt(lambda: r.id.end),
    ]
    parts.append(id_assignment(r, "r.id = 5"))
    return "; ".join(parts)


@fact("S3.2.12-interp-autodestroy")
def s32_12_interp_autodestroy(A):
    I = A.hl
    a = I.create()
    n = int(a.id)
    by_int = I.Interpreter(n) if V <= (3, 12) else None
    del a
    gc.collect()
    listed = n in [int(x.id) for x in I.list_all()]
    text = "after del of the create() handle and gc.collect(): id %d listed %r" % (n, listed)
    if by_int is not None:
        text += " (an Interpreter(%d) built from the int was still alive)" % n
    return text


@fact("S3.2.13-channel-autodestroy")
def s32_13_channel_autodestroy(A):
    parts = []
    r, s = A.create_channel()
    cid = int(r.id)
    r2, s2 = A.RecvChannel(cid), A.SendChannel(cid)
    s.send_nowait(b"queued")
    del r, s
    gc.collect()
    parts.append("ends built from the int kept, create_channel() ends dropped: listed %r, r2.recv_nowait(None) %s" % (
        cid in [int(p[0].id) for p in A.list_channels()], attempt(r2.recv_nowait, None)))
    r, s = A.create_channel()
    kept = r.id
    cid = int(kept)
    del r, s
    gc.collect()
    parts.append("only r.id kept: listed %r" % (cid in [int(p[0].id) for p in A.list_channels()],))
    return "; ".join(parts)


@fact("S3.2.13-channel-dies-with-sub")
def s32_13_channel_dies_with_sub(A):
    interp = A.hl.create()
    before = [int(p[0].id) for p in A.list_channels()]
    A.run(interp, A.sub("r, s = C.%s()\ns.send_nowait(b'x')" % (
        "create_channel" if V <= (3, 12) else "create")))
    during = [int(p[0].id) for p in A.list_channels()]
    new = [c for c in during if c not in before]
    interp.close()
    after = [int(p[0].id) for p in A.list_channels()]
    return "channel %s created in the sub, listed in main %r; after close() listed %r; RecvChannel(%s).recv_nowait(None) %s" % (
        new, bool(new), any(c in after for c in new), new[0] if new else "?",
        attempt(lambda: A.RecvChannel(new[0]).recv_nowait(None)) if new else "?")


SUB_CHECKS = """
import threading, os, sys, time
res = []
def attempt(label, f):
    try:
        f()
        res.append(label + ' ok')
    except BaseException as e:
        res.append('%s %s: %s' % (label, type(e).__name__, e))
def thr(daemon):
    t = threading.Thread(target=time.sleep, args=(0,), daemon=daemon)
    t.start()
    t.join()
attempt('thread', lambda: thr(False))
attempt('daemon thread', lambda: thr(True))
def sp():
    import subprocess
    subprocess.run([sys.executable, '-S', '-c', 'pass'], check=True)
attempt('subprocess', sp)
def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
if ISOLATED and hasattr(os, 'fork'):
    attempt('fork', fork)
attempt('import _datetime', lambda: __import__('_datetime'))
attempt('import readline', lambda: __import__('readline'))
"""


def sub_checks(A, interp, isolated):
    r, s = A.create_channel()
    A.run(interp, A.sub("ISOLATED = %r\n" % isolated + SUB_CHECKS +
                        "\nC.SendChannel(%d).send_nowait('; '.join(res))" % int(s.id)))
    return r.recv_nowait()


@fact("S3.2.14-isolated-mode")
def s32_14_isolated_mode(A):
    return "create(): " + sub_checks(A, A.hl.create(), True)


@fact("S3.2.14-legacy-mode")
def s32_14_legacy_mode(A):
    how = "create(isolated=False)" if V <= (3, 12) else "_interpreters.create('legacy')"
    return how + ": " + sub_checks(A, A.legacy(), False)


@fact("S3.2.15-live-thread")
def s32_15_live_thread(A):
    interp = A.legacy()
    A.run(interp, "import threading, time\nt = threading.Thread(target=time.sleep, args=(1.5,))\nt.start()")
    parts = ["thread alive: is_running() %s" % attempt(interp.is_running)]
    if V <= (3, 11):
        parts.append("run('pass') %s" % attempt(A.run, interp, "pass"))
    parts.append("close() %s" % attempt(interp.close))
    time.sleep(2.0)
    parts.append("after the thread ended: close() %s" % attempt(interp.close))
    return "; ".join(parts)


# ---------------------------------------------------------------- S3.4 / S3.5: 3.13, 3.14


@fact("S3.4-create-kw")
def s34_create_kw(A):
    return "create(isolated=False) %s; create(True) %s; create(foo=1) %s; create(isolated=2) %s; create(isolated=None) %s" % (
        attempt(lambda: type(A.hl.create(isolated=False)).__name__),
        attempt(A.hl.create, True),
        attempt(A.hl.create, foo=1),
        attempt(lambda: type(A.hl.create(isolated=2)).__name__),
        attempt(lambda: type(A.hl.create(isolated=None)).__name__),
    ) + "; create(isolated='x') %s; create(isolated=1.5) %s" % (
        attempt(lambda: type(A.hl.create(isolated="x")).__name__),
        attempt(lambda: type(A.hl.create(isolated=1.5)).__name__),
    )


@fact("S3.4-handles")
def s34_handles(A):
    a = A.hl.create()
    parts = ["repr %r" % (a,), "type(id) %s" % type(a.id).__name__]
    if hasattr(a, "whence"):
        parts.append("whence %r, main whence %r" % (a.whence, A.hl.get_main().whence))
    methods = sorted(n for n in dir(a) if not n.startswith("_"))
    parts.append("public attributes: " + " ".join(methods))
    return "; ".join(parts)


@fact("S3.4-sources")
def s34_sources(A):
    interp = A.hl.create()

    def f():
        pass

    code = compile("x = 1", "<probe>", "exec")
    out = []
    for label, src in (("str", "x = 1"), ("bytes", b"x = 1"), ("int", 123), ("code", code), ("function", f)):
        out.append("%s: %s" % (label, attempt(A.run, interp, src)))
    if V <= (3, 12):
        out.append("run(src_str='pass') %s" % attempt(lambda: interp.run(src_str="pass")))
        out.append("run('pass', None) %s" % attempt(lambda: interp.run("pass", None)))
    return "; ".join(out)


@fact("S3.4-prepare-main")
def s34_prepare_main(A):
    interp = A.hl.create()
    if not hasattr(interp, "prepare_main"):
        return "n/a (no prepare_main before 3.13)"
    r, s = A.create_channel()
    try:
        interp.prepare_main(a=[1])
        bad = "prepare_main(a=[1]) accepted"
    except Exception as exc:
        bad = "prepare_main(a=[1]) raises %s (%s)" % (eshow(exc), mro(type(exc)))
    interp.prepare_main(rr=r, ss=s, n=7)
    r2, s2 = A.create_channel()
    interp.prepare_main(out=s2)
    interp.exec("out.send_nowait(repr((type(rr).__name__, type(ss).__name__, int(rr.id), n)))")
    return bad + "; prepare_main(rr=r, ss=s, n=7): the sub sees " + r2.recv_nowait()


@fact("S3.4-send-timeout")
def s34_send_timeout(A):
    r, s = A.create_channel()
    t0 = time.monotonic()
    try:
        s.send(b"x", timeout=1)
        res = "send(b'x', timeout=1) returned"
    except BaseException as exc:  # noqa: B902
        res = "send(b'x', timeout=1) raises %s" % eshow(exc)
    res += " after %s; then recv_nowait('empty') -> %r" % (secs(time.monotonic() - t0), r.recv_nowait("empty"))
    return res


@fact("S3.4-recv-timeout")
def s34_recv_timeout(A):
    r, s = A.create_channel()
    out = []
    for tmo in (1, 0.5):
        t0 = time.monotonic()
        try:
            r.recv(timeout=tmo)
            res = "returned"
        except BaseException as exc:  # noqa: B902
            res = "raises %r" % (exc,)
        out.append("recv(timeout=%s) %s after %s" % (tmo, res, secs(time.monotonic() - t0)))
    return "; ".join(out)


@fact("S3.4-end-close")
def s34_end_close(A):
    if not hasattr(A.RecvChannel, "close"):
        return "n/a (ends have no close() before 3.13)"
    r, s = A.create_channel()
    s.send_nowait(b"pending")
    parts = ["r.close() with an item pending %s" % attempt(r.close)]
    parts.append("s.close() %s; (r.is_closed, s.is_closed) = %r" % (attempt(s.close), (r.is_closed, s.is_closed)))
    parts.append("recv_nowait() -> %s, then %s" % (attempt(r.recv_nowait), attempt(r.recv_nowait, "d")))
    r, s = A.create_channel()
    parts.append("on a fresh channel r.close() %s, then s.send_nowait(1) %s" % (attempt(r.close), attempt(s.send_nowait, 1)))
    return "; ".join(parts)


@fact("S3.5-call")
def s35_call(A):
    def answer():
        return 42

    interp = A.hl.create()
    if not hasattr(interp, "call"):
        return "n/a (no call() before 3.13)"
    return "call(pow, 2, 5) %s; call(answer) %s" % (attempt(interp.call, pow, 2, 5), attempt(interp.call, answer))


# ---------------------------------------------------------------- S4.1: interpreters


@fact("S4.1-ids")
def s41_ids(A):
    I = A.hl
    a, b, c = I.create(), I.create(), I.create()
    ids = [int(x.id) for x in (a, b, c)]
    c.close()
    d = I.create()
    return "main %d; created %s; after closing %d the next is %d; list_all() %s" % (
        int(I.get_main().id), ids, ids[2], int(d.id), [int(x.id) for x in I.list_all()])


@fact("S4.1-ids-global")
def s41_ids_global(A):
    I = A.hl
    a = I.create()
    r, s = A.create_channel()
    A.run(a, A.sub("kept = I.create()\nC.SendChannel(%d).send_nowait(repr(([int(x.id) for x in I.list_all()], int(I.get_current().id), int(I.get_main().id), I.get_current().is_running())))" % int(s.id)))
    inside = r.recv_nowait()
    return "in sub %d: (list_all ids, current, main, current.is_running()) = %s; list_all() in main %s" % (
        int(a.id), inside, [int(x.id) for x in I.list_all()])


@fact("S4.1-get-current")
def s41_get_current(A):
    I = A.hl
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("id", int(I.get_current().id)))
    t.start()
    t.join()
    sub = A.legacy()
    r, s = A.create_channel()
    A.run(sub, A.sub(
        "import threading\nbox = []\n"
        "t = threading.Thread(target=lambda: box.append(int(I.get_current().id)))\n"
        "t.start(); t.join()\n"
        "C.SendChannel(%d).send_nowait(box[0])" % int(s.id)))
    return "in a thread of main: %d; in a thread started by sub %d: %d; get_main() in main %r" % (
        box["id"], int(sub.id), r.recv_nowait(), I.get_main())


@fact("S4.1-is-running")
def s41_is_running(A):
    I = A.hl
    a = I.create()
    b = I.create()
    r, s = A.create_channel()
    parts = ["main from main %s" % attempt(I.get_main().is_running), "idle sub %s" % attempt(a.is_running)]
    A.run(a, A.sub("C.SendChannel(%d).send_nowait(repr((I.get_main().is_running(), I.get_current().is_running())))" % int(s.id)))
    parts.append("(main, itself) from the sub %s" % r.recv_nowait())
    cid = int(s.id)
    t, box = in_thread(A.run, a, A.sub("C.RecvChannel(%d).recv()" % cid))
    time.sleep(0.5)
    parts.append("while run() is blocked in a thread %s" % attempt(a.is_running))
    s.send_nowait(b"go")
    t.join(5.0)
    parts.append("after it returned %s" % attempt(a.is_running))
    b.close()
    parts.append("closed %s" % attempt(b.is_running))
    parts.append("unknown %s" % attempt(I.Interpreter(10**6).is_running) if V <= (3, 12) else "unknown: see S3.2.10")
    return "; ".join(parts)


@fact("S4.1-run-refusals")
def s41_run_refusals(A):
    I = A.hl
    a, b = I.create(), I.create()
    r, s = A.create_channel()
    parts = ["get_main() from main: %s" % attempt(A.run, I.get_main(), "pass")]
    meth = "run" if V <= (3, 12) else "exec"
    parts.append("get_main() from a sub: %s" % run_failure_text(A, a, A.sub("I.get_main().%s('pass')" % meth)))
    parts.append("a sibling from a sub: %s" % run_failure_text(
        A, a, A.sub("I.Interpreter(%d).%s('x = 5')" % (int(b.id), meth))))
    A.run(b, A.sub("C.SendChannel(%d).send_nowait(x)" % int(s.id)))
    parts.append("(the sibling then has x = %r)" % r.recv_nowait())
    t, box = in_thread(A.run, a, A.sub("C.RecvChannel(%d).recv()" % int(r.id)))
    time.sleep(0.5)
    parts.append("while another thread runs it: %s" % attempt(A.run, a, "pass"))
    s.send_nowait(b"go")
    t.join(5.0)
    b.close()
    parts.append("closed: %s" % attempt(A.run, b, "pass"))
    if V <= (3, 12):
        parts.append("Interpreter(10**6): %s" % attempt(A.run, I.Interpreter(10**6), "pass"))
    os._exit(print("; ".join(parts), flush=True) or 0)


@fact("S4.1-main-namespace")
def s41_main_namespace(A):
    interp = A.hl.create()
    r, s = A.create_channel()
    A.run(interp, A.sub("C.SendChannel(%d).send_nowait(' '.join(sorted(k for k in globals() if k not in ('I', 'C'))))" % int(s.id)))
    initial = r.recv_nowait()
    A.run(interp, "x = 1")
    A.run(interp, A.sub("C.SendChannel(%d).send_nowait(repr((x, __name__)))" % int(s.id)))
    persisted = r.recv_nowait()
    if V <= (3, 12):
        interp.run("pass", channels={"__name__": "spam", "y": 2})
    else:
        interp.prepare_main(__name__="spam", y=2)
    A.run(interp, A.sub("C.SendChannel(%d).send_nowait(repr((__name__, y)))" % int(s.id)))
    return "initial globals (apart from the probe's I and C): %s; after 'x = 1', a later run sees (x, __name__) = %s; injected {'__name__': 'spam', 'y': 2}, a later run sees %s" % (
        initial, persisted, r.recv_nowait())


@fact("S4.1-close")
def s41_close(A):
    I = A.hl
    a, b, c = I.create(), I.create(), I.create()
    parts = ["get_main().close() in main %s" % attempt(I.get_main().close)]
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", attempt(I.get_main().close)))
    t.start()
    t.join()
    parts.append("from a thread of main %s" % box["r"])
    parts.append("a sub closing itself: %s" % run_failure_text(A, a, A.sub("I.get_current().close()")))
    parts.append("a sub closing main: %s" % run_failure_text(A, a, A.sub("I.get_main().close()")))
    parts.append("a sub closing an idle sibling: %s" % run_failure_text(
        A, a, A.sub("I.Interpreter(%d).close()" % int(b.id))))
    parts.append("sibling listed after %r" % (int(b.id) in [int(x.id) for x in I.list_all()],))
    parts.append("close() -> %s, again %s" % (attempt(c.close), attempt(c.close)))
    return "; ".join(parts)


@fact("S4.1-close-running")
def s41_close_running(A):
    a = A.hl.create()
    r, s = A.create_channel()
    t, box = in_thread(A.run, a, A.sub("C.RecvChannel(%d).recv()\ndone = True" % int(r.id)))
    time.sleep(0.5)
    res = "close() while another thread runs it %s" % attempt(a.close)
    s.send_nowait(b"go")
    t.join(5.0)
    res += "; that run() then %s" % outcome(box)
    os._exit(print(res, flush=True) or 0)


@fact("S4.1-exit-clean")
def s41_exit_clean(A):
    src = A.sub(
        "a, b = I.create(), I.create()\n"
        "r, s = C.%s()\n"
        "s.send_nowait(b'left queued')\n"
        "print('end of main')\n" % ("create_channel" if V <= (3, 12) else "create"))
    flags = ["-S"] if sys.flags.no_site else []
    proc = subprocess.run([sys.executable] + flags + ["-c", src], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=15)
    return "a process that ends with 2 idle subs and a channel holding an object: status %d, stdout %r, stderr %r" % (
        proc.returncode, proc.stdout.decode().strip(), mask(proc.stderr.decode().strip()))


# ---------------------------------------------------------------- S4.2: channels


@fact("S4.2-channel-ids")
def s42_channel_ids(A):
    pairs = [A.create_channel() for _ in range(3)]
    interp = A.hl.create()
    r, s = pairs[0]
    A.run(interp, A.sub("r, s = C.%s()\nC.SendChannel(%d).send_nowait(int(r.id))" % (
        "create_channel" if V <= (3, 12) else "create", int(s.id))))
    return "ids %s; a channel created in a sub then gets %r; int(r.id) == int(s.id) %r" % (
        [int(p[0].id) for p in pairs], r.recv_nowait(), all(int(p[0].id) == int(p[1].id) for p in pairs))


@fact("S4.2-list-all-channels")
def s42_list_all_channels(A):
    first = A.list_channels()
    pairs = [A.create_channel() for _ in range(3)]
    listing = A.list_channels()
    shape = all(isinstance(p, tuple) and len(p) == 2 for p in listing)
    text = "fresh process: %r; after creating 0, 1, 2: ids %s (2-tuples %r, %s/%s)" % (
        first, [int(p[0].id) for p in listing], shape,
        type(listing[0][0]).__name__, type(listing[0][1]).__name__)
    del pairs, listing
    gc.collect()
    return text + "; after dropping every end: %r" % (A.list_channels(),)


@fact("S4.2-list-closed", crasher=lambda: V == (3, 13))
def s42_list_closed(A):
    r, s = A.create_channel()
    A.low_close(int(r.id))
    return "after low-level close: list_all ids %s" % [int(p[0].id) for p in A.list_channels()]


@fact("S4.2-fifo-types")
def s42_fifo_types(A):
    r, s = A.create_channel()
    values = [b"spam", "\u4f60\u597d\U0001f600", "\ud800", -5, 2**62, None, b"", "", bytes(range(256))]
    for v in values:
        s.send_nowait(v)
    got = [r.recv_nowait() for _ in values]
    return "received in order and equal %r; types %s" % (
        got == values, " ".join(type(x).__name__ for x in got))


@fact("S4.2-identity")
def s42_identity(A):
    r, s = A.create_channel()
    out = []
    for v in (None, b"", "", 7, b"spam", "spam", 2**40):
        s.send_nowait(v)
        out.append("%r %s" % (v, "same" if r.recv_nowait() is v else "distinct"))
    return ", ".join(out)


@fact("S4.2-int-range")
def s42_int_range(A):
    r, s = A.create_channel()
    out = []
    for v in (2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**1000):
        res = attempt(s.send_nowait, v)
        if not res.startswith("raises"):
            res = "ok" if r.recv_nowait() == v else "changed"
        out.append("%s: is_shareable %r, send %s" % (
            "2**1000" if v == 2**1000 else v, A.hl.is_shareable(v), res))
    return "; ".join(out)


@fact("S4.2-not-found")
def s42_not_found(A):
    R, S = A.RecvChannel, A.SendChannel
    n = 10**6
    t0 = time.monotonic()
    send = attempt(S(n).send, 1)
    dt = time.monotonic() - t0
    return "recv() %s; recv_nowait('d') %s; send(1) %s after %s; send_nowait(1) %s" % (
        attempt(R(n).recv), attempt(R(n).recv_nowait, "d"), send, secs(dt), attempt(S(n).send_nowait, 1))


@fact("S4.2-low-close")
def s42_low_close(A):
    parts = []
    r, s = A.create_channel()
    A.low_close(int(r.id))
    parts.append("closed empty channel: recv_nowait('d') %s, send_nowait(1) %s, close again %s" % (
        attempt(r.recv_nowait, "d"), attempt(s.send_nowait, 1), attempt(A.low_close, int(r.id))))
    r, s = A.create_channel()
    s.send_nowait(b"pending")
    parts.append("close() with an item pending %s" % attempt(A.low_close, int(r.id)))
    parts.append("close(send=True) %s, then send_nowait %s, recv_nowait %s, recv_nowait('d') %s" % (
        attempt(A.low_close, int(r.id), send=True), attempt(s.send_nowait, 2),
        attempt(r.recv_nowait), attempt(r.recv_nowait, "d")))
    r, s = A.create_channel()
    s.send_nowait(b"pending")
    parts.append("close(force=True) %s, then recv_nowait('d') %s" % (
        attempt(A.low_close, int(r.id), force=True), attempt(r.recv_nowait, "d")))
    r, s = A.create_channel()
    s.send_nowait(b"pending")
    parts.append("release(cid) %s, then recv_nowait('d') %s, release again %s" % (
        attempt(A.low_release, int(r.id)), attempt(r.recv_nowait, "d"), attempt(A.low_release, int(r.id))))
    r, s = A.create_channel()
    cid = int(r.id)
    parts.append("destroy(cid) %s, then recv_nowait('d') %s, listed %r" % (
        attempt(A.low_destroy, cid), attempt(r.recv_nowait, "d"),
        cid in [int(p[0].id) for p in A.list_channels()] if V != (3, 13) else "(not asked: 3.13 list_all after close crashes)"))
    return "; ".join(parts)


@fact("S4.2-association")
def s42_association(A):
    r, s = A.create_channel()
    cid = int(r.id)
    if V <= (3, 11):
        li = A.lowch.channel_list_interpreters
    else:
        li = A.lowch.list_interpreters
    before = (attempt(li, cid, send=True), attempt(li, cid, send=False))
    s.send_nowait(b"x")
    after_send = (attempt(li, cid, send=True), attempt(li, cid, send=False))
    r.recv_nowait()
    after_recv = (attempt(li, cid, send=True), attempt(li, cid, send=False))
    return "(send, recv) interpreters: at creation %s; after main sends %s; after main receives %s" % (
        before, after_send, after_recv)


def sender_destroyed(A, main_used):
    r, s = A.create_channel()
    if main_used:
        s.send_nowait(b"warm-up")
        r.recv_nowait()
    interp = A.hl.create()
    A.run(interp, A.sub("C.SendChannel(%d).send_nowait(b'from-sub')\nC.SendChannel(%d).send_nowait(None)" % (
        int(s.id), int(s.id))))
    interp.close()
    return "recv_nowait('empty') %s, then %s, then %s" % (
        attempt(r.recv_nowait, "empty"), attempt(r.recv_nowait, "empty"), attempt(r.recv_nowait, "empty"))


@fact("S4.2-sender-destroyed")
def s42_sender_destroyed(A):
    return "sub sent b'from-sub' and None, then was closed: " + sender_destroyed(A, False)


@fact("S4.2-sender-destroyed-main-used")
def s42_sender_destroyed_main_used(A):
    return "as S4.2-sender-destroyed, main had used both ends before: " + sender_destroyed(A, True)


# ---------------------------------------------------------------- S4.3: is_shareable


class Sub(bytes):
    pass


def share_values():
    return [
        ("None", None), ("True", True), ("0", 0), ("-10", -10), ("2**63", 2**63), ("1.5", 1.5),
        ("b''", b""), ("'x'", "x"), ("()", ()), ("(1,)", (1,)), ("(1, [2])", (1, [2])),
        ("[]", []), ("{}", {}), ("object()", object()), ("bytearray()", bytearray()),
        ("memoryview(b'ab')", memoryview(b"ab")), ("...", ...), ("NotImplemented", NotImplemented),
        ("ValueError('x')", ValueError("x")), ("bytes subclass", Sub(b"x")), ("type", type),
    ]


@fact("S4.3-is-shareable")
def s43_is_shareable(A):
    true = [label for label, v in share_values() if A.hl.is_shareable(v)]
    false = [label for label, v in share_values() if not A.hl.is_shareable(v)]
    return "True: %s | False: %s" % (", ".join(true), ", ".join(false))


@fact("S4.3-round-trip")
def s43_round_trip(A):
    r, s = A.create_channel()
    out = []
    for label, v in share_values():
        try:
            s.send_nowait(v)
            got = r.recv_nowait()
            out.append("%s ok(%s)" % (label, type(got).__name__))
        except Exception as exc:
            out.append("%s %s" % (label, ename(exc)))
    return ", ".join(out)


@fact("S4.3-from-sub")
def s43_from_sub(A):
    interp = A.hl.create()
    r, s = A.create_channel()
    A.run(interp, A.sub(
        "s = C.SendChannel(%d)\nres = []\n"
        "for label, v in [('None', None), ('True', True), ('7', 7), ('2**70', 2**70), ('1.5', 1.5),\n"
        "                 (\"b'b'\", b'b'), (\"'s'\", 's'), ('(1,)', (1,)), ('[1]', [1]), ('object()', object())]:\n"
        "    try:\n"
        "        s.send_nowait(v)\n"
        "        res.append(label + ' ok')\n"
        "    except Exception as e:\n"
        "        res.append(label + ' ' + type(e).__name__)\n"
        "s.send_nowait(', '.join(res))" % int(s.id)))
    sentinel = object()
    items = []
    while True:
        got = r.recv_nowait(sentinel)
        if got is sentinel:
            break
        items.append(got)
    return "%s (main received %d objects)" % (items[-1], len(items) - 1)


# ---------------------------------------------------------------- S4.4: crashers (opt-in)


@fact("S4.4-dict-order", crasher=lambda: V <= (3, 11))
def s44_dict_order(A):
    if V >= (3, 13):
        return "n/a (no run(channels=))"
    interp = A.hl.create()
    return "run('pass', channels={'bad': [1], 'b': b'x'}) " + attempt(interp.run, "pass", channels={"bad": [1], "b": b"x"})


@fact("S4.4-str-raises", crasher=lambda: V != (3, 12))
def s44_str_raises(A):
    interp = A.hl.create()
    return run_failure_text(A, interp, "class E(Exception):\n    def __str__(self): raise RuntimeError('no')\nraise E()")


@fact("S4.4-exec-bad-shared", crasher=lambda: V >= (3, 13))
def s44_exec_bad_shared(A):
    if V <= (3, 12):
        return "n/a (no _interpreters.exec)"
    interp = A.hl.create()
    # python/cpython#126654: a `shared` argument that is not a dict
    return "_interpreters.exec(id, 'pass', 1) " + attempt(A.low.exec, interp.id, "pass", 1)


@fact("S4.4-exit-with-thread", crasher=lambda: V <= (3, 12))
def s44_exit_with_thread(A):
    interp = A.legacy()
    A.run(interp, "import threading, time\nthreading.Thread(target=time.sleep, args=(1,)).start()")
    return "process exits while the sub's thread sleeps"


# ---------------------------------------------------------------- V3: side by side


@fact("V3-end-methods")
def v3_end_methods(A):
    r, s = A.create_channel()
    return "RecvChannel: %s; SendChannel: %s" % (
        " ".join(n for n in sorted(dir(r)) if not n.startswith("_")),
        " ".join(n for n in sorted(dir(s)) if not n.startswith("_")))


@fact("V3-send-release-timing")
def v3_send_release_timing(A):
    r, s = A.create_channel()

    def later():
        time.sleep(0.5)
        r.recv()

    threading.Thread(target=later).start()
    t0 = time.monotonic()
    s.send(b"x")
    first = time.monotonic() - t0
    interp = A.hl.create()
    t, box = in_thread(A.run, interp, A.sub("import time\ntime.sleep(0.5)\nC.RecvChannel(%d).recv()" % int(r.id)))
    t0 = time.monotonic()
    s.send(b"y")
    second = time.monotonic() - t0
    t.join(5.0)
    res = "send() while a thread calls recv() after 0.5 s: returns after %s; main send() while a sub (run in a thread) calls recv() after 0.5 s: returns after %s" % (
        secs(first), secs(second))
    os._exit(print(res, flush=True) or 0)


@fact("V3-cross-paths")
def v3_cross_paths(A):
    interp = A.hl.create()
    r1, s1 = A.create_channel()
    r2, s2 = A.create_channel()
    A.share_ends(interp, sin=r1, sout=s2)
    s1.send_nowait(b"to-sub")
    A.run(interp, "sout.send_nowait(sin.recv_nowait())\nsout.send_nowait(b'from-sub')")
    return "main -> sub -> main: %r, %r" % (r2.recv_nowait(), r2.recv_nowait())


@fact("V3-legacy-config")
def v3_legacy_config(A):
    if V <= (3, 12):
        return "n/a (create(isolated=False) exists)"
    interp = A.legacy()
    cfg = A.low.get_config(interp.id)
    plain = A.hl.create()
    iso = A.low.get_config(plain.id)
    return "_interpreters.create('legacy', reqrefs=True) + Interpreter(lid, _ownsref=True): %r, gil=%r, allow_threads=%r, allow_daemon_threads=%r, allow_fork=%r; create(): gil=%r, allow_threads=%r, allow_daemon_threads=%r, allow_fork=%r, allow_exec=%r, check_multi_interp_extensions=%r" % (
        interp, cfg.gil, cfg.allow_threads, cfg.allow_daemon_threads, cfg.allow_fork,
        iso.gil, iso.allow_threads, iso.allow_daemon_threads, iso.allow_fork, iso.allow_exec,
        iso.check_multi_interp_extensions)


# ---------------------------------------------------------------- V4: hangs and crashes


def close_cell(A, src):
    interp = A.hl.create()
    A.run(interp, src)
    t, box = in_thread(interp.close)
    t.join(8.0)
    res = "ran %r in the main thread, close() in another thread: %s" % (
        src, "still blocked after 8 s (hang)" if t.is_alive() else outcome(box))
    os._exit(print(res, flush=True) or 0)


@fact("V4.2-close-other-thread-pass")
def v42_a(A):
    close_cell(A, "pass")


@fact("V4.2-close-other-thread-threading")
def v42_b(A):
    close_cell(A, "import threading")


def ran_in_thread(A, src):
    """A new sub that ran `src` in a thread of main (thread A, joined)."""
    interp = A.hl.create()
    t = threading.Thread(target=A.run, args=(interp, src))
    t.start()
    t.join()
    return interp


@fact("V4.2-close-run-in-thread-threading")
def v42_c(A):
    interp = ran_in_thread(A, "import threading")
    t2, box = in_thread(interp.close)
    t2.join(8.0)
    res = "ran 'import threading' in thread A, close() in thread B: " + (
        "still blocked after 8 s (hang)" if t2.is_alive() else outcome(box))
    os._exit(print(res, flush=True) or 0)


@fact("V4.2-close-main-after-thread-run")
def v42_d(A):
    interp = ran_in_thread(A, "import threading")
    done = {}

    def watchdog():
        time.sleep(8.0)
        if "ok" not in done:
            print("ran 'import threading' in thread A, close() in the main thread: still blocked after 8 s (hang)", flush=True)
            os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    res = attempt(interp.close)
    done["ok"] = True
    os._exit(print("ran 'import threading' in thread A, close() in the main thread: returned " + res, flush=True) or 0)


@fact("V4.2-close-same-thread-threading")
def v42_e(A):
    interp = A.hl.create()
    box = {}

    def body():
        A.run(interp, "import threading")
        box["r"] = attempt(interp.close)

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(8.0)
    res = "ran 'import threading' and close() in the same non-main thread: " + (
        "still blocked after 8 s (hang)" if t.is_alive() else "returned " + box["r"])
    os._exit(print(res, flush=True) or 0)


@fact("V4.1-list-all-after-close", crasher=lambda: V == (3, 13))
def v41_list_all_after_close(A):
    r, s = A.create_channel()
    A.low_close(int(r.id))
    return "list_all_channels() after close: %r" % (A.list_channels(),)


@fact("V4.4-fork-legacy", crasher=True)
def v44_fork_legacy(A):
    interp = A.legacy()
    A.run(interp, "import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nos.waitpid(pid, 0)")
    return "parent survived"


@fact("V4.5-double-import", crasher=lambda: V >= (3, 12))
def v45_double_import(A):
    a = A.hl.create()
    b = A.legacy()
    first = run_failure_text(A, a, "import _datetime")
    A.run(b, "import _datetime")
    return first + "; then import in a legacy sub ok"


# ---------------------------------------------------------------- S5: CPython's own tests


def test_source(name):
    import ast
    import test

    for base in test.__path__:
        for path in (os.path.join(base, name + ".py"), os.path.join(base, name, "test_api.py")):
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    src = f.read()
                return path, src, ast.parse(src)
    return None, None, None


def test_functions(tree, src):
    import ast

    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test_"):
                    skip = None
                    for dec in item.decorator_list:
                        text = ast.get_source_segment(src, dec) or ""
                        if "skip" in text:
                            skip = text
                    out[node.name + "." + item.name] = (ast.get_source_segment(src, item), skip)
    return out


def cited(name, checks):
    path, src, tree = test_source(name)
    if path is None:
        return "n/a (Lib/test/%s.py not installed)" % name
    funcs = test_functions(tree, src)
    out = []
    for key, needle in checks:
        body, skip = funcs.get(key, (None, None))
        if body is None:
            out.append("%s missing" % key)
            continue
        text = key
        if needle:
            text += " has %r: %s" % (needle, "yes" if needle in body else "NO")
        if skip:
            text += " [%s]" % re.sub(r"\s+", " ", skip)
        out.append(text)
    return "; ".join(out)


@fact("S5.1-test-interpreters")
def s51_test_interpreters():
    if V >= (3, 13):
        return "n/a (3.13+ tests target the PEP 734-shaped API)"
    return cited("test_interpreters", [
        ("TestInterpreterAttrs.test_custom_id", "assertRaises(TypeError"),
        ("TestInterpreterAttrs.test_id_readonly", "AttributeError"),
        ("TestInterpreterAttrs.test_equality", None),
        ("TestInterpreterAttrs.test_subinterpreter_isolated_default", "assertFalse"),
        ("TestInterpreterAttrs.test_main_isolated", None),
        ("TestInterpreterAttrs.test_custom_isolated_default", None),
        ("CreateTests.test_in_thread", None),
        ("CreateTests.test_in_subinterpreter", "[main, interp, interp2]"),
        ("TestInterpreterIsRunning.test_subinterpreter", None),
        ("TestInterpreterIsRunning.test_already_destroyed", "RuntimeError"),
        ("TestInterpreterIsRunning.test_does_not_exist", "RuntimeError"),
        ("TestInterpreterIsRunning.test_with_only_background_threads", None),
        ("TestInterpreterClose.test_main", "RuntimeError"),
        ("TestInterpreterClose.test_from_current", "RuntimeError"),
        ("TestInterpreterClose.test_from_sibling", None),
        ("TestInterpreterClose.test_from_other_thread", None),
        ("TestInterpreterClose.test_still_running", None),
        ("TestInterpreterRun.test_in_thread", None),
        ("TestInterpreterRun.test_bad_script", "TypeError"),
        ("TestInterpreterRun.test_bytes_for_script", "TypeError"),
        ("TestInterpreterRun.test_already_running", None),
        ("TestIsShareable.test_not_shareable", "True"),
        ("TestRecvChannelAttrs.test_id_readonly", "AttributeError"),
        ("TestSendRecv.test_send_recv_main", "assertIsNot"),
        ("TestSendRecv.test_send_recv_different_threads", None),
        ("TestSendRecv.test_recv_nowait_empty", "ChannelEmptyError"),
        ("TestSendRecv.test_recv_nowait_default", None),
        ("TestSendRecv.test_send_recv_different_interpreters", None),
    ])


@fact("S5.2-test-xxsubinterpreters")
def s52_test_xx():
    if V >= (3, 13):
        return "n/a (3.13+ has test__interpreters)"
    text = cited("test__xxsubinterpreters", [
        ("RunStringTests.test_execution_namespace_is_main", None),
        ("RunStringTests.test_main_reused", None),
        ("RunStringTests.test_shared_overwrites", None),
        ("RunStringTests.test_shared_overwrites_default_vars", "__name__"),
        ("RunStringTests.test_create_thread", None),
        ("ShareableTypeTests.test_non_shareable_int", "OverflowError"),
        ("ChannelTests.test_sequential_ids", None),
        ("ChannelTests.test_ids_global", None),
    ])
    if V == (3, 12):
        text += " || test__xxinterpchannels: " + cited("test__xxinterpchannels", [
            ("ChannelTests.test_sequential_ids", None),
            ("ChannelTests.test_ids_global", None),
        ])
    return text


# ---------------------------------------------------------------- driver


def is_crasher(flag):
    return flag() if callable(flag) else bool(flag)


def run_one(fid):
    for name, func, _, _ in FACTS:
        if name == fid:
            try:
                result = func(api()) if func.__code__.co_argcount else func()
            except BaseException as exc:  # noqa: B902
                result = "probe failed: " + eshow(exc)
            print(mask(str(result)), flush=True)
            return 0
    print("unknown fact " + fid, file=sys.stderr)
    return 2


def main(argv):
    if argv[:1] == ["--one"]:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (ImportError, ValueError, OSError):
            pass
        return run_one(argv[1])
    crashers = "--crashers" in argv
    flags = ["-S"] if sys.flags.no_site else []
    command = " ".join([sys.executable] + flags + [os.path.relpath(os.path.abspath(__file__))] + argv)
    if "--command" in argv:
        at = argv.index("--command")
        command = argv[at + 1]
        argv = argv[:at] + argv[at + 2:]
    prefixes = [a for a in argv if not a.startswith("--")]
    print("# generated by: " + command)
    print("# CPython %s (%s)" % (sys.version.split()[0], sys.executable))
    print("# one line per fact: fact-id: observed; see conformance/EVIDENCE.md")
    for fid, func, timeout, crasher in FACTS:
        if prefixes and not any(fid.startswith(p) for p in prefixes):
            continue
        if is_crasher(crasher) and not crashers:
            print("%s: not run (known to crash this version; --crashers runs it)" % fid, flush=True)
            continue
        cmd = [sys.executable] + flags + [os.path.abspath(__file__), "--one", fid]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            print("%s: TIMEOUT (killed after %d s)" % (fid, timeout), flush=True)
            continue
        out = proc.stdout.decode("utf-8", "replace").strip()
        if proc.returncode < 0:
            line = "CRASH signal %d" % -proc.returncode
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            fatal = [l for l in err if "Fatal Python error" in l or "free()" in l or "corruption" in l]
            if fatal:
                line += " (%s)" % mask(fatal[0])
            if out:
                line += "; stdout: " + out
        elif proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            line = "exit status %d%s%s" % (proc.returncode, "; stdout: " + out if out else "",
                                            "; stderr: " + mask(err[-1]) if err else "")
        else:
            line = out.replace("\n", " | ")
        print("%s: %s" % (fid, line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

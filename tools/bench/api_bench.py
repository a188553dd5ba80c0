"""One API benchmark in the Python that runs it; prints one JSON object.

Run by tools/bench/bench.py, always as `PYTHON -I -S -B api_bench.py ...` (a
site-packages .pth can hang subinterpreter teardown; -B: no .pyc files
written anywhere).  Standard library
only; works on CPython 3.11 to 3.13.

    api_bench.py handoff   --impl ref|cpython|queue --where same|cross
                           --rounds N --warmup W --pause LO_MS,HI_MS [--seed S]
    api_bench.py pairs     --impl ref|cpython|cpython-ll --where same|cross
                           --n N --inner K
    api_bench.py lifecycle --impl ref|cpython|cpython-ll --isolated 0|1
                           --n N --inner K
    api_bench.py forkfloor --n N
    api_bench.py info

plus `--build-dir DIR` (the folder holding interpref*.so) for --impl ref.

Implementations (the same Python runs both sides of each comparison):
  ref         interpref, the reference, through its documented API
  cpython     CPython's high-level module: test.support.interpreters (3.11),
              test.support.interpreters + .channels (3.13)
  cpython-ll  CPython's low-level functions: _xxsubinterpreters (3.11),
              _interpreters / _interpchannels (3.13)
  queue       queue.Queue between two threads (handoff, same only): the floor

handoff: the main thread sends perf_counter_ns() taken just before send();
a receiver blocked in recv() (a thread of main, or a thread of main running
a subinterpreter: `cross`) records now - t0 when recv() returns; the sender
records now - t0 when send() returns.  Before each round the sender pauses
a random time in [LO, HI] ms, so that the receiver is blocked again (and a
polling receiver is met at a random phase of its poll).  Output: the
receiver's and the sender's latencies in ns, warm-up rounds dropped.

pairs: N times send_nowait(i) then recv_nowait(), timed (same), or N
send_nowait() in main then N recv_nowait() in a subinterpreter, each phase
timed where it runs, pairs/s = N / (send phase + receive phase) (cross).
Output: wall and CPU (thread_time) seconds per inner repetition, and the
empty loop's.

forkfloor: see forkfloor() below (the runner's section of the report).

lifecycle: N times create() then close() (destroy()), timed (wall and the
calling thread's CPU time: the machine may be busy with other work, and
CPU time is what that disturbs least).
"""

import json
import random
import sys
import threading
import time

pc = time.perf_counter_ns
V = sys.version_info[:2]


def die(message):
    sys.stderr.write("api_bench.py: %s\n" % message)
    sys.exit(2)


# ---- implementations ------------------------------------------------------


def load_ref(build_dir):
    if not build_dir:
        die("--impl ref needs --build-dir")
    sys.path.insert(0, build_dir)
    import interpref
    return interpref


def cpython_hl():
    if V >= (3, 13):
        from test.support import interpreters
        from test.support.interpreters import channels
        return interpreters, channels
    from test.support import interpreters
    return interpreters, interpreters


def cpython_ll():
    if V >= (3, 13):
        import _interpreters
        import _interpchannels
        return _interpreters, _interpchannels
    import _xxsubinterpreters
    return _xxsubinterpreters, _xxsubinterpreters


def run_in_sub_thread(interp_run):
    """Start `interp_run()` (a blocking run/exec) in a thread; returns the thread."""
    box = {}

    def main():
        try:
            interp_run()
        except BaseException as exc:   # reported by the caller after join
            box["error"] = exc

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    return thread, box


# ---- handoff latency ------------------------------------------------------

# The receiving loop inside a subinterpreter.  SETUP binds `recv` and
# `report(text)`; the latencies go back as one str.
CROSS_RECEIVER = """
import time
pc = time.perf_counter_ns
%(setup)s
lat = [0] * %(n)d
for i in range(%(n)d):
    t0 = recv()
    lat[i] = pc() - t0
report(",".join(map(str, lat)))
"""


def handoff(args, impl):
    n = args.rounds + args.warmup
    rng = random.Random(args.seed)
    lo, hi = args.pause
    pauses = [rng.uniform(lo, hi) / 1000.0 for _ in range(n)]
    recv_lat = [0] * n
    send_lat = [0] * n
    thread = box = None
    result_recv = None     # cross: how main reads the receiver's report
    sub_close = None

    if impl == "queue":
        if args.where != "same":
            die("queue: --where same only")
        import queue
        q = queue.Queue()

        def receiver():
            get, done = q.get, q.task_done
            for i in range(n):
                t0 = get()
                recv_lat[i] = pc() - t0
                done()

        put, join = q.put, q.join

        def send(obj):
            put(obj)
            join()
    elif args.where == "same":
        if impl == "ref":
            mod = load_ref(args.build_dir)
            r, s = mod.create_channel()
        elif impl == "cpython":
            _, ch = cpython_hl()
            r, s = ch.create() if V >= (3, 13) else ch.create_channel()
        else:
            die("handoff: --impl ref, cpython or queue")
        recv = r.recv

        def receiver():
            for i in range(n):
                t0 = recv()
                recv_lat[i] = pc() - t0

        send = s.send
    else:
        if impl == "ref":
            mod = load_ref(args.build_dir)
            r, s = mod.create_channel()
            out_r, out_s = mod.create_channel()
            sub = mod.create()
            setup = "recv, report = channels[0].recv, channels[1].send_nowait"
            code = CROSS_RECEIVER % {"setup": setup, "n": n}
            thread, box = run_in_sub_thread(lambda: sub.run(code, channels=(r, out_s)))
            result_recv = out_r.recv
            sub_close = sub.close
        elif impl == "cpython" and V >= (3, 13):
            interpreters, ch = cpython_hl()
            r, s = ch.create()
            out_r, out_s = ch.create()
            sub = interpreters.create()
            sub.prepare_main(rid=int(r.id), oid=int(out_s.id))
            setup = ("from test.support.interpreters import channels as C\n"
                     "recv = C.RecvChannel(rid).recv\n"
                     "report = C.SendChannel(oid).send_nowait")
            code = CROSS_RECEIVER % {"setup": setup, "n": n}
            thread, box = run_in_sub_thread(lambda: sub.exec(code))
            result_recv = out_r.recv
            sub_close = sub.close
        elif impl == "cpython":
            interpreters, _ = cpython_hl()
            r, s = interpreters.create_channel()
            out_r, out_s = interpreters.create_channel()
            sub = interpreters.create()
            setup = ("from test.support import interpreters as I\n"
                     "recv = I.RecvChannel(rid).recv\n"
                     "report = I.SendChannel(oid).send_nowait")
            code = CROSS_RECEIVER % {"setup": setup, "n": n}
            shared = {"rid": int(r.id), "oid": int(out_s.id)}
            thread, box = run_in_sub_thread(lambda: sub.run(code, channels=shared))
            result_recv = out_r.recv
            sub_close = sub.close
        else:
            die("handoff: --impl ref, cpython or queue")
        send = s.send

    if thread is None:
        thread = threading.Thread(target=receiver, daemon=True)
        thread.start()
    sleep = time.sleep
    for i in range(n):
        sleep(pauses[i])
        t0 = pc()
        send(t0)
        send_lat[i] = pc() - t0
    if result_recv is not None:
        text = result_recv()
        recv_lat = [int(x) for x in text.split(",")]
    thread.join()
    if box and "error" in box:
        die("the receiving subinterpreter failed: %r" % (box["error"],))
    if sub_close is not None:
        sub_close()
    w = args.warmup
    return {"recv_ns": recv_lat[w:], "send_ns": send_lat[w:]}


# ---- non-blocking pairs ---------------------------------------------------

# The timed loop of every measurement here, as source: BIND binds what the body
# calls to locals before the clocks start, BODY is the statements of one
# iteration.  One template, so that the measurements (and the empty loop
# subtracted from them) time the very same loop around their own body.
LOOP = """
def loop(n):
    %(bind)s
    c0 = tc()
    t0 = pc()
    for i in range(n):
        %(body)s
    return pc() - t0, tc() - c0
"""


def loop_source(*body, bind=""):
    return LOOP % {"bind": bind, "body": "\n        ".join(body)}


PAIRS_SAME = loop_source("%(send)s", "%(recv)s", bind="%(bind)s")
PAIRS_SEND = loop_source("%(send)s", bind="%(bind)s")
# Inside the subinterpreter: SETUP binds `report(text)` and what RECV uses.
PAIRS_RECV_SUB = ("""
import time
pc, tc = time.perf_counter_ns, time.thread_time_ns
%(setup)s""" + loop_source("%(recv)s") + """report("%%d,%%d" %% loop(%(n)d))
""")
EMPTY_LOOP = loop_source("pass")


def compile_loop(template, namespace, **parts):
    ns = dict(namespace, pc=pc, tc=time.thread_time_ns)
    exec(template % parts, ns)
    return ns["loop"]


def pair_ops(impl, args):
    """(namespace, bind, send, recv, make_channel) for the same-interpreter loop."""
    if impl == "ref":
        mod = load_ref(args.build_dir)
        r, s = mod.create_channel()
        return ({"r": r, "s": s}, "snd, rcv = s.send_nowait, r.recv_nowait",
                "snd(i)", "rcv()", mod)
    if impl == "cpython":
        _, ch = cpython_hl()
        r, s = ch.create() if V >= (3, 13) else ch.create_channel()
        return ({"r": r, "s": s}, "snd, rcv = s.send_nowait, r.recv_nowait",
                "snd(i)", "rcv()", None)
    if impl == "cpython-ll":
        _, low = cpython_ll()
        if V >= (3, 13):
            cid = low.create(1)   # unboundop 1: what the high level passes by default
            return ({"low": low, "cid": cid}, "snd, rcv = low.send, low.recv",
                    "snd(cid, i, blocking=False)", "rcv(cid)", None)
        cid = low.channel_create()
        return ({"low": low, "cid": cid}, "snd, rcv = low.channel_send, low.channel_recv",
                "snd(cid, i)", "rcv(cid)", None)
    die("pairs: --impl ref, cpython or cpython-ll")


def pairs(args, impl):
    empty = compile_loop(EMPTY_LOOP, {})
    empty_runs = [empty(args.n) for _ in range(args.inner)]
    result = {"n": args.n, "empty_seconds": [w / 1e9 for w, _ in empty_runs],
              "empty_cpu_seconds": [c / 1e9 for _, c in empty_runs]}
    if args.where == "same":
        ns, bind, send, recv, _ = pair_ops(impl, args)
        loop = compile_loop(PAIRS_SAME, ns, bind=bind, send=send, recv=recv)
        loop(min(args.n, 10000))   # warm-up
        runs = [loop(args.n) for _ in range(args.inner)]
        result["seconds"] = [w / 1e9 for w, _ in runs]
        result["cpu_seconds"] = [c / 1e9 for _, c in runs]
        return result

    # cross: main sends, a subinterpreter receives; each phase timed where it runs.
    seconds, cpu, send_s, recv_s = [], [], [], []
    for rep in range(args.inner + 1):     # rep 0: warm-up
        ns, bind, send, _, mod = pair_ops(impl, args)
        send_loop = compile_loop(PAIRS_SEND, ns, bind=bind, send=send)
        if impl == "ref":
            out_r, out_s = mod.create_channel()
            sub = mod.create()
            setup = ("r, out = channels\n"
                     "rcv, report = r.recv_nowait, out.send_nowait")
            run = lambda code: sub.run(code, channels=(ns["r"], out_s))
            read = out_r.recv_nowait
        elif V >= (3, 13):
            interpreters, ch = cpython_hl()
            out_r, out_s = ch.create()
            sub = interpreters.create()
            cid = int(ns["r"].id) if impl == "cpython" else int(ns["cid"])
            sub.prepare_main(cid=cid, oid=int(out_s.id))
            if impl == "cpython":
                setup = ("from test.support.interpreters import channels as C\n"
                         "rcv = C.RecvChannel(cid).recv_nowait\n"
                         "report = C.SendChannel(oid).send_nowait")
            else:
                setup = ("import _interpchannels as low\n"
                         "from test.support.interpreters import channels as C\n"
                         "rcv = low.recv\n"
                         "report = C.SendChannel(oid).send_nowait")
            run = sub.exec
            read = out_r.recv_nowait
        else:
            interpreters, _ = cpython_hl()
            out_r, out_s = interpreters.create_channel()
            sub = interpreters.create()
            cid = int(ns["r"].id) if impl == "cpython" else int(ns["cid"])
            shared = {"cid": cid, "oid": int(out_s.id)}
            if impl == "cpython":
                setup = ("from test.support import interpreters as I\n"
                         "rcv = I.RecvChannel(cid).recv_nowait\n"
                         "report = I.SendChannel(oid).send_nowait")
            else:
                setup = ("import _xxsubinterpreters as low\n"
                         "rcv = low.channel_recv\n"
                         "report = lambda text: low.channel_send(oid, text)")
            run = lambda code: sub.run(code, channels=shared)
            read = out_r.recv_nowait
        recv_expr = "rcv(cid)" if impl == "cpython-ll" else "rcv()"
        n = args.n if rep else min(args.n, 10000)
        ts, cs = send_loop(n)
        run(PAIRS_RECV_SUB % {"setup": setup, "recv": recv_expr, "n": n})
        tr, cr = (int(x) for x in read().split(","))
        sub.close()
        if rep:
            send_s.append(ts / 1e9)
            recv_s.append(tr / 1e9)
            seconds.append((ts + tr) / 1e9)
            cpu.append((cs + cr) / 1e9)
    result.update(seconds=seconds, cpu_seconds=cpu, send_seconds=send_s, recv_seconds=recv_s)
    return result


# ---- interpreter lifecycle -------------------------------------------------


def lifecycle(args, impl):
    isolated = bool(args.isolated)
    if impl == "ref":
        mod = load_ref(args.build_dir)

        def once():
            mod.create(isolated=isolated).close()
    elif impl == "cpython":
        interpreters, _ = cpython_hl()
        if V >= (3, 13):
            if not isolated:
                die("lifecycle: CPython 3.13's high-level create() makes isolated interpreters only")

            def once():
                interpreters.create().close()
        else:
            def once():
                interpreters.create(isolated=isolated).close()
    elif impl == "cpython-ll":
        low, _ = cpython_ll()
        create, destroy = low.create, low.destroy
        if V >= (3, 13):
            config = "isolated" if isolated else "legacy"

            def once():
                destroy(create(config))
        else:
            def once():
                destroy(create(isolated=isolated))
    else:
        die("lifecycle: --impl ref, cpython or cpython-ll")
    for _ in range(3):
        once()   # warm-up
    seconds, cpu = [], []
    tc = time.thread_time_ns
    for _ in range(args.inner):
        c0 = tc()
        t0 = pc()
        for _ in range(args.n):
            once()
        seconds.append((pc() - t0) / 1e9)
        cpu.append((tc() - c0) / 1e9)
    return {"seconds": seconds, "cpu_seconds": cpu, "n": args.n}


# ---- fork floor (for the runner) -------------------------------------------


def forkfloor(args):
    """fork() + one report-sized write + _exit() from a Python that has imported
    what the runner's embedded Python has (executor, interpref): the least a
    fork-per-scenario runner can cost.  Per child: wall (parent's view), CPU
    and minor page faults (the child's rusage)."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(os.path.dirname(here), "interpcheck"))
    import executor   # noqa: F401  (the runner's parent has it imported)
    load_ref(args.build_dir)
    report = b"interpcheck-report 1\npython 3\nverdict PASS -1 0\nend\n"
    walls, cpu, faults = [], 0.0, 0
    for _ in range(args.n + 5):
        t0 = pc()
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(w, report)
            os._exit(0)
        os.close(w)
        while os.read(r, 65536):
            pass
        os.close(r)
        _, _, usage = os.wait4(pid, 0)
        walls.append((pc() - t0) / 1e9)
        cpu += usage.ru_utime + usage.ru_stime
        faults += usage.ru_minflt
    walls = walls[5:]
    return {"seconds": walls, "cpu_per_child": cpu / len(walls) if walls else 0,
            "faults_per_child": faults / (args.n + 5), "n": args.n}


# ---- command line ----------------------------------------------------------


class Args(object):
    impl = "ref"
    where = "same"
    build_dir = None
    rounds = 2000
    warmup = 20
    pause = (0.5, 1.5)
    seed = 1
    n = 100000
    inner = 3
    isolated = 1


def parse(argv):
    if not argv:
        die("usage: api_bench.py handoff|pairs|lifecycle|info [options]")
    args = Args()
    args.bench = argv[0]
    rest = list(argv[1:])
    conv = {"--impl": ("impl", str), "--where": ("where", str),
            "--build-dir": ("build_dir", str), "--rounds": ("rounds", int),
            "--warmup": ("warmup", int), "--seed": ("seed", int), "--n": ("n", int),
            "--inner": ("inner", int), "--isolated": ("isolated", int),
            "--pause": ("pause", lambda v: tuple(float(x) for x in v.split(",")))}
    while rest:
        opt = rest.pop(0)
        if opt not in conv or not rest:
            die("bad option %r" % opt)
        name, kind = conv[opt]
        setattr(args, name, kind(rest.pop(0)))
    return args


def main(argv):
    args = parse(argv)
    if args.bench == "info":
        result = {}
    elif args.bench == "handoff":
        result = handoff(args, args.impl)
    elif args.bench == "pairs":
        result = pairs(args, args.impl)
    elif args.bench == "lifecycle":
        result = lifecycle(args, args.impl)
    elif args.bench == "forkfloor":
        result = forkfloor(args)
    else:
        die("unknown benchmark %r" % args.bench)
    result["python"] = sys.version.split()[0]
    result["executable"] = sys.executable
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])

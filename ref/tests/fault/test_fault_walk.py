"""Allocation-failure walk over interpref (SQLite-style fault injection).

Needs a tree configured with INTERPCHECK_FAULT_INJECTION (the `fault`
preset: Debug, ASan + UBSan; the `coverage` preset runs it too, without
sanitizers, so without the leak check), whose interpref has the private
functions

    _fault_after(n)   the allocation after the next n that succeed fails, and
                      so does every later one, until _fault_after(-1) disarms
                      it (ref/alloc.h: the failure is persistent, "sticky")
    _fault_calls()    allocations attempted since the last _fault_after()

Every allocation interpref makes itself goes through ref/alloc.c, so:

1. The workload below runs once, disarmed, to count the allocation calls K it
   reaches.
2. For N = 0 .. K-1 it runs again with allocation N (and every later one)
   failing.  Each N runs in a fresh process (this script, re-run by the same
   driver with --child N), so that the allocation order is the counting
   run's, and a crash, a hang or a leak is pinned on its N.  Required:
   - no crash and no hang (each blocking call has a partner thread and a
     deadline; an expired deadline is a finding);
   - the workload either ends with a clean error: MemoryError, or (when the
     failure hit code running inside a subinterpreter) the RunFailedError
     that run() documents for it (SPEC INTERP-FAIL-1), naming MemoryError;
     or it completes with every one of its own checks satisfied (a run()
     that returns normally although its code did not run is a finding);
   - afterwards, faults disarmed, once the workload's blocked calls are
     released (every channel drained, and an object offered to each blocked
     receiver: dropping ends releases nobody, CH-RECV-6 and CH-SEND-7), its
     threads joined, its interpreters closed and its ends dropped:
     list_all() == [main], list_all_channels() == [], no thread left;
   - a fresh workload with faults disarmed then succeeds in the same process;
   - the process exits 0 without a sanitizer report: LeakSanitizer checks it
     at exit (the CTest environment of the asan-based trees sets
     detect_leaks=1), so memory that a failure path forgets to free fails
     that N with the allocation's stack.

The workload: create() (isolated and not, and enough interpreters to grow
the registry's table), run() with channels= (tuple and mapping),
create_channel(), send_nowait()/recv_nowait() of every shareable type (None,
small and big ints, bytes, short and long strs, both kinds of ends) in main
and across interpreters, blocking send()/recv() between threads of main and
between main and a subinterpreter running in a thread, list_all(),
list_all_channels(), close(), and dropping every end.

Usage (the driver passes arguments through; -j: processes in parallel):

    build/fault/ref/interpref-embed ref/tests/fault/test_fault_walk.py \\
        [--from N] [--to N] [-j 2] [--deadline S] [--timeout S] [-v]

Exit status 0 when every N is clean, 1 otherwise; each finding is printed
with its N.  Reproduce one N in process with `--child N`.
"""
import argparse
import concurrent.futures
import gc
import json
import os
import subprocess
import sys
import threading
import time
import traceback

import interpref as interpreters

if not hasattr(interpreters, '_fault_after'):
    sys.stderr.write('test_fault_walk: this interpref has no _fault_after(): '
                     'configure with -DINTERPCHECK_FAULT_INJECTION=ON (cmake --preset fault)\n')
    sys.exit(2)

FAULT_AFTER = interpreters._fault_after
FAULT_CALLS = interpreters._fault_calls

# Every shareable type, with the edge cases the packing code distinguishes:
# ints that fit in int64 and the hexadecimal big-int path, empty and long
# bytes, 1-, 2- and 4-byte str kinds, long strs.
VALUES = [
    None,
    0, -1, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64 + 5, -(3**300), 10**1000,
    b'', b'\x00', bytes(range(256)), b'xyz' * 40000,
    '', 'a', 'h\xe9llo', '\u20ac\u4e2d', '\U0001f600' * 3000, 'long ' * 50000,
]

MISSING = object()


class Findings(Exception):
    """A workload check failed: the implementation misbehaved (not an OOM)."""


class Hang(Exception):
    """A blocking call did not finish before its deadline."""


class Worker(threading.Thread):
    def __init__(self, func, name):
        threading.Thread.__init__(self, name=name, daemon=True)
        self.func = func
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.func()
        except BaseException as exc:   # handed to the main thread
            self.error = exc
        finally:
            self.func = None   # drop the ends the closure holds


class Context:
    """Everything the workload creates, so that cleanup can find it."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.interps = []      # handles made by create()
        self.ends = []         # every end main holds
        self.threads = []
        self.names = {}        # channel id -> the workload's name for it
        self.step = 'start'    # the step running when an error happened

    def create(self, **kwargs):
        interp = interpreters.create(**kwargs)
        self.interps.append(interp)
        return interp

    def channel(self, name):
        r, s = interpreters.create_channel()
        self.ends.extend((r, s))
        self.names[r.id] = name
        return r, s

    def spawn(self, name, func):
        worker = Worker(func, name)
        self.threads.append(worker)
        worker.start()
        return worker

    def finish(self, *workers):
        """Join `workers`; re-raise the first error any of them hit."""
        end = time.monotonic() + self.deadline
        while True:
            failed = [w for w in workers if not w.is_alive() and w.error is not None]
            if failed:
                # Let the others settle (they may fail as a consequence),
                # then report the primary error: an OOM error if there is one.
                for w in workers:
                    w.join(0.2)
                errors = [w.error for w in workers if w.error is not None]
                oom = [e for e in errors if is_clean_oom(e)]
                raise (oom or errors)[0]
            if not any(w.is_alive() for w in workers):
                return [w.result for w in workers]
            if time.monotonic() > end:
                raise Hang('%s still blocked after %.0f s (%s)' % (
                    ', '.join(w.name for w in workers if w.is_alive()), self.deadline,
                    ', '.join('%s returned %s' % (w.name, describe(w.result))
                              for w in workers if not w.is_alive())))
            workers[0].join(0.01)


def is_clean_oom(exc):
    """MemoryError, or run()'s RunFailedError for a MemoryError inside the sub."""
    if isinstance(exc, MemoryError):
        return True
    if isinstance(exc, interpreters.RunFailedError):
        return 'MemoryError' in str(exc)
    return False


def same(a, b):
    return type(a) is type(b) and a == b


def check(cond, what):
    if not cond:
        raise Findings(what)


def queue_all(send, objects, where):
    """send_nowait() each of `objects` to a channel no receiver waits on:
    each must be queued (False), `where` names the channel in the finding."""
    for obj in objects:
        check(send.send_nowait(obj) is False, 'send_nowait() %s is not False' % where)


def describe(value):
    text = repr(value)
    return text if len(text) < 60 else text[:57] + '...'


# Runs in subinterpreter `a` with channels=(inbox, outbox): echoes `count`
# objects; a received SendChannel is used once before being echoed (the end
# works in the sub), and the sub adds what it sees of the registry (as ints:
# bools are not shareable).
SUB_ECHO = '''
import interpref as interpreters
inbox, outbox = channels
for _ in range({count}):
    obj = inbox.recv_nowait()
    if type(obj) is interpreters.SendChannel:
        obj.send_nowait('from sub via %d' % obj.id)
    outbox.send_nowait(obj)
outbox.send_nowait(interpreters.get_current().id)
outbox.send_nowait(int([i.id for i in interpreters.list_all()] == {ids!r}))
outbox.send_nowait(int(sorted(r.id for r, s in interpreters.list_all_channels()) == {chans!r}))
r, s = interpreters.create_channel()
s.send_nowait(2**100 + 7)
outbox.send_nowait(int(r.recv_nowait() == 2**100 + 7))
del r, s, obj, inbox, outbox
'''

# Runs in subinterpreter `b` (in a thread of main) with channels=(inbox,
# outbox): blocking recv() of each object, blocking send() of it back.
SUB_BLOCKING = '''
inbox, outbox = channels
for _ in range({count}):
    outbox.send(inbox.recv())
del inbox, outbox
'''


def workload(ctx):
    """The representative workload; raises on failure, returns on success."""
    ctx.step = 'get_main/list_all'
    main = interpreters.get_main()
    check(interpreters.get_current() == main, 'get_current() is not main')
    check(interpreters.list_all() == [main], 'list_all() is not [main] at start')

    ctx.step = 'create'
    a = ctx.create()
    b = ctx.create(isolated=False)
    check(interpreters.list_all() == [main, a, b], 'list_all() after create')

    # -- send_nowait / recv_nowait of every shareable type, in main --
    ctx.step = 'local round trip'
    r, s = ctx.channel('local')
    r_other, s_other = ctx.channel('other')
    objects = VALUES + [r_other, s_other]
    queue_all(s, objects, 'with no receiver')
    for obj in objects:
        got = r.recv_nowait(MISSING)
        check(same(got, obj), 'local: sent %s, received %s' % (describe(obj), describe(got)))
    check(r.recv_nowait() is None, 'recv_nowait() on an empty channel is not None')
    del got, obj, objects

    # -- run() with channels=, across interpreters --
    ctx.step = 'run with channels'
    to_sub_r, to_sub_s = ctx.channel('to_sub')
    from_sub_r, from_sub_s = ctx.channel('from_sub')
    objects = VALUES + [r_other, s_other]
    queue_all(to_sub_s, objects, 'to the sub')
    chans = sorted(end.id for end in ctx.ends if type(end) is interpreters.RecvChannel)
    a.run(SUB_ECHO.format(count=len(objects), ids=[main.id, a.id, b.id], chans=chans),
          channels=(to_sub_r, from_sub_s))
    ctx.step = 'receive the echo'
    for obj in objects:
        got = from_sub_r.recv_nowait(MISSING)
        check(same(got, obj), 'echo: sent %s, received %s' % (describe(obj), describe(got)))
    check(same(r_other.recv_nowait(MISSING), 'from sub via %d' % s_other.id),
          'the sub could not use a SendChannel it received')
    for what, expected in (('get_current()', a.id), ('list_all()', 1),
                           ('list_all_channels()', 1), ('its own channel', 1)):
        got = from_sub_r.recv_nowait(MISSING)
        check(same(got, expected), 'sub: %s gave %s' % (what, describe(got)))
    check(from_sub_r.recv_nowait(MISSING) is MISSING, 'the sub sent too much')
    del got, obj, objects

    # -- the mapping form of channels= (INTERP-CHAN-8, the reference binds names) --
    ctx.step = 'run with a channels mapping'
    a.run('import interpref as interpreters\n'
          'named_s.send_nowait(int(type(named_r) is interpreters.RecvChannel))\n'
          'del named_r, named_s\n',
          channels={'named_r': r, 'named_s': s})
    check(same(r.recv_nowait(MISSING), 1), 'channels mapping: names not bound')

    # -- blocking send()/recv() between threads of main --
    ctx.step = 'blocking in main'
    r_blk, s_blk = ctx.channel('blk')
    # Which call blocks first only shapes the allocation sequence (hand-over
    # to a waiting receiver, or a queued item and a waiting sender); no check
    # depends on it: both orders must end with the object received and send()
    # returning None, and a walked run whose order differs from the counting
    # run's still has to fail cleanly (at worst its N counts as "not
    # reached").  Nothing waits for the first thread to block: Thread.start()
    # hands it the GIL, which it normally keeps until its call blocks.
    for receiver_first in (True, False):
        for obj in (2**200 + 1, 'long ' * 20000, b'', None, r_other):
            if receiver_first:
                rx = ctx.spawn('recv', r_blk.recv)
                tx = ctx.spawn('send', lambda obj=obj: s_blk.send(obj))
            else:
                tx = ctx.spawn('send', lambda obj=obj: s_blk.send(obj))
                rx = ctx.spawn('recv', r_blk.recv)
            got, sent = ctx.finish(rx, tx)
            check(same(got, obj), 'blocking: sent %s, received %s' % (describe(obj), describe(got)))
            check(sent is None, 'send() returned %s' % describe(sent))
    del got, obj, rx, tx

    # -- blocking send()/recv() between main and a sub running in a thread --
    ctx.step = 'blocking across interpreters'
    in_r, in_s = ctx.channel('in')
    out_r, out_s = ctx.channel('out')
    objects = [3**400, 'x' * 100000, b'\x00' * 1000, -5, in_s]
    source = SUB_BLOCKING.format(count=len(objects))
    runner = ctx.spawn('b.run', lambda: b.run(source, channels=(in_r, out_s)))

    def main_side():
        got = []
        for obj in objects:
            in_s.send(obj)
            got.append(out_r.recv())
        return got

    _, echoed = ctx.finish(runner, ctx.spawn('main side', main_side))
    for obj, got in zip(objects, echoed):
        check(same(got, obj), 'across: sent %s, received %s' % (describe(obj), describe(got)))
    del objects, echoed, runner, obj, got

    # -- listings --
    ctx.step = 'list_all_channels'
    listed = sorted(r.id for r, s in interpreters.list_all_channels())
    mine = sorted(end.id for end in ctx.ends if type(end) is interpreters.RecvChannel)
    check(listed == mine, 'list_all_channels() ids %s, expected %s' % (listed, mine))
    check(interpreters.list_all() == [main, a, b], 'list_all() before close')

    # -- more interpreters than the registry's first table holds (8): in a
    # fresh process this reaches the table's growth --
    ctx.step = 'many interpreters'
    many = [ctx.create() for _ in range(8)]
    check(interpreters.list_all() == [main, a, b] + many, 'list_all() with 11 interpreters')
    for interp in many:
        interp.close()
        ctx.interps.remove(interp)
    del many, interp

    # -- close, then drop every end --
    ctx.step = 'close'
    for interp in (a, b):
        interp.close()
        ctx.interps.remove(interp)
    check(interpreters.list_all() == [main], 'list_all() after close')
    ctx.step = 'drop ends'
    del r, s, r_other, s_other, to_sub_r, to_sub_s, from_sub_r, from_sub_s
    del r_blk, s_blk, in_r, in_s, out_r, out_s, main_side
    ctx.ends.clear()
    ctx.threads.clear()
    gc.collect()
    left = [r.id for r, s in interpreters.list_all_channels()]
    check(left == [], 'list_all_channels() after dropping all ends: %s' % left)
    ctx.step = 'done'


def collect():
    """Collect until nothing is left: freeing one cycle can orphan another
    (a re-raised error's traceback holds frames whose locals hold ends)."""
    for _ in range(10):
        if gc.collect() == 0:
            break


def release_blocked():
    """Release every blocked call once: drain each channel (a sender blocked
    in send() returns once its object is received), then offer None to each
    until no blocked receiver takes it, leaving one queued for a receiver
    that blocks later.  Dropping ends would release nobody: blocked calls
    wait for an end built later (CH-RECV-6, CH-SEND-7)."""
    for r, s in interpreters.list_all_channels():
        while r.recv_nowait(MISSING) is not MISSING:
            pass
        while s.send_nowait(None):
            pass


def cleanup(ctx):
    """Disarmed: release and join threads, close interpreters, drop ends;
    return problems."""
    problems = []
    # A released thread may block again (sub b's loop: recv(), then send()),
    # so release in rounds until every thread has ended.
    for round_ in range(40):
        try:
            release_blocked()
        except Exception as exc:
            problems.append('cleanup: releasing blocked calls raised %r' % (exc,))
            break
        collect()
        for worker in ctx.threads:
            worker.join(0.1 if round_ < 30 else 2)
        worker = None          # its result may be a received end
        ctx.threads = [w for w in ctx.threads if w.is_alive()]
        if not ctx.threads:
            break
    ctx.ends.clear()
    collect()
    for interp in list(ctx.interps):
        try:
            interp.close()
        except RuntimeError:
            continue           # still running: reported below
        ctx.interps.remove(interp)
    if ctx.threads:
        problems.append('cleanup: threads still alive: %s'
                        % ', '.join(w.name for w in ctx.threads))
    if ctx.interps:
        problems.append('cleanup: cannot close %s' % ctx.interps)
    collect()
    main = interpreters.get_main()
    left = interpreters.list_all()
    if left != [main]:
        problems.append('registry: list_all() == %s after closing everything' % left)
    channels = interpreters.list_all_channels()
    if channels:
        problems.append('registry: channels %s still exist after every end was dropped'
                        % ['%d (%s)' % (r.id, ctx.names.get(r.id, 'made by the sub'))
                           for r, s in channels])
    del channels
    return problems



def attempt(n, deadline):
    """One run of the workload with allocation n failing (n < 0: disarmed).

    Returns a dict: outcome ('completed', 'oom' or 'finding'), detail,
    calls (allocations attempted), problems (left behind after cleanup).
    """
    ctx = Context(deadline)
    outcome, detail = 'completed', ''
    FAULT_AFTER(n)
    try:
        workload(ctx)
    except BaseException as exc:
        if n >= 0 and is_clean_oom(exc):
            outcome = 'oom'
            detail = '%s at step %r' % (type(exc).__name__, ctx.step)
        else:
            outcome = 'finding'
            detail = 'at step %r: %s' % (
                ctx.step, ''.join(traceback.format_exception_only(type(exc), exc)).strip())
            if not isinstance(exc, (Findings, Hang)):
                detail += '\n' + ''.join(traceback.format_exception(type(exc), exc,
                                                                    exc.__traceback__))
        del exc
    finally:
        calls = FAULT_CALLS()
        FAULT_AFTER(-1)
    problems = cleanup(ctx)
    return {'n': n, 'outcome': outcome, 'detail': detail, 'calls': calls,
            'reached': n >= 0 and calls > n, 'problems': problems}


def child(n, deadline):
    """--child N: one armed run, then a disarmed one; one RESULT line."""
    result = attempt(n, deadline)
    if n >= 0:
        again = attempt(-1, deadline)
        if again['outcome'] != 'completed' or again['problems']:
            result['problems'].append('the disarmed workload afterwards failed: %s %s'
                                      % (again['detail'], again['problems']))
    sys.stdout.write('RESULT ' + json.dumps(result) + '\n')
    sys.stdout.flush()
    return 0


def run_child(n, args):
    """Run `--child n` in a fresh driver process; returns the result dict."""
    command = [sys.executable, os.path.abspath(__file__), '--child', str(n),
               '--deadline', str(args.deadline)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, errors='replace',
                              timeout=args.timeout)
    except subprocess.TimeoutExpired as exc:
        return {'n': n, 'outcome': 'finding', 'reached': True, 'problems': [],
                'detail': 'the process hung (killed after %s s); its output: %s'
                % (args.timeout, tail_of((exc.stdout or b'').decode('utf-8', 'replace')
                                         + (exc.stderr or b'').decode('utf-8', 'replace')))}
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith('RESULT '):
            result = json.loads(line[len('RESULT '):])
    if result is None:
        return {'n': n, 'outcome': 'finding', 'reached': True, 'problems': [],
                'detail': 'the process died (exit status %d) without a result: %s'
                % (proc.returncode, tail_of(proc.stdout + proc.stderr))}
    if proc.returncode != 0 or 'Sanitizer' in proc.stderr or 'Fatal Python error' in proc.stderr:
        result['problems'].append('at exit (status %d): %s'
                                  % (proc.returncode, tail_of(proc.stderr)))
    return result


def tail_of(text, lines=25):
    return '\n'.join(text.strip().splitlines()[-lines:])


def main(argv):
    parser = argparse.ArgumentParser(prog='test_fault_walk.py')
    parser.add_argument('--from', dest='start', type=int, default=0)
    parser.add_argument('--to', dest='stop', type=int, default=None,
                        help='last N walked (default K-1)')
    parser.add_argument('-j', '--jobs', type=int, default=2,
                        help='processes in parallel (default 2)')
    parser.add_argument('--deadline', type=float, default=30.0,
                        help='seconds a blocking step may take before it counts as a hang')
    parser.add_argument('--timeout', type=float, default=300.0,
                        help='seconds one process (one N) may take before it counts as a hang')
    parser.add_argument('--child', type=int, default=None,
                        help='run N (-1: disarmed) in this process and print its RESULT line')
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)
    # The driver's stdout may be ASCII: findings quote non-ASCII strs.
    sys.stdout.reconfigure(errors='backslashreplace')
    if args.child is not None:
        return child(args.child, args.deadline)
    started = time.monotonic()

    # 1. Count, in a fresh process like every walked one (N = -1: disarmed).
    counted = run_child(-1, args)
    if counted['outcome'] != 'completed' or counted['problems']:
        print('FAIL: the workload does not pass without faults: %s %s'
              % (counted['detail'], counted['problems']))
        return 1
    k = counted['calls']
    print('allocation calls reached by the workload: K = %d' % k)
    sys.stdout.flush()

    # 2. Walk: one process per N, so that a crash, a hang or a leak (ASan
    # checks each process at its exit) is pinned on its N and spares the rest.
    stop = k - 1 if args.stop is None else min(args.stop, k - 1)
    tally = {'oom': 0, 'completed': 0, 'not reached': 0}
    steps = {}
    findings = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = pool.map(lambda n: run_child(n, args), range(args.start, stop + 1))
        for result in results:
            n = result['n']
            if result['outcome'] == 'finding':
                findings.append('N=%d: %s' % (n, result['detail']))
            elif result['outcome'] == 'oom':
                tally['oom'] += 1
                steps[result['detail']] = steps.get(result['detail'], 0) + 1
            elif result['reached']:
                tally['completed'] += 1   # reached, yet every check of the workload passed
            else:
                tally['not reached'] += 1
            findings.extend('N=%d: %s' % (n, p) for p in result['problems'])
            if args.verbose:
                print('N=%d: %s%s %s %s' % (n, result['outcome'],
                                             '' if result['reached'] else ' (not reached)',
                                             result['detail'].split('\n')[0],
                                             '; '.join(result['problems'])))
                sys.stdout.flush()

    walked = stop + 1 - args.start
    print('walked %d allocation sites (N = %d..%d) in %.0f s'
          % (walked, args.start, stop, time.monotonic() - started))
    print('  clean MemoryError (or RunFailedError naming it): %d' % tally['oom'])
    print('  failure reached, yet the workload completed with every check passing: %d'
          % tally['completed'])
    print('  failure not reached (fewer calls than in the counting run): %d'
          % tally['not reached'])
    for detail in sorted(steps, key=lambda d: (-steps[d], d)):
        print('    %4d  %s' % (steps[detail], detail))
    if findings:
        print('FINDINGS (%d):' % len(findings))
        for line in findings:
            print('  ' + line.replace('\n', '\n    '))
        return 1
    print('OK: every failure was clean and left the registry consistent, without leaks')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

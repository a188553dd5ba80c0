"""Shared helpers for the Python-level tests of interpref.

Importing this module makes `import interpref` work:

- under interpref-embed, interpref is a builtin module and nothing is done;
- otherwise the directory named by the first `--module-dir=DIR` argument
  (removed from sys.argv before unittest sees it), or /tmp/mbt, is put at the
  front of sys.path.

Every `--module-dir=` argument is removed from sys.argv in both cases.

The helpers below follow the project's rules for concurrency tests: no sleeps
as synchronisation, only lower bounds on "still blocked" (a rendezvous event
plus `done.wait(BLOCKED_WAIT)` being False), generous join timeouts that turn
a hang into a failure, and every thread joined.
"""
import os
import subprocess
import sys
import tempfile
import threading

_DEFAULT_MODULE_DIR = '/tmp/mbt'


def _take_module_dir_args():
    found = [arg for arg in sys.argv[1:] if arg.startswith('--module-dir=')]
    for arg in found:
        sys.argv.remove(arg)
    return found[0].split('=', 1)[1] if found else None


def _import_interpref():
    module_dir = _take_module_dir_args()
    try:
        import interpref
    except ImportError:
        sys.path.insert(0, os.path.abspath(module_dir or _DEFAULT_MODULE_DIR))
        import interpref
    return interpref


interpref = _import_interpref()

# A stock interpreter and the folder of the built module file, for tests of
# loading interpref from its file (support.run_script(..., stock=True)).
# CTest sets both in trees whose module such an interpreter can load, that is
# all but the sanitizer builds (cmake/InterpcheckTesting.cmake); elsewhere the
# tests that need them are skipped.
STOCK_PYTHON = os.environ.get('INTERPREF_TEST_PYTHON')
STOCK_MODULE_DIR = os.environ.get('INTERPREF_TEST_MODULE_DIR')

# How long a call must still be pending before we take it as blocked (a lower
# bound only), and how long any join may take before it counts as a hang.
BLOCKED_WAIT = 0.2
JOIN_TIMEOUT = 30.0


def wait_until(predicate, what, timeout=JOIN_TIMEOUT):
    """Poll `predicate` until it is true; AssertionError after `timeout`.

    Only for states that no event announces, such as a subinterpreter's own
    thread having fully ended (its thread state deleted) after it delivered
    its last result.  The deadline is a hang detector, not a timing claim.
    """
    pause = threading.Event()
    for _ in range(int(timeout / 0.005)):
        if predicate():
            return
        pause.wait(0.005)
    if not predicate():
        raise AssertionError('still not %s after %s s' % (what, timeout))


def new_interpreter(testcase, **kwargs):
    """create(**kwargs), closed at the end of the test (if still alive)."""
    interp = interpref.create(**kwargs)
    testcase.addCleanup(close_if_alive, interp)
    return interp


def new_interpreter_holding(testcase, channels):
    """new_interpreter(), whose __main__ holds `channels`, a pair of a
    RecvChannel and a SendChannel (either may be None), as `held`."""
    interp = new_interpreter(testcase)
    interp.run('held = channels', channels=channels)
    return interp


def channel_only_a_sub_holds(testcase, queued=()):
    """A new channel with `queued` sent to it, whose ends only a new sub
    holds (new_interpreter_holding()), main none: (interp, channel id).
    Checks that the channel is alive."""
    recv, send = interpref.create_channel()
    cid = recv.id
    interp = new_interpreter_holding(testcase, (recv, send))
    for obj in queued:
        send.send_nowait(obj)
    del recv, send
    testcase.assertIn(cid, channel_ids())
    return interp, cid


def close_if_alive(interp):
    if interp in interpref.list_all():
        interp.close()


def assert_type_errors(testcase, func, *arg_tuples):
    """func(*args) raises TypeError for every `args` of arg_tuples (wrong
    argument counts and the like)."""
    for args in arg_tuples:
        with testcase.assertRaises(TypeError):
            func(*args)


def channel_ids():
    """The ids of all existing channels (drops the listed ends at once)."""
    return [recv.id for recv, _ in interpref.list_all_channels()]


class Call:
    """Run `func(*args)` in a new daemon thread.

    `started` is set just before the call, `done` just after it returns or
    raises; `result` / `error` hold the outcome.  join() joins with
    JOIN_TIMEOUT and fails the test if the thread is still alive.
    """

    def __init__(self, testcase, func, *args, name=None):
        self.testcase = testcase
        self.func = func
        self.args = args
        self.started = threading.Event()
        self.done = threading.Event()
        self.result = None
        self.error = None
        self.hung = False
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.thread.start()
        testcase.addCleanup(self._cleanup_join)

    def _main(self):
        try:
            self.started.set()
            self.result = self.func(*self.args)
        except BaseException as exc:   # reported to the test through .error
            self.error = exc
        finally:
            self.done.set()

    def assert_blocked(self, what='the call'):
        """The call has started and has not completed within BLOCKED_WAIT."""
        tc = self.testcase
        tc.assertTrue(self.started.wait(JOIN_TIMEOUT), 'thread did not start')
        tc.assertFalse(self.done.wait(BLOCKED_WAIT),
                       '%s completed instead of blocking (result %r, error %r)'
                       % (what, self.result, self.error))

    def join(self, timeout=JOIN_TIMEOUT):
        """Join within `timeout` (the stress tests allow longer); a thread
        still alive then fails the test."""
        self.thread.join(timeout)
        self.hung = self.thread.is_alive()
        self.testcase.assertFalse(self.hung, 'thread %s still alive after %s s'
                                  % (self.thread.name, timeout))
        return self

    def value(self):
        """join(), then the result, re-raising the thread's exception."""
        self.join()
        if self.error is not None:
            raise self.error
        return self.result

    def raised(self, exc_type):
        """join(), then the exception, which must be an exc_type."""
        self.join()
        self.testcase.assertIsInstance(self.error, exc_type,
                                       'expected %s, got result %r / error %r'
                                       % (exc_type.__name__, self.result, self.error))
        return self.error

    def _cleanup_join(self):
        # A thread already reported as hung is not waited for a second time.
        self.thread.join(0 if self.hung else JOIN_TIMEOUT)
        if self.thread.is_alive():
            raise AssertionError('thread %s still alive at cleanup' % self.thread.name)


def blocked(testcase, what, func, *args):
    """A Call of func(*args) that must block: Call.assert_blocked(what)."""
    call = Call(testcase, func, *args)
    call.assert_blocked(what)
    return call


def new_channel_blocked_in(testcase, method, *args):
    """A new channel and a Call, that must block (blocked()), of its
    RecvChannel's recv() or its SendChannel's send(*args) (`method`: 'recv'
    or 'send').  Returns (recv, send, call)."""
    recv, send = interpref.create_channel()
    end = recv if method == 'recv' else send
    return recv, send, blocked(testcase, method + '()', getattr(end, method), *args)


def blocked_run(testcase, interp, then=''):
    """A run() in interp from a new thread, blocked in recv() on a new channel
    (checked with Call.assert_blocked('run()')) until something is sent to
    the SendChannel returned with it; the code `then` runs after the recv().
    Returns (call, send)."""
    recv, send = interpref.create_channel()
    call = blocked(testcase, 'run()', lambda: interp.run(
        'channels[0].recv()\n' + then + 'del channels', channels=(recv, None)))
    return call, send


def run_and_collect(interp, code, inbox=None):
    """Run `code` in interp and return everything it sent, in order.

    The code sees `out`, the SendChannel of a fresh channel, and `inbox`
    (the RecvChannel `inbox` given here, or None), passed with the seed's
    tuple form channels=(inbox, out).  Both names are deleted afterwards so
    that the interpreter keeps no end of them.
    """
    recv, send = interpref.create_channel()
    interp.run('import interpref\ninbox, out = channels\n' + code
               + '\ndel inbox, out, channels\n', channels=(inbox, send))
    return drain(recv)


def raised_inside(interp, statement, setup=''):
    """Run `setup`, then `statement`, in interp (as run_and_collect() does):
    everything they sent to `out`, then the name of the type of the exception
    the statement raised, or 'no exception'."""
    return run_and_collect(interp, setup + '\ntry:\n    ' + statement + '\n'
                           'except BaseException as exc:\n'
                           '    out.send_nowait(type(exc).__name__)\n'
                           'else:\n'
                           "    out.send_nowait('no exception')\n")


def drain(recv):
    """Everything queued in `recv`'s channel now, in order (never blocks)."""
    got = []
    sentinel = object()
    while True:
        item = recv.recv_nowait(sentinel)
        if item is sentinel:
            return got
        got.append(item)


def script_command(path, stock=False):
    """The command that runs the script at `path` with interpref importable.

    stock: run it with STOCK_PYTHON, which imports the module file from
    STOCK_MODULE_DIR (put on sys.path by this module, at run time).
    """
    if stock:
        return [STOCK_PYTHON, '-I', '-S', path, '--module-dir=' + STOCK_MODULE_DIR]
    if 'interpref' in sys.builtin_module_names:
        return [sys.executable, path]
    module_dir = os.path.dirname(os.path.abspath(interpref.__file__))
    return [sys.executable, '-I', '-S', path, '--module-dir=' + module_dir]


def run_script(source, timeout=JOIN_TIMEOUT * 2, stock=False):
    """Run `source` as a script in a new process; returns CompletedProcess.

    stock: in STOCK_PYTHON with the module file (see script_command()).

    A process still running after `timeout` seconds is killed and reported
    as an AssertionError (a hang is a test failure).
    """
    prelude = ('import sys\nsys.path.insert(0, %r)\nimport support\n'
               'interpref = support.interpref\n'
               % os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'script.py')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(prelude + source)
        try:
            return subprocess.run(script_command(path, stock), capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError('child process still running after %s s (killed); '
                                 'stdout %r, stderr %r' % (timeout, exc.stdout, exc.stderr)
                                 ) from None

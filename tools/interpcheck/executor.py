"""The interpcheck step executor: runs one parsed scenario against one
implementation and reports what happened.

This is the only place where scenario steps get their meaning (see
conformance/FORMAT.md), and it is the same code in both of the runner's modes:
in process, the runner's forked child imports this module in its embedded
Python and calls run(); out of process (--python CMD), the runner starts
`CMD executor.py --impl NAME` and writes the scenario on its standard input.
Either way the scenario arrives as the JSON the runner's C parser produced,
and the report leaves as the line protocol below, so the two modes cannot
drift apart.

Report protocol (UTF-8 lines; in field values a backslash is written \\\\ and a
newline \\n):

    interpcheck-report 1
    python VERSION             the Python that runs the scenario, e.g. 3.14.10
    step INDEX LINE            when a step starts (tells the runner, if the
                               process then hangs or crashes, where it was)
    field NAME VALUE           details of the verdict: expected, actual,
                               message, traceback
    verdict VERDICT INDEX LINE PASS, FAIL, ERROR, SKIP or TIMEOUT; INDEX and
                               LINE name the deciding step (-1 0 for PASS)
    end

FAIL means the implementation did something the scenario does not allow;
ERROR means the scenario itself is broken (for example a value expression
that does not evaluate); TIMEOUT means a thread did not finish in time.
Compatible with Python 3.10 to 3.14: no newer syntax.
"""

import importlib
import json
import os
import re
import sys
import threading
import time
import traceback

PROTOCOL_VERSION = 1

# Time classes in seconds, before --time-scale (FORMAT.md, "Time classes").
# `short` is a lower bound and is scaled as given; `settle` and `long` are
# upper bounds, scaled by max(F, 1): a --time-scale below 1 never shortens
# them, since a shorter upper bound can only turn a slow moment into a false
# FAIL or TIMEOUT (the runner's scenario deadlines follow the same rule).
SHORT_SECONDS = 0.2
SETTLE_SECONDS = 5.0
LONG_SECONDS = 30.0

# `blocked T` (FORMAT.md 5.4): a quiet window must hold at least this many
# looks, taken every short/BLOCKED_LOOKS_PER_SHORT seconds.
BLOCKED_MIN_LOOKS = 5
BLOCKED_LOOKS_PER_SHORT = 10
# ... and T's CPU time may grow during the window by at most this share of
# its length plus this many seconds (clock granularity).
BLOCKED_CPU_SHARE = 0.05
BLOCKED_CPU_SLACK = 0.001

# Linux: one directory per thread of this process, with the thread's
# scheduler state in its `stat` file.  Elsewhere `blocked` goes without.
TASK_DIR = "/proc/self/task"


class StepFailed(Exception):
    """The implementation under test broke the step's expectation."""

    def __init__(self, message, expected=None, actual=None, tb=None, verdict="FAIL"):
        Exception.__init__(self, message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.tb = tb
        self.verdict = verdict


class ScenarioError(StepFailed):
    """The scenario is wrong, not the implementation."""

    def __init__(self, message, tb=None):
        StepFailed.__init__(self, message, tb=tb, verdict="ERROR")


# Report fields are for people: a scenario may raise an exception with a
# megabyte of message, and its report must stay readable (and small in git).
FIELD_LIMIT = 4000


def _escape(text):
    if len(text) > FIELD_LIMIT:
        text = "%s... [%d more characters]" % (text[:FIELD_LIMIT], len(text) - FIELD_LIMIT)
    # A message may hold lone surrogates (not encodable as UTF-8) and NULs
    # (which would end the runner's C string): both are spelled out as Python
    # escapes, so the report line is always valid UTF-8 and complete.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _describe(exc):
    name = type(exc).__qualname__
    module = type(exc).__module__
    if module not in ("builtins", None):
        name = module + "." + name
    try:
        text = str(exc)
    except BaseException:
        text = "<str() failed>"
    return "%s: %s" % (name, text) if text else name


def _format(exc):
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _compile(code, path, first_line):
    # Pad so that tracebacks show the scenario file's own line numbers.
    return compile("\n" * (first_line - 1) + code, path, "exec")


def _task_state(tid):
    """The scheduler state of thread `tid` of this process, from
    /proc/self/task/TID/stat: "R" (running or runnable), "S" (sleeping in a
    wait), "D" (uninterruptible wait), ...; None if it cannot be read (the
    thread is gone).  os.open and os.pread release the GIL during their system
    calls, which wakes a thread that waits only for the GIL: such a thread
    reads as "R" here, never as a thread waiting in a call."""
    try:
        fd = os.open("%s/%d/stat" % (TASK_DIR, tid), os.O_RDONLY)
    except OSError:
        return None
    try:
        data = os.pread(fd, 512, 0)
    except OSError:
        return None
    finally:
        os.close(fd)
    # "TID (COMM) STATE ...": COMM (the thread's name) may hold spaces and
    # parentheses, so the state follows the LAST ") ".
    end = data.rfind(b") ")
    if end < 0 or end + 3 > len(data):
        return None
    return data[end + 2:end + 3].decode("ascii", "replace")


def _cpu_clock(thread):
    """A clock (for time.clock_gettime) that measures the CPU time `thread`
    (a threading.Thread) has used, or None where there is none."""
    native = getattr(thread, "native_id", None)
    if sys.platform.startswith("linux") and native:
        # The kernel's per-thread CPU clock of that thread id, as glibc's
        # pthread_getcpuclockid() makes it (CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED);
        # unlike a pthread_t, it stays safe to use after the thread ended.
        return ((~native) << 3) | 6
    getclock = getattr(time, "pthread_getcpuclockid", None)
    if getclock is None or thread.ident is None:
        return None
    try:
        return getclock(thread.ident)
    except (OSError, OverflowError, ValueError):
        return None


def _cpu_seconds(clock):
    """The reading of a _cpu_clock(), or None (no clock, the thread ended)."""
    if clock is None:
        return None
    try:
        return time.clock_gettime(clock)
    except (OSError, OverflowError, ValueError):
        return None


def _have_task_states():
    """Whether _task_state() works here (Linux with /proc mounted)."""
    return (hasattr(os, "pread") and hasattr(threading, "get_native_id")
            and _task_state(threading.get_native_id()) is not None)


class Thread(object):
    """A scenario thread (`thread T`): runs a body, remembers how it ended."""

    def __init__(self, name, body, namespace):
        self.error = None
        self.code = body   # `blocked` watches the line of this code's frame
        self.line = None   # that line, kept by _trace (an int: safe to read anywhere)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._main, args=(body, namespace),
                                       name="scenario-" + name, daemon=True)

    def _trace(self, frame, event, arg):
        # Only the body's own frame is traced: `blocked` needs its line.  The
        # thread records it itself because reading another thread's frames
        # (sys._current_frames()) hands the main interpreter frame objects of
        # a subinterpreter the thread may be running, which corrupts memory on
        # 3.12+ (per-interpreter allocators).
        if frame.f_code is not self.code:
            return None
        if event in ("call", "line"):
            self.line = frame.f_lineno
        return self._trace

    def _main(self, body, namespace):
        sys.settrace(self._trace)
        try:
            exec(body, namespace)
        except BaseException as exc:
            self.error = exc
        finally:
            self.done.set()


class Executor(object):
    def __init__(self, scenario, impl_name, impl, time_scale, out):
        self.scenario = scenario
        self.path = scenario.get("path", scenario["id"])
        self.impl_name = impl_name
        self.short = SHORT_SECONDS * time_scale
        self.settle = SETTLE_SECONDS * max(time_scale, 1.0)
        self.long = LONG_SECONDS * max(time_scale, 1.0)
        self.out = out
        # IMPL: the implementation's module name, for code that starts another
        # Python (feature `subprocess`) and must import the same implementation.
        self.namespace = {"__name__": "__scenario__", "interpreters": impl, "IMPL": impl_name,
                          "eventually": self.eventually}
        self.threads = {}

    def emit(self, *words):
        self.out.write(" ".join(str(w) for w in words) + "\n")
        self.out.flush()

    # ---- helpers ------------------------------------------------------------

    def eventually(self, probe):
        """Scenario helper: call probe() until it returns something other than
        None, and return that.  For conditions no call can wait on (an object
        that another thread or interpreter is about to queue); gives up with
        TimeoutError after the long time class."""
        tick = threading.Event()
        deadline = time.monotonic() + self.long
        while True:
            value = probe()
            if value is not None:
                return value
            if time.monotonic() >= deadline:
                break
            tick.wait(0.005)
        raise TimeoutError("eventually(): no value after %.1f s" % self.long)

    def resolve(self, name):
        """The exception class a `raises NAME` means, evaluated in the namespace;
        for `interpreters.X` when the implementation has no X, the string X:
        the exception then matches by class name (FORMAT.md 5.5)."""
        parts = name.split(".")
        if len(parts) == 2 and parts[0] == "interpreters" and "interpreters" in self.namespace:
            try:
                getattr(self.namespace["interpreters"], parts[1])
            except AttributeError:
                return parts[1]
        try:
            value = eval(name, self.namespace)
        except Exception as exc:
            # A documented name the implementation does not provide is a
            # deviation of the implementation, not a broken scenario.
            raise StepFailed("cannot resolve %s: %s" % (name, _describe(exc)),
                             expected=name, actual=_describe(exc))
        if not (isinstance(value, type) and issubclass(value, BaseException)):
            raise ScenarioError("%s is %r, not an exception class" % (name, value))
        return value

    def check_raised(self, raises, exc, what):
        """`exc` (None: nothing raised) against the step's `raises` clause."""
        if raises is None:
            if exc is not None:
                raise StepFailed("%s raised %s" % (what, _describe(exc)),
                                 expected="no exception", actual=_describe(exc), tb=_format(exc))
            return
        wanted = self.resolve(raises["name"])
        if exc is None:
            raise StepFailed("%s did not raise %s" % (what, raises["name"]),
                             expected=raises["name"], actual="no exception")
        if isinstance(wanted, str):
            # The implementation lacks the name: any class along the
            # exception's MRO with that __name__ will do.
            matched = any(getattr(cls, "__name__", None) == wanted for cls in type(exc).__mro__)
            shown = "%s (by class name: the implementation has no %s)" % (raises["name"], wanted)
        else:
            matched = isinstance(exc, wanted)
            shown = raises["name"]
        if not matched:
            raise StepFailed("%s raised %s, not %s" % (what, _describe(exc), shown),
                             expected=shown, actual=_describe(exc), tb=_format(exc))
        pattern = raises.get("matching")
        if pattern is not None and re.search(pattern, str(exc)) is None:
            raise StepFailed("message %r does not match /%s/" % (str(exc), pattern),
                             expected="/%s/" % pattern, actual=_describe(exc), tb=_format(exc))

    def evaluate(self, source, line, what):
        try:
            code = compile("\n" * (line - 1) + "(" + source + "\n)", self.path, "eval")
        except SyntaxError as exc:
            raise ScenarioError("%s %r is not a Python expression: %s" % (what, source, exc))
        return eval(code, self.namespace)

    # ---- steps --------------------------------------------------------------

    def compile_body(self, step):
        """The code object of the body of a `do` or `thread` step."""
        try:
            return _compile(step["code"], self.path, step["code_line"])
        except SyntaxError as exc:
            raise ScenarioError("body does not compile: %s" % exc, tb=_format(exc))

    def step_do(self, step):
        code = self.compile_body(step)
        try:
            exec(code, self.namespace)
        except Exception as exc:
            self.check_raised(step.get("raises"), exc, "the body")
        else:
            self.check_raised(step.get("raises"), None, "the body")

    def step_expect(self, step):
        try:
            value = self.evaluate(step["expr"], step["line"], "expression")
        except StepFailed:
            raise
        except Exception as exc:
            raise StepFailed("evaluating %s raised %s" % (step["expr"], _describe(exc)),
                             expected=" or ".join(step["outcomes"]), actual=_describe(exc),
                             tb=_format(exc))
        allowed = []
        for index, outcome in enumerate(step["outcomes"]):
            try:
                allowed.append(self.evaluate(outcome, step["outcome_lines"][index], "value"))
            except StepFailed:
                raise
            except Exception as exc:
                raise ScenarioError("value %r raised %s" % (outcome, _describe(exc)),
                                    tb=_format(exc))
        for candidate in allowed:
            if type(candidate) is type(value) and candidate == value:
                return
        raise StepFailed("%s is %s" % (step["expr"], self.show(value)),
                         expected=" or ".join(self.show(a) for a in allowed),
                         actual=self.show(value))

    @staticmethod
    def show(value):
        try:
            text = repr(value)
        except BaseException:
            text = "<repr() failed>"
        if len(text) > 200:
            text = text[:200] + "..."
        return "%s (%s)" % (text, type(value).__name__)

    def step_run(self, step):
        try:
            interp = self.namespace[step["target"]]
        except KeyError:
            raise ScenarioError("no interpreter named %s" % step["target"])
        source = "import %s as interpreters\n%s" % (self.impl_name, step["code"])
        kwargs = {}
        if step.get("channels") is not None:
            try:
                kwargs["channels"] = self.evaluate(step["channels"], step["line"], "channels")
            except StepFailed:
                raise
            except Exception as exc:
                raise ScenarioError("channels %r raised %s" % (step["channels"], _describe(exc)))
        try:
            interp.run(source, **kwargs)
        except Exception as exc:
            self.check_raised(step.get("raises"), exc, "run()")
        else:
            self.check_raised(step.get("raises"), None, "run()")

    def step_thread(self, step):
        code = self.compile_body(step)
        thread = Thread(step["name"], code, self.namespace)
        self.threads[step["name"]] = thread
        thread.thread.start()

    def look_at(self, thread, name, task_states):
        """One look for `blocked`: (LINE, None) when `thread` is in its body at
        LINE and, with task states, it sleeps in a wait and no other thread
        but this one is runnable; else (None, why not)."""
        line = thread.line
        if line is None:
            return None, "thread %s was not running its body" % name
        tid = thread.thread.native_id
        if not task_states or tid is None:
            return line, None
        state = _task_state(tid)
        if state not in ("S", "D"):
            return None, "thread %s was not waiting (state %s)" % (name, state)
        me = threading.get_native_id()
        try:
            others = os.listdir(TASK_DIR)
        except OSError as exc:
            return None, "cannot list %s: %s" % (TASK_DIR, exc)
        for entry in others:
            if entry.isdigit() and int(entry) not in (me, tid):
                state = _task_state(int(entry))
                if state in ("R", "W"):
                    names = dict((t.native_id, t.name) for t in threading.enumerate())
                    return None, ("another thread of the process (%s, TID %s) was runnable"
                                  % (names.get(int(entry), "not a Python thread of main"), entry))
        return line, None

    def step_blocked(self, step):
        """Thread T waits in a call: see FORMAT.md 5.4 for what is checked."""
        name = step["name"]
        thread = self.threads[name]
        task_states = _have_task_states()
        clock = None if thread.done.is_set() else _cpu_clock(thread.thread)
        interval = self.short / BLOCKED_LOOKS_PER_SHORT
        expected = ("thread %s waiting in a call for %.3f s (%d looks or more)"
                    % (name, self.short, BLOCKED_MIN_LOOKS))
        give_up = time.monotonic() + self.settle
        start, line, looks, cpu, why = None, None, 0, None, "no look yet"
        while True:
            if thread.done.is_set():
                ended = "with " + _describe(thread.error) if thread.error else "normally"
                raise StepFailed("thread %s finished (%s) while it was expected to be blocked"
                                 % (name, ended),
                                 expected=expected, actual="finished " + ended,
                                 tb=_format(thread.error) if thread.error else None)
            seen, reason = self.look_at(thread, name, task_states)
            now = time.monotonic()
            used = _cpu_seconds(clock)
            if seen is not None and seen == line:
                looks += 1
                if used is not None and cpu is not None and (
                        used - cpu > BLOCKED_CPU_SHARE * (now - start) + BLOCKED_CPU_SLACK):
                    why = ("thread %s used %.1f ms of CPU time in %.1f ms"
                           % (name, (used - cpu) * 1e3, (now - start) * 1e3))
                    start, looks, cpu = now, 1, used
                elif looks >= BLOCKED_MIN_LOOKS and now - start >= self.short:
                    # A look can precede the end of the thread: check again.
                    if not thread.done.is_set():
                        return
            elif seen is not None:
                if line is not None:
                    why = "thread %s moved from line %d to line %d" % (name, line, seen)
                start, line, looks, cpu = now, seen, 1, used
            else:
                start, line, looks, cpu, why = None, None, 0, None, reason
            if now >= give_up:
                raise StepFailed("thread %s never settled in a waiting call within %.1f s"
                                 " (last: %s)" % (name, self.settle, why),
                                 expected=expected, actual=why)
            # The spacing of the looks: that T stays in its call can only be seen
            # over a window (FORMAT.md 5.4), and no event marks "T is blocked"; the
            # one event there is, T finishing, ends the wait at once.
            thread.done.wait(interval)

    def step_join(self, step):
        thread = self.threads[step["name"]]
        if not thread.done.wait(self.long):
            raise StepFailed("thread %s did not finish within %.1f s" % (step["name"], self.long),
                             expected="finished", actual="still running", verdict="TIMEOUT")
        thread.thread.join()
        self.check_raised(step.get("raises"), thread.error, "thread " + step["name"])

    # ---- driver -------------------------------------------------------------

    def run(self):
        """Execute every step; returns the verdict tuple that was emitted."""
        self.emit("interpcheck-report", PROTOCOL_VERSION)
        self.emit("python", sys.version.split()[0])
        handlers = {
            "do": self.step_do, "expect": self.step_expect, "run": self.step_run,
            "thread": self.step_thread, "blocked": self.step_blocked, "join": self.step_join,
        }
        for index, step in enumerate(self.scenario["steps"]):
            self.emit("step", index, step["line"])
            try:
                handlers[step["kind"]](step)
            except StepFailed as failure:
                self.report(failure.verdict, index, step["line"], failure)
                return failure.verdict
            except BaseException as exc:
                failure = StepFailed("the step raised %s" % _describe(exc), tb=_format(exc),
                                     verdict="ERROR")
                self.report("ERROR", index, step["line"], failure)
                return "ERROR"
        self.emit("verdict", "PASS", -1, 0)
        self.emit("end")
        return "PASS"

    def report(self, verdict, index, line, failure):
        for name in ("message", "expected", "actual", "tb"):
            value = getattr(failure, name)
            if value is not None:
                self.emit("field", "traceback" if name == "tb" else name, _escape(str(value)))
        self.emit("verdict", verdict, index, line)
        self.emit("end")


def run(scenario_json, impl_name, time_scale=1.0, out=None):
    """Run one scenario (JSON text); write the report to `out` (default stdout)."""
    out = out or sys.stdout
    scenario = json.loads(scenario_json)
    try:
        impl = importlib.import_module(impl_name)
    except BaseException as exc:
        out.write("interpcheck-report %d\n" % PROTOCOL_VERSION)
        out.write("field message %s\n" % _escape("cannot import %s: %s" % (impl_name, _describe(exc))))
        out.write("field traceback %s\n" % _escape(_format(exc)))
        out.write("verdict ERROR -1 0\nend\n")
        out.flush()
        return "ERROR"
    return Executor(scenario, impl_name, impl, time_scale, out).run()


def main(argv):
    """Out-of-process entry: `executor.py --impl NAME [--time-scale F] [--path DIR]...`."""
    impl_name, time_scale = "interpref", 1.0
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--impl" and args:
            impl_name = args.pop(0)
        elif arg == "--time-scale" and args:
            time_scale = float(args.pop(0))
        elif arg == "--path" and args:
            sys.path.insert(0, args.pop(0))
        elif arg == "--version":
            sys.stdout.write("interpcheck-executor %d python %s\n"
                             % (PROTOCOL_VERSION, sys.version.split()[0]))
            return 0
        else:
            sys.stderr.write("executor.py: bad argument %r\n" % arg)
            return 2
    scenario_json = sys.stdin.read()
    # As in the runner's forked children: the report keeps a descriptor of
    # its own, and standard output joins standard error, so that what the
    # scenario (or code it runs in a subinterpreter) prints is output, never
    # a line of the report; line-buffered, so that a crash keeps it.
    report = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="backslashreplace", newline="\n")
    os.dup2(2, 1)
    sys.stdout.reconfigure(line_buffering=True)
    verdict = run(scenario_json, impl_name, time_scale, report)
    report.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    # Threads a failing scenario left blocked must not keep the process alive.
    del verdict   # the report says it; the exit status only says the report is complete
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])

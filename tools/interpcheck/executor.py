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
import traceback

PROTOCOL_VERSION = 1

# Time classes in seconds, before --time-scale (FORMAT.md, "Time classes").
SHORT_SECONDS = 0.2
LONG_SECONDS = 30.0


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


class Thread(object):
    """A scenario thread (`thread T`): runs a body, remembers how it ended."""

    def __init__(self, name, body, namespace):
        self.error = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._main, args=(body, namespace),
                                       name="scenario-" + name, daemon=True)

    def _main(self, body, namespace):
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
        self.long = LONG_SECONDS * time_scale
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
        for _ in range(int(self.long / 0.005) + 1):
            value = probe()
            if value is not None:
                return value
            tick.wait(0.005)
        raise TimeoutError("eventually(): no value after %.1f s" % self.long)

    def resolve(self, name):
        """The exception class a `raises NAME` means, evaluated in the namespace."""
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
        if not isinstance(exc, wanted):
            raise StepFailed("%s raised %s, not %s" % (what, _describe(exc), raises["name"]),
                             expected=raises["name"], actual=_describe(exc), tb=_format(exc))
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

    def step_do(self, step):
        try:
            code = _compile(step["code"], self.path, step["code_line"])
        except SyntaxError as exc:
            raise ScenarioError("body does not compile: %s" % exc, tb=_format(exc))
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
        try:
            code = _compile(step["code"], self.path, step["code_line"])
        except SyntaxError as exc:
            raise ScenarioError("body does not compile: %s" % exc, tb=_format(exc))
        thread = Thread(step["name"], code, self.namespace)
        self.threads[step["name"]] = thread
        thread.thread.start()

    def step_blocked(self, step):
        thread = self.threads[step["name"]]
        if thread.done.wait(self.short):
            ended = "with " + _describe(thread.error) if thread.error else "normally"
            raise StepFailed("thread %s was expected to still be blocked, but ended %s"
                             % (step["name"], ended),
                             expected="still blocked after %.2f s" % self.short,
                             actual="ended " + ended,
                             tb=_format(thread.error) if thread.error else None)

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
    report = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
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

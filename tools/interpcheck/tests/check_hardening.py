"""check_hardening.py: the runner against implementations and inputs that
try to break it (project issue 15, "Hardening"), one case per CTest test
(tools/interpcheck/CMakeLists.txt, label runner):

    python3 -I -S check_hardening.py CASE --runner PATH --python PATH --tests DIR

CASE is one of:
    import-hang      an implementation whose import never returns: one
                     message, exit 2, within the import check's deadline
    import-abort     one whose import calls os.abort(): one message, exit 2
                     (in process and with --python)
    helper-process   create() starts a helper that keeps the output pipe
                     open: PASS at once, and the helper is killed (in process
                     and with --python)
    python-missing   --python /nonexistent/python: one message, exit 2
    impl-missing     --impl doesnotexist --python PYTHON: one message, exit 2
    timeout-stack    a scenario that hangs: TIMEOUT with every thread's
                     Python stack as its traceback (in process and --python)
    step-deadline    a `timeout: long` scenario whose second step hangs:
                     TIMEOUT at that step after the step's own deadline (35 s),
                     not the scenario's (120 s)
    unknown-clause   a scenario citing a clause SPEC.md does not define: an
                     error at file:line:column, exit 2, nothing run
    unwritable-output  --junit/--jsonl/--markdown in a missing folder: exit 2
                     with the path and the reason, before anything runs

Every case also checks that no process the run started is left: the runner
runs with a marker in its environment, which every descendant inherits, and
no live process may carry it afterwards.
"""

import json
import os
import select
import subprocess
import sys
import tempfile
import time
import uuid

MARK = "INTERPCHECK_HARDENING_MARK"


class Case(object):
    def __init__(self, runner, python, tests, work):
        self.runner, self.python, self.tests, self.work = runner, python, tests, work
        self.failures = []
        self.mark = uuid.uuid4().hex

    def check(self, ok, what, result=None):
        if not ok:
            text = "FAIL: " + what
            if result is not None:
                text += "\n  command: %s\n  exit: %s (%.1f s)\n  stdout:\n%s\n  stderr:\n%s" % (
                    " ".join(result["args"]), result["code"], result["seconds"],
                    result["out"], result["err"])
            print(text)
            self.failures.append(what)
        return ok

    def run(self, args, env=None):
        environ = dict(os.environ)
        environ[MARK] = self.mark
        environ.update(env or {})
        argv = [self.runner] + list(args)
        started = time.monotonic()
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=environ, timeout=300)
        result = {"args": argv, "code": proc.returncode, "seconds": time.monotonic() - started,
                  "out": proc.stdout.decode("utf-8", "replace"),
                  "err": proc.stderr.decode("utf-8", "replace")}
        self.no_leftovers(result)
        return result

    def no_leftovers(self, result):
        """No live process (zombies are dead) carries this run's marker."""
        needle = ("%s=%s" % (MARK, self.mark)).encode()
        left = [pid for pid in os.listdir("/proc") if pid.isdigit() and
                alive(pid) and needle in read(os.path.join("/proc", pid, "environ"))]
        # A process the runner killed may not have finished dying: wait for each
        # one's exit on a pidfd (readable once it has exited), 2 s at most in all.
        give_up = time.monotonic() + 2.0
        for pid in left:
            try:
                fd = os.pidfd_open(int(pid))
            except OSError:
                continue  # gone already
            try:
                select.select([fd], [], [], max(0.0, give_up - time.monotonic()))
            finally:
                os.close(fd)
        left = [pid for pid in left if alive(pid)]
        if not left:
            return
        self.check(False, "processes left behind: %s" % ", ".join(
            "%s (%s)" % (pid, read(os.path.join("/proc", pid, "cmdline")).replace(b"\0", b" ")
                         .decode("utf-8", "replace").strip()) for pid in left), result)

    def exits(self, result, code, what):
        return self.check(result["code"] == code, "%s: exit status %s, not %s"
                          % (what, result["code"], code), result)

    def one_error(self, result, start, what):
        """stderr is exactly one line, `interpcheck: START...`; stdout is empty."""
        lines = result["err"].splitlines()
        self.check(len(lines) == 1 and lines[0].startswith("interpcheck: " + start),
                   "%s: one message starting %r" % (what, "interpcheck: " + start), result)
        self.check(result["out"] == "", what + ": nothing on stdout", result)

    def path(self, *parts):
        return os.path.join(self.tests, *parts)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def alive(pid):
    stat = read(os.path.join("/proc", pid, "stat"))
    end = stat.rfind(b") ")
    return end >= 0 and stat[end + 2:end + 3] not in (b"Z", b"X", b"")


def impl_args(c, impl, python_mode):
    args = ["--impl", impl, "--path", c.path("impls"), "--root", c.tests]
    return args + (["--python", c.python] if python_mode else [])


def case_import_hang(c):
    r = c.run(impl_args(c, "hang_on_import", False) + [c.path("selftest-suite")])
    c.exits(r, 2, "import hangs")
    c.one_error(r, "cannot import the implementation 'hang_on_import': its import did not "
                "finish within 20 s (killed)", "import hangs")
    c.check(r["seconds"] < 60, "import hangs: the run stops at the import's deadline", r)


def case_import_abort(c):
    for python_mode in (False, True):
        what = "import aborts" + (" (--python)" if python_mode else "")
        r = c.run(impl_args(c, "abort_on_import", python_mode) + [c.path("selftest-suite")])
        c.exits(r, 2, what)
        c.one_error(r, "cannot import the implementation 'abort_on_import': the implementation "
                    "crashed: signal 6 (Aborted)", what)


def case_helper_process(c):
    for python_mode in (False, True):
        what = "create() starts a helper" + (" (--python)" if python_mode else "")
        pidfile = os.path.join(c.work, "helpers-%d.txt" % python_mode)
        jsonl = os.path.join(c.work, "helper-%d.jsonl" % python_mode)
        r = c.run(impl_args(c, "spawns_helper", python_mode) +
                  ["--jsonl", jsonl, c.path("hardening", "creates.scn")],
                  env={"INTERPCHECK_TEST_PIDFILE": pidfile})
        c.exits(r, 0, what)
        records = [json.loads(line) for line in read(jsonl).decode().splitlines()]
        verdicts = [rec.get("verdict") for rec in records if rec.get("id")]
        c.check(verdicts == ["PASS"], "%s: PASS, not %s" % (what, verdicts), r)
        # The scenario ends at once: its deadline (20 s) must not be what ended it.
        c.check(r["seconds"] < 10, "%s: judged when its process ended (%.1f s)"
                % (what, r["seconds"]), r)
        pids = read(pidfile).split()
        c.check(len(pids) == 1, "%s: the helper was started (pid file %s)" % (what, pids), r)
        for pid in pids:
            c.check(not alive(pid.decode()), "%s: helper %s is gone" % (what, pid.decode()), r)


def case_python_missing(c):
    r = c.run(["--python", "/nonexistent/python", c.path("selftest-suite")])
    c.exits(r, 2, "--python /nonexistent/python")
    c.one_error(r, "--python '/nonexistent/python' does not run the executor",
                "--python /nonexistent/python")
    c.check("not found" in r["err"], "--python /nonexistent/python: the shell's reason", r)


def case_impl_missing(c):
    r = c.run(["--impl", "doesnotexist", "--python", c.python, c.path("selftest-suite")])
    c.exits(r, 2, "--impl doesnotexist --python")
    c.one_error(r, "cannot import the implementation 'doesnotexist': ModuleNotFoundError: "
                "No module named 'doesnotexist'", "--impl doesnotexist --python")


def case_timeout_stack(c):
    for python_mode in (False, True):
        what = "a hanging scenario" + (" (--python)" if python_mode else "")
        jsonl = os.path.join(c.work, "hangs-%d.jsonl" % python_mode)
        args = ["--root", c.tests, "--jsonl", jsonl, c.path("hardening", "hangs.scn")]
        if python_mode:
            args = ["--python", c.python, "--impl", "pureimpl", "--path", c.path("impls")] + args
        r = c.run(args)
        c.exits(r, 1, what)
        records = [json.loads(line) for line in read(jsonl).decode().splitlines()]
        hung = [rec for rec in records if rec.get("id") == "hardening/hangs"]
        if not c.check(len(hung) == 1, what + ": one JSON record", r):
            continue
        rec = hung[0]
        c.check(rec["verdict"] == "TIMEOUT" and rec["line"] == 5,
                "%s: TIMEOUT at line 5, not %s at %s" % (what, rec["verdict"], rec["line"]), r)
        tb = rec.get("traceback") or ""
        c.check("(most recent call first):" in tb and "in wait_here_forever" in tb,
                "%s: the traceback is the stack at the deadline:\n%s" % (what, tb), r)


def case_step_deadline(c):
    jsonl = os.path.join(c.work, "step.jsonl")
    r = c.run(["--root", c.tests, "--jsonl", jsonl, c.path("hardening", "step-hangs-in-long.scn")])
    c.exits(r, 1, "a hanging step")
    records = [json.loads(line) for line in read(jsonl).decode().splitlines()]
    rec = [x for x in records if x.get("id") == "hardening/step-hangs-in-long"]
    if not c.check(len(rec) == 1, "a hanging step: one JSON record", r):
        return
    rec = rec[0]
    c.check(rec["verdict"] == "TIMEOUT" and rec["line"] == 9,
            "a hanging step: TIMEOUT at line 9, not %s at %s" % (rec["verdict"], rec["line"]), r)
    c.check(35 <= rec["seconds"] < 60 and "a step's own deadline" in (rec["message"] or ""),
            "a hanging step: killed at the step's deadline (35 s), not at 120 s: %.1f s, %r"
            % (rec["seconds"], rec["message"]), r)


def case_unknown_clause(c):
    scenario = c.path("hardening", "unknown-clause.scn")
    r = c.run(["--root", c.tests, scenario])
    c.exits(r, 2, "a scenario citing NOPE-1")
    c.check(r["err"].startswith("%s:2:10: unknown clause 'NOPE-1' (%s defines no such clause)\n"
                                % (scenario, c.path("SPEC.md"))),
            "a scenario citing NOPE-1: the error, at file:line:column", r)
    c.check(r["out"].endswith("interpcheck: 0 passed, 0 failed, 0 skipped\n"),
            "a scenario citing NOPE-1: it does not run", r)
    # The same with --spec, from anywhere; the real SPEC.md knows no FX- clause either.
    r = c.run(["--spec", c.path("SPEC.md"), scenario, c.path("verdicts", "pass.scn")])
    c.exits(r, 2, "--spec with NOPE-1")
    c.check("1 passed" in r["out"], "--spec: the other scenario still runs", r)
    r = c.run([c.path("verdicts", "pass.scn")])
    c.exits(r, 2, "an FX- clause against the suite's SPEC.md")
    c.check(":2:10: unknown clause 'FX-PASS-1'" in r["err"],
            "an FX- clause against the suite's SPEC.md", r)


def case_unwritable_output(c):
    hangs = c.path("hardening", "hangs.scn")  # would take 20 s if it ran
    for option in ("--junit", "--jsonl", "--markdown"):
        path = os.path.join(c.work, "no-such-dir", "report")
        r = c.run(["--root", c.tests, option, path, hangs])
        c.exits(r, 2, option + " in a missing folder")
        c.check(r["err"] == "interpcheck: cannot write %s: No such file or directory\n" % path,
                option + ": the path and the reason", r)
        c.check(r["out"] == "" and r["seconds"] < 10, option + ": before anything runs", r)
        c.check(not os.path.exists(os.path.dirname(path)), option + ": nothing made", r)


CASES = {"import-hang": case_import_hang, "import-abort": case_import_abort,
         "helper-process": case_helper_process, "python-missing": case_python_missing,
         "impl-missing": case_impl_missing, "timeout-stack": case_timeout_stack,
         "step-deadline": case_step_deadline,
         "unknown-clause": case_unknown_clause, "unwritable-output": case_unwritable_output}


def main(argv):
    if not argv or argv[0] not in CASES:
        sys.stderr.write("usage: check_hardening.py {%s} --runner PATH --python PATH --tests DIR\n"
                         % ",".join(CASES))
        return 2
    named = dict(zip(argv[1::2], argv[2::2]))
    with tempfile.TemporaryDirectory(prefix="check_hardening.") as work:
        c = Case(os.path.abspath(named["--runner"]), named["--python"],
                 os.path.abspath(named["--tests"]), work)
        CASES[argv[0]](c)
    if c.failures:
        print("\n%d check(s) failed in case %s" % (len(c.failures), argv[0]))
        return 1
    print("case %s: every check passed" % argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

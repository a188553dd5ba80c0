"""check_runner.py: tests of the `interpcheck` command as its users see it:
exit status, messages, and every report format, over the fixtures beside
this file.  One group per CTest test (tools/interpcheck/CMakeLists.txt):

    python3 -I -S check_runner.py GROUP --runner PATH --python PATH --tests DIR

GROUP is one of:
    options      option errors (each a precise message and exit 2), --help,
                 --version, bad expectation files, missing paths
    reporters    the verdicts/ fixture (every verdict) through the human
                 report (-v, progress on a terminal, --trace), TAP, JUnit,
                 JSON lines and Markdown, with the clause each failure is
                 charged to and the run's root causes; report files that
                 cannot be written; the rerun command a report prints
    python-mode  --python (out of process, with impls/pureimpl.py), a whole
                 suite run that finds a stale expectation entry
    subcommands  list and its filters, broken/ scenario files, coverage over
                 coverage/, diff (errors, in-process and --python targets)
    interrupt    Ctrl-C (SIGINT) in the middle of a hanging scenario

--python is the interpreter running this script (it must be the version
the runner embeds).  Every check runs, then the failures are listed; the
exit status is 1 if any check failed.  No sleeps: the interrupt group waits
for the runner's own --trace line before it signals.
"""

import json
import os
import platform
import pty
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

# The runner's options are not copied here: `interpcheck --list-options` lists
# them, one spelling a line, with the name of its value when it takes one
# (see Checker.options).

# The verdicts/ fixture: name -> (level, clauses, verdict, raw outcome, step, line),
# as run with verdicts.expect.
VERDICTS = {
    "big-output": ("SHOULD", ["FX-OUTPUT-1"], "FAIL", "FAIL", 1, 8),
    "crash-exit": ("IMPL", ["FX-CRASH-1"], "CRASH", "CRASH", 1, 9),
    "error": ("MUST", ["FX-ERROR-1"], "ERROR", "ERROR", 0, 5),
    "fail-escapes": ("MUST", ["FX-ESC-1", "FX-SHARED-1"], "FAIL", "FAIL", 0, 5),
    "fail-expect": ("SHOULD", ["FX-EXPECT-1"], "FAIL", "FAIL", 0, 5),
    "pass": ("MUST", ["FX-PASS-1", "FX-SHARED-1"], "PASS", "PASS", -1, 0),
    "selftest-fails": ("MUST", ["FX-SELF-2"], "PASS", "FAIL", 0, 6),
    "selftest-passes": ("MUST", ["FX-SELF-1"], "FAIL", "PASS", -1, 0),
    "skipped": ("MAY", ["FX-SKIP-1"], "SKIP", "SKIP", -1, 0),
    "wrong-clause": ("SHOULD", ["FX-CLAUSE-1", "FX-CLAUSE-2", "FX-CLAUSE-3"], "FAIL", "FAIL", 1, 8),
    "wrong-outcome": ("SHOULD", ["FX-WRONG-1"], "FAIL", "FAIL", 0, 5),
    "xfail-either": ("MAY", ["FX-XFAIL-2"], "XFAIL", "FAIL", 0, 5),
    "xfail": ("MAY", ["FX-XFAIL-1"], "XFAIL", "FAIL", 0, 5),
    "xpass": ("MAY", ["FX-XPASS-1"], "XPASS", "PASS", -1, 0),
}
# Plan order: ids sorted by path, as strcmp sorts them ("xfail-either.scn" < "xfail.scn").
ORDER = sorted(VERDICTS, key=lambda name: name + ".scn")

# What each fixture's outcome says about its clauses (FORMAT.md section 7):
# name -> (charged clause or None, set-up failure, passed, failed, not reached).
CHARGED = {
    "big-output": ("FX-OUTPUT-1", False, [], ["FX-OUTPUT-1"], []),
    "crash-exit": (None, True, [], [], ["FX-CRASH-1"]),  # dies in a set-up `do`
    "error": (None, False, [], [], ["FX-ERROR-1"]),  # ERROR charges nothing
    "fail-escapes": ("FX-ESC-1", False, [], ["FX-ESC-1"], ["FX-SHARED-1"]),
    "fail-expect": ("FX-EXPECT-1", False, [], ["FX-EXPECT-1"], []),
    "pass": (None, False, ["FX-PASS-1", "FX-SHARED-1"], [], []),
    "selftest-fails": ("FX-SELF-2", False, [], ["FX-SELF-2"], []),
    "selftest-passes": (None, False, ["FX-SELF-1"], [], []),
    "skipped": (None, False, [], [], ["FX-SKIP-1"]),
    "wrong-clause": ("FX-CLAUSE-2", False, ["FX-CLAUSE-1"], ["FX-CLAUSE-2"], ["FX-CLAUSE-3"]),
    "wrong-outcome": ("FX-WRONG-1", False, [], ["FX-WRONG-1"], []),
    "xfail-either": ("FX-XFAIL-2", False, [], ["FX-XFAIL-2"], []),
    "xfail": ("FX-XFAIL-1", False, [], ["FX-XFAIL-1"], []),
    "xpass": (None, False, ["FX-XPASS-1"], [], []),
}


def charged_text(name):
    """The clause a failing fixture is charged to, as the text reports write it."""
    clause, setup = CHARGED[name][:2]
    if VERDICTS[name][3] not in ("FAIL", "TIMEOUT", "CRASH"):
        return None
    return clause if clause else "set-up"


# The root causes of the fixture run: its failing clauses (a self-test's
# FAIL is no deviation) and one set-up failure, crash-exit.
ROOT_CAUSES = sorted(c[0] for n, c in CHARGED.items()
                     if c[0] and VERDICTS[n][3] in ("FAIL", "TIMEOUT", "CRASH")
                     and not n.startswith("selftest"))
ROOT_CAUSE_LINES = (["root causes: %d failing clauses, 1 set-up failure" % len(ROOT_CAUSES)] +
                    ["  %-11s  stopped 1 scenario" % c for c in ROOT_CAUSES])

ESCAPES = "<&>\"' a|b\tc\rd\x01e\nsecond line"  # the message of verdicts/fail-escapes
MESSAGES = {
    "big-output": "\"short\" is 'short' (str)",
    "crash-exit": "the process exited with status 7 before completing its report",
    "error": "value 'no_such_name' raised NameError: name 'no_such_name' is not defined",
    "fail-escapes": "the body raised ValueError: " + ESCAPES,
    "fail-expect": "1 + 1 is 2 (int)",
    "pass": None,
    "selftest-fails": "1 is 1 (int)",
    "selftest-passes": "this self-test scenario must fail, but it passed: the harness is broken",
    "skipped": None,
    "wrong-clause": "expected FAIL charged to FX-CLAUSE-1, got FAIL charged to FX-CLAUSE-2",
    "wrong-outcome": "the expectation file names a different outcome",
    "xfail-either": "0 is 0 (int)",
    "xfail": "\"x\" is 'x' (str)",
    "xpass": "expected to fail per the expectation file, but passed (stale entry?)",
}
REASONS = {
    "xfail": "fixture: an expected failure | with a bar",
    "xfail-either": "fixture: either outcome is fine",
    "xpass": "fixture: a stale entry",
    "skipped": "fixture: never run",
    "wrong-outcome": "fixture: the wrong outcome",
    "wrong-clause": "fixture: the wrong clause",
}
# The JSON lines keep the raw message apart from the judgement ("judged"): the
# scenarios whose MESSAGES entry above is a judgement, with their raw message.
RAW_MESSAGES = {"xpass": None, "selftest-passes": None, "wrong-clause": "2 is 2 (int)",
                "wrong-outcome": "None is None (NoneType)"}
OBSERVED = {"xfail": "\"x\" is not \"y\"", "xfail-either": "0 is not 1",
            "skipped": "exits with status 9"}
SUMMARY = "PASS 2 FAIL 6 XFAIL 2 XPASS 1 SKIP 1 CRASH 1 ERROR 1"
# big-output prints "<", 6000 x, ">" and a newline; reports keep 2048 bytes at each end.
BIG_LEFT_OUT = 6003 - 2 * 2048

BROKEN = [
    "bad-indent.scn:6:3: body line indented by 2 spaces (expected 4)",
    "duplicate-clause.scn:2:23: duplicate clause id 'FN-GETMAIN-1'",
    "join-before-thread.scn:9:6: thread worker is not started before this step",
    "unknown-key.scn:4:1: unknown header key 'colour'",
]

VERSION = platform.python_version()
ISO_DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def q(word):
    """A word as the runner quotes it for a shell (strbuf.c sb_shell_word)."""
    return shlex.quote(word)


class Result(object):
    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err
        self.shown = False


class Checker(object):
    def __init__(self, runner, python, tests):
        self.runner, self.python, self.tests = runner, python, tests
        self.failures = []
        self.work = tempfile.mkdtemp(prefix="check_runner.")

    def options(self):
        """The runner's options as --list-options gives them: (spelling, value name or None)."""
        r = self.run(["--list-options"])
        self.exits(r, 0, "--list-options")
        self.equal(r.err, "", "--list-options: stderr", r)
        rows = [line.split(" ", 1) for line in r.out.splitlines()]
        self.check(len(rows) > 10 and all(row[0].startswith("-") for row in rows),
                   "--list-options lists the options", r)
        return [(row[0], row[1] if len(row) > 1 else None) for row in rows]

    def run(self, args, stderr=None, timeout=300):
        argv = [self.runner] + list(args)
        proc = subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE if stderr is None else stderr,
                              timeout=timeout)
        err = proc.stderr.decode("utf-8", "replace") if proc.stderr is not None else ""
        return Result(argv, proc.returncode, proc.stdout.decode("utf-8", "replace"), err)

    def check(self, ok, what, result=None):
        if ok:
            return True
        text = "FAIL: " + what
        if result is not None and not result.shown:
            result.shown = True
            text += "\n  command: %s\n  exit: %s\n  stdout:\n%s\n  stderr:\n%s" % (
                " ".join(q(a) for a in result.args), result.code,
                indent(result.out), indent(result.err))
        elif result is not None:
            text += "\n  (command: %s)" % " ".join(q(a) for a in result.args)
        print(text)
        self.failures.append(what)
        return False

    def equal(self, actual, expected, what, result=None):
        return self.check(actual == expected, "%s:\n  expected %r\n  actual   %r"
                          % (what, expected, actual), result)

    def exits(self, result, code, what):
        return self.equal(result.code, code, what + ": exit status", result)

    def path(self, *parts):
        return os.path.join(self.tests, *parts)

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path


def indent(text):
    return "\n".join("    | " + line for line in text.split("\n"))


def blocks(report):
    """The human report's entries: {id: [lines]} (a line that starts in
    column 1, then its indented lines).  Lines split at \\n only: messages
    hold \\r and other control characters."""
    found, current = {}, None
    for line in report.split("\n"):
        match = re.match(r"^(PASS|FAIL|XFAIL|XPASS|SKIP|TIMEOUT|CRASH|ERROR) +(\S+)  \[", line)
        if match:
            current = found.setdefault(match.group(2), [])
            current.append(line)
        elif line.startswith("    ") and current is not None:
            current.append(line)
        else:
            current = None
    return found


def without_output(lines):
    """An entry without its `output:` section (checked on its own where it matters)."""
    kept, skipping = [], False
    for line in lines:
        if line.startswith("    output:"):
            skipping = True
        elif not line.startswith("      "):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def header(name):
    level, clauses, verdict = VERDICTS[name][:3]
    return "%-7s verdicts/%s  [%s]" % (verdict, name, " ".join(clauses))


# ---- options -------------------------------------------------------------------------

def group_options(c):
    def bad(args, message, what=None):
        r = c.run(args)
        what = what or " ".join(args)
        c.exits(r, 2, what)
        c.equal(r.err, "interpcheck: %s\n(try interpcheck --help)\n" % message, what, r)
        c.equal(r.out, "", what + ": nothing on stdout", r)

    options = c.options()
    with_value = [name for name, value in options if value is not None]
    for option in with_value:
        bad([option], "%s needs a value" % option)
    bad(["list", "--level"], "--level needs a value")
    bad(["diff", "--target", "a=b", "--target"], "--target needs a value")
    bad(["--feature", "nosuch"], "unknown feature 'nosuch'")
    bad(["--without-feature", "Threads"], "unknown feature 'Threads'")
    bad(["list", "--level", "must"], "unknown level 'must' (MUST, SHOULD, MAY or IMPL)")
    for shard in ["0/2", "3/2", "1/0", "1/2x", "two", "", "-1/2"]:
        bad(["--shard", shard], "--shard takes I/N with 1 <= I <= N, not '%s'" % shard)
    for args, value in [(["-j", "0"], "0"), (["-j65"], "65"), (["-jx"], "x"),
                        (["-j", "3x"], "3x"), (["-j", ""], "")]:
        bad(args, "-j takes a number from 1 to 64, not '%s'" % value)
    for scale in ["0", "-1", "abc", "1001", "nan", "inf", "2x", ""]:
        bad(["--time-scale", scale],
            "--time-scale takes a number above 0 and at most 1000, not '%s'" % scale)
    bad(["--no-such-option"], "unknown option '--no-such-option'")
    bad(["coverage", "-x"], "unknown option '-x'")
    bad(["list", "--tap", "--bogus", "--verbose"], "unknown option '--bogus'")

    # --help wins over everything, even a bad option before it.
    usage = None
    for args in (["--help"], ["-h"], ["list", "--no-such-option", "-h"]):
        r = c.run(args)
        c.exits(r, 0, " ".join(args))
        c.check(r.out.startswith("usage: interpcheck [run|list|coverage|diff] [options] "
                                 "[PATH...]\n") and
                r.out.endswith("Exit status: 0 all outcomes match expectations, "
                               "1 some deviate, 2 broken input.\n"),
                "%s prints the usage" % " ".join(args), r)
        c.equal(r.err, "", " ".join(args) + ": stderr", r)
        usage = usage or r.out
    for option, value in options:
        spelled = option if value is None else "%s %s" % (option, value)
        c.check(re.search(r"(^|\s)%s(\s|,)" % re.escape(spelled), usage) is not None,
                "the usage documents %s" % spelled)
    r = c.run(["--version"])
    c.exits(r, 0, "--version")
    c.equal(r.out, "interpcheck 0.1\n", "--version", r)

    # Expectation files: the first bad line, by file and line, before anything runs.
    scenario = c.path("verdicts", "pass.scn")
    cases = [
        ("# a comment\n\nverdicts/x  MAYBE  FX-1  | observed: o | reason: r\n",
         "%s:3: unknown outcome 'MAYBE' (FAIL, TIMEOUT, CRASH, several of them joined by "
         "'|', PASS among them, or SKIP)"),
        ("a  SKIP|FAIL  C  | observed: o | reason: r\n",
         "%s:1: SKIP cannot be combined with other outcomes"),
        ("a  FAIL  C  | observed: o | because: r\n",
         "%s:1: every entry needs '| observed: ... | reason: ...'"),
        ("a  FAIL  C  | observed: o | with | bars | reason: r\n",
         "%s:1: every entry needs '| observed: ... | reason: ...'"),
        ("only-an-id\n",
         "%s:1: expected 'SCENARIO-ID OUTCOME CLAUSE | observed: ... | reason: ...'"),
        ("a  FAIL  C  | observed: o | reason: r\n   \n# c\na  TIMEOUT  C  | observed: o | "
         "reason: r\n",
         "%s:4: a is listed twice (first on line 1)"),
    ]
    for index, (text, message) in enumerate(cases):
        path = c.write("expect-%d.txt" % index, text)
        r = c.run(["--expect", path, scenario])
        c.exits(r, 2, "expectation file %d" % index)
        c.equal(r.err, "interpcheck: %s\n" % (message % path), "expectation file %d" % index, r)
        c.equal(r.out, "", "expectation file %d: nothing runs" % index, r)
    missing = os.path.join(c.work, "no-such-dir", "expect.txt")
    r = c.run(["--expect", missing, scenario])
    c.exits(r, 2, "missing expectation file")
    c.equal(r.err, "interpcheck: %s: cannot open: No such file or directory\n" % missing,
            "missing expectation file", r)

    # Filters that select nothing: an error for run (a mistyped --filter must
    # not pass as "0 passed"), but not for one empty shard of many.
    verdicts = c.path("verdicts")
    r = c.run(["--filter", "no-such-*", verdicts])
    c.exits(r, 2, "run with a filter that matches nothing")
    c.equal(r.err, "interpcheck: no scenario selected: the paths and filters given match none "
                   "(see `interpcheck list` with the same arguments)\n",
            "run with a filter that matches nothing", r)
    c.equal(r.out, "", "run with a filter that matches nothing: stdout", r)
    r = c.run(["--filter", "no-such-*", "--shard", "1/2", verdicts])
    c.exits(r, 0, "an empty shard")
    c.check("0 passed, 0 failed" in r.out, "an empty shard reports 0 scenarios", r)

    # A path that does not exist, for every subcommand.
    nowhere = os.path.join(c.work, "no-such-scenario.scn")
    for args in ([], ["run", "-v"], ["list"], ["coverage"],
                 ["diff", "--target", "a=interpref", "--target", "b=interpref"]):
        r = c.run(args + [nowhere])
        c.exits(r, 2, "missing path (%s)" % " ".join(args))
        c.equal(r.err, "interpcheck: %s: No such file or directory\n" % nowhere,
                "missing path (%s)" % " ".join(args), r)
        c.equal(r.out, "", "missing path (%s): stdout" % " ".join(args), r)


# ---- reporters -------------------------------------------------------------------------

def run_on_terminal(c, args):
    """Run with stderr on a pseudo-terminal, where the runner shows its progress."""
    master, slave = pty.openpty()
    argv = [c.runner] + args
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    out = proc.communicate(timeout=300)[0]
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return Result(argv, proc.returncode, out.decode("utf-8", "replace"),
                  b"".join(chunks).decode("utf-8", "replace"))


def group_reporters(c):
    root, suite = c.tests, c.path("verdicts")
    expect = c.path("verdicts.expect")
    junit, jsonl, markdown = (os.path.join(c.work, name)
                              for name in ("r.xml", "r.jsonl", "r.md"))
    prefix = "%s --impl interpref --expect %s --root %s %s" % (q(c.runner), q(expect), q(root),
                                                               q(suite))

    def path_of(name):
        return os.path.join(suite, name + ".scn")

    # 1. The human report, verbose, progress on a terminal, and three report files.
    args = ["-v", "-j", "2", "--label", "fixture", "--expect", expect, "--root", root,
            "--junit", junit, "--jsonl", jsonl, "--markdown", markdown, suite]
    r = run_on_terminal(c, args)
    c.exits(r, 2, "verdicts fixture (an ERROR makes it 2)")
    found = blocks(r.out)
    c.equal(sorted(found), sorted("verdicts/" + n for n in VERDICTS), "-v lists every scenario",
            r)
    for name in VERDICTS:
        lines = found.get("verdicts/" + name, [""])
        c.equal(lines[0], header(name), "result line of " + name, r)
        if VERDICTS[name][2] in ("FAIL", "XPASS", "CRASH", "ERROR"):
            c.equal(lines[-1], "    rerun:    %s --filter 'verdicts/%s' --trace" % (prefix, name),
                    "rerun line of " + name, r)
    exact = {
        "pass": [header("pass")],
        "selftest-fails": [header("selftest-fails")],
        "skipped": [header("skipped"), "    expected SKIP: fixture: never run"],
        "xfail": [header("xfail"), "    expected FAIL: " + REASONS["xfail"]],
        "xfail-either": [header("xfail-either"),
                         "    expected FAIL|TIMEOUT: " + REASONS["xfail-either"]],
        "wrong-outcome": [
            header("wrong-outcome"),
            "    at:       %s:5 (step 1)" % path_of("wrong-outcome"),
            "    clause:   FX-WRONG-1",
            "    judged:   the expectation file names a different outcome",
            "    outcome:  FAIL (expectation file: TIMEOUT)",
            "    message: None is None (NoneType)",
            "    expected: False (bool)",
            "    actual: None (NoneType)"],
        "xpass": [
            header("xpass"),
            "    judged:   " + MESSAGES["xpass"],
            "    outcome:  PASS (expectation file: FAIL)"],
        "selftest-passes": [
            header("selftest-passes"),
            "    judged:   " + MESSAGES["selftest-passes"],
            "    outcome:  PASS"],
        "crash-exit": [
            header("crash-exit"),
            "    at:       %s:9 (step 2)" % path_of("crash-exit"),
            "    clause:   set-up (charged to no clause)",
            "    outcome:  CRASH",
            "    message: " + MESSAGES["crash-exit"]],
        "fail-expect": [
            header("fail-expect"),
            "    at:       %s:5 (step 1)" % path_of("fail-expect"),
            "    clause:   FX-EXPECT-1",
            "    outcome:  FAIL",
            "    message: 1 + 1 is 2 (int)",
            "    expected: 3 (int)",
            "    actual: 2 (int)"],
        # The outcome the entry names, charged to another clause: a deviation.
        "wrong-clause": [
            header("wrong-clause"),
            "    at:       %s:8 (step 2)" % path_of("wrong-clause"),
            "    clause:   FX-CLAUSE-2",
            "    judged:   " + MESSAGES["wrong-clause"],
            "    outcome:  FAIL (expectation file: FAIL)",
            "    message: 2 is 2 (int)",
            "    expected: 3 (int)",
            "    actual: 2 (int)"],
    }
    for name, lines in exact.items():
        got = without_output(found.get("verdicts/" + name, []))
        if got and got[-1].startswith("    rerun:"):
            got = got[:-1]
        c.equal(got, lines, "human report of " + name, r)
    escapes = found.get("verdicts/fail-escapes", [])
    c.equal(escapes[:10], [
        header("fail-escapes"),
        "    at:       %s:5 (step 1)" % path_of("fail-escapes"),
        "    clause:   FX-ESC-1",
        "    outcome:  FAIL",
        "    message:",
        "      the body raised ValueError: <&>\"' a|b\tc\\x0dd\\x01e",
        "      second line",
        "    expected: no exception",
        "    actual:",
        "      ValueError: <&>\"' a|b\tc\\x0dd\\x01e"], "multi-line fields are indented", r)
    c.check("    traceback:" in escapes and
            "      Traceback (most recent call last):" in escapes,
            "the traceback of fail-escapes is in the report", r)
    big = found.get("verdicts/big-output", [])
    c.check("\n".join(big).find("\n".join([
        "    output:",
        "      <" + "x" * 2047,
        "      [... %d bytes left out ...]" % BIG_LEFT_OUT,
        "      " + "x" * 2046 + ">"])) >= 0, "long output is shortened, head and tail kept", r)
    c.check(r.out.endswith("\nfixture (Python %s): %s\n%s\ninterpcheck: 4 passed, 9 failed, "
                           "1 skipped\n" % (VERSION, SUMMARY, "\n".join(ROOT_CAUSE_LINES))),
            "summary of the fixture, with its root causes", r)
    # Progress: only scenarios that run count (the SKIP entry does not).
    for k in range(1, 14):
        c.check(("\r\x1b[K[%d/13] verdicts/" % k) in r.err, "progress line %d/13" % k, r)
    c.check(r.err.endswith("\r\x1b[K"), "the progress line is cleared at the end", r)
    c.check("[14/" not in r.err and "/14]" not in r.err, "progress counts run scenarios", r)

    check_junit(c, junit, r, path_of)
    check_jsonl(c, jsonl, suite)
    check_markdown(c, markdown, r)

    # 2. TAP, with --trace on stderr.
    r = c.run(["--tap", "--trace", "-j2", "--expect", expect, "--root", root, suite])
    c.exits(r, 2, "--tap")
    expected = ["TAP version 13", "1..14"]
    for number, name in enumerate(ORDER, 1):
        test_id = "verdicts/" + name
        verdict, raw, step, line = VERDICTS[name][2:]
        if verdict == "PASS":
            expected.append("ok %d - %s" % (number, test_id))
        elif verdict == "XFAIL":
            expected.append("not ok %d - %s # TODO %s" % (number, test_id, REASONS[name]))
        elif verdict == "SKIP":
            expected.append("ok %d - %s # SKIP %s" % (number, test_id, REASONS[name]))
        else:
            expected += ["not ok %d - %s" % (number, test_id), "  ---",
                         "  verdict: " + verdict]
            if line:
                expected.append("  at: %s:%d" % (path_of(name), line))
            if charged_text(name):
                expected.append("  clause: " + charged_text(name))
            expected.append("<yaml %s>" % name)
            expected += ["  rerun: \"%s --filter '%s' --trace\"" % (prefix, test_id), "  ..."]
    # The YAML blocks' message/expected/actual/traceback entries go to yaml[name],
    # one placeholder line in their place; the rest must match line for line.
    got, yaml, name, in_block = [], {}, None, False
    for text in r.out.rstrip("\n").split("\n"):
        match = re.match(r"^not ok \d+ - verdicts/(\S+)$", text)
        if match:
            name = match.group(1)
        if text == "  ---" or text == "  ...":
            in_block = text == "  ---"
        elif in_block and not re.match(r"^  (verdict|at|clause|rerun): ", text):
            if name not in yaml:
                got.append("<yaml %s>" % name)
            yaml.setdefault(name, []).append(text)
            continue
        got.append(text)
    c.equal(got, expected, "TAP output (YAML blocks aside)", r)
    c.equal(yaml.get("fail-expect"), ["  message: |", "    1 + 1 is 2 (int)",
                                      "  expected: |", "    3 (int)", "  actual: |",
                                      "    2 (int)"], "TAP YAML of fail-expect", r)
    c.equal(yaml.get("crash-exit"), ["  message: |", "    " + MESSAGES["crash-exit"]],
            "TAP YAML of crash-exit", r)
    c.equal(yaml.get("fail-escapes", [])[:4], [
        "  message: |", "    the body raised ValueError: <&>\"' a|b\tc\\x0dd\\x01e",
        "    second line", "  expected: |"], "TAP YAML block of a multi-line message", r)
    steps = [line for line in r.err.split("\n") if line.startswith("  /") or ": step " in line]
    for name, lines in [("pass", [6, 9]), ("crash-exit", [6, 9]), ("fail-expect", [5])]:
        for k, line in enumerate(lines, 1):
            c.check("  %s:%d: step %d" % (path_of(name), line, k) in steps,
                    "--trace shows step %d of %s" % (k, name), r)
    c.check(not any("skipped.scn" in line for line in steps),
            "a SKIP entry's scenario never runs", r)

    # 3. --trace in the human report: every scenario listed, with its output.
    r = c.run(["--trace", "--root", root, "--clause", "FX-PASS-1", suite])
    c.exits(r, 0, "--trace")
    c.equal(r.out, "%s\n    output:\n      hello from pass\n\ninterpref (Python %s): PASS 1\n"
            "interpcheck: 1 passed, 0 failed, 0 skipped\n" % (header("pass"), VERSION),
            "--trace shows a passing scenario's output under its name", r)

    # 4. The printed rerun command reruns exactly that scenario.
    rerun = [line for line in found.get("verdicts/wrong-outcome", [""])
             if line.startswith("    rerun:")]
    if c.check(len(rerun) == 1, "wrong-outcome has a rerun line"):
        argv = shlex.split(rerun[0][len("    rerun:"):])
        r = c.run(argv[1:])
        c.exits(r, 1, "the rerun command")
        c.check(r.out.startswith(header("wrong-outcome") + "\n") and
                r.out.endswith("\ninterpcheck: 0 passed, 1 failed, 0 skipped\n"),
                "the rerun command runs that scenario alone", r)

    # 5. Report files that cannot be written: exit 2 and the reason; one that cannot be
    # made stops the run before it starts, one that fails on writing after the run.
    for option, path, reason in [
            ("--junit", os.path.join(c.work, "missing", "r.xml"), "No such file or directory"),
            ("--markdown", os.path.join(c.work, "missing", "r.md"), "No such file or directory"),
            ("--jsonl", "/dev/full", "No space left on device")]:
        if path == "/dev/full" and not os.path.exists(path):
            continue
        r = c.run(["--root", root, "--filter", "verdicts/pass", option, path, suite])
        c.exits(r, 2, option + " to an unwritable place")
        c.equal(r.err, "interpcheck: cannot write %s: %s\n" % (path, reason), option, r)
        if path == "/dev/full":
            c.check(r.out.endswith("interpcheck: 1 passed, 0 failed, 0 skipped\n"),
                    option + ": the run is still reported", r)
        else:
            c.equal(r.out, "", option + ": nothing runs", r)

    # 6. JUnit stays well-formed when the path holds XML's special characters.
    odd = os.path.join(c.work, "a&b<c>'d\"")
    os.mkdir(odd)
    shutil.copy(path_of("fail-expect"), odd)
    odd_junit = os.path.join(c.work, "odd.xml")
    r = c.run(["--root", c.work, "--spec", c.path("SPEC.md"), "--junit", odd_junit, odd])
    c.exits(r, 1, "a scenario under a path with & < > ' \"")
    try:
        case = ET.parse(odd_junit).getroot().find("testsuite/testcase")
        c.equal(case.get("name"), "a&b<c>'d\"/fail-expect", "JUnit name with specials")
        c.check(case.find("failure").text.startswith(
            os.path.join(odd, "fail-expect.scn") + ":5\n"), "JUnit failure names the path")
    except (ET.ParseError, AttributeError) as exc:
        c.check(False, "JUnit with a special path does not parse: %s" % exc, r)


def check_junit(c, path, r, path_of):
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as exc:
        c.check(False, "JUnit report: %s" % exc, r)
        return
    suites = tree.getroot()
    c.equal(suites.tag, "testsuites", "JUnit root")
    suite = suites.find("testsuite")
    attrs = dict(suite.attrib)
    c.check(re.fullmatch(ISO_DATE, attrs.pop("timestamp", "")) is not None, "JUnit timestamp")
    c.equal(attrs, {"name": "fixture", "tests": "14", "failures": "7", "errors": "2",
                    "skipped": "1"}, "JUnit testsuite attributes")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    c.equal(props, {"python": VERSION, "command": repo_relative(" ".join(q(a) for a in r.args))},
            "JUnit properties")
    cases = suite.findall("testcase")
    c.equal([case.get("name") for case in cases], ["verdicts/" + n for n in ORDER],
            "JUnit test cases, in plan order")
    for case in cases:
        name = case.get("name")[len("verdicts/"):]
        verdict = VERDICTS[name][2]
        c.equal(case.get("classname"), "fixture", "JUnit classname of " + name)
        c.check(re.fullmatch(r"\d+\.\d{3}", case.get("time", "")) is not None,
                "JUnit time of " + name)
        tag = {"PASS": None, "XFAIL": None, "SKIP": "skipped", "FAIL": "failure",
               "XPASS": "failure", "CRASH": "error", "ERROR": "error"}[verdict]
        children = list(case)
        c.equal([child.tag for child in children], [tag] if tag else [],
                "JUnit children of " + name)
        if not tag:
            continue
        child = children[0]
        c.equal(child.get("type"), verdict, "JUnit type of " + name)
        message = MESSAGES[name] or REASONS.get(name)
        # XML 1.0 has no place for \x01: it becomes U+FFFD; \r survives as &#13;.
        message = message.replace("\x01", "\ufffd")
        c.equal(child.get("message"), message, "JUnit message of " + name)
    by_name = {case.get("name"): case for case in cases}
    text = by_name["verdicts/fail-escapes"].find("failure").text
    c.check(text.startswith("%s:5\nclause: FX-ESC-1\nexpected: no exception\nactual: ValueError: <&>\"' "
                            "a|b\tc\rd\ufffde\nsecond line\nTraceback (most recent call last):\n"
                            % repo_relative(path_of("fail-escapes"))) and "output:" not in text,
            "JUnit failure text of fail-escapes:\n%s" % text)
    text = by_name["verdicts/big-output"].find("failure").text
    c.check(text.endswith("output:\n<%s\n[... %d bytes left out ...]\n%s>\n\n"
                          % ("x" * 2047, BIG_LEFT_OUT, "x" * 2046)),
            "JUnit failure text of big-output ends with the shortened output")
    c.equal(by_name["verdicts/crash-exit"].find("error").text,
            "%s:9\nclause: set-up\n" % repo_relative(path_of("crash-exit")),
            "JUnit error text of crash-exit")
    c.check(by_name["verdicts/wrong-clause"].find("failure").text.startswith(
        "%s:8\nclause: FX-CLAUSE-2\nexpected: 3 (int)\n" % repo_relative(path_of("wrong-clause"))),
        "JUnit failure text of wrong-clause names the clause charged")
    c.equal(by_name["verdicts/skipped"].find("skipped").text, None, "JUnit skipped text")


def repo_relative(text):
    """What the written reports make of a path: the checkout's root stripped,
    $HOME as ~ (report.h, rpt_scrub)."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
        os.path.dirname(__file__)))))
    text = text.replace(top + "/", "")
    home = os.path.expanduser("~")
    return text.replace(home + "/", "~/") if len(home) > 1 else text


def check_jsonl(c, path, suite):
    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        records = [json.loads(line) for line in raw.split("\n")[:-1]]
    except (OSError, ValueError) as exc:
        c.check(False, "JSON lines report: %s" % exc)
        return
    # One run line first (report.h), then the scenarios.
    run = records.pop(0) if records and records[0].get("type") == "run" else {}
    c.equal(sorted(run), ["date", "impl", "options", "python", "runner", "shard", "suite",
                          "type"], "JSON lines: the run line first")
    c.check(run.get("impl") == "fixture" and run.get("shard") == "1/1" and
            run.get("runner") == "interpcheck 0.1", "JSON lines: the run line's values %r" % run)
    c.equal([rec.get("id") for rec in records], ["verdicts/" + n for n in ORDER],
            "JSON lines: one record per scenario, in plan order")
    c.check("\\t" in raw and "\\r" in raw and "\\u0001" in raw and "\\n" in raw and
            "\\\"" in raw, "JSON lines escape tab, CR, control characters, newline, quote")
    keys = ["id", "impl", "python", "path", "clauses", "level", "verdict", "outcome", "step",
            "line", "seconds", "message", "judged", "expected", "actual", "traceback",
            "expectation",
            "clause", "setup_failed", "clauses_passed", "clauses_failed", "clauses_not_reached"]
    for rec in records:
        name = rec.get("id", "?")[len("verdicts/"):]
        if name not in VERDICTS:
            continue
        level, clauses, verdict, raw_outcome, step, line = VERDICTS[name]
        clause, setup, passed, failed, not_reached = CHARGED[name]
        c.equal(list(rec), keys, "JSON fields of " + name)
        c.check(isinstance(rec.get("seconds"), float) and rec["seconds"] >= 0,
                "JSON seconds of " + name)
        fixed = {k: rec.get(k) for k in keys if k not in ("seconds", "expected", "actual",
                                                         "traceback")}
        c.equal(fixed, {"id": "verdicts/" + name, "impl": "fixture", "python": VERSION,
                        "path": repo_relative(os.path.join(suite, name + ".scn")),
                        "clauses": clauses,
                        "level": level, "verdict": verdict, "outcome": raw_outcome,
                        "step": step, "line": line,
                        "message": RAW_MESSAGES.get(name, MESSAGES[name]),
                        "judged": MESSAGES[name] if name in RAW_MESSAGES else None,
                        "expectation": REASONS.get(name), "clause": clause,
                        "setup_failed": setup, "clauses_passed": passed,
                        "clauses_failed": failed, "clauses_not_reached": not_reached},
                "JSON record of " + name)
    by_name = {rec.get("id"): rec for rec in records}
    rec = by_name.get("verdicts/fail-expect", {})
    c.equal((rec.get("expected"), rec.get("actual"), rec.get("traceback")),
            ("3 (int)", "2 (int)", None), "JSON expected/actual of fail-expect")
    rec = by_name.get("verdicts/fail-escapes", {})
    c.equal((rec.get("expected"), rec.get("actual")), ("no exception", "ValueError: " + ESCAPES),
            "JSON expected/actual of fail-escapes")
    c.check((rec.get("traceback") or "").endswith("ValueError: " + ESCAPES + "\n"),
            "JSON traceback of fail-escapes")


def check_markdown(c, path, r):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
    except OSError as exc:
        c.check(False, "Markdown report: %s" % exc)
        return
    c.equal(lines[:4], ["# interpcheck: fixture", "", "- Python: " + VERSION,
                        "- runner: interpcheck 0.1"], "Markdown heading")
    c.check(re.fullmatch("- date: " + ISO_DATE, lines[4]) is not None, "Markdown date")
    c.equal(lines[5], "- command: `%s`" % repo_relative(" ".join(q(a) for a in r.args)),
            "Markdown command")
    counts = {"PASS": 2, "FAIL": 6, "XFAIL": 2, "XPASS": 1, "SKIP": 1, "TIMEOUT": 0,
              "CRASH": 1, "ERROR": 1}
    c.equal(lines[6:17], ["", "| verdict | count |", "|---|---|"] +
            ["| %s | %d |" % item for item in counts.items()], "Markdown verdict counts")
    causes = (["", "Root causes: the clauses failures are charged to, and set-up failures.", "",
               "| root cause | scenarios stopped |", "|---|---|"] +
              ["| %s | 1 |" % cause for cause in ROOT_CAUSES] + ["| set-up | 1 |"])
    c.equal(lines[17:17 + len(causes)], causes, "Markdown root causes")
    lines = lines[:17] + lines[17 + len(causes):]
    rows = []
    for name in ORDER:
        level, clauses, verdict = VERDICTS[name][:3]
        if verdict == "PASS":
            detail = ""
        elif name in OBSERVED:
            detail = OBSERVED[name]
        else:
            # Plain-text reports spell control characters out as \xNN.
            detail = (MESSAGES[name].replace("\r", "\\x0d").replace("\x01", "\\x01")
                      .replace("|", "\\|").replace("\n", "<br>"))
        rows.append("| `verdicts/%s` | %s | %s | %s | %s |" % (
            name, " ".join(clauses), verdict, charged_text(name) or "", detail))
    c.equal(lines[17:], ["", "| scenario | clauses | verdict | charged to | detail |",
                         "|---|---|---|---|---|"] + rows + [""], "Markdown scenario table")


# ---- python-mode -----------------------------------------------------------------------

def group_python_mode(c):
    root, impls = c.tests, c.path("impls")
    selftest = c.path("selftest-suite")
    jsonl = os.path.join(c.work, "python.jsonl")
    args = ["-v", "--trace", "--python", c.python, "--impl", "pureimpl", "--path", impls,
            "--root", root, "-j", "2", "--jsonl", jsonl, selftest,
            c.path("verdicts", "crash-exit.scn"), c.path("verdicts", "pass.scn")]
    r = c.run(args)
    c.exits(r, 1, "--python with pureimpl")
    prefix = "%s --impl pureimpl --python %s --root %s --path %s %s %s %s" % (
        q(c.runner), q(c.python), q(root), q(impls), q(selftest),
        q(c.path("verdicts", "crash-exit.scn")), q(c.path("verdicts", "pass.scn")))
    found = blocks(r.out)
    missing = "module 'pureimpl' has no attribute 'create_channel'"
    c.equal(found.get("selftest-suite/uses-channel", [])[:7], [
        "FAIL    selftest-suite/uses-channel  [FN-CHCREATE-1]",
        "    at:       %s:8 (step 2)" % c.path("selftest-suite", "uses-channel.scn"),
        "    clause:   FN-CHCREATE-1",
        "    outcome:  FAIL",
        "    message: the body raised AttributeError: " + missing,
        "    expected: no exception",
        "    actual: AttributeError: " + missing], "--python: a FAIL with its details", r)
    c.equal(found.get("selftest-suite/uses-channel", [""])[-1],
            "    rerun:    %s --filter 'selftest-suite/uses-channel' --trace" % prefix,
            "--python: the rerun command keeps --python, --root and --path", r)
    c.equal(without_output(found.get("verdicts/crash-exit", []))[:5], [
        header("crash-exit"),
        "    at:       %s:9 (step 2)" % c.path("verdicts", "crash-exit.scn"),
        "    clause:   set-up (charged to no clause)",
        "    outcome:  CRASH",
        "    message: " + MESSAGES["crash-exit"]], "--python: an exit status is a CRASH", r)
    # What the scenario prints is its output, not a line of the report.
    c.equal(found.get("verdicts/pass"), [header("pass"), "    output:",
                                         "      hello from pass"],
            "--python: the scenario's print() is its output", r)
    c.equal(found.get("selftest-suite/no-channel"),
            ["PASS    selftest-suite/no-channel  [FN-GETMAIN-1]"], "--python: a PASS", r)
    c.check(r.out.endswith("\npureimpl (Python %s): PASS 2 FAIL 1 CRASH 1\n"
                           "root causes: 1 failing clause, 1 set-up failure\n"
                           "  FN-CHCREATE-1  stopped 1 scenario\n"
                           "interpcheck: 2 passed, 2 failed, 0 skipped\n" % VERSION),
            "--python: the summary names the Python the scenarios reported", r)
    c.check("  %s:8: step 2\n" % c.path("selftest-suite", "uses-channel.scn") in r.err,
            "--python: --trace shows the steps", r)
    try:
        with open(jsonl, encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        c.equal(records[0].get("type"), "run", "--python: JSON lines open with the run line")
        records = records[1:]
        c.equal([(rec["id"], rec["verdict"], rec["python"], rec["impl"]) for rec in records],
                [("selftest-suite/no-channel", "PASS", VERSION, "pureimpl"),
                 ("selftest-suite/uses-channel", "FAIL", VERSION, "pureimpl"),
                 ("verdicts/crash-exit", "CRASH", VERSION, "pureimpl"),
                 ("verdicts/pass", "PASS", VERSION, "pureimpl")], "--python: JSON lines")
    except (OSError, ValueError, KeyError) as exc:
        c.check(False, "--python: JSON lines report: %s" % exc)

    # The whole suite (no PATH) with a "Python" that passes the runner's checks before
    # the run (the executor's --version, the import check) and then reports nothing:
    # every scenario is a CRASH, the SKIP entry's is not run, and the stale entry is
    # an input error.
    listed = c.run(["list"])
    c.exits(listed, 0, "list of the whole suite")
    ids = [line.split()[0] for line in listed.out.split("\n") if line]
    if not c.check(len(ids) > 10, "the suite has scenarios", listed):
        return
    stale = c.write("stale.txt", "# fixture\n%s  SKIP  X-1  | observed: o | reason: r\n"
                    "suite/no-such-area/no-such-scenario  FAIL  X-1  | observed: o | "
                    "reason: r\n" % ids[0])
    silent = c.write("silent-python", "#!/bin/sh\n"
                     "case \" $* \" in *\" --version \"*) echo 'interpcheck-executor 1'; "
                     "exit 0;; esac\n"
                     "case \"$(cat)\" in *'\"interpcheck-probe\"'*)\n"
                     "    printf 'interpcheck-report 1\\nverdict PASS -1 0\\nend\\n';;\n"
                     "esac\nexit 0\n")
    os.chmod(silent, 0o755)
    r = c.run(["--python", silent, "--expect", stale, "-j", "2"])
    c.exits(r, 2, "whole suite with a stale entry")
    c.equal(r.err, "%s:3: no scenario suite/no-such-area/no-such-scenario in this suite "
            "(stale entry)\n" % stale, "the stale entry is named by file and line", r)
    crashes = [block for block in blocks(r.out).values() if block[0].startswith("CRASH ")]
    c.equal(len(crashes), len(ids) - 1, "every scenario but the SKIP one ran and crashed", r)
    c.check(all("    message: the process exited with status 0 before completing its report"
                in block for block in crashes), "a missing report is a CRASH", r)
    # No step ever started: every CRASH is a set-up failure, charged to no clause.
    c.check(r.out.endswith("\ninterpref (Python ?): SKIP 1 CRASH %d\nroot causes: 0 failing "
                           "clauses, %d set-up failures\ninterpcheck: 0 passed, %d "
                           "failed, 1 skipped\n" % (len(ids) - 1, len(ids) - 1, len(ids) - 1)),
            "summary of the whole suite", r)


# ---- subcommands -----------------------------------------------------------------------

def group_subcommands(c):
    root, suite = c.tests, c.path("verdicts")

    def listing(names):
        return "".join("verdicts/%s  %s  %s\n" % (n, VERDICTS[n][0], " ".join(VERDICTS[n][1]))
                       for n in names)

    r = c.run(["list", "--root", root, suite])
    c.exits(r, 0, "list")
    c.equal(r.out, listing(ORDER), "list: id, level and clauses of every scenario", r)
    selections = [
        (["--level", "IMPL", "--level", "MAY"],
         ["crash-exit", "skipped", "xfail-either", "xfail", "xpass"]),
        (["--without-feature", "threads"], [n for n in ORDER if n != "crash-exit"]),
        (["--feature", "subinterpreter"], ["pass"]),
        (["--feature", "threads", "--feature", "subinterpreter"], []),
        (["--clause", "FX-SHARED-*"], ["fail-escapes", "pass"]),
        (["--clause", "FX-XFAIL-1", "--clause", "FX-XPASS-1"], ["xfail", "xpass"]),
        (["--filter", "verdicts/x*", "--filter", "verdicts/pass"],
         ["pass", "xfail-either", "xfail", "xpass"]),
        (["--shard", "1/3"], ORDER[0::3]),
        (["--shard", "3/3"], ORDER[2::3]),
        (["--level", "MAY", "--shard", "2/2"], ["xfail-either", "xpass"]),
    ]
    for args, names in selections:
        r = c.run(["list", "--root", root] + args + [suite])
        c.exits(r, 0, "list " + " ".join(args))
        c.equal(r.out, listing(names), "list " + " ".join(args), r)
    # A file named directly; outside the root, its id is its path without .scn.
    scenario = c.path("verdicts", "pass.scn")
    r = c.run(["list", scenario])
    c.equal(r.out, "%s  MUST  FX-PASS-1 FX-SHARED-1\n" % scenario[:-4], "list of one file", r)

    # Broken scenario files: each error by file:line:col, the others still listed and run.
    broken = c.path("broken")
    errors = "".join("%s/%s\n" % (broken, line) for line in BROKEN)
    r = c.run(["list", "--root", root, broken, scenario])
    c.exits(r, 2, "list with broken files")
    c.equal(r.err, errors, "list: every parse error, by file:line:col", r)
    c.equal(r.out, listing(["pass"]), "list: the good scenario is still listed", r)
    r = c.run(["--root", root, broken, scenario])
    c.exits(r, 2, "run with broken files")
    c.equal(r.err, errors + "interpcheck: 4 scenario file(s) did not parse\n",
            "run: every parse error, and their count", r)
    c.equal(r.out, "\ninterpref (Python %s): PASS 1\ninterpcheck: 1 passed, 0 failed, "
            "0 skipped\n" % VERSION, "run: the good scenario still runs", r)

    # coverage, over the fixture specification coverage/spec.md.
    spec = c.path("coverage", "spec.md")
    counts = "clauses: 5 (MUST/SHOULD 3), cited by the %d scenarios: 2; MUST/SHOULD not cited: 2\n"
    uncovered = "uncovered MUST   CV-TWO-1\nuncovered SHOULD CV-THREE-1\n"
    r = c.run(["coverage", "--spec", spec, c.path("coverage", "suite")])
    c.exits(r, 1, "coverage with uncited clauses")
    c.equal(r.out, uncovered + counts % 2, "coverage: uncited MUST/SHOULD clauses", r)
    undefined = c.path("coverage", "undefined")
    r = c.run(["coverage", "--spec", spec, c.path("coverage", "suite"), undefined])
    c.exits(r, 2, "coverage with an undefined clause")
    c.equal(r.out, "%s/cites-undefined.scn: cites CV-NINE-1, which %s does not define\n"
            % (undefined, spec) + uncovered + counts % 3, "coverage: an undefined clause", r)
    r = c.run(["coverage", "--spec", spec, broken])
    c.exits(r, 2, "coverage of broken files")
    c.equal(r.err, errors, "coverage: parse errors", r)
    missing = os.path.join(c.work, "SPEC.md")
    r = c.run(["coverage", "--spec", missing, c.path("coverage", "suite")])
    c.exits(r, 2, "coverage without its spec")
    c.equal(r.err, "interpcheck: %s: No such file or directory\n" % missing,
            "coverage: missing spec", r)

    # diff: its errors, then the reference against pureimpl through --python.
    one = ["--root", root, scenario]
    r = c.run(["diff", "--target", "a=interpref"] + one)
    c.exits(r, 2, "diff with one target")
    c.equal(r.err, "interpcheck: diff needs two or more --target LABEL=IMPL[@PYTHONCMD]\n",
            "diff with one target", r)
    for targets, bad in [(["noequals", "b=interpref"], "noequals"),
                         (["=interpref", "b=interpref"], "=interpref"),
                         (["a=interpref", "b="], "b=")]:
        r = c.run(["diff", "--target", targets[0], "--target", targets[1]] + one)
        c.exits(r, 2, "diff --target " + bad)
        c.check(r.err.endswith("interpcheck: --target takes LABEL=IMPL[@PYTHONCMD], not '%s'\n"
                               % bad), "diff: a malformed --target " + bad, r)
        c.equal(r.out, "", "diff --target %s: no diff printed" % bad, r)
    r = c.run(["diff", "--target", "a=no_such_module", "--target", "b=interpref"] + one)
    c.exits(r, 2, "diff with an implementation that does not import")
    c.check(r.err.startswith("interpcheck: cannot import the implementation 'no_such_module': "
                             "ModuleNotFoundError: "), "diff: the import error", r)
    r = c.run(["diff", "--target", "a=interpref", "--target", "b=interpref"] + one)
    c.exits(r, 0, "diff of the reference with itself")
    c.equal(r.out, "\ninterpcheck diff: 0 of 1 scenarios disagree across 2 implementations\n",
            "diff: no disagreement", r)
    selftest = c.path("selftest-suite")
    r = c.run(["diff", "--target", "ref=interpref",
               "--target", "pure=pureimpl@" + c.python, "--path", c.path("impls"),
               "--root", root, selftest, scenario, c.path("verdicts", "fail-escapes.scn")])
    c.exits(r, 1, "diff of in-process and --python targets")
    c.equal(r.out, "FN-CHCREATE-1\n  selftest-suite/uses-channel\n"
            "    %-12s %-7s %s\n    %-12s %-7s %s\n\n"
            "interpcheck diff: 1 of 4 scenarios disagree across 2 implementations\n"
            % ("ref", "PASS", "", "pure", "FAIL", "the body raised AttributeError: module "
               "'pureimpl' has no attribute 'create_channel'"),
            "diff: only the disagreeing scenario, under its clause", r)
    c.equal(r.err, "interpcheck: ran 4 scenarios on ref\ninterpcheck: ran 4 scenarios on pure\n",
            "diff: what ran", r)


# ---- interrupt -------------------------------------------------------------------------

def group_interrupt(c):
    # hanging.py never returns from create_channel(): step 2 of uses-channel.
    hangs = c.path("selftest-suite", "uses-channel.scn")
    # -j 1: no-channel finishes before uses-channel starts (the default -j runs both at once).
    argv = [c.runner, "-j", "1", "--trace", "--impl", "hanging", "--path", c.path("impls"),
            "--root", c.tests, c.path("selftest-suite")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = []
    for raw in proc.stderr:
        seen.append(raw.decode("utf-8", "replace"))
        if seen[-1] == "  %s:8: step 2\n" % hangs:
            break
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.monotonic() - started
    r = Result(argv, proc.returncode, out.decode("utf-8", "replace"),
               "".join(seen) + err.decode("utf-8", "replace"))
    c.exits(r, 2, "Ctrl-C")
    c.check(r.err.endswith("  %s:8: step 2\ninterpcheck: interrupted\n" % hangs),
            "Ctrl-C: the runner says it was interrupted", r)
    c.equal(r.out, "PASS    selftest-suite/no-channel  [FN-GETMAIN-1]\n",
            "Ctrl-C: no summary after the scenario that had finished", r)
    # The scenario's deadline is 20 s: stopping well before it means the
    # runner did not wait for it (the hanging child was killed).
    c.check(seconds < 10, "Ctrl-C stops the run at once (took %.1f s)" % seconds, r)


GROUPS = {"options": group_options, "reporters": group_reporters,
          "python-mode": group_python_mode, "subcommands": group_subcommands,
          "interrupt": group_interrupt}


def main(argv):
    args = list(argv)
    if not args or args[0] not in GROUPS:
        sys.stderr.write("usage: check_runner.py {%s} --runner PATH --python PATH --tests DIR\n"
                         % ",".join(GROUPS))
        return 2
    group = args.pop(0)
    named = dict(zip(args[0::2], args[1::2]))
    # The runner's live progress lines (off a terminal, one every 10 s) would
    # land in the exact stderr these checks compare: off for them
    # (check_scale.py checks the lines).
    os.environ["INTERPCHECK_PROGRESS_SECONDS"] = "1000000"
    c = Checker(os.path.abspath(named["--runner"]), named["--python"],
                os.path.abspath(named["--tests"]))
    try:
        GROUPS[group](c)
    finally:
        shutil.rmtree(c.work, ignore_errors=True)
    if c.failures:
        print("\n%d check(s) failed in group %s" % (len(c.failures), group))
        return 1
    print("group %s: every check passed" % group)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

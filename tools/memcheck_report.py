"""Count what valgrind found in the per-process logs of a memcheck run and
write the Markdown report (reports/memcheck.md); used by tools/memcheck.

    python3 tools/memcheck_report.py --logs DIR --out FILE.md
        [--command "how the run was made"] [--seconds N] [--ctest-status N]
        [--ctest-log FILE] [--suppressions FILE]

DIR holds one log per process, <test name>.<pid>.log (cmake/Memcheck.cmake
names them).  For each log: the errors valgrind counted (ERROR SUMMARY, which
includes "definitely lost" blocks, --errors-for-leak-kinds=definite), the
errors suppressed, the definitely lost bytes and blocks, and whether the
log is complete (a process killed by a signal, e.g. at a scenario's
deadline, never writes its summary).  The report sums them per test, lists
every unsuppressed error with its first frames, and counts how often each
suppression was used (the `used_suppression` lines of valgrind -s).

Exit status: 0 when there is no error, no definitely lost block, no
incomplete log, and ctest passed (--ctest-status 0); 1 otherwise; 2 when
there are no logs at all.  Standard library only.
"""

import argparse
import collections
import datetime
import glob
import os
import re
import sys

PID = r"==(\d+)=="
ERROR_SUMMARY = re.compile(PID + r" ERROR SUMMARY: ([\d,]+) errors from [\d,]+ contexts? "
                           r"\(suppressed: ([\d,]+) from [\d,]+\)")
DEFINITELY = re.compile(PID + r"\s+definitely lost: ([\d,]+) bytes in ([\d,]+) blocks")
COMMAND = re.compile(PID + r" Command: (.*)")
PARENT = re.compile(PID + r" Parent PID: (\d+)")
# The first line of an error: "==N== Invalid read of size 4", "==N== 24 bytes
# in 1 blocks are definitely lost in loss record ...", ...
ERROR_HEAD = re.compile(PID + r" (?!\s)(?!HEAP SUMMARY|LEAK SUMMARY|ERROR SUMMARY|"
                        r"Memcheck,|Copyright|Using Valgrind|Command:|Parent PID:|"
                        r"For lists|For counts|Use --track|To see them|Reachable blocks|"
                        r"Rerun with|in use at exit|total heap usage|All heap blocks|"
                        r"Warning:|WARNING:|by 0x|at 0x)(.+)")
FRAME = re.compile(PID + r"\s+(?:at|by) 0x[0-9A-Fa-f]+: (.+)")
SIGNAL = re.compile(PID + r" Process terminating with default action of signal (\d+)")
LOSS_RECORD = re.compile(r"are definitely lost in loss record")
USED_SUPP = re.compile(r"--\d+-- used_suppression:\s+(\d+) (.+) (\S+):\d+"
                       r"(?: suppressed: [\d,]+ bytes in [\d,]+ blocks)?$")


def number(text):
    return int(text.replace(",", ""))


def parse_log(path):
    """One process: its test, command, counts, and unsuppressed errors."""
    name = os.path.basename(path)
    test = re.sub(r"\.\d+\.log$", "", name)
    info = {"test": test, "file": name, "command": "", "child": False,
            "errors": 0, "suppressed": 0, "def_bytes": 0, "def_blocks": 0,
            "complete": False, "reports": [], "used": collections.Counter()}
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = ERROR_SUMMARY.match(line)
        if m:
            info["errors"] = number(m.group(2))
            info["suppressed"] = number(m.group(3))
            info["complete"] = True
        elif DEFINITELY.match(line):
            m = DEFINITELY.match(line)
            info["def_bytes"] = number(m.group(2))
            info["def_blocks"] = number(m.group(3))
        elif COMMAND.match(line):
            info["command"] = COMMAND.match(line).group(2)
        elif SIGNAL.match(line):
            info["signal"] = int(SIGNAL.match(line).group(2))
        elif PARENT.match(line):
            info["parent"] = PARENT.match(line).group(2)
        elif USED_SUPP.match(line):
            m = USED_SUPP.match(line)
            info["used"][m.group(2)] += number(m.group(1))
        else:
            m = ERROR_HEAD.match(line)
            # An error is a head line directly followed by its stack.
            if m and i + 1 < len(lines) and FRAME.match(lines[i + 1]):
                frames = []
                j = i + 1
                while j < len(lines) and FRAME.match(lines[j]) and len(frames) < 8:
                    frames.append(FRAME.match(lines[j]).group(2))
                    j += 1
                report = (m.group(2).strip(), frames)
                # -s lists every error a second time at the end.
                if report not in info["reports"]:
                    info["reports"].append(report)
        i += 1
    if info.get("signal"):
        # Killed by a signal: the process ran none of its clean-up, so what
        # it still held is no evidence of a leak.  Other errors still count.
        leaks = sum(1 for head, _ in info["reports"] if LOSS_RECORD.search(head))
        info["errors"] -= min(leaks, info["errors"])
        info["sig_bytes"], info["sig_blocks"] = info["def_bytes"], info["def_blocks"]
        info["def_bytes"] = info["def_blocks"] = 0
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--logs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="tools/memcheck")
    ap.add_argument("--seconds", type=int, default=None)
    ap.add_argument("--ctest-status", type=int, default=0)
    ap.add_argument("--ctest-log", default=None)
    ap.add_argument("--suppressions", default=None)
    args = ap.parse_args()

    paths = sorted(glob.glob(os.path.join(args.logs, "*.log")))
    if not paths:
        print("memcheck_report: no valgrind logs in %s" % args.logs, file=sys.stderr)
        return 2
    procs = [parse_log(p) for p in paths]
    by_pid = {re.search(r"\.(\d+)\.log$", p["file"]).group(1): p for p in procs}
    for p in procs:
        # Started by a process we logged: forked (the runner's scenario
        # children: same command) or exec'd (a fresh interpreter).
        parent = by_pid.get(p.get("parent"))
        p["child"] = "" if parent is None else (
            "forked child" if parent["command"] == p["command"] else "started by pid %s" % p["parent"])

    per_test = collections.OrderedDict()
    for p in procs:
        t = per_test.setdefault(p["test"], collections.Counter())
        t["processes"] += 1
        t["errors"] += p["errors"]
        t["suppressed"] += p["suppressed"]
        t["def_bytes"] += p["def_bytes"]
        t["def_blocks"] += p["def_blocks"]
        t["incomplete"] += 0 if p["complete"] else 1
        t["signalled"] += 1 if p.get("signal") else 0
        t["sig_blocks"] += p.get("sig_blocks", 0)
    total = collections.Counter()
    for t in per_test.values():
        total.update(t)
    used = collections.Counter()
    for p in procs:
        used.update(p["used"])

    failed_tests = []
    if args.ctest_log and os.path.exists(args.ctest_log):
        with open(args.ctest_log, errors="replace") as f:
            for line in f:
                m = re.match(r"\s*\d+ - (\S+) \((.+)\)", line)
                if m:
                    failed_tests.append("%s (%s)" % (m.group(1), m.group(2)))

    ok = (total["errors"] == 0 and total["def_blocks"] == 0 and total["incomplete"] == 0
          and args.ctest_status == 0)
    out = []
    w = out.append
    w("# Memcheck (valgrind)")
    w("")
    w("Written by `%s` on %s." % (args.command,
      datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    if args.seconds is not None:
        w("The run took %d min %02d s." % divmod(args.seconds, 60))
    if args.suppressions:
        w("Suppressions: `%s`." % os.path.relpath(args.suppressions))
    w("")
    w("Verdict: **%s**: %d errors, %d bytes definitely lost in %d blocks, "
      "%d incomplete logs, ctest exit %d (%d processes, %d errors suppressed)."
      % ("passed" if ok else "FAILED", total["errors"], total["def_bytes"],
         total["def_blocks"], total["incomplete"], args.ctest_status, total["processes"],
         total["suppressed"]))
    w("")
    w("| test | processes | errors | definitely lost (bytes / blocks) | incomplete logs "
      "| killed by a signal (blocks held, not counted) | errors suppressed |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = list(per_test.items()) + [("**total**", total)]
    for name, t in rows:
        w("| %s | %d | %d | %d / %d | %d | %d (%d) | %d |" % (name, t["processes"], t["errors"],
          t["def_bytes"], t["def_blocks"], t["incomplete"], t["signalled"], t["sig_blocks"],
          t["suppressed"]))
    w("")
    w("Errors are valgrind's own count (ERROR SUMMARY), definitely lost blocks "
      "included (--errors-for-leak-kinds=definite).  A process killed by a signal "
      "(for instance a Fatal Python error's abort()) ran none of its clean-up: "
      "what it still held is listed below but not counted as lost.")
    w("")
    if failed_tests:
        w("Tests that failed under valgrind:")
        w("")
        for t in failed_tests:
            w("- %s" % t)
        w("")
    bad = [p for p in procs
           if p["errors"] or p["def_blocks"] or not p["complete"] or p.get("signal")]
    if bad:
        w("## Processes with errors, incomplete logs or killed by a signal")
        w("")
        for p in bad:
            notes = []
            if not p["complete"]:
                notes.append("incomplete: no summary")
            if p.get("signal"):
                notes.append("killed by signal %d" % p["signal"])
            w("### %s%s" % (p["file"], " (%s)" % ", ".join(notes) if notes else ""))
            w("")
            w("`%s`%s: %d errors, %d bytes in %d blocks definitely lost%s" % (
              p["command"][:200], " (%s)" % p["child"] if p["child"] else "", p["errors"],
              p["def_bytes"], p["def_blocks"],
              "; %d bytes in %d blocks held at the signal" % (p["sig_bytes"], p["sig_blocks"])
              if p.get("signal") else ""))
            w("")
            for head, frames in p["reports"][:20]:
                w("- %s" % head)
                for fr in frames[:6]:
                    w("  - `%s`" % fr)
            w("")
    if used:
        w("## Suppressions used")
        w("")
        w("| count | suppression |")
        w("| ---: | --- |")
        for name, n in used.most_common():
            w("| %d | %s |" % (n, name))
        w("")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    print("memcheck: %d processes, %d errors, %d bytes in %d blocks definitely lost, "
          "%d incomplete logs, %d errors suppressed; ctest exit %d: %s"
          % (total["processes"], total["errors"], total["def_bytes"], total["def_blocks"],
             total["incomplete"], total["suppressed"], args.ctest_status,
             "passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

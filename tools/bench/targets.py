"""tools/bench/targets.py: the runner's speed targets, measured side by side
with another commit (bench.py --only targets [--baseline REV]).

Three measurements per source tree, each one process started as a user
would start it, timed on the wall clock, with the CPU time of everything it
started (RUSAGE_CHILDREN):

  suite    the suite against the reference with default options
           (`interpcheck --jsonl FILE`); its floor is the larger of CPU time /
           usable cores and the longest scenario (from the JSON lines), the
           best any schedule could do with that work; target: wall <= 1.25 x
           floor
  cpython  one CPython run with default options: pyenv's 3.12 through
           --python, judged by its expectation file; target: <= 60 s
  matrix   `tools/matrix --no-chroots` (reference and CPython 3.10-3.14,
           each with its adapter smoke check; the chroots must exist
           already); target: <= 5 minutes

The current tree is measured as committed (a detached worktree of HEAD), so
uncommitted edits cannot change the numbers and the matrix writes into the
worktree's reports/, not this one's; the baseline likewise at REV.  Each worktree gets its own release
build.  The raw outcomes of the two matrices are compared scenario by
scenario: a speed change must not change a verdict.
"""

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time

TARGET_SUITE_RATIO = 1.25
TARGET_CPYTHON_SECONDS = 60.0
TARGET_MATRIX_SECONDS = 300.0


def _git(root, *args):
    return subprocess.run(["git"] + list(args), cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def _timed(cmd, cwd, log):
    """Run cmd in cwd, its output to log: (wall s, CPU s of its children, status)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log, "w") as out:
        status = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, status


def _records(path):
    with open(path, encoding="utf-8") as f:
        return [r for r in (json.loads(line) for line in f if line.strip()) if "id" in r]


def _build(tree, log):
    for cmd in (["cmake", "--preset", "release"], ["cmake", "--build", "build/release", "-j2"]):
        if _timed(cmd, tree, log)[2] != 0:
            raise RuntimeError("build failed in %s (log: %s)" % (tree, log))


def measure_tree(tree, python312, work, log):
    """The three measurements in one worktree; work is a scratch folder."""
    runner = os.path.join(tree, "build", "release", "tools", "interpcheck", "interpcheck")
    cores = len(os.sched_getaffinity(0))
    out = {"commit": _git(tree, "rev-parse", "--short", "HEAD"), "cores": cores}
    log("  suite against the reference, default options")
    jsonl = os.path.join(work, "suite.jsonl")
    wall, cpu, status = _timed([runner, "--jsonl", jsonl], tree, os.path.join(work, "suite.txt"))
    longest = max(r["seconds"] for r in _records(jsonl))
    out["suite"] = {"wall": wall, "cpu": cpu, "status": status, "longest": longest,
                    "floor": max(cpu / cores, longest), "cmd": "interpcheck --jsonl FILE"}
    log("  CPython 3.12 (%s), default options" % python312)
    cmd = [runner, "--impl", "cpython311", "--python", python312, "--expect",
           "conformance/expectations/cpython-3.12.txt"]
    wall, cpu, status = _timed(cmd, tree, os.path.join(work, "cpython.txt"))
    out["cpython"] = {"wall": wall, "cpu": cpu, "status": status,
                      "cmd": "interpcheck --impl cpython311 --python %s --expect "
                             "conformance/expectations/cpython-3.12.txt" % python312}
    log("  tools/matrix")
    reports = os.path.join(tree, "reports")
    wall, cpu, status = _timed(["tools/matrix", "--no-chroots"], tree,
                               os.path.join(work, "matrix.txt"))
    outcomes = {}
    for name in sorted(os.listdir(os.path.join(reports, "matrix"))):
        if name.endswith(".jsonl"):
            label = name[:-len(".jsonl")]
            for r in _records(os.path.join(reports, "matrix", name)):
                outcomes["%s %s" % (label, r["id"])] = r["outcome"]
    out["matrix"] = {"wall": wall, "cpu": cpu, "status": status, "cmd": "tools/matrix",
                     "runs": sorted({k.split()[0] for k in outcomes})}
    out["outcomes"] = outcomes
    return out


def run(root, baseline, python312, log):
    """{"current": ..., "baseline": ... (when given), "changed": [...]}."""
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "python312": python312}
    scratch = tempfile.mkdtemp(prefix="interpcheck-targets-")
    trees = [("current", "HEAD")] + ([("baseline", baseline)] if baseline else [])
    try:
        for key, rev in trees:
            tree = os.path.join(scratch, key)
            _git(root, "worktree", "add", "--detach", tree, rev)
            try:
                work = os.path.join(scratch, key + "-work")
                os.makedirs(work)
                log("targets: %s (%s): building" % (key, rev))
                _build(tree, os.path.join(work, "build.txt"))
                results[key] = measure_tree(tree, python312, work, log)
            finally:
                _git(root, "worktree", "remove", "--force", tree)
        if baseline:
            now, then = results["current"]["outcomes"], results["baseline"]["outcomes"]
            results["changed"] = sorted("%s: %s -> %s" % (k, then[k], now[k])
                                        for k in now if k in then and now[k] != then[k])
            results["compared"] = sum(1 for k in now if k in then)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def goals(t):
    """The goal rows of report.py for results["targets"] (t)."""
    rows = []
    cur = t.get("current")
    if not cur:
        return rows
    s = cur["suite"]
    rows.append({"id": "target-suite", "met": s["wall"] <= TARGET_SUITE_RATIO * s["floor"],
                 "text": "suite against the reference, default options, within %.2fx of its "
                         "floor (max of CPU / %d cores and the longest scenario)"
                         % (TARGET_SUITE_RATIO, cur["cores"]),
                 "measured": "%.1f s wall; floor %.1f s (CPU %.1f s, longest %.1f s): %.2fx"
                             % (s["wall"], s["floor"], s["cpu"], s["longest"],
                                s["wall"] / s["floor"]),
                 "target": "<= %.2fx" % TARGET_SUITE_RATIO})
    c = cur["cpython"]
    rows.append({"id": "target-cpython", "met": c["wall"] <= TARGET_CPYTHON_SECONDS,
                 "text": "one CPython run (3.12 through --python, default options)",
                 "measured": "%.1f s (exit %d)" % (c["wall"], c["status"]),
                 "target": "<= %.0f s" % TARGET_CPYTHON_SECONDS})
    m = cur["matrix"]
    rows.append({"id": "target-matrix", "met": m["wall"] <= TARGET_MATRIX_SECONDS,
                 "text": "the whole matrix (%s)" % ", ".join(m["runs"]),
                 "measured": "%.0f s" % m["wall"],
                 "target": "<= %.0f s" % TARGET_MATRIX_SECONDS})
    if "changed" in t:
        rows.append({"id": "target-verdicts", "met": not t["changed"],
                     "text": "no raw outcome changed against %s (matrix, scenario by scenario)"
                             % t["baseline"]["commit"],
                     "measured": "%d of %d differ" % (len(t["changed"]), t["compared"]),
                     "target": "0"})
    return rows

"""tools/bench/bench.py: every benchmark of interpcheck, side by side with
CPython, in one run; writes reports/performance.md, the plots under
reports/performance/ and the raw numbers (reports/performance/results.json).

Started by tools/bench/run (which builds the trees first); standard library
only.  Every Python is called with -I -S (a .pth in some site-packages makes
subinterpreter teardown hang).

The machine may be shared: each measurement is repeated --reps times, the
implementations compared with each other alternate within each repetition
(the order rotates), and the report gives the median over repetitions, the
load average seen during the run, and for CPU-bound measurements the CPU
time next to the wall time.

What is measured (details in tools/bench/README.md):
  handoff    blocking send() -> recv() latency, p50/p99: interpref vs
             CPython 3.11 test.support.interpreters, interpref vs CPython
             3.13 test.support.interpreters.channels, queue.Queue as floor
  pairs      send_nowait()+recv_nowait() pairs per second: interpref vs
             CPython's high-level and low-level functions
  lifecycle  create()+close() per second: interpref vs CPython's low-level
             create/destroy (and its high-level module)
  runner     interpcheck: the suite at -j 1 / -j 2, a 200-scenario subset at
             -j 2, the cost per scenario (empty scenarios) in process and
             with --python, python startup (hyperfine)
  targets    the runner's speed targets (targets.py): the suite against the
             reference with default options against its floor, one CPython run,
             the whole matrix; with --baseline REV side by side with REV.
             Not in the default set (it builds two worktrees and runs two
             matrices); `--only targets` measures it alone and keeps the
             other sections of the last results.json
  fuzz       exec/s, read from reports/fuzz/ when the fuzz work wrote it
"""

import argparse
import glob
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
API = os.path.join(HERE, "api_bench.py")

LOADS = []   # (when, 1-minute load average) sampled before each measurement


def log(text):
    sys.stderr.write("bench: %s\n" % text)
    sys.stderr.flush()


def sample_load(what):
    LOADS.append((what, os.getloadavg()[0]))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(math.ceil(p / 100.0 * len(ordered))))
    return ordered[rank - 1]


def rotate(items, by):
    by %= max(1, len(items))
    return items[by:] + items[:by]


# ---- configuration ---------------------------------------------------------


def python_groups(opts):
    """The two comparisons: (label, python, build tree) with the same Python on both sides."""
    groups = []
    for label, python, build in (("3.11", opts.py311, opts.build311),
                                 ("3.13", opts.py313, opts.build313)):
        moddir = os.path.join(ROOT, build, "python")
        if not os.path.exists(python):
            log("skipping %s: no %s" % (label, python))
            continue
        if not glob.glob(os.path.join(moddir, "interpref*.so")):
            log("skipping %s: no interpref module in %s" % (label, moddir))
            continue
        groups.append({"label": label, "python": python, "build": build, "moddir": moddir})
    return groups


def api(group, *args, timeout=900):
    cmd = [group["python"], "-I", "-S", "-B", API] + [str(a) for a in args] + \
          ["--build-dir", group["moddir"]]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                    proc.stderr.strip()[-2000:]))
    return json.loads(proc.stdout)


def shown_cmd(group, *args):
    rel = os.path.relpath(API, ROOT)
    return "%s -I -S -B %s %s --build-dir %s/python" % (
        group["python"], rel, " ".join(str(a) for a in args), group["build"])


# ---- 1. handoff latency ----------------------------------------------------

IMPL_NAMES = {
    "ref": "interpref",
    "cpython": "CPython high-level",
    "cpython-ll": "CPython low-level",
    "queue": "queue.Queue (floor)",
}


def handoff_cases(group, opts):
    quick = opts.quick
    rounds = 300 if quick else opts.rounds
    fast = "0.5,1.5"      # blocking receivers: only needs them blocked again
    slow = "0.5,10.5"     # polling receivers: meet the 10 ms poll at a random phase
    cases = []
    for where in ("same", "cross"):
        cases.append(dict(impl="ref", where=where, rounds=rounds, warmup=20, pause=fast))
    if group["label"] == "3.11":
        # send() sleeps 2 s after every send (CPython 3.11's own comment: "we fake it").
        n = 3 if quick else opts.rounds_cpython311
        for where in ("same", "cross"):
            cases.append(dict(impl="cpython", where=where, rounds=n, warmup=1, pause=slow))
    else:
        n = 100 if quick else opts.rounds_cpython313
        for where in ("same", "cross"):
            cases.append(dict(impl="cpython", where=where, rounds=n, warmup=5, pause=slow))
        # Control: interpref paced like the polling receiver, to show the pause does not matter.
        cases.append(dict(impl="ref", where="same", rounds=n, warmup=5, pause=slow,
                          control=True))
    cases.append(dict(impl="queue", where="same", rounds=rounds, warmup=20, pause=fast))
    for case in cases:
        case["group"] = group["label"]
        case["key"] = "%s/%s/%s%s" % (group["label"], case["impl"], case["where"],
                                      "/slow-pace" if case.get("control") else "")
    return cases


def run_handoff(groups, opts, results):
    plan = [(g, c) for g in groups for c in handoff_cases(g, opts)]
    per_case = {c["key"]: {"case": c, "reps": [], "recv": [], "send": []} for _, c in plan}
    for rep in range(opts.reps):
        for group, case in rotate(plan, rep):
            sample_load("handoff " + case["key"])
            args = ["handoff", "--impl", case["impl"], "--where", case["where"],
                    "--rounds", case["rounds"], "--warmup", case["warmup"],
                    "--pause", case["pause"], "--seed", rep + 1]
            log("handoff %s rep %d/%d" % (case["key"], rep + 1, opts.reps))
            out = api(group, *args)
            slot = per_case[case["key"]]
            slot["cmd"] = shown_cmd(group, *args)
            slot["reps"].append({
                "recv_p50": percentile(out["recv_ns"], 50), "recv_p99": percentile(out["recv_ns"], 99),
                "send_p50": percentile(out["send_ns"], 50), "send_p99": percentile(out["send_ns"], 99),
            })
            slot["recv"].extend(out["recv_ns"])
            slot["send"].extend(out["send_ns"])
    summary = {}
    for key, slot in per_case.items():
        reps = slot["reps"]
        summary[key] = {
            "case": slot["case"], "cmd": slot.get("cmd"),
            "recv_p50": median([r["recv_p50"] for r in reps]),
            "recv_p99": median([r["recv_p99"] for r in reps]),
            "send_p50": median([r["send_p50"] for r in reps]),
            "send_p99": median([r["send_p99"] for r in reps]),
            "reps": reps, "samples": len(slot["recv"]),
            "recv_ns": slot["recv"], "send_ns": slot["send"],
        }
    results["handoff"] = summary


# ---- 2. non-blocking pairs -------------------------------------------------


def run_pairs(groups, opts, results):
    n = 20000 if opts.quick else opts.pairs_n
    plan = [(g, impl, where) for g in groups for where in ("same", "cross")
            for impl in ("ref", "cpython-ll", "cpython")]
    per = {}
    for rep in range(opts.reps):
        for group, impl, where in rotate(plan, rep):
            key = "%s/%s/%s" % (group["label"], impl, where)
            sample_load("pairs " + key)
            args = ["pairs", "--impl", impl, "--where", where, "--n", n, "--inner", 3]
            log("pairs %s rep %d/%d" % (key, rep + 1, opts.reps))
            out = api(group, *args)
            slot = per.setdefault(key, {"group": group["label"], "impl": impl, "where": where,
                                        "wall": [], "cpu": [], "empty": [], "n": n})
            slot["cmd"] = shown_cmd(group, *args)
            slot["wall"].append(median(out["seconds"]))
            slot["cpu"].append(median(out["cpu_seconds"]))
            slot["empty"].append(median(out["empty_cpu_seconds"]))
    for slot in per.values():
        slot["rate_wall"] = slot["n"] / median(slot["wall"])
        slot["rate_cpu"] = slot["n"] / median(slot["cpu"])
        slot["rate_wall_reps"] = [slot["n"] / w for w in slot["wall"]]
        slot["rate_cpu_reps"] = [slot["n"] / c for c in slot["cpu"]]
        slot["empty_ns"] = median(slot["empty"]) / slot["n"] * 1e9
    results["pairs"] = per


# ---- 3. interpreter lifecycle ----------------------------------------------


def run_lifecycle(groups, opts, results):
    plan = []
    for g in groups:
        for isolated in (1, 0):
            for impl in ("ref", "cpython-ll", "cpython"):
                if impl == "cpython" and g["label"] == "3.13" and not isolated:
                    continue   # 3.13's high-level create() has no non-isolated form
                plan.append((g, impl, isolated))
    per = {}
    for rep in range(opts.reps):
        for group, impl, isolated in rotate(plan, rep):
            key = "%s/%s/%s" % (group["label"], impl, "isolated" if isolated else "shared")
            n = (5 if opts.quick else 100) if group["label"] == "3.11" else \
                (3 if opts.quick else 40)
            sample_load("lifecycle " + key)
            args = ["lifecycle", "--impl", impl, "--isolated", isolated, "--n", n, "--inner", 3]
            log("lifecycle %s rep %d/%d" % (key, rep + 1, opts.reps))
            out = api(group, *args)
            slot = per.setdefault(key, {"group": group["label"], "impl": impl,
                                        "isolated": isolated, "wall": [], "cpu": [], "n": n})
            slot["cmd"] = shown_cmd(group, *args)
            slot["wall"].append(median(out["seconds"]) / n)
            slot["cpu"].append(median(out["cpu_seconds"]) / n)
    for slot in per.values():
        slot["rate_wall"] = 1 / median(slot["wall"])
        slot["rate_cpu"] = 1 / median(slot["cpu"])
        slot["rate_wall_reps"] = [1 / w for w in slot["wall"]]
        slot["rate_cpu_reps"] = [1 / c for c in slot["cpu"]]
    results["lifecycle"] = per
    results["lifecycle_ir"] = count_lifecycle_instructions(groups, opts)


def callgrind_instructions(group, args):
    """Instructions executed by one api_bench.py run under callgrind (its "Collected" total)."""
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", group["python"],
           "-I", "-S", "-B", API] + [str(a) for a in args] + ["--build-dir", group["moddir"]]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=1800)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not m:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                    proc.stderr.strip()[-2000:]))
    return int(m.group(1))


def count_lifecycle_instructions(groups, opts):
    """Instructions per create()+close(), counted by callgrind: (I(n) - I(0)) / n.

    Unlike time, an instruction count does not depend on what else the
    machine is doing, so it tells whether a measured gap between interpref
    and CPython's low-level functions is work one of them does and the other
    does not, or noise.  The loop of api_bench.py is the same for both.
    """
    if not shutil.which("valgrind"):
        log("lifecycle instructions: skipped, no valgrind")
        return {}
    out = {}
    for g in groups:
        n = 2 if opts.quick else (50 if g["label"] == "3.11" else 20)
        for isolated in (1, 0):
            for impl in ("ref", "cpython-ll"):
                key = "%s/%s/%s" % (g["label"], impl, "isolated" if isolated else "shared")
                log("lifecycle instructions %s (callgrind, n=0 and n=%d)" % (key, n))
                base = ["lifecycle", "--impl", impl, "--isolated", isolated, "--inner", 1]
                i0 = callgrind_instructions(g, base + ["--n", 0])
                i_n = callgrind_instructions(g, base + ["--n", n])
                out[key] = {"group": g["label"], "impl": impl, "isolated": isolated, "n": n,
                            "per_op": (i_n - i0) / n,
                            "cmd": "valgrind --tool=callgrind --callgrind-out-file=/dev/null "
                                   + shown_cmd(g, *(base + ["--n", n]))}
    return out


# ---- 4. the runner ---------------------------------------------------------

EMPTY_SCN = """description: an empty scenario: what the runner itself costs per scenario
clauses: MOD-1
level: IMPL

do
    pass
"""


class ChildClock(object):
    """CPU time of the children reaped between start() and stop()."""

    def start(self):
        import resource
        self.r0 = resource.getrusage(resource.RUSAGE_CHILDREN)

    def stop(self):
        import resource
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (r1.ru_utime - self.r0.ru_utime) + (r1.ru_stime - self.r0.ru_stime)


def run_cmd(cmd, env=None):
    """(wall s, CPU s of it and its reaped descendants, output, status)."""
    clock = ChildClock()
    clock.start()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    wall = time.perf_counter() - t0
    return wall, clock.stop(), proc.stdout, proc.returncode


def suite_files():
    return sorted(glob.glob(os.path.join(ROOT, "conformance", "suite", "*", "*.scn")))


def run_runner(groups, opts, results):
    runner = os.path.join(ROOT, opts.build311, "tools", "interpcheck", "interpcheck")
    runner313 = os.path.join(ROOT, opts.build313, "tools", "interpcheck", "interpcheck")
    rel = os.path.relpath(runner, ROOT)
    out = {"runner": rel, "suite": {}, "empty": {}, "startup": {}}
    files = suite_files()
    subset = [f for i, f in enumerate(files) if i % 3 != 2]
    tmp = tempfile.mkdtemp(prefix="interpcheck-bench-")
    try:
        k_inproc, k_python = (40, 10) if opts.quick else (200, 100)
        dirs = {}
        for k in sorted({1, k_inproc, k_python}):
            d = os.path.join(tmp, "k%d" % k, "suite", "empty")
            os.makedirs(d)
            for i in range(k):
                with open(os.path.join(d, "empty-%03d.scn" % i), "w") as f:
                    f.write(EMPTY_SCN)
            dirs[k] = d
        py311 = opts.py311
        moddir = os.path.join(opts.build311, "python")
        suite_plan = [] if opts.quick else [
            ("suite -j 1 (%d scenarios)" % len(files), [runner, "-j", "1"], len(files)),
            ("suite -j 2 (%d scenarios)" % len(files), [runner, "-j", "2"], len(files)),
            ("subset -j 2 (%d scenarios)" % len(subset),
             [runner, "-j", "2"] + [os.path.relpath(f, ROOT) for f in subset], len(subset)),
        ]
        empty_plan = []
        for j in ("1", "2"):
            empty_plan.append(("in process -j %s" % j, [runner, "-j", j], k_inproc))
            empty_plan.append(("--python %s -j %s" % (py311, j),
                               [runner, "-j", j, "--python", py311, "--path", moddir], k_python))
        if os.path.exists(runner313):
            empty_plan.append(("in process -j 1, runner built for 3.13",
                               [runner313, "-j", "1"], k_inproc))
        # Variants of the executor, put first on the search path with --path (the
        # runner's own files untouched): byte-compiled, as after anything ran
        # `import executor` with bytecode writing on; warmed up in the runner's
        # parent before the first fork (the proposed change, emulated); both.
        variants = executor_variants(tmp, py311)
        for label, folder in variants:
            empty_plan.append((label, [runner, "-j", "1", "--path", folder], k_inproc))
        for rep in range(opts.runner_reps):
            for label, cmd, count in rotate(suite_plan, rep):
                sample_load("runner " + label)
                log("runner %s rep %d/%d" % (label, rep + 1, opts.runner_reps))
                wall, cpu, text, status = run_cmd(cmd)
                m = re.search(r"interpcheck: (\d+) passed, (\d+) failed, (\d+) skipped", text)
                slot = out["suite"].setdefault(label, {"wall": [], "cpu": [], "count": count,
                                                       "status": [], "summary": None})
                slot["cmd"] = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c
                                       for c in cmd[:4]) + (" ... (%d paths)" % count
                                                            if len(cmd) > 4 else "")
                slot["wall"].append(wall)
                slot["cpu"].append(cpu)
                slot["status"].append(status)
                slot["summary"] = m.group(0) if m else text.strip().splitlines()[-1:]
            for label, cmd, count in rotate(empty_plan, rep):
                sample_load("runner empty " + label)
                log("runner empty scenarios, %s, rep %d/%d" % (label, rep + 1, opts.runner_reps))
                # T(1) is short and its noise is divided by K - 1 only: median of 5.
                ones = [run_cmd(cmd + [dirs[1]]) for _ in range(5)]
                w1, c1 = median([o[0] for o in ones]), median([o[1] for o in ones])
                t1 = ones[-1][2]
                s1 = max(o[3] for o in ones)
                wk, ck, tk, sk = run_cmd(cmd + [dirs[count]])
                if s1 != 0 or sk != 0:
                    raise RuntimeError("runner failed on empty scenarios: %s" % (tk or t1)[-2000:])
                slot = out["empty"].setdefault(label, {"wall": [], "cpu": [], "k": count,
                                                       "start_wall": [], "start_cpu": []})
                slot["cmd"] = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else
                                       c.replace(tmp, "$TMP") for c in cmd) + " DIR"
                slot["wall"].append((wk - w1) / (count - 1))
                slot["cpu"].append((ck - c1) / (count - 1))
                slot["start_wall"].append(w1)
                slot["start_cpu"].append(c1)
        for slot in list(out["suite"].values()) + list(out["empty"].values()):
            slot["wall_median"] = median(slot["wall"])
            slot["cpu_median"] = median(slot["cpu"])
        # Python start-up, for comparison with a fresh Python per scenario.
        sample_load("runner startup")
        out["startup"] = python_startup(py311, opts)
        # The floor of fork-per-scenario: fork() + _exit() of the same Python.
        if groups and groups[0]["label"] == "3.11":
            floors = []
            for rep in range(opts.runner_reps):
                sample_load("runner fork floor")
                floors.append(api(groups[0], "forkfloor", "--n", 50 if opts.quick else 300))
            out["forkfloor"] = {
                "wall": median([median(f["seconds"]) for f in floors]),
                "cpu": median([f["cpu_per_child"] for f in floors]),
                "faults": median([f["faults_per_child"] for f in floors]),
                "cmd": shown_cmd(groups[0], "forkfloor", "--n", 300)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["runner"] = out


WARM_UP = """

# Added by tools/bench (a copy, not the runner's file): run one empty scenario
# when the runner's parent imports this module, before it forks any child.
if __name__ != "__main__":
    with open(os.devnull, "w") as _null:
        run('{"id": "warm-up", "path": "warm-up", "steps": [{"kind": "do", "line": 1, '
            '"code": "pass", "code_line": 1}]}', "interpref", 1.0, _null)
"""


def executor_variants(tmp, python):
    source = os.path.join(ROOT, "tools", "interpcheck", "executor.py")
    pyc = os.path.join(tmp, "executor-pyc")
    warm = os.path.join(tmp, "executor-warm")
    os.makedirs(pyc)
    os.makedirs(warm)
    shutil.copy(source, pyc)
    warm_pyc = os.path.join(tmp, "executor-warm-pyc")
    os.makedirs(warm_pyc)
    with open(source) as f:
        text = f.read() + WARM_UP
    for folder in (warm, warm_pyc):
        with open(os.path.join(folder, "executor.py"), "w") as g:
            g.write(text)
    for folder in (pyc, warm_pyc):
        subprocess.run([python, "-I", "-S", "-c",
                        "import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True)",
                        os.path.join(folder, "executor.py")], check=True)
    return [("in process -j 1, executor.py loaded from a .pyc", pyc),
            ("in process -j 1, from a .pyc, warmed up in the parent (proposed, emulated)",
             warm_pyc),
            ("in process -j 1, warmed up in the parent (proposed, emulated)", warm)]


def python_startup(python, opts):
    commands = [
        ("%s -I -S -c pass" % python, [python, "-I", "-S", "-c", "pass"]),
        ("%s -I -S tools/interpcheck/executor.py --version" % python,
         [python, "-I", "-S", "tools/interpcheck/executor.py", "--version"]),
    ]
    runs = 10 if opts.quick else 100
    found = {}
    hyperfine = shutil.which("hyperfine")
    if hyperfine:
        fd, path = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        try:
            cmd = [hyperfine, "-N", "--warmup", "5", "--runs", str(runs), "--export-json", path,
                   "--style", "none"] + [c for c, _ in commands]
            log("hyperfine: python start-up")
            subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)
            with open(path) as f:
                data = json.load(f)
            for row in data["results"]:
                found[row["command"]] = {"median": row["median"], "mean": row["mean"],
                                         "user": row["user"], "system": row["system"],
                                         "tool": "hyperfine -N --warmup 5 --runs %d" % runs}
        except (subprocess.CalledProcessError, OSError, ValueError) as exc:
            log("hyperfine failed (%s); timing with subprocess instead" % exc)
        finally:
            os.unlink(path)
    for shown, argv in commands:
        if shown in found:
            continue
        walls = []
        clock = ChildClock()
        clock.start()
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
        cpu = clock.stop() / runs
        found[shown] = {"median": median(walls), "mean": statistics.mean(walls), "user": cpu,
                        "system": 0.0, "tool": "subprocess.run x %d" % runs}
    return found


# ---- 5. fuzzing ------------------------------------------------------------


def read_fuzz():
    """exec/s that the fuzz campaign (tools/fuzz-campaign) wrote under reports/fuzz/:
    the rows of the summary tables (summary*.md, a column `exec/s`), else the last
    record per engine and harness of history.jsonl."""
    base = os.path.join(ROOT, "reports", "fuzz")
    if not os.path.isdir(base):
        return {"found": False, "rows": []}
    rows = []
    for path in sorted(glob.glob(os.path.join(base, "summary*.md"))):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        stamp = next((l.strip() for l in lines if l.startswith("- command:")), "")
        col = None
        for line in lines:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.startswith("|"):
                col = None
            elif "exec/s" in cells:
                col = cells.index("exec/s")
            elif col is not None and not set(line) <= set("|-: ") and col < len(cells):
                rows.append({"file": os.path.relpath(path, ROOT), "harness": cells[0],
                             "exec_per_sec": cells[col], "fuzzed": cells[1] if len(cells) > 1 else "",
                             "note": stamp})
    if not rows:
        latest = {}
        try:
            with open(os.path.join(base, "history.jsonl"), encoding="utf-8") as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    key = (rec.get("engine"), rec.get("harness"))
                    latest[key] = rec
        except OSError:
            pass
        for (engine, harness), rec in sorted(latest.items(), key=lambda kv: str(kv[0])):
            rows.append({"file": "reports/fuzz/history.jsonl", "harness": "%s (%s)" % (harness, engine),
                         "exec_per_sec": str(rec.get("stats", {}).get("exec_per_sec", "?")),
                         "fuzzed": "%s s" % rec.get("stats", {}).get("fuzz_seconds", "?"),
                         "note": "started %s, %s job(s)" % (rec.get("started"), rec.get("jobs"))})
    return {"found": True, "rows": rows}


# ---- profiles for missed goals -----------------------------------------------

PERF_LINE = re.compile(r"^\s+([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.+?)\s*$")


def perf_children(data, symbols):
    """{symbol: inclusive %} from perf report --children over `data`."""
    proc = subprocess.run(["perf", "report", "-i", data, "--stdio", "--children",
                           "--sort", "sym", "-g", "none"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          universal_newlines=True)
    found = {}
    for line in proc.stdout.splitlines():
        m = PERF_LINE.match(line)
        if m and m.group(4) in symbols:
            found[m.group(4)] = max(found.get(m.group(4), 0.0), float(m.group(1)))
    return found


def profile_lifecycle(group, kind, opts):
    """Where interpref's create()+close() spends its time (perf, DWARF call graphs)."""
    if not shutil.which("perf"):
        return None
    fd, data = tempfile.mkstemp(prefix="interpcheck-bench-", suffix=".perf")
    os.close(fd)
    n = 10 if opts.quick else (200 if group["label"] == "3.11" else 80)
    args = ["lifecycle", "--impl", "ref", "--isolated", int(kind == "isolated"), "--n", n,
            "--inner", 1]
    cmd = ["perf", "record", "-q", "-o", data, "--call-graph", "dwarf,16384", "-F", "1000",
           "--", group["python"], "-I", "-S", "-B", API] + [str(a) for a in args] + \
          ["--build-dir", group["moddir"]]
    log("perf: lifecycle profile, %s" % group["label"])
    if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
        os.unlink(data)
        return None
    symbols = ["interp_create", "interp_close", "destroy", "Py_EndInterpreter", "PyGC_Collect",
               "prepare_threading_shutdown", "PyRun_StringFlags", "keep_first_tstate",
               "channel_check_interp_close", "channel_forget_interp"]
    found = perf_children(data, symbols)
    os.unlink(data)
    return {"cmd": "perf record --call-graph dwarf,16384 -F 1000 -- %s -I -S -B %s %s "
                   "--build-dir %s/python" % (group["python"], os.path.relpath(API, ROOT),
                                              " ".join(str(a) for a in args), group["build"]),
            "percent": found, "kind": "isolated" if kind == "isolated" else "not isolated"}


def profile_runner(opts):
    """Where the runner's per-scenario time goes (perf over 200 empty scenarios)."""
    if not shutil.which("perf"):
        return None
    runner = os.path.join(ROOT, opts.build311, "tools", "interpcheck", "interpcheck")
    tmp = tempfile.mkdtemp(prefix="interpcheck-bench-prof-")
    try:
        d = os.path.join(tmp, "suite", "empty")
        os.makedirs(d)
        k = 200
        for i in range(k):
            with open(os.path.join(d, "empty-%03d.scn" % i), "w") as f:
                f.write(EMPTY_SCN)
        data = os.path.join(tmp, "perf.data")
        log("perf: runner profile")
        cmd = ["perf", "record", "-q", "-o", data, "-F", "5000", "-g", "--", runner, "-j", "1", d]
        if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            return None
        symbols = ["asm_exc_page_fault", "do_wp_page", "__do_sys_clone", "dup_mmap",
                   "do_group_exit", "pyhost_fork_scenario", "PyOS_AfterFork_Child",
                   "__poll", "worker_run", "_PyType_Lookup"]
        found = perf_children(data, symbols)
        # Parent (the runner) versus its children (one per scenario).
        proc = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                               "--sort", "pid", "-g", "none"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True)
        shares = [float(m.group(1)) for m in
                  (re.match(r"^\s+([\d.]+)%\s+\d+:", l) for l in proc.stdout.splitlines()) if m]
        parent = max(shares) if shares else None
        proc = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                               "--sort", "dso", "-g", "none"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True)
        kernel = sum(float(m.group(1)) for m in
                     (re.match(r"^\s+([\d.]+)%\s+\[kernel", l) for l in proc.stdout.splitlines())
                     if m)
        # Page faults per scenario: perf stat over k and over 1 scenario.
        faults = {}
        for count in (1, k):
            dd = d if count == k else os.path.join(tmp, "one")
            if count == 1:
                os.makedirs(dd)
                shutil.copy(os.path.join(d, "empty-000.scn"), dd)
            proc = subprocess.run(["perf", "stat", "-x", ",", "-e",
                                   "page-faults,context-switches,task-clock", "--", runner,
                                   "-j", "1", dd], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, universal_newlines=True)
            for line in proc.stderr.splitlines():
                parts = line.split(",")
                if len(parts) > 3:
                    try:
                        faults.setdefault(parts[2], {})[count] = float(parts[0])
                    except ValueError:
                        pass
        per = {name: (v[k] - v[1]) / (k - 1) for name, v in faults.items()
               if 1 in v and k in v}
        return {"cmd": "perf record -F 5000 -g -- %s -j 1 DIR" % os.path.relpath(runner, ROOT),
                "percent": found, "parent": parent, "kernel": kernel, "per_scenario": per}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- main ------------------------------------------------------------------


def machine():
    info = {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0))}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    u = os.uname()
    info["kernel"] = "%s %s %s" % (u.sysname, u.release, u.machine)
    try:
        with open("/etc/debian_version") as f:
            info["debian"] = f.read().strip()
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            info["memory"] = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    info["uptime"] = subprocess.run(["uptime"], stdout=subprocess.PIPE,
                                    universal_newlines=True).stdout.strip()
    ps = subprocess.run(["ps", "-eo", "pcpu,etime,comm", "--sort=-pcpu"], stdout=subprocess.PIPE,
                        universal_newlines=True).stdout.splitlines()
    info["busiest"] = [l.strip() for l in ps[1:8]]
    return info


def git_state():
    def git(*args):
        return subprocess.run(["git"] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True).stdout.strip()
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "dirty": git("status", "--porcelain", "--", "ref", "tools/interpcheck").splitlines()}


def newest_pyenv(minor):
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/python%s")
                             % (minor, minor)),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", p.split("/")[-3])])
    return found[-1] if found else None


def measure_targets_only(opts):
    """--only targets: measure them, keep every other section of results.json."""
    import report    # tools/bench/report.py
    import targets   # tools/bench/targets.py
    python312 = opts.py312 or newest_pyenv("3.12")
    if not python312:
        log("targets: no CPython 3.12 (pyenv, or --py312)")
        return 2
    path = os.path.join(ROOT, opts.plots, "results.json")
    with open(path) as f:
        results = json.load(f)
    sample_load("targets")
    started = time.time()
    t = targets.run(ROOT, opts.baseline, python312, log)
    t["seconds"] = time.time() - started
    t["machine"] = machine()
    t["load"] = LOADS[-1][1] if LOADS else None
    results["targets"] = t
    results["goals"] = report.evaluate(results)
    with open(path, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True, default=str)
    report.write(results, os.path.join(ROOT, opts.out), os.path.join(ROOT, opts.plots),
                 replot=False)
    log("wrote %s (targets measured in %.0f s)" % (opts.out, t["seconds"]))
    return 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--py311", default="/usr/bin/python3.11")
    p.add_argument("--build311", default="build/release")
    p.add_argument("--py313", default=os.path.expanduser("~/.pyenv/versions/3.13.0/bin/python3.13"))
    p.add_argument("--build313", default="build/py3.13")
    p.add_argument("--reps", type=int, default=5, help="repetitions of each API measurement")
    p.add_argument("--runner-reps", type=int, default=3, help="repetitions of each runner measurement")
    p.add_argument("--rounds", type=int, default=2000, help="handoff rounds (interpref, queue)")
    p.add_argument("--rounds-cpython311", type=int, default=10,
                   help="handoff rounds for CPython 3.11 (each send() sleeps 2 s)")
    p.add_argument("--rounds-cpython313", type=int, default=500,
                   help="handoff rounds for CPython 3.13 (its recv() polls every 10 ms)")
    p.add_argument("--pairs-n", type=int, default=200000)
    p.add_argument("--only", default="handoff,pairs,lifecycle,runner",
                   help="comma-separated subset of handoff,pairs,lifecycle,runner,targets")
    p.add_argument("--baseline", help="targets: the commit to measure side by side with HEAD")
    p.add_argument("--py312", default=None,
                   help="targets: the CPython of the one-run target (default: newest pyenv 3.12)")
    p.add_argument("--no-profile", action="store_true", help="no perf profile for missed goals")
    p.add_argument("--quick", action="store_true", help="small counts: checks the script, not the numbers")
    p.add_argument("--rerender", action="store_true",
                   help="measure nothing: write the Markdown again from the results.json "
                        "under --plots (after a change to report.py), quoting reports/fuzz/ anew")
    p.add_argument("--out", default="reports/performance.md")
    p.add_argument("--plots", default="reports/performance")
    opts = p.parse_args(argv)
    if opts.quick:
        opts.reps = min(opts.reps, 2)
        opts.runner_reps = 1
    only = set(opts.only.split(","))
    if opts.rerender:
        import report   # tools/bench/report.py
        with open(os.path.join(ROOT, opts.plots, "results.json")) as f:
            results = json.load(f)
        # Fuzzing is quoted from reports/fuzz/, not measured here: quote what is there now.
        results["fuzz"] = read_fuzz()
        with open(os.path.join(ROOT, opts.plots, "results.json"), "w") as f:
            json.dump(results, f, indent=1, sort_keys=True, default=str)
        report.write(results, os.path.join(ROOT, opts.out), os.path.join(ROOT, opts.plots),
                     replot=False)
        log("wrote %s from %s/results.json" % (opts.out, opts.plots))
        return 0

    if only == {"targets"}:
        return measure_targets_only(opts)

    started = time.time()
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
               "machine_before": machine(), "git": git_state(),
               "options": {k: v for k, v in vars(opts).items()}}
    groups = python_groups(opts)
    results["groups"] = groups
    for g in groups:
        info = api(g, "info")
        g["version"] = info["python"]
    if "handoff" in only:
        run_handoff(groups, opts, results)
    if "pairs" in only:
        run_pairs(groups, opts, results)
    if "lifecycle" in only:
        run_lifecycle(groups, opts, results)
    if "runner" in only:
        run_runner(groups, opts, results)
    results["fuzz"] = read_fuzz()

    import report   # tools/bench/report.py
    goals = report.evaluate(results)
    results["goals"] = goals
    results["profiles"] = {}
    if not opts.no_profile:
        for goal in goals:
            if goal["met"] is False and goal["id"].startswith("lifecycle-"):
                group = next((g for g in groups if g["label"] == goal["group"]), None)
                if group and goal["group"] not in results["profiles"].get("lifecycle", {}):
                    prof = profile_lifecycle(group, goal["kind"], opts)
                    if prof:
                        results["profiles"].setdefault("lifecycle", {})[goal["group"]] = prof
            if goal["met"] is False and goal["id"] == "runner-overhead":
                prof = profile_runner(opts)
                if prof:
                    results["profiles"]["runner"] = prof
    results["machine_after"] = machine()
    results["seconds"] = time.time() - started
    results["loads"] = LOADS
    report.write(results, os.path.join(ROOT, opts.out), os.path.join(ROOT, opts.plots))
    log("wrote %s and %s/ in %.0f s" % (opts.out, opts.plots, results["seconds"]))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main(sys.argv[1:]))

"""campaign.py: time-boxed fuzzing campaigns (run through tools/fuzz-campaign).

    tools/fuzz-campaign --engine libfuzzer|afl --harness NAME|all
                        (--minutes M | --seconds S) [--jobs J] [options]

For each harness (scenario_parser, ops, shareable):

  1. build: configure the engine tree if it has no CMakeCache.txt (libFuzzer:
     the `fuzz` preset into build/fuzz; AFL++: afl-clang-fast, or
     afl-clang-lto with --afl-cc, into build/fuzz-afl[-lto]), then build the
     engine binary and the replay driver (skip with --no-build);
  2. fuzz for the time given, from the committed seeds fuzz/corpus/<harness>
     into a fresh working corpus, with the harness's dictionary:
     libFuzzer in fork mode (-fork=J, going on after findings), AFL++ as one
     -M instance plus J-1 -S instances;
  3. merge and minimise: libFuzzer -merge=1 of seeds + new inputs, or
     afl-cmin over every instance's queue;  --update-corpus copies the
     merged set back into fuzz/corpus/<harness>/ (named by SHA-1);
  4. findings (libFuzzer crash-/leak-/timeout-/oom- artifacts, AFL++
     crashes/ and hangs/): reproduce each with the replay driver, group them
     by their first report line, minimise one per group
     (-minimize_crash=1 / afl-tmin), and turn it into a scenario: ops and
     shareable write conformance/suite/fuzz/<harness>-<sha8>.scn (--scn-dir)
     with an `origin:` header; scenario_parser findings are parser bugs, kept
     as fuzz/corpus/scenario_parser/finding-<sha8> for the corpus-replay
     replay instead.  Each scenario is run through the tree's interpcheck;
  5. write the summary: --report (default reports/fuzz/summary.md for
     libFuzzer, reports/fuzz/summary-afl.md for AFL++) with exec/s, coverage
     (libFuzzer cov/ft, AFL++ bitmap and edges), corpus sizes and findings,
     plus one JSON line per harness appended to reports/fuzz/history.jsonl.

--smoke (used by the fuzz.smoke.* CTests): work and report only under
--work-dir, never touch the source tree; exit 1 if anything was found.

Exit status: 0 when nothing was found, 1 when something was, 2 on a usage,
build or tool error.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESSES = ["scenario_parser", "ops", "shareable"]
# Timeout inputs replayed per harness and run (the smallest first).
TIMEOUT_REPLAYS = 4
# Per harness: max input length, per-input timeout (s), leak checking per input.
# Leak checks per input cost a LeakSanitizer heap scan whenever an input
# allocates more than it frees, which every input that touches CPython does
# (caches, freelists): ~4x slower for nothing, so only the pure-C parser
# gets them.  The Python harnesses check their own invariants instead
# (clean-up to the initial state, list_all()/list_all_channels()).
SETTINGS = {
    "scenario_parser": {"max_len": 8192, "timeout": 10, "leaks": 1, "minimize_runs": 20000},
    "ops": {"max_len": 256, "timeout": 60, "leaks": 0, "minimize_runs": 1000},
    "shareable": {"max_len": 512, "timeout": 60, "leaks": 0, "minimize_runs": 2000},
}


def log(*args):
    print("fuzz-campaign:", *args, file=sys.stderr, flush=True)


def die(msg, code=2):
    log(msg)
    sys.exit(code)


def run(cmd, **kw):
    return subprocess.run(cmd, **kw)


def sha1_file(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def rel(path):
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


# ---- environment of the fuzzed processes --------------------------------------------
PYTHONMALLOC = "malloc"   # --pythonmalloc; malloc: every Python object visible to ASan


def sanitizer_env(harness, engine, extra=None):
    env = dict(os.environ)
    leaks = SETTINGS[harness]["leaks"]
    supp = os.path.join(ROOT, "ref", "tests", "lsan.supp")
    env["PYTHONMALLOC"] = PYTHONMALLOC
    asan = ["abort_on_error=1", "detect_leaks=%d" % leaks, "allocator_may_return_null=1",
            "handle_abort=1"]
    if engine == "afl":
        asan.append("symbolize=0")   # AFL++ requires it
    env["ASAN_OPTIONS"] = ":".join(asan)
    env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % supp
    if engine == "afl":
        env["LSAN_OPTIONS"] += ":symbolize=0:exitcode=23"   # AFL++ requires these
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:abort_on_error=1"
    if engine == "afl":
        env.update({"AFL_SKIP_CPUFREQ": "1", "AFL_NO_UI": "1",
                    "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1", "AFL_QUIET": "1"})
    if extra:
        env.update(extra)
    return env


def replay_env(harness, engine, extra=None):
    """Environment for the replay driver (no engine): symbolised reports."""
    env = sanitizer_env(harness, engine, extra)
    env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"].replace("symbolize=0", "symbolize=1")
    env["LSAN_OPTIONS"] = env["LSAN_OPTIONS"].replace("symbolize=0", "symbolize=1")
    return env


# ---- building ----------------------------------------------------------------------------
def default_build_dir(args):
    if args.engine == "libfuzzer":
        name = "fuzz"
    else:
        name = "fuzz-afl" if args.afl_cc == "afl-clang-fast" else "fuzz-afl-lto"
    if args.ref_dir:
        name += "-" + hashlib.sha1(os.path.abspath(args.ref_dir).encode()).hexdigest()[:8]
    return os.path.join(ROOT, "build", name)


def build(args, harnesses):
    bdir = args.build_dir
    if not os.path.exists(os.path.join(bdir, "CMakeCache.txt")):
        if args.engine == "libfuzzer" and not args.ref_dir and \
                os.path.abspath(bdir) == os.path.join(ROOT, "build", "fuzz"):
            cmd = ["cmake", "--preset", "fuzz"]
        else:
            cc = "clang" if args.engine == "libfuzzer" else args.afl_cc
            cmd = ["cmake", "-S", ROOT, "-B", bdir, "-G", "Ninja",
                   "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DCMAKE_C_COMPILER=" + cc,
                   "-DINTERPCHECK_SANITIZE=ON", "-DINTERPCHECK_FUZZ_ENGINE=" + args.engine,
                   "-DINTERPCHECK_CPYTHON_TESTS=OFF"]
            if args.ref_dir:
                cmd.append("-DINTERPCHECK_REF_SOURCE_DIR=" + os.path.abspath(args.ref_dir))
        log("configuring:", " ".join(cmd))
        env = dict(os.environ, AFL_QUIET="1")
        if run(cmd, cwd=ROOT, env=env).returncode != 0:
            die("configuring %s failed" % bdir)
    targets = []
    for h in harnesses:
        targets += ["fuzz_" + h, "fuzz_%s_replay" % h]
    if any(h in ("ops", "shareable") for h in harnesses):
        targets.append("interpcheck")
    cmd = ["cmake", "--build", bdir, "--target"] + targets
    log("building:", " ".join(cmd))
    if run(cmd, env=dict(os.environ, AFL_QUIET="1")).returncode != 0:
        die("building %s failed" % bdir)


def binary(args, harness, replay=False):
    name = "fuzz_%s%s" % (harness, "_replay" if replay else "")
    path = os.path.join(args.build_dir, "fuzz", name)
    if not os.path.exists(path):
        die("%s is missing (build it, or drop --no-build)" % path)
    return path


# ---- libFuzzer ---------------------------------------------------------------------------
LF_FORK_LINE = re.compile(r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? (\d+) "
                          r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s")
LF_LINE = re.compile(r"^#(\d+)\s+(INITED|pulse|NEW|REDUCE|DONE|RELOAD)\s+cov: (\d+) ft: (\d+)")


def load_text():
    """The load averages over 1, 5 and 15 minutes, as uptime prints them."""
    try:
        return "%.2f, %.2f, %.2f" % os.getloadavg()
    except OSError:
        return None


def libfuzzer_run(args, harness, work, seconds, env):
    s = SETTINGS[harness]
    corpus = os.path.join(work, "corpus")
    art = os.path.join(work, "artifacts")
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(art, exist_ok=True)
    cmd = [binary(args, harness), "-fork=%d" % args.jobs, "-ignore_crashes=1",
           "-ignore_timeouts=1", "-ignore_ooms=1", "-max_total_time=%d" % seconds,
           "-timeout=%d" % s["timeout"], "-rss_limit_mb=4096", "-max_len=%d" % s["max_len"],
           "-detect_leaks=%d" % s["leaks"], "-print_final_stats=1",
           "-dict=" + os.path.join(ROOT, "fuzz", "dict", harness + ".dict"),
           "-artifact_prefix=" + art + "/", corpus, os.path.join(ROOT, "fuzz", "corpus", harness)]
    logpath = os.path.join(work, "fuzz.log")
    log("%s: libFuzzer, %d s, %d job(s): %s" % (harness, seconds, args.jobs, " ".join(cmd)))
    t0 = time.time()
    load_start = load_text()
    with open(logpath, "w") as out:
        rc = run(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.time() - t0
    stats = {"command": " ".join(rel(c) if c.startswith(ROOT) else c for c in cmd),
             "wall_seconds": round(wall, 1), "exit": rc, "load_start": load_start,
             "load_end": load_text(), **run_identity(args, t0)}
    return parse_fork_log(logpath, stats)


def run_identity(args, t0):
    """When the fuzzing started and on which sources, for a later --findings-only."""
    return {"started": datetime.datetime.fromtimestamp(t0).strftime("%Y-%m-%d %H:%M:%S"),
            "source": args.commit + (" with uncommitted changes" if args.dirty else "")}


def parse_fork_log(logpath, stats):
    """Counters from a fork-mode log's last status line into `stats`: also
    for --findings-only over a run whose log an older parser misread."""
    last = None
    first = None
    with open(logpath, errors="replace") as f:
        for line in f:
            m = re.search(r"Loaded \d+ modules +\((\d+) inline 8-bit counters\)", line)
            if m:
                stats["edges_total"] = int(m.group(1))
            m = LF_FORK_LINE.match(line)
            if m:
                last = m
                if first is None:
                    first = m
    if last:
        execs, cov, ft, corp, _, ooms, timeouts, crashes, secs = map(int, last.groups())
        stats.update(execs=execs, cov=cov, ft=ft, corpus=corp, ooms=ooms, timeouts=timeouts,
                     crashes=crashes, fuzz_seconds=secs,
                     exec_per_sec=round(execs / max(secs, 1), 1))
        if first:
            stats["cov_first"] = int(first.group(2))
    else:
        stats.update(execs=0, exec_per_sec=0.0)
    return stats


def libfuzzer_merge(args, harness, work, env):
    merged = os.path.join(work, "merged")
    shutil.rmtree(merged, ignore_errors=True)
    os.makedirs(merged)
    seeds = os.path.join(ROOT, "fuzz", "corpus", harness)
    cmd = [binary(args, harness), "-merge=1", "-timeout=%d" % SETTINGS[harness]["timeout"],
           "-rss_limit_mb=4096", "-detect_leaks=0", merged, seeds, os.path.join(work, "corpus")]
    with open(os.path.join(work, "merge.log"), "w") as out:
        rc = run(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        log("%s: merge exited %d (see %s)" % (harness, rc, rel(os.path.join(work, "merge.log"))))
    return merged


LF_INITED = re.compile(r"^#\d+\s+INITED cov: (\d+) ft: (\d+)")


def libfuzzer_coverage(args, harness, corpus, env):
    """Edge coverage (cov) and features (ft) of running `corpus` once, as
    libFuzzer's INITED line reports them (comparable with the number of
    instrumented edges, unlike the fork-mode status lines)."""
    if not os.listdir(corpus):
        return None, None
    cmd = [binary(args, harness), "-runs=0", "-timeout=%d" % SETTINGS[harness]["timeout"],
           "-rss_limit_mb=4096", "-detect_leaks=0", "-max_len=%d" % SETTINGS[harness]["max_len"],
           corpus]
    p = run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        m = LF_INITED.match(line)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None, None


GCOV_FILTERS = {"scenario_parser": ["tools/interpcheck/scenario.c"],
                "ops": ["ref/"], "shareable": ["ref/"]}


# With --impl cpython the code under test is CPython's: its subinterpreter
# modules and the cross-interpreter data code, in the --cpython-gcov tree.
CPYTHON_GCOV_FILTERS = [r"Modules/_interp[a-z]*module\.c$", r"Python/crossinterp[a-z_]*\.c$"]


def gcov_coverage(args, harness, corpus):
    """Line and branch coverage (gcov, via gcovr) of the code under test when
    `corpus` is replayed by the replay driver of a --coverage tree (with
    --cpython-gcov: a tree built against that CPython, whose source tree
    holds the .gcda files)."""
    tree = args.gcov_tree
    replay = os.path.join(tree, "fuzz", "fuzz_%s_replay" % harness)
    if not tree or not os.path.exists(replay) or not os.listdir(corpus):
        return None
    measured = args.cpython_gcov or tree
    for dirpath, _, files in os.walk(measured):
        for f in files:
            if f.endswith(".gcda"):
                os.remove(os.path.join(dirpath, f))
    env = dict(os.environ)
    env.pop("PYTHONMALLOC", None)
    if args.impl == "cpython":
        env["OPS_IMPL"] = "cpython"
    run([replay, corpus], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = os.path.join(args.work_root, "gcovr-%s.json" % harness)
    if args.cpython_gcov:
        cmd = ["gcovr", "--root", measured, "--exclude-unreachable-branches", "--json-summary", out]
        for f in CPYTHON_GCOV_FILTERS:
            cmd += ["--filter", re.escape(measured + "/") + f]
    else:
        cmd = ["gcovr", "--root", ROOT, "--exclude-unreachable-branches", "--json-summary", out]
        for f in GCOV_FILTERS[harness]:
            cmd += ["--filter", os.path.join(ROOT, f)]
    cmd.append(measured)
    if run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        return None
    with open(out) as f:
        data = json.load(f)
    return {"lines": "%.1f%% (%d/%d)" % (data["line_percent"], data["line_covered"], data["line_total"]),
            "branches": "%.1f%% (%d/%d)" % (data["branch_percent"], data["branch_covered"],
                                            data["branch_total"])}


def libfuzzer_findings(work):
    art = os.path.join(work, "artifacts")
    found = []
    for name in sorted(os.listdir(art)) if os.path.isdir(art) else []:
        kind = name.split("-", 1)[0]
        if kind in ("crash", "leak", "timeout", "oom"):
            found.append((kind, os.path.join(art, name)))
    return found


def libfuzzer_minimize(args, harness, path, out, env):
    runs = args.minimize_runs or SETTINGS[harness]["minimize_runs"]
    cmd = [binary(args, harness), "-minimize_crash=1", "-runs=%d" % runs,
           "-max_total_time=%d" % args.minimize_seconds,
           "-timeout=%d" % SETTINGS[harness]["timeout"], "-detect_leaks=%d" % SETTINGS[harness]["leaks"],
           "-exact_artifact_path=" + out, path]
    with open(out + ".log", "w") as f:
        run(cmd, cwd=os.path.dirname(out), env=env, stdout=f, stderr=subprocess.STDOUT)
    return out if os.path.exists(out) else path


# ---- AFL++ -------------------------------------------------------------------------------
def afl_run(args, harness, work, seconds, env):
    s = SETTINGS[harness]
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    # The sync folder exists before any instance starts, so all start at once:
    # each instance makes only its own out/NAME/ and syncs from the others'
    # queues as they appear, so no instance waits for another's set-up.
    os.makedirs(out)
    seeds = os.path.join(ROOT, "fuzz", "corpus", harness)
    base = ["afl-fuzz", "-i", seeds, "-o", out, "-m", "none", "-t", str(s["timeout"] * 1000),
            "-V", str(seconds), "-x", os.path.join(ROOT, "fuzz", "dict", harness + ".dict")]
    procs = []
    load_start = load_text()
    log("%s: AFL++, %d s, %d instance(s)" % (harness, seconds, args.jobs))
    host = re.sub(r"[^A-Za-z0-9_-]", "_", os.uname().nodename) or "host"
    names = ["main-" + host] + ["sec%d-%s" % (i, host) for i in range(1, args.jobs)]
    for i in range(args.jobs):
        role = ["-M" if i == 0 else "-S", names[i]]
        cmd = base + role + ["--", binary(args, harness)]
        f = open(os.path.join(work, "afl-%d.log" % i), "w")
        procs.append((subprocess.Popen(cmd, cwd=work, env=env, stdout=f, stderr=subprocess.STDOUT), f, cmd))
    t0 = time.time()
    for p, f, _ in procs:
        try:
            p.wait(timeout=seconds + 600)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGINT)
            p.wait()
        f.close()
    wall = time.time() - t0
    stats = {"command": " ".join(rel(c) if c.startswith(ROOT) else c for c in procs[0][2]),
             "wall_seconds": round(wall, 1), "exit": max(p.returncode for p, _, _ in procs),
             "execs": 0, "exec_per_sec": 0.0, "crashes": 0, "timeouts": 0,
             "load_start": load_start, "load_end": load_text(), **run_identity(args, t0)}
    for i in range(args.jobs):
        st = afl_stats(os.path.join(out, names[i], "fuzzer_stats"))
        if not st:
            continue
        stats["execs"] += int(st.get("execs_done", 0))
        stats["exec_per_sec"] = round(stats["exec_per_sec"] + float(st.get("execs_per_sec", 0)), 1)
        stats["crashes"] += int(st.get("saved_crashes", st.get("unique_crashes", 0)))
        stats["timeouts"] += int(st.get("saved_hangs", st.get("unique_hangs", 0)))
        if i == 0:
            stats["bitmap_cvg"] = st.get("bitmap_cvg")
            stats["edges_found"] = int(st.get("edges_found", 0))
            stats["total_edges"] = int(st.get("total_edges", 0))
            stats["stability"] = st.get("stability")
            stats["corpus"] = int(st.get("corpus_count", 0))
            stats["fuzz_seconds"] = int(st.get("run_time", 0)) or seconds
    return stats


def afl_stats(path):
    if not os.path.exists(path):
        return None
    st = {}
    with open(path) as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                st[k.strip()] = v.strip()
    return st


def afl_merge(args, harness, work, env):
    flat = os.path.join(work, "queue-all")
    merged = os.path.join(work, "merged")
    for d in (flat, merged):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(flat)
    seen = set()
    out = os.path.join(work, "out")
    for inst in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        q = os.path.join(out, inst, "queue")
        for name in sorted(os.listdir(q)) if os.path.isdir(q) else []:
            p = os.path.join(q, name)
            if not os.path.isfile(p):
                continue
            h = sha1_file(p)
            if h not in seen:
                seen.add(h)
                shutil.copy(p, os.path.join(flat, h))
    # afl-cmin refuses to work under /tmp; run it from the work directory.
    cmd = ["afl-cmin", "-i", flat, "-o", merged, "-m", "none",
           "-t", str(SETTINGS[harness]["timeout"] * 1000), "--", binary(args, harness)]
    with open(os.path.join(work, "merge.log"), "w") as f:
        rc = run(cmd, cwd=work, env=env, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc != 0 or not os.path.isdir(merged):
        log("%s: afl-cmin exited %d (see %s)" % (harness, rc, rel(os.path.join(work, "merge.log"))))
        os.makedirs(merged, exist_ok=True)
    return merged


def afl_findings(work):
    found = []
    out = os.path.join(work, "out")
    for inst in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        for sub, kind in (("crashes", "crash"), ("hangs", "timeout")):
            d = os.path.join(out, inst, sub)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                if name.startswith("id:"):
                    found.append((kind, os.path.join(d, name)))
    return found


def afl_minimize(args, harness, path, out, env):
    cmd = ["afl-tmin", "-i", path, "-o", out, "-m", "none",
           "-t", str(SETTINGS[harness]["timeout"] * 1000), "--", binary(args, harness)]
    with open(out + ".log", "w") as f:
        run(cmd, cwd=os.path.dirname(out), env=env, stdout=f, stderr=subprocess.STDOUT)
    return out if os.path.exists(out) else path


# ---- findings ------------------------------------------------------------------------------
SIG_PATTERNS = [
    re.compile(r"^(op \d+ [a-z_-]+: .*)$"),                 # ops
    re.compile(r"^(SPEC clauses: .*)$"),
    re.compile(r"^(SUMMARY: \w+Sanitizer: .*)$"),
    re.compile(r"^(.*runtime error: .*)$"),
    re.compile(r"^(==== interpcheck fuzz finding.*)$"),
]


def reproduce(args, harness, path, env, timeout):
    """Run the replay driver on one input; returns (exit status, output)."""
    cmd = [binary(args, harness, replay=True), path]
    try:
        p = run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return "timeout", out


def signature(output):
    """The finding's identity: the harness's message without numbers that vary."""
    lines = output.splitlines()
    spec = next((l for l in lines if l.startswith("SPEC clauses: ")), None)
    msg = None
    for i, line in enumerate(lines):
        if line.startswith("==== interpcheck fuzz finding"):
            rest = [l for l in lines[i + 1:i + 4] if l and not l.startswith("SPEC clauses")]
            msg = rest[0] if rest else line
            break
    if msg is None:
        msg = next((l for l in lines if l.startswith("SUMMARY: ")), None)
    if msg is None:
        msg = next((l for l in lines if "runtime error:" in l), None)
    if msg is None:
        msg = next((l for l in lines if "ERROR:" in l or "Fatal Python error" in l), "(no report)")
    m = re.match(r"op \d+ ([a-z_-]+): ", msg)
    if spec and m:
        # A SPEC disagreement: one finding per first clause and op, whatever
        # the values and the context-dependent clauses after the first.
        key = spec.split()[2] + " | " + m.group(1)
    else:
        key = re.sub(r"0x[0-9a-f]+|\b\d+\b", "N", (spec or "") + " | " + msg)
    return key, msg.strip(), (spec or "")[len("SPEC clauses: "):]


def process_findings(args, harness, work, raw, env):
    results = []
    if not raw:
        return results
    groups = {}
    fdir = os.path.join(work, "findings")
    shutil.rmtree(fdir, ignore_errors=True)
    os.makedirs(fdir)
    # CPython mode must be replayed in CPython mode, or nothing reproduces.
    renv = replay_env(harness, args.engine,
                      {"OPS_IMPL": "cpython"} if args.impl == "cpython" and harness == "ops" else None)
    # A timeout input takes up to three timeouts to replay, and a hang of the
    # implementation yields one per fuzzing job: only the smallest few are
    # replayed, the others counted.
    replayed_timeouts = 0
    for kind, path in sorted(raw, key=lambda r: (r[0], os.path.getsize(r[1]))):
        if kind == "timeout" and replayed_timeouts >= TIMEOUT_REPLAYS:
            groups.setdefault("(not replayed) timeout", []).append(
                (kind, path, 0, "", "not replayed: the %d smallest timeout inputs were"
                 % TIMEOUT_REPLAYS, ""))
            continue
        replayed_timeouts += kind == "timeout"
        rc, out = reproduce(args, harness, path, renv, SETTINGS[harness]["timeout"] * 3)
        key, msg, clauses = signature(out)
        if rc == 0:
            key, msg = "(does not reproduce) " + kind, "does not reproduce with the replay driver"
        groups.setdefault(key, []).append((kind, path, rc, out, msg, clauses))
    for key, members in sorted(groups.items()):
        members.sort(key=lambda m: os.path.getsize(m[1]))   # minimise the smallest
        kind, path, rc, out, msg, clauses = members[0]
        entry = {"kind": kind, "message": msg, "clauses": clauses, "count": len(members),
                 "input": rel(path), "input_bytes": os.path.getsize(path), "reproduces": rc != 0}
        if rc != 0 and kind != "timeout":
            minimized = os.path.join(fdir, "min-" + sha1_file(path)[:12])
            if args.engine == "libfuzzer":
                m = libfuzzer_minimize(args, harness, path, minimized, env)
            else:
                m = afl_minimize(args, harness, path, minimized, env)
            rc2, out2 = reproduce(args, harness, m, renv, SETTINGS[harness]["timeout"] * 3)
            if rc2 == 0:   # minimised into something else: keep the original
                m = path
            else:
                out = out2
                entry["message"] = signature(out2)[1]
            entry["minimized"] = rel(m)
            entry["minimized_bytes"] = os.path.getsize(m)
            path = m
        sha8 = sha1_file(path)[:8]
        if out:   # (nothing to keep for the timeouts that were not replayed)
            with open(os.path.join(fdir, "report-%s.txt" % sha8), "w") as f:
                f.write(out)
            entry["report"] = rel(os.path.join(fdir, "report-%s.txt" % sha8))
        if rc != 0 and kind != "timeout":
            # (A timeout's scenario would take another three timeouts to write.)
            to_scenario(args, harness, path, sha8, entry, kind)
        results.append(entry)
    return results


def to_scenario(args, harness, path, sha8, entry, kind):
    stamp = datetime.date.today().isoformat()
    origin = "fuzz/%s.c (%s, %s campaign %s): %s input of %d bytes, sha1 %s" % (
        harness, args.engine, "smoke" if args.smoke else "time-boxed", stamp,
        "minimised " + kind if "minimized" in entry else kind, os.path.getsize(path),
        sha1_file(path))
    if harness == "scenario_parser":
        # A parser bug: the input itself is the regression test.
        dest_dir = os.path.join(args.work_root, "parser-findings") if args.smoke else \
            os.path.join(ROOT, "fuzz", "corpus", "scenario_parser")
        os.makedirs(dest_dir, exist_ok=True)
        dest = os.path.join(dest_dir, "finding-" + sha8)
        shutil.copy(path, dest)
        entry["regression_input"] = rel(dest)
        return
    os.makedirs(args.scn_dir, exist_ok=True)
    scn = os.path.join(args.scn_dir, "%s-%s.scn" % (harness, sha8))
    var = "OPS" if harness == "ops" else "SHAREABLE"
    extra = {var + "_SCN": scn, var + "_SCN_ORIGIN": origin}
    if args.impl == "cpython" and harness == "ops":
        extra["OPS_IMPL"] = "cpython"
    reproduce(args, harness, path, replay_env(harness, args.engine, extra),
              SETTINGS[harness]["timeout"] * 3)
    if not os.path.exists(scn):
        entry["scenario"] = None
        return
    entry["scenario"] = rel(scn)
    checker = os.path.join(args.build_dir, "tools", "interpcheck", "interpcheck")
    if os.path.exists(checker):
        env = dict(os.environ)
        env.pop("PYTHONMALLOC", None)
        env["ASAN_OPTIONS"] = "detect_leaks=0"   # the runner's own libpython leaks are not ours
        p = run([checker, "--time-scale", "3", scn], env=env, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT)
        text = p.stdout.decode("utf-8", "replace")
        m = re.search(r"^(PASS|FAIL|ERROR|TIMEOUT|CRASH)\s", text, re.M)
        entry["scenario_outcome_on_this_build"] = m.group(1) if m else "exit %d" % p.returncode


# ---- the report ----------------------------------------------------------------------------------
def fmt(n):
    if isinstance(n, float):
        return "{:,.1f}".format(n)
    if isinstance(n, int):
        return "{:,}".format(n)
    return str(n) if n is not None else "-"


def stats_table(L, results, head, cells):
    """Append to L the Markdown table with the header cells `head` (the first
    column left-aligned, the numbers right-aligned) and a row a harness,
    cells(result, its stats): one writer for each engine's table."""
    L.append("| %s |" % " | ".join(head))
    L.append("|---|" + "---:|" * (len(head) - 1))
    for r in results:
        L.append("| %s |" % " | ".join("%s" % c for c in cells(r, r["stats"])))


def libfuzzer_cells(r, s):
    return (r["harness"], "%s s" % fmt(s.get("fuzz_seconds")), fmt(s.get("execs")),
            fmt(s.get("exec_per_sec")),
            "%s → %s (%s)" % (fmt(s.get("cov_seeds")), fmt(s.get("cov_merged")),
                              fmt(s.get("edges_total"))),
            "%s → %s" % (fmt(s.get("ft_seeds")), fmt(s.get("ft_merged"))),
            "%d → %d" % (r["seeds"], r["merged"]), "%d" % len(r["findings"]))


def afl_cells(r, s):
    return (r["harness"], "%s s" % fmt(s.get("fuzz_seconds")), fmt(s.get("execs")),
            fmt(s.get("exec_per_sec")), s.get("bitmap_cvg", "-"),
            "%s / %s" % (fmt(s.get("edges_found")), fmt(s.get("total_edges"))),
            s.get("stability", "-"), "%d → %d" % (r["seeds"], r["merged"]),
            "%d" % len(r["findings"]))


def tree_python(build_dir):
    """The CPython version the build tree embeds (its CMake cache), or None."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("INTERPCHECK_PYPC_VERSION:") or \
                        line.startswith("INTERPCHECK_PYTHON_VERSION:"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


def libpython_instrumented(args, harness):
    """True when the libpython the harness loads carries SanitizerCoverage (the
    builds of tools/cpython-debug-build), False when it does not, None if unknown."""
    ldd = run(["ldd", binary(args, harness)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lib = re.search(r"libpython\S* => (\S+)", ldd.stdout.decode("utf-8", "replace"))
    if lib is None:
        return None
    nm = run(["nm", "-D", lib.group(1)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if nm.returncode != 0:
        return None
    return b"__sanitizer_cov" in nm.stdout


def edges_text(args, results):
    """What libFuzzer's edge counts cover in this build."""
    if args.impl != "cpython":
        return ("our code only: the ref sources, scenario.c and the harness; libpython is "
                "not instrumented")
    inst = libpython_instrumented(args, results[0]["harness"]) if results else None
    if inst:
        return ("the harness and CPython's subinterpreter code, which tools/cpython-debug-build "
                "instruments; the ref sources are compiled in but unused")
    return ("the harness only: this libpython %s SanitizerCoverage, so CPython's own code adds "
            "no edges; the ref sources are compiled in but unused"
            % ("has no" if inst is False else "may have no"))


def write_report(args, results, started, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    commit, dirty = args.commit, args.dirty
    py = tree_python(args.build_dir) or run(["pkg-config", "--modversion", "python3-embed"],
                                             stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL).stdout.decode().strip()
    L = []
    L.append("# Fuzzing campaign: %s, %s" % (args.engine, ", ".join(r["harness"] for r in results)))
    L.append("")
    fuzzed_from = [r["stats"].get("started") for r in results if r["stats"].get("started")]
    if args.findings_only:
        # The fuzzing ran earlier, maybe on binaries of another commit: say what this run is.
        L.append("- report written %s by --findings-only over an earlier run (fuzzing started %s), "
                 "%s per harness, %d job(s) each, on %d CPU(s)" % (
                     started.strftime("%Y-%m-%d %H:%M:%S"),
                     "%s, sources of commit %s" % (fuzzed_from[0], results[0]["stats"].get("source", "?"))
                     if fuzzed_from else "at a time its work directory does not record",
                     duration_text(args.seconds), args.jobs, os.cpu_count() or 0))
    else:
        L.append("- started %s, %s per harness, %d job(s) each, on %d CPU(s)" % (
            started.strftime("%Y-%m-%d %H:%M:%S"), duration_text(args.seconds), args.jobs,
            os.cpu_count() or 0))
    L.append("- source%s: commit %s%s; reference sources %s; libpython %s" % (
        " when the report was written" if args.findings_only else "",
        commit, " with uncommitted changes under ref/, tools/interpcheck/ or fuzz/" if dirty else "",
        rel(args.ref_dir) if args.ref_dir else "ref/", py or "?"))
    L.append("- build tree %s (%s)" % (rel(args.build_dir),
             "clang -fsanitize=fuzzer,address,undefined" if args.engine == "libfuzzer"
             else "%s, AFL++ driver, ASan+UBSan" % args.afl_cc))
    L.append("- environment: PYTHONMALLOC=%s (%s); leak checks per input only for "
             "scenario_parser%s" % (args.pythonmalloc,
                                    "ASan sees every object" if args.pythonmalloc == "malloc"
                                    else "ASan sees the reference's own memory; Python's "
                                         "objects get CPython's allocator hooks",
                                    "; ops on CPython (OPS_IMPL=cpython)"
                                    if args.impl == "cpython" else ""))
    L.append("- command: `tools/fuzz-campaign %s`" % " ".join(args.argv))
    L.append("")
    if args.engine == "libfuzzer":
        stats_table(L, results, ("harness", "fuzzed", "execs", "exec/s",
                                 "cov: seeds → merged (of edges)", "ft: seeds → merged",
                                 "corpus: seeds → merged", "findings"), libfuzzer_cells)
        L.append("")
        L.append("exec/s: executions / fuzzing seconds over the whole run, all jobs together "
                 "(Python start-up of each fork-mode job included).  cov: instrumented edges "
                 "hit (%s) when the committed seeds, then the merged corpus, are run "
                 "once (libFuzzer's INITED line), out of all instrumented edges of the binary; "
                 "ft: libFuzzer features (edges × hit-count buckets, comparisons) the same way."
                 % (edges_text(args, results)))
    else:
        stats_table(L, results, ("harness", "fuzzed", "execs", "exec/s", "bitmap", "edges",
                                 "stability", "corpus: seeds → cmin", "findings"), afl_cells)
    if any(r["stats"].get("load_start") for r in results):
        L.append("")
        L.append("The machine is shared: load averages (1, 5, 15 min, as `uptime` prints them) "
                 "when each harness started and stopped fuzzing, on %d CPU(s):" %
                 (os.cpu_count() or 0))
        L.append("")
        for r in results:
            s = r["stats"]
            L.append("- %s: %s → %s" % (r["harness"], s.get("load_start") or "-",
                                        s.get("load_end") or "-"))
    if any(r["stats"].get("gcov_merged") for r in results):
        L.append("")
        L.append("Line and branch coverage (gcov) of the code under test when the replay driver "
                 "of the --coverage tree %s runs the committed seeds, then the merged corpus:" %
                 rel(args.gcov_tree))
        L.append("")
        L.append("| harness | code | lines: seeds → merged | branches: seeds → merged |")
        L.append("|---|---|---:|---:|")
        for r in results:
            s = r["stats"]
            if s.get("gcov_merged"):
                a, b = s.get("gcov_seeds") or {}, s["gcov_merged"]
                code = ("CPython's Modules/_interp*module.c, Python/crossinterp*.c"
                        if args.cpython_gcov else " ".join(GCOV_FILTERS[r["harness"]]))
                L.append("| %s | %s | %s → %s | %s → %s |" % (
                    r["harness"], code, a.get("lines", "-"),
                    b["lines"], a.get("branches", "-"), b["branches"]))
    L.append("")
    L.append("## Findings")
    L.append("")
    any_found = False
    for r in results:
        for f in r["findings"]:
            any_found = True
            L.append("- **%s** (%s, %d input(s)): %s" % (r["harness"], f["kind"], f["count"],
                                                        f["message"]))
            if f.get("clauses"):
                L.append("  - SPEC clauses: %s" % f["clauses"])
            L.append("  - input %s (%d bytes)%s" % (f["input"], f["input_bytes"],
                     "; minimised %s (%d bytes)" % (f["minimized"], f["minimized_bytes"])
                     if f.get("minimized") else ""))
            if f.get("scenario"):
                L.append("  - scenario %s (interpcheck on this build: %s)" % (
                    f["scenario"], f.get("scenario_outcome_on_this_build", "not run")))
            if f.get("regression_input"):
                L.append("  - kept as %s for the corpus-replay replay" % f["regression_input"])
            if f.get("report"):
                L.append("  - report %s" % f["report"])
    if not any_found:
        L.append("None: no crash, leak, hang, sanitizer report or SPEC disagreement.")
    L.append("")
    L.append("## Commands")
    L.append("")
    for r in results:
        L.append("- %s: `%s`" % (r["harness"], r["stats"]["command"]))
    L.append("")
    L.append("Work directory (corpora, logs, artifacts): %s" % rel(args.work_root))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")
    # No path of this machine in a report that may be committed: a --report path
    # is not among the files tools/fuzz-campaign passes through it afterwards.
    run([sys.executable, "-I", "-S", os.path.join(ROOT, "tools", "repo-relative"), path])
    log("summary written to", rel(path))


def duration_text(seconds):
    return "%d min" % (seconds // 60) if seconds % 60 == 0 and seconds >= 60 else "%d s" % seconds


def save_stats(work, stats):
    with open(os.path.join(work, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1, sort_keys=True)


def load_stats(work):
    path = os.path.join(work, "stats.json")
    if not os.path.exists(path):
        die("--findings-only: no stats.json in %s (not a campaign work directory)" % work)
    with open(path) as f:
        return json.load(f)


# ---- main ------------------------------------------------------------------------------------
def main(argv):
    p = argparse.ArgumentParser(prog="tools/fuzz-campaign",
                                description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=["libfuzzer", "afl"], required=True)
    p.add_argument("--harness", default="all", help="scenario_parser, ops, shareable or all")
    t = p.add_mutually_exclusive_group(required=True)
    t.add_argument("--minutes", type=float, help="fuzzing time per harness")
    t.add_argument("--seconds", type=int, help="fuzzing time per harness")
    p.add_argument("--jobs", type=int, default=1,
                   help="libFuzzer -fork=J workers, or AFL++ instances (-M + J-1 -S)")
    p.add_argument("--build-dir", help="engine build tree (default build/fuzz, build/fuzz-afl)")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    p.add_argument("--afl-cc", choices=["afl-clang-fast", "afl-clang-lto"], default="afl-clang-fast")
    p.add_argument("--ref-dir", help="build the reference from this folder instead of ref/ "
                                     "(e.g. a copy with a planted bug); gets its own build tree")
    p.add_argument("--impl", choices=["interpref", "cpython"], default="interpref",
                   help="ops only: run the programs on CPython's test.support.interpreters")
    p.add_argument("--work-dir", help="where corpora, logs and artifacts go "
                                      "(default <build-dir>/campaigns/<timestamp>)")
    p.add_argument("--report", help="summary file (default reports/fuzz/summary.md, "
                                    "reports/fuzz/summary-afl.md for AFL++)")
    p.add_argument("--scn-dir", default=os.path.join(ROOT, "conformance", "suite", "fuzz"),
                   help="where scenarios of findings go (default conformance/suite/fuzz)")
    p.add_argument("--update-corpus", action="store_true",
                   help="copy the merged corpus into fuzz/corpus/<harness>/")
    p.add_argument("--minimize-runs", type=int, default=0,
                   help="libFuzzer -runs per minimisation step (default per harness: "
                        "20000 parser, 1000 ops, 2000 shareable)")
    p.add_argument("--minimize-seconds", type=int, default=120,
                   help="time cap of one minimisation step (libFuzzer -max_total_time)")
    p.add_argument("--gcov-tree",
                   help="a --coverage build tree of its own (its .gcda files are deleted "
                        "before each measurement), e.g. configured with "
                        "-DINTERPCHECK_COVERAGE=ON, whose replay drivers measure line/branch "
                        "coverage of the seeds and the merged corpus with gcovr")
    p.add_argument("--cpython-gcov",
                   help="with --impl cpython: the source tree of a CPython built in place with "
                        "--coverage (tools/cpython-debug-build --flavour gcov); --gcov-tree is "
                        "then a tree built against that CPython, and the coverage is of "
                        "CPython's Modules/_interp*module.c and Python/crossinterp*.c")
    p.add_argument("--pythonmalloc", default="malloc",
                   choices=("malloc", "malloc_debug", "pymalloc", "pymalloc_debug"),
                   help="PYTHONMALLOC of the fuzzed processes (default malloc: ASan sees every "
                        "Python object).  The reference's own memory is malloc'd "
                        "(ref/alloc.c), so ASan watches it with any choice; pymalloc_debug "
                        "puts Python's objects under CPython's debug hooks instead, for about "
                        "half the CPU per input (fuzz/README.md).  A CPython built with ASan "
                        "has no pymalloc")
    p.add_argument("--findings-only", action="store_true",
                   help="do not fuzz: re-process the findings already in --work-dir")
    p.add_argument("--smoke", action="store_true",
                   help="CTest smoke run: touch only --work-dir; exit 1 on any finding")
    args = p.parse_args(argv)
    args.argv = argv
    global PYTHONMALLOC
    PYTHONMALLOC = args.pythonmalloc
    args.seconds = args.seconds if args.seconds is not None else int(round(args.minutes * 60))
    if args.seconds <= 0 or args.jobs <= 0:
        die("--minutes/--seconds and --jobs must be positive")
    harnesses = HARNESSES if args.harness == "all" else [args.harness]
    if any(h not in HARNESSES for h in harnesses):
        die("unknown harness %r (expected %s or all)" % (args.harness, ", ".join(HARNESSES)))
    if args.impl == "cpython" and harnesses != ["ops"]:
        die("--impl cpython applies to --harness ops only")
    if args.engine == "afl" and shutil.which("afl-fuzz") is None:
        die("afl-fuzz not found: apt-get install afl++")
    args.build_dir = os.path.abspath(args.build_dir or default_build_dir(args))
    if args.gcov_tree:
        args.gcov_tree = os.path.abspath(args.gcov_tree)
    if args.cpython_gcov:
        if args.impl != "cpython" or not args.gcov_tree:
            die("--cpython-gcov needs --impl cpython and --gcov-tree")
        args.cpython_gcov = os.path.abspath(args.cpython_gcov)
    started = datetime.datetime.now()
    # The source as it is when the binaries are built (others may commit
    # while the campaign runs).
    args.commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                      stderr=subprocess.DEVNULL).stdout.decode().strip() or "?"
    args.dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--", "ref", "tools/interpcheck",
                      "fuzz"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    args.work_root = os.path.abspath(args.work_dir or os.path.join(args.build_dir, "campaigns", stamp))
    if args.smoke:
        args.scn_dir = os.path.join(args.work_root, "scenarios")
        args.update_corpus = False
    else:
        args.scn_dir = os.path.abspath(args.scn_dir)
    report = args.report or (os.path.join(args.work_root, "summary-%s.md" % args.harness) if args.smoke else
                             os.path.join(ROOT, "reports", "fuzz",
                                          "summary.md" if args.engine == "libfuzzer"
                                          else "summary-afl.md"))
    if args.findings_only and not args.work_dir:
        die("--findings-only needs --work-dir")
    if not args.no_build:
        build(args, harnesses)
        if args.gcov_tree:
            targets = ["fuzz_%s_replay" % h for h in harnesses]
            if run(["cmake", "--build", args.gcov_tree, "--target"] + targets).returncode != 0:
                die("building the replay drivers of %s failed" % args.gcov_tree)

    results = []
    for h in harnesses:
        work = os.path.join(args.work_root, h)
        if args.smoke and not args.findings_only:
            shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work, exist_ok=True)
        extra = {"OPS_IMPL": "cpython"} if args.impl == "cpython" else None
        env = sanitizer_env(h, args.engine, extra)
        if args.findings_only:
            stats = load_stats(work)
            if not stats.get("execs") and args.engine == "libfuzzer" and \
                    os.path.exists(os.path.join(work, "fuzz.log")):
                stats = parse_fork_log(os.path.join(work, "fuzz.log"), stats)
            merged = os.path.join(work, "merged")
            os.makedirs(merged, exist_ok=True)
        elif args.engine == "libfuzzer":
            stats = libfuzzer_run(args, h, work, args.seconds, env)
            save_stats(work, stats)
            merged = libfuzzer_merge(args, h, work, env)
        else:
            stats = afl_run(args, h, work, args.seconds, env)
            save_stats(work, stats)
            merged = afl_merge(args, h, work, env)
        raw = libfuzzer_findings(work) if args.engine == "libfuzzer" else afl_findings(work)
        seeds_dir = os.path.join(ROOT, "fuzz", "corpus", h)
        if args.engine == "libfuzzer":
            stats["cov_seeds"], stats["ft_seeds"] = libfuzzer_coverage(args, h, seeds_dir, env)
            stats["cov_merged"], stats["ft_merged"] = libfuzzer_coverage(args, h, merged, env)
        if args.gcov_tree:
            stats["gcov_seeds"] = gcov_coverage(args, h, seeds_dir)
            stats["gcov_merged"] = gcov_coverage(args, h, merged)
        seeds = len(os.listdir(os.path.join(ROOT, "fuzz", "corpus", h)))
        n_merged = len(os.listdir(merged))
        if args.update_corpus:
            dest = os.path.join(ROOT, "fuzz", "corpus", h)
            added = 0
            for name in os.listdir(merged):
                src = os.path.join(merged, name)
                target = os.path.join(dest, sha1_file(src))
                known = any(sha1_file(os.path.join(dest, n)) == sha1_file(src) for n in os.listdir(dest))
                if not known:
                    shutil.copy(src, target)
                    added += 1
            log("%s: %d merged inputs added to %s" % (h, added, rel(dest)))
        findings = process_findings(args, h, work, raw, env)
        log("%s: %s execs, %s exec/s, %d finding(s)" % (h, fmt(stats.get("execs")),
                                                         fmt(stats.get("exec_per_sec")), len(findings)))
        results.append({"harness": h, "stats": stats, "seeds": seeds, "merged": n_merged,
                        "findings": findings})
    write_report(args, results, started, report)
    if not args.smoke and not args.findings_only:
        hist = os.path.join(os.path.dirname(os.path.abspath(report)), "history.jsonl")
        with open(hist, "a") as f:
            for r in results:
                f.write(json.dumps({"started": started.isoformat(timespec="seconds"),
                                    "engine": args.engine, "impl": args.impl,
                                    "ref_dir": rel(args.ref_dir) if args.ref_dir else "ref",
                                    "seconds": args.seconds, "jobs": args.jobs, **r},
                                   sort_keys=True) + "\n")
    return 1 if any(r["findings"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""tools/bench/report.py: goals, Markdown and gnuplot plots for bench.py's results.

evaluate(results) -> list of goals, each {id, group, text, measured, target, met}
write(results, markdown_path, plot_dir): reports/performance.md, the SVG
plots (gnuplot; skipped with a note when gnuplot is missing) and
results.json (raw numbers, latency samples left out).
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

IMPL = {
    "ref": "interpref",
    "cpython": "CPython high-level",
    "cpython-ll": "CPython low-level",
    "queue": "queue.Queue",
}
CPY_MODULE = {
    "3.11": {"cpython": "test.support.interpreters",
             "cpython-ll": "_xxsubinterpreters.channel_send/channel_recv, create/destroy"},
    "3.13": {"cpython": "test.support.interpreters(.channels)",
             "cpython-ll": "_interpchannels.send/recv, _interpreters.create/destroy"},
}
WHERE = {"same": "same interpreter", "cross": "main -> subinterpreter"}
GROUPS = ("3.11", "3.13")
RATE_IMPLS = ("ref", "cpython-ll", "cpython")   # the rows of the pairs and lifecycle tables


def kind_text(kind):
    """A lifecycle kind as the report words it."""
    return "isolated" if kind == "isolated" else "not isolated"


def against_lowlevel(data, cases):
    """Pairs or lifecycle results where interpref and CPython's low level were both
    measured: (group, case, interpref's, CPython's, CPU-time ratio, wall ratio)."""
    for group in GROUPS:
        for case in cases:
            r, c = data.get("%s/ref/%s" % (group, case)), data.get("%s/cpython-ll/%s" % (group, case))
            if r and c:
                yield group, case, r, c, r["rate_cpu"] / c["rate_cpu"], r["rate_wall"] / c["rate_wall"]


def us(ns):
    if ns is None:
        return "n/a"
    v = ns / 1000.0
    if v >= 100000:
        return "%.0f ms" % (v / 1000)
    if v >= 1000:
        return "%.1f ms" % (v / 1000)
    if v >= 100:
        return "%.0f µs" % v
    return "%.1f µs" % v


def rate(x):
    if x is None:
        return "n/a"
    if x >= 1e6:
        return "%.2f M/s" % (x / 1e6)
    if x >= 1e3:
        return "%.0f k/s" % (x / 1e3)
    return "%.1f /s" % x


def ratio(a, b):
    if not a or not b:
        return "n/a"
    r = a / b
    return "%.0f" % r if r >= 100 else "%.1f" % r if r >= 10 else "%.2f" % r


def ms(seconds):
    return "n/a" if seconds is None else "%.2f ms" % (seconds * 1000)


# ---- goals -----------------------------------------------------------------


def evaluate(results):
    import targets   # tools/bench/targets.py
    goals = targets.goals(results.get("targets", {}))
    ho = results.get("handoff", {})
    for group in ("3.11", "3.13"):
        worst = None
        for where in ("same", "cross"):
            h = ho.get("%s/ref/%s" % (group, where))
            if h:
                for side in ("recv_p50", "send_p50"):
                    if worst is None or h[side] > worst[0]:
                        worst = (h[side], where, side)
        if worst:
            goals.append({
                "id": "handoff-50us", "group": group,
                "text": "blocking handoff p50 <= 50 µs (interpref, Python %s; worst of receiver "
                        "and sender, same and cross)" % group,
                "measured": "%s (%s, %s)" % (us(worst[0]), worst[1],
                                             "receiver" if worst[2] == "recv_p50" else "sender returns"),
                "target": "<= 50 µs", "met": worst[0] <= 50000})
    cmp = []
    for where in ("same", "cross"):
        r, c = ho.get("3.13/ref/%s" % where), ho.get("3.13/cpython/%s" % where)
        if r and c:
            for side in ("recv_p50", "send_p50"):
                cmp.append((r[side] / c[side], where, side, r[side], c[side]))
    if cmp:
        worst = max(cmp)
        goals.append({
            "id": "handoff-vs-cpython313", "group": "3.13",
            "text": "blocking handoff no slower than CPython 3.13's channels (p50, worst case)",
            "measured": "interpref %s vs CPython %s (%s, %s): ratio %.4f" % (
                us(worst[3]), us(worst[4]), worst[1],
                "receiver" if worst[2] == "recv_p50" else "sender returns", worst[0]),
            "target": "ratio <= 1", "met": worst[0] <= 1.0})
    for group, where, r, c, rc, rw in against_lowlevel(results.get("pairs", {}), ("same", "cross")):
        goals.append({
            "id": "pairs-vs-lowlevel", "group": group,
            "text": "send_nowait+recv_nowait pairs (documented API) >= CPython %s low-level, %s"
                    % (group, WHERE[where]),
            "measured": "%s vs %s: ratio %.2f on CPU time (%.2f on wall)" % (
                rate(r["rate_cpu"]), rate(c["rate_cpu"]), rc, rw),
            "target": "ratio >= 1", "met": rc >= 1.0})
    for group, kind, r, c, rc, rw in against_lowlevel(results.get("lifecycle", {}),
                                                      ("isolated", "shared")):
        goals.append({
            "id": "lifecycle-5pct", "group": group, "kind": kind,
            "text": "create()+close() within 5%% of CPython %s low-level create/destroy (%s)"
                    % (group, kind_text(kind)),
            "measured": "%s vs %s: ratio %.3f on CPU time (%.3f on wall)%s" % (
                rate(r["rate_cpu"]), rate(c["rate_cpu"]), rc, rw,
                instructions_ratio_text(results, group, kind)),
            "target": "ratio >= 0.95", "met": rc >= 0.95, "ratio": rc})
    runner = results.get("runner", {})
    e = runner.get("empty", {}).get("in process -j 1")
    if e:
        ff = runner.get("forkfloor")
        goals.append({
            "id": "runner-overhead", "group": "3.11",
            "text": "runner overhead per scenario <= 2 ms (in process, -j 1, wall)",
            "measured": "%s wall (%s CPU)%s" % (
                ms(e["wall_median"]), ms(e["cpu_median"]),
                "; a bare fork()+_exit() of the same Python: %s wall" % ms(ff["wall"])
                if ff else ""),
            "target": "<= 2 ms", "met": e["wall_median"] <= 0.002})
    for label, s in runner.get("suite", {}).items():
        if label.startswith("subset -j 2"):
            goals.append({
                "id": "suite-200", "group": "3.11",
                "text": "a %d-scenario suite in under 15 s on 2 cores (-j 2)" % s["count"],
                "measured": "%.1f s (median of %d)" % (s["wall_median"], len(s["wall"])),
                "target": "< 15 s", "met": s["wall_median"] < 15})
    return goals


# ---- plots -----------------------------------------------------------------

SVG = "set terminal svg size 1100,600 dynamic enhanced font 'Helvetica,13' background '#ffffff'\n"


def cdf_points(samples, points=400):
    ordered = sorted(samples)
    n = len(ordered)
    if n == 0:
        return []
    if n <= points:
        return [(v / 1000.0, (i + 1) / n) for i, v in enumerate(ordered)]
    out = []
    for k in range(points + 1):
        i = min(n - 1, int(round(k * (n - 1) / points)))
        out.append((ordered[i] / 1000.0, (i + 1) / n))
    # keep the tail exact: the last 1 % point by point (up to 200 points)
    tail = max(0, n - min(200, max(1, n // 100)))
    out.extend((ordered[i] / 1000.0, (i + 1) / n) for i in range(tail, n))
    out.sort()
    return out


def gnuplot(script, plot_dir, notes):
    exe = shutil.which("gnuplot")
    if not exe:
        notes.append("gnuplot is not installed: no plots (apt-get install gnuplot-nox)")
        return False
    proc = subprocess.run([exe], input=script, universal_newlines=True, cwd=plot_dir,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        notes.append("gnuplot failed: %s" % proc.stderr.strip()[-500:])
        return False
    return True


def plot_handoff(results, plot_dir, tmp, notes):
    made = []
    ho = results.get("handoff", {})
    for group in ("3.11", "3.13"):
        keys = [k for k in ho if k.startswith(group + "/")]
        if not keys:
            continue
        for side, title in (("recv_ns", "receiver has the object"),
                            ("send_ns", "blocking send() returns")):
            lines = []
            for key in sorted(keys):
                h = ho[key]
                case = h["case"]
                name = "%s, %s%s" % (IMPL[case["impl"]], WHERE[case["where"]],
                                     " (paced like CPython)" if case.get("control") else "")
                if case["impl"] == "cpython":
                    name = "CPython %s, %s" % (group, WHERE[case["where"]])
                dat = os.path.join(tmp, "%s-%s.dat" % (key.replace("/", "_"), side))
                with open(dat, "w") as f:
                    for x, y in cdf_points(h[side]):
                        f.write("%.3f %.5f\n" % (x, y))
                dash = "dt 2" if case.get("control") else "dt 1"
                lines.append("'%s' using 1:2 with steps lw 2 %s title '%s'" % (dat, dash, name))
            out = "handoff-%s-%s.svg" % ("receiver" if side == "recv_ns" else "sender", group)
            script = SVG + (
                "set output '%s'\n"
                "set title 'Blocking handoff, Python %s: time until the %s (CDF, all repetitions)'\n"
                "set logscale x 10\nset xlabel 'latency (log scale)'\nset ylabel 'fraction of rounds'\n"
                "set xtics ('1 µs' 1, '10 µs' 10, '100 µs' 100, '1 ms' 1000, '10 ms' 10000, "
                "'100 ms' 100000, '1 s' 1000000, '10 s' 10000000)\n"
                "set yrange [0:1.02]\nset grid\nset key outside below maxrows 3\n"
                "plot %s\n") % (out, group, title, ", \\\n     ".join(lines))
            if gnuplot(script, plot_dir, notes):
                made.append(out)
    return made


def bars(name, title, ylabel, rows, columns, plot_dir, tmp, notes, logscale=False):
    """Clustered bars; a row label may hold \\n (a line break under its cluster)."""
    dat = os.path.join(tmp, name + ".dat")
    with open(dat, "w") as f:
        f.write("label " + " ".join('"%s"' % c for c in columns) + "\n")
        for i, (_, values) in enumerate(rows):
            f.write("%d %s\n" % (i, " ".join("NaN" if v is None else "%.6g" % v
                                              for v in values)))
    out = name + ".svg"
    tics = ", ".join('"%s" %d' % (label.replace('"', "'"), i) for i, (label, _) in enumerate(rows))
    plots = ", \\\n     ".join(
        "'%s' using %d title columnheader(%d)" % (dat if i == 0 else "", i + 2, i + 2)
        for i in range(len(columns)))
    script = SVG + (
        "set output '%s'\nset title '%s'\nset ylabel '%s'\n"
        "set style data histograms\nset style histogram clustered gap 1\n"
        "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset grid ytics\n"
        "set key top right\nset yrange [0:*]\nset xtics nomirror (%s)\n"
        "set bmargin 5\n%s"
        "plot %s\n") % (out, title, ylabel, tics,
                        "set logscale y\nset yrange [*:*]\n" if logscale else "", plots)
    return out if gnuplot(script, plot_dir, notes) else None


def runner_tic(label):
    """A short x label (up to three lines) for a row of the runner's table."""
    j = "-j 2" if "-j 2" in label else "-j 1"
    if label.startswith("--python"):
        return "--python\\n%s" % j
    extra = ""
    if "3.13" in label:
        extra = "\\n3.13 runner"
    elif ".pyc" in label and "warm" in label:
        extra = "\\n.pyc+warm"
    elif ".pyc" in label:
        extra = "\\n.pyc"
    elif "warm" in label:
        extra = "\\nwarm-up"
    return "in-proc\\n%s%s" % (j, extra)


def rate_bars(data, cases, case_text, scale=lambda v: v):
    """The bar rows of pairs or lifecycle: per Python and case, the CPU-time rates of
    RATE_IMPLS, through `scale`; cases with no rate at all are left out."""
    rows = []
    for group in GROUPS:
        for case in cases:
            vals = [data.get("%s/%s/%s" % (group, impl, case), {}).get("rate_cpu")
                    for impl in RATE_IMPLS]
            if any(vals):
                rows.append(("Python %s\\n%s" % (group, case_text(case)), [scale(v) for v in vals]))
    return rows


def plot_bars(results, plot_dir, tmp, notes):
    made = []
    impls = ["interpref", "CPython low-level", "CPython high-level"]
    pairs = results.get("pairs", {})
    if pairs:
        rows = rate_bars(pairs, ("same", "cross"), WHERE.get, lambda v: v / 1e6 if v else None)
        out = bars("pairs", "send\\_nowait + recv\\_nowait pairs per second (CPU time, median)",
                   "million pairs per second", rows, impls, plot_dir, tmp, notes)
        if out:
            made.append(out)
    life = results.get("lifecycle", {})
    if life:
        rows = rate_bars(life, ("isolated", "shared"), kind_text)
        out = bars("lifecycle", "create() + close() per second (CPU time, median)",
                   "interpreters per second", rows, impls, plot_dir, tmp, notes)
        if out:
            made.append(out)
    runner = results.get("runner", {})
    if runner.get("empty"):
        rows = []
        for label, e in sorted(runner["empty"].items(), key=lambda kv: empty_order(kv[0])):
            rows.append((runner_tic(label), [e["wall_median"] * 1000, e["cpu_median"] * 1000]))
        ff = runner.get("forkfloor")
        if ff:
            rows.append(("fork+exit\\nfloor", [ff["wall"] * 1000, ff["cpu"] * 1000]))
        for cmd, s in runner.get("startup", {}).items():
            short = "python\\n-c pass" if cmd.endswith("-c pass") else "python\\nexecutor.py"
            rows.append((short, [s["median"] * 1000, (s["user"] + s["system"]) * 1000]))
        out = bars("runner", "Runner: cost per scenario (empty scenarios) and Python start-up",
                   "milliseconds (log scale)", rows, ["wall", "CPU"], plot_dir, tmp, notes,
                   logscale=True)
        if out:
            made.append(out)
    return made


# ---- Markdown --------------------------------------------------------------


def write(results, md_path, plot_dir, replot=True):
    """replot=False: Markdown only, from a results.json, keeping the plots there."""
    os.makedirs(plot_dir, exist_ok=True)
    notes = []
    if not replot:
        plots = sorted(f for f in os.listdir(plot_dir) if f.endswith(".svg"))
        rel_plots = os.path.relpath(plot_dir, os.path.dirname(md_path))
        md = render(results, plots, rel_plots, notes)
        with open(md_path, "w") as f:
            f.write(md)
        write_html(md, md_path, plot_dir, rel_plots)
        return
    tmp = tempfile.mkdtemp(prefix="interpcheck-bench-plot-")
    try:
        plots = plot_handoff(results, plot_dir, tmp, notes) + plot_bars(results, plot_dir, tmp, notes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    raw = dict(results)
    raw["handoff"] = {k: {kk: vv for kk, vv in v.items() if kk not in ("recv_ns", "send_ns")}
                      for k, v in results.get("handoff", {}).items()}
    with open(os.path.join(plot_dir, "results.json"), "w") as f:
        json.dump(raw, f, indent=1, sort_keys=True, default=str)
    rel_plots = os.path.relpath(plot_dir, os.path.dirname(md_path))
    md = render(results, plots, rel_plots, notes)
    with open(md_path, "w") as f:
        f.write(md)
    write_html(md, md_path, plot_dir, rel_plots)


def write_html(md, md_path, plot_dir, rel_plots):
    """The same report as one self-contained HTML file (plots inlined), next to the Markdown.

    Rendered by Python-Markdown (Debian's python3-markdown, which tools/bench/run
    installs); this script runs without site (-S), so Debian's dist-packages
    folder is added by hand.  Without the package the HTML is left out, with a
    message, and the Markdown stays complete.
    """
    html_path = os.path.splitext(md_path)[0] + ".html"
    dist = "/usr/lib/python3/dist-packages"
    if os.path.isdir(dist) and dist not in sys.path:
        sys.path.append(dist)
    try:
        import markdown
    except ImportError:
        sys.stderr.write("report: python3-markdown missing: %s not written\n" % html_path)
        return
    body = markdown.markdown(md, extensions=["tables"], output_format="html")
    # Inline each plot: the file then stands alone (a CI artifact, an e-mail).
    for name in sorted(os.listdir(plot_dir)):
        if name.endswith(".svg"):
            with open(os.path.join(plot_dir, name)) as f:
                svg = f.read()
            svg = svg[svg.find("<svg"):]   # drop the XML declaration and doctype
            body = re.sub(r'<img alt="([^"]*)" src="%s"\s*/?>'
                          % re.escape("%s/%s" % (rel_plots, name)),
                          lambda m: '<figure>%s<figcaption>%s</figcaption></figure>'
                          % (svg, m.group(1)), body)
    style = ("body{font:15px/1.45 system-ui,sans-serif;max-width:70em;margin:2em auto;"
             "padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}"
             "th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}"
             "th{background:#f3f3f3}code{background:#f6f6f6;padding:0 .2em}"
             "figure{margin:1em 0}svg{max-width:100%;height:auto}")
    with open(html_path, "w") as f:
        f.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                "<title>interpcheck performance</title><style>%s</style></head><body>\n"
                "%s\n</body></html>\n" % (style, body))


def render(results, plots, rel_plots, notes):
    L = []
    add = L.append
    m0, m1 = results["machine_before"], results["machine_after"]
    opts = results["options"]
    add("# Performance: interpref and interpcheck against CPython")
    add("")
    add("Made by `tools/bench/run` on %s in %.1f minutes; do not edit, run it again. "
        "Raw numbers: `%s/results.json`." % (results["started"], results["seconds"] / 60,
                                             rel_plots))
    if opts.get("quick"):
        add("")
        add("**Quick mode** (`--quick`): small counts that check the scripts; the numbers "
            "below are not measurements.")
    add("")
    add("## Goals")
    add("")
    add("| goal | measured | target | met |")
    add("| --- | --- | --- | --- |")
    for g in results.get("goals", []):
        add("| %s | %s | %s | %s |" % (g["text"], g["measured"], g["target"],
                                       "yes" if g["met"] else "**no**"))
    add("")
    add("CPU-bound measurements (pairs, create+close) are judged on CPU time (the calling "
        "thread's `time.thread_time`), because the machine was shared and wall time there "
        "mostly measures the other work; the wall-time ratio is given next to it. Latencies "
        "and the runner are judged on wall time. Profiles of missed goals are at the end.")
    add("")
    # machine
    add("## Machine and load")
    add("")
    add("- CPU: %s; `nproc`: %s (usable: %s); memory: %s" % (
        m0.get("cpu", "?"), m0["nproc"], m0["affinity"], m0.get("memory", "?")))
    add("- Kernel: %s; Debian %s" % (m0["kernel"], m0.get("debian", "?")))
    add("- `uptime` before: `%s`" % m0["uptime"])
    add("- `uptime` after: `%s`" % m1["uptime"])
    loads = [l for _, l in results.get("loads", [])]
    if loads:
        add("- 1-minute load average sampled before each of the %d measurements: min %.2f, "
            "median %.2f, max %.2f (2 cores: above 2 means other work was waiting for a CPU)"
            % (len(loads), min(loads), statistics.median(loads), max(loads)))
    add("- Busiest processes when the run started (`ps -eo pcpu,etime,comm --sort=-pcpu`): %s"
        % "; ".join("`%s`" % b for b in m0.get("busiest", [])[:6]))
    git = results.get("git", {})
    add("- Source: commit %s%s" % (git.get("commit", "?"),
                                   (", with uncommitted changes in: %s" % ", ".join(
                                       "`%s`" % d.strip() for d in git["dirty"]))
                                   if git.get("dirty") else ", ref/ and tools/interpcheck/ clean"))
    for g in results.get("groups", []):
        add("- Python %s comparison: `%s` (%s) for both sides, interpref from `%s/python`"
            % (g["label"], g["python"], g.get("version", "?"), g["build"]))
    add("- Repetitions: %d of each API measurement, %d of each runner measurement; the "
        "implementations compared alternate within each repetition (order rotated); the "
        "tables give the median over repetitions." % (opts["reps"], opts["runner_reps"]))
    add("")
    render_handoff(results, plots, rel_plots, add)
    render_pairs(results, plots, rel_plots, add)
    render_lifecycle(results, plots, rel_plots, add)
    render_runner(results, plots, rel_plots, add)
    render_targets(results, add)
    render_fuzz(results, add)
    render_profiles(results, add)
    add("## Commands")
    add("")
    add("Everything: `tools/bench/run` (options: `tools/bench/run --help`). Each measurement "
        "is one process; the last command line of each:")
    add("")
    add("```sh")
    seen = set()
    for section in ("handoff", "pairs", "lifecycle"):
        for key in sorted(results.get(section, {})):
            cmd = results[section][key].get("cmd")
            if cmd and cmd not in seen:
                seen.add(cmd)
                add(cmd)
    for section in ("suite", "empty"):
        for label, s in sorted(results.get("runner", {}).get(section, {}).items()):
            add(s["cmd"])
    add("```")
    if notes:
        add("")
        add("Notes: " + "; ".join(notes))
    add("")
    return "\n".join(L)


def section(results, key, heading, add):
    """results[key], once the section's heading is added; None, and no heading,
    when that part was not measured."""
    data = results.get(key)
    if not data:
        return None
    add("## " + heading)
    add("")
    return data


def render_handoff(results, plots, rel_plots, add):
    ho = section(results, "handoff", "1. Blocking handoff latency", add)
    if not ho:
        return
    opts = results["options"]   # the per-CPython round counts below
    add("One thread blocked in `recv()`, the main thread calls the blocking `send()` with "
        "`time.perf_counter_ns()` taken just before the call; the receiver records the time "
        "when `recv()` has returned the object, the sender when `send()` has returned. "
        "`same`: the receiver is a thread of the main interpreter; `cross`: it is a thread "
        "of main running a subinterpreter (`run()`/`exec()`), so the object crosses "
        "interpreters. Before each round the sender pauses at random (0.5-1.5 ms for "
        "blocking receivers; 0.5-10.5 ms for CPython's polling receivers, so that the send "
        "meets the 10 ms poll at a random phase). p50/p99 are computed per repetition, then "
        "the median over repetitions is shown.")
    add("")
    add("- CPython 3.11 (`test.support.interpreters`): `recv()` polls every 10 ms and "
        "`send()` sleeps 2 s after queueing (it has no blocking send), so it runs only "
        "**%d rounds per repetition** (its p99 is then the maximum of each repetition)."
        % opts["rounds_cpython311"])
    add("- CPython 3.13 (`test.support.interpreters.channels`): `send()` really blocks until "
        "received, but `recv()` polls every 10 ms; %d rounds per repetition. The row "
        "\"paced like CPython\" is interpref with CPython's longer pauses, to show what the "
        "pacing alone changes (a longer idle before each round)." % opts["rounds_cpython313"])
    add("- `queue.Queue` between two threads (`put()` + `join()` against `get()` + "
        "`task_done()`) is the floor of a handoff between Python threads.")
    add("")
    for group in ("3.11", "3.13"):
        keys = sorted(k for k in ho if k.startswith(group + "/"))
        if not keys:
            continue
        add("### Python %s" % group)
        add("")
        add("| implementation | where | rounds x reps | receiver p50 | receiver p99 | "
            "send() returns p50 | p99 | p50 ÷ interpref's (receiver / sender) |")
        add("| --- | --- | --- | --- | --- | --- | --- | --- |")
        order = {"ref": 0, "cpython": 1, "queue": 2}
        keys.sort(key=lambda k: (order[ho[k]["case"]["impl"]], ho[k]["case"]["where"] != "same",
                                 bool(ho[k]["case"].get("control"))))
        for key in keys:
            h = ho[key]
            case = h["case"]
            ref = ho.get("%s/ref/%s" % (group, case["where"]))
            name = IMPL[case["impl"]]
            if case["impl"] == "cpython":
                name = "CPython %s `%s`" % (group, CPY_MODULE[group]["cpython"])
            if case.get("control"):
                name += " (paced like CPython)"
            rel = "-" if case["impl"] == "ref" and not case.get("control") else "%s / %s" % (
                ratio(h["recv_p50"], ref and ref["recv_p50"]),
                ratio(h["send_p50"], ref and ref["send_p50"]))
            add("| %s | %s | %d x %d | %s | %s | %s | %s | %s |" % (
                name, case["where"], case["rounds"], len(h["reps"]), us(h["recv_p50"]),
                us(h["recv_p99"]), us(h["send_p50"]), us(h["send_p99"]), rel))
        add("")
        for side in ("receiver", "sender"):
            name = "handoff-%s-%s.svg" % (side, group)
            if name in plots:
                add("![handoff latency, %s, Python %s](%s/%s)" % (side, group, rel_plots, name))
                add("")


def add_rate_rows(add, data, cases, case_text, each):
    """The rows of the pairs or lifecycle table: per Python and case, RATE_IMPLS that
    were measured, with their rates, `each(s)` (one operation's cost, formatted) and
    interpref's rate over theirs on CPU and wall time."""
    for group in GROUPS:
        for case in cases:
            ref = data.get("%s/ref/%s" % (group, case))
            for impl in RATE_IMPLS:
                s = data.get("%s/%s/%s" % (group, impl, case))
                if not s:
                    continue
                add("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    group, case_text(case), IMPL[impl], rate(s["rate_cpu"]), rate(s["rate_wall"]),
                    each(s),
                    "-" if impl == "ref" else ratio(ref and ref["rate_cpu"], s["rate_cpu"]),
                    "-" if impl == "ref" else ratio(ref and ref["rate_wall"], s["rate_wall"])))


def render_pairs(results, plots, rel_plots, add):
    pairs = section(results, "pairs", "2. Non-blocking throughput", add)
    if not pairs:
        return
    n = next(iter(pairs.values()))["n"]
    add("`send_nowait(i)` then `recv_nowait()`, %d times, small ints, methods bound to locals "
        "(`same`); `cross`: %d `send_nowait()` in main, then %d `recv_nowait()` in a "
        "subinterpreter, each phase timed where it runs, pairs/s = n / (send phase + receive "
        "phase). CPython's low level: %s (3.11), %s (3.13). Rates: median of 3 loops per "
        "process, then median over repetitions; the empty loop costs %.0f ns (3.11) / %.0f ns "
        "(3.13) per iteration and is included."
        % (n, n, n, CPY_MODULE["3.11"]["cpython-ll"].split(",")[0],
           CPY_MODULE["3.13"]["cpython-ll"].split(",")[0],
           (pairs.get("3.11/ref/same") or {}).get("empty_ns", 0),
           (pairs.get("3.13/ref/same") or {}).get("empty_ns", 0)))
    add("")
    add("| Python | where | implementation | pairs/s (CPU) | pairs/s (wall) | ns per pair (CPU) "
        "| interpref ÷ this (CPU) | (wall) |")
    add("| --- | --- | --- | --- | --- | --- | --- | --- |")
    add_rate_rows(add, pairs, ("same", "cross"), str, lambda s: "%.0f" % (1e9 / s["rate_cpu"]))
    add("")
    if "pairs.svg" in plots:
        add("![pairs per second](%s/pairs.svg)" % rel_plots)
        add("")


def instructions_ratio(results, group, kind):
    """CPython low-level instructions per create()+close() over interpref's (callgrind)."""
    ir = results.get("lifecycle_ir", {})
    r, c = ir.get("%s/ref/%s" % (group, kind)), ir.get("%s/cpython-ll/%s" % (group, kind))
    if not r or not c or r["per_op"] <= 0:
        return None
    return c["per_op"] / r["per_op"]


def instructions_ratio_text(results, group, kind):
    q = instructions_ratio(results, group, kind)
    return "" if q is None else "; instructions (callgrind): ratio %.3f" % q


def render_lifecycle(results, plots, rel_plots, add):
    life = section(results, "lifecycle", "3. Interpreter lifecycle", add)
    if not life:
        return
    add("`create()` then `close()` in a loop (interpref: `create(isolated=...)`; CPython 3.11: "
        "`_xxsubinterpreters.create(isolated=...)`/`destroy()`; CPython 3.13: "
        "`_interpreters.create('isolated' or 'legacy')`/`destroy()`; the high-level rows use "
        "`test.support.interpreters.create()` and `close()`). On 3.13 `isolated` means PEP "
        "684's own GIL and obmalloc; on 3.11 all interpreters share the GIL, `isolated` only "
        "restricts threads, fork and exec. Median of 3 loops per process, then over repetitions.")
    add("")
    add("| Python | kind | implementation | per second (CPU) | per second (wall) | ms each (CPU) "
        "| interpref ÷ this (CPU) | (wall) |")
    add("| --- | --- | --- | --- | --- | --- | --- | --- |")
    add_rate_rows(add, life, ("isolated", "shared"), kind_text,
                  lambda s: "%.2f" % (1000 / s["rate_cpu"]))
    add("")
    ir = results.get("lifecycle_ir", {})
    if ir:
        add("Instructions executed per `create()` + `close()`, counted by callgrind: "
            "(I(n) - I(0)) / n, two runs of the same loop with n and with 0 iterations. A count "
            "does not depend on the machine's load, so it separates work from noise in the "
            "timings above.")
        add("")
        add("| Python | kind | interpref | CPython low-level | CPython ÷ interpref |")
        add("| --- | --- | --- | --- | --- |")
        for group in ("3.11", "3.13"):
            for kind in ("isolated", "shared"):
                r = ir.get("%s/ref/%s" % (group, kind))
                c = ir.get("%s/cpython-ll/%s" % (group, kind))
                if r and c:
                    add("| %s | %s | %.3f M | %.3f M | %.3f |" % (
                        group, kind_text(kind),
                        r["per_op"] / 1e6, c["per_op"] / 1e6, c["per_op"] / r["per_op"]))
        add("")
        add("Command (interpref, 3.11 isolated; the others change `--impl`, `--isolated` and the "
            "Python): `%s`" % next(iter(ir.values()))["cmd"])
        add("")
    if "lifecycle.svg" in plots:
        add("![create+close per second](%s/lifecycle.svg)" % rel_plots)
        add("")


def render_runner(results, plots, rel_plots, add):
    runner = section(results, "runner", "4. The runner", add)
    if not runner:
        return
    add("`%s` (in process: it initialises Python once and forks a child per scenario). CPU is "
        "the user+system time of the runner and all its children." % runner["runner"])
    add("")
    if runner.get("suite"):
        add("| run | wall (median) | each repetition | CPU (median) | result |")
        add("| --- | --- | --- | --- | --- |")
        for label, s in sorted(runner["suite"].items(),
                               key=lambda kv: (kv[0].startswith("subset"), kv[0])):
            add("| %s | %.1f s | %s | %.1f s | %s |" % (
                label, s["wall_median"], ", ".join("%.1f" % w for w in s["wall"]),
                s["cpu_median"], s["summary"] if isinstance(s["summary"], str)
                else " ".join(s["summary"])))
        add("")
        add("Most of the suite's wall time is waiting, not work: `blocked` steps wait 0.2 s "
            "each (the short time class) and a few scenarios wait seconds on purpose (e.g. "
            "`send-blocks-until-received` looks 3 s for a send that must not return); the "
            "200-scenario subset is every scenario of `conformance/suite` in sorted order "
            "except every third.")
        add("")
    if runner.get("empty"):
        k = max(e["k"] for e in runner["empty"].values())
        add("Cost per scenario: the same empty scenario (`do: pass`) K times against once, "
            "(T(K) - T(1)) / (K - 1), K = %d in process, %d with `--python`:"
            % (k, min(e["k"] for e in runner["empty"].values())))
        add("")
        add("| mode | per scenario, wall | CPU | start-up with one scenario (wall) |")
        add("| --- | --- | --- | --- |")
        for label, e in sorted(runner["empty"].items(), key=lambda kv: empty_order(kv[0])):
            add("| %s | %s | %s | %s |" % (label, ms(e["wall_median"]), ms(e["cpu_median"]),
                                           ms(median_of(e["start_wall"]))))
        ff = runner.get("forkfloor")
        if ff:
            add("| floor: `fork()` + one write + `_exit()` of the same Python (interpref and "
                "the executor imported; %.0f page faults per child) | %s | %s | |"
                % (ff["faults"], ms(ff["wall"]), ms(ff["cpu"])))
        for cmd, s in runner.get("startup", {}).items():
            add("| `%s` (%s) | %s | %s | |" % (cmd, s["tool"], ms(s["median"]),
                                               ms(s["user"] + s["system"])))
        add("")
        add("The rows with `executor.py` variants run the same runner with `--path` "
            "pointing at a temporary copy of `tools/interpcheck/executor.py`: byte-compiled "
            "(what any `import executor` with bytecode writing on leaves in "
            "`tools/interpcheck/__pycache__/`), and with one empty scenario run in the "
            "runner's parent when it imports the module, before the first fork (the change "
            "proposed below, emulated without touching the runner).")
        add("")
        inproc = runner["empty"].get("in process -j 1")
        fresh = next((e for l, e in runner["empty"].items() if l.startswith("--python")
                      and l.endswith("-j 1")), None)
        if inproc and fresh:
            add("A fresh Python per scenario (`--python`) costs %.0fx the in-process "
                "runner's per-scenario time (wall)." % (fresh["wall_median"] / inproc["wall_median"]))
            add("")
    if "runner.svg" in plots:
        add("![runner cost per scenario](%s/runner.svg)" % rel_plots)
        add("")


def empty_order(label):
    """Rows of the empty-scenario table in a fixed order (results.json sorts its keys)."""
    order = ["in process -j 1", "in process -j 2", "--python", "runner built for 3.13",
             "loaded from a .pyc", "from a .pyc, warmed up", "-j 1, warmed up"]
    for i, key in enumerate(reversed(order)):
        if key in label:
            return (len(order) - 1 - i, label)
    return (len(order), label)


def median_of(values):
    return statistics.median(values) if values else None


def render_targets(results, add):
    t = section(results, "targets", "5. Speed targets of the runner", add)
    if t is None:
        return
    m = t.get("machine", {})
    add("Measured by `tools/bench/run --no-build --only targets%s` on %s in %.1f minutes "
        "(`uptime` at the end: `%s`), each tree a fresh worktree with its own release build "
        "(tools/bench/targets.py). One run of each; the goals table above judges the current "
        "tree." % (" --baseline " + t["baseline"]["commit"] if t.get("baseline") else "",
                   t["started"], (t.get("seconds") or 0) / 60, m.get("uptime", "?")))
    add("")
    trees = [k for k in ("baseline", "current") if k in t]
    add("| measurement | " + " | ".join("%s (%s)" % (k, t[k]["commit"]) for k in trees) + " |")
    add("| --- |" + " ---: |" * len(trees))
    rows = [("suite, reference, default options: wall", lambda x: "%.1f s" % x["suite"]["wall"]),
            ("  its CPU (all processes)", lambda x: "%.1f s" % x["suite"]["cpu"]),
            ("  its longest scenario", lambda x: "%.1f s" % x["suite"]["longest"]),
            ("  wall / floor", lambda x: "%.2fx" % (x["suite"]["wall"] / x["suite"]["floor"])),
            ("one CPython 3.12 run: wall", lambda x: "%.1f s" % x["cpython"]["wall"]),
            ("the matrix: wall", lambda x: "%.0f s" % x["matrix"]["wall"]),
            ("  its CPU", lambda x: "%.0f s" % x["matrix"]["cpu"])]
    for label, cell in rows:
        add("| %s | %s |" % (label, " | ".join(cell(t[k]) for k in trees)))
    add("")
    if "changed" in t:
        add("Raw outcomes compared scenario by scenario over both matrices: %d of %d differ%s"
            % (len(t["changed"]), t["compared"], ":" if t["changed"] else "."))
        for c in t["changed"]:
            add("- %s" % c)
        add("")


def render_fuzz(results, add):
    add("## 6. Fuzzing")
    add("")
    fz = results.get("fuzz", {})
    if not fz.get("found"):
        add("Not measured here, and not available yet: `reports/fuzz/` did not exist when "
            "this report was made. The executions per second come from the fuzz campaign "
            "(`tools/fuzz-campaign`), which writes them to `reports/fuzz/summary.md` "
            "(libFuzzer) and `summary-afl.md` (AFL++); the next run of this report quotes them.")
    elif not fz["rows"]:
        add("`reports/fuzz/` exists but holds no exec/s figure yet; they come from "
            "`tools/fuzz-campaign`.")
    else:
        add("Quoted from `reports/fuzz/` (written by `tools/fuzz-campaign`, not measured "
            "here):")
        add("")
        add("| file | harness | fuzzed | exec/s | campaign |")
        add("| --- | --- | --- | --- | --- |")
        for r in fz["rows"]:
            add("| `%s` | %s | %s | %s | %s |" % (r["file"], r["harness"], r["fuzzed"],
                                               r["exec_per_sec"],
                                               r["note"].replace("- command:", "").strip()
                                               .replace("|", "\\|")))
    add("")


def render_profiles(results, add):
    profiles = results.get("profiles", {})
    missed = [g for g in results.get("goals", []) if g["met"] is False]
    add("## Profiles of missed goals")
    add("")
    if not missed:
        add("Every goal was met: no profile taken.")
        add("")
        return
    if not profiles:
        add("No profile taken (`--no-profile`, or `perf` unavailable).")
        add("")
    for group, prof in sorted(profiles.get("lifecycle", {}).items()):
        pc = prof["percent"]
        add("### create()+close(), Python %s (interpref, %s)" % (group, prof["kind"]))
        add("")
        add("`%s` (perf, DWARF call graphs). Inclusive share of all samples:" % prof["cmd"])
        add("")
        add("| function | share |")
        add("| --- | --- |")
        for sym in ("interp_create", "interp_close", "destroy", "Py_EndInterpreter",
                    "PyGC_Collect", "prepare_threading_shutdown", "PyRun_StringFlags"):
            if sym in pc:
                add("| `%s` | %.1f %% |" % (sym, pc[sym]))
        gc_share = pc.get("PyGC_Collect", 0)
        fix_share = pc.get("prepare_threading_shutdown", 0)
        ratios = ["%.3f (%s)" % (g["ratio"], kind_text(g["kind"]))
                  for g in results["goals"]
                  if g["id"] == "lifecycle-5pct" and g["group"] == group and "ratio" in g]
        add("")
        text = ("CPython's `destroy()` is `Py_EndInterpreter()` and little else. interpref's "
                "`close()` (`destroy()` in `ref/interp.c`) calls `PyGC_Collect()` only when "
                "`channel_check_interp_close()` reports items that would be lost, and on "
                "3.11/3.12 `prepare_threading_shutdown()` compiles its fix-up only when the "
                "interpreter imported `threading`; neither happens in this loop, and the "
                "samples under those names (%.1f %% and %.1f %%) are within CPython's own "
                "teardown" % (gc_share, fix_share))
        text += ("; the timed ratio interpref ÷ CPython low-level (CPU time) is %s."
                 % (", ".join(ratios) or "n/a"))
        add(text)
        add("")
        counts = [(kind, instructions_ratio(results, group, kind))
                  for kind in ("isolated", "shared")]
        counts = [(k, q) for k, q in counts if q is not None]
        if counts:
            add("The instruction counts of section 3 settle whether the gap is work: CPython's "
                "low-level create/destroy executes %s the instructions of interpref's "
                "create()+close() (ratio CPython ÷ interpref; above 1 means interpref does "
                "less). Where that ratio is at least 0.95 while the timed ratio is below, "
                "interpref does no extra work: the limit is the timing's noise on this "
                "machine (other processes, caches, frequency), not the code."
                % ", ".join("%.3f times (%s)" % (q, kind_text(k)) for k, q in counts))
            add("")
    prof = profiles.get("runner")
    if prof:
        pc = prof["percent"]
        per = prof.get("per_scenario", {})
        add("### Runner overhead per scenario")
        add("")
        add("`%s` (perf, frame-pointer call graphs, 200 empty scenarios)." % prof["cmd"])
        add("")
        add("- the runner process itself: %.1f %% of the samples (start-up included); its "
            "children, one per scenario: the rest" % (prof["parent"] or 0))
        add("- kernel: %.1f %%; page faults (`asm_exc_page_fault`): %.1f %%, of which "
            "copy-on-write (`do_wp_page`) %.1f %%; `fork()` (`__do_sys_clone`): %.1f %%; "
            "`_PyType_Lookup` (the method cache, written in the child): %.1f %%"
            % (prof["kernel"], pc.get("asm_exc_page_fault", 0), pc.get("do_wp_page", 0),
               pc.get("__do_sys_clone", 0), pc.get("_PyType_Lookup", 0)))
        if per:
            add("- per scenario (perf stat, 200 against 1): %s" % ", ".join(
                "%s %.1f" % (k, v) for k, v in sorted(per.items())))
        add("")
        empty = results.get("runner", {}).get("empty", {})
        base = empty.get("in process -j 1")
        pyc = next((e for l, e in empty.items() if l.endswith("loaded from a .pyc")), None)
        warm = next((e for l, e in empty.items() if l.startswith("in process -j 1, warmed up")), None)
        warm_pyc = next((e for l, e in empty.items() if "from a .pyc, warmed up" in l), None)
        add("Proposed change to `tools/interpcheck/pyhost.c` (not made: the runner is outside "
            "this work): at the end of `pyhost_start()`, once the executor and the "
            "implementation are imported, run one empty scenario in the parent "
            "(`executor.run()` of a built-in `do: pass` scenario, report to `/dev/null`) "
            "before the first `fork()`. Whatever the executor initialises lazily on its first "
            "run is then done once, in the parent, instead of in every child (where each "
            "write is a copy-on-write fault).")
        if base and warm:
            add("")
            add("Measured in this run with the change emulated (a copy of `executor.py` that "
                "runs that scenario when imported, given with `--path`): %s wall / %s CPU per "
                "scenario, against %s / %s as it is." % (
                    ms(warm["wall_median"]), ms(warm["cpu_median"]),
                    ms(base["wall_median"]), ms(base["cpu_median"])))
        if pyc and warm_pyc:
            add("")
            add("It matters most when `executor.py` has been byte-compiled (a "
                "`tools/interpcheck/__pycache__/executor.cpython-3X.pyc` left by anything "
                "that imported it with bytecode writing on): then each child costs %s wall / "
                "%s CPU as it is, and %s / %s with the warm-up." % (
                    ms(pyc["wall_median"]), ms(pyc["cpu_median"]),
                    ms(warm_pyc["wall_median"]), ms(warm_pyc["cpu_median"])))
        add("")
        add("A scenario's child is a `fork()` of the runner's initialised Python. Most of its "
            "CPU time is the kernel copying pages the child writes to: reference counts, the "
            "type method cache, allocator arenas (copy-on-write), plus duplicating the page "
            "tables at `fork()`; the Python work of an empty scenario is small. When the wall "
            "time exceeds the CPU time, the difference is waiting for a CPU that other work "
            "holds (see the load above) and the two wake-ups per scenario (parent -> child -> "
            "parent).")
        add("")

"""Build the conformance matrix (reports/matrix.{md,json,html}) from the
JSON-lines reports of several interpcheck runs.

    python3 tools/matrix_report.py --spec conformance/SPEC.md --out reports \\
        --run LABEL=PATH.jsonl [--run ...] --command "the command that made the runs"

The grid is clause x implementation.  A cell counts clauses from steps
(conformance/FORMAT.md, section 7): a failure is charged to the clause of
the step that decided it, so in each scenario citing the clause, the clause
passed (every step checking it ran and passed), failed (the failure is
charged to it) or was not reached (the scenario stopped earlier, at a step
charged to another clause or at a set-up step).  The cell is FAIL (or
TIMEOUT, CRASH: the worst) when it failed in any scenario, PASS when it
passed in all of them, otherwise not reached; it shows how many passed.
Outcomes are the raw ones, before expectation files are applied: the matrix
shows deviations, it does not excuse them.  Per implementation the matrix
also lists its root deviations: the distinct clauses failures are charged
to, each with the scenarios it stopped, and the set-up failures.  Each cell
links to the list of its scenarios with what happened.  The HTML page is
self-contained (no external resources).

It reads the JSON lines the runner writes with --jsonl (fields `clause`,
`setup_failed`, `clauses_passed`, `clauses_failed`, `clauses_not_reached`).
Reports of an older runner, without them, still load: a passing scenario
passes all its clauses, any other outcome fails them all (the old,
scenario-level charging), and their failures are listed as unattributed.

Standard library only; runs on any Python 3.8+.
"""

import argparse
import datetime
import html
import json
import os
import re
import subprocess
import sys

CLAUSE = re.compile(r"^- \*\*([A-Z][A-Z0-9-]*)\*\* \((MUST|SHOULD|MAY|IMPL)\): (.+)$")
# Worst first: what a cell shows when its scenarios disagree.
SEVERITY = ["CRASH", "TIMEOUT", "ERROR", "FAIL", "SKIP", "PASS"]
# The raw outcomes charged to a step (FORMAT.md section 7).
FAILURES = ("CRASH", "TIMEOUT", "FAIL")
NOT_REACHED = "not reached"


def read_spec(path):
    """{clause: {level, text}} and their order; a clause's text is its whole
    bullet, continuation lines (indented) included."""
    clauses, order = {}, []
    current = None
    with open(path, encoding="utf-8") as spec:
        for line in spec:
            line = line.rstrip("\n")
            match = CLAUSE.match(line)
            if match:
                cid, level, text = match.groups()
                current = clauses[cid] = {"level": level, "text": text}
                order.append(cid)
            elif current is not None and line.startswith("  ") and line.strip():
                current["text"] += " " + line.strip()
            else:
                current = None
    return clauses, order


def read_run(path):
    """The scenario records of a --jsonl file, and its run line (or {}):
    the runner opens the file with {"type": "run", ...}."""
    results, meta = [], {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                if record.get("type") == "run":
                    meta = meta or record
                else:
                    results.append(record)
    return results, meta


def git_line(root, *args):
    try:
        out = subprocess.run(["git", "-C", root] + list(args), capture_output=True, text=True,
                             check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def suite_version(root):
    """The commit of the suite's files (conformance/suite and SPEC.md), with
    "-dirty" only when those files have uncommitted changes: other work in
    the checkout does not make the suite dirty."""
    files = ["conformance/suite", "conformance/SPEC.md"]
    commit = git_line(root, "log", "-1", "--format=%h", "--", *files)
    if not commit:
        return "unknown"
    dirty = git_line(root, "status", "--porcelain", "--", *files)
    return commit + ("-dirty" if dirty else "")


def repo_relative(text, root):
    """text without the checkout's absolute path nor $HOME: reports under
    reports/ name files relative to the checkout."""
    if not isinstance(text, str):
        return text
    for prefix, by in ((root.rstrip("/") + "/", ""), (os.path.expanduser("~") + "/", "~/")):
        if len(prefix) > 2:
            text = text.replace(prefix, by)
    return text


INLINE_CODE = re.compile(r"`([^`]+)`")


def clause_html(text):
    """A clause's Markdown text as HTML: `code` spans become <code>."""
    parts = INLINE_CODE.split(text)
    return "".join(("<code>%s</code>" if i % 2 else "%s") % html.escape(part)
                   for i, part in enumerate(parts))


def clause_states(r):
    """{clause: "passed" | "failed" | "not reached"} for one JSON-lines record."""
    if "clauses_passed" in r:
        states = {c: NOT_REACHED for c in r["clauses"]}
        states.update((c, "passed") for c in r["clauses_passed"])
        states.update((c, "failed") for c in r["clauses_failed"])
        return states
    # An older runner's report: scenario-level charging.
    if r["outcome"] == "PASS":
        return {c: "passed" for c in r["clauses"]}
    if r["outcome"] in FAILURES:
        return {c: "failed" for c in r["clauses"]}
    return {c: NOT_REACHED for c in r["clauses"]}


def is_selftest_pass(r):
    """A harness self-test (verdict: FAIL) that failed as it must: no deviation."""
    return r["outcome"] == "FAIL" and r["verdict"] == "PASS"


def cell_of(cid, records):
    """(status, passed, failed, total) for one clause over the records citing it."""
    if not records:
        return ("-", 0, 0, 0)
    states = [clause_states(r)[cid] for r in records]
    passed = states.count("passed")
    failed = [r["outcome"] for r, state in zip(records, states) if state == "failed"]
    if failed:
        status = min(failed, key=SEVERITY.index)
    elif passed == len(records):
        status = "PASS"
    else:
        status = NOT_REACHED
    return (status, passed, len(failed), len(records))


def root_causes(results, levels):
    """The distinct clauses failures are charged to, each with the scenarios
    it stopped (most first), the set-up failures, and failures a report
    without step clauses cannot attribute."""
    stopped, setup, unattributed = {}, [], []
    for r in results:
        if r["outcome"] not in FAILURES or is_selftest_pass(r):
            continue
        if "clause" not in r:
            unattributed.append(r["id"])
        elif r["clause"] is None:
            setup.append(r["id"])
        else:
            stopped.setdefault(r["clause"], []).append(r["id"])
    causes = [{"clause": c, "level": levels.get(c, "?"), "scenarios": sorted(ids)}
              for c, ids in stopped.items()]
    causes.sort(key=lambda c: (-len(c["scenarios"]), c["clause"]))
    return causes, sorted(setup), sorted(unattributed)


def build(args):
    clauses, order = read_spec(args.spec)
    root = os.path.dirname(os.path.dirname(os.path.abspath(args.spec)))
    runs = []
    for spec in args.run:
        label, _, path = spec.partition("=")
        results, meta = read_run(path)
        for r in results:
            for key in ("path", "message", "traceback", "expected", "actual"):
                if key in r:
                    r[key] = repo_relative(r[key], root)
        python = next((r.get("python") for r in results if r.get("python")), "?")
        runs.append({"label": label, "python": python, "results": results,
                     "suite": meta.get("suite"), "runner": meta.get("runner")})
    cited = {}
    scenarios = {}
    for run in runs:
        for r in run["results"]:
            scenarios.setdefault(r["id"], r)
            for cid in r["clauses"]:
                cited.setdefault(cid, set()).add(r["id"])
    grid = []
    for cid in order:
        if cid not in cited:
            continue
        row = {"clause": cid, "level": clauses[cid]["level"], "text": clauses[cid]["text"],
               "cells": []}
        for run in runs:
            mine = [r for r in run["results"] if cid in r["clauses"]]
            status, passed, failed, total = cell_of(cid, mine)
            row["cells"].append({
                "impl": run["label"], "status": status, "passed": passed, "failed": failed,
                "not_reached": total - passed - failed, "total": total,
                "scenarios": [{"id": r["id"], "outcome": r["outcome"], "verdict": r["verdict"],
                               "state": clause_states(r)[cid], "charged": r.get("clause"),
                               "setup_failed": r.get("setup_failed", False),
                               "message": r.get("message"), "line": r.get("line"),
                               "path": r.get("path")} for r in mine],
            })
        grid.append(row)
    levels = {cid: clauses[cid]["level"] for cid in clauses}
    totals = []
    for index, run in enumerate(runs):
        counts = {}
        for r in run["results"]:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        statuses = [row["cells"][index]["status"] for row in grid]
        must = [row for row in grid if row["level"] == "MUST"]
        must_pass = sum(1 for row in must if row["cells"][index]["status"] == "PASS")
        causes, setup, unattributed = root_causes(run["results"], levels)
        totals.append({"impl": run["label"], "python": run["python"],
                       "scenarios": len(run["results"]), "outcomes": counts,
                       "clauses_passed": statuses.count("PASS"), "clauses": len(grid),
                       "clauses_failed": sum(1 for s in statuses if s in FAILURES),
                       "clauses_not_reached": statuses.count(NOT_REACHED),
                       "must_passed": must_pass, "must": len(must),
                       "root_causes": causes, "setup_failures": setup,
                       "unattributed_failures": unattributed})
    # The suite the runs ran (their run lines), when they all name the same;
    # else the suite files' commit in this checkout.
    named = {r["suite"] for r in runs}
    provenance = {
        "suite_version": named.pop() if len(named) == 1 and None not in named
        else suite_version(root),
        "run_suite_versions": sorted({r["suite"] for r in runs if r["suite"]}),
        "runner_version": args.runner_version or next(
            (r["runner"] for r in runs if r.get("runner")), "interpcheck"),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": repo_relative(args.command, root),
        "implementations": [{"impl": r["label"], "python": r["python"]} for r in runs],
    }
    return {"provenance": provenance, "totals": totals, "grid": grid,
            "implementations": [r["label"] for r in runs]}


def write_json(matrix, path):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(matrix, out, indent=1, sort_keys=True)
        out.write("\n")


def cell_text(cell):
    """PASS; or the worst outcome, or "not reached", with how many scenarios passed."""
    if cell["status"] == "-":
        return "-"
    if cell["status"] == "PASS":
        return "PASS"
    return "%s %d/%d" % (cell["status"], cell["passed"], cell["total"])


LEGEND = [
    ("PASS", "in every scenario citing the clause, every step that checks it ran and passed."),
    ("FAIL 1/3", "a failure was charged to the clause (the step that decided a failing "
     "scenario checks it) in at least one of the 3 scenarios citing it; 1 of the 3 passed it, "
     "the others failed it or stopped before checking it. TIMEOUT 1/3 and CRASH 1/3 read the "
     "same way; a cell shows the worst outcome (CRASH, then TIMEOUT, then FAIL)."),
    ("not reached 1/3", "no failure was charged to the clause, but 2 of its 3 scenarios "
     "stopped earlier (at another clause's step or a set-up step), so it was not checked there."),
    ("-", "no scenario of this run cites the clause."),
]


def css_class(status):
    return status.replace(" ", "-")


def totals_table(matrix):
    lines = ["| implementation | Python | scenarios | PASS | FAIL | TIMEOUT | CRASH | ERROR | "
             "SKIP | clauses passed | failed | not reached | root causes | "
             "MUST clauses passed |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in matrix["totals"]:
        o = t["outcomes"]
        lines.append("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d/%d | %d | %d | %d | "
                     "%d/%d |" % (
                         t["impl"], t["python"], t["scenarios"], o.get("PASS", 0),
                         o.get("FAIL", 0), o.get("TIMEOUT", 0), o.get("CRASH", 0),
                         o.get("ERROR", 0), o.get("SKIP", 0), t["clauses_passed"], t["clauses"],
                         t["clauses_failed"], t["clauses_not_reached"], len(t["root_causes"]),
                         t["must_passed"], t["must"]))
    return lines


def root_cause_lines(matrix):
    """Markdown: per implementation, its root deviations and set-up failures."""
    lines = ["## Root deviations", "",
             "Per implementation, the distinct clauses its failures are charged to (the clause "
             "of the step that decided each failing scenario), with the scenarios each one "
             "stopped; a scenario a deviation stops early does not count against the clauses "
             "it did not reach.", ""]
    for t in matrix["totals"]:
        lines += ["### %s (Python %s)" % (t["impl"], t["python"]), ""]
        if not (t["root_causes"] or t["setup_failures"] or t["unattributed_failures"]):
            lines += ["No failure.", ""]
            continue
        lines += ["| clause | level | scenarios stopped |", "|---|---|---|"]
        for cause in t["root_causes"]:
            lines.append("| %s | %s | %d: %s |" % (
                cause["clause"], cause["level"], len(cause["scenarios"]),
                ", ".join("`%s`" % i for i in cause["scenarios"])))
        for label, ids in (("set-up", t["setup_failures"]),
                           ("unattributed", t["unattributed_failures"])):
            if ids:
                lines.append("| (%s) | | %d: %s |" % (label, len(ids),
                                                      ", ".join("`%s`" % i for i in ids)))
        lines.append("")
    return lines


def update_readme(matrix, path):
    """Replace the table between the matrix-summary markers of the README."""
    begin, end = "<!-- matrix-summary:begin -->", "<!-- matrix-summary:end -->"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if begin not in text or end not in text:
        return False
    p = matrix["provenance"]
    block = [begin, "", "Latest run: %s, suite `%s` (`reports/matrix.md` has every clause)." % (
        p["date"], p["suite_version"]), ""] + totals_table(matrix) + ["", end]
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + "\n".join(block) + tail)
    return True


def write_markdown(matrix, path, html_name):
    p = matrix["provenance"]
    lines = ["# Conformance matrix", "",
             "Generated by `tools/matrix` from real runs; do not edit by hand. "
             "The HTML page (`%s`) links every cell to its scenarios and outcomes." % html_name,
             "",
             "- suite: `%s`, runner: `%s`, date: %s" % (p["suite_version"], p["runner_version"],
                                                         p["date"]),
             "- command: `%s`" % p["command"], "",
             "## Totals", ""] + totals_table(matrix)
    lines += [""] + root_cause_lines(matrix)
    lines += ["## Clauses", "", "Legend: a cell counts the scenarios citing the clause "
              "(conformance/FORMAT.md, section 7); raw outcomes, before expectation files.", ""]
    lines += ["- **%s**: %s" % (k, v) for k, v in LEGEND]
    lines += ["",
              "| clause | level | " + " | ".join(matrix["implementations"]) + " | text |",
              "|---|---|" + "---|" * len(matrix["implementations"]) + "---|"]
    for row in matrix["grid"]:
        lines.append("| %s | %s | %s | %s |" % (
            row["clause"], row["level"], " | ".join(cell_text(c) for c in row["cells"]),
            row["text"].replace("|", "\\|")))
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#f3f3f3;position:sticky;top:0}
.PASS{background:#d8f5d0}.FAIL{background:#ffd6d6}.TIMEOUT{background:#ffe9b3}
.CRASH{background:#e9b3ff}.ERROR{background:#ffc9a3}.SKIP{background:#e6e6e6}
.not-reached{background:#e6e6e6;color:#555}
a{color:inherit}details{margin:.3em 0}code{font-size:90%}
"""


def scenario_link(s, out_dir, root):
    """<a href> to the scenario's file, relative to the page, or its id alone."""
    esc = html.escape
    path = s.get("path")
    # Ids are relative to the conformance folder (the runner's --root).
    target = os.path.join(root, "conformance", s["id"] + ".scn")
    if path:
        target = path if os.path.isabs(path) else os.path.join(root, path)
    href = os.path.relpath(target, out_dir).replace(os.sep, "/")
    return "<a href='%s'><code>%s</code></a>" % (esc(href), esc(s["id"]))


def write_html(matrix, path, root):
    esc = html.escape
    out_dir = os.path.dirname(os.path.abspath(path))
    p = matrix["provenance"]
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>interpcheck conformance"
           " matrix</title><style>%s</style></head><body>" % STYLE,
           "<h1>Conformance matrix</h1>",
           "<p>suite <code>%s</code> &middot; runner <code>%s</code> &middot; %s<br>"
           "command: <code>%s</code></p>" % (esc(p["suite_version"]), esc(p["runner_version"]),
                                             esc(p["date"]), esc(p["command"])),
           "<h2>Totals</h2><table><tr><th>implementation</th><th>Python</th><th>scenarios</th>"
           "<th>PASS</th><th>FAIL</th><th>TIMEOUT</th><th>CRASH</th><th>ERROR</th><th>SKIP</th>"
           "<th>clauses passed</th><th>failed</th><th>not reached</th><th>root causes</th>"
           "<th>MUST clauses passed</th></tr>"]
    for t in matrix["totals"]:
        o = t["outcomes"]
        out.append("<tr><td>%s</td><td>%s</td><td>%d</td>%s<td>%d/%d</td><td>%d</td><td>%d</td>"
                   "<td>%d</td><td>%d/%d</td></tr>" % (
                       esc(t["impl"]), esc(t["python"]), t["scenarios"],
                       "".join("<td class='%s'>%d</td>" % (k, o.get(k, 0))
                               for k in ("PASS", "FAIL", "TIMEOUT", "CRASH", "ERROR", "SKIP")),
                       t["clauses_passed"], t["clauses"], t["clauses_failed"],
                       t["clauses_not_reached"], len(t["root_causes"]), t["must_passed"],
                       t["must"]))
    out.append("</table><h2>Root deviations</h2><p>Per implementation, the distinct clauses its "
               "failures are charged to, with the scenarios each one stopped.</p>")
    for t in matrix["totals"]:
        out.append("<h3>%s (Python %s)</h3>" % (esc(t["impl"]), esc(t["python"])))
        if not (t["root_causes"] or t["setup_failures"] or t["unattributed_failures"]):
            out.append("<p>No failure.</p>")
            continue
        out.append("<table><tr><th>clause</th><th>level</th><th>scenarios stopped</th></tr>")
        for cause in t["root_causes"]:
            anchor = "%s--%s" % (cause["clause"], t["impl"])
            out.append("<tr><td><a href='#%s'>%s</a></td><td>%s</td><td>%d: %s</td></tr>" % (
                esc(anchor), esc(cause["clause"]), esc(cause["level"]),
                len(cause["scenarios"]),
                ", ".join(scenario_link({"id": i}, out_dir, root) for i in cause["scenarios"])))
        for label, ids in (("set-up", t["setup_failures"]),
                           ("unattributed", t["unattributed_failures"])):
            if ids:
                out.append("<tr><td>(%s)</td><td></td><td>%d: %s</td></tr>" % (
                    label, len(ids),
                    ", ".join(scenario_link({"id": i}, out_dir, root) for i in ids)))
        out.append("</table>")
    out.append("<h2>Clauses</h2><p id='legend'><b>Legend</b>: a cell counts the scenarios "
               "citing the clause (conformance/FORMAT.md, section 7); raw outcomes, before "
               "expectation files.</p><dl>%s</dl>" % "".join(
                   "<dt><code>%s</code></dt><dd>%s</dd>" % (esc(k), esc(v)) for k, v in LEGEND))
    out.append("<table><tr><th>clause</th><th>level</th>%s<th>text</th></tr>"
               % "".join("<th>%s</th>" % esc(i) for i in matrix["implementations"]))
    for row in matrix["grid"]:
        cells = []
        for c in row["cells"]:
            anchor = "%s--%s" % (row["clause"], c["impl"])
            cells.append("<td class='%s'><a href='#%s'>%s</a></td>"
                         % (esc(css_class(c["status"])), esc(anchor), esc(cell_text(c))))
        out.append("<tr><td id='%s'>%s</td><td>%s</td>%s<td>%s</td></tr>" % (
            esc(row["clause"]), esc(row["clause"]), esc(row["level"]), "".join(cells),
            clause_html(row["text"])))
    out.append("</table><h2>Details</h2>")
    for row in matrix["grid"]:
        for c in row["cells"]:
            anchor = "%s--%s" % (row["clause"], c["impl"])
            out.append("<details id='%s'%s><summary><b>%s</b> on %s: %s</summary><p>%s</p><ul>"
                       % (esc(anchor), "" if c["status"] == "PASS" else " open",
                          esc(row["clause"]), esc(c["impl"]), esc(cell_text(c)),
                          clause_html(row["text"])))
            for s in c["scenarios"]:
                # What the scenario says of this clause, and where it stopped.
                if s["outcome"] == "PASS" or s["state"] == "passed":
                    where = ""
                elif s["charged"]:
                    where = " (charged to %s)" % s["charged"]
                elif s["setup_failed"]:
                    where = " (set-up failure)"
                else:
                    where = ""
                out.append("<li class='%s'>%s %s, %s%s%s</li>" % (
                    esc(css_class(s["state"] if s["state"] == NOT_REACHED else s["outcome"])),
                    scenario_link(s, out_dir, root), esc(s["state"]), esc(s["outcome"]), esc(where),
                    (": " + esc(s["message"])) if s["message"] else ""))
            out.append("</ul></details>")
    out.append("</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--run", action="append", required=True, metavar="LABEL=JSONL")
    parser.add_argument("--command", default="tools/matrix")
    parser.add_argument("--runner-version",
                        help="default: the runner version the JSON lines' run line names")
    parser.add_argument("--readme", help="README whose matrix-summary block to update")
    args = parser.parse_args(argv)
    matrix = build(args)
    os.makedirs(args.out, exist_ok=True)
    write_json(matrix, os.path.join(args.out, "matrix.json"))
    write_markdown(matrix, os.path.join(args.out, "matrix.md"), "matrix.html")
    write_html(matrix, os.path.join(args.out, "matrix.html"),
               os.path.dirname(os.path.dirname(os.path.abspath(args.spec))))
    if args.readme and not update_readme(matrix, args.readme):
        sys.stderr.write("matrix_report: no matrix-summary markers in %s\n" % args.readme)
        return 1
    for t in matrix["totals"]:
        sys.stdout.write("%-14s %-8s %3d scenarios, %3d PASS; clauses %d/%d (%d failed, "
                         "%d not reached), MUST %d/%d; %d root causes, %d set-up failures\n" % (
                             t["impl"], t["python"], t["scenarios"], t["outcomes"].get("PASS", 0),
                             t["clauses_passed"], t["clauses"], t["clauses_failed"],
                             t["clauses_not_reached"], t["must_passed"], t["must"],
                             len(t["root_causes"]), len(t["setup_failures"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

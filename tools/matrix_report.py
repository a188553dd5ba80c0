"""Build the conformance matrix (reports/matrix.{md,json,html}) from the
JSON-lines reports of several interpcheck runs.

    python3 tools/matrix_report.py --spec conformance/SPEC.md --out reports \\
        --run LABEL=PATH.jsonl [--run ...] --command "the command that made the runs"

The grid is clause x implementation.  A cell aggregates the raw outcomes of
every scenario citing the clause (the outcome before expectation files are
applied: the matrix shows deviations, it does not excuse them): PASS when all
passed, otherwise the worst outcome with the count that passed.  Each cell
links to the list of its scenarios with what happened.  The HTML page is
self-contained (no external resources).

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


def read_spec(path):
    clauses, order = {}, []
    with open(path, encoding="utf-8") as spec:
        for line in spec:
            match = CLAUSE.match(line.rstrip("\n"))
            if match:
                cid, level, text = match.groups()
                clauses[cid] = {"level": level, "text": text}
                order.append(cid)
    return clauses, order


def read_run(path):
    results = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                results.append(json.loads(line))
    return results


def suite_version(root):
    try:
        out = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cell_of(outcomes):
    """(status, passed, total) for the outcomes of one clause on one implementation."""
    if not outcomes:
        return ("-", 0, 0)
    passed = sum(1 for o in outcomes if o == "PASS")
    worst = min(outcomes, key=SEVERITY.index)
    return (worst, passed, len(outcomes))


def build(args):
    clauses, order = read_spec(args.spec)
    runs = []
    for spec in args.run:
        label, _, path = spec.partition("=")
        results = read_run(path)
        python = next((r.get("python") for r in results if r.get("python")), "?")
        runs.append({"label": label, "python": python, "results": results})
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
            status, passed, total = cell_of([r["outcome"] for r in mine])
            row["cells"].append({
                "impl": run["label"], "status": status, "passed": passed, "total": total,
                "scenarios": [{"id": r["id"], "outcome": r["outcome"], "verdict": r["verdict"],
                               "message": r.get("message"), "line": r.get("line"),
                               "path": r.get("path")} for r in mine],
            })
        grid.append(row)
    totals = []
    for index, run in enumerate(runs):
        counts = {}
        for r in run["results"]:
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        clause_pass = sum(1 for row in grid if row["cells"][index]["status"] == "PASS")
        must = [row for row in grid if row["level"] == "MUST"]
        must_pass = sum(1 for row in must if row["cells"][index]["status"] == "PASS")
        totals.append({"impl": run["label"], "python": run["python"],
                       "scenarios": len(run["results"]), "outcomes": counts,
                       "clauses_passed": clause_pass, "clauses": len(grid),
                       "must_passed": must_pass, "must": len(must)})
    root = os.path.dirname(os.path.dirname(os.path.abspath(args.spec)))
    provenance = {
        "suite_version": suite_version(root),
        "runner_version": args.runner_version,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": args.command,
        "implementations": [{"impl": r["label"], "python": r["python"]} for r in runs],
    }
    return {"provenance": provenance, "totals": totals, "grid": grid,
            "implementations": [r["label"] for r in runs]}


def write_json(matrix, path):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(matrix, out, indent=1, sort_keys=True)
        out.write("\n")


def cell_text(cell):
    if cell["status"] == "-":
        return "-"
    if cell["status"] == "PASS":
        return "PASS"
    return "%s %d/%d" % (cell["status"], cell["passed"], cell["total"])


def totals_table(matrix):
    lines = ["| implementation | Python | scenarios | PASS | FAIL | TIMEOUT | CRASH | ERROR | "
             "SKIP | clauses passed | MUST clauses passed |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in matrix["totals"]:
        o = t["outcomes"]
        lines.append("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d/%d | %d/%d |" % (
            t["impl"], t["python"], t["scenarios"], o.get("PASS", 0), o.get("FAIL", 0),
            o.get("TIMEOUT", 0), o.get("CRASH", 0), o.get("ERROR", 0), o.get("SKIP", 0),
            t["clauses_passed"], t["clauses"], t["must_passed"], t["must"]))
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
    lines += ["", "## Clauses", "",
              "A cell is PASS when every scenario citing the clause passed; otherwise the worst "
              "outcome and how many of its scenarios passed.", "",
              "| clause | level | " + " | ".join(matrix["implementations"]) + " |",
              "|---|---|" + "---|" * len(matrix["implementations"])]
    for row in matrix["grid"]:
        lines.append("| %s | %s | %s |" % (row["clause"], row["level"],
                                            " | ".join(cell_text(c) for c in row["cells"])))
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#f3f3f3;position:sticky;top:0}
.PASS{background:#d8f5d0}.FAIL{background:#ffd6d6}.TIMEOUT{background:#ffe9b3}
.CRASH{background:#e9b3ff}.ERROR{background:#ffc9a3}.SKIP{background:#e6e6e6}
a{color:inherit}details{margin:.3em 0}code{font-size:90%}
"""


def write_html(matrix, path):
    esc = html.escape
    p = matrix["provenance"]
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>interpcheck conformance"
           " matrix</title><style>%s</style></head><body>" % STYLE,
           "<h1>Conformance matrix</h1>",
           "<p>suite <code>%s</code> &middot; runner <code>%s</code> &middot; %s<br>"
           "command: <code>%s</code></p>" % (esc(p["suite_version"]), esc(p["runner_version"]),
                                             esc(p["date"]), esc(p["command"])),
           "<h2>Totals</h2><table><tr><th>implementation</th><th>Python</th><th>scenarios</th>"
           "<th>PASS</th><th>FAIL</th><th>TIMEOUT</th><th>CRASH</th><th>ERROR</th><th>SKIP</th>"
           "<th>clauses passed</th><th>MUST clauses passed</th></tr>"]
    for t in matrix["totals"]:
        o = t["outcomes"]
        out.append("<tr><td>%s</td><td>%s</td><td>%d</td>%s<td>%d/%d</td><td>%d/%d</td></tr>" % (
            esc(t["impl"]), esc(t["python"]), t["scenarios"],
            "".join("<td class='%s'>%d</td>" % (k, o.get(k, 0))
                    for k in ("PASS", "FAIL", "TIMEOUT", "CRASH", "ERROR", "SKIP")),
            t["clauses_passed"], t["clauses"], t["must_passed"], t["must"]))
    out.append("</table><h2>Clauses</h2><table><tr><th>clause</th><th>level</th>%s</tr>"
               % "".join("<th>%s</th>" % esc(i) for i in matrix["implementations"]))
    for row in matrix["grid"]:
        cells = []
        for c in row["cells"]:
            anchor = "%s--%s" % (row["clause"], c["impl"])
            cells.append("<td class='%s'><a href='#%s'>%s</a></td>"
                         % (esc(c["status"]), esc(anchor), esc(cell_text(c))))
        out.append("<tr><td title='%s'>%s</td><td>%s</td>%s</tr>" % (
            esc(row["text"]), esc(row["clause"]), esc(row["level"]), "".join(cells)))
    out.append("</table><h2>Details</h2>")
    for row in matrix["grid"]:
        for c in row["cells"]:
            anchor = "%s--%s" % (row["clause"], c["impl"])
            out.append("<details id='%s'%s><summary><b>%s</b> on %s: %s</summary><p>%s</p><ul>"
                       % (esc(anchor), "" if c["status"] == "PASS" else " open",
                          esc(row["clause"]), esc(c["impl"]), esc(cell_text(c)),
                          esc(row["text"])))
            for s in c["scenarios"]:
                out.append("<li class='%s'><code>%s</code> %s%s</li>" % (
                    esc(s["outcome"]), esc(s["id"]), esc(s["outcome"]),
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
    parser.add_argument("--runner-version", default="interpcheck")
    parser.add_argument("--readme", help="README whose matrix-summary block to update")
    args = parser.parse_args(argv)
    matrix = build(args)
    os.makedirs(args.out, exist_ok=True)
    write_json(matrix, os.path.join(args.out, "matrix.json"))
    write_markdown(matrix, os.path.join(args.out, "matrix.md"), "matrix.html")
    write_html(matrix, os.path.join(args.out, "matrix.html"))
    if args.readme and not update_readme(matrix, args.readme):
        sys.stderr.write("matrix_report: no matrix-summary markers in %s\n" % args.readme)
        return 1
    for t in matrix["totals"]:
        sys.stdout.write("%-14s %-8s %3d scenarios, %3d PASS; clauses %d/%d, MUST %d/%d\n" % (
            t["impl"], t["python"], t["scenarios"], t["outcomes"].get("PASS", 0),
            t["clauses_passed"], t["clauses"], t["must_passed"], t["must"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Draft an expectation file from a real run: one entry for every scenario
that did not pass, with the outcome it really had, what was observed (the
runner's message and the actual value) and, as the reason, the SPEC clause
it breaks quoted from SPEC.md.

    python3 tools/expectations_draft.py --spec conformance/SPEC.md \\
        --jsonl reports/matrix/cpython-3.13.jsonl --title "CPython 3.13 (...)" > FILE

Each entry names the clause the failure is charged to (the clause of the step
that decided it, the `clause` field of the runner's JSON lines; `-` for a
set-up step), as the runner requires.  A draft is a starting point: read
every entry and say why in words where the quote does not.  --like FILE reuses the reviewed
entry of a similar version (same scenario, same outcome) as it is.  Scenarios listed in --skip (id and
reason, tab-separated) become SKIP entries: known hangs and crashes.
"""

import argparse
import json
import re
import sys

CLAUSE = re.compile(r"^- \*\*([A-Z][A-Z0-9-]*)\*\* \((MUST|SHOULD|MAY|IMPL)\): (.+)$")


def one_line(text, limit=220):
    text = " ".join((text or "").split()).replace("|", "/")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--jsonl", required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--skip", help="file of 'scenario-id<TAB>reason' lines")
    parser.add_argument("--like", help="a reviewed expectation file of a similar version, whose "
                        "entry is reused when a scenario has the same outcome here")
    args = parser.parse_args(argv)
    clauses = {}
    current = None
    with open(args.spec, encoding="utf-8") as spec:
        for line in spec:
            line = line.rstrip("\n")
            m = CLAUSE.match(line)
            if m:
                current = m.group(1)
                clauses[current] = [m.group(2), m.group(3)]
            elif current and line.startswith("  ") and not line.startswith("  - "):
                clauses[current][1] += " " + line.strip()   # the statement goes on
            else:
                current = None
    like = {}
    if args.like:
        # Reviewed entries of another version: reused where the outcome is the same.
        with open(args.like, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and not line.startswith("#"):
                    like[(parts[0], parts[1])] = line.rstrip("\n")
    skips = {}
    if args.skip:
        with open(args.skip, encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    sid, _, reason = line.rstrip("\n").partition("\t")
                    skips[sid] = reason
    out = sys.stdout
    out.write("# Expectation file: %s.\n" % args.title)
    out.write("#\n# Drafted by tools/expectations_draft.py from the real run %s.  Format:\n"
              "# tools/interpcheck/expect.h.  Strict: an entry whose scenario starts to pass,\n"
              "# or fails at another clause, breaks the run.  Each entry names the clause its\n"
              "# failure is charged to (the clause of the step that failed) and quotes it; SPEC.md\n"
              "# Appendix C gives the sentence of the seed or of PEP 554 each clause rests on.\n\n"
              % args.jsonl)
    with open(args.jsonl, encoding="utf-8") as lines:
        results = [json.loads(line) for line in lines if line.strip()]
    # The runner opens its JSON lines with one {"type": "run"} line: not a scenario.
    results = [r for r in results if r.get("type") != "run"]
    for r in sorted(results, key=lambda r: r["id"]):
        if r["outcome"] == "PASS" and r["id"] not in skips:
            continue
        if (r["id"], r["outcome"]) in like and r["id"] not in skips:
            out.write(like[(r["id"], r["outcome"])] + "\n")
            continue
        # The runner charges a failure to the clause of its deciding step; a
        # SKIP entry is never run, so it names the scenario's first clause.
        if r["id"] in skips:
            clause = r.get("clause") or r["clauses"][0]
        else:
            clause = r.get("clause") or "-"
        level, text = clauses.get(clause, ("?", "?"))
        if r["id"] in skips:
            outcome, reason = "SKIP", skips[r["id"]]
        elif clause == "-":
            outcome = r["outcome"]
            reason = "a set-up step failed, so no clause of the scenario was checked"
        else:
            outcome = r["outcome"]
            reason = "SPEC %s (%s) requires: %s" % (clause, level, one_line(text, 400))
        observed = one_line(r.get("message"))
        if r["outcome"] in ("TIMEOUT", "CRASH") and r.get("line"):
            observed += " in the step at line %d" % r["line"]
        if r.get("actual") and r["actual"] not in observed:
            observed = one_line("%s; actual: %s" % (observed, r["actual"]))
        out.write("%s  %s  %s  | observed: %s | reason: %s\n"
                  % (r["id"], outcome, clause, observed or "(no message)", reason))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

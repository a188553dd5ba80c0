"""Apply tools/style/clang-tidy.supp to clang-tidy's output; used by
tools/style-check.

    clang-tidy ... | python3 tools/tidy_filter.py --root REPO --suppressions FILE

Reads clang-tidy's output on standard input and prints each finding
(`path:line:col: warning|error: message [check]`) that no suppression entry
matches, followed by its notes, with paths relative to the repository.  A
finding reported several times (a header seen from several files) is
printed once.  Then lists the entries that matched nothing (information
only).  See tools/style/clang-tidy.supp for the entry format.

Exit status: 0 when every finding is suppressed, 1 otherwise, 2 when the
suppression file is malformed.  Standard library only.
"""

import argparse
import os
import re
import sys

FINDING = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): "
                     r"(?P<kind>warning|error): (?P<message>.*) \[(?P<check>[^\]]+)\]$")
NOTE = re.compile(r"^[^:\s][^:]*:\d+:\d+: note: ")


def load_suppressions(path):
    entries = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(" ", 2)
            if len(parts) != 3 or not parts[2]:
                raise ValueError("%s:%d: expected `CHECK PATH TEXT`" % (path, number))
            entries.append({"check": parts[0], "path": parts[1], "text": parts[2],
                            "where": "%s:%d" % (path, number), "used": 0})
    return entries


def source_line(root, rel, number, cache={}):
    if rel not in cache:
        try:
            with open(os.path.join(root, rel), errors="replace") as f:
                cache[rel] = f.read().split("\n")
        except OSError:
            cache[rel] = []
    lines = cache[rel]
    return lines[number - 1] if 0 < number <= len(lines) else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--suppressions", required=True)
    args = ap.parse_args()
    root = os.path.realpath(args.root)
    try:
        entries = load_suppressions(args.suppressions)
    except (OSError, ValueError) as exc:
        print("tidy_filter: %s" % exc, file=sys.stderr)
        return 2

    findings = []      # (key, [lines]) of unsuppressed findings
    seen = set()
    current = None     # the lines of the finding being read, or None
    for raw in sys.stdin:
        raw = raw.rstrip("\n")
        m = FINDING.match(raw)
        if m:
            path = os.path.realpath(m.group("path"))
            rel = os.path.relpath(path, root)
            number = int(m.group("line"))
            check = m.group("check").split(",")[0]
            text = source_line(root, rel, number)
            key = (rel, number, int(m.group("col")), check)
            current = None
            if key in seen:
                continue
            seen.add(key)
            hit = None
            for e in entries:
                if e["check"] == check and e["path"] == rel and e["text"] in text:
                    hit = e
                    break
            if hit is not None:
                hit["used"] += 1
                continue
            current = ["%s:%d:%s: %s: %s [%s]" % (rel, number, m.group("col"), m.group("kind"),
                                                 m.group("message"), check)]
            findings.append(current)
        elif current is not None and (NOTE.match(raw) or raw.startswith(" ")):
            current.append(raw.replace(root + "/", ""))
        elif current is not None:
            current = None

    for lines in findings:
        print("\n".join(lines))
    unused = [e for e in entries if not e["used"]]
    for e in unused:
        print("tidy_filter: note: suppression matched nothing this run: %s (%s %s)"
              % (e["where"], e["check"], e["path"]))
    print("clang-tidy: %d findings, %d suppressed" % (len(findings),
          sum(e["used"] for e in entries)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

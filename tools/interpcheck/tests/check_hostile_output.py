"""Reports survive hostile text: a scenario that prints invalid UTF-8, NUL
and control bytes, and fails with a message holding lone surrogates,
characters XML 1.0 forbids and every Latin-1 character, must still give a
JUnit file that a real XML parser accepts, JSON lines that a real JSON
parser accepts, a Markdown report and a TAP stream that are valid UTF-8,
and a failure that each of them names.

    python3 check_hostile_output.py --runner PATH --tests DIR

Exit status 0 when every check passes; each failed check is printed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SCENARIO_ID = "hostile/hostile-bytes"


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("--tests", required=True, help="tools/interpcheck/tests")
    args = parser.parse_args(argv)
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    suite = os.path.join(args.tests, "hostile")
    with tempfile.TemporaryDirectory() as work:
        paths = {name: os.path.join(work, name) for name in ("r.xml", "r.jsonl", "r.md")}
        run = subprocess.run(
            [args.runner, "--spec", os.path.join(args.tests, "SPEC.md"),
             "--junit", paths["r.xml"], "--jsonl", paths["r.jsonl"],
             "--markdown", paths["r.md"], suite],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        check(run.returncode == 1, "the failing scenario makes the run exit 1, not %d (stderr: %r)"
              % (run.returncode, run.stderr[-500:]))
        tap = subprocess.run([args.runner, "--spec", os.path.join(args.tests, "SPEC.md"),
                              "--tap", suite], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=120)
        for name, data in (("summary", run.stdout), ("tap", tap.stdout)):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                check(False, "the %s output is not UTF-8: %s" % (name, exc))

        try:
            root = ET.parse(paths["r.xml"]).getroot()
            failed = [case for case in root.iter("testcase")
                      if case.find("failure") is not None or case.find("error") is not None]
            check(len(failed) == 1, "JUnit names one failed test case, not %d" % len(failed))
            text = ET.tostring(root, encoding="unicode")
            check("\\ud800" in text, "JUnit keeps the lone surrogate as a visible escape")
            check("\ufffd" in text, "JUnit shows invalid output bytes as U+FFFD")
        except ET.ParseError as exc:
            check(False, "the JUnit file does not parse as XML: %s" % exc)

        try:
            with open(paths["r.jsonl"], encoding="utf-8") as f:
                records = [json.loads(line) for line in f if line.strip()]
            results = [r for r in records if r.get("id", "").endswith(SCENARIO_ID)]
            check(len(results) == 1, "the JSON lines hold the scenario once")
            if results:
                r = results[0]
                check(r.get("outcome") == "FAIL", "JSON outcome FAIL, got %r" % r.get("outcome"))
                check("\\ud800" in r.get("message", ""), "JSON message keeps the surrogate escape")
                blob = json.dumps(r, ensure_ascii=False)
                check("\x00" not in blob and "\x1b" not in blob,
                      "JSON values hold no raw NUL or ESC after decoding")
        except (ValueError, UnicodeDecodeError) as exc:
            check(False, "the JSON lines do not parse: %s" % exc)

        try:
            with open(paths["r.md"], encoding="utf-8") as f:
                check(SCENARIO_ID in f.read(), "the Markdown report names the scenario")
        except UnicodeDecodeError as exc:
            check(False, "the Markdown report is not UTF-8: %s" % exc)

    for what in failures:
        print("FAILED: " + what)
    print("hostile output: %d checks failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

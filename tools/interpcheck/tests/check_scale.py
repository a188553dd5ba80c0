"""Checks of the runner's scale-out features (CTest tests runner.scale.*):

    check_scale.py GROUP --runner PATH --tests DIR --source DIR [--python PATH]

Groups:
  repeat        a small part of the reference suite with --repeat 3: no scenario
                flaky, exit 0, one "--repeat 3: 0 of N" total line
  flaky         tests/flaky/random-outcome.scn (fails or crashes at random,
                os.urandom) with --repeat 20: listed as FLAKY, exit 1; with
                tests/flaky.expect allowing FAIL|CRASH: the same verdict (XFAIL)
                every run, exit 0
  live          off a terminal: one progress line per scenario on stderr
                (INTERPCHECK_PROGRESS_SECONDS=0); --jsonl opened by one run line
                (suite, runner, impl, python, shard, options), then one line per
                scenario; no repo root nor $HOME in it
  merge         two shards of a part of the suite merged: every scenario once,
                the same outcomes as an unsharded run; JUnit and Markdown written;
                tools/matrix_report.py and tools/expectations_draft.py read the
                files with their run line
  merge-refused one shard missing and another given twice: exit 2, both named;
                an output file that cannot be written: exit 2 before merging;
                mixed suite commits: exit 2, named; a scenario missing from a
                complete shard set: exit 2, named

Standard library only.  Exit status 0 when every check passed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PART = "suite/channels/send-nowait*"
FAILURES = []


def check(ok, what, result=None):
    if not ok:
        text = "FAIL: " + what
        if result is not None:
            text += "\n  command: %s\n  exit: %s\n  stdout:\n%s\n  stderr:\n%s" % (
                " ".join(result.args), result.returncode, result.stdout[-3000:],
                result.stderr[-3000:])
        FAILURES.append(text)
        print(text)


def run(args, argv, env=None, cwd=None):
    full = dict(os.environ, **(env or {}))
    proc = subprocess.run([args.runner] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=full, cwd=cwd, timeout=600)
    proc.args = [args.runner] + argv
    return proc


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def group_repeat(args, tmp):
    r = run(args, ["--repeat", "3", "--filter", PART])
    check(r.returncode == 0, "--repeat 3 on the reference: exit 0", r)
    check(not any(l.startswith("FLAKY") for l in r.stdout.splitlines()),
          "--repeat 3 on the reference: nothing flaky", r)
    check("interpcheck: --repeat 3: 0 of " in r.stdout, "--repeat: the total line", r)
    check(r.stderr.count("interpcheck: --repeat: run ") == 3, "--repeat: three runs", r)


def group_flaky(args, tmp):
    flaky = os.path.join(args.tests, "flaky")
    r = run(args, ["--repeat", "20", "--root", args.tests, flaky])
    check(r.returncode == 1, "a flaky scenario makes --repeat exit 1", r)
    lines = [l for l in r.stdout.splitlines() if l.startswith("FLAKY")]
    check(len(lines) == 1 and "flaky/random-outcome:" in lines[0] and "FAIL" in lines[0]
          and "CRASH" in lines[0] and lines[0].endswith("(of 20 runs)"),
          "the flaky scenario listed with its verdict counts", r)
    check("--repeat 20: 1 of 1 scenarios flaky" in r.stdout, "flaky total", r)
    r = run(args, ["--repeat", "20", "--root", args.tests, "--expect",
                   os.path.join(args.tests, "flaky.expect"), flaky])
    check(r.returncode == 0, "an allowed outcome set (FAIL|CRASH): exit 0", r)
    check("--repeat 20: 0 of 1 scenarios flaky" in r.stdout
          and not any(l.startswith("FLAKY") for l in r.stdout.splitlines()),
          "an allowed outcome set: the same verdict every run", r)


def check_clean(path, what):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for prefix in (args_global.source.rstrip("/") + "/", os.path.expanduser("~") + "/"):
        if len(prefix) > 2:
            check(prefix not in text, "%s: no %s in it" % (what, prefix))


def group_live(args, tmp):
    out = os.path.join(tmp, "live.jsonl")
    r = run(args, ["--filter", PART, "--jsonl", out], env={"INTERPCHECK_PROGRESS_SECONDS": "0"})
    check(r.returncode == 0, "live run: exit 0", r)
    records = read_jsonl(out)
    scenarios = [x for x in records if "id" in x]
    lines = [l for l in r.stderr.splitlines() if l.startswith("interpcheck: [")]
    check(len(lines) == len(scenarios) and len(lines) > 0,
          "one progress line per scenario (%d lines, %d scenarios)" % (len(lines), len(scenarios)),
          r)
    check(lines and lines[-1].startswith("interpcheck: [%d/%d]" % (len(lines), len(lines))),
          "the last progress line counts them all", r)
    head = records[0]
    check(head.get("type") == "run" and all(k in head for k in (
        "suite", "runner", "impl", "python", "shard", "options")),
          "the JSON lines open with the run line: %r" % head)
    check(head.get("shard") == "1/1" and head.get("impl") == "interpref"
          and head.get("options")[:2] == ["--filter", PART], "the run line's values: %r" % head)
    check(sum(1 for x in records if x.get("type") == "run") == 1, "one run line")
    check(all(not x["path"].startswith("/") for x in scenarios), "paths relative to the checkout")
    check_clean(out, "--jsonl")


def shard_runs(args, tmp, filt=PART):
    paths = []
    for i in (1, 2):
        path = os.path.join(tmp, "shard%d.jsonl" % i)
        r = run(args, ["--shard", "%d/2" % i, "--filter", filt, "--jsonl", path])
        check(r.returncode == 0, "shard %d/2: exit 0" % i, r)
        paths.append(path)
    return paths


def group_merge(args, tmp):
    paths = shard_runs(args, tmp)
    whole = os.path.join(tmp, "whole.jsonl")
    run(args, ["--filter", PART, "--jsonl", whole])
    merged, junit, md = (os.path.join(tmp, n) for n in ("m.jsonl", "m.xml", "m.md"))
    r = run(args, ["merge"] + paths + ["--jsonl", merged, "--junit", junit, "--markdown", md])
    check(r.returncode == 0, "a complete 2-shard set merges", r)
    got = read_jsonl(merged)
    want = [x for x in read_jsonl(whole) if "id" in x]
    check(got[0].get("type") == "run" and got[0].get("shard") == "1/1", "merged run line")
    ids = [x["id"] for x in got if "id" in x]
    check(sorted(ids) == sorted(x["id"] for x in want) and len(set(ids)) == len(ids),
          "every scenario exactly once (%d merged, %d unsharded)" % (len(ids), len(want)))
    outcome = {x["id"]: (x["outcome"], x["verdict"], x["clauses_passed"]) for x in got if "id" in x}
    check(all(outcome.get(x["id"]) == (x["outcome"], x["verdict"], x["clauses_passed"])
              for x in want), "merged outcomes as an unsharded run's")
    suite = ET.parse(junit).getroot().find("testsuite")
    check(suite is not None and int(suite.get("tests")) == len(want), "merged JUnit")
    check(open(md, encoding="utf-8").read().startswith("# interpcheck: interpref"), "Markdown")
    for f in (merged, junit, md):
        check_clean(f, os.path.basename(f))
    if args.python:
        out = os.path.join(tmp, "matrix")
        p = subprocess.run([args.python, "-I", "-S",
                            os.path.join(args.source, "tools", "matrix_report.py"),
                            "--spec", os.path.join(args.source, "conformance", "SPEC.md"),
                            "--out", out, "--run", "interpref=" + merged],
                           capture_output=True, text=True)
        check(p.returncode == 0, "matrix_report.py reads merged JSON lines: %s" % p.stderr)
        for name in ("matrix.md", "matrix.json"):
            check_clean(os.path.join(out, name), name)
        html = open(os.path.join(out, "matrix.html"), encoding="utf-8").read()
        check("Legend" in html and "conformance/suite/channels/" in html
              and "href='/" not in html and "<code>" in html,
              "matrix.html has its legend and links scenarios to their files (relative)")
        p = subprocess.run([args.python, "-I", "-S",
                            os.path.join(args.source, "tools", "expectations_draft.py"),
                            "--spec", os.path.join(args.source, "conformance", "SPEC.md"),
                            "--jsonl", merged, "--title", "check"],
                           capture_output=True, text=True)
        check(p.returncode == 0, "expectations_draft.py reads merged JSON lines: %s" % p.stderr)


def group_merge_refused(args, tmp):
    one, two = shard_runs(args, tmp)
    r = run(args, ["merge", one, one])
    check(r.returncode == 2, "one shard missing, another twice: exit 2", r)
    check("shard 1/2 given twice: %s and %s" % (one, one) in r.stderr, "names the twice", r)
    check("shard 2/2 missing" in r.stderr, "names the missing shard", r)
    mixed = os.path.join(tmp, "mixed.jsonl")
    with open(two, encoding="utf-8") as f, open(mixed, "w", encoding="utf-8") as out:
        for line in f:
            record = json.loads(line)
            if record.get("type") == "run":
                record["suite"] = "0000000"
            out.write(json.dumps(record) + "\n")
    r = run(args, ["merge", one, mixed])
    check(r.returncode == 2, "mixed suite commits: exit 2", r)
    check("mixed suite versions: " in r.stderr and "'0000000'" in r.stderr,
          "names the mixed suite versions", r)
    short = os.path.join(tmp, "short.jsonl")
    with open(two, encoding="utf-8") as f:
        lines = f.readlines()
    with open(short, "w", encoding="utf-8") as out:
        out.writelines(lines[:-1])
    lost = json.loads(lines[-1])["id"]
    r = run(args, ["merge", one, short])
    check(r.returncode == 2 and ("scenario %s missing" % lost) in r.stderr,
          "a scenario in no shard: exit 2, named", r)
    bad = os.path.join(tmp, "no-such-dir", "m.xml")
    r = run(args, ["merge", one, two, "--junit", bad])
    check(r.returncode == 2 and ("cannot write %s" % bad) in r.stderr,
          "an output file that cannot be written: exit 2 before merging", r)


GROUPS = {"repeat": group_repeat, "flaky": group_flaky, "live": group_live,
          "merge": group_merge, "merge-refused": group_merge_refused}
args_global = None


def main():
    global args_global
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=sorted(GROUPS))
    parser.add_argument("--runner", required=True)
    parser.add_argument("--tests", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--python")
    args_global = args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        GROUPS[args.group](args, tmp)
    print("%s: %s" % (args.group, "FAILED" if FAILURES else "ok"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check the CI configuration that cannot run here (CTest test ci.config):

    python3 tools/ci-config-check.py [REPO]

- every .github/workflows/*.yml parses as YAML and is a workflow: `on`, and
  jobs each with `runs-on` and `steps` (each step `uses` or `run`);
- matrix.yml runs the suite sharded (`--shard ${{ matrix.shard }}/N` with
  shards 1..N in its matrix), uploads the JSON lines, and merges them with
  `interpcheck merge`; the matrix page comes from tools/matrix_report.py;
- .clusterfuzzlite/ has project.yaml (language c), a Dockerfile from
  OSS-Fuzz's base-builder that copies build.sh, and an executable build.sh
  calling fuzz/build.sh.

PyYAML comes from the system (python3-yaml): the project calls Python with
-I -S, so its dist-packages folder is added by hand.  Without PyYAML the
test is skipped (exit 77).
"""

import os
import re
import sys

for folder in ("/usr/lib/python3/dist-packages",):
    if os.path.isdir(folder) and folder not in sys.path:
        sys.path.append(folder)
try:
    import yaml
except ImportError:
    print("ci-config-check: no PyYAML (apt-get install python3-yaml): skipped")
    sys.exit(77)

PROBLEMS = []


def check(ok, what):
    if not ok:
        PROBLEMS.append(what)
        print("FAIL: " + what)


def load(path):
    with open(path, encoding="utf-8") as f:
        try:
            return yaml.safe_load(f)
        except yaml.YAMLError as exc:
            check(False, "%s: not YAML: %s" % (path, exc))
            return None


def check_workflow(path):
    doc = load(path)
    if not isinstance(doc, dict):
        check(False, "%s: not a mapping" % path)
        return None
    # YAML 1.1 reads the key `on` as True.
    check("on" in doc or True in doc, "%s: no `on`" % path)
    jobs = doc.get("jobs")
    check(isinstance(jobs, dict) and jobs, "%s: no jobs" % path)
    for name, job in (jobs or {}).items():
        check("runs-on" in job, "%s: job %s: no runs-on" % (path, name))
        steps = job.get("steps")
        check(isinstance(steps, list) and steps, "%s: job %s: no steps" % (path, name))
        for i, step in enumerate(steps or []):
            check(isinstance(step, dict) and ("uses" in step or "run" in step),
                  "%s: job %s step %d: neither uses nor run" % (path, name, i + 1))
    return doc


def check_matrix(path):
    doc = check_workflow(path)
    if doc is None:
        return
    jobs = doc["jobs"]
    shard = jobs.get("shard", {})
    shards = shard.get("strategy", {}).get("matrix", {}).get("shard", [])
    runs = "\n".join(s.get("run", "") for s in shard.get("steps", []))
    m = re.search(r"--shard \$\{\{ matrix\.shard \}\}/(\d+)", runs)
    check(m is not None, "matrix.yml: the shard job runs --shard ${{ matrix.shard }}/N")
    if m:
        check(shards == list(range(1, int(m.group(1)) + 1)),
              "matrix.yml: shards %r are 1..%s" % (shards, m.group(1)))
    check("--jsonl" in runs, "matrix.yml: the shards write JSON lines")
    check(any("upload-artifact" in s.get("uses", "") for s in shard.get("steps", [])),
          "matrix.yml: the shards upload their JSON lines")
    merge = jobs.get("merge", {})
    check(merge.get("needs") == "shard", "matrix.yml: merge needs the shards")
    runs = "\n".join(s.get("run", "") for s in merge.get("steps", []))
    check("interpcheck merge " in runs, "matrix.yml: the merge job runs interpcheck merge")
    runs = "\n".join(s.get("run", "") for s in jobs.get("matrix", {}).get("steps", []))
    check("tools/matrix_report.py" in runs, "matrix.yml: the matrix page")


def check_clusterfuzzlite(root):
    folder = os.path.join(root, ".clusterfuzzlite")
    project = load(os.path.join(folder, "project.yaml")) or {}
    check(project.get("language") in ("c", "c++"), "project.yaml: language c")
    with open(os.path.join(folder, "Dockerfile"), encoding="utf-8") as f:
        docker = f.read()
    check(re.search(r"^FROM gcr\.io/oss-fuzz-base/base-builder", docker, re.M) is not None,
          "Dockerfile: FROM OSS-Fuzz's base-builder")
    check(re.search(r"^COPY \.clusterfuzzlite/build\.sh \$SRC/", docker, re.M) is not None,
          "Dockerfile: copies build.sh to $SRC")
    build = os.path.join(folder, "build.sh")
    check(os.access(build, os.X_OK), "build.sh: executable")
    with open(build, encoding="utf-8") as f:
        check("fuzz/build.sh" in f.read(), "build.sh: calls fuzz/build.sh")


def main(argv):
    root = os.path.abspath(argv[0] if argv else os.path.join(os.path.dirname(__file__), ".."))
    workflows = os.path.join(root, ".github", "workflows")
    names = sorted(n for n in os.listdir(workflows) if n.endswith((".yml", ".yaml")))
    check("matrix.yml" in names, "no .github/workflows/matrix.yml")
    for name in names:
        if name == "matrix.yml":
            check_matrix(os.path.join(workflows, name))
        else:
            check_workflow(os.path.join(workflows, name))
    check_clusterfuzzlite(root)
    print("ci-config-check: %d workflow(s), .clusterfuzzlite: %s" % (
        len(names), "FAILED" if PROBLEMS else "ok"))
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

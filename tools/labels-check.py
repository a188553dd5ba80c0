"""Check that no CTest label of a build tree matches another (CTest test ci.labels):

    python3 tools/labels-check.py CTEST BUILD_DIR

`ctest -L X` takes X as a regular expression searched inside each label, so
a label that contains another (`fuzz` inside `fuzz-regress`, `py` inside
`cpython`) makes `-L` select more than it names.  This lists the tree's
labels with `ctest --print-labels` and fails, naming the pairs, when one
label occurs inside another; the README and CONTRIBUTING tell users to run
`ctest -L <label>` and rely on it.
"""

import subprocess
import sys


def labels_of(ctest, build_dir):
    out = subprocess.run([ctest, "--print-labels"], cwd=build_dir, check=True,
                         capture_output=True, text=True).stdout
    # The list follows the "All Labels:" line, one indented label per line.
    lines = out.splitlines()
    if not any(line.strip() == "All Labels:" for line in lines):
        return []
    start = next(i for i, line in enumerate(lines) if line.strip() == "All Labels:")
    return [line.strip() for line in lines[start + 1:] if line.strip()]


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    labels = labels_of(argv[1], argv[2])
    if not labels:
        print("labels-check: no labels in %s" % argv[2], file=sys.stderr)
        return 1
    clashes = [(a, b) for a in labels for b in labels if a != b and a in b]
    for inner, outer in clashes:
        print("labels-check: `ctest -L %s` also selects label %s" % (inner, outer))
    print("labels-check: %d labels, %d clashes" % (len(labels), len(clashes)))
    return 1 if clashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""F1: CPython 3.10-3.12 raise an empty MemoryError when the `shared` argument
of _xxsubinterpreters.run_string() (what Interpreter.run(..., channels=X) of
test.support.interpreters passes X to) is not a dict.  3.13.0 crashes on the
same call to its _interpreters.exec() (python/cpython#126654, fixed in
3.13.1); 3.13.1 and later raise TypeError("expected 'shared' to be a dict").

Run:  python3.X -I -S reports/findings/F1-run-shared-not-dict-memoryerror.py
Each call runs in a child Python (this same executable), so that a crash is
reported too.  Prints one line per argument; exit 1 when any call raised
MemoryError or crashed its child, 0 when every one raised another exception.
"""
import subprocess
import sys

CHILD = r"""
import sys
try:
    import _interpreters as low           # 3.13 and later
    run = low.exec
except ImportError:
    import _xxsubinterpreters as low      # 3.10 to 3.12
    run = low.run_string
interp = low.create()
try:
    run(interp, "pass", eval(sys.argv[1]))
    outcome = "no error"
except Exception as exc:
    outcome = "%s(%r)" % (type(exc).__name__, str(exc))
low.destroy(interp)
print(outcome)
sys.exit(3 if outcome.startswith("MemoryError(") else 0)
"""

affected = 0
for shared in ("[1, 2]", "(1, 2)", "5"):
    child = subprocess.run([sys.executable, "-I", "-S", "-c", CHILD, shared],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = child.stdout.strip().splitlines()[-1:] or [""]
    if child.returncode < 0:
        outcome = "crashed (signal %d)" % -child.returncode
    elif child.returncode not in (0, 3):
        outcome = "child exited with status %d: %s" % (child.returncode, text[0])
    else:
        outcome = text[0]
    affected += child.returncode != 0
    print("%s: shared=%s -> %s" % (sys.version.split()[0], shared, outcome))
sys.exit(1 if affected else 0)

"""F1: CPython 3.10-3.12 raise an empty MemoryError when the `shared` argument
of _xxsubinterpreters.run_string() (what Interpreter.run(..., channels=X) of
test.support.interpreters passes X to) is not a dict.  3.13 raises
TypeError("expected 'shared' to be a dict").

Run:  python3.X -I -S reports/findings/F1-run-shared-not-dict-memoryerror.py
Prints one line per argument; exit 1 when any raised MemoryError.
"""
import sys

try:
    import _interpreters as low           # 3.13 and later
    run = low.exec
except ImportError:
    import _xxsubinterpreters as low      # 3.10 to 3.12
    run = low.run_string

interp = low.create()
memory_errors = 0
for shared in ([1, 2], (1, 2), 5):
    try:
        run(interp, "pass", shared)
        outcome = "no error"
    except Exception as exc:
        outcome = "%s(%r)" % (type(exc).__name__, str(exc))
        memory_errors += isinstance(exc, MemoryError)
    print("%s: shared=%r -> %s" % (sys.version.split()[0], shared, outcome))
low.destroy(interp)
sys.exit(1 if memory_errors else 0)

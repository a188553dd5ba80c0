/*
 * fuzz_python.h: what the fuzz harnesses that embed CPython share: starting
 * Python once per process, and small helpers to call the API under test and
 * describe what came back.
 *
 * Python is initialised once per process (never per input: an interpreter
 * start costs ~10 ms, an input should cost microseconds), from an isolated
 * configuration without `site` (a .pth file in some site-packages makes
 * subinterpreter teardown hang), with `interpref` registered as a built-in
 * module through PyImport_AppendInittab, by embed/pyembed.c as for
 * ref/tests/embed_main.c.  PYTHONMALLOC is honoured (the sanitizer builds set it to `malloc` so
 * ASan sees every object).  After fuzz_python_init() the calling thread holds
 * the GIL of the main interpreter, and keeps it between inputs.
 *
 * Global state: the Python runtime itself, and the exit hooks list below.
 */
#ifndef INTERPCHECK_FUZZ_PYTHON_H
#define INTERPCHECK_FUZZ_PYTHON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>

/*
 * Start Python (idempotent).  On failure prints why and aborts: a harness
 * without Python cannot run.  Registers an atexit() handler that runs the
 * exit hooks (newest first), then finalises Python, so LeakSanitizer at exit
 * sees a finalised interpreter.
 */
void fuzz_python_init(void);

/* Run `fn` at process exit before Python is finalised (at most 8 hooks). */
void fuzz_python_at_exit(void (*fn)(void));

/* Finalise now (the replay driver calls it; atexit does it otherwise). */
void fuzz_python_finalize(void);

/*
 * Import a module by dotted name; aborts with the traceback on failure
 * (a harness whose module is missing is misconfigured, not a finding).
 */
PyObject *fuzz_import(const char *name);

/*
 * Run `code` (statements) in a fresh namespace dict that has __builtins__;
 * returns that dict, or aborts with the traceback.  For building fixed
 * helper objects at start-up.
 */
PyObject *fuzz_exec(const char *code);

/*
 * obj.method(arg) with exactly one positional argument (never unpacks a
 * tuple argument, unlike PyObject_CallMethod's "O" format).  New reference,
 * or NULL with an exception set.
 */
PyObject *fuzz_call1(PyObject *obj, const char *method, PyObject *arg);

/* Evaluate an expression in namespace `ns`; new reference, or NULL with an
 * exception set. */
PyObject *fuzz_eval(const char *expr, PyObject *ns);

/*
 * Write a short, safe description of `obj` into buf: its type name and
 * repr() cut to fit (a repr that raises is reported as such).  Never leaves
 * an exception set and never fails.
 */
void fuzz_describe(PyObject *obj, char *buf, size_t size);

/*
 * type(got) is type(want) and got == want (for None: got is None): what
 * SHARE-6 asks of a received object.  A comparison that raises counts as
 * unequal (the exception is cleared).
 */
int fuzz_same_value(PyObject *got, PyObject *want);

/* A harness found a bug: print the message (printf-style) and abort(). */
void fuzz_finding(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Abort with the pending Python exception printed: a harness bug. */
void fuzz_fatal_python(const char *what) __attribute__((noreturn));

/* A value of environment variable `name` as a long, or `dflt`. */
long fuzz_env_long(const char *name, long dflt);

#endif /* INTERPCHECK_FUZZ_PYTHON_H */

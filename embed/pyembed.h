/*
 * pyembed.h: the one way this project starts an embedded CPython: the fuzz
 * harnesses (fuzz/common/fuzz_python.c), the test driver interpref-embed
 * (ref/tests/embed_main.c), the C tests that embed Python
 * (ref/tests/c/test_module.c), and the runner (tools/interpcheck/pyhost.c).
 *
 * What every caller gets:
 *   - isolation: no `site` (a .pth file in some site-packages makes
 *     subinterpreter teardown hang), no user site, no bytecode written,
 *     and the caller's PYTHON* environment variables ignored, except
 *     PYTHONMALLOC (the sanitizer builds set it to `malloc` so ASan sees
 *     every object), which is parsed here and handed to the
 *     pre-initialisation;
 *   - optionally one built-in module (interpref: PyImport_AppendInittab, so
 *     every interpreter, subinterpreters included, imports it without an
 *     install);
 *   - optionally folders on the module search path of every interpreter,
 *     subinterpreters included (`search_path`; CPython copies the main
 *     interpreter's startup path into each new one, so the folders must be
 *     there at start-up: they are passed through PYTHONPATH, the one other
 *     variable then honoured, after every other PYTHON* variable but
 *     PYTHONMALLOC has been removed from the environment);
 *   - optionally a script whose folder is sys.path[0], with sys.argv;
 *   - a status and a message instead of output: nothing is printed here.
 *
 * Global state: CPython's.  Not thread-safe; call from the main thread.
 */
#ifndef INTERPCHECK_PYEMBED_H
#define INTERPCHECK_PYEMBED_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct pyembed_options {
    /* config.program_name (NULL: "python3"). */
    const char *program_name;
    /* sys.executable (NULL: what CPython computes from program_name). */
    const char *executable;
    /* A script for pyembed_run_main(): its folder becomes sys.path[0]
     * (NULL: none, and no script folder or current folder on sys.path). */
    const char *script;
    /* sys.argv as given (argc 0: ['']); never parsed as Python options. */
    int argc;
    char *const *argv;
    /* ':'-separated folders on every interpreter's module search path,
     * before the standard library; NULL or "": none. */
    const char *search_path;
    /* A built-in module registered before start-up (NULL name: none). */
    const char *builtin_name;
    PyObject *(*builtin_init)(void);
    /* Python's own signal handlers (SIGINT -> KeyboardInterrupt). */
    int signal_handlers;
    /* faulthandler: the Python stacks of all threads on a crash. */
    int faulthandler;
    /* Use <folder of the executable>/python-home as the Python home when
     * it holds this version's standard library (a bundled Python, e.g.
     * fuzz/build.sh with INTERPCHECK_BUNDLE_PYTHON=1). */
    int bundled_home;
} pyembed_options;

typedef enum pyembed_status {
    PYEMBED_OK = 0,
    PYEMBED_ERROR = -1, /* start-up failed: see message */
    PYEMBED_EXIT = 1    /* start-up asked to exit with exit_code (e.g. --help) */
} pyembed_status;

typedef struct pyembed_error {
    int exit_code;     /* PYEMBED_EXIT: the requested exit status */
    char message[512]; /* PYEMBED_ERROR: "STEP failed: FUNC: MESSAGE" */
} pyembed_error;

/* Start Python; on PYEMBED_OK the calling thread holds the GIL of the main
 * interpreter.  err may be NULL. */
pyembed_status pyembed_start(const pyembed_options *options, pyembed_error *err);

/* Run the script given as `script` and finalise Python; returns the exit
 * status (0, the SystemExit code, or 1 for an uncaught exception). */
int pyembed_run_main(void);

/* Finalise Python; 0, or -1 when Py_FinalizeEx() reports an error. */
int pyembed_finish(void);

/* The PyMemAllocatorName a PYTHONMALLOC value names: 0, or -1 if unknown. */
int pyembed_parse_allocator(const char *name, PyMemAllocatorName *out);

#endif /* INTERPCHECK_PYEMBED_H */

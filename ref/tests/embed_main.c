/*
 * embed_main.c: interpref-embed, the driver of the Python-level tests.
 *
 *     interpref-embed SCRIPT [ARGS...]
 *
 * Runs SCRIPT in an embedded CPython with the `interpref` module built in
 * (PyImport_AppendInittab), and exits with the script's exit status (0 when
 * it ends normally, its SystemExit code, 1 on an uncaught exception).
 *
 * Why a driver instead of `python -c 'import interpref'`:
 *   - under the asan preset this binary carries ASan/UBSan, so the module is
 *     checked with the sanitizer runtimes in the process from the start, with
 *     no LD_PRELOAD into a stock interpreter;
 *   - the configuration starts from PyConfig_InitIsolatedConfig: no `site`
 *     (a .pth file in some site-packages makes subinterpreter teardown
 *     hang), no user site, no PYTHON* environment variables, so a test sees
 *     the same interpreter on every machine.  Only sys.path[0] is given back
 *     (see main()).
 *
 * What the script sees:
 *   sys.argv       [SCRIPT, ARGS...]
 *   sys.path[0]    the folder of SCRIPT (safe_path = 0, 3.11+), so tests can
 *                  import helpers that sit beside them
 *   sys.executable this driver (it takes a script, not python's options)
 *
 * The one environment variable honoured despite the isolation is
 * PYTHONMALLOC, read here and handed to the pre-initialisation: the
 * sanitizer builds set PYTHONMALLOC=malloc so that every object allocation
 * is visible to ASan and LeakSanitizer.
 *
 * Errors in the start-up itself (bad PYTHONMALLOC, a failed PyStatus) are
 * reported on stderr with the step that failed, and exit with status 2 so
 * they cannot be mistaken for a failing test (1).
 *
 * The start-up is embed/pyembed.c's, shared with the fuzzers and the C tests.
 */
#include "pyembed.h"

#include <stdio.h>

/* Defined in ref/module.c. */
PyMODINIT_FUNC PyInit_interpref(void);

#define EXIT_USAGE 2
#define EXIT_STARTUP 2

int
main(int argc, char **argv)
{
    const char *progname = argc > 0 && argv[0] != NULL && argv[0][0] != '\0' ? argv[0]
                                                                             : "interpref-embed";
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT [ARGS...]\n", progname);
        return EXIT_USAGE;
    }
    pyembed_options options = {
        .program_name = argv[0], /* sys.executable is this driver, not a `python` on PATH */
        .script = argv[1],       /* sys.path[0] = folder of SCRIPT */
        .argc = argc - 1,
        .argv = argv + 1,
        .builtin_name = "interpref",
        .builtin_init = PyInit_interpref,
        .faulthandler = 1, /* tracebacks of all threads on a crash */
    };
    pyembed_error err;
    switch (pyembed_start(&options, &err)) {
    case PYEMBED_OK:
        break;
    case PYEMBED_EXIT:
        return err.exit_code;
    case PYEMBED_ERROR:
        fprintf(stderr, "%s: %s\n", progname, err.message);
        return EXIT_STARTUP;
    }
    /* Runs the script, then finalises Python; returns the exit status. */
    return pyembed_run_main();
}

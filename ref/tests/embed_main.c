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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined in ref/module.c. */
PyMODINIT_FUNC PyInit_interpref(void);

#define EXIT_USAGE 2
#define EXIT_STARTUP 2

static const char *progname = "interpref-embed";

/*
 * Report a failed PyStatus for `step`, then clear `config` (may be NULL).
 * Returns the status to exit with: the requested code for an exit status,
 * EXIT_STARTUP otherwise.
 */
static int
startup_failed(const char *step, PyStatus status, PyConfig *config)
{
    if (config != NULL) {
        PyConfig_Clear(config);
    }
    if (PyStatus_IsExit(status)) {
        return status.exitcode;
    }
    fprintf(stderr, "%s: %s failed: %s%s%s\n", progname, step, status.func ? status.func : "",
            status.func ? ": " : "", status.err_msg ? status.err_msg : "(no message)");
    return EXIT_STARTUP;
}

/*
 * Map a PYTHONMALLOC value to a PyMemAllocatorName.  Returns 0 and sets
 * *out on success, -1 for a name this driver does not know.
 */
static int
parse_allocator(const char *name, PyMemAllocatorName *out)
{
    static const struct {
        const char *name;
        PyMemAllocatorName value;
    } table[] = {
        {"default", PYMEM_ALLOCATOR_DEFAULT},   {"debug", PYMEM_ALLOCATOR_DEBUG},
        {"malloc", PYMEM_ALLOCATOR_MALLOC},     {"malloc_debug", PYMEM_ALLOCATOR_MALLOC_DEBUG},
        {"pymalloc", PYMEM_ALLOCATOR_PYMALLOC}, {"pymalloc_debug", PYMEM_ALLOCATOR_PYMALLOC_DEBUG},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(name, table[i].name) == 0) {
            *out = table[i].value;
            return 0;
        }
    }
    return -1;
}

/*
 * Pre-initialise with the isolated defaults plus the allocator PYTHONMALLOC
 * names (if set and not empty).  Returns 0, or an exit status.
 */
static int
preinitialize(void)
{
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);

    const char *allocator = getenv("PYTHONMALLOC");
    if (allocator != NULL && allocator[0] != '\0') {
        PyMemAllocatorName name;
        if (parse_allocator(allocator, &name) < 0) {
            fprintf(stderr, "%s: unknown PYTHONMALLOC=%s\n", progname, allocator);
            return EXIT_STARTUP;
        }
        preconfig.allocator = name;
    }

    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        return startup_failed("Py_PreInitialize", status, NULL);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc > 0 && argv[0] != NULL && argv[0][0] != '\0') {
        progname = argv[0];
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT [ARGS...]\n", progname);
        return EXIT_USAGE;
    }

    /* Must precede any initialisation: the inittab is read at start-up. */
    if (PyImport_AppendInittab("interpref", PyInit_interpref) < 0) {
        fprintf(stderr, "%s: PyImport_AppendInittab(\"interpref\") failed\n", progname);
        return EXIT_STARTUP;
    }

    int rc = preinitialize();
    if (rc != 0) {
        return rc;
    }

    PyConfig config;
    PyStatus status;
    PyConfig_InitIsolatedConfig(&config);
    /*
     * The isolated configuration with one thing given back: sys.path[0].
     * `isolated` itself forces safe_path = 1 during configuration, so it is
     * turned off and the parts of isolation we want are spelled out.
     */
    config.isolated = 0;
    config.use_environment = 0;     /* ignore PYTHON* variables */
    config.user_site_directory = 0; /* no ~/.local site-packages */
    config.site_import = 0;         /* never import site (.pth files) */
    config.write_bytecode = 0;      /* no __pycache__ in the source tree */
    config.faulthandler = 1;        /* tracebacks of all threads on a crash */
#if PY_VERSION_HEX >= 0x030B0000
    config.safe_path = 0; /* sys.path[0] = folder of SCRIPT */
#endif

    /* sys.executable is this driver, not a `python` found on PATH. */
    status = PyConfig_SetBytesString(&config, &config.program_name, argv[0]);
    if (PyStatus_Exception(status)) {
        return startup_failed("setting program_name", status, &config);
    }
    status = PyConfig_SetBytesString(&config, &config.run_filename, argv[1]);
    if (PyStatus_Exception(status)) {
        return startup_failed("setting the script name", status, &config);
    }
    /* parse_argv is 0 in an isolated config: argv goes to sys.argv as is. */
    status = PyConfig_SetBytesArgv(&config, argc - 1, argv + 1);
    if (PyStatus_Exception(status)) {
        return startup_failed("setting sys.argv", status, &config);
    }

    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status)) {
        return startup_failed("Py_InitializeFromConfig", status, &config);
    }
    PyConfig_Clear(&config);

    /* Runs run_filename, then finalises Python; returns the exit status. */
    return Py_RunMain();
}

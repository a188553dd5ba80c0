/*
 * pyembed.c: starting an embedded CPython (see pyembed.h).
 *
 * The configuration starts from PyConfig_InitIsolatedConfig (with a search
 * path: PyConfig_InitPythonConfig, whose environment is scrubbed first)
 * with `isolated` turned off and every part of isolation spelled out:
 * `isolated` itself would force safe_path = 1, which a script runner must
 * turn off to get its folder as sys.path[0], and would ignore PYTHONPATH,
 * which `search_path` needs.
 *
 * Global state: none besides CPython's.
 */
#include "pyembed.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pyembed_status fail(pyembed_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static pyembed_status
fail(pyembed_error *err, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return PYEMBED_ERROR;
}

/* A failed PyStatus of `step` into err. */
static pyembed_status
status_failed(pyembed_error *err, const char *step, PyStatus status)
{
    if (PyStatus_IsExit(status)) {
        if (err != NULL) {
            err->exit_code = status.exitcode;
        }
        return PYEMBED_EXIT;
    }
    return fail(err, "%s failed: %s%s%s", step, status.func ? status.func : "",
                status.func ? ": " : "", status.err_msg ? status.err_msg : "(no message)");
}

int
pyembed_parse_allocator(const char *name, PyMemAllocatorName *out)
{
    static const struct {
        const char *name;
        PyMemAllocatorName value;
    } table[] = {
        {"default", PYMEM_ALLOCATOR_DEFAULT},   {"debug", PYMEM_ALLOCATOR_DEBUG},
        {"malloc", PYMEM_ALLOCATOR_MALLOC},     {"malloc_debug", PYMEM_ALLOCATOR_MALLOC_DEBUG},
#ifdef WITH_PYMALLOC /* a CPython configured without it (ASan builds) has no such names */
        {"pymalloc", PYMEM_ALLOCATOR_PYMALLOC}, {"pymalloc_debug", PYMEM_ALLOCATOR_PYMALLOC_DEBUG},
#endif
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) == 0) {
            *out = table[i].value;
            return 0;
        }
    }
    return -1;
}

/* Only PYTHONMALLOC, and PYTHONPATH = `path`, survive in the environment. */
static int
scrub_environment(const char *path)
{
    extern char **environ;
    for (size_t i = 0; environ[i] != NULL;) {
        if (strncmp(environ[i], "PYTHON", 6) == 0 &&
            strncmp(environ[i], "PYTHONMALLOC=", 13) != 0) {
            char name[256];
            size_t len = strcspn(environ[i], "=");
            snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), environ[i]);
            unsetenv(name); /* environ shifts: look at index i again */
            continue;
        }
        i++;
    }
    return setenv("PYTHONPATH", path, 1);
}

/*
 * Pre-initialise with PYTHONMALLOC's allocator: from the isolated defaults
 * (C locale kept, no UTF-8 mode), or, with a search path, from the Python
 * defaults over the scrubbed environment (what Py_InitializeFromConfig()
 * would do by itself with that configuration: the runner's settings).
 */
static pyembed_status
preinitialize(int with_path, pyembed_error *err)
{
    PyPreConfig preconfig;
    if (with_path) {
        PyPreConfig_InitPythonConfig(&preconfig);
        preconfig.parse_argv = 0;
    }
    else {
        PyPreConfig_InitIsolatedConfig(&preconfig);
    }
    const char *allocator = getenv("PYTHONMALLOC");
    if (allocator != NULL && allocator[0] != '\0') {
        PyMemAllocatorName name;
        if (pyembed_parse_allocator(allocator, &name) < 0) {
            return fail(err, "unknown PYTHONMALLOC=%s", allocator);
        }
        preconfig.allocator = name;
    }
    PyStatus status = Py_PreInitialize(&preconfig);
    return PyStatus_Exception(status) ? status_failed(err, "Py_PreInitialize", status) : PYEMBED_OK;
}

/* <folder of this executable>/python-home when it holds a standard library. */
static int
bundled_home(char *home, size_t size)
{
    char exe[PATH_MAX], landmark[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        return 0;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) {
        return 0;
    }
    *slash = '\0';
    snprintf(home, size, "%s/python-home", exe);
    snprintf(landmark, sizeof landmark, "%s/lib/python%d.%d/os.py", home, PY_MAJOR_VERSION,
             PY_MINOR_VERSION);
    return access(landmark, R_OK) == 0;
}

/* The strings of the configuration; a failed PyStatus, or success. */
static PyStatus
set_strings(PyConfig *config, const pyembed_options *o)
{
    PyStatus status = PyConfig_SetBytesString(config, &config->program_name,
                                              o->program_name ? o->program_name : "python3");
    if (!PyStatus_Exception(status) && o->executable != NULL) {
        status = PyConfig_SetBytesString(config, &config->executable, o->executable);
    }
    if (!PyStatus_Exception(status) && o->script != NULL) {
        status = PyConfig_SetBytesString(config, &config->run_filename, o->script);
    }
    if (!PyStatus_Exception(status) && o->argc > 0) {
        status = PyConfig_SetBytesArgv(config, o->argc, o->argv);
    }
    char home[PATH_MAX + 32];
    if (!PyStatus_Exception(status) && o->bundled_home && bundled_home(home, sizeof home)) {
        status = PyConfig_SetBytesString(config, &config->home, home);
    }
    return status;
}

static void
configure(PyConfig *config, const pyembed_options *o, int with_path)
{
    if (with_path) {
        PyConfig_InitPythonConfig(config);
    }
    else {
        PyConfig_InitIsolatedConfig(config);
    }
    config->isolated = 0;
    config->use_environment = with_path; /* scrubbed first: PYTHONPATH, PYTHONMALLOC */
    config->user_site_directory = 0;
    config->site_import = 0;
    config->write_bytecode = 0;
    config->parse_argv = 0;
    config->pathconfig_warnings = 0;
    config->faulthandler = o->faulthandler != 0;
    config->install_signal_handlers = o->signal_handlers != 0;
#if PY_VERSION_HEX >= 0x030B0000
    config->safe_path = o->script == NULL; /* sys.path[0]: the script's folder */
#endif
}

pyembed_status
pyembed_start(const pyembed_options *o, pyembed_error *err)
{
    if (err != NULL) {
        err->exit_code = 0;
        err->message[0] = '\0';
    }
    if (o->builtin_name != NULL && PyImport_AppendInittab(o->builtin_name, o->builtin_init) < 0) {
        return fail(err, "PyImport_AppendInittab(\"%s\") failed", o->builtin_name);
    }
    int with_path = o->search_path != NULL && o->search_path[0] != '\0';
    if (with_path && scrub_environment(o->search_path) < 0) {
        return fail(err, "cannot set PYTHONPATH");
    }
    pyembed_status rc = preinitialize(with_path, err);
    if (rc != PYEMBED_OK) {
        return rc;
    }
    PyConfig config;
    configure(&config, o, with_path);
    PyStatus status = set_strings(&config, o);
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    return PyStatus_Exception(status) ? status_failed(err, "Py_InitializeFromConfig", status)
                                      : PYEMBED_OK;
}

int
pyembed_run_main(void)
{
    return Py_RunMain();
}

int
pyembed_finish(void)
{
    return Py_FinalizeEx() < 0 ? -1 : 0;
}

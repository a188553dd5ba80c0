/*
 * fuzz_python.c: start CPython once for a fuzz harness (see fuzz_python.h).
 *
 * The configuration mirrors ref/tests/embed_main.c: PyPreConfig and PyConfig
 * start from the isolated defaults; `site` is never imported; PYTHONMALLOC
 * alone is honoured.  Differences: no script and no argv, and Python's own
 * signal handlers are not installed (the fuzzing engine owns SIGINT, SIGSEGV
 * and friends; CPython's fuzzers in Modules/_xxtestfuzz do the same).
 *
 * Global state: `initialized`, the exit hook table.  Nothing is allocated
 * here besides what CPython allocates for itself.
 */
#include "fuzz_python.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Defined in ref/module.c (interpref_core, or the fuzz build of the ref sources). */
PyMODINIT_FUNC PyInit_interpref(void);

static int initialized;
static int finalized;
static void (*exit_hooks[8])(void);
static int n_exit_hooks;

static void
startup_failed(const char *step, PyStatus status)
{
    fprintf(stderr, "fuzz: %s failed: %s%s%s\n", step, status.func ? status.func : "",
            status.func ? ": " : "", status.err_msg ? status.err_msg : "(no message)");
    abort();
}

static PyMemAllocatorName
allocator_from_env(void)
{
    static const struct {
        const char *name;
        PyMemAllocatorName value;
    } table[] = {
        {"default", PYMEM_ALLOCATOR_DEFAULT},   {"debug", PYMEM_ALLOCATOR_DEBUG},
        {"malloc", PYMEM_ALLOCATOR_MALLOC},     {"malloc_debug", PYMEM_ALLOCATOR_MALLOC_DEBUG},
        {"pymalloc", PYMEM_ALLOCATOR_PYMALLOC}, {"pymalloc_debug", PYMEM_ALLOCATOR_PYMALLOC_DEBUG},
    };
    const char *name = getenv("PYTHONMALLOC");
    if (name == NULL || name[0] == '\0') {
        return PYMEM_ALLOCATOR_NOT_SET;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) == 0) {
            return table[i].value;
        }
    }
    fprintf(stderr, "fuzz: unknown PYTHONMALLOC=%s\n", name);
    abort();
}

void
fuzz_python_finalize(void)
{
    if (!initialized || finalized) {
        return;
    }
    finalized = 1;
    while (n_exit_hooks > 0) {
        exit_hooks[--n_exit_hooks]();
    }
    if (Py_FinalizeEx() < 0) {
        fprintf(stderr, "fuzz: Py_FinalizeEx reported an error\n");
    }
}

static void
at_exit(void)
{
    fuzz_python_finalize();
}

void
fuzz_python_at_exit(void (*fn)(void))
{
    if (n_exit_hooks < (int)(sizeof exit_hooks / sizeof exit_hooks[0])) {
        exit_hooks[n_exit_hooks++] = fn;
    }
}

void
fuzz_python_init(void)
{
    if (initialized) {
        return;
    }
    if (PyImport_AppendInittab("interpref", PyInit_interpref) < 0) {
        fprintf(stderr, "fuzz: PyImport_AppendInittab(\"interpref\") failed\n");
        abort();
    }

    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    PyMemAllocatorName allocator = allocator_from_env();
    if (allocator != PYMEM_ALLOCATOR_NOT_SET) {
        preconfig.allocator = allocator;
    }
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        startup_failed("Py_PreInitialize", status);
    }

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0; /* never import site (.pth files) */
    config.user_site_directory = 0;
    config.use_environment = 0; /* ignore PYTHON* variables */
    config.write_bytecode = 0;
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    status = PyConfig_SetBytesString(&config, &config.program_name, "interpcheck-fuzz");
    if (PyStatus_Exception(status)) {
        PyConfig_Clear(&config);
        startup_failed("setting program_name", status);
    }
    /*
     * A Python bundled next to the binary (fuzz/build.sh with
     * INTERPCHECK_BUNDLE_PYTHON=1, for OSS-Fuzz runners that have no
     * Python): <dir of the executable>/python-home/lib/python3.X.  The
     * isolated configuration ignores PYTHONHOME, so this is the way to say it.
     */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            char home[PATH_MAX + 32], landmark[PATH_MAX + 64];
            *slash = '\0';
            snprintf(home, sizeof home, "%s/python-home", exe);
            snprintf(landmark, sizeof landmark, "%s/lib/python%d.%d/os.py", home, PY_MAJOR_VERSION,
                     PY_MINOR_VERSION);
            if (access(landmark, R_OK) == 0) {
                status = PyConfig_SetBytesString(&config, &config.home, home);
                if (PyStatus_Exception(status)) {
                    PyConfig_Clear(&config);
                    startup_failed("setting home", status);
                }
            }
        }
    }
    status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        startup_failed("Py_InitializeFromConfig", status);
    }
    initialized = 1;
    atexit(at_exit);
}

PyObject *
fuzz_import(const char *name)
{
    PyObject *module = PyImport_ImportModule(name);
    if (module == NULL) {
        fuzz_fatal_python(name);
    }
    return module;
}

PyObject *
fuzz_exec(const char *code)
{
    PyObject *ns = PyDict_New();
    if (ns == NULL || PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0) {
        fuzz_fatal_python("namespace");
    }
    PyObject *result = PyRun_String(code, Py_file_input, ns, ns);
    if (result == NULL) {
        fprintf(stderr, "fuzz: start-up code failed:\n%s\n", code);
        fuzz_fatal_python("start-up code");
    }
    Py_DECREF(result);
    return ns;
}

PyObject *
fuzz_call1(PyObject *obj, const char *method, PyObject *arg)
{
    PyObject *callable = PyObject_GetAttrString(obj, method);
    if (callable == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_CallOneArg(callable, arg);
    Py_DECREF(callable);
    return result;
}

PyObject *
fuzz_eval(const char *expr, PyObject *ns)
{
    return PyRun_String(expr, Py_eval_input, ns, ns);
}

void
fuzz_describe(PyObject *obj, char *buf, size_t size)
{
    if (size == 0) {
        return;
    }
    buf[0] = '\0';
    if (obj == NULL) {
        snprintf(buf, size, "<NULL>");
        return;
    }
    PyObject *exc_type, *exc_value, *exc_tb;
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    PyObject *repr = PyObject_Repr(obj);
    PyObject *bytes = repr ? PyUnicode_AsEncodedString(repr, "utf-8", "backslashreplace") : NULL;
    if (bytes != NULL) {
        snprintf(buf, size, "%s %.*s", Py_TYPE(obj)->tp_name, (int)(size > 40 ? size - 40 : 0),
                 PyBytes_AS_STRING(bytes));
    }
    else {
        snprintf(buf, size, "%s <repr failed>", Py_TYPE(obj)->tp_name);
    }
    Py_XDECREF(bytes);
    Py_XDECREF(repr);
    PyErr_Clear();
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

void
fuzz_finding(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n==== interpcheck fuzz finding ====\n");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n==================================\n");
    va_end(ap);
    fflush(stderr);
    abort();
}

void
fuzz_fatal_python(const char *what)
{
    fprintf(stderr, "fuzz: harness error (%s):\n", what);
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    fflush(stderr);
    abort();
}

long
fuzz_env_long(const char *name, long dflt)
{
    const char *text = getenv(name);
    if (text == NULL || text[0] == '\0') {
        return dflt;
    }
    char *end;
    long value = strtol(text, &end, 0);
    return *end == '\0' ? value : dflt;
}

/*
 * fuzz_python.c: start CPython once for a fuzz harness (see fuzz_python.h).
 *
 * The start-up is embed/pyembed.c's, shared with ref/tests/embed_main.c and
 * the C tests: isolated, `site` never imported, PYTHONMALLOC alone
 * honoured.  Here: no script and no argv, and Python's own signal handlers
 * are not installed (the fuzzing engine owns SIGINT, SIGSEGV and friends;
 * CPython's fuzzers in Modules/_xxtestfuzz do the same).
 *
 * Global state: `initialized`, the exit hook table.  Nothing is allocated
 * here besides what CPython allocates for itself.
 */
#include "fuzz_python.h"

#include "pyembed.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined in ref/module.c (interpref_core, or the fuzz build of the ref sources). */
PyMODINIT_FUNC PyInit_interpref(void);

static int initialized;
static int finalized;
static void (*exit_hooks[8])(void);
static int n_exit_hooks;

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
    if (pyembed_finish() < 0) {
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

/* CPython's "arena" allocator (pymalloc's arenas, and the frame data stack
 * of every thread state since 3.11) maps and unmaps memory directly.  A
 * harness creates a thread state for each run() in a sub, so every run paid
 * an mmap, a munmap (a TLB shootdown on each CPU) and fresh page faults, and
 * ASan saw none of that memory.  Through malloc, ASan watches it and the
 * allocator reuses it. */
static void *
arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void
arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

void
fuzz_python_init(void)
{
    if (initialized) {
        return;
    }
    PyObjectArenaAllocator arenas = {NULL, arena_alloc, arena_free};
    PyObject_SetArenaAllocator(&arenas);
    /* A Python bundled next to the binary (fuzz/build.sh with
     * INTERPCHECK_BUNDLE_PYTHON=1, for OSS-Fuzz runners that have no
     * Python) is found by bundled_home: the isolated configuration ignores
     * PYTHONHOME. */
    pyembed_options options = {
        .program_name = "interpcheck-fuzz",
        .builtin_name = "interpref",
        .builtin_init = PyInit_interpref,
        .bundled_home = 1,
    };
    pyembed_error err;
    if (pyembed_start(&options, &err) != PYEMBED_OK) {
        fprintf(stderr, "fuzz: %s\n", err.message);
        abort();
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
    /* Not PyObject_CallMethod(obj, method, "O", arg): that would unpack a
     * tuple `arg` into several arguments. */
    PyObject *callable = PyObject_GetAttrString(obj, method);
    PyObject *result = callable != NULL ? PyObject_CallOneArg(callable, arg) : NULL;
    Py_XDECREF(callable);
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

int
fuzz_same_value(PyObject *got, PyObject *want)
{
    if (want == Py_None) {
        return got == Py_None;
    }
    if (got == NULL || Py_TYPE(got) != Py_TYPE(want)) {
        return 0;
    }
    int eq = PyObject_RichCompareBool(got, want, Py_EQ);
    if (eq < 0) {
        PyErr_Clear();
        return 0;
    }
    return eq;
}

/*
 * ops_lowlevel.c: OP_MISC's MISC_LOWLEVEL, CPython 3.13 and later only: one
 * call into CPython's low-level _interpreters, _interpchannels or
 * _interpqueues module with arguments of wrong types, unknown ids and edge
 * values.
 *
 * The seed specifies none of these modules, so no particular result or
 * exception is required.  What no call may do is a finding: crash or abort
 * (the process dies: the engine reports it, with the sanitizer's report on
 * an ASan build), or raise SystemError, which is how CPython reports a
 * function that failed without setting an exception or returned a value
 * with one set (python/cpython#126654 was a crash of exactly such a call).
 *
 * Calls that create things are left out (what they make would be alive in
 * the model's world without the model knowing), and no argument names a
 * live interpreter, channel or queue: ids are negative, huge or far beyond
 * any the input makes, so nothing the model tracks is destroyed or blocked
 * on.  On interpref, and on 3.10-3.12 (other module names), the op does
 * nothing.  No scenario step is emitted: a scenario speaks the seed's API.
 */
#include "ops.h"

#include <string.h>

static const struct {
    const char *module;
    const char *name;
    int max_args;
} calls[] = {
    {"_interpreters", "destroy", 2},
    {"_interpreters", "exec", 3},
    {"_interpreters", "call", 3},
    {"_interpreters", "run_string", 3},
    {"_interpreters", "run_func", 3},
    {"_interpreters", "set___main___attrs", 2},
    {"_interpreters", "incref", 2},
    {"_interpreters", "decref", 2},
    {"_interpreters", "is_running", 2},
    {"_interpreters", "whence", 1},
    {"_interpreters", "new_config", 2},
    {"_interpreters", "is_shareable", 1},
    {"_interpreters", "capture_exception", 1},
    {"_interpchannels", "destroy", 1},
    {"_interpchannels", "list_interpreters", 2},
    {"_interpchannels", "send", 3},
    {"_interpchannels", "send_buffer", 3},
    {"_interpchannels", "recv", 2},
    {"_interpchannels", "close", 2},
    {"_interpchannels", "release", 2},
    {"_interpchannels", "get_info", 1},
    {"_interpchannels", "get_channel_defaults", 1},
    {"_interpchannels", "_channel_id", 2},
    {"_interpqueues", "destroy", 1},
    {"_interpqueues", "put", 4},
    {"_interpqueues", "get", 1},
    {"_interpqueues", "bind", 1},
    {"_interpqueues", "release", 1},
    {"_interpqueues", "get_maxsize", 1},
    {"_interpqueues", "get_queue_defaults", 1},
    {"_interpqueues", "is_full", 1},
    {"_interpqueues", "get_count", 1},
};
#define N_CALLS ((int)(sizeof calls / sizeof calls[0]))

/* Arguments: never 0, 1, True or a small id that a live object may have. */
static const char *const arg_exprs[] = {
    "-1",        "2**63",    "2**64",  "-2**63 - 1", "10**9",    "'x'", "''",
    "None",      "1.5",      "b'x'",   "()",         "[]",       "{}",  "object()",
    "'\\ud800'", "{'x': 1}", "{1: 1}", "print",      "-(10**9)",
};
#define N_ARGS ((int)(sizeof arg_exprs / sizeof arg_exprs[0]))

static PyObject *arg_objs[N_ARGS];

static int
args_ready(void)
{
    if (arg_objs[0] != NULL) {
        return 1;
    }
    PyObject *ns = fuzz_exec("");
    for (int i = 0; i < N_ARGS; i++) {
        arg_objs[i] = fuzz_eval(arg_exprs[i], ns);
        if (arg_objs[i] == NULL) {
            fuzz_fatal_python(arg_exprs[i]);
        }
    }
    Py_DECREF(ns);
    return 1;
}

static void
lowlevel_finding(const char *call, PyObject *exc)
{
    PyObject *text = PyObject_Str(exc);
    PyErr_Clear();
    fprintf(stderr,
            "\n==== interpcheck fuzz finding (ops, cpython, low-level call) ====\n"
            "%s raised SystemError(%s): a C function of CPython's module failed "
            "without an exception set, or returned with one set\n",
            call, text != NULL ? PyUnicode_AsUTF8(text) : "?");
    Py_XDECREF(text);
    print_program(stderr);
    fflush(stderr);
    abort();
}

rstatus
op_lowlevel(uint8_t pick, uint8_t shape)
{
    if (!cpython_mode || PY_MINOR_VERSION < 13 || !args_ready()) {
        return RS_OK;
    }
    int c = pick % N_CALLS;
    int nargs = shape % (calls[c].max_args + 1);
    PyObject *module = PyImport_ImportModule(calls[c].module);
    PyObject *fn = module != NULL ? PyObject_GetAttrString(module, calls[c].name) : NULL;
    Py_XDECREF(module);
    if (fn == NULL) {
        PyErr_Clear(); /* not on this version */
        return RS_OK;
    }
    PyObject *args = PyTuple_New(nargs);
    char call[256];
    int n = snprintf(call, sizeof call, "%s.%s(", calls[c].module, calls[c].name);
    for (int i = 0; args != NULL && i < nargs; i++) {
        int a = (shape / (calls[c].max_args + 1) + 7 * i) % N_ARGS;
        PyTuple_SET_ITEM(args, i, Py_NewRef(arg_objs[a]));
        n += snprintf(call + n, sizeof call - (size_t)n, "%s%s", i ? ", " : "", arg_exprs[a]);
    }
    snprintf(call + n, sizeof call - (size_t)n, ")");
    PyObject *result = args != NULL ? PyObject_Call(fn, args, NULL) : NULL;
    Py_XDECREF(args);
    Py_DECREF(fn);
    if (result == NULL) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (value != NULL && PyErr_GivenExceptionMatches(value, PyExc_SystemError)) {
            lowlevel_finding(call, value);
        }
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
    }
    Py_XDECREF(result);
    return RS_OK;
}

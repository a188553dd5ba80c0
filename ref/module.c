/*
 * module.c: the `interpref` module: its per-interpreter state, its exception
 * classes, its function table and its initialisation.  The functions
 * themselves live with the concept they belong to (interp.c, ends.c,
 * shareable.c) and what they share lives in state.c; this file only wires
 * them up, and is the top of the call graph: no other file calls into it.
 *
 * interpref is the reference implementation of the documented API of
 * `test.support.interpreters` (see conformance/SPEC.md): every behaviour here
 * is the executable form of a SPEC clause.  This file: MOD-*, EXC-*.
 */
#include "interpref.h"

#include <limits.h>

#include "alloc.h"

/* ---- module functions without a better home ---------------------------- */

static PyObject *
module_is_shareable(PyObject *module, PyObject *obj)
{
    return PyBool_FromLong(shareable_check(PyModule_GetState(module), obj));
}

static PyObject *
module_atexit(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    interp_close_all();
    Py_RETURN_NONE;
}

#ifdef INTERPCHECK_FAULT_INJECTION
/*
 * Test-only (CMake option INTERPCHECK_FAULT_INJECTION, the `fault` and
 * `coverage` presets):
 * SQLite-style fault injection over alloc.h, for ref/tests/fault/.
 *
 *   _fault_after(n)   n >= 0: the allocation after the next n that succeed
 *                     fails, and so does every later one (ref_alloc_fail_after);
 *                     n < 0: disarm.  Either way the call counter restarts at 0.
 *   _fault_calls()    ref_alloc_calls(): allocations attempted since then.
 *
 * Process-wide, like the allocator: arming it in one interpreter arms it for
 * every interpreter and thread.  Never compiled into a normal build.
 */
static PyObject *
module_fault_after(PyObject *module, PyObject *arg)
{
    (void)module;
    int overflow = 0;
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "_fault_after() argument must be an int, not %.200s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    long n = PyLong_AsLongAndOverflow(arg, &overflow); /* an int: cannot fail */
    if (overflow != 0) {
        n = overflow > 0 ? LONG_MAX : -1; /* huge: never reached; very negative: disarm */
    }
    ref_alloc_fail_after(n < 0 ? -1 : n);
    Py_RETURN_NONE;
}

static PyObject *
module_fault_calls(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromLong(ref_alloc_calls());
}
#endif /* INTERPCHECK_FAULT_INJECTION */

static PyMethodDef module_methods[] = {
    {"create", (PyCFunction)(void (*)(void))interp_create, METH_VARARGS | METH_KEYWORDS,
     "create(*, isolated=True) -> Interpreter\n\nInitialize a new (idle) Python interpreter."},
    {"list_all", interp_list_all, METH_NOARGS,
     "list_all() -> list of Interpreter\n\nAll existing interpreters, by ascending id."},
    {"get_current", interp_get_current, METH_NOARGS,
     "get_current() -> Interpreter\n\nThe interpreter the calling thread runs in."},
    {"get_main", interp_get_main, METH_NOARGS,
     "get_main() -> Interpreter\n\nThe main interpreter."},
    {"is_shareable", module_is_shareable, METH_O,
     "is_shareable(obj) -> bool\n\nTrue if obj's data can be sent between interpreters."},
    {"create_channel", ends_create_channel, METH_NOARGS,
     "create_channel() -> (RecvChannel, SendChannel)\n\nCreate a new channel."},
    {"list_all_channels", ends_list_all_channels, METH_NOARGS,
     "list_all_channels() -> list of (RecvChannel, SendChannel)\n\nAll open channels."},
    {"_atexit", module_atexit, METH_NOARGS,
     "Close every subinterpreter still alive (registered with atexit in main)."},
#ifdef INTERPCHECK_FAULT_INJECTION
    {"_fault_after", module_fault_after, METH_O,
     "_fault_after(n)\n\nTest-only: make interpref's allocations fail after the next n succeed\n"
     "(n < 0: disarm); resets the counter of _fault_calls()."},
    {"_fault_calls", module_fault_calls, METH_NOARGS,
     "_fault_calls() -> int\n\nTest-only: interpref allocations attempted since the last _fault_after()."},
#endif
    {0},
};

/* ---- initialisation ---------------------------------------------------- */

static int
add_exception(PyObject *module, PyObject **slot, const char *name, PyObject *base, const char *doc)
{
    char qualified[64];
    snprintf(qualified, sizeof qualified, "interpref.%s", name);
    *slot = PyErr_NewExceptionWithDoc(qualified, doc, base, NULL);
    if (*slot == NULL) {
        return -1;
    }
    return PyModule_AddObjectRef(module, name, *slot);
}

static int
add_exceptions(PyObject *module, interpref_state *st)
{
    /* SPEC EXC-*: ChannelError derives from Exception exactly as the seed says.
     * ChannelEmptyError, ChannelNotEmptyError and NotReceivedError exist
     * (MOD-2, EXC-4..6) but nothing raises them: recv() and send() wait
     * whether or not the other end exists, and close() is never refused for
     * queued objects (EXC-11..13). */
    if (add_exception(module, &st->RunFailedError, "RunFailedError", PyExc_RuntimeError,
                      "Interpreter.run() ended with an uncaught exception.") < 0 ||
        add_exception(module, &st->ChannelError, "ChannelError", PyExc_Exception,
                      "Base class of all channel-related exceptions.") < 0 ||
        add_exception(module, &st->ChannelNotFoundError, "ChannelNotFoundError", st->ChannelError,
                      "The identified channel was not found.") < 0 ||
        add_exception(module, &st->ChannelEmptyError, "ChannelEmptyError", st->ChannelError,
                      "The channel was unexpectedly empty.") < 0 ||
        add_exception(module, &st->ChannelNotEmptyError, "ChannelNotEmptyError", st->ChannelError,
                      "The channel was unexpectedly not empty.") < 0 ||
        add_exception(module, &st->NotReceivedError, "NotReceivedError", st->ChannelError,
                      "Nothing was waiting to receive a sent object.") < 0) {
        return -1;
    }
    return 0;
}

/* In the main interpreter: close leftover subinterpreters before finalization. */
static int
register_atexit(PyObject *module)
{
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        return 0;
    }
    PyObject *atexit = PyImport_ImportModule("atexit");
    PyObject *func = atexit ? PyObject_GetAttrString(module, "_atexit") : NULL;
    PyObject *done = func ? PyObject_CallMethod(atexit, "register", "O", func) : NULL;
    Py_XDECREF(done);
    Py_XDECREF(func);
    Py_XDECREF(atexit);
    return done ? 0 : -1;
}

static int
module_exec(PyObject *module)
{
    interpref_state *st = PyModule_GetState(module);
    int64_t main_id = PyInterpreterState_GetID(PyInterpreterState_Main());
    reg_status status = registry_interp_add(main_id, PyInterpreterState_Main(), 1);
    if (status != REG_OK) {
        interpref_interp_error(status, main_id, INTERP_OP_USE);
        return -1;
    }
    interpref_record_self_path(module);
    if (add_exceptions(module, st) < 0 || interp_init_type(module, st) < 0 ||
        ends_init_types(module, st) < 0 || register_atexit(module) < 0) {
        return -1;
    }
    return 0;
}

/* The module state's references, listed once so that traverse and clear
 * cannot drift apart (a field missed by one would leak or crash). */
#define STATE_REFERENCES(DO) \
    DO(InterpreterType) \
    DO(RecvChannelType) \
    DO(SendChannelType) \
    DO(RunFailedError) \
    DO(ChannelError) \
    DO(ChannelNotFoundError) \
    DO(ChannelEmptyError) \
    DO(ChannelNotEmptyError) \
    DO(NotReceivedError)
/* Each needs `st` (and VISIT the arguments of the traverse function) in scope. */
#define VISIT_REFERENCE(field) Py_VISIT(st->field);
#define CLEAR_REFERENCE(field) Py_CLEAR(st->field);

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    interpref_state *st = PyModule_GetState(module);
    /* GCOVR_EXCL_BR_START: Py_VISIT() returns early only when the visitor
     * fails, which CPython's visitors do only when out of memory. */
    STATE_REFERENCES(VISIT_REFERENCE)
    /* GCOVR_EXCL_BR_STOP */
    return 0;
}

static int
module_clear(PyObject *module)
{
    interpref_state *st = PyModule_GetState(module);
    STATE_REFERENCES(CLEAR_REFERENCE)
    return 0;
}

static void
module_free(void *module)
{
    module_clear(module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL},
};

PyModuleDef interpref_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "interpref",
    .m_doc = "The reference implementation of the PEP 554-era subinterpreters API.",
    .m_size = sizeof(interpref_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit_interpref(void)
{
    return PyModuleDef_Init(&interpref_module);
}

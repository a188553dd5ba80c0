/*
 * state.c: what every Python-facing file of interpref shares, below all of
 * them in the call graph (tools/ref-call-graph): finding the module state
 * from a type, id arguments, the slots of the handle types (Interpreter and
 * the channel ends: dealloc, id, hash, comparison), the current
 * interpreter's id, the mapping from channel and registry statuses to Python
 * exceptions, and importing the module itself in another interpreter.
 *
 * It calls no other Python-facing file; the module definition it names
 * (interpref_module, for PyType_GetModuleByDef()) is data of module.c, as in
 * CPython's own multi-file modules (_io: find_io_state_by_def()).
 */
#include "interpref.h"

#include <pthread.h>
#include <string.h>

#include "alloc.h"

/*
 * The module state of one of interpref's types, or NULL with an exception.
 * For our types and their subclasses (the only types our slots and methods
 * are called with) it cannot fail: their MRO holds the type made from the
 * module, which the type keeps alive.  Callers check anyway; coverage
 * excludes those checks ("st is never NULL", or a pointer to this comment).
 */
interpref_state *
interpref_state_of_type(PyTypeObject *type)
{
    PyObject *module = PyType_GetModuleByDef(type, &interpref_module);
    return module ? PyModule_GetState(module) : NULL;
}

int64_t
interpref_current_id(void)
{
    return PyInterpreterState_GetID(PyInterpreterState_Get());
}

int
interpref_parse_id(PyObject *args, PyObject *kwargs, const char *format, const char *what,
                   int64_t *id)
{
    static char *kwlist[] = {"id", NULL};
    PyObject *arg;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, format, kwlist, &arg)) {
        return -1;
    }
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.200s", what, Py_TYPE(arg)->tp_name);
        return -1;
    }
    /* Cannot fail: an int (subclasses too) is converted without __index__. */
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(arg, &overflow);
    if (overflow > 0) {
        PyErr_Format(PyExc_OverflowError, "%s %R is too large", what, arg);
        return -1;
    }
    if (overflow < 0 || value < 0) {
        PyErr_Format(PyExc_ValueError, "%s must be a non-negative int, not %R", what, arg);
        return -1;
    }
    *id = value;
    return 0;
}

/* ---- handles: what Interpreter and channel end objects share ---------- */

int
interpref_add_type(PyObject *module, PyType_Spec *spec, PyTypeObject **type)
{
    *type = (PyTypeObject *)PyType_FromModuleAndSpec(module, spec, NULL);
    if (*type == NULL || PyModule_AddType(module, *type) < 0) {
        return -1;
    }
    return 0;
}

void
interpref_handle_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    type->tp_free(self);
    Py_DECREF(type);
}

PyObject *
interpref_handle_get_id(PyObject *self, void *unused)
{
    (void)unused;
    return PyLong_FromLongLong(((interpref_handle *)self)->id);
}

Py_hash_t
interpref_handle_hash(PyObject *self)
{
    PyObject *number = PyLong_FromLongLong(((interpref_handle *)self)->id);
    if (number == NULL) {
        return -1;
    }
    Py_hash_t hash = PyObject_Hash(number);
    Py_DECREF(number);
    return hash;
}

PyObject *
interpref_handle_compare(PyObject *self, PyObject *other, int op,
                         PyTypeObject *(*base_of)(interpref_state *st, PyObject *self))
{
    interpref_state *st = interpref_state_of_type(Py_TYPE(self));
    /* GCOVR_EXCL_START: cannot fail (interpref_state_of_type() above) */
    if (st == NULL) {
        return NULL;
    }
    /* GCOVR_EXCL_STOP */
    if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(other, base_of(st, self))) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int equal = ((interpref_handle *)other)->id == ((interpref_handle *)self)->id;
    return PyBool_FromLong(op == Py_EQ ? equal : !equal);
}

/* ---- statuses to exceptions: the only place that maps them ------------- */

PyObject *
interpref_channel_error(interpref_state *st, ch_status status, int64_t id)
{
    if (status == CH_NO_MEMORY) {
        return PyErr_NoMemory();
    }
    PyErr_Format(st->ChannelNotFoundError, "channel %lld not found", (long long)id);
    return NULL;
}

PyObject *
interpref_interp_error(reg_status status, int64_t id, interp_op op)
{
    switch (status) {
    case REG_NO_MEMORY:
        return PyErr_NoMemory();
    case REG_IS_MAIN:
        if (op == INTERP_OP_CLOSE) {
            PyErr_SetString(PyExc_RuntimeError, "cannot close the main interpreter");
            return NULL;
        }
        /* run(): the main interpreter always runs */
        /* fall through */
    case REG_BUSY:
        if (op == INTERP_OP_CLOSE) {
            PyErr_Format(PyExc_RuntimeError, "cannot close interpreter %lld: it is running",
                         (long long)id);
        }
        else {
            PyErr_Format(PyExc_RuntimeError, "interpreter %lld is already running", (long long)id);
        }
        return NULL;
    default:
        PyErr_Format(PyExc_RuntimeError,
                     "interpreter %lld does not exist (never created or closed)", (long long)id);
        return NULL;
    }
}

/* ---- the module in another interpreter ---------------------------------- */

/*
 * The file this extension was loaded from, recorded once so that other
 * interpreters can load it too when `import interpref` would not find it
 * (a subinterpreter's sys.path is the startup one, without later changes).
 */
static pthread_once_t self_path_once = PTHREAD_ONCE_INIT;
static char *self_path;
static const char *pending_self_path;

static void
record_self_path(void)
{
    size_t size = strlen(pending_self_path) + 1;
    self_path = ref_malloc(size);
    if (self_path != NULL) {
        memcpy(self_path, pending_self_path, size);
    }
}

void
interpref_record_self_path(PyObject *module)
{
    PyObject *file = PyModule_GetFilenameObject(module);
    if (file != NULL) {
        pending_self_path = PyUnicode_AsUTF8(file);
        if (pending_self_path != NULL) {
            pthread_once(&self_path_once, record_self_path);
        }
        Py_DECREF(file);
    }
    PyErr_Clear(); /* built in (no __file__): `import interpref` works everywhere */
}

/*
 * Load this extension from the file it was loaded from, for an interpreter
 * whose `import interpref` does not find it: importlib's documented recipe.
 * The new module or NULL with an exception set.
 */
static PyObject *
load_self_from_file(void)
{
    /* GCOVR_EXCL_BR_START: each step fails only when CPython is out of memory:
     * the path is the file this very extension was loaded from. */
    PyObject *util = PyImport_ImportModule("importlib.util");
    PyObject *spec = util ? PyObject_CallMethod(util, "spec_from_file_location", "ss", "interpref",
                                                self_path)
                          : NULL;
    PyObject *module = spec ? PyObject_CallMethod(util, "module_from_spec", "O", spec) : NULL;
    PyObject *modules = module ? PyImport_GetModuleDict() : NULL;
    PyObject *loader = modules ? PyObject_GetAttrString(spec, "loader") : NULL;
    PyObject *done = NULL;
    if (loader != NULL && PyDict_SetItemString(modules, "interpref", module) == 0) {
        done = PyObject_CallMethod(loader, "exec_module", "O", module);
        /* GCOVR_EXCL_START: likewise (module_exec() allocates nothing of ours
         * here: main is recorded already; test_module.c makes it fail). */
        if (done == NULL) {
            PyDict_DelItemString(modules, "interpref");
        }
    }
    if (done == NULL) {
        Py_CLEAR(module);
    }
    /* GCOVR_EXCL_STOP */
    Py_XDECREF(done);
    Py_XDECREF(loader);
    Py_XDECREF(spec);
    Py_XDECREF(util);
    return module;
    /* GCOVR_EXCL_BR_STOP */
}

PyObject *
interpref_import_self(void)
{
    PyObject *module = PyImport_ImportModule("interpref");
    if (module == NULL) {
        if (self_path == NULL || !PyErr_ExceptionMatches(PyExc_ImportError)) {
            return NULL;
        }
        PyErr_Clear();
        return load_self_from_file();
    }
    /* Code run in the interpreter may have put anything into
     * sys.modules['interpref']; only this extension's module has our state. */
    if (!PyModule_Check(module) || PyModule_GetDef(module) != &interpref_module) {
        PyErr_SetString(PyExc_ImportError,
                        "sys.modules['interpref'] is not the interpref extension module");
        Py_DECREF(module);
        return NULL;
    }
    return module;
}

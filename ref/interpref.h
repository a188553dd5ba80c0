/*
 * interpref.h: what the Python-facing files of interpref share: the
 * per-interpreter module state and the entry points each file offers the
 * files above it.
 *
 * Every interpreter that imports interpref gets its own module object, its
 * own types and its own exception classes (multi-phase init, PEP 489), so no
 * Python object is ever shared between interpreters.  What crosses between
 * interpreters is plain C data: ids, and serialized objects (shareable.c).
 *
 * The files call each other only downwards, in this order (the sections
 * below; tools/ref-call-graph checks it):
 *
 *     module.c      the module: definition, function table, initialisation
 *     interp.c      the Interpreter type and the interpreter functions
 *     ends.c        the RecvChannel and SendChannel types, channel functions
 *     shareable.c   objects to and from self-contained C buffers
 *     endobj.c      an end object as C sees it
 *     state.c       module state, ids, statuses to exceptions, self-import
 *     tstates.c     an interpreter's thread states, under CPython's lock
 *
 * and below them the plain C files: channel.c, registry.c, alloc.c.
 */
#ifndef INTERPREF_H
#define INTERPREF_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "channel.h"
#include "registry.h"

typedef struct {
    PyTypeObject *InterpreterType;
    PyTypeObject *RecvChannelType;
    PyTypeObject *SendChannelType;
    PyObject *RunFailedError;
    PyObject *ChannelError;
    PyObject *ChannelNotFoundError;
    PyObject *ChannelEmptyError;
    PyObject *ChannelNotEmptyError;
    PyObject *NotReceivedError;
} interpref_state;

/* module.c (data only: what PyType_GetModuleByDef() looks for) */
extern PyModuleDef interpref_module;

/* ---- interp.c: the Interpreter type and the interpreter functions ------ */
int interp_init_type(PyObject *module, interpref_state *st);
PyObject *interp_create(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *interp_list_all(PyObject *module, PyObject *unused);
PyObject *interp_get_current(PyObject *module, PyObject *unused);
PyObject *interp_get_main(PyObject *module, PyObject *unused);
/* Destroy every subinterpreter still alive (process exit). */
void interp_close_all(void);

/* ---- ends.c: the RecvChannel and SendChannel types, channel functions -- */
int ends_init_types(PyObject *module, interpref_state *st);
PyObject *ends_create_channel(PyObject *module, PyObject *unused);
PyObject *ends_list_all_channels(PyObject *module, PyObject *unused);

/* ---- shareable.c: objects to and from self-contained C buffers --------- */
int shareable_check(interpref_state *st, PyObject *obj);
void *shareable_pack(interpref_state *st, PyObject *obj);
PyObject *shareable_unpack(interpref_state *st, const void *packed);
void shareable_free(void *packed);

/* ---- endobj.c: an end object as C sees it ------------------------------ */
/* Begins as an interpref_handle does (state.c's slots serve it too). */
typedef struct {
    PyObject_HEAD
    int64_t id;
    channel *ch;   /* NULL while no channel with this id is known */
    int64_t owner; /* the interpreter whose reference `ch` is */
    ch_end end;
} end_object;

/* A new end of `type` holding `ch` (may be NULL); NULL if out of memory. */
PyObject *end_alloc(PyTypeObject *type, ch_end end, int64_t id, channel *ch);
/* A new end of `type` for channel `id`, bound if the channel exists. */
PyObject *end_make(interpref_state *st, PyTypeObject *type, ch_end end, int64_t id);
/* A new end object for channel `id` in the current interpreter. */
PyObject *end_new(interpref_state *st, ch_end end, int64_t id);
/* Bind to the channel if not yet bound: 0, or -1 with ChannelNotFoundError or MemoryError. */
int end_bind(interpref_state *st, end_object *self);
/* Is `obj` an end of this interpreter's exact types?  Sets *end and *id. */
int end_check_exact(interpref_state *st, PyObject *obj, ch_end *end, int64_t *id);

/* ---- state.c: module state, ids, statuses to exceptions, self-import --- */
interpref_state *interpref_state_of_type(PyTypeObject *type);
/* The id of the interpreter the calling thread runs in. */
int64_t interpref_current_id(void);
/*
 * Parse the one argument of a handle's constructor, `id` (format "O:name"),
 * a non-negative int64 `what`: TypeError / ValueError / OverflowError.
 */
int interpref_parse_id(PyObject *args, PyObject *kwargs, const char *format, const char *what,
                       int64_t *id);
/*
 * Interpreter and channel end objects are both handles on an id, and their
 * structs (interp_object, end_object) begin with these members; the slots
 * below serve both types, so the handle behaviour is written once.
 */
typedef struct {
    PyObject_HEAD
    int64_t id;
} interpref_handle;
/* The spec of a handle type: a heap type that may be subclassed, immutable. */
#define INTERPREF_HANDLE_SPEC(qualname, object_type, slot_table) \
    { \
        .name = (qualname), .basicsize = sizeof(object_type), \
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE, \
        .slots = (slot_table), \
    }
/* The getset table of a handle type: its read-only `id`, with docstring `doc`. */
#define INTERPREF_HANDLE_GETSET(doc) \
    { \
        {"id", interpref_handle_get_id, NULL, doc, NULL}, \
        { \
            0 \
        } \
    }
/* Make `spec`'s type for `module` into *type and add it to the module: 0, or -1. */
int interpref_add_type(PyObject *module, PyType_Spec *spec, PyTypeObject **type);
/* tp_dealloc of a handle that holds nothing more: free it, drop its heap type. */
void interpref_handle_dealloc(PyObject *self);
/* The `id` getter: the id as an int. */
PyObject *interpref_handle_get_id(PyObject *self, void *unused);
/* tp_hash: hash(id) as Python computes it for the int, so handles hash like their ids. */
Py_hash_t interpref_handle_hash(PyObject *self);
/*
 * tp_richcompare: == and != compare ids with a handle of type
 * base_of(st, self) (or a subtype); anything else is NotImplemented.
 */
PyObject *interpref_handle_compare(PyObject *self, PyObject *other, int op,
                                   PyTypeObject *(*base_of)(interpref_state *st, PyObject *self));
/*
 * The one mapping from a failed channel.c status to its exception (channel
 * `id`): CH_NO_MEMORY MemoryError, any other ChannelNotFoundError.  Sets it
 * and returns NULL.
 */
PyObject *interpref_channel_error(interpref_state *st, ch_status status, int64_t id);
/* What the caller of a registry.c function was doing: the messages differ. */
typedef enum { INTERP_OP_USE, INTERP_OP_RUN, INTERP_OP_CLOSE } interp_op;
/*
 * The one mapping from a failed registry.c status to its exception
 * (interpreter `id`): REG_NO_MEMORY MemoryError, REG_IS_MAIN and REG_BUSY
 * RuntimeError worded for `op`, any other the RuntimeError for an unknown
 * interpreter.  Sets it and returns NULL.
 */
PyObject *interpref_interp_error(reg_status status, int64_t id, interp_op op);
/* Record the file the module was loaded from (module_exec()). */
void interpref_record_self_path(PyObject *module);
/*
 * The module in the current interpreter, importing (or loading) it if needed;
 * NULL with an exception set if that fails, or ImportError if
 * sys.modules['interpref'] holds something other than this extension's module.
 */
PyObject *interpref_import_self(void);

#endif /* INTERPREF_H */

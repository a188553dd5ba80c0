/*
 * interpref.h: what the Python-facing files of interpref share: the
 * per-interpreter module state and the entry points each file offers the
 * others.
 *
 * Every interpreter that imports interpref gets its own module object, its
 * own types and its own exception classes (multi-phase init, PEP 489), so no
 * Python object is ever shared between interpreters.  What crosses between
 * interpreters is plain C data: ids, and serialized objects (shareable.c).
 */
#ifndef INTERPREF_H
#define INTERPREF_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "channel.h"

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

extern PyModuleDef interpref_module;

/* module.c */
interpref_state *interpref_state_of_type(PyTypeObject *type);
/*
 * The module in the current interpreter, importing (or loading) it if needed;
 * NULL with an exception set if that fails, or ImportError if
 * sys.modules['interpref'] holds something other than this extension's module.
 */
PyObject *interpref_import_self(void);

/* interp.c: the Interpreter type and the interpreter functions. */
int interp_init_type(PyObject *module, interpref_state *st);
int64_t interp_current_id(void);
PyObject *interp_create(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *interp_list_all(PyObject *module, PyObject *unused);
PyObject *interp_get_current(PyObject *module, PyObject *unused);
PyObject *interp_get_main(PyObject *module, PyObject *unused);
/* Destroy every subinterpreter still alive (process exit). */
void interp_close_all(void);

/* ends.c: the RecvChannel and SendChannel types and the channel functions. */
int ends_init_types(PyObject *module, interpref_state *st);
/* A new end object for channel `id` in the current interpreter. */
PyObject *end_new(interpref_state *st, ch_end end, int64_t id);
/* Is `obj` an end of this interpreter's exact types?  Sets *end and *id. */
int end_check_exact(interpref_state *st, PyObject *obj, ch_end *end, int64_t *id);
PyObject *ends_create_channel(PyObject *module, PyObject *unused);
PyObject *ends_list_all_channels(PyObject *module, PyObject *unused);

/* shareable.c: objects to and from self-contained C buffers. */
int shareable_check(interpref_state *st, PyObject *obj);
void *shareable_pack(interpref_state *st, PyObject *obj);
PyObject *shareable_unpack(interpref_state *st, const void *packed);
void shareable_free(void *packed);

/* Parse a non-negative int64 id argument: TypeError / ValueError / OverflowError. */
int interpref_parse_id(PyObject *arg, const char *what, int64_t *id);
/* hash(id) as Python computes it for the int: handles hash like their ids. */
Py_hash_t interpref_hash_id(int64_t id);

#endif /* INTERPREF_H */

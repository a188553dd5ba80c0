/*
 * interp.c: the Interpreter type and create(), list_all(), get_current(),
 * get_main().  SPEC clauses: INTERP-OBJ-*, INTERP-ID-*, INTERP-RUNNING-*,
 * INTERP-CLOSE-*, INTERP-RUN-*, INTERP-CHAN-*, INTERP-FAIL-*, INTERP-ISO-*,
 * FN-CREATE-*, FN-GETCUR-*, FN-GETMAIN-*, FN-LIST-*, LIFE-INTERP-*, LIFE-EXIT-*.
 *
 * An Interpreter object is only a handle: an id.  What exists is recorded in
 * the registry (registry.c); every operation looks the id up there, so a
 * handle for an unknown or closed interpreter fails on use, not when made.
 *
 * Entering another interpreter always uses a fresh thread state created for
 * the calling OS thread and deleted afterwards, and PyThreadState_Swap() to
 * get in and out: on 3.11 Swap only changes the current thread state under
 * the one GIL, on 3.12+ it also releases the old interpreter's GIL and takes
 * the new one's.  That keeps one code path for every version; the only
 * version-specific code here is how an interpreter is created and ended
 * (new_interpreter, KEEP_FIRST_TSTATE).  Whether other threads live in an
 * interpreter is read from its thread list under CPython's lock on it
 * (tstates.c, version-specific too).
 */
#include "interpref.h"

#include <string.h>

#include "alloc.h"
#include "tstates.h"

/* An interpref_handle (interpref.h) and nothing more. */
typedef struct {
    PyObject_HEAD
    int64_t id;
} interp_object;

/* What an uncaught exception in run() leaves behind, as plain UTF-8 text. */
typedef struct {
    char *type_name; /* "ValueError", "__main__.MyError" */
    char *msg;       /* str() of the exception */
    char *formatted; /* the traceback as traceback.format_exception() prints it */
    int raised;      /* the code raised, whether or not the texts could be made */
} run_failure;

/* A channel end to bind in the target's __main__ before running. */
typedef struct {
    char *name; /* NULL for the two halves of the `channels` tuple */
    ch_end end;
    int64_t id;
    int present; /* 0: None in the tuple form */
} injection;

static PyObject *
new_handle(PyTypeObject *type, int64_t id)
{
    interp_object *self = (interp_object *)type->tp_alloc(type, 0);
    if (self != NULL) {
        self->id = id;
    }
    return (PyObject *)self;
}

/* ---- creating and ending an interpreter (the version-specific part) ---- */

/*
 * What the registry records for each subinterpreter.  CPython 3.11 cannot
 * let an interpreter's list of thread states become empty (its next thread
 * state would reuse the statically allocated first one, which 3.11 never
 * resets: "init_threadstate: thread state already initialized"), and
 * Py_EndInterpreter() needs the ending thread state to be the only one.  So
 * on 3.11 and 3.12, as CPython's own module does there, the first thread
 * state is kept for the interpreter's whole life and used to end it.  3.13+
 * resets that state and ends interpreters through a fresh thread state, as
 * CPython 3.13's module does, so nothing is kept.
 */
typedef struct {
    PyInterpreterState *interp;
    PyThreadState *kept; /* 3.11/3.12: the first thread state; else NULL */
} interp_record;

#if PY_VERSION_HEX >= 0x030D0000
#define KEEP_FIRST_TSTATE 0
#else
#define KEEP_FIRST_TSTATE 1
#endif

/* Called with `tstate`, the new interpreter's first, current: switch back to `caller`. */
static PyThreadState *
keep_first_tstate(PyThreadState *tstate, PyThreadState *caller)
{
    if (KEEP_FIRST_TSTATE) {
        PyThreadState_Swap(caller);
        return tstate;
    }
    PyThreadState_Clear(tstate);
    PyThreadState_Swap(caller);
    PyThreadState_Delete(tstate);
    return NULL;
}

static PyThreadState *
new_interpreter(int isolated, char *error, size_t error_size)
{
#if PY_VERSION_HEX >= 0x030C0000
    /* isolated: PEP 684's own GIL, and no threads, fork or exec (SPEC INTERP-ISO-*). */
    PyInterpreterConfig config = {
        .use_main_obmalloc = !isolated,
        .allow_fork = !isolated,
        .allow_exec = !isolated,
        .allow_threads = !isolated,
        .allow_daemon_threads = !isolated,
        .check_multi_interp_extensions = isolated,
        .gil = isolated ? PyInterpreterConfig_OWN_GIL : PyInterpreterConfig_SHARED_GIL,
    };
    PyThreadState *tstate = NULL;
    PyStatus status = Py_NewInterpreterFromConfig(&tstate, &config);
    if (PyStatus_Exception(status)) {
        snprintf(error, error_size, "%s", status.err_msg ? status.err_msg : "unknown error");
        return NULL;
    }
    return tstate;
#else
    /* 3.11: the isolated flag refuses threads, fork and subprocess. */
    PyThreadState *tstate = _Py_NewInterpreter(isolated);
    if (tstate == NULL) {
        snprintf(error, error_size, "Py_NewInterpreter failed");
    }
    return tstate;
#endif
}

PyObject *
interp_create(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"isolated", NULL};
    int isolated = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$p:create", kwlist, &isolated)) {
        return NULL;
    }
    interpref_state *st = PyModule_GetState(module);
    char error[256] = "";
    PyThreadState *caller = PyThreadState_Get();
    PyThreadState *tstate = new_interpreter(isolated, error, sizeof error);
    if (tstate == NULL) {
        PyThreadState_Swap(caller);
        PyErr_Format(PyExc_RuntimeError, "interpreter creation failed: %s", error);
        return NULL;
    }
    PyInterpreterState *interp = PyThreadState_GetInterpreter(tstate);
    int64_t id = PyInterpreterState_GetID(interp);
    interp_record *record = ref_malloc(sizeof *record);
    reg_status status = record ? registry_interp_add(id, record, 0) : REG_NO_MEMORY;
    if (status != REG_OK) {
        ref_free(record);
        Py_EndInterpreter(tstate);
        PyThreadState_Swap(caller);
        return interpref_interp_error(status, id, INTERP_OP_USE);
    }
    record->interp = interp;
    record->kept = keep_first_tstate(tstate, caller);
    return new_handle(st->InterpreterType, id);
}

/* ---- module functions -------------------------------------------------- */

PyObject *
interp_list_all(PyObject *module, PyObject *unused)
{
    (void)unused;
    interpref_state *st = PyModule_GetState(module);
    int64_t *ids;
    size_t count;
    reg_status status = registry_interp_list(&ids, &count);
    if (status != REG_OK) {
        return interpref_interp_error(status, 0, INTERP_OP_USE);
    }
    PyObject *list = PyList_New((Py_ssize_t)count);
    for (size_t i = 0; list != NULL && i < count; i++) {
        PyObject *handle = new_handle(st->InterpreterType, ids[i]);
        if (handle == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, handle);
    }
    ref_free(ids);
    return list;
}

PyObject *
interp_get_current(PyObject *module, PyObject *unused)
{
    (void)unused;
    interpref_state *st = PyModule_GetState(module);
    return new_handle(st->InterpreterType, interpref_current_id());
}

PyObject *
interp_get_main(PyObject *module, PyObject *unused)
{
    (void)unused;
    interpref_state *st = PyModule_GetState(module);
    return new_handle(st->InterpreterType, PyInterpreterState_GetID(PyInterpreterState_Main()));
}

/* ---- Interpreter methods ----------------------------------------------- */

/* Enter `interp` on this OS thread with a fresh thread state. */
/*
 * 3.11/3.12 only.  threading._shutdown(), which Py_EndInterpreter() calls,
 * asserts that the "main thread" of the interpreter (the thread state that
 * first imported threading) is still alive when it is ended from the same OS
 * thread.  Here that thread state belonged to an earlier run() and is gone,
 * its sentinel lock released; take the lock again so shutdown proceeds as if
 * the ending thread state were that main thread (no other threads exist: we
 * checked).  3.13 rewrote _shutdown() and needs none of this.
 */
static void
prepare_threading_shutdown(void)
{
#if KEEP_FIRST_TSTATE
    PyObject *name = PyUnicode_FromString("threading");
    PyObject *threading = name ? PyImport_GetModule(name) : NULL;
    Py_XDECREF(name);
    if (threading == NULL) {
        PyErr_Clear();
        return; /* never imported: nothing to fix, and no cost on the common path */
    }
    Py_DECREF(threading);
    static const char fixup[] = "import sys\n"
                                "t = sys.modules.get('threading')\n"
                                "if t is not None and t._main_thread.ident == t.get_ident():\n"
                                "    lock = t._main_thread._tstate_lock\n"
                                "    if lock is not None and not lock.locked():\n"
                                "        lock.acquire()\n";
    PyObject *globals = PyDict_New();
    PyObject *done = NULL;
    if (globals != NULL &&
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) == 0) {
        done = PyRun_String(fixup, Py_file_input, globals, globals);
    }
    Py_XDECREF(done);
    Py_XDECREF(globals);
    PyErr_Clear(); /* at worst, shutdown prints a warning */
#endif
}

/*
 * At process exit, before ending a sub whose threads still run: wait for its
 * non-daemon threads the way the main interpreter's exit waits for its own
 * (threading._shutdown()), so that they finish instead of being abandoned.
 */
static void
join_threads_at_exit(void)
{
    PyObject *name = PyUnicode_FromString("threading");
    PyObject *threading = name ? PyImport_GetModule(name) : NULL;
    if (threading != NULL) {
        prepare_threading_shutdown();
        PyObject *done = PyObject_CallMethod(threading, "_shutdown", NULL);
        Py_XDECREF(done);
    }
    Py_XDECREF(threading);
    Py_XDECREF(name);
    PyErr_Clear();
}

/* Enter the interpreter on this OS thread with a fresh thread state. */
static PyThreadState *
enter(interp_record *record, PyThreadState **caller)
{
    PyThreadState *tstate = PyThreadState_New(record->interp);
    if (tstate != NULL) {
        *caller = PyThreadState_Swap(tstate);
    }
    return tstate;
}

static void
leave(PyThreadState *tstate, PyThreadState *caller)
{
    PyThreadState_Clear(tstate);
    PyThreadState_Swap(caller);
    PyThreadState_Delete(tstate);
}

/*
 * Enter to end the interpreter: through the kept first thread state on
 * 3.11/3.12 (every record has one there, and none on 3.13+).
 */
static PyThreadState *
enter_to_end(interp_record *record, PyThreadState **caller)
{
    if (KEEP_FIRST_TSTATE) {
        *caller = PyThreadState_Swap(record->kept);
        return record->kept;
    }
    return enter(record, caller);
}

static void
leave_without_ending(PyThreadState *tstate, PyThreadState *caller)
{
    if (KEEP_FIRST_TSTATE) {
        PyThreadState_Swap(caller); /* the kept one stays */
    }
    else {
        leave(tstate, caller);
    }
}

/*
 * Does a thread started by the interpreter's own code live in it, that is a
 * thread state other than `tstate` (ours, current) and the kept first one?
 * Read under CPython's lock on the list (tstates.c), with the GIL released
 * as that lock requires.
 */
static int
has_other_threads(interp_record *record, PyThreadState *tstate)
{
    int found;
    Py_BEGIN_ALLOW_THREADS
    tstates_lock();
    found = tstates_other_than(record->interp, tstate, record->kept);
    tstates_unlock();
    Py_END_ALLOW_THREADS
    return found;
}

/*
 * The same question for is_running(), asked from outside, under the registry
 * lock (so the interpreter cannot be destroyed meanwhile) and inside
 * tstates_lock() (interp_is_running() takes both, in that order).
 */
static int
peek_other_threads(void *state)
{
    interp_record *record = state;
    return tstates_other_than(record->interp, record->kept, record->kept);
}

static PyObject *
interp_is_running(interp_object *self, PyObject *unused)
{
    (void)unused;
    int running;
    if (self->id == interpref_current_id()) {
        Py_RETURN_TRUE;
    }
    reg_status status;
    Py_BEGIN_ALLOW_THREADS
    tstates_lock();
    status = registry_interp_is_running(self->id, peek_other_threads, &running);
    tstates_unlock();
    Py_END_ALLOW_THREADS
    if (status != REG_OK) {
        return interpref_interp_error(status, self->id, INTERP_OP_USE);
    }
    return PyBool_FromLong(running);
}

/*
 * Destroy interpreter `id`, and with it the channels only it referred to,
 * queued objects and all (SPEC LIFE-CH-2): never refused for their sake
 * (INTERP-CLOSE-7 withdrawn).  Refused while threads started by its code
 * still run, so none of its calls is blocked on a channel when its references
 * go; at_exit: join those threads first, as the main interpreter's exit does.
 */
static int
destroy(int64_t id, int at_exit)
{
    void *state;
    reg_status status = registry_interp_begin_close(id, &state);
    if (status != REG_OK) {
        interpref_interp_error(status, id, INTERP_OP_CLOSE);
        return -1;
    }
    interp_record *record = state;
    PyThreadState *caller;
    PyThreadState *tstate = enter_to_end(record, &caller);
    /* GCOVR_EXCL_START: 3.13+ only (3.11/3.12 enter through the kept thread
     * state), and only when CPython cannot allocate a thread state. */
    if (tstate == NULL) {
        registry_interp_end_close(id, 0);
        PyErr_NoMemory();
        return -1;
    }
    /* GCOVR_EXCL_STOP */
    int threads = has_other_threads(record, tstate);
    if (threads && at_exit) {
        join_threads_at_exit();
        threads = has_other_threads(record, tstate);
    }
    if (threads) {
        leave_without_ending(tstate, caller);
        registry_interp_end_close(id, 0);
        PyErr_Format(PyExc_RuntimeError,
                     "cannot close interpreter %lld: other threads are still running in it",
                     (long long)id);
        return -1;
    }
    prepare_threading_shutdown();
    Py_EndInterpreter(tstate);
    PyThreadState_Swap(caller);
    channel_forget_interp(id);
    registry_interp_end_close(id, 1);
    ref_free(record);
    return 0;
}

static PyObject *
interp_close(interp_object *self, PyObject *unused)
{
    (void)unused;
    if (self->id == interpref_current_id()) {
        PyErr_SetString(PyExc_RuntimeError, "cannot close the current interpreter");
        return NULL;
    }
    if (destroy(self->id, 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

void
interp_close_all(void)
{
    int64_t *ids;
    size_t count;
    if (registry_interp_list(&ids, &count) != REG_OK) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        /* Running or already gone: nothing we can do at exit; leave it. */
        if (ids[i] != interpref_current_id() && destroy(ids[i], 1) < 0) {
            PyErr_Clear();
        }
    }
    ref_free(ids);
}

/* ---- run() ------------------------------------------------------------- */

static void
free_injections(injection *inj, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        ref_free(inj[i].name);
    }
    ref_free(inj);
}

static char *
copy_text(const char *text)
{
    size_t size = strlen(text) + 1;
    char *copy = ref_malloc(size);
    if (copy != NULL) {
        memcpy(copy, text, size);
    }
    return copy;
}

/*
 * `channels` given as a (RecvChannel, SendChannel) tuple, either may be None:
 * 0 with two injections (SPEC INTERP-CHAN-1), or -1 with TypeError/ValueError.
 */
static int
parse_channel_pair(interpref_state *st, PyObject *channels, injection **out, size_t *count)
{
    if (PyTuple_GET_SIZE(channels) != 2) {
        PyErr_SetString(PyExc_TypeError,
                        "channels must be a (RecvChannel, SendChannel) tuple or a mapping");
        return -1;
    }
    injection *inj = ref_calloc(2, sizeof *inj);
    if (inj == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        PyObject *item = PyTuple_GET_ITEM(channels, i); /* GCOVR_EXCL_BR_LINE: macro assert */
        ch_end want = i == 0 ? CH_RECV : CH_SEND;
        inj[i].end = want;
        if (item == Py_None) {
            continue;
        }
        if (!end_check_exact(st, item, &inj[i].end, &inj[i].id) || inj[i].end != want) {
            PyErr_Format(PyExc_ValueError, "channels[%d] must be a %s or None, not %.200s", i,
                         want == CH_RECV ? "RecvChannel" : "SendChannel", Py_TYPE(item)->tp_name);
            ref_free(inj);
            return -1;
        }
        inj[i].present = 1;
    }
    *out = inj;
    *count = 2;
    return 0;
}

/*
 * Validate `channels` in the caller's interpreter and turn it into plain C
 * data: 0, or -1 with TypeError/ValueError (SPEC INTERP-CHAN-*).
 */
static int
parse_channels(interpref_state *st, PyObject *channels, injection **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (channels == Py_None) {
        return 0;
    }
    if (PyTuple_Check(channels)) {
        return parse_channel_pair(st, channels, out, count);
    }
    if (!PyDict_Check(channels)) {
        PyErr_Format(PyExc_TypeError,
                     "channels must be a (RecvChannel, SendChannel) tuple or a mapping, not %.200s",
                     Py_TYPE(channels)->tp_name);
        return -1;
    }
    Py_ssize_t size = PyDict_GET_SIZE(channels), pos = 0; /* GCOVR_EXCL_BR_LINE: macro assert */
    injection *inj = ref_calloc((size_t)size, sizeof *inj);
    if (inj == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *key, *value;
    size_t n = 0;
    while (PyDict_Next(channels, &pos, &key, &value)) {
        const char *name = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (name == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "channel names must be str, not %.200s",
                             Py_TYPE(key)->tp_name);
            }
            goto fail;
        }
        if (!end_check_exact(st, value, &inj[n].end, &inj[n].id)) {
            PyErr_Format(PyExc_ValueError, "channels[%R] must be a RecvChannel or SendChannel",
                         key);
            goto fail;
        }
        inj[n].present = 1;
        inj[n].name = copy_text(name);
        if (inj[n++].name == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    *out = inj;
    *count = n;
    return 0;
fail:
    free_injections(inj, n);
    return -1;
}

/* Bind the injected ends in the current interpreter's __main__ namespace. */
static int
inject(PyObject *ns, injection *inj, size_t count)
{
    /* Imported even without channels, so that the code can `import interpref`. */
    PyObject *module = interpref_import_self();
    if (module == NULL) {
        if (count == 0) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    interpref_state *st = PyModule_GetState(module);
    PyObject *pair[2] = {NULL, NULL};
    int result = 0;
    for (size_t i = 0; result == 0 && i < count; i++) {
        PyObject *end = inj[i].present ? end_new(st, inj[i].end, inj[i].id) : Py_NewRef(Py_None);
        if (end == NULL) {
            result = -1;
        }
        else if (inj[i].name != NULL) {
            result = PyDict_SetItemString(ns, inj[i].name, end);
            Py_DECREF(end);
        }
        else {
            pair[i] = end;
        }
    }
    if (result == 0 && pair[0] != NULL) {
        PyObject *tuple = PyTuple_Pack(2, pair[0], pair[1]);
        result = tuple ? PyDict_SetItemString(ns, "channels", tuple) : -1;
        Py_XDECREF(tuple);
    }
    Py_XDECREF(pair[0]);
    Py_XDECREF(pair[1]);
    Py_DECREF(module);
    return result;
}

/* UTF-8 copy of str(obj), never failing on lone surrogates; NULL on error. */
static char *
text_of(PyObject *obj)
{
    PyObject *str = PyObject_Str(obj);
    PyObject *bytes = str ? PyUnicode_AsEncodedString(str, "utf-8", "backslashreplace") : NULL;
    char *copy = bytes ? copy_text(PyBytes_AS_STRING(bytes)) : NULL;
    Py_XDECREF(str);
    Py_XDECREF(bytes);
    PyErr_Clear();
    return copy;
}

static PyObject *
fetch_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/* Describe the pending exception in plain text and clear it. */
static void
capture_failure(run_failure *failure)
{
    failure->raised = 1;
    if (!PyErr_Occurred()) {
        /* GCOVR_EXCL_START: 3.11's PyRun_StringFlags() can return NULL with no
         * exception set when CPython itself runs out of memory; describe that
         * rather than dereference a NULL exception. */
        PyErr_SetString(PyExc_SystemError, "the code failed without setting an exception");
        /* GCOVR_EXCL_STOP */
    }
    PyObject *exc = fetch_exception();
    PyTypeObject *type = Py_TYPE(exc);
    PyObject *qualname = PyType_GetQualName(type);
    PyObject *modname = PyObject_GetAttrString((PyObject *)type, "__module__");
    PyObject *name = NULL;
    if (qualname != NULL && modname != NULL && PyUnicode_Check(modname) &&
        PyUnicode_CompareWithASCIIString(modname, "builtins") != 0) {
        name = PyUnicode_FromFormat("%U.%U", modname, qualname);
    }
    else if (qualname != NULL) {
        name = Py_NewRef(qualname);
    }
    PyErr_Clear();
    failure->type_name = name ? text_of(name) : copy_text(type->tp_name);
    failure->msg = text_of(exc);
    if (failure->msg == NULL) {
        failure->msg = copy_text("<str() of the exception failed>");
    }
    /* GCOVR_EXCL_BR_START: each step fails only when CPython is out of memory
     * (format_exception() copes with whatever str() and repr() do). */
    PyObject *traceback = PyImport_ImportModule("traceback");
    PyObject *lines = traceback ? PyObject_CallMethod(traceback, "format_exception", "O", exc)
                                : NULL;
    PyObject *empty = lines ? PyUnicode_FromString("") : NULL;
    PyObject *joined = empty ? PyUnicode_Join(empty, lines) : NULL;
    failure->formatted = joined ? text_of(joined) : NULL;
    /* GCOVR_EXCL_BR_STOP */
    if (failure->formatted == NULL) {
        failure->formatted = copy_text("");
    }
    Py_XDECREF(joined);
    Py_XDECREF(empty);
    Py_XDECREF(lines);
    Py_XDECREF(traceback);
    Py_XDECREF(name);
    Py_XDECREF(modname);
    Py_XDECREF(qualname);
    Py_DECREF(exc);
    PyErr_Clear();
}

/*
 * Runs inside the target interpreter.  `size` is the source's length: a NUL
 * inside makes it uncompilable, and like any compile error that is a failure
 * of the run, reported as RunFailedError (SPEC INTERP-RUN-13).
 */
static void
run_in_current(const char *source, size_t size, injection *inj, size_t count, run_failure *failure)
{
    PyObject *main_module = PyImport_AddModule("__main__"); /* borrowed */
    PyObject *ns = main_module ? PyModule_GetDict(main_module) : NULL;
    if (ns == NULL || inject(ns, inj, count) < 0) {
        capture_failure(failure);
        return;
    }
    if (strlen(source) != size) {
        PyErr_SetString(PyExc_SyntaxError, "source code string cannot contain null bytes");
        capture_failure(failure);
        return;
    }
    PyObject *result = PyRun_StringFlags(source, Py_file_input, ns, ns, NULL);
    if (result == NULL) {
        capture_failure(failure);
        return;
    }
    Py_DECREF(result);
}

static int
set_text_attr(PyObject *obj, const char *name, const char *text)
{
    PyObject *value = PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
    /* GCOVR_EXCL_BR_START: decoding with "replace" fails only when out of memory */
    int result = value ? PyObject_SetAttrString(obj, name, value) : -1;
    /* GCOVR_EXCL_BR_STOP */
    Py_XDECREF(value);
    return result;
}

/* RunFailedError("Type: msg") with the surrogate's parts as attributes. */
static void
raise_run_failed(interpref_state *st, run_failure *failure)
{
    if (failure->type_name == NULL || failure->msg == NULL || failure->formatted == NULL) {
        PyErr_NoMemory();
        return;
    }
    PyObject *exc = PyObject_CallFunction(
        st->RunFailedError, "N", PyUnicode_FromFormat("%s: %s", failure->type_name, failure->msg));
    /* GCOVR_EXCL_BR_START: making the exception and setting attributes on it
     * fail only when CPython is out of memory. */
    if (exc != NULL && set_text_attr(exc, "type_name", failure->type_name) == 0 &&
        set_text_attr(exc, "msg", failure->msg) == 0 &&
        set_text_attr(exc, "formatted", failure->formatted) == 0) {
        PyErr_SetObject(st->RunFailedError, exc);
    }
    /* GCOVR_EXCL_BR_STOP */
    Py_XDECREF(exc);
}

static PyObject *
interp_run(interp_object *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *source = NULL, *channels = Py_None;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs != 1) {
        PyErr_Format(PyExc_TypeError, "run() takes exactly 1 positional argument (%zd given)",
                     nargs);
        return NULL;
    }
    source = args[0];
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *kw = PyTuple_GET_ITEM(kwnames, i); /* GCOVR_EXCL_BR_LINE: macro assert */
        if (PyUnicode_CompareWithASCIIString(kw, "channels") != 0) {
            PyErr_Format(PyExc_TypeError, "run() got an unexpected keyword argument '%U'", kw);
            return NULL;
        }
        channels = args[nargs + i];
    }
    if (!PyUnicode_Check(source)) {
        PyErr_Format(PyExc_TypeError, "run() argument must be str, not %.200s",
                     Py_TYPE(source)->tp_name);
        return NULL;
    }
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(source, &size);
    if (text == NULL) {
        return NULL;
    }
    interpref_state *st = interpref_state_of_type(Py_TYPE(self));
    injection *inj;
    size_t count;
    if (st == NULL || parse_channels(st, channels, &inj, &count) < 0) {
        return NULL;
    }
    void *state;
    reg_status claimed =
        self->id == interpref_current_id() ? REG_BUSY : registry_interp_begin_run(self->id, &state);
    if (claimed != REG_OK) {
        free_injections(inj, count);
        return interpref_interp_error(claimed, self->id, INTERP_OP_RUN);
    }
    run_failure failure = {NULL, NULL, NULL, 0};
    int failed = 0, threads = 0;
    PyThreadState *caller;
    PyThreadState *tstate = enter(state, &caller);
    if (tstate != NULL) {
        /* Threads its earlier code started still run in it: it is running. */
        threads = has_other_threads(state, tstate);
        if (!threads) {
            run_in_current(text, (size_t)size, inj, count, &failure);
            failed = failure.raised;
        }
        leave(tstate, caller);
    }
    registry_interp_end_run(self->id);
    free_injections(inj, count);
    PyObject *result = NULL;
    if (tstate == NULL) {
        PyErr_NoMemory(); /* GCOVR_EXCL_LINE: CPython could not allocate a thread state */
    }
    else if (threads) {
        PyErr_Format(PyExc_RuntimeError,
                     "interpreter %lld is running: threads started by its code are still alive",
                     (long long)self->id);
    }
    else if (failed) {
        raise_run_failed(st, &failure);
    }
    else {
        result = Py_NewRef(Py_None);
    }
    ref_free(failure.type_name);
    ref_free(failure.msg);
    ref_free(failure.formatted);
    return result;
}

/* ---- the type ---------------------------------------------------------- */

static PyObject *
interp_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    int64_t id;
    if (interpref_parse_id(args, kwargs, "O:Interpreter", "interpreter id", &id) < 0) {
        return NULL;
    }
    return new_handle(type, id);
}

static PyObject *
interp_repr(interp_object *self)
{
    return PyUnicode_FromFormat("Interpreter(id=%lld)", (long long)self->id);
}

static PyTypeObject *
interp_base(interpref_state *st, PyObject *self)
{
    (void)self;
    return st->InterpreterType;
}

static PyObject *
interp_richcompare(PyObject *self, PyObject *other, int op)
{
    return interpref_handle_compare(self, other, op, interp_base);
}

static PyGetSetDef interp_getset[] = INTERPREF_HANDLE_GETSET("The interpreter's id (an int).");

static PyMethodDef interp_methods[] = {
    {"is_running", (PyCFunction)interp_is_running, METH_NOARGS,
     "is_running() -> bool\n\nTrue if the interpreter is running code."},
    {"close", (PyCFunction)interp_close, METH_NOARGS, "close()\n\nDestroy the interpreter."},
    {"run", (PyCFunction)(void (*)(void))interp_run, METH_FASTCALL | METH_KEYWORDS,
     "run(src_str, /, *, channels=None)\n\nRun src_str in the interpreter's __main__,\n"
     "blocking until done.  channels: (RecvChannel, SendChannel), bound as `channels`."},
    {0},
};

static PyType_Slot interp_slots[] = {
    {Py_tp_new, interp_tp_new},
    {Py_tp_dealloc, interpref_handle_dealloc},
    {Py_tp_repr, interp_repr},
    {Py_tp_hash, interpref_handle_hash},
    {Py_tp_richcompare, interp_richcompare},
    {Py_tp_getset, interp_getset},
    {Py_tp_methods, interp_methods},
    {Py_tp_doc, "Interpreter(id)\n\nA single interpreter (a handle on its id)."},
    {0, NULL},
};

static PyType_Spec interp_spec = INTERPREF_HANDLE_SPEC("interpref.Interpreter", interp_object,
                                                       interp_slots);

int
interp_init_type(PyObject *module, interpref_state *st)
{
    return interpref_add_type(module, &interp_spec, &st->InterpreterType);
}

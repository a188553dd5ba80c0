/*
 * ends.c: the RecvChannel and SendChannel types, create_channel() and
 * list_all_channels().  SPEC clauses: CH-END-*, CH-RECV-*, CH-RECVNW-*,
 * CH-SEND-*, CH-SENDNW-*, FN-CHCREATE-*, FN-CHLIST-*.
 *
 * An end object is a handle on a channel id (endobj.c: making, binding and
 * recognising one).
 *
 * Blocking calls release the GIL and sleep on a semaphore (channel_wait); on
 * EINTR they step aside (channel_pause), run the signal handlers, and if a
 * handler raises (Ctrl-C) the wait is cancelled and the exception
 * propagates; otherwise they wait again.
 */
#include "interpref.h"

#include "alloc.h"

static ch_end
end_of_type(interpref_state *st, PyTypeObject *type)
{
    return PyType_IsSubtype(type, st->RecvChannelType) ? CH_RECV : CH_SEND;
}

static const char *
end_name(ch_end end)
{
    return end == CH_RECV ? "RecvChannel" : "SendChannel";
}

static PyObject *
end_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    int64_t id;
    if (interpref_parse_id(args, kwargs, "O:channel end", "channel id", &id) < 0) {
        return NULL;
    }
    interpref_state *st = interpref_state_of_type(type);
    /* GCOVR_EXCL_START: cannot fail (interpref_state_of_type() in state.c) */
    if (st == NULL) {
        return NULL;
    }
    /* GCOVR_EXCL_STOP */
    return end_make(st, type, end_of_type(st, type), id);
}

static void
end_dealloc(end_object *self)
{
    if (self->ch != NULL) {
        channel_release(self->ch, self->end, self->owner);
    }
    interpref_handle_dealloc((PyObject *)self);
}

static PyObject *
end_repr(end_object *self)
{
    return PyUnicode_FromFormat("%s(id=%lld)", end_name(self->end), (long long)self->id);
}

/* An end equals the ends of its own side only. */
static PyTypeObject *
end_base(interpref_state *st, PyObject *self)
{
    return ((end_object *)self)->end == CH_RECV ? st->RecvChannelType : st->SendChannelType;
}

static PyObject *
end_richcompare(PyObject *self, PyObject *other, int op)
{
    return interpref_handle_compare(self, other, op, end_base);
}

/*
 * Wait for `w` with the GIL released.  Runs signal handlers on EINTR; if one
 * raises, cancels the wait and returns CH_INTERRUPTED with the exception set.
 */
static ch_status
wait_interruptibly(ch_waiter *w)
{
    for (;;) {
        ch_status status;
        Py_BEGIN_ALLOW_THREADS
        status = channel_wait(w);
        if (status == CH_INTERRUPTED && channel_pause(w) == CH_OK) {
            /* Completed after all: take the result; the signal fires later.
             * GCOVR_EXCL_START: only when the object is handed over between
             * the EINTR and channel_pause(), a window no test can aim at
             * (test_signals.py tries; test_channel.c tests channel_pause()). */
            while ((status = channel_wait(w)) == CH_INTERRUPTED) {
            }
            /* GCOVR_EXCL_STOP */
        }
        Py_END_ALLOW_THREADS
        if (status != CH_INTERRUPTED) {
            return status;
        }
        if (PyErr_CheckSignals() < 0) {
            channel_cancel(w);
            return CH_INTERRUPTED;
        }
        channel_resume(w);
    }
}

/* ---- RecvChannel ------------------------------------------------------- */

static PyObject *
received(interpref_state *st, void *data, ch_free_fn free)
{
    PyObject *obj = shareable_unpack(st, data);
    free(data);
    return obj;
}

static PyObject *
recv_recv(end_object *self, PyObject *unused)
{
    (void)unused;
    interpref_state *st = interpref_state_of_type(Py_TYPE(self));
    if (st == NULL || end_bind(st, self) < 0) { /* GCOVR_EXCL_BR_LINE: st is never NULL */
        return NULL;
    }
    ch_waiter w;
    void *data = NULL;
    ch_free_fn free = NULL;
    ch_status status = channel_recv(self->ch, &w, &data, &free);
    if (status == CH_WAITING) {
        status = wait_interruptibly(&w);
        data = w.data;
        free = w.free;
    }
    /* Never ChannelEmptyError: it waits even while no SendChannel exists. */
    if (status == CH_INTERRUPTED) {
        return NULL; /* a signal handler raised: its exception propagates */
    }
    return received(st, data, free);
}

static PyObject *
recv_recv_nowait(end_object *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"default", NULL};
    PyObject *dflt = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:recv_nowait", kwlist, &dflt)) {
        return NULL;
    }
    interpref_state *st = interpref_state_of_type(Py_TYPE(self));
    if (st == NULL || end_bind(st, self) < 0) { /* GCOVR_EXCL_BR_LINE: st is never NULL */
        return NULL;
    }
    void *data = NULL;
    ch_free_fn free = NULL;
    if (channel_recv(self->ch, NULL, &data, &free) == CH_EMPTY) {
        return Py_NewRef(dflt);
    }
    return received(st, data, free);
}

/* ---- SendChannel ------------------------------------------------------- */

/*
 * Pack `obj`, bind and send it (`w`: the waiter of a blocking send, or NULL):
 * the status of channel_send(), or -1 with an exception set (nothing sent).
 */
static int
pack_and_send(end_object *self, PyObject *obj, ch_waiter *w)
{
    interpref_state *st = interpref_state_of_type(Py_TYPE(self));
    /* GCOVR_EXCL_START: cannot fail (interpref_state_of_type() in state.c) */
    if (st == NULL) {
        return -1;
    }
    /* GCOVR_EXCL_STOP */
    void *data = shareable_pack(st, obj);
    if (data == NULL) {
        return -1;
    }
    if (end_bind(st, self) < 0) {
        shareable_free(data);
        return -1;
    }
    ch_status status = channel_send(self->ch, data, shareable_free, w);
    if (status == CH_NO_MEMORY) {
        shareable_free(data); /* not queued: still ours */
        interpref_channel_error(st, status, self->id);
        return -1;
    }
    return (int)status;
}

static PyObject *
send_send(end_object *self, PyObject *obj)
{
    ch_waiter w;
    /* Never NotReceivedError: it waits even while no RecvChannel exists. */
    if (pack_and_send(self, obj, &w) < 0) {
        return NULL;
    }
    if (wait_interruptibly(&w) == CH_INTERRUPTED) {
        return NULL; /* a signal handler raised: its exception propagates (CH-SEND-10) */
    }
    Py_RETURN_NONE;
}

static PyObject *
send_send_nowait(end_object *self, PyObject *obj)
{
    int status = pack_and_send(self, obj, NULL);
    if (status < 0) {
        return NULL;
    }
    return PyBool_FromLong(status == CH_HANDED);
}

/* ---- types ------------------------------------------------------------- */

static PyGetSetDef end_getset[] = INTERPREF_HANDLE_GETSET("The channel's id (an int).");

static PyMethodDef recv_methods[] = {
    {"recv", (PyCFunction)recv_recv, METH_NOARGS,
     "recv() -> object\n\nReturn the next object from the channel, waiting while it is empty."},
    {"recv_nowait", (PyCFunction)(void (*)(void))recv_recv_nowait, METH_VARARGS | METH_KEYWORDS,
     "recv_nowait(default=None) -> object\n\nLike recv(), but return default when empty."},
    {0},
};

static PyMethodDef send_methods[] = {
    {"send", (PyCFunction)send_send, METH_O,
     "send(obj)\n\nSend obj to the receiving end and wait until it has been received."},
    {"send_nowait", (PyCFunction)send_send_nowait, METH_O,
     "send_nowait(obj) -> bool\n\nSend obj without waiting: True if a receiver took it at once,\n"
     "else False (obj stays queued)."},
    {0},
};

#define END_SLOTS(methods, doc) \
    {Py_tp_new, end_tp_new}, {Py_tp_dealloc, end_dealloc}, {Py_tp_repr, end_repr}, \
        {Py_tp_hash, interpref_handle_hash}, {Py_tp_richcompare, end_richcompare}, \
        {Py_tp_getset, end_getset}, {Py_tp_methods, methods}, {Py_tp_doc, doc}, \
    { \
        0, NULL \
    }

static PyType_Slot recv_slots[] = {
    END_SLOTS(recv_methods, "RecvChannel(id)\n\nThe receiving end of a channel."),
};
static PyType_Slot send_slots[] = {
    END_SLOTS(send_methods, "SendChannel(id)\n\nThe sending end of a channel."),
};

static PyType_Spec recv_spec = INTERPREF_HANDLE_SPEC("interpref.RecvChannel", end_object,
                                                     recv_slots);
static PyType_Spec send_spec = INTERPREF_HANDLE_SPEC("interpref.SendChannel", end_object,
                                                     send_slots);

int
ends_init_types(PyObject *module, interpref_state *st)
{
    if (interpref_add_type(module, &recv_spec, &st->RecvChannelType) < 0 ||
        interpref_add_type(module, &send_spec, &st->SendChannelType) < 0) {
        return -1;
    }
    return 0;
}

/* ---- module functions -------------------------------------------------- */

static PyObject *
new_pair(interpref_state *st, int64_t id, channel *ch_recv, channel *ch_send)
{
    PyObject *recv = end_alloc(st->RecvChannelType, CH_RECV, id, ch_recv);
    if (recv == NULL) {
        channel_release(ch_recv, CH_RECV, interpref_current_id());
        channel_release(ch_send, CH_SEND, interpref_current_id());
        return NULL;
    }
    PyObject *send = end_alloc(st->SendChannelType, CH_SEND, id, ch_send);
    if (send == NULL) {
        Py_DECREF(recv);
        channel_release(ch_send, CH_SEND, interpref_current_id());
        return NULL;
    }
    PyObject *pair = PyTuple_Pack(2, recv, send);
    Py_DECREF(recv);
    Py_DECREF(send);
    return pair;
}

PyObject *
ends_create_channel(PyObject *module, PyObject *unused)
{
    (void)unused;
    int64_t id;
    channel *ch;
    ch_status status = channel_create(interpref_current_id(), &id, &ch);
    interpref_state *st = PyModule_GetState(module);
    return status == CH_OK ? new_pair(st, id, ch, ch) : interpref_channel_error(st, status, 0);
}

PyObject *
ends_list_all_channels(PyObject *module, PyObject *unused)
{
    (void)unused;
    int64_t *ids;
    size_t count;
    ch_status status = channel_list(&ids, &count);
    interpref_state *st = PyModule_GetState(module);
    if (status != CH_OK) {
        return interpref_channel_error(st, status, 0);
    }
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL && i < count; i++) {
        channel *ch_recv, *ch_send;
        status = channel_acquire(ids[i], CH_RECV, interpref_current_id(), &ch_recv);
        /* GCOVR_EXCL_START: destroyed since the listing was taken, by an
         * interpreter running under a GIL of its own (3.12+) right then: a
         * window no test can aim at. */
        if (status == CH_NOT_FOUND) {
            continue;
        }
        /* GCOVR_EXCL_STOP */
        if (status == CH_OK) {
            status = channel_acquire(ids[i], CH_SEND, interpref_current_id(), &ch_send);
            /* GCOVR_EXCL_START: cannot fail: this interpreter now holds the
             * receiving end, so it is a holder (nothing to allocate) and the
             * channel is alive.  Kept in case channel_acquire() changes. */
            if (status != CH_OK) {
                channel_release(ch_recv, CH_RECV, interpref_current_id());
            }
            /* GCOVR_EXCL_STOP */
        }
        PyObject *pair = status == CH_OK ? new_pair(st, ids[i], ch_recv, ch_send)
                                         : interpref_channel_error(st, status, ids[i]);
        if (pair == NULL || PyList_Append(list, pair) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(pair);
    }
    ref_free(ids);
    return list;
}

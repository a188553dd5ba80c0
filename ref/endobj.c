/*
 * endobj.c: a channel end object as C sees it: making one for a channel id,
 * binding it to its channel, and recognising one.  ends.c builds the two
 * Python types on top; shareable.c (ends crossing interpreters) and interp.c
 * (ends bound by run(channels=...)) make and read ends through this file
 * alone, so none of them calls another for it.
 *
 * An end object is a handle: a channel id plus, while the channel exists, one
 * reference on that end of it (channel.h explains what the references decide).
 * A handle made for an id that names no channel yet holds nothing; it binds on
 * first use if the channel has appeared by then, else it raises
 * ChannelNotFoundError.
 */
#include "interpref.h"

PyObject *
end_alloc(PyTypeObject *type, ch_end end, int64_t id, channel *ch)
{
    end_object *self = (end_object *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->id = id;
    self->ch = ch;
    self->owner = interpref_current_id();
    self->end = end;
    return (PyObject *)self;
}

PyObject *
end_make(interpref_state *st, PyTypeObject *type, ch_end end, int64_t id)
{
    channel *ch = NULL;
    ch_status status = channel_acquire(id, end, interpref_current_id(), &ch);
    if (status == CH_NO_MEMORY) {
        return interpref_channel_error(st, status, id);
    }
    PyObject *obj = end_alloc(type, end, id, ch);
    if (obj == NULL && ch != NULL) {
        channel_release(ch, end, interpref_current_id());
    }
    return obj;
}

PyObject *
end_new(interpref_state *st, ch_end end, int64_t id)
{
    return end_make(st, end == CH_RECV ? st->RecvChannelType : st->SendChannelType, end, id);
}

int
end_bind(interpref_state *st, end_object *self)
{
    if (self->ch != NULL) {
        return 0;
    }
    ch_status status = channel_acquire(self->id, self->end, self->owner, &self->ch);
    if (status != CH_OK) {
        interpref_channel_error(st, status, self->id);
        return -1;
    }
    return 0;
}

int
end_check_exact(interpref_state *st, PyObject *obj, ch_end *end, int64_t *id)
{
    if (!Py_IS_TYPE(obj, st->RecvChannelType) && !Py_IS_TYPE(obj, st->SendChannelType)) {
        return 0;
    }
    *end = ((end_object *)obj)->end;
    *id = ((end_object *)obj)->id;
    return 1;
}

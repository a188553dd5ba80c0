/*
 * shareable.c: which objects may cross interpreters, and how they cross.
 *
 * SPEC SHARE-*: the shareable objects are exactly those whose type is
 * NoneType, int, bytes, str, RecvChannel or SendChannel (exact types: no
 * subclasses, so no bool).  An object crosses as a copy of its data: the
 * sender packs it into one self-contained buffer from ref_malloc() and the
 * receiver builds a fresh object from that buffer in its own interpreter.
 * Because no PyObject* and no interpreter is referenced by a packed object,
 * it can be freed anywhere, without the GIL, and it stays receivable after
 * the sending interpreter is gone.
 *
 * is_shareable() and packing agree by construction: shareable_check() is
 * the only gate, and every shareable value packs (ints of any size too);
 * the only other failure is running out of memory.
 */
#include "interpref.h"

#include <string.h>

#include "alloc.h"

typedef enum {
    TAG_NONE,
    TAG_INT,    /* fits in int64: `num` */
    TAG_BIGINT, /* any other int: `len` bytes of "0x..." text, NUL-terminated */
    TAG_BYTES,
    TAG_STR,  /* `len` code points of `kind` bytes each (PEP 393 storage) */
    TAG_RECV, /* a RecvChannel: `num` is the channel id */
    TAG_SEND,
} tag;

typedef struct {
    unsigned char tag;
    unsigned char kind;
    int64_t num;
    size_t len;
    char data[];
} packed;

int
shareable_check(interpref_state *st, PyObject *obj)
{
    return obj == Py_None || PyLong_CheckExact(obj) || PyBytes_CheckExact(obj) ||
           PyUnicode_CheckExact(obj) || Py_IS_TYPE(obj, st->RecvChannelType) ||
           Py_IS_TYPE(obj, st->SendChannelType);
}

static packed *
new_packed(tag t, size_t payload)
{
    /* GCOVR_EXCL_START: no Python object is that large (sizes fit in Py_ssize_t) */
    if (payload > SIZE_MAX - sizeof(packed)) {
        return NULL;
    }
    /* GCOVR_EXCL_STOP */
    packed *p = ref_malloc(sizeof(packed) + payload);
    if (p != NULL) {
        memset(p, 0, sizeof(packed));
        p->tag = (unsigned char)t;
        p->len = payload;
    }
    return p;
}

static packed *
pack_int(PyObject *obj)
{
    /* Cannot fail: obj is an int, converted without calling into Python. */
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (!overflow) {
        packed *p = new_packed(TAG_INT, 0);
        if (p != NULL) {
            p->num = value;
        }
        return p;
    }
    /* Hexadecimal text: exact for any size and free of the decimal digit limit. */
    PyObject *text = PyNumber_ToBase(obj, 16);
    if (text == NULL) {
        return NULL;
    }
    Py_ssize_t size;
    const char *chars = PyUnicode_AsUTF8AndSize(text, &size);
    packed *p = chars ? new_packed(TAG_BIGINT, (size_t)size + 1) : NULL;
    if (p != NULL) {
        memcpy(p->data, chars, (size_t)size + 1);
    }
    Py_DECREF(text);
    return p;
}

void *
shareable_pack(interpref_state *st, PyObject *obj)
{
    packed *p = NULL;
    ch_end end;
    int64_t id;
    if (!shareable_check(st, obj)) {
        PyErr_Format(PyExc_ValueError, "%.200s objects are not shareable between interpreters",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (obj == Py_None) {
        p = new_packed(TAG_NONE, 0);
    }
    else if (PyLong_CheckExact(obj)) {
        p = pack_int(obj);
        if (p == NULL && PyErr_Occurred()) {
            return NULL;
        }
    }
    else if (PyBytes_CheckExact(obj)) {
        size_t size = (size_t)PyBytes_GET_SIZE(obj);
        p = new_packed(TAG_BYTES, size);
        if (p != NULL) {
            memcpy(p->data, PyBytes_AS_STRING(obj), size);
        }
    }
    else if (PyUnicode_CheckExact(obj)) {
        int kind = PyUnicode_KIND(obj); /* GCOVR_EXCL_BR_LINE: macro asserts */
        size_t length = (size_t)PyUnicode_GET_LENGTH(obj);
        p = length <= SIZE_MAX / 4 ? new_packed(TAG_STR, length * (size_t)kind) : NULL;
        if (p != NULL) {
            p->kind = (unsigned char)kind;
            p->len = length;
            memcpy(p->data, PyUnicode_DATA(obj), length * (size_t)kind);
        }
    }
    else if (end_check_exact(st, obj, &end, &id)) {
        p = new_packed(end == CH_RECV ? TAG_RECV : TAG_SEND, 0);
        if (p != NULL) {
            p->num = id;
        }
    }
    if (p == NULL) {
        PyErr_NoMemory();
    }
    return p;
}

PyObject *
shareable_unpack(interpref_state *st, const void *buffer)
{
    const packed *p = buffer;
    switch ((tag)p->tag) {
    case TAG_NONE:
        Py_RETURN_NONE;
    case TAG_INT:
        return PyLong_FromLongLong(p->num);
    case TAG_BIGINT:
        return PyLong_FromString(p->data, NULL, 0);
    case TAG_BYTES:
        return PyBytes_FromStringAndSize(p->data, (Py_ssize_t)p->len);
    case TAG_STR:
        return PyUnicode_FromKindAndData(p->kind, p->data, (Py_ssize_t)p->len);
    case TAG_RECV:
        return end_new(st, CH_RECV, p->num);
    case TAG_SEND:
        return end_new(st, CH_SEND, p->num);
    }
    PyErr_SetString(PyExc_SystemError, "interpref: corrupt packed object");
    return NULL;
}

void
shareable_free(void *buffer)
{
    ref_free(buffer);
}

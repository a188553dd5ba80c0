/*
 * shareable_gen.c: the value generator of the `shareable` harness (see
 * shareable.h): one Python value per input, with the Python source that
 * rebuilds it.
 *
 * No global state besides constant tables.
 */
#include "shareable.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading the input -------------------------------------------------- */

static unsigned
byte(shareable_reader *r)
{
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint64_t
bytes_le(shareable_reader *r, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v |= (uint64_t)byte(r) << (8 * i);
    }
    return v;
}

/* Append ascii(obj) (valid Python source for str, bytes and int); returns
 * obj, so that a generator can end in `return t_ascii(t, value)`. */
static PyObject *
t_ascii(strbuf *t, PyObject *obj)
{
    PyObject *a = PyObject_ASCII(obj);
    if (a == NULL) {
        fuzz_fatal_python("ascii()");
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(a, &n);
    sb_append(t, s, (size_t)n);
    Py_DECREF(a);
    return obj;
}

/* The next n bytes of the input into raw. */
static void
read_raw(shareable_reader *r, uint8_t *raw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        raw[i] = (uint8_t)byte(r);
    }
}

/* n, or fewer, units of `unit` bytes, taken from the input's budget for big
 * values: the count to build. */
static size_t
take_budget(shareable_reader *r, size_t n, size_t unit)
{
    if (n * unit > r->budget) {
        n = r->budget / unit;
    }
    r->budget -= n * unit;
    return n;
}

/* ---- the generator --------------------------------------------------------- */

enum {
    G_NONE,
    G_BOOL,
    G_SMALLINT,
    G_INT64,
    G_BOUNDARY,
    G_BIGINT,
    G_HUGEINT,
    G_BYTES,
    G_BIGBYTES,
    G_STR,
    G_SURROGATE,
    G_BIGSTR,
    G_FLOAT,
    G_COMPLEX,
    G_TUPLE,
    G_LIST,
    G_DICT,
    G_SET,
    G_FROZENSET,
    G_BYTEARRAY,
    G_MEMORYVIEW,
    G_INTSUB,
    G_STRSUB,
    G_BYTESSUB,
    G_END,
    G_INTERP,
    G_OBJECT,
    G_ELLIPSIS,
    G_TYPE,
    G_FUNCTION,
    G_MODULE,
    G_EXCEPTION,
    G_EVIL,
    G_COUNT
};

static const int boundaries[] = {0,  1,  7,   8,   15,  16,  31,  32,   53,   62,   63,
                                 64, 65, 100, 127, 128, 255, 256, 1000, 4096, 10000};


static PyObject *
helper(shareable_reader *r, const char *name)
{
    PyObject *obj = PyDict_GetItemString(r->helpers, name); /* borrowed */
    if (obj == NULL) {
        fuzz_fatal_python(name);
    }
    return obj;
}

static PyObject *
gen_codepoints(shareable_reader *r, strbuf *t, int n)
{
    Py_UCS4 buf[64];
    for (int i = 0; i < n; i++) {
        unsigned hi = byte(r), lo = byte(r), sel = byte(r);
        Py_UCS4 cp;
        switch (sel % 6) {
        case 0:
            cp = lo & 0x7f;
            break;
        case 1:
            cp = ((hi << 8) | lo) & 0x7ff;
            break;
        case 2:
            cp = (hi << 8) | lo; /* BMP, surrogates included */
            break;
        case 3:
            cp = 0xd800 + (((hi << 8) | lo) % 0x800); /* a lone surrogate */
            break;
        case 4:
            cp = 0x10000 + ((((unsigned)sel << 16) | (hi << 8) | lo) % 0x100000);
            break;
        default:
            cp = lo; /* Latin-1, NUL included */
            break;
        }
        buf[i] = cp;
    }
    PyObject *s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
    if (s == NULL) {
        fuzz_fatal_python("str");
    }
    return t_ascii(t, s);
}

static PyObject *
gen_container(shareable_reader *r, strbuf *t, int depth, int kind)
{
    int n = (int)(byte(r) % 5);
    const char *open = kind == G_TUPLE  ? "("
                       : kind == G_LIST ? "["
                       : kind == G_DICT ? "{"
                       : kind == G_SET  ? "{"
                                        : "frozenset([";
    const char *close = kind == G_TUPLE  ? (n == 1 ? ",)" : ")")
                        : kind == G_LIST ? "]"
                        : kind == G_DICT ? "}"
                        : kind == G_SET  ? "}"
                                         : "])";
    if (kind == G_SET && n == 0) {
        sb_puts(t, "set()");
        return PySet_New(NULL);
    }
    sb_puts(t, open);
    PyObject *items = PyList_New(0);
    PyObject *dict = kind == G_DICT ? PyDict_New() : NULL;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            sb_puts(t, ", ");
        }
        if (kind == G_DICT) {
            /* Keys: hashable scalars only (the key's text is a str literal). */
            PyObject *key = PyUnicode_FromFormat("k%d", i);
            t_ascii(t, key);
            sb_puts(t, ": ");
            PyObject *value = shareable_gen(r, t, depth + 1);
            PyDict_SetItem(dict, key, value);
            Py_DECREF(key);
            Py_DECREF(value);
        }
        else if (kind == G_SET || kind == G_FROZENSET) {
            PyObject *item = PyLong_FromLong((long)byte(r) + 256L * i);
            t_ascii(t, item);
            PyList_Append(items, item);
            Py_DECREF(item);
        }
        else {
            PyObject *item = shareable_gen(r, t, depth + 1);
            PyList_Append(items, item);
            Py_DECREF(item);
        }
    }
    sb_puts(t, close);
    PyObject *result;
    switch (kind) {
    case G_TUPLE:
        result = PyList_AsTuple(items);
        break;
    case G_LIST:
        result = Py_NewRef(items);
        break;
    case G_DICT:
        result = Py_NewRef(dict);
        break;
    case G_SET:
        result = PySet_New(items);
        break;
    default:
        result = PyFrozenSet_New(items);
        break;
    }
    Py_XDECREF(dict);
    Py_DECREF(items);
    return result;
}

/* The value of a Python expression (an int literal), or abort. */
static PyObject *
eval_text(const char *expr)
{
    PyObject *ns = PyDict_New();
    PyObject *v = ns ? fuzz_eval(expr, ns) : NULL;
    Py_XDECREF(ns);
    if (v == NULL) {
        fuzz_fatal_python(expr);
    }
    return v;
}

/* n bytes of the pattern (fill + i % 7), by doubling copies: a per-byte
 * loop would run through the coverage callbacks a million times. */
static PyObject *
pattern_bytes(unsigned fill, size_t n)
{
    PyObject *v;
    v = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (v == NULL) {
        fuzz_fatal_python("bytes");
    }
    char *p = PyBytes_AS_STRING(v);
    for (size_t i = 0; i < n && i < 7; i++) {
        p[i] = (char)(uint8_t)(fill + i);
    }
    for (size_t done = n < 7 ? n : 7; done < n;) {
        size_t chunk = done - done % 7;
        if (chunk > n - done) {
            chunk = n - done;
        }
        memcpy(p + done, p, chunk);
        done += chunk;
    }
    return v;
}

/* bool, int and float values. */
static PyObject *
gen_number(shareable_reader *r, strbuf *t, int kind)
{
    char buf[128];
    PyObject *v = NULL;
    switch (kind) {
    case G_BOOL:
        v = byte(r) & 1 ? Py_True : Py_False;
        sb_puts(t, v == Py_True ? "True" : "False");
        return Py_NewRef(v);
    case G_SMALLINT:
        return t_ascii(t, PyLong_FromLong((long)(int8_t)byte(r)));
    case G_INT64:
        return t_ascii(t, PyLong_FromLongLong((long long)bytes_le(r, 8)));
    case G_BOUNDARY: {
        unsigned sel = byte(r);
        int bits = boundaries[sel % (sizeof boundaries / sizeof boundaries[0])];
        int offset = (int)((sel / 32) % 3) - 1;
        int negative = byte(r) & 1;
        snprintf(buf, sizeof buf, "(%s2**%d%s)", negative ? "-" : "", bits,
                 offset < 0   ? " - 1"
                 : offset > 0 ? " + 1"
                              : "");
        sb_puts(t, buf);
        return eval_text(buf);
    }
    case G_BIGINT: {
        size_t n = 1 + byte(r) % 64;
        uint8_t raw[64];
        read_raw(r, raw, n);
        v = _PyLong_FromByteArray(raw, n, 1, 1);
        if (v == NULL) {
            fuzz_fatal_python("int");
        }
        return t_ascii(t, v);
    }
    case G_HUGEINT: {
        unsigned bits = (unsigned)bytes_le(r, 2) * 2u; /* up to 2**131070 */
        int sub_one = (int)(byte(r) % 3);
        if (bits / 8 > r->budget) {
            bits = 70;
        }
        r->budget -= bits / 8;
        snprintf(buf, sizeof buf, "(2**%u - %d)", bits, sub_one);
        sb_puts(t, buf);
        return eval_text(buf);
    }
    case G_FLOAT:
        return t_ascii(t, PyFloat_FromDouble((double)(int64_t)bytes_le(r, 8) / 1024.0));
    case G_COMPLEX:
        return t_ascii(t, PyComplex_FromDoubles((double)(int8_t)byte(r), 1.0));
    default:
        break;
    }
    return NULL;
}

/* bytes and str values, small and large.  Written as gen_number() is, one
 * case a kind, so the two look alike by shape; kept apart on purpose (one
 * function would be over long). */
static PyObject *
gen_text(shareable_reader *r, strbuf *t, int kind)
{
    char buf[128];
    PyObject *v = NULL;
    switch (kind) {
    case G_BYTES: {
        size_t n = byte(r) % 48;
        uint8_t raw[48];
        read_raw(r, raw, n);
        return t_ascii(t, PyBytes_FromStringAndSize((const char *)raw, (Py_ssize_t)n));
    }
    case G_BIGBYTES: {
        unsigned fill = byte(r);
        size_t n = take_budget(r, (size_t)bytes_le(r, 3) % (1u << 20), 1);
        v = pattern_bytes(fill, n);
        snprintf(buf, sizeof buf, "bytes((%u + i %% 7) %% 256 for i in range(%zu))", fill, n);
        sb_puts(t, buf);
        return v;
    }
    case G_STR:
        return gen_codepoints(r, t, (int)(byte(r) % 24));
    case G_SURROGATE: {
        Py_UCS4 cp = 0xd800 + (Py_UCS4)(bytes_le(r, 2) % 0x800);
        return t_ascii(t, PyUnicode_FromOrdinal((int)cp));
    }
    case G_BIGSTR: {
        Py_UCS4 cps[] = {'x', 0xe9, 0x20ac, 0xdfff, 0x1f600, 0};
        Py_UCS4 cp = cps[byte(r) % 6];
        size_t n = take_budget(r, (size_t)bytes_le(r, 3) % (1u << 20), 4);
        v = PyUnicode_New((Py_ssize_t)n, cp);
        if (v == NULL) {
            fuzz_fatal_python("str");
        }
        if (n > 0 && PyUnicode_Fill(v, 0, (Py_ssize_t)n, cp) < 0) {
            fuzz_fatal_python("str fill");
        }
        snprintf(buf, sizeof buf, "(chr(%u) * %zu)", (unsigned)cp, n);
        sb_puts(t, buf);
        return v;
    }
    default:
        break;
    }
    return NULL;
}

/* An instance of IntSub, StrSub or BytesSub. */
static PyObject *
gen_subclass(shareable_reader *r, strbuf *t, int kind)
{
    PyObject *v;
    const char *cls = kind == G_INTSUB ? "IntSub" : kind == G_STRSUB ? "StrSub" : "BytesSub";
    PyObject *arg;
    strbuf inner;
    sb_init(&inner);
    if (kind == G_INTSUB) {
        arg = PyLong_FromLong((long)(int8_t)byte(r));
        t_ascii(&inner, arg);
    }
    else if (kind == G_STRSUB) {
        arg = gen_codepoints(r, &inner, (int)(byte(r) % 8));
    }
    else {
        arg = PyBytes_FromStringAndSize("sub", 3);
        t_ascii(&inner, arg);
    }
    v = PyObject_CallOneArg(helper(r, cls), arg);
    Py_DECREF(arg);
    if (v == NULL) {
        fuzz_fatal_python(cls);
    }
    sb_puts(t, cls);
    sb_puts(t, "(");
    sb_puts(t, inner.data);
    sb_puts(t, ")");
    sb_free(&inner);
    return v;
}

/* Containers, subclasses, ends, handles and other objects. */
static PyObject *
gen_object(shareable_reader *r, strbuf *t, int depth, int kind)
{
    PyObject *v = NULL;
    switch (kind) {
    case G_TUPLE:
    case G_LIST:
    case G_DICT:
    case G_SET:
    case G_FROZENSET:
        return gen_container(r, t, depth, kind);
    case G_BYTEARRAY:
        sb_puts(t, "bytearray(b'ab')");
        return PyByteArray_FromStringAndSize("ab", 2);
    case G_MEMORYVIEW: {
        PyObject *b = PyBytes_FromString("mv");
        v = PyMemoryView_FromObject(b);
        Py_DECREF(b);
        sb_puts(t, "memoryview(b'mv')");
        return v;
    }
    case G_INTSUB:
    case G_STRSUB:
    case G_BYTESSUB:
        return gen_subclass(r, t, kind);
    case G_END: {
        static const char *const names[] = {"rd", "sd", "r", "s"};
        unsigned which = byte(r) % 4;
        sb_puts(t, names[which]);
        return Py_NewRef(r->ends[which]);
    }
    case G_INTERP:
        sb_puts(t, "interpreters.get_main()");
        return PyObject_CallMethod(r->mod, "get_main", NULL);
    case G_OBJECT:
        sb_puts(t, "object()");
        return PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
    case G_ELLIPSIS: {
        int ellipsis = byte(r) & 1;
        sb_puts(t, ellipsis ? "..." : "NotImplemented");
        return Py_NewRef(ellipsis ? Py_Ellipsis : Py_NotImplemented);
    }
    case G_TYPE:
        sb_puts(t, "int");
        return Py_NewRef((PyObject *)&PyLong_Type);
    case G_FUNCTION:
        sb_puts(t, "len");
        return Py_NewRef(PyDict_GetItemString(PyEval_GetBuiltins(), "len"));
    case G_MODULE:
        sb_puts(t, "interpreters");
        return Py_NewRef(r->mod);
    case G_EXCEPTION:
        sb_puts(t, "ValueError('x')");
        return PyObject_CallFunction(PyExc_ValueError, "s", "x");
    case G_EVIL:
        sb_puts(t, "Evil()");
        return PyObject_CallNoArgs(helper(r, "Evil"));
    default:
        break;
    }
    sb_puts(t, "None");
    return Py_NewRef(Py_None);
}

PyObject *
shareable_gen(shareable_reader *r, strbuf *t, int depth)
{
    int kind = (int)(byte(r) % G_COUNT);
    if (++r->nodes > 24 || depth > 4) {
        kind = kind % 2 ? G_SMALLINT : G_NONE;
    }
    switch (kind) {
    case G_NONE:
        sb_puts(t, "None");
        return Py_NewRef(Py_None);
    case G_BOOL:
    case G_SMALLINT:
    case G_INT64:
    case G_BOUNDARY:
    case G_BIGINT:
    case G_HUGEINT:
    case G_FLOAT:
    case G_COMPLEX:
        return gen_number(r, t, kind);
    case G_BYTES:
    case G_BIGBYTES:
    case G_STR:
    case G_SURROGATE:
    case G_BIGSTR:
        return gen_text(r, t, kind);
    default:
        return gen_object(r, t, depth, kind);
    }
}

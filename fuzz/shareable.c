/*
 * shareable.c: fuzz harness for shareable objects (SPEC SHARE-*, CH-SENDNW-1,
 * CH-SENDNW-5, CH-RECVNW-1).
 *
 * Each input is decoded into one Python value by a small recursive generator
 * (nested containers, large bytes and str, str with lone surrogates and
 * non-BMP characters, ints at every power-of-two boundary up to 2**131072,
 * subclasses of int/str/bytes, channel ends, interpreter handles, objects
 * whose __eq__/__hash__/__repr__ raise, ...).  Then, on interpref:
 *
 *   1. is_shareable(v) returns exactly True or False, never raises, and says
 *      True exactly when type(v) is NoneType, int, bytes, str, RecvChannel or
 *      SendChannel (SHARE-1, SHARE-2, SHARE-3);
 *   2. in main: send_nowait(v) on a channel with no receiver blocked returns
 *      False and recv_nowait() gives back an object of exactly v's type that
 *      equals v (None as None) (SHARE-4, SHARE-6 to SHARE-11); for a value
 *      that is not shareable, send_nowait raises ValueError, not a
 *      ChannelError, and queues nothing (CH-SENDNW-5, SHARE-5);
 *   3. across a subinterpreter: v goes main -> sub (recv_nowait, checked with
 *      is_shareable there) -> main over two channels, and comes back equal
 *      and of exactly v's type (SHARE-12).
 * Any violation, or a Python exception where none is allowed, is a finding.
 *
 * The subinterpreter and the channels are created once per process and
 * stay; each input leaves them empty, so inputs stay independent.
 *
 * Environment: SHAREABLE_SCN=path writes the value and the checks as a
 * scenario (conformance/FORMAT.md) when a finding is made (and, with
 * SHAREABLE_SCN_ALWAYS=1, for every input); SHAREABLE_SCN_ORIGIN sets its
 * origin: header.  SHAREABLE_PRINT=1 prints each value's expression.
 *
 * Global state: the fixed objects below (module, classes, channels, sub),
 * created in LLVMFuzzerInitialize and freed at exit.
 */
#include "fuzz_python.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PyObject *mod, *T_Recv, *T_Send, *E_ChannelError;
static PyObject *helpers;         /* namespace with IntSub, StrSub, BytesSub, Evil */
static PyObject *r_main, *s_main; /* main -> main */
static PyObject *r_a, *s_a;       /* main -> sub */
static PyObject *r_b, *s_b;       /* sub -> main */
static PyObject *r_d, *s_d;       /* ends used as values */
static PyObject *sub;             /* the subinterpreter */
static PyObject *echo_code;       /* what the sub runs */
static const char *scn_path, *scn_origin;
static int scn_always, print_values;

/* ---- reading the input -------------------------------------------------- */

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    size_t budget; /* bytes of large payload still allowed */
    int nodes;     /* values generated so far */
} reader;

static unsigned
byte(reader *r)
{
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint64_t
bytes_le(reader *r, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v |= (uint64_t)byte(r) << (8 * i);
    }
    return v;
}

/* ---- the source text of the value, for reports and scenarios ------------- */

typedef struct {
    char *data;
    size_t len, cap;
} text;

static void
t_add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(t->data, cap);
        if (grown == NULL) {
            abort();
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void
t_str(text *t, const char *s)
{
    t_add(t, s, strlen(s));
}

/* Append ascii(obj) (valid Python source for str, bytes and int). */
static void
t_ascii(text *t, PyObject *obj)
{
    PyObject *a = PyObject_ASCII(obj);
    if (a == NULL) {
        fuzz_fatal_python("ascii()");
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(a, &n);
    t_add(t, s, (size_t)n);
    Py_DECREF(a);
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

static PyObject *gen(reader *r, text *t, int depth);

static PyObject *
helper(const char *name)
{
    PyObject *obj = PyDict_GetItemString(helpers, name); /* borrowed */
    if (obj == NULL) {
        fuzz_fatal_python(name);
    }
    return obj;
}

static PyObject *
gen_codepoints(reader *r, text *t, int n)
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
    t_ascii(t, s);
    return s;
}

static PyObject *
gen_container(reader *r, text *t, int depth, int kind)
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
        t_str(t, "set()");
        return PySet_New(NULL);
    }
    t_str(t, open);
    PyObject *items = PyList_New(0);
    PyObject *dict = kind == G_DICT ? PyDict_New() : NULL;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            t_str(t, ", ");
        }
        if (kind == G_DICT) {
            /* Keys: hashable scalars only (the key's text is a str literal). */
            PyObject *key = PyUnicode_FromFormat("k%d", i);
            t_ascii(t, key);
            t_str(t, ": ");
            PyObject *value = gen(r, t, depth + 1);
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
            PyObject *item = gen(r, t, depth + 1);
            PyList_Append(items, item);
            Py_DECREF(item);
        }
    }
    t_str(t, close);
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

static PyObject *
gen(reader *r, text *t, int depth)
{
    int kind = (int)(byte(r) % G_COUNT);
    if (++r->nodes > 24 || depth > 4) {
        kind = kind % 2 ? G_SMALLINT : G_NONE;
    }
    char buf[128];
    PyObject *v = NULL;
    switch (kind) {
    case G_NONE:
        t_str(t, "None");
        return Py_NewRef(Py_None);
    case G_BOOL:
        v = byte(r) & 1 ? Py_True : Py_False;
        t_str(t, v == Py_True ? "True" : "False");
        return Py_NewRef(v);
    case G_SMALLINT:
        v = PyLong_FromLong((long)(int8_t)byte(r));
        t_ascii(t, v);
        return v;
    case G_INT64:
        v = PyLong_FromLongLong((long long)bytes_le(r, 8));
        t_ascii(t, v);
        return v;
    case G_BOUNDARY: {
        unsigned sel = byte(r);
        int bits = boundaries[sel % (sizeof boundaries / sizeof boundaries[0])];
        int offset = (int)((sel / 32) % 3) - 1;
        int negative = byte(r) & 1;
        snprintf(buf, sizeof buf, "(%s2**%d%s)", negative ? "-" : "", bits,
                 offset < 0   ? " - 1"
                 : offset > 0 ? " + 1"
                              : "");
        t_str(t, buf);
        PyObject *ns = PyDict_New();
        v = ns ? fuzz_eval(buf, ns) : NULL;
        Py_XDECREF(ns);
        if (v == NULL) {
            fuzz_fatal_python(buf);
        }
        return v;
    }
    case G_BIGINT: {
        size_t n = 1 + byte(r) % 64;
        uint8_t raw[64];
        for (size_t i = 0; i < n; i++) {
            raw[i] = (uint8_t)byte(r);
        }
        v = _PyLong_FromByteArray(raw, n, 1, 1);
        if (v == NULL) {
            fuzz_fatal_python("int");
        }
        t_ascii(t, v);
        return v;
    }
    case G_HUGEINT: {
        unsigned bits = (unsigned)bytes_le(r, 2) * 2u; /* up to 2**131070 */
        int sub_one = (int)(byte(r) % 3);
        if (bits / 8 > r->budget) {
            bits = 70;
        }
        r->budget -= bits / 8;
        snprintf(buf, sizeof buf, "(2**%u - %d)", bits, sub_one);
        t_str(t, buf);
        PyObject *ns = PyDict_New();
        v = ns ? fuzz_eval(buf, ns) : NULL;
        Py_XDECREF(ns);
        if (v == NULL) {
            fuzz_fatal_python(buf);
        }
        return v;
    }
    case G_BYTES: {
        size_t n = byte(r) % 48;
        uint8_t raw[48];
        for (size_t i = 0; i < n; i++) {
            raw[i] = (uint8_t)byte(r);
        }
        v = PyBytes_FromStringAndSize((const char *)raw, (Py_ssize_t)n);
        t_ascii(t, v);
        return v;
    }
    case G_BIGBYTES: {
        unsigned fill = byte(r);
        size_t n = (size_t)bytes_le(r, 3) % (1u << 20);
        if (n > r->budget) {
            n = r->budget;
        }
        r->budget -= n;
        v = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
        if (v == NULL) {
            fuzz_fatal_python("bytes");
        }
        /* Pattern (fill + i % 7) by doubling copies: a per-byte loop would
         * run through the coverage callbacks a million times. */
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
        snprintf(buf, sizeof buf, "bytes((%u + i %% 7) %% 256 for i in range(%zu))", fill, n);
        t_str(t, buf);
        return v;
    }
    case G_STR:
        return gen_codepoints(r, t, (int)(byte(r) % 24));
    case G_SURROGATE: {
        Py_UCS4 cp = 0xd800 + (Py_UCS4)(bytes_le(r, 2) % 0x800);
        v = PyUnicode_FromOrdinal((int)cp);
        t_ascii(t, v);
        return v;
    }
    case G_BIGSTR: {
        Py_UCS4 cps[] = {'x', 0xe9, 0x20ac, 0xdfff, 0x1f600, 0};
        Py_UCS4 cp = cps[byte(r) % 6];
        size_t n = (size_t)bytes_le(r, 3) % (1u << 20);
        if (n * 4 > r->budget) {
            n = r->budget / 4;
        }
        r->budget -= n * 4;
        v = PyUnicode_New((Py_ssize_t)n, cp);
        if (v == NULL) {
            fuzz_fatal_python("str");
        }
        if (n > 0 && PyUnicode_Fill(v, 0, (Py_ssize_t)n, cp) < 0) {
            fuzz_fatal_python("str fill");
        }
        snprintf(buf, sizeof buf, "(chr(%u) * %zu)", (unsigned)cp, n);
        t_str(t, buf);
        return v;
    }
    case G_FLOAT:
        v = PyFloat_FromDouble((double)(int64_t)bytes_le(r, 8) / 1024.0);
        t_ascii(t, v);
        return v;
    case G_COMPLEX:
        v = PyComplex_FromDoubles((double)(int8_t)byte(r), 1.0);
        t_ascii(t, v);
        return v;
    case G_TUPLE:
    case G_LIST:
    case G_DICT:
    case G_SET:
    case G_FROZENSET:
        return gen_container(r, t, depth, kind);
    case G_BYTEARRAY:
        t_str(t, "bytearray(b'ab')");
        return PyByteArray_FromStringAndSize("ab", 2);
    case G_MEMORYVIEW: {
        PyObject *b = PyBytes_FromString("mv");
        v = PyMemoryView_FromObject(b);
        Py_DECREF(b);
        t_str(t, "memoryview(b'mv')");
        return v;
    }
    case G_INTSUB:
    case G_STRSUB:
    case G_BYTESSUB: {
        const char *cls = kind == G_INTSUB ? "IntSub" : kind == G_STRSUB ? "StrSub" : "BytesSub";
        PyObject *arg;
        text inner = {0};
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
        v = PyObject_CallOneArg(helper(cls), arg);
        Py_DECREF(arg);
        if (v == NULL) {
            fuzz_fatal_python(cls);
        }
        t_str(t, cls);
        t_str(t, "(");
        t_str(t, inner.data);
        t_str(t, ")");
        free(inner.data);
        return v;
    }
    case G_END: {
        static const char *const names[] = {"rd", "sd", "r", "s"};
        unsigned which = byte(r) % 4;
        PyObject *ends[] = {r_d, s_d, r_main, s_main};
        t_str(t, names[which]);
        return Py_NewRef(ends[which]);
    }
    case G_INTERP:
        t_str(t, "interpreters.get_main()");
        return PyObject_CallMethod(mod, "get_main", NULL);
    case G_OBJECT:
        t_str(t, "object()");
        return PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
    case G_ELLIPSIS: {
        int ellipsis = byte(r) & 1;
        t_str(t, ellipsis ? "..." : "NotImplemented");
        return Py_NewRef(ellipsis ? Py_Ellipsis : Py_NotImplemented);
    }
    case G_TYPE:
        t_str(t, "int");
        return Py_NewRef((PyObject *)&PyLong_Type);
    case G_FUNCTION:
        t_str(t, "len");
        return Py_NewRef(PyDict_GetItemString(PyEval_GetBuiltins(), "len"));
    case G_MODULE:
        t_str(t, "interpreters");
        return Py_NewRef(mod);
    case G_EXCEPTION:
        t_str(t, "ValueError('x')");
        return PyObject_CallFunction(PyExc_ValueError, "s", "x");
    case G_EVIL:
        t_str(t, "Evil()");
        return PyObject_CallNoArgs(helper("Evil"));
    }
    t_str(t, "None");
    return Py_NewRef(Py_None);
}

/* ---- checking ----------------------------------------------------------------- */

static text expr;
/* Whether the value is one is_shareable() must accept (SHARE-1), for the
 * clauses the written scenario's steps check. */
static int scn_predicted;

/*
 * Which checking step of the written scenario checks `clause` for the value
 * at hand: 1 the is_shareable() expect, 2 the round trip in main (or the
 * ValueError of a value that is not shareable), 3 the round trip through
 * the sub; 0 none.
 */
static int
clause_step(const char *clause)
{
    static const char *const round_trip[] = {"SHARE-6", "SHARE-7",  "SHARE-8",
                                             "SHARE-9", "SHARE-10", "SHARE-11"};
    if (strcmp(clause, "SHARE-3") == 0) {
        return 1;
    }
    if (strcmp(clause, scn_predicted ? "SHARE-1" : "SHARE-2") == 0) {
        return 1;
    }
    if (strcmp(clause, "SHARE-12") == 0) {
        return 3;
    }
    if (strcmp(clause, "SHARE-4") == 0 || strncmp(clause, "CH-", 3) == 0 ||
        (!scn_predicted && strcmp(clause, "SHARE-5") == 0)) {
        return 2;
    }
    for (size_t i = 0; scn_predicted && i < sizeof round_trip / sizeof round_trip[0]; i++) {
        if (strcmp(clause, round_trip[i]) == 0) {
            return 2;
        }
    }
    return 0;
}

/*
 * The scenario's header lists exactly the clauses its steps check, the
 * finding's first clause first (a failure of that step is the finding);
 * each of the three checking steps checks the first clause of `clauses`
 * that it can check, or its own default.  Clauses of the finding that no
 * step checks are left out: FORMAT.md rejects a header clause no step
 * checks.
 */
static void
write_scenario(const char *what, const char *clauses)
{
    if (scn_path == NULL) {
        return;
    }
    FILE *f = fopen(scn_path, "w");
    if (f == NULL) {
        perror(scn_path);
        return;
    }
    char list[256], first[64] = "";
    const char *checks[4] = {NULL, scn_predicted ? "SHARE-1" : "SHARE-2",
                             scn_predicted ? "SHARE-6" : "SHARE-4", "SHARE-12"};
    char chosen[4][64];
    int set[4] = {0, 0, 0, 0};
    snprintf(list, sizeof list, "%s", clauses);
    for (char *save = NULL, *tok = strtok_r(list, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        int k = clause_step(tok);
        if (first[0] == '\0') {
            snprintf(first, sizeof first, "%s", tok);
            k = k ? k : 2; /* the finding's clause is checked somewhere */
        }
        if (k && !set[k]) {
            snprintf(chosen[k], sizeof chosen[k], "%s", tok);
            checks[k] = chosen[k];
            set[k] = 1;
        }
    }
    /* Header: the first clause, then the others in step order, once each. */
    const char *dflt = first[0] ? first : checks[1];
    char header[256];
    snprintf(header, sizeof header, "%s", dflt);
    for (int k = 1; k <= 3; k++) {
        char padded[300], needle[70];
        snprintf(padded, sizeof padded, " %s ", header);
        snprintf(needle, sizeof needle, " %s ", checks[k]);
        if (strstr(padded, needle) == NULL) {
            snprintf(header + strlen(header), sizeof header - strlen(header), " %s", checks[k]);
        }
    }
    /* `@ID`: the expect step needs one only for a clause other than the
     * default; a `do` or `run` always does, as without one it would be
     * set-up.  The sub's echo (`run`) and the check of what it sent back
     * both check the round trip through the sub. */
    char at[4][80];
    for (int k = 1; k <= 3; k++) {
        at[k][0] = '\0';
        if (k != 1 || strcmp(checks[k], dflt) != 0) {
            snprintf(at[k], sizeof at[k], " @%s", checks[k]);
        }
    }
    fprintf(f, "description: shareable fuzzer: %s\n", what);
    fprintf(f, "clauses: %s\n", header);
    fprintf(f, "level: MUST\nfeatures: subinterpreter channels\n");
    if (scn_origin != NULL) {
        fprintf(f, "origin: %s\n", scn_origin);
    }
    fprintf(
        f,
        "\ndo\n"
        "    class IntSub(int): pass\n"
        "    class StrSub(str): pass\n"
        "    class BytesSub(bytes): pass\n"
        "    class Evil:\n"
        "        def __eq__(self, other): raise RuntimeError('eq')\n"
        "        def __hash__(self): raise RuntimeError('hash')\n"
        "        def __repr__(self): raise RuntimeError('repr')\n"
        "    rd, sd = interpreters.create_channel()\n"
        "    r, s = interpreters.create_channel()\n"
        "    v = %s\n"
        "    shareable = type(v) in (type(None), int, bytes, str, interpreters.RecvChannel,"
        " interpreters.SendChannel)\n"
        "\n"
        "expect%s interpreters.is_shareable(v) is shareable\n"
        "    => True\n"
        "\n"
        "do%s\n"
        "    if shareable:\n"
        "        assert s.send_nowait(v) is False\n"
        "        x = r.recv_nowait(...)\n"
        "        assert type(x) is type(v) and (x is None if v is None else x == v), ascii(x)[:200]\n"
        "    else:\n"
        "        try:\n"
        "            s.send_nowait(v)\n"
        "        except ValueError as e:\n"
        "            assert not isinstance(e, interpreters.ChannelError), e\n"
        "        else:\n"
        "            raise AssertionError('no ValueError')\n"
        "        assert r.recv_nowait(...) is ...\n"
        "\n"
        "do\n"
        "    interp = interpreters.create()\n"
        "    ra, sa = interpreters.create_channel()\n"
        "    rb, sb = interpreters.create_channel()\n"
        "    if shareable:\n"
        "        assert sa.send_nowait(v) is False\n"
        "\n"
        "run%s interp channels (ra, sb)\n"
        "    v = channels[0].recv_nowait(...)\n"
        "    if v is not ...:\n"
        "        assert interpreters.is_shareable(v)\n"
        "        channels[1].send_nowait(v)\n"
        "    del v\n"
        "\n"
        "do%s\n"
        "    y = rb.recv_nowait(...)\n"
        "    if shareable:\n"
        "        assert type(y) is type(v) and (y is None if v is None else y == v), ascii(y)[:200]\n"
        "    else:\n"
        "        assert y is ...\n",
        expr.data, at[1], at[2], at[3], at[3]);
    fclose(f);
    fprintf(stderr, "shareable: scenario written to %s\n", scn_path);
}

static void finding(const char *clauses, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
finding(const char *clauses, const char *fmt, ...)
{
    char message[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    fprintf(stderr, "\n==== interpcheck fuzz finding (shareable) ====\nSPEC clauses: %s\n%s\n",
            clauses, message);
    fprintf(stderr, "value: %.2000s%s\n", expr.data, expr.len > 2000 ? " ..." : "");
    write_scenario(message, clauses);
    fflush(stderr);
    abort();
}

static void
describe_exc(char *buf, size_t size)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    fuzz_describe(value, buf, size);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* type(got) is type(want) and got == want (None: got is None). */
static int
same(PyObject *got, PyObject *want)
{
    if (want == Py_None) {
        return got == Py_None;
    }
    if (Py_TYPE(got) != Py_TYPE(want)) {
        return 0;
    }
    int eq = PyObject_RichCompareBool(got, want, Py_EQ);
    if (eq < 0) {
        PyErr_Clear();
        return 0;
    }
    return eq;
}

static void
expect_empty(PyObject *r, const char *which)
{
    PyObject *x = fuzz_call1(r, "recv_nowait", Py_Ellipsis);
    if (x != Py_Ellipsis) {
        char d[400];
        if (x == NULL) {
            describe_exc(d, sizeof d);
        }
        else {
            fuzz_describe(x, d, sizeof d);
        }
        finding("CH-RECVNW-3 CH-SENDNW-5",
                "channel %s not empty afterwards: recv_nowait(...) gave %s", which, d);
    }
    Py_DECREF(x);
}

/* send_nowait(v) on s, then recv_nowait on r: the same value comes back. */
static void
round_trip(PyObject *s, PyObject *r, PyObject *v, const char *where)
{
    PyObject *res = fuzz_call1(s, "send_nowait", v);
    if (res != Py_False) {
        char d[400];
        if (res == NULL) {
            describe_exc(d, sizeof d);
        }
        else {
            fuzz_describe(res, d, sizeof d);
        }
        finding("CH-SENDNW-1 SHARE-4",
                "%s: send_nowait() of a shareable value gave %s, expected False", where, d);
    }
    Py_DECREF(res);
    PyObject *x = fuzz_call1(r, "recv_nowait", Py_Ellipsis);
    if (x == NULL) {
        char d[400];
        describe_exc(d, sizeof d);
        finding("CH-RECVNW-1 SHARE-6", "%s: recv_nowait() raised %s", where, d);
    }
    if (!same(x, v)) {
        char d[400];
        fuzz_describe(x, d, sizeof d);
        finding("SHARE-6 SHARE-7 SHARE-8 SHARE-9 SHARE-10 SHARE-11",
                "%s: received %s, not an equal object of exactly the sent type", where, d);
    }
    Py_DECREF(x);
}

static void
check_value(PyObject *v)
{
    int predicted = v == Py_None || PyLong_CheckExact(v) || PyBytes_CheckExact(v) ||
                    PyUnicode_CheckExact(v) || (PyObject *)Py_TYPE(v) == T_Recv ||
                    (PyObject *)Py_TYPE(v) == T_Send;
    scn_predicted = predicted;

    /* 1. is_shareable */
    PyObject *res = fuzz_call1(mod, "is_shareable", v);
    if (res == NULL) {
        char d[400];
        describe_exc(d, sizeof d);
        finding("SHARE-3", "is_shareable() raised %s", d);
    }
    if (res != Py_True && res != Py_False) {
        finding("SHARE-3", "is_shareable() returned a non-bool");
    }
    if ((res == Py_True) != predicted) {
        finding(predicted ? "SHARE-1" : "SHARE-2", "is_shareable() returned %s for a %s",
                res == Py_True ? "True" : "False", Py_TYPE(v)->tp_name);
    }
    Py_DECREF(res);

    if (!predicted) {
        /* 2'. not shareable: ValueError (not a ChannelError), nothing queued. */
        res = fuzz_call1(s_main, "send_nowait", v);
        if (res != NULL) {
            Py_DECREF(res);
            finding("CH-SENDNW-5 SHARE-4", "send_nowait() of a %s succeeded", Py_TYPE(v)->tp_name);
        }
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        int ok = PyObject_IsInstance(value, PyExc_ValueError) == 1 &&
                 PyObject_IsInstance(value, E_ChannelError) == 0;
        char d[400];
        fuzz_describe(value, d, sizeof d);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        PyErr_Clear();
        if (!ok) {
            finding("CH-SENDNW-5 SHARE-5", "send_nowait() of a %s raised %s, expected ValueError",
                    Py_TYPE(v)->tp_name, d);
        }
        expect_empty(r_main, "main");
        return;
    }

    /* 2. same interpreter */
    round_trip(s_main, r_main, v, "main -> main");

    /* 3. main -> sub -> main */
    res = fuzz_call1(s_a, "send_nowait", v);
    if (res != Py_False) {
        char d[400];
        if (res == NULL) {
            describe_exc(d, sizeof d);
        }
        else {
            fuzz_describe(res, d, sizeof d);
        }
        finding("CH-SENDNW-1", "main -> sub: send_nowait() gave %s", d);
    }
    Py_DECREF(res);
    PyObject *run = fuzz_call1(sub, "run", echo_code);
    if (run == NULL) {
        char d[600];
        describe_exc(d, sizeof d);
        finding("SHARE-12 SHARE-6", "the sub's echo failed: %s", d);
    }
    Py_DECREF(run);
    PyObject *y = fuzz_call1(r_b, "recv_nowait", Py_Ellipsis);
    if (y == NULL) {
        char d[400];
        describe_exc(d, sizeof d);
        finding("SHARE-12", "sub -> main: recv_nowait() raised %s", d);
    }
    if (!same(y, v)) {
        char d[400];
        fuzz_describe(y, d, sizeof d);
        finding("SHARE-12 SHARE-6",
                "main -> sub -> main: received %s, not an equal object of "
                "exactly the sent type",
                d);
    }
    Py_DECREF(y);
    expect_empty(r_a, "main -> sub");
    expect_empty(r_b, "sub -> main");
}

/* ---- start-up and the entry point ------------------------------------------------ */

static void
at_exit(void)
{
    if (sub != NULL) {
        PyObject *r = PyObject_CallMethod(sub, "close", NULL);
        Py_XDECREF(r);
        PyErr_Clear();
    }
    Py_CLEAR(sub);
    Py_CLEAR(echo_code);
    Py_CLEAR(r_main);
    Py_CLEAR(s_main);
    Py_CLEAR(r_a);
    Py_CLEAR(s_a);
    Py_CLEAR(r_b);
    Py_CLEAR(s_b);
    Py_CLEAR(r_d);
    Py_CLEAR(s_d);
    Py_CLEAR(helpers);
    Py_CLEAR(T_Recv);
    Py_CLEAR(T_Send);
    Py_CLEAR(E_ChannelError);
    Py_CLEAR(mod);
    free(expr.data);
    expr.data = NULL;
}

static void
channel_pair(PyObject **r, PyObject **s)
{
    PyObject *pair = PyObject_CallMethod(mod, "create_channel", NULL);
    if (pair == NULL || !PyArg_ParseTuple(pair, "OO", r, s)) {
        fuzz_fatal_python("create_channel()");
    }
    Py_INCREF(*r);
    Py_INCREF(*s);
    Py_DECREF(pair);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    scn_path = getenv("SHAREABLE_SCN");
    if (scn_path != NULL && scn_path[0] == '\0') {
        scn_path = NULL;
    }
    scn_origin = getenv("SHAREABLE_SCN_ORIGIN");
    scn_always = fuzz_env_long("SHAREABLE_SCN_ALWAYS", 0) != 0;
    print_values = fuzz_env_long("SHAREABLE_PRINT", 0) != 0;

    fuzz_python_init();
    mod = fuzz_import("interpref");
    T_Recv = PyObject_GetAttrString(mod, "RecvChannel");
    T_Send = PyObject_GetAttrString(mod, "SendChannel");
    E_ChannelError = PyObject_GetAttrString(mod, "ChannelError");
    if (!T_Recv || !T_Send || !E_ChannelError) {
        fuzz_fatal_python("interpref names");
    }
    helpers = fuzz_exec("class IntSub(int): pass\n"
                        "class StrSub(str): pass\n"
                        "class BytesSub(bytes): pass\n"
                        "class Evil:\n"
                        "    def __eq__(self, other): raise RuntimeError('eq')\n"
                        "    def __hash__(self): raise RuntimeError('hash')\n"
                        "    def __repr__(self): raise RuntimeError('repr')\n");
    channel_pair(&r_main, &s_main);
    channel_pair(&r_a, &s_a);
    channel_pair(&r_b, &s_b);
    channel_pair(&r_d, &s_d);
    sub = PyObject_CallMethod(mod, "create", NULL);
    if (sub == NULL) {
        fuzz_fatal_python("create()");
    }
    PyObject *bind = PyUnicode_FromString("import interpref as interpreters\n");
    PyObject *run = PyObject_GetAttrString(sub, "run");
    PyObject *args = PyTuple_Pack(1, bind);
    PyObject *pair = PyTuple_Pack(2, r_a, s_b);
    PyObject *kwargs = Py_BuildValue("{sO}", "channels", pair);
    PyObject *done = PyObject_Call(run, args, kwargs);
    if (done == NULL) {
        fuzz_fatal_python("binding the sub's channels");
    }
    Py_DECREF(done);
    Py_DECREF(kwargs);
    Py_DECREF(pair);
    Py_DECREF(args);
    Py_DECREF(run);
    Py_DECREF(bind);
    echo_code = PyUnicode_FromString("_v = channels[0].recv_nowait(...)\n"
                                     "assert _v is not ..., 'nothing arrived in the sub'\n"
                                     "assert interpreters.is_shareable(_v), type(_v)\n"
                                     "assert channels[1].send_nowait(_v) is False\n"
                                     "del _v\n");
    fuzz_python_at_exit(at_exit);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mod == NULL) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    reader r = {data, size, 0, 3u << 20, 0};
    expr.len = 0;
    t_str(&expr, "");
    PyObject *v = gen(&r, &expr, 0);
    if (v == NULL) {
        fuzz_fatal_python("generating the value");
    }
    if (print_values) {
        fprintf(stderr, "shareable: %.300s\n", expr.data);
    }
    check_value(v);
    Py_DECREF(v);
    if (PyErr_Occurred()) {
        finding("SHARE-3", "a Python exception was left set");
    }
    if (scn_always) {
        /* No finding: the value's own clauses, is_shareable()'s first. */
        write_scenario(scn_predicted ? "values survive is_shareable() and round trips exactly"
                                     : "is_shareable() is False and sending raises ValueError",
                       scn_predicted ? "SHARE-1 SHARE-6 SHARE-12" : "SHARE-2 SHARE-4 SHARE-12");
    }
    return 0;
}

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
#include "shareable.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_build.h"

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

/* ---- checking ----------------------------------------------------------------- */

static strbuf expr;
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
 * The clause each of the three checking steps of the written scenario
 * checks (checks[1..3]) and the header's first one (*dflt): the finding's
 * first clause first (a failure of that step is the finding); each step
 * checks the first clause of `clauses` that it can check, or its own
 * default.  Clauses of the finding that no step checks are left out:
 * FORMAT.md rejects a header clause no step checks.
 */
static void
choose_checks(const char *clauses, char chosen[4][64], const char *checks[4], const char **dflt)
{
    static char first[64];
    char list[256];
    int set[4] = {0, 0, 0, 0};
    checks[0] = NULL;
    checks[1] = scn_predicted ? "SHARE-1" : "SHARE-2";
    checks[2] = scn_predicted ? "SHARE-6" : "SHARE-4";
    checks[3] = "SHARE-12";
    first[0] = '\0';
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
    *dflt = first[0] ? first : checks[1];
}

static const char setup_code[] =
    "class IntSub(int): pass\n"
    "class StrSub(str): pass\n"
    "class BytesSub(bytes): pass\n"
    "class Evil:\n"
    "    def __eq__(self, other): raise RuntimeError('eq')\n"
    "    def __hash__(self): raise RuntimeError('hash')\n"
    "    def __repr__(self): raise RuntimeError('repr')\n"
    "rd, sd = interpreters.create_channel()\n"
    "r, s = interpreters.create_channel()\n"
    "v = %s\n"
    "shareable = type(v) in (type(None), int, bytes, str, interpreters.RecvChannel,"
    " interpreters.SendChannel)\n";

static const char main_round_trip[] =
    "if shareable:\n"
    "    assert s.send_nowait(v) is False\n"
    "    x = r.recv_nowait(...)\n"
    "    assert type(x) is type(v) and (x is None if v is None else x == v), ascii(x)[:200]\n"
    "else:\n"
    "    try:\n"
    "        s.send_nowait(v)\n"
    "    except ValueError as e:\n"
    "        assert not isinstance(e, interpreters.ChannelError), e\n"
    "    else:\n"
    "        raise AssertionError('no ValueError')\n"
    "    assert r.recv_nowait(...) is ...\n";

static const char sub_setup[] = "interp = interpreters.create()\n"
                                "ra, sa = interpreters.create_channel()\n"
                                "rb, sb = interpreters.create_channel()\n"
                                "if shareable:\n"
                                "    assert sa.send_nowait(v) is False\n";

static const char sub_echo[] = "v = channels[0].recv_nowait(...)\n"
                               "if v is not ...:\n"
                               "    assert interpreters.is_shareable(v)\n"
                               "    channels[1].send_nowait(v)\n"
                               "del v\n";

static const char sub_check[] =
    "y = rb.recv_nowait(...)\n"
    "if shareable:\n"
    "    assert type(y) is type(v) and (y is None if v is None else y == v), ascii(y)[:200]\n"
    "else:\n"
    "    assert y is ...\n";

/* The scenario of the value at hand; `@ID` on the expect step only for a
 * clause other than the default, on a `do` or `run` always (without one
 * it would be set-up).  The sub's echo (`run`) and the check of what it
 * sent back both check the round trip through the sub. */
static scn_scenario *
build_scenario(const char *what, const char *clauses)
{
    char chosen[4][64];
    const char *checks[4], *dflt;
    choose_checks(clauses, chosen, checks, &dflt);
    scn_scenario *scn = scnb_new("");
    scnb_set(&scn->description, "shareable fuzzer: %s", what);
    scnb_set_opt(&scn->origin, scn_origin);
    scn->features = SCN_FEATURE_SUBINTERPRETER | SCN_FEATURE_CHANNELS;
    scnb_add_clause(scn, dflt);
    for (int k = 1; k <= 3; k++) {
        scnb_add_clause(scn, checks[k]);
    }
    scnb_do(scn, setup_code, expr.data);
    scn_step *st = scnb_expect(scn, "True", "interpreters.is_shareable(v) is shareable");
    scnb_set_opt(&st->clause, strcmp(checks[1], dflt) != 0 ? checks[1] : NULL);
    scnb_set(&scnb_do(scn, "%s", main_round_trip)->clause, "%s", checks[2]);
    scnb_do(scn, "%s", sub_setup);
    scnb_set(&scnb_run(scn, "interp", "(ra, sb)", sub_echo)->clause, "%s", checks[3]);
    scnb_set(&scnb_do(scn, "%s", sub_check)->clause, "%s", checks[3]);
    return scn;
}

static void
write_scenario(const char *what, const char *clauses)
{
    if (scn_path == NULL) {
        return;
    }
    scn_scenario *scn = build_scenario(what, clauses);
    scnb_write(scn, scn_path, "shareable");
    scn_free(scn);
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

/* A call's result, or the exception it raised (cleared), described. */
static void
describe_result(PyObject *res, char *buf, size_t size)
{
    if (res == NULL) {
        describe_exc(buf, size);
    }
    else {
        fuzz_describe(res, buf, size);
    }
}

/* send_nowait(v) on s must return False (no receiver waits). */
static void
send_returns_false(PyObject *s, PyObject *v, const char *clauses, const char *what,
                   const char *suffix)
{
    PyObject *res = fuzz_call1(s, "send_nowait", v);
    if (res != Py_False) {
        char d[400];
        describe_result(res, d, sizeof d);
        finding(clauses, "%s gave %s%s", what, d, suffix);
    }
    Py_DECREF(res);
}

/* recv_nowait(...) on r must give back exactly v (`hop`: the last hop,
 * named when the call raises; `where`: the whole way). */
static void
receive_same(PyObject *r, PyObject *v, const char *hop, const char *where,
             const char *raised_clauses, const char *differ_clauses)
{
    PyObject *x = fuzz_call1(r, "recv_nowait", Py_Ellipsis);
    if (x == NULL) {
        char d[400];
        describe_exc(d, sizeof d);
        finding(raised_clauses, "%s: recv_nowait() raised %s", hop, d);
    }
    if (!fuzz_same_value(x, v)) {
        char d[400];
        fuzz_describe(x, d, sizeof d);
        finding(differ_clauses, "%s: received %s, not an equal object of exactly the sent type",
                where, d);
    }
    Py_DECREF(x);
}

static void
expect_empty(PyObject *r, const char *which)
{
    PyObject *x = fuzz_call1(r, "recv_nowait", Py_Ellipsis);
    if (x != Py_Ellipsis) {
        char d[400];
        describe_result(x, d, sizeof d);
        finding("CH-RECVNW-3 CH-SENDNW-5",
                "channel %s not empty afterwards: recv_nowait(...) gave %s", which, d);
    }
    Py_DECREF(x);
}

/* 1. is_shareable(v) is exactly True or False, the SPEC's answer. */
static void
check_is_shareable(PyObject *v, int predicted)
{
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
}

/* 2'. not shareable: ValueError (not a ChannelError), nothing queued. */
static void
check_refused(PyObject *v)
{
    PyObject *res = fuzz_call1(s_main, "send_nowait", v);
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
}

/* 3. main -> sub -> main. */
static void
check_via_sub(PyObject *v)
{
    send_returns_false(s_a, v, "CH-SENDNW-1", "main -> sub: send_nowait()", "");
    PyObject *run = fuzz_call1(sub, "run", echo_code);
    if (run == NULL) {
        char d[600];
        describe_exc(d, sizeof d);
        finding("SHARE-12 SHARE-6", "the sub's echo failed: %s", d);
    }
    Py_DECREF(run);
    receive_same(r_b, v, "sub -> main", "main -> sub -> main", "SHARE-12", "SHARE-12 SHARE-6");
    expect_empty(r_a, "main -> sub");
    expect_empty(r_b, "sub -> main");
}

static void
check_value(PyObject *v)
{
    int predicted = v == Py_None || PyLong_CheckExact(v) || PyBytes_CheckExact(v) ||
                    PyUnicode_CheckExact(v) || (PyObject *)Py_TYPE(v) == T_Recv ||
                    (PyObject *)Py_TYPE(v) == T_Send;
    scn_predicted = predicted;
    check_is_shareable(v, predicted);
    if (!predicted) {
        check_refused(v);
        return;
    }
    /* 2. same interpreter */
    send_returns_false(s_main, v, "CH-SENDNW-1 SHARE-4",
                       "main -> main: send_nowait() of a shareable value", ", expected False");
    receive_same(r_main, v, "main -> main", "main -> main", "CH-RECVNW-1 SHARE-6",
                 "SHARE-6 SHARE-7 SHARE-8 SHARE-9 SHARE-10 SHARE-11");
    check_via_sub(v);
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
    sb_free(&expr);
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

    sb_init(&expr);
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
    /* For a driver that does not call LLVMFuzzerInitialize() first.  This
     * opening, and the end of LLVMFuzzerInitialize() above it, look like
     * ops.c's: both follow libFuzzer's interface; kept alike on purpose. */
    if (mod == NULL) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    shareable_reader r = {data, size, 0, 3u << 20, 0, helpers, mod, {r_d, s_d, r_main, s_main}};
    sb_free(&expr);
    sb_puts(&expr, "");
    PyObject *v = shareable_gen(&r, &expr, 0);
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

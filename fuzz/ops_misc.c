/*
 * ops_misc.c: OP_MISC of the `ops` harness (see ops.h): argument
 * validation (ARG-*) and the identity of handles and ends (INTERP-OBJ-*,
 * CH-END-*).
 *
 * No global state of its own.
 */
#include "ops.h"

#include <stdarg.h>
#include <string.h>

/*
 * A call that must raise `want`, or `alt` when two error conditions apply
 * (ARG-8), and change nothing (ARG-7).  In CPython mode a call accepted where
 * SPEC wants a refusal usually made nothing the model tracks (a handle, an
 * end for an id), so the input goes on; `binds`: had it been accepted, the
 * call bound channels in a sub, so the model is behind: stop the input.
 */
static rstatus
misc_check(PyObject *result, xclass want, xclass alt, int binds, const char *clauses,
           const char *call)
{
    outcome o = capture(result);
    rstatus st = check_exc(&o, want, alt, clauses, call);
    outcome_clear(&o);
    return st == RS_STOP && !binds ? RS_SKIP : st;
}

static rstatus
misc_expect_raise(PyObject *result, xclass want, xclass alt, int binds, const char *clauses,
                  const char *call)
{
    emit_raises_either(want, alt, call);
    return misc_check(result, want, alt, binds, clauses, call);
}

static PyObject *
call_type(PyObject *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PyObject *args = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    PyObject *result = args ? PyObject_CallObject(type, args) : NULL;
    Py_XDECREF(args);
    return result;
}

/* Compare three Python truths computed by the caller; describe as `what`. */
static rstatus
misc_expect_true(int ok, const char *clauses, const char *what)
{
    note_clauses(clauses);
    if (PyErr_Occurred()) {
        char d[600];
        outcome o = capture(NULL);
        describe_outcome(&o, d, sizeof d);
        outcome_clear(&o);
        return diverge(clauses, 1, 0, "%s %s", what, d);
    }
    return ok ? RS_OK : diverge(clauses, 0, 0, "%s does not hold", what);
}

/*
 * IMPL INTERP-OBJ-3 / CH-END-3, `cls(-1)`: (a) ValueError at construction
 * (the reference), or construction succeeds and the first use, `method()`,
 * raises (b) ValueError or (c) `unknown`, what it raises for an id that
 * names nothing (INTERP-OBJ-14 (a), CH-END-13 (a)).
 */
static rstatus
misc_negative_id(PyObject *type, const char *cls, const char *method, xclass unknown,
                 const char *clauses)
{
    emit_do("try:\n"
            "    _h = interpreters.%s(-1)\n"
            "except ValueError:\n"
            "    pass\n"
            "else:\n"
            "    try:\n"
            "        _h.%s()\n"
            "    except (ValueError, %s):\n"
            "        pass\n"
            "    else:\n"
            "        raise AssertionError('%s(-1).%s() returned')\n"
            "    del _h\n",
            cls, method, xnames[unknown], cls, method);
    char call[64];
    snprintf(call, sizeof call, "interpreters.%s(-1)", cls);
    PyObject *h = call_type(type, "(i)", -1);
    if (h == NULL) {
        return misc_check(NULL, X_VALUE, X_NONE, 0, clauses, call);
    }
    snprintf(call, sizeof call, "interpreters.%s(-1).%s()", cls, method);
    PyObject *res = PyObject_CallMethod(h, method, NULL);
    Py_DECREF(h);
    return misc_check(res, X_VALUE, unknown, 0, clauses, call);
}

/* Interpreter(id) == handle, != is False, equal hashes (live ids only:
 * for a closed one, construction may raise, INTERP-OBJ-14). */
static rstatus
misc_interp_identity(int j)
{
    if (M.subs[j].state != M_ALIVE) {
        return RS_OK;
    }
    emit_expect("(True, False, True)",
                "(interpreters.Interpreter(iid%d) == i%d, interpreters.Interpreter(iid%d) != i%d,"
                " hash(interpreters.Interpreter(iid%d)) == hash(i%d))",
                sub_ord[j], j, sub_ord[j], j, sub_ord[j], j);
    PyObject *id = PyLong_FromLongLong(M.subs[j].id);
    PyObject *h = id ? PyObject_CallOneArg(T_Interp, id) : NULL;
    int ok = h != NULL && PyObject_RichCompareBool(h, subh[j], Py_EQ) == 1 &&
             PyObject_RichCompareBool(h, subh[j], Py_NE) == 0 &&
             PyObject_Hash(h) == PyObject_Hash(subh[j]);
    Py_XDECREF(h);
    Py_XDECREF(id);
    return misc_expect_true(ok, "INTERP-OBJ-1 INTERP-OBJ-8 INTERP-OBJ-10",
                            "Interpreter(id) == handle, hash(Interpreter(id)) == hash(handle)");
}

/* RecvChannel(n) == RecvChannel(n) != SendChannel(n), equal hashes
 * (existing channels only: for a destroyed one, construction may raise,
 * CH-END-13). */
static rstatus
misc_end_identity(int k)
{
    if (!ops_model_slot_exists(&M, k)) {
        return RS_OK;
    }
    int rec = M.slots[k].rec;
    emit_expect("(True, False, True)",
                "(interpreters.RecvChannel(cid%d) == interpreters.RecvChannel(cid%d),"
                " interpreters.RecvChannel(cid%d) == interpreters.SendChannel(cid%d),"
                " hash(interpreters.RecvChannel(cid%d)) == hash(interpreters.RecvChannel(cid%d)))",
                rec, rec, rec, rec, rec, rec);
    PyObject *id = PyLong_FromLongLong(M.chans[rec].id);
    PyObject *r1 = id ? PyObject_CallOneArg(T_Recv, id) : NULL;
    PyObject *r2 = r1 ? PyObject_CallOneArg(T_Recv, id) : NULL;
    PyObject *s1 = r2 ? PyObject_CallOneArg(T_Send, id) : NULL;
    int ok = s1 != NULL && PyObject_RichCompareBool(r1, r2, Py_EQ) == 1 &&
             PyObject_RichCompareBool(r1, s1, Py_EQ) == 0 && PyObject_Hash(r1) == PyObject_Hash(r2);
    Py_XDECREF(s1);
    Py_XDECREF(r2);
    Py_XDECREF(r1);
    Py_XDECREF(id);
    return misc_expect_true(ok, "CH-END-1 CH-END-8 CH-END-10",
                            "RecvChannel(n) == RecvChannel(n) != SendChannel(n), hashes");
}

/* run() with bytes, or with channels as a list or in the wrong order. */
static rstatus
misc_run_args(int variant, int j, int k)
{
    ops_slot *slot = &M.slots[k];
    char call[160];
    if (variant == MISC_RUN_BYTES) {
        if (M.subs[j].state != M_ALIVE) {
            return RS_OK;
        }
        snprintf(call, sizeof call, "i%d.run(b'pass')", j);
        PyObject *src = PyBytes_FromString("pass");
        PyObject *res = src ? fuzz_call1(subh[j], "run", src) : NULL;
        Py_XDECREF(src);
        return misc_expect_raise(res, X_TYPE, X_NONE, 0, "INTERP-RUN-7 ARG-7", call);
    }
    if (M.subs[j].state != M_ALIVE || !slot->held[M_RECV] || !slot->held[M_SEND]) {
        return RS_OK;
    }
    int swapped = variant == MISC_RUN_SWAPPED;
    if (swapped) {
        snprintf(call, sizeof call, "i%d.run('pass', channels=(s%d, r%d))", j, k, k);
    }
    else {
        snprintf(call, sizeof call, "i%d.run('pass', channels=[r%d, s%d])", j, k, k);
    }
    PyObject *chans = swapped ? PyTuple_Pack(2, ends[k][M_SEND], ends[k][M_RECV])
                              : Py_BuildValue("[OO]", ends[k][M_RECV], ends[k][M_SEND]);
    PyObject *res = chans ? run_code(subh[j], "pass\n", chans) : NULL;
    Py_XDECREF(chans);
    return misc_expect_raise(res, swapped ? X_VALUE : X_TYPE, X_NONE, 1,
                             swapped ? "INTERP-CHAN-7 ARG-7" : "INTERP-CHAN-6 ARG-7", call);
}

/* Calls with a wrong number or type of arguments. */
static rstatus
misc_bad_args(int variant, int j, int k)
{
    ops_slot *slot = &M.slots[k];
    char call[160];
    switch (variant) {
    case MISC_CREATE_CHANNEL_ARG: {
        PyObject *f = PyObject_GetAttrString(mod, "create_channel");
        PyObject *res = f ? PyObject_CallFunction(f, "(i)", 1) : NULL;
        Py_XDECREF(f);
        return misc_expect_raise(res, X_TYPE, X_NONE, 0, "ARG-1 ARG-7",
                                 "interpreters.create_channel(1)");
    }
    case MISC_SEND_NO_ARG: {
        /* On an end whose channel is gone, ChannelNotFoundError is allowed
         * too (ARG-8). */
        if (!slot->held[M_SEND]) {
            return RS_OK;
        }
        int exists = ops_model_slot_exists(&M, k);
        snprintf(call, sizeof call, "s%d.send_nowait()", k);
        return misc_expect_raise(PyObject_CallMethod(ends[k][M_SEND], "send_nowait", NULL), X_TYPE,
                                 exists ? X_NONE : X_NOTFOUND, 0,
                                 exists ? "ARG-3 ARG-7" : "ARG-3 ARG-7 ARG-8 CH-SENDNW-6 EXC-10",
                                 call);
    }
    case MISC_RECV_TWO_ARGS: {
        if (!slot->held[M_RECV]) {
            return RS_OK;
        }
        int exists = ops_model_slot_exists(&M, k);
        snprintf(call, sizeof call, "r%d.recv_nowait(1, 2)", k);
        return misc_expect_raise(PyObject_CallMethod(ends[k][M_RECV], "recv_nowait", "(ii)", 1, 2),
                                 X_TYPE, exists ? X_NONE : X_NOTFOUND, 0,
                                 exists ? "ARG-4 ARG-7" : "ARG-4 ARG-7 ARG-8 CH-RECVNW-6 EXC-10",
                                 call);
    }
    default:
        break;
    }
    /* MISC_IS_RUNNING_ARG.  On a closed sub, INTERP-RUNNING-8's exceptions are
     * allowed too (ARG-8). */
    if (M.subs[j].state == M_EMPTY) {
        return RS_OK;
    }
    int closed = M.subs[j].state == M_CLOSED;
    snprintf(call, sizeof call, "i%d.is_running(1)", j);
    return misc_expect_raise(PyObject_CallMethod(subh[j], "is_running", "(i)", 1), X_TYPE,
                             closed ? X_REFUSED : X_NONE, 0,
                             closed ? "ARG-2 ARG-8 INTERP-RUNNING-8" : "ARG-2", call);
}

/* IMPL INTERP-OBJ-5: (a) an unknown id (RuntimeError on use) or (b)
 * OverflowError, at construction or at first use. */
static rstatus
misc_interp_huge(void)
{
    emit_do("try:\n"
            "    _h = interpreters.Interpreter(2**70)\n"
            "except OverflowError:\n"
            "    pass\n"
            "else:\n"
            "    try:\n"
            "        _h.is_running()\n"
            "    except (RuntimeError, OverflowError) as _e:\n"
            "        assert not isinstance(_e, (interpreters.RunFailedError,\n"
            "                                   interpreters.ChannelError)), _e\n"
            "    else:\n"
            "        raise AssertionError('Interpreter(2**70).is_running() returned')\n"
            "    del _h\n");
    PyObject *huge = PyLong_FromString("1180591620717411303424", NULL, 10); /* 2**70 */
    PyObject *h = huge ? PyObject_CallOneArg(T_Interp, huge) : NULL;
    Py_XDECREF(huge);
    if (h == NULL) {
        return misc_check(NULL, X_OVERFLOW, X_NONE, 0, "INTERP-OBJ-5",
                          "interpreters.Interpreter(2**70)");
    }
    PyObject *res = PyObject_CallMethod(h, "is_running", NULL);
    Py_DECREF(h);
    return misc_check(res, X_RUNTIME, X_OVERFLOW, 0, "INTERP-OBJ-5 INTERP-RUNNING-8 EXC-8",
                      "Interpreter(2**70).is_running()");
}

rstatus
op_misc(const ops_op *op)
{
    int j = op->b % OPS_SUBS;
    int k = op->c % OPS_SLOTS;
    int variant = op->a % MISC_COUNT;
    switch ((ops_misc)variant) {
    case MISC_INTERP_NEGATIVE:
        return misc_negative_id(T_Interp, "Interpreter", "is_running", X_RUNTIME, "INTERP-OBJ-3");
    case MISC_INTERP_STR:
        return misc_expect_raise(call_type(T_Interp, "(s)", "1"), X_TYPE, X_NONE, 0, "INTERP-OBJ-2",
                                 "interpreters.Interpreter('1')");
    case MISC_RECV_NEGATIVE:
        return misc_negative_id(T_Recv, "RecvChannel", "recv_nowait", X_NOTFOUND, "CH-END-3");
    case MISC_SEND_FLOAT:
        return misc_expect_raise(call_type(T_Send, "(d)", 1.0), X_TYPE, X_NONE, 0, "CH-END-2",
                                 "interpreters.SendChannel(1.0)");
    case MISC_INTERP_IDENTITY:
        return misc_interp_identity(j);
    case MISC_END_IDENTITY:
        return misc_end_identity(k);
    case MISC_RUN_BYTES:
    case MISC_RUN_LIST:
    case MISC_RUN_SWAPPED:
        return misc_run_args(variant, j, k);
    case MISC_INTERP_HUGE:
        return misc_interp_huge();
    case MISC_LOWLEVEL:
        return op_lowlevel(op->b, op->c);
    case MISC_COUNT:
        break;
    default:
        return misc_bad_args(variant, j, k);
    }
    return RS_OK;
}

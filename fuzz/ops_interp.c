/*
 * ops_interp.c: the interpreter ops of the `ops` harness (see ops.h):
 * create, close, run (a fixed set of snippets), bind channels, is_running,
 * get_current and list_all.
 *
 * No global state of its own.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* ---- create ------------------------------------------------------------------- */

/* The slot a create goes to: the first free one from op->a, or -1. */
static int
free_sub_slot(uint8_t a)
{
    int j = a % OPS_SUBS;
    for (int tries = 0; tries < OPS_SUBS && M.subs[j].state == M_ALIVE; tries++) {
        j = (j + 1) % OPS_SUBS;
    }
    return M.subs[j].state == M_ALIVE ? -1 : j;
}

static PyObject *
call_create(int isolated)
{
    PyObject *create = PyObject_GetAttrString(mod, "create");
    PyObject *args = PyTuple_New(0);
    PyObject *kwargs = Py_BuildValue("{sO}", "isolated", isolated ? Py_True : Py_False);
    PyObject *result = create && args && kwargs ? PyObject_Call(create, args, kwargs) : NULL;
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(create);
    return result;
}

/* The handle create() returned: an Interpreter with a new, larger id. */
static rstatus
check_created(const outcome *o, int64_t *id)
{
    if (!isinst(o->obj, T_Interp) || get_id(o->obj, id) < 0) {
        return diverge_outcome("FN-CREATE-1", 0, 0, "create()", o, ", expected an Interpreter");
    }
    if (*id <= last_interp_id) {
        return diverge("INTERP-ID-2", 0, 0, "create() gave id %lld, not above %lld", (long long)*id,
                       (long long)last_interp_id);
    }
    note_clauses("INTERP-ID-2");
    return RS_OK;
}

rstatus
create_sub(int j, int isolated, int ord)
{
    emit_features(SCN_FEATURE_SUBINTERPRETER);
    emit_do("i%d = interpreters.create(isolated=%s)\niid%d = int(i%d.id)\n", j,
            isolated ? "True" : "False", ord, j);
    outcome o = capture(call_create(isolated));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-CREATE-1 FN-CREATE-2", "create()");
    int64_t id = -1;
    if (st == RS_OK) {
        st = check_created(&o, &id);
    }
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    last_interp_id = id;
    Py_XSETREF(subh[j], o.obj);
    M.subs[j].state = M_ALIVE;
    M.subs[j].id = id;
    M.subs[j].isolated = isolated;
    M.subs[j].bind[0] = M.subs[j].bind[1] = -1;
    sub_ord[j] = ord;
    return RS_OK;
}

rstatus
op_create(const ops_op *op)
{
    int j = free_sub_slot(op->a);
    if (!lifecycle_on || M.creates >= max_creates || j < 0) {
        return RS_OK;
    }
    /* Scenario names iid0.. go to the pool subs first (pool_begin()). */
    int ord = pool_n + M.creates++;
    return create_sub(j, op->b & 1, ord);
}

/* ---- close, and calls on main or a closed sub ------------------------------------ */

/* What close() of target t must do; 0 when there is nothing to close. */
static int
plan_close(int t, xclass *want, const char **clauses, char *call, size_t size)
{
    if (t == OPS_SUBS) {
        *want = X_RUNTIME;
        *clauses = "INTERP-CLOSE-3 EXC-8";
        snprintf(call, size, "interpreters.get_main().close()");
        return 1;
    }
    if (M.subs[t].state == M_EMPTY) {
        return 0;
    }
    snprintf(call, size, "i%d.close()", t);
    if (M.subs[t].state == M_CLOSED) {
        *want = X_REFUSED; /* IMPL: RuntimeError (a) or another exception (b) */
        *clauses = "INTERP-CLOSE-5";
    }
    else {
        /* Never refused for queued objects: the channels only this sub
         * referred to go, items and all (ops_model_collect() below;
         * LIFE-CH-2, LIFE-INTERP-2). */
        *want = X_NONE;
        *clauses = "INTERP-CLOSE-1";
    }
    return 1;
}

/* A handle for target t (main, or sub slot t): a new reference. */
static PyObject *
target_handle(int t)
{
    return t == OPS_SUBS ? main_handle() : Py_NewRef(subh[t]);
}

rstatus
op_close(const ops_op *op)
{
    int t = target_of(op->a);
    xclass want;
    const char *clauses;
    char call[64];
    if (!plan_close(t, &want, &clauses, call, sizeof call) || (want == X_NONE && !lifecycle_on)) {
        return RS_OK;
    }
    if (want == X_NONE) {
        emit_do("%s\n", call);
    }
    else {
        emit_raises(want, call);
    }
    PyObject *handle = target_handle(t);
    rstatus st = check_call(PyObject_CallMethod(handle, "close", NULL), want, X_NONE, clauses,
                            call);
    Py_DECREF(handle);
    if (st == RS_OK && want == X_NONE) {
        M.subs[t].state = M_CLOSED;
        ops_model_collect(&M);
    }
    return st;
}

/* ---- run ---------------------------------------------------------------------------- */

typedef struct {
    strbuf code;
    xclass want;
    const char *clauses;
    const char *match; /* what str() of the RunFailedError names, or NULL */
} snippet_plan;

/* The fixed snippets: source, clauses, and what str() of the RunFailedError
 * run() must raise names (NULL: run() succeeds).  SNIP_THREAD and
 * SNIP_LIST_ALL depend on the state (snippet()). */
static const struct {
    const char *code, *clauses, *match;
} fixed_snippets[SNIP_COUNT] = {
    [SNIP_PASS] = {"pass\n", "INTERP-RUN-1", NULL},
    [SNIP_ASSIGN] = {"x = 1\n", "INTERP-RUN-1 INTERP-RUN-3", NULL},
    [SNIP_RAISE] = {"raise ValueError('boom')\n", "INTERP-FAIL-1 INTERP-FAIL-3", "ValueError"},
    [SNIP_SYNTAX] = {"def f(:\n", "INTERP-RUN-13", "SyntaxError"},
    [SNIP_EXIT] = {"import sys\nsys.exit(3)\n", "INTERP-FAIL-2", "SystemExit"},
    [SNIP_CURRENT_ID] = {"_c = interpreters.get_current()\n"
                         "assert int(_c.id) > 0 and _c != interpreters.get_main(), _c\n"
                         "assert _c in interpreters.list_all(), _c\n"
                         "del _c\n",
                         "FN-GETCUR-2", NULL},
    [SNIP_UNBIND] = {"channels = None\n", "INTERP-RUN-1 LIFE-CH-4", NULL},
    [SNIP_THREAD] = {"import threading\n"
                     "_t = threading.Thread(target=int)\n"
                     "_t.start()\n"
                     "_t.join()\n"
                     "del _t\n",
                     "INTERP-ISO-3", NULL},
    [SNIP_MAIN_RUNNING] = {"assert interpreters.get_main().is_running() is True\n",
                           "INTERP-RUNNING-2", NULL},
    [SNIP_CLOSE_CURRENT] = {"try:\n"
                            "    interpreters.get_current().close()\n"
                            "except RuntimeError as _e:\n"
                            "    assert not isinstance(_e, (interpreters.ChannelError,)), _e\n"
                            "else:\n"
                            "    raise AssertionError('close() of the current interpreter "
                            "succeeded')\n",
                            "INTERP-CLOSE-2", NULL},
    [SNIP_SHAREABLE] = {"_s = [interpreters.is_shareable(v) for v in (None, 1, 2**70, b'', '', "
                        "True, 1.0, ())]\n"
                        "assert _s[:5] == [True] * 5, _s\n"
                        "assert all(type(_b) is bool for _b in _s[5:]), _s  # SHARE-2: IMPL\n"
                        "del _s\n",
                        "SHARE-1 SHARE-3 MOD-3", NULL},
};

/* The source of snippet s for live sub j, and what run() must do. */
static void
snippet(int s, int j, snippet_plan *p)
{
    sb_init(&p->code);
    p->clauses = fixed_snippets[s].clauses;
    p->match = fixed_snippets[s].match;
    if (s == SNIP_THREAD && M.subs[j].isolated) {
        p->clauses = "INTERP-ISO-1";
        p->match = "RuntimeError";
    }
    p->want = p->match != NULL ? X_RUNFAILED : X_NONE;
    if (s != SNIP_LIST_ALL) {
        sb_puts(&p->code, fixed_snippets[s].code);
        return;
    }
    int live = 1;
    for (int i = 0; i < OPS_SUBS; i++) {
        live += M.subs[i].state == M_ALIVE;
    }
    sb_printf(&p->code,
              "_l = interpreters.list_all()\n"
              "assert len(_l) == %d, _l\n"
              "assert interpreters.get_main() in _l and interpreters.get_current() in _l, _l\n"
              "del _l\n",
              live);
    p->clauses = "FN-LIST-2 FN-LIST-4";
}

/* run() on main or a closed sub: refused (INTERP-RUN-9/10). */
static rstatus
run_refused(int t)
{
    char call[64];
    if (t == OPS_SUBS) {
        snprintf(call, sizeof call, "interpreters.get_main().run('pass')");
    }
    else {
        snprintf(call, sizeof call, "i%d.run('pass')", t);
    }
    /* On main: INTERP-RUN-9's RuntimeError.  On a closed sub: INTERP-RUN-10
     * (IMPL), RuntimeError (a) or another exception (b). */
    xclass want = t == OPS_SUBS ? X_RUNTIME : X_REFUSED;
    emit_raises(want, call);
    PyObject *handle = target_handle(t);
    rstatus st = check_call(run_code(handle, "pass\n", NULL), want, X_NONE,
                            t == OPS_SUBS ? "INTERP-RUN-9 EXC-8" : "INTERP-RUN-10", call);
    Py_DECREF(handle);
    return st;
}

/* INTERP-FAIL-3: str() of the RunFailedError names the uncaught exception's type. */
static rstatus
check_names(const outcome *o, const char *match)
{
    PyObject *str = PyObject_Str(o->exc);
    const char *text = str ? PyUnicode_AsUTF8(str) : NULL;
    int ok = text != NULL && strstr(text, match) != NULL;
    PyErr_Clear();
    Py_XDECREF(str);
    if (ok) {
        return RS_OK;
    }
    char suffix[80];
    snprintf(suffix, sizeof suffix, ": str() does not name %s", match);
    return diverge_outcome("INTERP-FAIL-3", 1, 1, "run()", o, suffix);
}

rstatus
op_run(const ops_op *op)
{
    int t = target_of(op->a);
    if (t == OPS_SUBS || M.subs[t].state == M_CLOSED) {
        return run_refused(t);
    }
    if (M.subs[t].state != M_ALIVE) {
        return RS_OK;
    }
    int s = op->b % SNIP_COUNT;
    snippet_plan p;
    snippet(s, t, &p);
    char *code = sb_finish(&p.code);
    emit_run(t, NULL, p.want, p.match, code);
    if (s == SNIP_THREAD && M.subs[t].isolated) {
        emit_features(SCN_FEATURE_ISOLATED);
    }
    outcome o = capture(run_code(subh[t], code, NULL));
    free(code);
    rstatus st = check_exc(&o, p.want, X_NONE, p.clauses, "run()");
    if (st == RS_OK && p.want == X_RUNFAILED && p.match != NULL) {
        st = check_names(&o, p.match);
    }
    outcome_clear(&o);
    if (st == RS_OK && s == SNIP_UNBIND) {
        M.subs[t].bind[0] = M.subs[t].bind[1] = -1;
        ops_model_collect(&M);
    }
    return st;
}

rstatus
run_in_sub(int j, const char *code, const char *clauses, const char *what)
{
    emit_run(j, NULL, X_NONE, NULL, code);
    outcome o = capture(run_code(subh[j], code, NULL));
    rstatus st;
    PyObject *text = o.exc != NULL && isinst(o.exc, E_RunFailed) ? PyObject_Str(o.exc) : NULL;
    PyErr_Clear();
    const char *s = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    PyErr_Clear();
    if (s != NULL && strstr(s, "AssertionError: value differs: ") != NULL) {
        st = diverge_outcome(clauses, 0, 0, what, &o, "");
    }
    else {
        st = check_exc(&o, X_NONE, X_NONE, clauses, what);
    }
    Py_XDECREF(text);
    outcome_clear(&o);
    return st;
}

/* ---- bind ------------------------------------------------------------------------- */

/*
 * SPEC INTERP-CHAN-9 (IMPL): an end of a destroyed channel in the pair is
 * (a) bound, or (b) refused with any exception but RunFailedError before
 * anything runs (CPython 3.13 and 3.14, reports/findings F4).  The model
 * follows the outcome the implementation chose; the scenario accepts both.
 */
static rstatus
bind_gone(int j, const char *channels, PyObject *pair, int *bound)
{
    const char *clauses = "INTERP-CHAN-9";
    char call[96];
    snprintf(call, sizeof call, "i%d.run('pass', channels=%s)", j, channels);
    emit_do("try:\n"
            "    %s\n"
            "except interpreters.RunFailedError:\n"
            "    raise\n"
            "except Exception:\n"
            "    pass\n",
            call);
    outcome o = capture(pair ? run_code(subh[j], "pass\n", pair) : NULL);
    rstatus st = RS_OK;
    *bound = o.exc == NULL;
    if (o.exc != NULL && isinst(o.exc, E_RunFailed)) {
        char got[800];
        describe_outcome(&o, got, sizeof got);
        st = diverge(clauses, 1, 0,
                     "%s %s, expected success or a refusal that is not a "
                     "RunFailedError",
                     call, got);
    }
    else {
        note_clauses(clauses);
    }
    outcome_clear(&o);
    return st;
}

rstatus
op_bind(const ops_op *op)
{
    int j = op->a % OPS_SUBS;
    int k = op->b % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    if (M.subs[j].state != M_ALIVE || slot->rec < 0) {
        return RS_OK;
    }
    int want_r = (op->c & 1) && slot->held[M_RECV];
    int want_s = (op->c & 2) && slot->held[M_SEND];
    emit_features(SCN_FEATURE_CHANNELS);
    char channels[48], rname[16] = "None", sname[16] = "None";
    if (want_r) {
        snprintf(rname, sizeof rname, "r%d", k);
    }
    if (want_s) {
        snprintf(sname, sizeof sname, "s%d", k);
    }
    snprintf(channels, sizeof channels, "(%s, %s)", rname, sname);
    PyObject *pair = PyTuple_Pack(2, want_r ? ends[k][M_RECV] : Py_None,
                                  want_s ? ends[k][M_SEND] : Py_None);
    rstatus st;
    int bound = 1;
    if ((want_r || want_s) && !ops_model_slot_exists(&M, k)) {
        st = bind_gone(j, channels, pair, &bound);
    }
    else {
        emit_run(j, channels, X_NONE, NULL, "pass\n");
        st = check_call(pair ? run_code(subh[j], "pass\n", pair) : NULL, X_NONE, X_NONE,
                        "INTERP-CHAN-2 INTERP-CHAN-3 INTERP-CHAN-5", "run(channels=...)");
    }
    Py_XDECREF(pair);
    if (st == RS_OK && bound) {
        M.subs[j].bind[M_RECV] = want_r ? slot->rec : -1;
        M.subs[j].bind[M_SEND] = want_s ? slot->rec : -1;
        ops_model_collect(&M);
    }
    return st;
}

/* ---- is_running, get_current, list_all ---------------------------------------------- */

/* INTERP-RUNNING-8 (IMPL) on closed sub t: (a) RuntimeError (the
 * reference), (b) another exception that is neither a RunFailedError nor a
 * ChannelError, or (c) False. */
static rstatus
is_running_closed(int t)
{
    const char *clauses = "INTERP-RUNNING-8";
    char call[64];
    snprintf(call, sizeof call, "i%d.is_running()", t);
    emit_do("try:\n"
            "    _r = %s\n"
            "except (interpreters.RunFailedError, interpreters.ChannelError):\n"
            "    raise\n"
            "except Exception:\n"
            "    pass\n"
            "else:\n"
            "    assert _r is False, _r\n"
            "    del _r\n",
            call);
    outcome o = capture(PyObject_CallMethod(subh[t], "is_running", NULL));
    rstatus st = RS_OK;
    if (o.exc == NULL && o.obj != Py_False) {
        st = diverge_outcome(clauses, 0, 0, call, &o, ", expected an exception or False");
    }
    else if (o.exc != NULL) {
        st = check_exc(&o, X_REFUSED, X_NONE, clauses, call);
    }
    else {
        note_clauses(clauses);
    }
    outcome_clear(&o);
    return st;
}

rstatus
op_is_running(const ops_op *op)
{
    int t = target_of(op->a);
    if (t != OPS_SUBS && M.subs[t].state == M_EMPTY) {
        return RS_OK;
    }
    int closed = t != OPS_SUBS && M.subs[t].state == M_CLOSED;
    if (closed) {
        return is_running_closed(t);
    }
    xclass want = X_NONE;
    PyObject *want_value = t == OPS_SUBS ? Py_True : Py_False;
    const char *clauses = t == OPS_SUBS ? "INTERP-RUNNING-1 INTERP-RUNNING-2"
                                        : "INTERP-RUNNING-1 INTERP-RUNNING-4 INTERP-RUNNING-6";
    char call[64];
    if (t == OPS_SUBS) {
        snprintf(call, sizeof call, "interpreters.get_main().is_running()");
    }
    else {
        snprintf(call, sizeof call, "i%d.is_running()", t);
    }
    const char *want_text = want_value == Py_True ? "True" : "False";
    if (want == X_NONE) {
        emit_expect(want_text, "%s", call);
    }
    else {
        emit_raises(want, call);
    }
    PyObject *handle = target_handle(t);
    outcome o = capture(PyObject_CallMethod(handle, "is_running", NULL));
    Py_DECREF(handle);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && want == X_NONE && o.obj != want_value) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, ", expected %s", want_text);
        st = diverge_outcome(clauses, 0, 0, call, &o, suffix);
    }
    outcome_clear(&o);
    return st;
}

rstatus
op_get_current(void)
{
    emit_expect("True", "interpreters.get_current() == interpreters.get_main()");
    emit_expect("True", "interpreters.get_current() == interpreters.get_main()");
    outcome o = capture(call0("get_current"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-GETCUR-1 INTERP-ID-1", "get_current()");
    if (st == RS_OK) {
        PyObject *main = main_handle();
        int eq = PyObject_RichCompareBool(o.obj, main, Py_EQ);
        int64_t id = -1;
        if (eq != 1 || get_id(o.obj, &id) < 0 || id != 0) {
            PyErr_Clear();
            st = diverge_outcome("FN-GETCUR-1 INTERP-ID-1", 0, 0, "get_current()", &o,
                                 ", expected main (id 0)");
        }
        Py_DECREF(main);
    }
    outcome_clear(&o);
    return st;
}

/* The ids in list_all()'s result, and whether they come in ascending
 * order; -1 when it is not a list of n Interpreters. */
static int
listed_interps(PyObject *list, int n, int64_t *got, int *sorted)
{
    Py_ssize_t m = PyList_Check(list) ? PyList_GET_SIZE(list) : -1;
    if (m != n) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *h = PyList_GET_ITEM(list, i);
        if (!isinst(h, T_Interp) || get_id(h, &got[i]) < 0) {
            return -1;
        }
    }
    *sorted = 1;
    for (Py_ssize_t i = 1; i < m; i++) {
        *sorted &= got[i - 1] < got[i];
    }
    qsort(got, (size_t)m, sizeof got[0], cmp_i64);
    return 0;
}

rstatus
op_list_all(void)
{
    int64_t want[OPS_SUBS + 1];
    int n = 0;
    want[n++] = 0;
    strbuf names;
    sb_init(&names);
    sb_puts(&names, "0");
    for (int j = 0; j < OPS_SUBS; j++) {
        if (M.subs[j].state == M_ALIVE) {
            want[n++] = M.subs[j].id;
            sb_printf(&names, ", iid%d", sub_ord[j]);
        }
    }
    qsort(want, (size_t)n, sizeof want[0], cmp_i64);
    emit_expect_sorted("sorted(int(i.id) for i in interpreters.list_all())", names.data);
    sb_free(&names);
    outcome o = capture(call0("list_all"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-LIST-1 FN-LIST-2", "list_all()");
    int64_t got[64];
    int sorted = 0;
    if (st == RS_OK && (listed_interps(o.obj, n, got, &sorted) < 0 ||
                        memcmp(got, want, (size_t)n * sizeof want[0]) != 0)) {
        char suffix[48];
        snprintf(suffix, sizeof suffix, "; expected %d interpreters", n);
        st = diverge_outcome("FN-LIST-1 FN-LIST-2", 0, 0, "list_all()", &o, suffix);
    }
    outcome_clear(&o);
    if (st != RS_OK) {
        return st;
    }
    if (!sorted) {
        return diverge("FN-LIST-3", 0, 0, "list_all() not in ascending id order");
    }
    note_clauses("FN-LIST-3");
    return RS_OK;
}

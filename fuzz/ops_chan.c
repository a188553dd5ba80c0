/*
 * ops_chan.c: the channel ops of the `ops` harness (see ops.h):
 * create_channel, dropping and rebuilding main's ends, send_nowait and
 * recv_nowait in main and in subs, is_shareable and list_all_channels.
 *
 * No global state of its own.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* ---- create_channel, drop, rebuild ------------------------------------------------ */

void
drop_slot_end(int k, int d)
{
    if (M.slots[k].held[d]) {
        emit_do("del %s%d\n", d == M_RECV ? "r" : "s", k);
        Py_CLEAR(ends[k][d]);
        M.slots[k].held[d] = 0;
        M.slots[k].rebuilt[d] = 0;
    }
}

/* create_channel()'s result: (RecvChannel, SendChannel) with one new id. */
static rstatus
check_channel_pair(const outcome *o, int64_t *rid)
{
    int64_t sid = -2;
    PyObject *pair = o->obj;
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
        !isinst(PyTuple_GET_ITEM(pair, 0), T_Recv) || !isinst(PyTuple_GET_ITEM(pair, 1), T_Send) ||
        get_id(PyTuple_GET_ITEM(pair, 0), rid) < 0 || get_id(PyTuple_GET_ITEM(pair, 1), &sid) < 0 ||
        *rid != sid) {
        return diverge_outcome("FN-CHCREATE-1", 0, 0, "create_channel()", o,
                               ", expected (RecvChannel, SendChannel) with equal ids");
    }
    if (*rid <= last_channel_id) {
        return diverge("FN-CHCREATE-3", 0, 0, "create_channel() gave id %lld, not above %lld",
                       (long long)*rid, (long long)last_channel_id);
    }
    note_clauses("FN-CHCREATE-3");
    return RS_OK;
}

/* The model and main's slot k after create_channel() gave `pair`. */
static void
apply_channel(int k, int rec, int64_t rid, PyObject *pair)
{
    last_channel_id = rid;
    ends[k][M_RECV] = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
    ends[k][M_SEND] = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
    M.nchans++;
    M.chans[rec].id = rid;
    M.chans[rec].exists = 1;
    M.chans[rec].qlen = 0;
    M.slots[k].rec = rec;
    M.slots[k].held[0] = M.slots[k].held[1] = 1;
    M.slots[k].rebuilt[0] = M.slots[k].rebuilt[1] = 0;
}

rstatus
op_chan_create(const ops_op *op)
{
    if (M.nchans >= OPS_MAX_CHANNELS) {
        return RS_OK;
    }
    int k = op->a % OPS_SLOTS;
    drop_slot_end(k, M_RECV);
    drop_slot_end(k, M_SEND);
    ops_model_collect(&M);
    emit_features(SCN_FEATURE_CHANNELS);
    int rec = M.nchans;
    emit_do("r%d, s%d = interpreters.create_channel()\ncid%d = int(r%d.id)\n", k, k, rec, k);
    outcome o = capture(call0("create_channel"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-CHCREATE-1", "create_channel()");
    int64_t rid = -1;
    if (st == RS_OK) {
        st = check_channel_pair(&o, &rid);
    }
    if (st == RS_OK) {
        apply_channel(k, rec, rid, o.obj);
    }
    outcome_clear(&o);
    return st;
}

rstatus
op_drop(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    int which = op->b % 3;
    if (which != M_SEND) {
        drop_slot_end(k, M_RECV);
    }
    if (which != M_RECV) {
        drop_slot_end(k, M_SEND);
    }
    ops_model_collect(&M);
    return RS_OK;
}

rstatus
op_rebuild(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    int d = op->b & 1;
    ops_slot *slot = &M.slots[k];
    if (slot->rec < 0 || slot->held[d]) {
        return RS_OK;
    }
    const char *cls = d == M_RECV ? "RecvChannel" : "SendChannel";
    emit_do("%s%d = interpreters.%s(cid%d)\n", d == M_RECV ? "r" : "s", k, cls, slot->rec);
    PyObject *type = d == M_RECV ? T_Recv : T_Send;
    PyObject *id = PyLong_FromLongLong(M.chans[slot->rec].id);
    outcome o = capture(id ? PyObject_CallOneArg(type, id) : NULL);
    Py_XDECREF(id);
    /* A destroyed channel's id: the end is made, or construction raises
     * ChannelNotFoundError (CH-END-13). */
    int exists = ops_model_slot_exists(&M, k);
    if (!exists && exc_matches(o.exc, X_NOTFOUND)) {
        note_clauses("CH-END-13");
        outcome_clear(&o);
        return RS_OK;
    }
    rstatus st = check_exc(&o, X_NONE, X_NONE, exists ? "CH-END-1" : "CH-END-13", cls);
    int64_t got_id;
    if (st == RS_OK && ((PyObject *)Py_TYPE(o.obj) != type || get_id(o.obj, &got_id) < 0 ||
                        got_id != M.chans[slot->rec].id)) {
        char what[32];
        snprintf(what, sizeof what, "%s(id)", cls);
        st = diverge_outcome("CH-END-1", 0, 0, what, &o, "");
    }
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    ends[k][d] = o.obj;
    slot->held[d] = 1;
    slot->rebuilt[d] = 1;
    note_clauses("LIFE-CH-3");
    return RS_OK;
}

/* ---- send_nowait, recv_nowait in main --------------------------------------------- */

/* What s.send_nowait(v) or s.send(v) must raise on a channel that is gone
 * or for a value that is not shareable; 0 when it must succeed. */
static int
plan_send_error(int exists, int shareable, xclass *want, xclass *alt)
{
    *want = *alt = X_NONE;
    if (!exists) {
        *want = X_NOTFOUND;
        *alt = shareable ? X_NONE : X_VALUE;
        return 1;
    }
    if (!shareable) {
        *want = X_VALUE;
        return 1;
    }
    return 0;
}

rstatus
op_send_nowait(const ops_op *op)
{
    int k;
    PyObject *obj;
    int v = pick_send(op->a, op->b, &k, &obj);
    int rec = M.slots[k].rec;
    int exists = ops_model_slot_exists(&M, k);
    if (v < 0 || (exists && M.chans[rec].qlen >= OPS_QUEUE_MAX)) {
        return RS_OK;
    }
    int shareable = value_shareable(v);
    int bigint = !ops_value_is_end(v) && ops_values[v].bigint;
    char expr[64], call[96], clauses[160];
    value_expr(v, expr, sizeof expr);
    snprintf(call, sizeof call, "s%d.send_nowait(%s)", k, expr);
    xclass want, alt;
    if (plan_send_error(exists, shareable, &want, &alt)) {
        if (exists) {
            snprintf(clauses, sizeof clauses, "CH-SENDNW-5 SHARE-4 SHARE-5");
        }
        else {
            snprintf(clauses, sizeof clauses, "CH-SENDNW-6 EXC-10 %s%s", gone_clauses(rec),
                     shareable ? "" : " ARG-8");
        }
        emit_raises_either(want, alt, call);
    }
    else {
        snprintf(clauses, sizeof clauses, "CH-SENDNW-1 CH-SENDNW-3%s%s%s %s",
                 ops_model_refs(&M, rec, M_RECV) == 0 ? " CH-SENDNW-7" : "",
                 bigint ? " SHARE-4 SHARE-7" : "", ops_value_is_end(v) ? " SHARE-1 SHARE-11" : "",
                 alive_clauses(rec));
        emit_expect("False", "%s", call);
    }
    outcome o = capture(fuzz_call1(ends[k][M_SEND], "send_nowait", obj));
    rstatus st = check_exc(&o, want, alt, clauses, call);
    if (st == RS_OK && want == X_NONE && o.obj != Py_False) {
        st = diverge_outcome(clauses, 0, 0, call, &o, ", expected False (no recv() blocked)");
    }
    outcome_clear(&o);
    if (st == RS_OK && want == X_NONE) {
        queue_value(rec, v);
    }
    return st;
}

/* What r.recv_nowait() must do: 0 raise, 1 the default (empty), 2 the head. */
static int
plan_recv_nowait(int k, int with_default, const char *call, char *clauses, size_t size,
                 ops_item *head)
{
    int rec = M.slots[k].rec;
    if (!ops_model_slot_exists(&M, k)) {
        snprintf(clauses, size, "CH-RECVNW-6 EXC-10 %s", gone_clauses(rec));
        emit_raises(X_NOTFOUND, call);
        return 0;
    }
    if (M.chans[rec].qlen == 0) {
        snprintf(clauses, size, "%s CH-RECVNW-4%s %s", with_default ? "CH-RECVNW-3" : "CH-RECVNW-2",
                 ops_model_refs(&M, rec, M_SEND) == 0 ? " CH-RECVNW-5" : "", alive_clauses(rec));
        emit_expect(with_default ? "..." : "None", "%s", call);
        return 1;
    }
    *head = M.chans[rec].queue[0];
    snprintf(clauses, size, "CH-RECVNW-1 CH-RECV-1 %s %s", item_clauses(*head), alive_clauses(rec));
    char name[32];
    snprintf(name, sizeof name, "got%d", cur_op);
    emit_do("%s = %s\n", name, call);
    emit_item_check(name, *head);
    return 2;
}

/* A received object that is not the queue's head `head`. */
static rstatus
wrong_item(const char *clauses, const char *call, const outcome *o, ops_item head)
{
    char expr[64], suffix[120];
    if (head.value >= 0) {
        value_expr(head.value, expr, sizeof expr);
    }
    else {
        snprintf(expr, sizeof expr, "%s end of channel %lld", head.end_dir ? "send" : "recv",
                 (long long)M.chans[head.end_rec].id);
    }
    snprintf(suffix, sizeof suffix, ", expected %s (head of the queue)", expr);
    return diverge_outcome(clauses, 0, 0, call, o, suffix);
}

rstatus
op_recv_nowait(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    if (!M.slots[k].held[M_RECV]) {
        return RS_OK;
    }
    int with_default = op->b & 1;
    char call[64], clauses[160];
    snprintf(call, sizeof call, "r%d.recv_nowait(%s)", k, with_default ? "..." : "");
    ops_item head = {0, -1, 0};
    int plan = plan_recv_nowait(k, with_default, call, clauses, sizeof clauses, &head);
    xclass want = plan == 0 ? X_NOTFOUND : X_NONE;
    PyObject *res = with_default ? fuzz_call1(ends[k][M_RECV], "recv_nowait", Py_Ellipsis)
                                 : PyObject_CallMethod(ends[k][M_RECV], "recv_nowait", NULL);
    outcome o = capture(res);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && plan == 1 && o.obj != (with_default ? Py_Ellipsis : Py_None)) {
        st = diverge_outcome(clauses, 0, 0, call, &o,
                             with_default ? ", expected the default (...)"
                                          : ", expected the default (None)");
    }
    else if (st == RS_OK && plan == 2 && !item_equals(head, o.obj)) {
        st = wrong_item(clauses, call, &o, head);
    }
    outcome_clear(&o);
    if (st == RS_OK && plan == 2) {
        ops_model_pop(&M.chans[M.slots[k].rec]);
    }
    return st;
}

/* ---- send_nowait, recv_nowait in a sub ----------------------------------------------- */

/* The channel bound as channels[d] in the sub `op` picks (its index into
 * *j) if that sub is alive, or -1. */
static int
bound_channel(const ops_op *op, int d, int *j)
{
    *j = op->a % OPS_SUBS;
    return M.subs[*j].state == M_ALIVE ? M.subs[*j].bind[d] : -1;
}

/* run_in_sub() with the text built in `code`; the builder is used up. */
static rstatus
run_built(int j, strbuf *code, const char *clauses, const char *what)
{
    char *text = sb_finish(code);
    rstatus st = run_in_sub(j, text, clauses, what);
    free(text);
    return st;
}

/* The sub's code for channels[1].send_nowait(V) and the clauses it checks. */
static const char *
sub_send_code(strbuf *code, const ops_value_def *def, int shareable, int exists)
{
    static const char not_channel_error[] =
        "except ValueError as _e:\n    assert not isinstance(_e, interpreters.ChannelError), _e\n";
    sb_printf(code, "try:\n    channels[1].send_nowait(%s)\n", def->expr);
    if (!exists) {
        sb_printf(code, "except interpreters.ChannelNotFoundError:\n    pass\n%s",
                  shareable ? "" : not_channel_error);
        sb_puts(code, "else:\n    raise AssertionError('no ChannelNotFoundError')\n");
        return "CH-SENDNW-6 LIFE-CH-2 SHARE-12";
    }
    sb_puts(code, not_channel_error);
    sb_puts(code, "else:\n    raise AssertionError('no ValueError')\n");
    return "CH-SENDNW-5 SHARE-5 SHARE-12";
}

rstatus
op_sub_send(const ops_op *op)
{
    int j;
    int rec = bound_channel(op, M_SEND, &j);
    if (rec < 0) {
        return RS_OK;
    }
    int v = op->b % OPS_FIXED_VALUES;
    int exists = M.chans[rec].exists;
    if (exists && M.chans[rec].qlen >= OPS_QUEUE_MAX) {
        return RS_OK;
    }
    const ops_value_def *def = &ops_values[v];
    strbuf code;
    sb_init(&code);
    const char *clauses;
    int shareable = value_shareable(v);
    if (!exists || !shareable) {
        clauses = sub_send_code(&code, def, shareable, exists);
    }
    else {
        sb_printf(&code,
                  "_r = channels[1].send_nowait(%s)\n"
                  "assert _r is False, 'value differs: send_nowait() returned %%r' %% (_r,)\n"
                  "del _r\n",
                  def->expr);
        clauses = def->bigint ? "CH-SENDNW-1 SHARE-12 SHARE-7 INTERP-CHAN-4"
                              : "CH-SENDNW-1 SHARE-12 INTERP-CHAN-4";
    }
    rstatus st = run_built(j, &code, clauses, "send_nowait() in a sub");
    if (st == RS_OK && exists && shareable) {
        queue_value(rec, v);
    }
    return st;
}

/* The sub's check that `call` received the head of the queue. */
static const char *
sub_recv_head_code(strbuf *code, const char *call, ops_item head)
{
    if (head.value < 0) {
        /* int(): an int-like id need not be ordered (CH-END-7 b; 3.14's ChannelID
         * is not).  No literal id: the emitted scenario must hold on any
         * implementation, whose channel ids may differ. */
        sb_printf(code,
                  "_v = %s\nassert type(_v) is interpreters.%s and int(_v.id) >= 0, " VALUE_DIFFERS
                  "\n"
                  "del _v\n",
                  call, head.end_dir == M_RECV ? "RecvChannel" : "SendChannel");
        return "CH-RECVNW-1 SHARE-11 SHARE-12";
    }
    if (head.value == 0) {
        sb_printf(code, "_v = %s\nassert _v is None, " VALUE_DIFFERS "\ndel _v\n", call);
        return "CH-RECVNW-1 SHARE-10 SHARE-12";
    }
    const char *e = ops_values[head.value].expr;
    sb_printf(code,
              "_v = %s\nassert type(_v) is type(%s) and _v == %s, " VALUE_DIFFERS "\ndel _v\n",
              call, e, e);
    return "CH-RECVNW-1 SHARE-6 SHARE-12";
}

/* Starts as op_sub_send() does (the sub and the channel it has bound), and
 * looks repeated; kept so on purpose. */
rstatus
op_sub_recv(const ops_op *op)
{
    int j;
    int rec = bound_channel(op, M_RECV, &j);
    if (rec < 0) {
        return RS_OK;
    }
    int with_default = op->b & 1;
    strbuf code;
    sb_init(&code);
    const char *clauses;
    int pop = 0;
    const char *call = with_default ? "channels[0].recv_nowait(...)" : "channels[0].recv_nowait()";
    if (!M.chans[rec].exists) {
        sb_printf(&code,
                  "try:\n    %s\n"
                  "except interpreters.ChannelNotFoundError:\n    pass\n"
                  "else:\n    raise AssertionError('no ChannelNotFoundError')\n",
                  call);
        clauses = "CH-RECVNW-6 LIFE-CH-2";
    }
    else if (M.chans[rec].qlen == 0) {
        sb_printf(&code, "_v = %s\nassert _v is %s, " VALUE_DIFFERS "\ndel _v\n", call,
                  with_default ? "..." : "None");
        clauses = with_default ? "CH-RECVNW-3 MOD-3" : "CH-RECVNW-2 MOD-3";
    }
    else {
        pop = 1;
        clauses = sub_recv_head_code(&code, call, M.chans[rec].queue[0]);
    }
    rstatus st = run_built(j, &code, clauses, "recv_nowait() in a sub");
    if (st == RS_OK && pop) {
        ops_model_pop(&M.chans[rec]);
    }
    return st;
}

/* ---- is_shareable, list_all_channels ------------------------------------------------- */

rstatus
op_is_shareable(const ops_op *op)
{
    PyObject *obj;
    int v = pick_value(op->a, &obj);
    if (v < 0) {
        return RS_OK;
    }
    int shareable = value_shareable(v);
    char expr[64], call[96];
    value_expr(v, expr, sizeof expr);
    snprintf(call, sizeof call, "interpreters.is_shareable(%s)", expr);
    int share2 = !ops_value_is_end(v) && !ops_values[v].shareable; /* SHARE-2: IMPL */
    emit_expect(shareable ? "True" : "False", "%s", call);
    if (share2) {
        emit_also(shareable ? "False" : "True");
    }
    const char *clauses = share2                ? "SHARE-2 SHARE-3"
                          : ops_value_is_end(v) ? "SHARE-1 SHARE-3 SHARE-11"
                                                : "SHARE-1 SHARE-3";
    outcome o = capture(fuzz_call1(mod, "is_shareable", obj));
    rstatus st = check_exc(&o, X_NONE, X_NONE, clauses, call);
    if (st == RS_OK && o.obj != (shareable ? Py_True : Py_False)) {
        st = diverge_outcome(clauses, 0, 0, call, &o,
                             shareable ? ", expected True" : ", expected False");
    }
    outcome_clear(&o);
    return st;
}

/* CPython mode: channels alive when the input started.  An explained
 * difference (LIFE-CH-5, say) can leave channels behind that the model of
 * the next input knows nothing of; they are not that input's business. */
static int64_t stale[64];
static int n_stale;

void
note_stale_channels(void)
{
    n_stale = 0;
    PyObject *list = call0("list_all_channels");
    Py_ssize_t m = list != NULL && PyList_Check(list) ? PyList_GET_SIZE(list) : 0;
    for (Py_ssize_t i = 0; i < m && n_stale < 64; i++) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        if (PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 &&
            get_id(PyTuple_GET_ITEM(pair, 0), &stale[n_stale]) == 0) {
            n_stale++;
        }
    }
    Py_XDECREF(list);
    PyErr_Clear();
}

static Py_ssize_t
drop_stale(int64_t *got, Py_ssize_t m)
{
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        int old = 0;
        for (int s = 0; s < n_stale; s++) {
            old |= stale[s] == got[i];
        }
        if (!old) {
            got[kept++] = got[i];
        }
    }
    return kept;
}

/* The recv ids of list_all_channels()'s pairs but the stale ones, sorted; -1
 * when it is not a list of (RecvChannel, SendChannel) pairs with equal ids. */

static Py_ssize_t
listed_channels(PyObject *list, int64_t got[64])
{
    Py_ssize_t m = PyList_Check(list) ? PyList_GET_SIZE(list) : -1;
    if (m < 0 || m > 64) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        int64_t sid;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
            !isinst(PyTuple_GET_ITEM(pair, 0), T_Recv) ||
            !isinst(PyTuple_GET_ITEM(pair, 1), T_Send) ||
            get_id(PyTuple_GET_ITEM(pair, 0), &got[i]) < 0 ||
            get_id(PyTuple_GET_ITEM(pair, 1), &sid) < 0 || sid != got[i]) {
            return -1;
        }
    }
    m = drop_stale(got, m);
    qsort(got, (size_t)m, sizeof got[0], cmp_i64);
    return m;
}

/* Clauses for a wrong list: a listed channel the model destroyed
 * (LIFE-CH-2), or a live one missing (why it should live: alive_clauses). */
static void
list_diff_clauses(const int64_t *got, Py_ssize_t m, char *clauses, size_t size)
{
    snprintf(clauses, size, "FN-CHLIST-2");
    for (Py_ssize_t i = 0; i < m; i++) {
        int known = 0, gone = -1;
        for (int rec = 0; rec < M.nchans; rec++) {
            known |= M.chans[rec].exists && M.chans[rec].id == got[i];
            gone = !M.chans[rec].exists && M.chans[rec].id == got[i] ? rec : gone;
        }
        const char *why = gone >= 0 ? gone_clauses(gone) : "LIFE-CH-2";
        if (!known && strstr(clauses, why) == NULL) {
            snprintf(clauses + strlen(clauses), size - strlen(clauses), " %s", why);
        }
    }
    for (int rec = 0; rec < M.nchans; rec++) {
        int listed = 0;
        for (Py_ssize_t i = 0; i < m; i++) {
            listed |= got[i] == M.chans[rec].id;
        }
        if (M.chans[rec].exists && !listed && strlen(clauses) < 90) {
            strcat(clauses, " ");
            strcat(clauses, alive_clauses(rec));
        }
    }
}

rstatus
op_list_channels(void)
{
    int64_t want[OPS_MAX_CHANNELS];
    int n = 0;
    strbuf names;
    sb_init(&names);
    for (int rec = 0; rec < M.nchans; rec++) {
        if (M.chans[rec].exists) {
            want[n++] = M.chans[rec].id;
            sb_printf(&names, "%scid%d", names.len ? ", " : "", rec);
        }
    }
    emit_expect_sorted("sorted(int(r.id) for r, s in interpreters.list_all_channels())",
                       names.data);
    sb_free(&names);
    outcome o = capture(call0("list_all_channels"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-CHLIST-1 FN-CHLIST-2", "list_all_channels()");
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    int64_t got[64];
    Py_ssize_t m = listed_channels(o.obj, got);
    char clauses[160];
    if (m < 0) {
        st = diverge_outcome("FN-CHLIST-1", 0, 0, "list_all_channels()", &o,
                             ": not a list of (r, s)");
    }
    else if (m != n || memcmp(got, want, (size_t)n * sizeof want[0]) != 0) {
        list_diff_clauses(got, m, clauses, sizeof clauses);
        char suffix[48];
        snprintf(suffix, sizeof suffix, "; expected %d channels", n);
        st = diverge_outcome(clauses, 0, 0, "list_all_channels()", &o, suffix);
    }
    outcome_clear(&o);
    return st;
}

/* CPython mode, at exit: empty every channel.  CPython 3.12-3.14 hang in
 * finalization when a channel end is still queued in a channel
 * (reports/findings F3); a fuzzing job that exits must not hang on a bug
 * already found, or fork mode waits for it forever. */
void
drain_channels(void)
{
    PyObject *list = call0("list_all_channels");
    PyObject *sentinel = PyTuple_New(0);
    Py_ssize_t m = list != NULL && PyList_Check(list) ? PyList_GET_SIZE(list) : 0;
    for (Py_ssize_t i = 0; sentinel != NULL && i < m; i++) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        PyObject *recv =
            PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 ? PyTuple_GET_ITEM(pair, 0) : NULL;
        for (int n = 0; recv != NULL && n < 10000; n++) {
            PyObject *got = PyObject_CallMethod(recv, "recv_nowait", "(O)", sentinel);
            int done = got == NULL || got == sentinel;
            Py_XDECREF(got);
            if (done) {
                break;
            }
        }
        PyErr_Clear();
    }
    Py_XDECREF(sentinel);
    Py_XDECREF(list);
    PyErr_Clear();
}

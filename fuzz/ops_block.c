/*
 * ops_block.c: blocking recv() and send() in main, with the helper thread
 * (ops_helper.c) doing the other half (see ops.h).
 *
 * In the scenario a blocking call runs in a scenario thread: `blocked T`
 * checks that it waits inside its call, main does the other half, and
 * `join T` checks the outcome; never a sleep.
 *
 * No global state of its own.
 */
#include "ops.h"

#include <string.h>

/* A shareable fixed value for a blocking op: non-shareable ones map to b'spam'. */
static int
blocking_value(uint8_t byte)
{
    int v = byte % OPS_FIXED_VALUES;
    if (!value_shareable(v) || (cpython_mode && ops_values[v].bigint)) {
        v = 12;
    }
    return v;
}

/* Main's end d of the slot was dropped by the helper. */
static void
forget_end(ops_slot *slot, int d)
{
    slot->held[d] = 0;
    slot->rebuilt[d] = 0;
    ops_model_collect(&M);
}

static PyObject *
call_recv(void *end)
{
    return PyObject_CallMethod(end, "recv", NULL);
}

/* ---- recv() ------------------------------------------------------------------------- */

/* recv() on a channel that is gone or has items: no waiting. */
static rstatus
recv_immediate(int k, xclass want, const char *clauses, ops_item head)
{
    char call[32], name[32];
    snprintf(call, sizeof call, "r%d.recv()", k);
    snprintf(name, sizeof name, "got%d", cur_op);
    if (want == X_NONE) {
        emit_do("%s = %s\n", name, call);
        emit_item_check(name, head);
    }
    else {
        emit_raises(want, call);
    }
    outcome o = capture(PyObject_CallMethod(ends[k][M_RECV], "recv", NULL));
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && want == X_NONE && !item_equals(head, o.obj)) {
        st = diverge_outcome(clauses, 0, 0, call, &o, ", expected the head of the queue");
    }
    outcome_clear(&o);
    if (st == RS_OK && want == X_NONE) {
        ops_model_pop(&M.chans[M.slots[k].rec]);
    }
    return st;
}

/*
 * What the helper does while main waits in recv(): 0 send(), 1
 * send_nowait(), 2 drop main's SendChannel (the last one, CH-RECV-6), then
 * send_nowait().  It works through an end built from the id, also when no
 * SendChannel exists (CH-RECV-5).
 */
static int
recv_helper_action(const ops_op *op, const ops_slot *slot)
{
    int act = op->b % 3;
    if (act == 2 && !(slot->held[M_SEND] && ops_model_refs(&M, slot->rec, M_SEND) == 1)) {
        act = 0;
    }
    return cpython_mode && PY_MINOR_VERSION <= 12 ? 1 : act; /* there send() sleeps 2 s */
}

/* The scenario steps of a blocking recv() and the clauses it checks. */
static void
recv_emit(int act, int t, int k, int v, char *clauses, size_t size)
{
    int rec = M.slots[k].rec;
    const char *no_sender = ops_model_refs(&M, rec, M_SEND) == 0 ? "CH-RECV-5 " : "";
    const char *item = item_clauses((ops_item){v, -1, 0});
    const char *expr = ops_values[v].expr;
    char name[32];
    snprintf(name, sizeof name, "got%d", cur_op);
    if (act == 0) {
        snprintf(clauses, size, "%sCH-RECV-2 CH-SEND-3 CH-SEND-4 THR-3 %s", no_sender, item);
        emit_thread(t, "interpreters.SendChannel(cid%d).send(%s)\n", rec, expr);
        emit_do("%s = r%d.recv()\n", name, k);
        emit_join(t);
        emit_item_check(name, (ops_item){v, -1, 0});
        return;
    }
    emit_thread(t, "%s = r%d.recv()\n", name, k);
    emit_blocked(t);
    if (act == 2) {
        /* The thread blocks instead of main, and the sender is dropped once
         * it is `blocked` (no sleep): still blocked after it. */
        snprintf(clauses, size, "CH-RECV-6 CH-SENDNW-2 CH-SENDNW-3 THR-3 %s", item);
        emit_do("del s%d\n", k);
        emit_blocked(t);
        emit_do("interpreters.SendChannel(cid%d).send_nowait(%s)\n", rec, expr);
        emit_join(t);
    }
    else {
        /* As the harness: True or False, whether or not the receiver was
         * already waiting when send_nowait() ran. */
        snprintf(clauses, size, "%sCH-RECV-2 CH-SENDNW-2 CH-SENDNW-3 THR-3 %s", no_sender, item);
        emit_do("res%d = interpreters.SendChannel(cid%d).send_nowait(%s)\n", t, rec, expr);
        emit_join(t);
        emit_expect("True", "res%d", t);
        emit_also("False");
    }
    emit_item_check(name, (ops_item){v, -1, 0});
}

/* The helper's half of a blocking recv(): send() returns None, send_nowait() a bool. */
static rstatus
check_send_half(const job *j, int act, const char *clauses)
{
    outcome h = {j->ret, j->exc};
    if (j->exc != NULL) {
        return diverge_outcome(clauses, 1, 0, "the helper's half", &h, "");
    }
    if (act == 0 && j->ret != Py_None) {
        return diverge_outcome("CH-SEND-3", 0, 0, "the helper's send()", &h, ", expected None");
    }
    if (act != 0 && j->ret != Py_True && j->ret != Py_False) {
        return diverge_outcome("CH-SENDNW-2 CH-SENDNW-3", 0, 0, "the helper's send_nowait()", &h,
                               ", expected a bool");
    }
    return RS_OK;
}

static rstatus
recv_blocking(const ops_op *op, int k)
{
    ops_slot *slot = &M.slots[k];
    int act = recv_helper_action(op, slot);
    int v = blocking_value(op->c);
    job j = {0};
    j.chan_id = M.chans[slot->rec].id;
    j.value = values[v];
    j.kind = act == 0 ? J_SEND : J_SEND_NOWAIT;
    j.drop = act == 2 ? &ends[k][M_SEND] : NULL;
    emit_features(SCN_FEATURE_THREADS | SCN_FEATURE_CHANNELS);
    char clauses[160], call[32];
    recv_emit(act, emit_thread_number(), k, v, clauses, sizeof clauses);
    snprintf(call, sizeof call, "r%d.recv()", k);
    PyObject *receiver = Py_NewRef(ends[k][M_RECV]); /* ours while the helper may clear slots */
    outcome o = helper_run(&j, "a recv() with a helper thread sending", call_recv, receiver);
    Py_DECREF(receiver);
    rstatus st = check_exc(&o, X_NONE, X_NONE, clauses, call);
    if (st == RS_OK && !item_equals((ops_item){v, -1, 0}, o.obj)) {
        char suffix[120];
        snprintf(suffix, sizeof suffix, ", expected %s from the helper", ops_values[v].expr);
        st = diverge_outcome(clauses, 0, 0, call, &o, suffix);
    }
    if (st == RS_OK) {
        st = check_send_half(&j, act, clauses);
    }
    outcome_clear(&o);
    job_clear(&j);
    if (act == 2) {
        forget_end(slot, M_SEND);
    }
    return st;
}

rstatus
op_block_recv(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    if (!slot->held[M_RECV]) {
        return RS_OK;
    }
    int rec = slot->rec;
    char clauses[160];
    ops_item head = {0, -1, 0};
    if (!ops_model_slot_exists(&M, k)) {
        snprintf(clauses, sizeof clauses, "CH-RECV-4 EXC-10 %s", gone_clauses(rec));
        return recv_immediate(k, X_NOTFOUND, clauses, head);
    }
    if (M.chans[rec].qlen > 0) {
        head = M.chans[rec].queue[0];
        snprintf(clauses, sizeof clauses, "CH-RECV-1 %s %s", item_clauses(head),
                 alive_clauses(rec));
        return recv_immediate(k, X_NONE, clauses, head);
    }
    return recv_blocking(op, k);
}

/* ---- send() --------------------------------------------------------------------------- */

typedef struct {
    PyObject *sender, *obj;
} send_args;

static PyObject *
call_send(void *arg)
{
    send_args *a = arg;
    return fuzz_call1(a->sender, "send", a->obj);
}

/*
 * What the helper does while main waits in send(): 0 receive everything
 * queued, through an end built from the id (also when no RecvChannel
 * exists, CH-SEND-6); 1 first drop main's RecvChannel, the last one
 * (CH-SEND-7).  That needs main's to be the only one, and not the object
 * being sent: the call's argument keeps that one alive.
 */
static int
send_helper_action(const ops_op *op, const ops_slot *slot, PyObject *obj, int k)
{
    int act = op->b % 2;
    if (act == 1 && (!slot->held[M_RECV] || ops_model_refs(&M, slot->rec, M_RECV) != 1 ||
                     obj == ends[k][M_RECV])) {
        act = 0;
    }
    return act;
}

/* The scenario steps of a blocking send() of v, n items being queued. */
static void
send_emit(int act, int t, int k, int v, int n, const char *call, char *clauses, size_t size)
{
    int rec = M.slots[k].rec;
    const char *item = item_clauses(item_for(v));
    char receive[160];
    snprintf(receive, sizeof receive,
             "_r = interpreters.RecvChannel(cid%d)\n"
             "got%d = [_r.recv() for _ in range(%d)]\ndel _r\n",
             rec, cur_op, n + 1);
    if (act == 1) {
        /* As for recv(): the thread blocks, main drops the receiver once it
         * is `blocked`, the thread is still blocked, and a receiver built
         * from the id gets everything queued, the thread's object last. */
        snprintf(clauses, size, "CH-SEND-7 CH-SEND-1 CH-SEND-3 THR-3 %s", item);
        emit_thread(t, "%s\n", call);
        emit_blocked(t);
        emit_do("del r%d\n", k);
        emit_blocked(t);
        emit_do("%s", receive);
    }
    else {
        snprintf(clauses, size, "%sCH-SEND-2 CH-SEND-1 CH-SEND-3 THR-3 %s",
                 ops_model_refs(&M, rec, M_RECV) == 0 ? "CH-SEND-6 " : "", item);
        emit_thread(t, "%s", receive);
        emit_do("%s\n", call);
    }
    emit_join(t);
    const ops_chan *ch = &M.chans[rec];
    for (int i = 0; i <= n; i++) {
        char name[32];
        snprintf(name, sizeof name, "got%d[%d]", cur_op, i);
        emit_item_check(name, i < n ? ch->queue[i] : item_for(v));
    }
    emit_do("del got%d\n", cur_op);
}

/* The helper's recv()s: everything that was queued, then v. */
static rstatus
check_recv_half(const job *j, const ops_chan *ch, int v, const char *clauses)
{
    if (j->exc != NULL) {
        outcome h = {j->ret, j->exc};
        return diverge_outcome(clauses, 1, 0, "the helper's recv()", &h, "");
    }
    int n = ch->qlen;
    for (int i = 0; i <= n; i++) {
        ops_item want_item = i < n ? ch->queue[i] : item_for(v);
        if (i >= j->nres || !item_equals(want_item, j->results[i])) {
            outcome h = {i < j->nres ? j->results[i] : NULL, NULL};
            char got[600];
            describe_outcome(&h, got, sizeof got);
            return diverge("CH-RECV-1 CH-SEND-1", 0, 0,
                           "the helper's recv() #%d got %s, not queue item %d", i, got, i);
        }
    }
    return RS_OK;
}

static rstatus
send_blocking(const ops_op *op, int k, int v, PyObject *obj, const char *call)
{
    ops_slot *slot = &M.slots[k];
    ops_chan *ch = &M.chans[slot->rec];
    int act = send_helper_action(op, slot, obj, k);
    job j = {0};
    j.chan_id = ch->id;
    j.kind = J_RECV_N;
    j.n = ch->qlen + 1;
    j.drop = act == 1 ? &ends[k][M_RECV] : NULL;
    emit_features(SCN_FEATURE_THREADS | SCN_FEATURE_CHANNELS);
    char clauses[200];
    send_emit(act, emit_thread_number(), k, v, ch->qlen, call, clauses, sizeof clauses);
    send_args args = {Py_NewRef(ends[k][M_SEND]),
                      Py_NewRef(obj)}; /* ours while the helper may clear slots */
    outcome o = helper_run(&j, "a send() with a helper thread receiving", call_send, &args);
    Py_DECREF(args.sender);
    Py_DECREF(args.obj);
    rstatus st = check_exc(&o, X_NONE, X_NONE, clauses, call);
    if (st == RS_OK && o.obj != Py_None) {
        st = diverge_outcome("CH-SEND-3", 0, 0, call, &o, ", expected None");
    }
    if (st == RS_OK) {
        st = check_recv_half(&j, ch, v, clauses);
    }
    outcome_clear(&o);
    job_clear(&j);
    if (st == RS_OK) {
        ch->qlen = 0;
        if (act == 1) {
            forget_end(slot, M_RECV);
        }
    }
    return st;
}

rstatus
op_block_send(const ops_op *op)
{
    int k;
    PyObject *obj;
    int v = pick_send(op->a, op->c, &k, &obj);
    if (v < 0) {
        return RS_OK;
    }
    ops_slot *slot = &M.slots[k];
    if (cpython_mode && !ops_value_is_end(v) && ops_values[v].bigint) {
        /* CPython raises OverflowError for an int beyond int64 (SHARE-7),
         * and the helper would then wait in recv() for an item that never
         * comes: a hang of the harness, not of CPython.  Blocking recv()
         * avoids these values the same way (blocking_value()). */
        n_skipped_ops++;
        return RS_OK;
    }
    if (cpython_mode && PY_MINOR_VERSION <= 12) {
        /* 3.10-3.12's send() queues, sleeps 2 s and returns (CH-SEND-2). */
        allowed_hit("CH-SEND-2");
        n_skipped_ops++;
        return RS_OK;
    }
    int rec = slot->rec;
    int shareable = value_shareable(v);
    char expr[64], call[96], clauses[200];
    value_expr(v, expr, sizeof expr);
    snprintf(call, sizeof call, "s%d.send(%s)", k, expr);
    xclass want = X_NONE, alt = X_NONE;
    if (!ops_model_slot_exists(&M, k)) {
        want = X_NOTFOUND;
        alt = shareable ? X_NONE : X_VALUE;
        snprintf(clauses, sizeof clauses, "CH-SEND-9 EXC-10 %s%s", gone_clauses(rec),
                 shareable ? "" : " ARG-8");
    }
    else if (!shareable) {
        want = X_VALUE;
        snprintf(clauses, sizeof clauses, "CH-SEND-8 SHARE-5");
    }
    else if (M.chans[rec].qlen >= OPS_QUEUE_MAX) {
        return RS_OK;
    }
    else {
        return send_blocking(op, k, v, obj, call);
    }
    emit_raises_either(want, alt, call);
    return check_call(fuzz_call1(ends[k][M_SEND], "send", obj), want, alt, clauses, call);
}

/*
 * ops.c: structure-aware fuzz harness: op programs on the subinterpreters
 * API, checked step by step against the SPEC model of ops_model.c.
 *
 * Each input decodes into a program (ops_model.h) that is executed through
 * the Python API of the implementation under test, from C: create/close/run
 * interpreters (a few fixed snippets), create channels, drop and rebuild
 * ends, send_nowait/recv_nowait in main and in subs, blocking recv()/send()
 * with a helper thread doing the other half, is_shareable, list_all,
 * list_all_channels, get_current, is_running, and argument validation and
 * handle identity (OP_MISC).  Before each op the model says
 * what SPEC.md requires (return value, or exception class, per clause); any
 * disagreement is a finding: the program, the op, the clause and both
 * outcomes are printed and the harness aborts.
 *
 * The pool: creating and closing a subinterpreter costs milliseconds (tens
 * under ASan), running code in one well under one, so the sub slots hold
 * long-lived subs.  On the first input each process creates one sub per
 * slot (slot j isolated iff j is even), checked as a create op is, and keeps
 * them across inputs.  Each input starts from the same state: main and the
 * pool's subs, alive, nothing bound; no channel; the model starts in that
 * state (re-synced to the pool's ids), and a scenario (OPS_SCN) creates the
 * pool in set-up steps so that it runs standalone.  `create` therefore only fills a slot an
 * earlier `close` of the same input emptied; both cost only where they
 * appear.
 *
 * The lifecycle gate: that is not yet enough, because coverage feedback
 * favours inputs that close and create (they reach more code), so the corpus
 * fills with them and most executions would pay tens of milliseconds again.
 * With the pool on, `create` and the `close` of a live sub therefore take
 * effect only in one input in OPS_LIFECYCLE (default 64), chosen by a hash
 * of the whole input: a mutation of a lifecycle input is again one only by
 * chance, so the share of executions that pay for it stays near 1/64 however
 * the corpus grows, while each of them still explores as deeply as before.
 * Elsewhere both ops are skipped (the model too), as a create beyond
 * OPS_MAX_CREATES is.  The decision is the input's own, so replays and
 * findings reproduce; the corpus replays in CTest run with OPS_LIFECYCLE=1.
 *
 * At the end of an input all end objects are dropped; a live sub of its
 * slot's kind stays in the pool (one the input created is adopted), with
 * `channels = None` run in it if the input bound ends there (see
 * pool_end_sub()); any other sub is closed; a slot left empty gets a new
 * sub; and the harness checks that list_all() is exactly main and the pool's
 * subs and that list_all_channels() is empty.  OPS_POOL=0 (and CPython mode
 * on 3.10-3.12) keeps the pool off: slots start empty and every sub is
 * closed at the end, list_all() must then be [main].
 *
 * Environment (read once):
 *   OPS_IMPL=cpython      run on the CPython the harness is built against
 *                         instead of interpref: 3.10-3.12 through their
 *                         test.support.interpreters, 3.13 and later through
 *                         conformance/adapters/cpython31X.py (over
 *                         _interpreters, _interpchannels and the high-level
 *                         modules); differences whose SPEC clause appears in
 *                         conformance/expectations/cpython-3.X.txt
 *                         (OPS_EXPECTATIONS=path) are counted as explained,
 *                         others are findings.  Ops that would hang or sleep
 *                         on 3.10-3.12 are skipped there.
 *   OPS_MAX_CREATES=N     create ops per input (default 2: each costs
 *                         ~10 ms; the pool's own creates do not count).
 *   OPS_POOL=N            pool subs, in slots 0..N-1 (default 3, every
 *                         slot; 0: no pool; always 0 on CPython 3.10-3.12).
 *   OPS_LIFECYCLE=N       with the pool, create and close of a live sub act
 *                         in one input in N, by hash (default 64; 1: all).
 *   OPS_DEADLINE=S        seconds a blocking op may take before it is a hang
 *                         finding (default 10).
 *   OPS_PRINT=1           print each decoded program (for the replay driver).
 *   OPS_SCN=path          write the program as a scenario file (FORMAT.md) with
 *                         the model's expectations: at the finding, or at the
 *                         end of the input.  OPS_SCN_ORIGIN sets its origin:
 *                         header.
 *
 * Threads: the fuzzer's thread holds the GIL throughout, except inside
 * blocking calls.  One helper thread (with its own main-interpreter thread
 * state) performs the other half of blocking ops; one watchdog thread
 * aborts when a blocking op outlives OPS_DEADLINE.  Both start lazily in the
 * process that runs inputs (AFL++ forks after LLVMFuzzerInitialize).
 *
 * The harness is split by concern (ops.h lists the files): this file holds
 * the configuration, the state, the op dispatch, the pool, the end-of-input
 * clean-up and the entry points.
 *
 * Global state: the configuration, the module under test and its classes,
 * the value objects, the pool, the per-input model and objects (declared in
 * ops.h).
 */
#include "ops.h"

#include "fnv1a.h"

#include <stdlib.h>
#include <string.h>

/* ---- configuration ------------------------------------------------------- */

int cpython_mode;
long max_creates = 2;
double deadline_seconds = 10.0;
int pool_n;
long lifecycle_one_in = 64;
int lifecycle_on;
static int print_programs;

/* ---- the implementation under test -------------------------------------- */

PyObject *mod;
PyObject *T_Interp, *T_Recv, *T_Send;
PyObject *E_RunFailed, *E_ChannelError, *E_NotFound;
PyObject *values[OPS_FIXED_VALUES];
const char *sub_prefix;
int64_t last_interp_id, last_channel_id = -1;

/* ---- per-input state ----------------------------------------------------- */

ops_model M;
PyObject *subh[OPS_SUBS];
int sub_ord[OPS_SUBS];
PyObject *ends[OPS_SLOTS][2];
ops_op prog[OPS_MAX_OPS];
int nprog, cur_op;
static unsigned long n_inputs, n_stopped;

static rstatus
run_op(const ops_op *op)
{
    switch (op->kind) {
    case OP_CREATE:
        return op_create(op);
    case OP_CLOSE:
        return op_close(op);
    case OP_RUN:
        return op_run(op);
    case OP_BIND:
        return op_bind(op);
    case OP_CHAN_CREATE:
        return op_chan_create(op);
    case OP_DROP:
        return op_drop(op);
    case OP_REBUILD:
        return op_rebuild(op);
    case OP_SEND_NOWAIT:
        return op_send_nowait(op);
    case OP_RECV_NOWAIT:
        return op_recv_nowait(op);
    case OP_SUB_SEND:
        return op_sub_send(op);
    case OP_SUB_RECV:
        return op_sub_recv(op);
    case OP_BLOCK_RECV:
        return op_block_recv(op);
    case OP_BLOCK_SEND:
        return op_block_send(op);
    case OP_IS_SHAREABLE:
        return op_is_shareable(op);
    case OP_LIST_ALL:
        return op_list_all();
    case OP_LIST_CHANNELS:
        return op_list_channels();
    case OP_GET_CURRENT:
        return op_get_current();
    case OP_IS_RUNNING:
        return op_is_running(op);
    case OP_MISC:
        return op_misc(op);
    case OP_COUNT:
        break;
    }
    return RS_OK;
}

/* ---- the pool of long-lived subs ----------------------------------------------- */

/* pool_live[j]: pool slot j's sub (subh[j], id pool_id[j]) is alive and
 * reset, between inputs. */
static int pool_live[OPS_SUBS];
static int64_t pool_id[OPS_SUBS];

static int
pool_isolated(int j)
{
    return j % 2 == 0;
}

/* Create the pool subs that are missing (the first input, or one that the
 * last input closed): checked like a create op. */
static void
pool_fill(void)
{
    for (int j = 0; j < pool_n; j++) {
        if (pool_live[j]) {
            continue;
        }
        if (create_sub(j, pool_isolated(j), j) != RS_OK) {
            report_and_abort("the pool's create() failed", "FN-CREATE-1");
        }
        pool_live[j] = 1;
        pool_id[j] = M.subs[j].id;
    }
}

/* Start of an input: the pool filled, the model re-synced to it (alive,
 * nothing bound) and the scenario's set-up steps that create it. */
static void
pool_begin(void)
{
    cur_op = -1; /* findings here belong to the pool's set-up */
    if (pool_n > 0) {
        pool_fill();
        ops_model_init(&M);
        emit_reset();
    }
    for (int j = 0; j < pool_n; j++) {
        M.subs[j].state = M_ALIVE;
        M.subs[j].id = pool_id[j];
        M.subs[j].isolated = pool_isolated(j);
        sub_ord[j] = j;
        emit_features(SCN_FEATURE_SUBINTERPRETER);
        emit_do("i%d = interpreters.create(isolated=%s)\niid%d = int(i%d.id)\n", j,
                pool_isolated(j) ? "True" : "False", j, j);
    }
    emit_mark_setup();
}

/* ---- end of an input: back to the initial state -------------------------------- */

/* After a stopped input (CPython mode): close what is left, check nothing. */
static void
cleanup_best_effort(void)
{
    for (int k = 0; k < OPS_SLOTS; k++) {
        Py_CLEAR(ends[k][0]);
        Py_CLEAR(ends[k][1]);
    }
    PyObject *all = call0("list_all");
    for (Py_ssize_t i = 0; all != NULL && PyList_Check(all) && i < PyList_GET_SIZE(all); i++) {
        PyObject *h = PyList_GET_ITEM(all, i);
        int64_t id;
        if (get_id(h, &id) == 0 && id != 0) {
            PyObject *r = run_code(h, "channels = None\n", NULL);
            Py_XDECREF(r);
            PyErr_Clear();
            r = PyObject_CallMethod(h, "close", NULL);
            Py_XDECREF(r);
            PyErr_Clear();
        }
    }
    Py_XDECREF(all);
    PyErr_Clear();
    for (int j = 0; j < pool_n; j++) {
        pool_live[j] = 0; /* closed above: filled again by the next input */
    }
}

/* Unbind and close sub j; -1 when the implementation disagrees. */
static int
close_sub(int j)
{
    if (M.subs[j].bind[0] >= 0 || M.subs[j].bind[1] >= 0) {
        if (run_in_sub(j, "channels = None\n", "INTERP-RUN-1", "clean-up run()") != RS_OK) {
            return -1;
        }
        M.subs[j].bind[0] = M.subs[j].bind[1] = -1;
        ops_model_collect(&M);
    }
    emit_do("i%d.close()\n", j);
    if (check_call(PyObject_CallMethod(subh[j], "close", NULL), X_NONE, X_NONE, "INTERP-CLOSE-1",
                   "clean-up close()") != RS_OK) {
        return -1;
    }
    M.subs[j].state = M_CLOSED;
    return 0;
}

/* End of an input, pool slot j: a live sub of the pool's kind stays in the
 * pool (one this input created is adopted), the ends bound there as
 * `channels` dropped by one run() if the input bound any; any other is
 * closed and filled again.  Other names the snippets leave in the sub's
 * __main__ (`x`, the `interpreters` import, `threading`) stay: no check reads
 * them, and a run() costs a thread state (an mmap'd data stack; about 0.3 ms
 * under ASan), so emptying __main__ after every input would cost more than
 * the ops themselves.  -1 when the implementation disagrees. */
static int
pool_end_sub(int j)
{
    pool_live[j] = 0;
    if (M.subs[j].state != M_ALIVE) {
        return 0;
    }
    if (M.subs[j].isolated != pool_isolated(j)) {
        return close_sub(j);
    }
    if (M.subs[j].bind[0] >= 0 || M.subs[j].bind[1] >= 0) {
        if (run_in_sub(j, "channels = None\n", "INTERP-RUN-1 LIFE-CH-4", "pool reset run()") !=
            RS_OK) {
            return -1;
        }
        M.subs[j].bind[0] = M.subs[j].bind[1] = -1;
        ops_model_collect(&M);
    }
    pool_live[j] = 1;
    pool_id[j] = M.subs[j].id;
    return 0;
}

static void
cleanup_checked(void)
{
    cur_op = nprog; /* findings here belong to the clean-up */
    for (int k = 0; k < OPS_SLOTS; k++) {
        drop_slot_end(k, M_RECV);
        drop_slot_end(k, M_SEND);
    }
    ops_model_collect(&M);
    for (int j = 0; j < OPS_SUBS; j++) {
        int r = j < pool_n ? pool_end_sub(j) : M.subs[j].state == M_ALIVE ? close_sub(j) : 0;
        if (r < 0) {
            cleanup_best_effort();
            return;
        }
    }
    ops_model_collect(&M);
    pool_fill();
    /* Exactly main and the pool's subs; no channel. */
    if (op_list_all() != RS_OK || op_list_channels() != RS_OK) {
        cleanup_best_effort();
    }
}

/* ---- start-up ----------------------------------------------------------------------- */

static void
at_exit(void)
{
    threads_stop();
    if (cpython_mode) {
        /* Before the pool's subs close: closing one clears the items it
         * sent, and that is where F3's deadlock can strike too. */
        drain_channels();
    }
    for (int j = 0; j < pool_n; j++) {
        if (pool_live[j]) {
            PyObject *r = PyObject_CallMethod(subh[j], "close", NULL);
            Py_XDECREF(r);
            PyErr_Clear();
        }
        Py_CLEAR(subh[j]);
    }
    if (cpython_mode) {
        allowed_summary(n_inputs, n_stopped);
    }
    for (int i = 0; i < OPS_FIXED_VALUES; i++) {
        Py_CLEAR(values[i]);
    }
    Py_CLEAR(T_Interp);
    Py_CLEAR(T_Recv);
    Py_CLEAR(T_Send);
    Py_CLEAR(E_RunFailed);
    Py_CLEAR(E_ChannelError);
    Py_CLEAR(E_NotFound);
    Py_CLEAR(mod);
}

static PyObject *
attr_or(PyObject *m, const char *name, PyObject *fallback_module)
{
    PyObject *obj = PyObject_GetAttrString(m, name);
    if (obj == NULL && fallback_module != NULL) {
        PyErr_Clear();
        obj = PyObject_GetAttrString(fallback_module, name);
    }
    if (obj == NULL) {
        PyErr_Clear();
    }
    return obj;
}

/* CPython 3.13 and later: the seed API as conformance/adapters/ presents it
 * on that version (cpython313.py, cpython314.py: names mapped onto
 * CPython's own modules, nothing emulated), imported in main and, through
 * sub_prefix, in every sub (whose sys.path does not see main's). */
static PyObject *
import_adapter(void)
{
    static char prefix[1600];
    const char *name = PY_MINOR_VERSION == 13 ? "cpython313" : "cpython314";
    PyObject *dir = PyUnicode_FromString(INTERPCHECK_SOURCE_DIR "/conformance/adapters");
    PyObject *path = PySys_GetObject("path"); /* borrowed */
    PyObject *shown = dir ? PyObject_Repr(dir) : NULL;
    if (path == NULL || shown == NULL || PyList_Insert(path, 0, dir) < 0) {
        fuzz_fatal_python("sys.path.insert(0, the adapters' folder)");
    }
    int n = snprintf(prefix, sizeof prefix,
                     "import sys\nif %s not in sys.path:\n    sys.path.insert(0, %s)\n"
                     "import %s as interpreters\n",
                     PyUnicode_AsUTF8(shown), PyUnicode_AsUTF8(shown), name);
    if (n < 0 || (size_t)n >= sizeof prefix) {
        fprintf(stderr, "ops: the adapters' folder path is too long\n");
        abort();
    }
    Py_DECREF(shown);
    Py_DECREF(dir);
    sub_prefix = prefix;
    return fuzz_import(name);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *impl = getenv("OPS_IMPL");
    cpython_mode = impl != NULL && strcmp(impl, "cpython") == 0;
    max_creates = fuzz_env_long("OPS_MAX_CREATES", 2);
    /* The pool on CPython 3.13+ too; 3.10-3.12 keep it off (not tried there). */
    pool_n = cpython_mode && PY_MINOR_VERSION <= 12 ? 0 : (int)fuzz_env_long("OPS_POOL", OPS_SUBS);
    pool_n = pool_n < 0 ? 0 : pool_n > OPS_SUBS ? OPS_SUBS : pool_n;
    lifecycle_one_in = fuzz_env_long("OPS_LIFECYCLE", 64);
    lifecycle_one_in = lifecycle_one_in < 1 ? 1 : lifecycle_one_in;
    deadline_seconds = (double)fuzz_env_long("OPS_DEADLINE", 10);
    print_programs = fuzz_env_long("OPS_PRINT", 0) != 0;
    emit_configure(getenv("OPS_SCN"), getenv("OPS_SCN_ORIGIN"));

    fuzz_python_init();
    fuzz_python_at_exit(at_exit);
    PyObject *fallback = NULL;
    if (cpython_mode && PY_MINOR_VERSION <= 12) {
        mod = fuzz_import("test.support.interpreters");
        fallback = fuzz_import("_xxsubinterpreters");
        sub_prefix = "import test.support.interpreters as interpreters\n";
        load_allowlist();
    }
    else if (cpython_mode) {
        mod = import_adapter();
        load_allowlist();
    }
    else {
        mod = fuzz_import("interpref");
        sub_prefix = "import interpref as interpreters\n";
    }
    T_Interp = attr_or(mod, "Interpreter", NULL);
    T_Recv = attr_or(mod, "RecvChannel", NULL);
    T_Send = attr_or(mod, "SendChannel", NULL);
    E_RunFailed = attr_or(mod, "RunFailedError", fallback);
    E_ChannelError = attr_or(mod, "ChannelError", fallback);
    E_NotFound = attr_or(mod, "ChannelNotFoundError", fallback);
    Py_XDECREF(fallback);
    if (!T_Interp || !T_Recv || !T_Send || !E_ChannelError || !E_NotFound) {
        fprintf(stderr, "ops: the module lacks basic names\n");
        abort();
    }
    PyObject *ns = fuzz_exec("");
    for (int i = 0; i < OPS_FIXED_VALUES; i++) {
        values[i] = fuzz_eval(ops_values[i].expr, ns);
        if (values[i] == NULL) {
            fuzz_fatal_python(ops_values[i].expr);
        }
    }
    Py_DECREF(ns);
    choose_shareable();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* For a driver that does not call LLVMFuzzerInitialize() first.  This
     * opening, and the end of LLVMFuzzerInitialize() above it, look like
     * shareable.c's: both follow libFuzzer's interface; kept alike on purpose. */
    if (mod == NULL) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    n_inputs++;
    nprog = ops_decode(data, size, prog, OPS_MAX_OPS);
    lifecycle_on = pool_n == 0 || fuzz_fnv1a(data, size) % (uint64_t)lifecycle_one_in == 0;
    ops_model_init(&M);
    emit_reset();
    pool_begin();
    if (cpython_mode) {
        note_stale_channels();
    }
    if (print_programs) {
        cur_op = -1;
        print_program(stderr);
    }
    int stopped = 0;
    for (cur_op = 0; cur_op < nprog; cur_op++) {
        rstatus st = run_op(&prog[cur_op]);
        if (PyErr_Occurred()) {
            PyErr_Print();
            report_and_abort("an op left a Python exception set", "MOD-1");
        }
        if (st == RS_STOP) {
            n_stopped++;
            allowed_note_stop();
            stopped = 1;
            break;
        }
    }
    if (stopped) {
        cleanup_best_effort();
    }
    else {
        write_end_scenario();
        cleanup_checked();
    }
    for (int j = 0; j < OPS_SUBS; j++) {
        if (j >= pool_n || !pool_live[j]) {
            Py_CLEAR(subh[j]);
        }
    }
    if (PyErr_Occurred()) {
        PyErr_Print();
        report_and_abort("the clean-up left a Python exception set", "MOD-1");
    }
    return 0;
}

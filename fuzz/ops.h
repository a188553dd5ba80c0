/*
 * ops.h: what the files of the `ops` harness share (ops.c is the entry
 * point; see it for the harness, fuzz/README.md for the input encoding).
 *
 *   ops_decode.c   the program's text form (OPS_PRINT, findings)
 *   ops_glue.c     the model and the implementation side by side: calling
 *                  the implementation, exception classes, comparing an
 *                  outcome with the model, findings and CPython-mode
 *                  explanations
 *   ops_emit.c     the program as a scenario (OPS_SCN), built as a
 *                  scn_scenario and written through fuzz/common/scn_build.c
 *   ops_helper.c   the helper thread and the watchdog of blocking ops
 *   ops_interp.c   the interpreter ops (create, close, run, bind,
 *                  is_running, get_current, list_all)
 *   ops_chan.c     the channel ops (create_channel, ends, send_nowait,
 *                  recv_nowait in main and in subs, is_shareable,
 *                  list_all_channels)
 *   ops_block.c    blocking recv() and send()
 *   ops_misc.c     argument validation and handle identity (OP_MISC)
 *   ops_lowlevel.c OP_MISC on CPython 3.13+: calls into the low-level modules
 *
 * Each op asks the model what must happen (a plan), emits the scenario
 * steps for it, calls the implementation, compares, then applies the
 * effects to the model: separate functions for each part.
 *
 * Global state (defined in ops.c and the files named): the configuration,
 * the module under test, the per-input model and objects.
 */
#ifndef INTERPCHECK_FUZZ_OPS_H
#define INTERPCHECK_FUZZ_OPS_H

#include "fuzz_python.h"

#include <stdint.h>
#include <stdio.h>

#include "ops_model.h"
#include "scenario.h"

/* ---- configuration (ops.c) ---- */
extern int cpython_mode;
extern long max_creates;
extern double deadline_seconds;
/* The pool (ops.c): slots 0..pool_n-1 hold subs created once and kept across
 * inputs (0: no pool, CPython mode); pool sub j is isolated iff j is even. */
extern int pool_n;
/* The lifecycle gate (ops.c): with the pool, create and the close of a live
 * sub act only when lifecycle_on, one input in lifecycle_one_in by hash. */
extern long lifecycle_one_in;
extern int lifecycle_on;

/* ---- the implementation under test (ops.c) ---- */
extern PyObject *mod;
extern PyObject *T_Interp, *T_Recv, *T_Send;
extern PyObject *E_RunFailed, *E_ChannelError, *E_NotFound;
extern PyObject *values[OPS_FIXED_VALUES];
extern const char *sub_prefix;
extern int64_t last_interp_id, last_channel_id;

/* ---- per-input state (ops.c) ---- */
extern ops_model M;
extern PyObject *subh[OPS_SUBS];     /* handles from create(), kept after close */
extern int sub_ord[OPS_SUBS];        /* which create of the scenario made the slot */
extern PyObject *ends[OPS_SLOTS][2]; /* main's end objects */
extern ops_op prog[OPS_MAX_OPS];
extern int nprog, cur_op;

/* ---- exception classes and outcomes (ops_glue.c) ---- */
typedef enum {
    X_NONE,
    X_RUNTIME, /* RuntimeError, neither RunFailedError nor ChannelError (EXC-8) */
    X_RUNFAILED,
    X_NOTFOUND,
    X_VALUE,    /* ValueError, not a ChannelError (SHARE-5) */
    X_TYPE,     /* TypeError (argument validation, ARG-*) */
    X_OVERFLOW, /* OverflowError (an allowed outcome of INTERP-OBJ-5) */
    X_REFUSED,  /* any exception but RunFailedError and ChannelError (INTERP-RUNNING-8 b) */
} xclass;

extern const char *const xnames[];

/* RS_OK: go on; RS_SKIP: skip the op's effects; RS_STOP: stop the input. */
typedef enum { RS_OK, RS_SKIP, RS_STOP } rstatus;

typedef struct {
    PyObject *obj; /* result, or NULL */
    PyObject *exc; /* the exception raised, or NULL */
} outcome;

int isinst(PyObject *obj, PyObject *cls);
int exc_matches(PyObject *exc, xclass want);
outcome capture(PyObject *result);
void outcome_clear(outcome *o);
void describe_outcome(const outcome *o, char *buf, size_t size);
rstatus check_exc(outcome *o, xclass want, xclass alt, const char *clauses, const char *what);
/* check_exc() of a captured result, cleared after. */
rstatus check_call(PyObject *result, xclass want, xclass alt, const char *clauses,
                   const char *what);
rstatus diverge(const char *clauses, int impl_raised, int model_raised, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* diverge() with "WHAT <outcome>SUFFIX" as the message. */
rstatus diverge_outcome(const char *clauses, int impl_raised, int model_raised, const char *what,
                        const outcome *o, const char *suffix);
void report_and_abort(const char *message, const char *clauses) __attribute__((noreturn));
const char *cur_op_name(void);

int get_id(PyObject *obj, int64_t *id);
PyObject *call0(const char *name);
PyObject *main_handle(void);
PyObject *run_code(PyObject *handle, const char *code, PyObject *channels);
PyObject *value_object(int v);
void value_expr(int v, char *buf, size_t size);
ops_item item_for(int v);
const char *item_clauses(ops_item item);
int item_equals(ops_item item, PyObject *got);
/* Queue fixed value or end v in channel record rec, in the model. */
void queue_value(int rec, int v);
const char *gone_clauses(int rec);
const char *alive_clauses(int rec);
int target_of(uint8_t a);
int cmp_i64(const void *a, const void *b); /* for qsort() of int64_t */
int pick_value(uint8_t byte, PyObject **obj);
/* SHARE-2 is IMPL: whether the implementation shares each fixed value SHARE-1
 * does not name (True, 1.5, (), ...) is asked once (choose_shareable()) and
 * then held to; SHARE-4 makes every send agree with it.  Ends: always. */
void choose_shareable(void);
int value_shareable(int v);
/* A send from main's slot (slot_byte) of a value (value_byte): the value's
 * index, its object in *obj and the slot in *k; -1 when the slot holds no
 * SendChannel or the value names an end main lacks. */
int pick_send(uint8_t slot_byte, uint8_t value_byte, int *k, PyObject **obj);

/* CPython mode: the expectation file's clauses and counters. */
void load_allowlist(void);
int allowed_index(const char *clause);
void allowed_hit(const char *clause);
void allowed_note_stop(void);
void allowed_summary(unsigned long n_inputs, unsigned long n_stopped);
extern unsigned long n_skipped_ops;

/* ---- the program as text (ops_decode.c) ---- */
void print_program(FILE *f);

/* ---- scenario emission (ops_emit.c): no-ops unless OPS_SCN is set ---- */
void emit_configure(const char *path, const char *origin);
int emit_enabled(void);
void emit_reset(void);
/* The steps emitted so far are set-up: no later check is charged to them. */
void emit_mark_setup(void);
void emit_features(unsigned bits); /* SCN_FEATURE_* */
int emit_thread_number(void);
void emit_do(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void emit_raises(xclass x, const char *call);
void emit_raises_either(xclass want, xclass alt, const char *call);
void emit_expect(const char *outcome, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `expect EXPR` => sorted([NAMES]) (NAMES may be NULL: empty). */
void emit_expect_sorted(const char *expr, const char *names);
/* Another allowed outcome of the last `expect`. */
void emit_also(const char *outcome);
void emit_run(int sub, const char *channels, xclass raises, const char *match, const char *code);
void emit_thread(int t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void emit_blocked(int t);
void emit_join(int t);
void emit_item_check(const char *name, ops_item item);
/* A check of `clauses` was made: charge the steps emitted since the last. */
void note_clauses(const char *clauses);
/* Write the scenario (at a finding, or at the end of an input). */
void write_scenario(const char *description, const char *clauses, int finding);
void write_end_scenario(void);

/* ---- helper thread and watchdog (ops_helper.c) ---- */
enum { J_SEND, J_SEND_NOWAIT, J_RECV_N };

typedef struct {
    int kind;
    int64_t chan_id;
    PyObject *value; /* borrowed */
    int n;           /* J_RECV_N: how many recv() */
    PyObject **drop; /* a slot to clear first, or NULL */
    PyObject *results[OPS_QUEUE_MAX + 1];
    int nres;
    PyObject *ret;
    PyObject *exc;
} job;

void threads_start(void);
void threads_stop(void);
/* Run `call` (a new reference or NULL) while the helper does `j`, under
 * the watchdog: helper_submit, call, helper_wait.  `call` is made by
 * `fn(arg)`. */
outcome helper_run(job *j, const char *what, PyObject *(*fn)(void *), void *arg);
void job_clear(job *j);

/* ---- the ops: interpreters (ops_interp.c) ---- */
/* One declaration an op, all of one shape (the switch in ops.c calls them
 * alike): this list and the channels' below look repeated, and are kept so
 * on purpose. */
rstatus op_create(const ops_op *op);
/* create(isolated=...) into sub slot j, named iid<ord> in the scenario: emitted and checked. */
rstatus create_sub(int j, int isolated, int ord);
rstatus op_close(const ops_op *op);
rstatus op_run(const ops_op *op);
rstatus op_bind(const ops_op *op);
/* Queries. */
rstatus op_is_running(const ops_op *op);
rstatus op_get_current(void);
rstatus op_list_all(void);
/* Run `code` in sub j (clean-up, sub sends and receives): emitted and checked.
 * An assertion of the code whose message starts with "value differs: "
 * (VALUE_DIFFERS) says the call it checks succeeded and returned another
 * value: a difference of value, whose effects happened, not of shape. */
rstatus run_in_sub(int j, const char *code, const char *clauses, const char *what);
#define VALUE_DIFFERS "'value differs: ' + ascii(_v)[:200]"

/* ---- channels (ops_chan.c), blocking calls (ops_block.c), OP_MISC (ops_misc.c) ---- */
rstatus op_chan_create(const ops_op *op);
rstatus op_drop(const ops_op *op);
rstatus op_rebuild(const ops_op *op);
/* Non-blocking transfers, in main and in a sub. */
rstatus op_send_nowait(const ops_op *op);
rstatus op_recv_nowait(const ops_op *op);
rstatus op_sub_send(const ops_op *op);
rstatus op_sub_recv(const ops_op *op);
/* Queries. */
rstatus op_is_shareable(const ops_op *op);
rstatus op_list_channels(void);
/* CPython mode, start of an input: the channels left by earlier ones, which
 * list_all_channels() checks then leave out. */
void note_stale_channels(void);
/* CPython mode, at exit: receive everything still queued (findings F3). */
void drain_channels(void);
/* Drop main's end d of slot k (emitted as `del`); the caller collects. */
void drop_slot_end(int k, int d);
rstatus op_block_recv(const ops_op *op);
rstatus op_block_send(const ops_op *op);
rstatus op_misc(const ops_op *op);
/* ops_lowlevel.c: CPython 3.13+ only, a low-level module call (call `pick`,
 * arguments `shape`) that must not crash or raise SystemError. */
rstatus op_lowlevel(uint8_t pick, uint8_t shape);

#endif /* INTERPCHECK_FUZZ_OPS_H */

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
 * outcomes are printed and the harness aborts.  Every input starts from and
 * returns to the same state: at its end all end objects are dropped, all
 * subs closed, and the harness checks that list_all() is [main] and
 * list_all_channels() is empty.
 *
 * Environment (read once):
 *   OPS_IMPL=cpython      run on CPython's own test.support.interpreters
 *                         (3.11) instead of interpref; differences whose SPEC
 *                         clause appears in conformance/expectations/
 *                         cpython-3.11.txt (OPS_EXPECTATIONS=path) are
 *                         counted as explained, others are findings.  Ops
 *                         that would hang or sleep on 3.11 are skipped.
 *   OPS_MAX_CREATES=N     interpreters created per input (default 2: each
 *                         costs ~10 ms).
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
 * Global state: the configuration, the module under test and its classes,
 * the value objects, the per-input model and objects, the helper and
 * watchdog, the scenario buffer.
 */
#include "fuzz_python.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops_model.h"

#ifndef INTERPCHECK_SOURCE_DIR
#define INTERPCHECK_SOURCE_DIR "."
#endif

/* ---- configuration ------------------------------------------------------- */

static int cpython_mode;
static long max_creates = 2;
static double deadline_seconds = 10.0;
static int print_programs;
static const char *scn_path;
static const char *scn_origin;

/* ---- the implementation under test -------------------------------------- */

static PyObject *mod;
static PyObject *T_Interp, *T_Recv, *T_Send;
static PyObject *E_RunFailed, *E_ChannelError, *E_NotFound;
static PyObject *values[OPS_FIXED_VALUES];
static const char *sub_prefix;
static int64_t last_interp_id, last_channel_id = -1;

typedef enum {
    X_NONE,
    X_RUNTIME, /* RuntimeError, neither RunFailedError nor ChannelError (EXC-8) */
    X_RUNFAILED,
    X_NOTFOUND,
    X_VALUE,    /* ValueError, not a ChannelError (SHARE-5) */
    X_TYPE,     /* TypeError (argument validation, ARG-*) */
    X_OVERFLOW, /* OverflowError (an allowed outcome of INTERP-OBJ-5) */
} xclass;

static const char *const xnames[] = {
    [X_NONE] = "(no exception)",
    [X_RUNTIME] = "RuntimeError",
    [X_RUNFAILED] = "interpreters.RunFailedError",
    [X_NOTFOUND] = "interpreters.ChannelNotFoundError",
    [X_VALUE] = "ValueError",
    [X_TYPE] = "TypeError",
    [X_OVERFLOW] = "OverflowError",
};

static int
isinst(PyObject *obj, PyObject *cls)
{
    if (obj == NULL || cls == NULL) {
        return 0;
    }
    int r = PyObject_IsInstance(obj, cls);
    if (r < 0) {
        PyErr_Clear();
        return 0;
    }
    return r;
}

static int
exc_matches(PyObject *exc, xclass want)
{
    switch (want) {
    case X_NONE:
        return exc == NULL;
    case X_RUNTIME:
        return isinst(exc, PyExc_RuntimeError) && !isinst(exc, E_RunFailed) &&
               !isinst(exc, E_ChannelError);
    case X_RUNFAILED:
        return isinst(exc, E_RunFailed);
    case X_NOTFOUND:
        return isinst(exc, E_NotFound);
    case X_VALUE:
        return isinst(exc, PyExc_ValueError) && !isinst(exc, E_ChannelError);
    case X_TYPE:
        return isinst(exc, PyExc_TypeError);
    case X_OVERFLOW:
        return isinst(exc, PyExc_OverflowError);
    }
    return 0;
}

/* ---- per-input state ----------------------------------------------------- */

static ops_model M;
static PyObject *subh[OPS_SUBS];     /* handles from create(), kept after close */
static int sub_ord[OPS_SUBS];        /* which create of this input made the slot */
static PyObject *ends[OPS_SLOTS][2]; /* main's end objects */
static ops_op prog[OPS_MAX_OPS];
static int nprog, cur_op;
static unsigned long n_inputs;

/* ---- a growable text buffer ------------------------------------------------ */

typedef struct {
    char *data;
    size_t len, cap;
} sbuf;

static void
sb_vadd(sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)n + 1) {
            cap *= 2;
        }
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            fprintf(stderr, "ops: out of memory\n");
            abort();
        }
        b->data = grown;
        b->cap = cap;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

static void
sb_reset(sbuf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

/* Append `code` with every line indented by four spaces. */
static void
sb_body(sbuf *b, const char *code)
{
    const char *p = code;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0) {
            sb_add(b, "    %.*s\n", (int)len, p);
        }
        else {
            sb_add(b, "\n");
        }
        p += len + (nl != NULL);
    }
}

/* ---- scenario emission ------------------------------------------------------ */

static sbuf scn;              /* the steps so far */
static sbuf scn_clauses;      /* clauses checked, space separated, deduplicated */
static unsigned scn_features; /* 1 threads, 2 subinterpreter, 8 channels */
static int thread_counter;

/*
 * The steps in `scn`, for their `@CLAUSE-ID` (FORMAT.md 5.6).  A failing
 * step is charged to the clause it checks, so each check the harness makes
 * gives the step(s) it emitted for that op the first clause it names; the
 * ids are inserted when the scenario is written, once its header (exactly
 * the clauses some step checks) is known.
 */
typedef struct {
    size_t at;       /* offset in scn.data just past the step keyword */
    int checking;    /* expect, blocked, join, do/run ... raises: a check without an id */
    int thread;      /* `thread T` takes no id */
    char clause[48]; /* the clause it checks, or "" */
} emitted_step;
#define SCN_MAX_STEPS 4096
static emitted_step scn_steps[SCN_MAX_STEPS];
static size_t scn_n_steps; /* steps recorded (the rest, past the cap, get no id) */
static size_t scn_noted;   /* steps emitted before the last check */

/* Record the step keyword lines of scn.data[from..]. */
static void
record_steps(size_t from)
{
    for (size_t i = from; i < scn.len; i++) {
        if ((i == from || scn.data[i - 1] == '\n') && scn.data[i] != ' ' && scn.data[i] != '\n' &&
            scn_n_steps < SCN_MAX_STEPS) {
            size_t eol = i;
            while (eol < scn.len && scn.data[eol] != '\n') {
                eol++;
            }
            size_t kw = i;
            while (kw < eol && scn.data[kw] != ' ') {
                kw++;
            }
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(eol - i), scn.data + i);
            emitted_step *st = &scn_steps[scn_n_steps++];
            memset(st, 0, sizeof *st);
            st->at = kw;
            st->thread = strncmp(line, "thread ", 7) == 0;
            st->checking = strncmp(line, "expect ", 7) == 0 || strncmp(line, "blocked ", 8) == 0 ||
                           strncmp(line, "join ", 5) == 0 ||
                           ((strncmp(line, "do ", 3) == 0 || strncmp(line, "run ", 4) == 0) &&
                            strstr(line, " raises ") != NULL);
        }
    }
}

/*
 * A check of `clauses` (the first is the one a failure is about): the
 * steps emitted since the last check are what it checks.  The checking
 * ones among them get the clause; when there is none (a plain `do` whose
 * call must succeed), the last one does, which makes it a check.  Set-up
 * steps around it stay set-up.
 */
static void
assign_clause(const char *clauses)
{
    char first[48];
    if (sscanf(clauses, "%47s", first) != 1) {
        return;
    }
    int any = 0;
    for (size_t i = scn_noted; i < scn_n_steps; i++) {
        if (scn_steps[i].checking && scn_steps[i].clause[0] == '\0') {
            snprintf(scn_steps[i].clause, sizeof scn_steps[i].clause, "%s", first);
            any = 1;
        }
    }
    for (size_t i = scn_n_steps; !any && i > scn_noted; i--) {
        if (!scn_steps[i - 1].thread && scn_steps[i - 1].clause[0] == '\0') {
            snprintf(scn_steps[i - 1].clause, sizeof scn_steps[i - 1].clause, "%s", first);
            any = 1;
        }
    }
    scn_noted = scn_n_steps;
}

static void
note_clauses(const char *clauses)
{
    assign_clause(clauses);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", clauses);
    for (char *tok = strtok(copy, " "); tok != NULL; tok = strtok(NULL, " ")) {
        char needle[64];
        snprintf(needle, sizeof needle, " %s ", tok);
        char padded[2048];
        snprintf(padded, sizeof padded, " %s ", scn_clauses.data ? scn_clauses.data : "");
        if (strstr(padded, needle) == NULL && scn_clauses.len < 1500) {
            sb_add(&scn_clauses, "%s%s", scn_clauses.len ? " " : "", tok);
        }
    }
}

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
emit(const char *fmt, ...)
{
    if (scn_path == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (scn.len > 0) {
        sb_add(&scn, "\n");
    }
    size_t from = scn.len;
    sb_vadd(&scn, fmt, ap);
    va_end(ap);
    record_steps(from);
}

static void
emit_code(const char *keyword_line, const char *code)
{
    if (scn_path == NULL) {
        return;
    }
    if (scn.len > 0) {
        sb_add(&scn, "\n");
    }
    size_t from = scn.len;
    sb_add(&scn, "%s\n", keyword_line);
    sb_body(&scn, code);
    record_steps(from);
}

/* The expected-exception form of a step for `call` (a Python statement). */
static void
emit_raises(xclass x, const char *call)
{
    emit("do raises %s\n    %s\n", xnames[x], call);
}

/* `call` must raise `want` or, when `alt` is not X_NONE, `alt` (SPEC ARG-8:
 * a call to which two error conditions apply may raise either). */
static void
emit_raises_either(xclass want, xclass alt, const char *call)
{
    if (alt == X_NONE || alt == want) {
        emit_raises(want, call);
        return;
    }
    emit("do\n"
         "    try:\n"
         "        %s\n"
         "    except (%s, %s):\n"
         "        pass\n"
         "    else:\n"
         "        raise AssertionError('no %s or %s')\n",
         call, xnames[want], xnames[alt], xnames[want], xnames[alt]);
}

/*
 * Write the scenario.  For a finding, `clauses` are the finding's: its
 * first is the header's first (the default clause), and the step that
 * failed, the last check emitted, is charged to it.  At the end of an input
 * (finding 0) the first clause a step checks is the default.  The header
 * lists exactly the clauses the steps check (FORMAT.md rejects one that no
 * step checks), and a step gets `@ID` unless it checks the default clause
 * by its kind alone.
 */
static void
write_scenario(const char *description, const char *clauses, int finding)
{
    if (scn_path == NULL || scn.len == 0) {
        return;
    }
    FILE *f = fopen(scn_path, "w");
    if (f == NULL) {
        fprintf(stderr, "ops: cannot write %s: %s\n", scn_path, strerror(errno));
        return;
    }
    char dflt[48] = "";
    if (finding && sscanf(clauses, "%47s", dflt) == 1) {
        size_t i = 0, last = scn_n_steps;
        while (i < scn_n_steps && strcmp(scn_steps[i].clause, dflt) != 0) {
            if (scn_steps[i].checking || scn_steps[i].clause[0] != '\0') {
                last = i;
            }
            i++;
        }
        for (size_t k = scn_n_steps; i == scn_n_steps && last == scn_n_steps && k > 0; k--) {
            if (!scn_steps[k - 1].thread) {
                last = k - 1;
            }
        }
        if (i == scn_n_steps && last < scn_n_steps) {
            snprintf(scn_steps[last].clause, sizeof scn_steps[last].clause, "%s", dflt);
        }
    }
    int any_checking = 0;
    for (size_t i = 0; i < scn_n_steps; i++) {
        if (dflt[0] == '\0' && scn_steps[i].clause[0] != '\0') {
            snprintf(dflt, sizeof dflt, "%s", scn_steps[i].clause);
        }
        any_checking |= scn_steps[i].checking || scn_steps[i].clause[0] != '\0';
    }
    if (dflt[0] == '\0') {
        /* Nothing was checked: a scenario needs one clause, checked. */
        snprintf(dflt, sizeof dflt, "MOD-1");
        for (size_t k = scn_n_steps; !any_checking && k > 0; k--) {
            if (!scn_steps[k - 1].thread) {
                snprintf(scn_steps[k - 1].clause, sizeof scn_steps[k - 1].clause, "MOD-1");
                any_checking = 1;
            }
        }
    }
    /* Header: the default clause, then the others in step order, once each. */
    char list[4000];
    snprintf(list, sizeof list, "%s", dflt);
    for (size_t i = 0; i < scn_n_steps; i++) {
        char padded[4100], needle[64];
        snprintf(padded, sizeof padded, " %s ", list);
        snprintf(needle, sizeof needle, " %s ", scn_steps[i].clause);
        if (scn_steps[i].clause[0] != '\0' && strstr(padded, needle) == NULL) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, " %s", scn_steps[i].clause);
        }
    }
    fprintf(f, "description: %s\n", description);
    fprintf(f, "clauses: %s\n", list);
    fprintf(f, "level: MUST\n");
    const char *names[] = {"threads", "subinterpreter", "isolated", "channels"};
    int first = 1;
    for (int i = 0; i < 4; i++) {
        if (scn_features & (1u << i)) {
            fprintf(f, "%s%s", first ? "features: " : " ", names[i]);
            first = 0;
        }
    }
    if (!first) {
        fprintf(f, "\n");
    }
    if (scn_origin != NULL) {
        fprintf(f, "origin: %s\n", scn_origin);
    }
    fputc('\n', f);
    size_t done = 0;
    for (size_t i = 0; i < scn_n_steps; i++) {
        const emitted_step *st = &scn_steps[i];
        /* A plain do/run needs its id even for the default clause: without
         * one it would be a set-up step. */
        if (st->clause[0] != '\0' && (!st->checking || strcmp(st->clause, dflt) != 0)) {
            fprintf(f, "%.*s @%s", (int)(st->at - done), scn.data + done, st->clause);
            done = st->at;
        }
    }
    fputs(scn.data + done, f);
    fclose(f);
    fprintf(stderr, "ops: scenario written to %s\n", scn_path);
}

/* ---- printing programs ------------------------------------------------------ */

static void
print_op(FILE *f, int i)
{
    const ops_op *op = &prog[i];
    fprintf(f, "  %2d %-18s", i, ops_name(op->kind));
    int arity = ops_arity(op->kind);
    uint8_t args[3] = {op->a, op->b, op->c};
    for (int k = 0; k < arity; k++) {
        fprintf(f, " %3u", args[k]);
    }
    switch (op->kind) {
    case OP_SEND_NOWAIT:
    case OP_SUB_SEND:
    case OP_IS_SHAREABLE: {
        int v = ops_value_index(op->kind == OP_IS_SHAREABLE ? op->a : op->b);
        if (ops_value_is_end(v)) {
            fprintf(f, "   (%s%d)", ops_value_end_dir(v) ? "s" : "r", ops_value_end_slot(v));
        }
        else {
            fprintf(f, "   (%s)", ops_values[v].expr);
        }
        break;
    }
    default:
        break;
    }
    fprintf(f, "%s\n", i == cur_op ? "   <== here" : "");
}

static void
print_program(FILE *f)
{
    fprintf(f, "ops program (%d ops, impl %s):\n", nprog, cpython_mode ? "cpython" : "interpref");
    for (int i = 0; i < nprog; i++) {
        print_op(f, i);
    }
}

/* ---- findings and divergences -------------------------------------------------- */

static const char *
cur_op_name(void)
{
    return cur_op >= 0 && cur_op < nprog ? ops_name(prog[cur_op].kind) : "clean-up";
}

static void report_and_abort(const char *message, const char *clauses) __attribute__((noreturn));

static void
report_and_abort(const char *message, const char *clauses)
{
    fprintf(stderr, "\n==== interpcheck fuzz finding (ops, %s) ====\n",
            cpython_mode ? "cpython" : "interpref");
    fprintf(stderr, "SPEC clauses: %s\n%s\n", clauses, message);
    print_program(stderr);
    char description[400];
    snprintf(description, sizeof description, "ops fuzzer finding: %.300s", message);
    for (char *p = description; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            *p = ' ';
        }
    }
    write_scenario(description, clauses, 1);
    fflush(stderr);
    abort();
}

/* CPython mode: clauses listed in the expectation file, and counters. */
#define MAX_ALLOWED 256
static char *allowed[MAX_ALLOWED];
static unsigned long allowed_hits[MAX_ALLOWED];
static unsigned long allowed_stops[MAX_ALLOWED];
static int last_explained; /* index of the clause that explained the last difference */
static int n_allowed;
static unsigned long n_stopped, n_skipped_ops;

static int
allowed_index(const char *clause)
{
    for (int i = 0; i < n_allowed; i++) {
        if (strcmp(allowed[i], clause) == 0) {
            return i;
        }
    }
    return -1;
}

typedef enum { RS_OK, RS_SKIP, RS_STOP } rstatus;

/*
 * The implementation disagrees with the model.  interpref: a finding.
 * CPython mode: explained if one of `clauses` is in the expectation file;
 * then go on as the outcome allows (RS_SKIP: it raised where the model
 * expected success, so nothing happened: skip the op's effects; RS_STOP: it
 * succeeded where the model expected an exception, so the states differ:
 * stop this input; RS_OK: same shape, different value).
 */
static rstatus diverge(const char *clauses, int impl_raised, int model_raised, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static rstatus
diverge(const char *clauses, int impl_raised, int model_raised, const char *fmt, ...)
{
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(message, sizeof message, "op %d %s: ", cur_op, cur_op_name());
    vsnprintf(message + n, sizeof message - (size_t)n, fmt, ap);
    va_end(ap);
    if (cpython_mode) {
        char copy[256];
        snprintf(copy, sizeof copy, "%s", clauses);
        for (char *tok = strtok(copy, " "); tok != NULL; tok = strtok(NULL, " ")) {
            int i = allowed_index(tok);
            if (i >= 0) {
                allowed_hits[i]++;
                last_explained = i;
                if (!impl_raised && model_raised) {
                    return RS_STOP;
                }
                return impl_raised ? RS_SKIP : RS_OK;
            }
        }
        char full[2300];
        snprintf(full, sizeof full,
                 "%s\n(CPython differs from SPEC here and no clause of [%s] is listed in "
                 "cpython-3.11.txt)",
                 message, clauses);
        report_and_abort(full, clauses);
    }
    report_and_abort(message, clauses);
}

/* ---- calling the implementation ---------------------------------------------- */

typedef struct {
    PyObject *obj; /* result, or NULL */
    PyObject *exc; /* the exception raised, or NULL */
} outcome;

static outcome
capture(PyObject *result)
{
    outcome o = {result, NULL};
    if (result == NULL) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (value == NULL) {
            value = Py_NewRef(Py_None);
        }
        Py_XDECREF(type);
        Py_XDECREF(tb);
        o.exc = value;
    }
    else if (PyErr_Occurred()) {
        PyErr_Print();
        report_and_abort("a call returned a value with an exception set", "MOD-1");
    }
    return o;
}

static void
outcome_clear(outcome *o)
{
    Py_CLEAR(o->obj);
    Py_CLEAR(o->exc);
}

static void
describe_outcome(const outcome *o, char *buf, size_t size)
{
    if (o->exc != NULL) {
        char d[600];
        PyObject *str = PyObject_Str(o->exc);
        PyObject *bytes = str ? PyUnicode_AsEncodedString(str, "utf-8", "backslashreplace") : NULL;
        snprintf(d, sizeof d, "%s", bytes ? PyBytes_AS_STRING(bytes) : "?");
        Py_XDECREF(bytes);
        Py_XDECREF(str);
        PyErr_Clear();
        snprintf(buf, size, "raised %s(%.400s)", Py_TYPE(o->exc)->tp_name, d);
    }
    else {
        char d[600];
        fuzz_describe(o->obj, d, sizeof d);
        snprintf(buf, size, "returned %.500s", d);
    }
}

/* Compare the exception part of an outcome with the model. */
static rstatus
check_exc(outcome *o, xclass want, xclass alt, const char *clauses, const char *what)
{
    note_clauses(clauses);
    char got[800];
    if (want == X_NONE) {
        if (o->exc == NULL) {
            return RS_OK;
        }
        describe_outcome(o, got, sizeof got);
        return diverge(clauses, 1, 0, "%s %s, expected success", what, got);
    }
    if (o->exc == NULL) {
        describe_outcome(o, got, sizeof got);
        return diverge(clauses, 0, 1, "%s %s, expected %s", what, got, xnames[want]);
    }
    if (exc_matches(o->exc, want) || (alt != X_NONE && exc_matches(o->exc, alt))) {
        return RS_OK;
    }
    describe_outcome(o, got, sizeof got);
    return diverge(clauses, 1, 1, "%s %s, expected %s%s%s", what, got, xnames[want],
                   alt != X_NONE ? " or " : "", alt != X_NONE ? xnames[alt] : "");
}

/* An int id attribute (int or int-like, SPEC INTERP-OBJ-7 / CH-END-7). */
static int
get_id(PyObject *obj, int64_t *id)
{
    PyObject *attr = PyObject_GetAttrString(obj, "id");
    PyObject *index = attr ? PyNumber_Index(attr) : NULL;
    long long value = index ? PyLong_AsLongLong(index) : -1;
    Py_XDECREF(index);
    Py_XDECREF(attr);
    if (value == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    *id = value;
    return 0;
}

static PyObject *
call0(const char *name)
{
    return PyObject_CallMethod(mod, name, NULL);
}

static PyObject *
main_handle(void)
{
    PyObject *h = call0("get_main");
    if (h == NULL) {
        fuzz_fatal_python("get_main()");
    }
    return h;
}

static PyObject *
run_code(PyObject *handle, const char *code, PyObject *channels)
{
    PyObject *src = PyUnicode_FromFormat("%s%s", sub_prefix, code);
    PyObject *run = src ? PyObject_GetAttrString(handle, "run") : NULL;
    PyObject *args = run ? PyTuple_Pack(1, src) : NULL;
    PyObject *kwargs = NULL;
    if (args != NULL && channels != NULL) {
        kwargs = Py_BuildValue("{sO}", "channels", channels);
    }
    PyObject *result = (args && (channels == NULL || kwargs)) ? PyObject_Call(run, args, kwargs)
                                                              : NULL;
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(run);
    Py_XDECREF(src);
    return result;
}

/* The object for a value index, or NULL when it names an end main lacks. */
static PyObject *
value_object(int v)
{
    if (!ops_value_is_end(v)) {
        return values[v];
    }
    return ends[ops_value_end_slot(v)][ops_value_end_dir(v)];
}

/* Python source for value v (in main's scenario namespace). */
static void
value_expr(int v, char *buf, size_t size)
{
    if (!ops_value_is_end(v)) {
        snprintf(buf, size, "%s", ops_values[v].expr);
    }
    else {
        snprintf(buf, size, "%s%d", ops_value_end_dir(v) ? "s" : "r", ops_value_end_slot(v));
    }
}

static ops_item
item_for(int v)
{
    ops_item item = {v, -1, 0};
    if (ops_value_is_end(v)) {
        item.value = -1;
        item.end_rec = M.slots[ops_value_end_slot(v)].rec;
        item.end_dir = ops_value_end_dir(v);
    }
    return item;
}

/* SPEC clauses for receiving `item`. */
static const char *
item_clauses(ops_item item)
{
    if (item.value < 0) {
        return "SHARE-6 SHARE-11";
    }
    const char *e = ops_values[item.value].expr;
    if (item.value == 0) {
        return "SHARE-6 SHARE-10";
    }
    if (e[0] == 'b') {
        return "SHARE-6 SHARE-9";
    }
    if (e[0] == '\'') {
        return "SHARE-6 SHARE-8";
    }
    return "SHARE-6 SHARE-7";
}

/* Does `got` equal the queued item exactly (type and value; SHARE-6)? */
static int
item_equals(ops_item item, PyObject *got)
{
    if (item.value < 0) {
        PyObject *type = item.end_dir == M_RECV ? T_Recv : T_Send;
        int64_t id;
        return (PyObject *)Py_TYPE(got) == type && get_id(got, &id) == 0 &&
               id == M.chans[item.end_rec].id;
    }
    PyObject *want = values[item.value];
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

/* Scenario check that `name` (a variable) holds the queued item. */
static void
emit_item_check(const char *name, ops_item item)
{
    if (item.value < 0) {
        /* The received end is dropped at once, as the harness does: it must
         * not keep its channel alive for later steps. */
        emit("expect type(%s) is interpreters.%s and %s.id == cid%d\n    => True\n", name,
             item.end_dir == M_RECV ? "RecvChannel" : "SendChannel", name, item.end_rec);
        if (strchr(name, '[') == NULL) {
            emit("do\n    del %s\n", name);
        }
    }
    else {
        emit("expect %s\n    => %s\n", name, ops_values[item.value].expr);
    }
}

/*
 * Clauses to attribute a lifetime difference to.  gone_clauses: the model
 * says the channel is destroyed (so the implementation kept it: LIFE-CH-2).
 * alive_clauses: the model says it exists (so the implementation lost it:
 * LIFE-CH-1, and LIFE-CH-3 / LIFE-CH-4 when only a rebuilt end or an end in a
 * sub keeps it).  Returns a static buffer.
 */
static const char *
gone_clauses(int rec)
{
    (void)rec;
    return "LIFE-CH-2";
}

static const char *
alive_clauses(int rec)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "LIFE-CH-1%s%s",
             rec >= 0 && ops_model_rebuilt_matters(&M, rec) ? " LIFE-CH-3" : "",
             rec >= 0 && ops_model_sub_holds(&M, rec) ? " LIFE-CH-4" : "");
    return buf;
}

/* ---- helper thread and watchdog ------------------------------------------------ */

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

static struct {
    pid_t pid;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *pending;
    int busy;
    int quit;
} H = {.pid = 0, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static struct {
    pid_t pid;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int armed;
    int quit;
    struct timespec deadline;
    char what[200];
} W = {.pid = 0, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void
run_job(job *j)
{
    PyObject *id = PyLong_FromLongLong(j->chan_id);
    PyObject *result = NULL;
    if (j->drop != NULL) {
        /* The last end of the other side goes first: the blocked call keeps
         * waiting (CH-RECV-6, CH-SEND-7) for the half below, done through
         * an end built from the id. */
        Py_CLEAR(*j->drop);
    }
    switch (j->kind) {
    case J_SEND:
    case J_SEND_NOWAIT: {
        PyObject *end = id ? PyObject_CallOneArg(T_Send, id) : NULL;
        result = end ? fuzz_call1(end, j->kind == J_SEND ? "send" : "send_nowait", j->value) : NULL;
        Py_XDECREF(end);
        break;
    }
    case J_RECV_N: {
        PyObject *end = id ? PyObject_CallOneArg(T_Recv, id) : NULL;
        result = end;
        for (int i = 0; end != NULL && i < j->n; i++) {
            PyObject *got = PyObject_CallMethod(end, "recv", NULL);
            if (got == NULL) {
                result = NULL;
                break;
            }
            j->results[j->nres++] = got;
        }
        if (result != NULL) {
            result = Py_NewRef(Py_None);
        }
        Py_XDECREF(end);
        break;
    }
    }
    Py_XDECREF(id);
    outcome o = capture(result);
    j->ret = o.obj;
    j->exc = o.exc;
}

static void *
helper_main(void *unused)
{
    (void)unused;
    PyThreadState *ts = PyThreadState_New(PyInterpreterState_Main());
    pthread_mutex_lock(&H.mu);
    for (;;) {
        while (H.pending == NULL && !H.quit) {
            pthread_cond_wait(&H.cv, &H.mu);
        }
        if (H.quit) {
            break;
        }
        job *j = H.pending;
        pthread_mutex_unlock(&H.mu);
        /* No delay: main holds the GIL from helper_submit() until its call
         * releases it, and interpref's recv()/send() release it only once
         * they wait, registered as a waiter.  So the job runs while main is
         * blocked (measured: 1000 of 1000 send_nowait() helpers found the
         * receiver waiting); an implementation that drops the GIL earlier
         * gets either order, and the model accepts both. */
        PyEval_RestoreThread(ts);
        run_job(j);
        PyEval_SaveThread();
        pthread_mutex_lock(&H.mu);
        H.pending = NULL;
        H.busy = 0;
        pthread_cond_broadcast(&H.cv);
    }
    pthread_mutex_unlock(&H.mu);
    PyEval_RestoreThread(ts);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void *
watchdog_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&W.mu);
    while (!W.quit) {
        if (!W.armed) {
            pthread_cond_wait(&W.cv, &W.mu);
            continue;
        }
        int rc = pthread_cond_timedwait(&W.cv, &W.mu, &W.deadline);
        if (rc == ETIMEDOUT && W.armed) {
            char message[400];
            snprintf(message, sizeof message,
                     "op %d %s: hang: %s did not complete within %.1f s (blocking op deadline)",
                     cur_op, cur_op_name(), W.what, deadline_seconds);
            report_and_abort(message, "CH-RECV-2 CH-SEND-3 THR-3");
        }
    }
    pthread_mutex_unlock(&W.mu);
    return NULL;
}

static void
threads_stop(void)
{
    if (H.pid == getpid()) {
        pthread_mutex_lock(&H.mu);
        H.quit = 1;
        pthread_cond_broadcast(&H.cv);
        pthread_mutex_unlock(&H.mu);
        Py_BEGIN_ALLOW_THREADS
        pthread_join(H.thread, NULL);
        Py_END_ALLOW_THREADS
        H.pid = 0;
    }
    if (W.pid == getpid()) {
        pthread_mutex_lock(&W.mu);
        W.quit = 1;
        pthread_cond_broadcast(&W.cv);
        pthread_mutex_unlock(&W.mu);
        pthread_join(W.thread, NULL);
        W.pid = 0;
    }
}

static void
threads_start(void)
{
    pid_t pid = getpid();
    if (H.pid != pid) {
        H.pending = NULL;
        H.busy = H.quit = 0;
        pthread_mutex_init(&H.mu, NULL);
        pthread_cond_init(&H.cv, NULL);
        if (pthread_create(&H.thread, NULL, helper_main, NULL) != 0) {
            fprintf(stderr, "ops: cannot start the helper thread\n");
            abort();
        }
        H.pid = pid;
    }
    if (W.pid != pid) {
        W.armed = W.quit = 0;
        pthread_mutex_init(&W.mu, NULL);
        pthread_cond_init(&W.cv, NULL);
        if (pthread_create(&W.thread, NULL, watchdog_main, NULL) != 0) {
            fprintf(stderr, "ops: cannot start the watchdog thread\n");
            abort();
        }
        W.pid = pid;
    }
}

static void
watchdog_arm(const char *what)
{
    pthread_mutex_lock(&W.mu);
    clock_gettime(CLOCK_REALTIME, &W.deadline);
    W.deadline.tv_sec += (time_t)deadline_seconds;
    W.deadline.tv_nsec += (long)((deadline_seconds - (double)(time_t)deadline_seconds) * 1e9);
    if (W.deadline.tv_nsec >= 1000000000L) {
        W.deadline.tv_sec++;
        W.deadline.tv_nsec -= 1000000000L;
    }
    snprintf(W.what, sizeof W.what, "%s", what);
    W.armed = 1;
    pthread_cond_broadcast(&W.cv);
    pthread_mutex_unlock(&W.mu);
}

static void
watchdog_disarm(void)
{
    pthread_mutex_lock(&W.mu);
    W.armed = 0;
    pthread_cond_broadcast(&W.cv);
    pthread_mutex_unlock(&W.mu);
}

static void
helper_submit(job *j)
{
    pthread_mutex_lock(&H.mu);
    H.pending = j;
    H.busy = 1;
    pthread_cond_broadcast(&H.cv);
    pthread_mutex_unlock(&H.mu);
}

/* Wait (GIL released) until the helper has finished its job. */
static void
helper_wait(void)
{
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&H.mu);
    while (H.busy) {
        pthread_cond_wait(&H.cv, &H.mu);
    }
    pthread_mutex_unlock(&H.mu);
    Py_END_ALLOW_THREADS
}

static void
job_clear(job *j)
{
    for (int i = 0; i < j->nres; i++) {
        Py_CLEAR(j->results[i]);
    }
    j->nres = 0;
    Py_CLEAR(j->ret);
    Py_CLEAR(j->exc);
}

/* ---- snippets --------------------------------------------------------------------- */

/* The source of snippet s for live sub j, and what run() must do. */
static void
snippet(int s, int j, sbuf *code, xclass *want, const char **clauses, const char **match)
{
    *want = X_NONE;
    *match = NULL;
    int live = 1;
    for (int i = 0; i < OPS_SUBS; i++) {
        live += M.subs[i].state == M_ALIVE;
    }
    switch ((ops_snippet)s) {
    case SNIP_PASS:
        sb_add(code, "pass\n");
        *clauses = "INTERP-RUN-1";
        break;
    case SNIP_ASSIGN:
        sb_add(code, "x = 1\n");
        *clauses = "INTERP-RUN-1 INTERP-RUN-3";
        break;
    case SNIP_RAISE:
        sb_add(code, "raise ValueError('boom')\n");
        *want = X_RUNFAILED;
        *clauses = "INTERP-FAIL-1 INTERP-FAIL-3";
        *match = "ValueError";
        break;
    case SNIP_SYNTAX:
        sb_add(code, "def f(:\n");
        *want = X_RUNFAILED;
        *clauses = "INTERP-RUN-13";
        *match = "SyntaxError";
        break;
    case SNIP_EXIT:
        sb_add(code, "import sys\nsys.exit(3)\n");
        *want = X_RUNFAILED;
        *clauses = "INTERP-FAIL-2";
        *match = "SystemExit";
        break;
    case SNIP_CURRENT_ID:
        sb_add(code, "_c = interpreters.get_current()\n"
                     "assert int(_c.id) > 0 and _c != interpreters.get_main(), _c\n"
                     "assert _c in interpreters.list_all(), _c\n"
                     "del _c\n");
        *clauses = "FN-GETCUR-2";
        break;
    case SNIP_UNBIND:
        sb_add(code, "channels = None\n");
        *clauses = "INTERP-RUN-1 LIFE-CH-4";
        break;
    case SNIP_THREAD:
        sb_add(code, "import threading\n"
                     "_t = threading.Thread(target=int)\n"
                     "_t.start()\n"
                     "_t.join()\n"
                     "del _t\n");
        if (M.subs[j].isolated) {
            *want = X_RUNFAILED;
            *clauses = "INTERP-ISO-1";
            *match = "RuntimeError";
        }
        else {
            *clauses = "INTERP-ISO-3";
        }
        break;
    case SNIP_LIST_ALL:
        sb_add(code,
               "_l = interpreters.list_all()\n"
               "assert len(_l) == %d, _l\n"
               "assert interpreters.get_main() in _l and interpreters.get_current() in _l, _l\n"
               "del _l\n",
               live);
        *clauses = "FN-LIST-2 FN-LIST-4";
        break;
    case SNIP_MAIN_RUNNING:
        sb_add(code, "assert interpreters.get_main().is_running() is True\n");
        *clauses = "INTERP-RUNNING-2";
        break;
    case SNIP_CLOSE_CURRENT:
        sb_add(code, "try:\n"
                     "    interpreters.get_current().close()\n"
                     "except RuntimeError as _e:\n"
                     "    assert not isinstance(_e, (interpreters.ChannelError,)), _e\n"
                     "else:\n"
                     "    raise AssertionError('close() of the current interpreter succeeded')\n");
        *clauses = "INTERP-CLOSE-2";
        break;
    case SNIP_SHAREABLE:
        sb_add(
            code,
            "_s = [interpreters.is_shareable(v) for v in (None, 1, 2**70, b'', '', True, 1.0, ())]\n"
            "assert _s == [True, True, True, True, True, False, False, False], _s\n"
            "del _s\n");
        *clauses = "SHARE-1 SHARE-2 MOD-3";
        break;
    case SNIP_COUNT:
        break;
    }
}

/* ---- the ops -------------------------------------------------------------------------- */

static int
target_of(uint8_t a)
{
    return a % (OPS_SUBS + 1); /* OPS_SUBS: main */
}

static rstatus
op_create(const ops_op *op)
{
    if (M.creates >= max_creates) {
        return RS_OK;
    }
    int j = op->a % OPS_SUBS;
    for (int tries = 0; tries < OPS_SUBS && M.subs[j].state == M_ALIVE; tries++) {
        j = (j + 1) % OPS_SUBS;
    }
    if (M.subs[j].state == M_ALIVE) {
        return RS_OK;
    }
    int isolated = op->b & 1;
    int ord = M.creates++;
    scn_features |= 2;
    emit("do\n    i%d = interpreters.create(isolated=%s)\n    iid%d = int(i%d.id)\n", j,
         isolated ? "True" : "False", ord, j);
    PyObject *create = PyObject_GetAttrString(mod, "create");
    PyObject *args = PyTuple_New(0);
    PyObject *kwargs = Py_BuildValue("{sO}", "isolated", isolated ? Py_True : Py_False);
    outcome o = capture(create && args && kwargs ? PyObject_Call(create, args, kwargs) : NULL);
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(create);
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-CREATE-1 FN-CREATE-2", "create()");
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    int64_t id = -1;
    if (!isinst(o.obj, T_Interp) || get_id(o.obj, &id) < 0) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        outcome_clear(&o);
        return diverge("FN-CREATE-1", 0, 0, "create() %s, expected an Interpreter", got);
    }
    if (id <= last_interp_id) {
        outcome_clear(&o);
        return diverge("INTERP-ID-2", 0, 0, "create() gave id %lld, not above %lld", (long long)id,
                       (long long)last_interp_id);
    }
    note_clauses("INTERP-ID-2");
    last_interp_id = id;
    Py_XSETREF(subh[j], o.obj);
    M.subs[j].state = M_ALIVE;
    M.subs[j].id = id;
    M.subs[j].isolated = isolated;
    M.subs[j].bind[0] = M.subs[j].bind[1] = -1;
    sub_ord[j] = ord;
    return RS_OK;
}

static rstatus
op_close(const ops_op *op)
{
    int t = target_of(op->a);
    xclass want;
    const char *clauses;
    char call[64];
    PyObject *handle;
    if (t == OPS_SUBS) {
        want = X_RUNTIME;
        clauses = "INTERP-CLOSE-3 EXC-8";
        snprintf(call, sizeof call, "interpreters.get_main().close()");
        handle = main_handle();
    }
    else {
        ops_sub *sub = &M.subs[t];
        if (sub->state == M_EMPTY) {
            return RS_OK;
        }
        snprintf(call, sizeof call, "i%d.close()", t);
        handle = Py_NewRef(subh[t]);
        if (sub->state == M_CLOSED) {
            want = X_RUNTIME;
            clauses = "INTERP-CLOSE-5 EXC-8";
        }
        else {
            /* Never refused for queued objects: the channels only this sub
             * referred to go, items and all (ops_model_collect() below;
             * LIFE-CH-2, LIFE-INTERP-2). */
            want = X_NONE;
            clauses = "INTERP-CLOSE-1";
        }
    }
    if (want == X_NONE) {
        emit("do\n    %s\n", call);
    }
    else {
        emit_raises(want, call);
    }
    outcome o = capture(PyObject_CallMethod(handle, "close", NULL));
    Py_DECREF(handle);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    outcome_clear(&o);
    if (st == RS_OK && want == X_NONE) {
        M.subs[t].state = M_CLOSED;
        ops_model_collect(&M);
    }
    return st;
}

static rstatus
op_run(const ops_op *op)
{
    int t = target_of(op->a);
    if (t == OPS_SUBS || M.subs[t].state == M_CLOSED) {
        char call[64];
        if (t == OPS_SUBS) {
            snprintf(call, sizeof call, "interpreters.get_main().run('pass')");
        }
        else {
            snprintf(call, sizeof call, "i%d.run('pass')", t);
        }
        emit_raises(X_RUNTIME, call);
        PyObject *handle = t == OPS_SUBS ? main_handle() : Py_NewRef(subh[t]);
        outcome o = capture(run_code(handle, "pass\n", NULL));
        Py_DECREF(handle);
        rstatus st = check_exc(&o, X_RUNTIME, X_NONE,
                               t == OPS_SUBS ? "INTERP-RUN-9 EXC-8" : "INTERP-RUN-10 EXC-8", call);
        outcome_clear(&o);
        return st;
    }
    if (M.subs[t].state != M_ALIVE) {
        return RS_OK;
    }
    int s = op->b % SNIP_COUNT;
    sbuf code = {0};
    xclass want;
    const char *clauses, *match;
    snippet(s, t, &code, &want, &clauses, &match);
    char keyword[96];
    snprintf(keyword, sizeof keyword, "run i%d%s%s", t, want == X_RUNFAILED ? " raises " : "",
             want == X_RUNFAILED ? xnames[X_RUNFAILED] : "");
    if (match != NULL) {
        snprintf(keyword + strlen(keyword), sizeof keyword - strlen(keyword), " matching /%s/",
                 match);
    }
    emit_code(keyword, code.data);
    if (s == SNIP_THREAD && M.subs[t].isolated) {
        scn_features |= 4;
    }
    outcome o = capture(run_code(subh[t], code.data, NULL));
    free(code.data);
    rstatus st = check_exc(&o, want, X_NONE, clauses, "run()");
    if (st == RS_OK && want == X_RUNFAILED && match != NULL) {
        /* INTERP-FAIL-3: str() names the uncaught exception's type. */
        PyObject *str = PyObject_Str(o.exc);
        const char *text = str ? PyUnicode_AsUTF8(str) : NULL;
        if (text == NULL || strstr(text, match) == NULL) {
            PyErr_Clear();
            char got[800];
            describe_outcome(&o, got, sizeof got);
            Py_XDECREF(str);
            outcome_clear(&o);
            return diverge("INTERP-FAIL-3", 1, 1, "run() %s: str() does not name %s", got, match);
        }
        Py_XDECREF(str);
    }
    outcome_clear(&o);
    if (st == RS_OK && s == SNIP_UNBIND) {
        M.subs[t].bind[0] = M.subs[t].bind[1] = -1;
        ops_model_collect(&M);
    }
    return st;
}

static rstatus
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
    scn_features |= 8;
    char keyword[96], rname[16] = "None", sname[16] = "None";
    if (want_r) {
        snprintf(rname, sizeof rname, "r%d", k);
    }
    if (want_s) {
        snprintf(sname, sizeof sname, "s%d", k);
    }
    snprintf(keyword, sizeof keyword, "run i%d channels (%s, %s)", j, rname, sname);
    emit_code(keyword, "pass\n");
    PyObject *pair = PyTuple_Pack(2, want_r ? ends[k][M_RECV] : Py_None,
                                  want_s ? ends[k][M_SEND] : Py_None);
    outcome o = capture(pair ? run_code(subh[j], "pass\n", pair) : NULL);
    Py_XDECREF(pair);
    rstatus st = check_exc(&o, X_NONE, X_NONE, "INTERP-CHAN-2 INTERP-CHAN-3 INTERP-CHAN-5",
                           "run(channels=...)");
    outcome_clear(&o);
    if (st == RS_OK) {
        M.subs[j].bind[M_RECV] = want_r ? slot->rec : -1;
        M.subs[j].bind[M_SEND] = want_s ? slot->rec : -1;
        ops_model_collect(&M);
    }
    return st;
}

static void
drop_slot_end(int k, int d)
{
    if (M.slots[k].held[d]) {
        emit("do\n    del %s%d\n", d == M_RECV ? "r" : "s", k);
        Py_CLEAR(ends[k][d]);
        M.slots[k].held[d] = 0;
        M.slots[k].rebuilt[d] = 0;
    }
}

static rstatus
op_chan_create(const ops_op *op)
{
    if (M.nchans >= OPS_MAX_CHANNELS) {
        return RS_OK;
    }
    int k = op->a % OPS_SLOTS;
    drop_slot_end(k, M_RECV);
    drop_slot_end(k, M_SEND);
    ops_model_collect(&M);
    scn_features |= 8;
    int rec = M.nchans;
    emit("do\n    r%d, s%d = interpreters.create_channel()\n    cid%d = int(r%d.id)\n", k, k, rec,
         k);
    outcome o = capture(call0("create_channel"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-CHCREATE-1", "create_channel()");
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    int64_t rid = -1, sid = -2;
    if (!PyTuple_Check(o.obj) || PyTuple_GET_SIZE(o.obj) != 2 ||
        !isinst(PyTuple_GET_ITEM(o.obj, 0), T_Recv) ||
        !isinst(PyTuple_GET_ITEM(o.obj, 1), T_Send) ||
        get_id(PyTuple_GET_ITEM(o.obj, 0), &rid) < 0 ||
        get_id(PyTuple_GET_ITEM(o.obj, 1), &sid) < 0 || rid != sid) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        outcome_clear(&o);
        return diverge("FN-CHCREATE-1", 0, 0,
                       "create_channel() %s, expected (RecvChannel, "
                       "SendChannel) with equal ids",
                       got);
    }
    if (rid <= last_channel_id) {
        outcome_clear(&o);
        return diverge("FN-CHCREATE-3", 0, 0, "create_channel() gave id %lld, not above %lld",
                       (long long)rid, (long long)last_channel_id);
    }
    note_clauses("FN-CHCREATE-3");
    last_channel_id = rid;
    ends[k][M_RECV] = Py_NewRef(PyTuple_GET_ITEM(o.obj, 0));
    ends[k][M_SEND] = Py_NewRef(PyTuple_GET_ITEM(o.obj, 1));
    outcome_clear(&o);
    M.nchans++;
    M.chans[rec].id = rid;
    M.chans[rec].exists = 1;
    M.chans[rec].qlen = 0;
    M.slots[k].rec = rec;
    M.slots[k].held[0] = M.slots[k].held[1] = 1;
    M.slots[k].rebuilt[0] = M.slots[k].rebuilt[1] = 0;
    return RS_OK;
}

static rstatus
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

static rstatus
op_rebuild(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    int d = op->b & 1;
    ops_slot *slot = &M.slots[k];
    if (slot->rec < 0 || slot->held[d]) {
        return RS_OK;
    }
    const char *cls = d == M_RECV ? "RecvChannel" : "SendChannel";
    emit("do\n    %s%d = interpreters.%s(cid%d)\n", d == M_RECV ? "r" : "s", k, cls, slot->rec);
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
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    int64_t got_id;
    if ((PyObject *)Py_TYPE(o.obj) != type || get_id(o.obj, &got_id) < 0 ||
        got_id != M.chans[slot->rec].id) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        outcome_clear(&o);
        return diverge("CH-END-1", 0, 0, "%s(id) %s", cls, got);
    }
    ends[k][d] = o.obj;
    slot->held[d] = 1;
    slot->rebuilt[d] = 1;
    note_clauses("LIFE-CH-3");
    return RS_OK;
}

/* The value for a send, or -1 when there is none to send. */
static int
pick_value(uint8_t byte, PyObject **obj)
{
    int v = ops_value_index(byte);
    *obj = value_object(v);
    return *obj != NULL ? v : -1;
}

static rstatus
op_send_nowait(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    PyObject *obj;
    int v = pick_value(op->b, &obj);
    if (!slot->held[M_SEND] || v < 0) {
        return RS_OK;
    }
    int rec = slot->rec;
    int exists = ops_model_slot_exists(&M, k);
    if (exists && M.chans[rec].qlen >= OPS_QUEUE_MAX) {
        return RS_OK;
    }
    int shareable = ops_value_is_end(v) || ops_values[v].shareable;
    int bigint = !ops_value_is_end(v) && ops_values[v].bigint;
    char expr[64], call[96], clauses[160];
    value_expr(v, expr, sizeof expr);
    snprintf(call, sizeof call, "s%d.send_nowait(%s)", k, expr);
    xclass want = X_NONE, alt = X_NONE;
    if (!exists) {
        want = X_NOTFOUND;
        alt = shareable ? X_NONE : X_VALUE;
        snprintf(clauses, sizeof clauses, "CH-SENDNW-6 EXC-10 %s%s", gone_clauses(rec),
                 shareable ? "" : " ARG-8");
    }
    else if (!shareable) {
        want = X_VALUE;
        snprintf(clauses, sizeof clauses, "CH-SENDNW-5 SHARE-4 SHARE-5");
    }
    else {
        snprintf(clauses, sizeof clauses, "CH-SENDNW-1 CH-SENDNW-3%s%s%s %s",
                 ops_model_refs(&M, rec, M_RECV) == 0 ? " CH-SENDNW-7" : "",
                 bigint ? " SHARE-4 SHARE-7" : "", ops_value_is_end(v) ? " SHARE-1 SHARE-11" : "",
                 alive_clauses(rec));
    }
    if (want == X_NONE) {
        emit("expect %s\n    => False\n", call);
    }
    else {
        emit_raises_either(want, alt, call);
    }
    outcome o = capture(fuzz_call1(ends[k][M_SEND], "send_nowait", obj));
    rstatus st = check_exc(&o, want, alt, clauses, call);
    if (st == RS_OK && want == X_NONE && o.obj != Py_False) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        st = diverge(clauses, 0, 0, "%s %s, expected False (no recv() blocked)", call, got);
    }
    outcome_clear(&o);
    if (st == RS_OK && want == X_NONE) {
        ops_model_push(&M.chans[rec], item_for(v));
    }
    return st;
}

static rstatus
op_recv_nowait(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    if (!slot->held[M_RECV]) {
        return RS_OK;
    }
    int with_default = op->b & 1;
    int rec = slot->rec;
    char call[64], clauses[160];
    snprintf(call, sizeof call, "r%d.recv_nowait(%s)", k, with_default ? "..." : "");
    xclass want = X_NONE;
    int empty = 0;
    ops_item head = {0, -1, 0};
    if (!ops_model_slot_exists(&M, k)) {
        want = X_NOTFOUND;
        snprintf(clauses, sizeof clauses, "CH-RECVNW-6 EXC-10 %s", gone_clauses(rec));
        emit_raises(want, call);
    }
    else if (M.chans[rec].qlen == 0) {
        empty = 1;
        snprintf(clauses, sizeof clauses, "%s CH-RECVNW-4%s %s",
                 with_default ? "CH-RECVNW-3" : "CH-RECVNW-2",
                 ops_model_refs(&M, rec, M_SEND) == 0 ? " CH-RECVNW-5" : "", alive_clauses(rec));
        emit("expect %s\n    => %s\n", call, with_default ? "..." : "None");
    }
    else {
        head = M.chans[rec].queue[0];
        snprintf(clauses, sizeof clauses, "CH-RECVNW-1 CH-RECV-1 %s %s", item_clauses(head),
                 alive_clauses(rec));
        char name[32];
        snprintf(name, sizeof name, "got%d", cur_op);
        emit("do\n    %s = %s\n", name, call);
        emit_item_check(name, head);
    }
    PyObject *res = with_default ? fuzz_call1(ends[k][M_RECV], "recv_nowait", Py_Ellipsis)
                                 : PyObject_CallMethod(ends[k][M_RECV], "recv_nowait", NULL);
    outcome o = capture(res);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && want == X_NONE) {
        PyObject *dflt = with_default ? Py_Ellipsis : Py_None;
        int ok = empty ? o.obj == dflt : item_equals(head, o.obj);
        if (!ok) {
            char got[600];
            describe_outcome(&o, got, sizeof got);
            if (empty) {
                st = diverge(clauses, 0, 0, "%s %s, expected the default (%s)", call, got,
                             with_default ? "..." : "None");
            }
            else {
                char expr[64];
                if (head.value >= 0) {
                    value_expr(head.value, expr, sizeof expr);
                }
                else {
                    snprintf(expr, sizeof expr, "%s end of channel %lld",
                             head.end_dir ? "send" : "recv", (long long)M.chans[head.end_rec].id);
                }
                st = diverge(clauses, 0, 0, "%s %s, expected %s (head of the queue)", call, got,
                             expr);
            }
        }
    }
    outcome_clear(&o);
    if (st == RS_OK && want == X_NONE && !empty) {
        ops_model_pop(&M.chans[rec]);
    }
    return st;
}

static rstatus
op_sub_send(const ops_op *op)
{
    int j = op->a % OPS_SUBS;
    ops_sub *sub = &M.subs[j];
    if (sub->state != M_ALIVE || sub->bind[M_SEND] < 0) {
        return RS_OK;
    }
    int rec = sub->bind[M_SEND];
    int v = op->b % OPS_FIXED_VALUES;
    int exists = M.chans[rec].exists;
    if (exists && M.chans[rec].qlen >= OPS_QUEUE_MAX) {
        return RS_OK;
    }
    const ops_value_def *def = &ops_values[v];
    sbuf code = {0};
    const char *clauses;
    if (!exists) {
        sb_add(
            &code,
            "try:\n    channels[1].send_nowait(%s)\n"
            "except interpreters.ChannelNotFoundError:\n    pass\n"
            "%s"
            "else:\n    raise AssertionError('no ChannelNotFoundError')\n",
            def->expr,
            def->shareable
                ? ""
                : "except ValueError as _e:\n    assert not isinstance(_e, interpreters.ChannelError), _e\n");
        clauses = "CH-SENDNW-6 LIFE-CH-2 SHARE-12";
    }
    else if (!def->shareable) {
        sb_add(
            &code,
            "try:\n    channels[1].send_nowait(%s)\n"
            "except ValueError as _e:\n    assert not isinstance(_e, interpreters.ChannelError), _e\n"
            "else:\n    raise AssertionError('no ValueError')\n",
            def->expr);
        clauses = "CH-SENDNW-5 SHARE-5 SHARE-12";
    }
    else {
        sb_add(&code,
               "_r = channels[1].send_nowait(%s)\n"
               "assert _r is False, 'send_nowait() returned %%r' %% (_r,)\n"
               "del _r\n",
               def->expr);
        clauses = def->bigint ? "CH-SENDNW-1 SHARE-12 SHARE-7 INTERP-CHAN-4"
                              : "CH-SENDNW-1 SHARE-12 INTERP-CHAN-4";
    }
    char keyword[32];
    snprintf(keyword, sizeof keyword, "run i%d", j);
    emit_code(keyword, code.data);
    outcome o = capture(run_code(subh[j], code.data, NULL));
    free(code.data);
    rstatus st = check_exc(&o, X_NONE, X_NONE, clauses, "send_nowait() in a sub");
    outcome_clear(&o);
    if (st == RS_OK && exists && def->shareable) {
        ops_model_push(&M.chans[rec], item_for(v));
    }
    return st;
}

static rstatus
op_sub_recv(const ops_op *op)
{
    int j = op->a % OPS_SUBS;
    ops_sub *sub = &M.subs[j];
    if (sub->state != M_ALIVE || sub->bind[M_RECV] < 0) {
        return RS_OK;
    }
    int rec = sub->bind[M_RECV];
    int with_default = op->b & 1;
    sbuf code = {0};
    const char *clauses;
    int pop = 0;
    const char *call = with_default ? "channels[0].recv_nowait(...)" : "channels[0].recv_nowait()";
    if (!M.chans[rec].exists) {
        sb_add(&code,
               "try:\n    %s\n"
               "except interpreters.ChannelNotFoundError:\n    pass\n"
               "else:\n    raise AssertionError('no ChannelNotFoundError')\n",
               call);
        clauses = "CH-RECVNW-6 LIFE-CH-2";
    }
    else if (M.chans[rec].qlen == 0) {
        sb_add(&code, "_v = %s\nassert _v is %s, ascii(_v)[:200]\ndel _v\n", call,
               with_default ? "..." : "None");
        clauses = with_default ? "CH-RECVNW-3 MOD-3" : "CH-RECVNW-2 MOD-3";
    }
    else {
        ops_item head = M.chans[rec].queue[0];
        pop = 1;
        if (head.value < 0) {
            sb_add(&code,
                   "_v = %s\nassert type(_v) is interpreters.%s and _v.id >= 0, ascii(_v)[:200]\n"
                   "del _v\n",
                   call, head.end_dir == M_RECV ? "RecvChannel" : "SendChannel");
            clauses = "CH-RECVNW-1 SHARE-11 SHARE-12";
        }
        else if (head.value == 0) {
            sb_add(&code, "_v = %s\nassert _v is None, ascii(_v)[:200]\ndel _v\n", call);
            clauses = "CH-RECVNW-1 SHARE-10 SHARE-12";
        }
        else {
            const char *e = ops_values[head.value].expr;
            sb_add(&code,
                   "_v = %s\nassert type(_v) is type(%s) and _v == %s, ascii(_v)[:200]\ndel _v\n",
                   call, e, e);
            clauses = "CH-RECVNW-1 SHARE-6 SHARE-12";
        }
    }
    char keyword[32];
    snprintf(keyword, sizeof keyword, "run i%d", j);
    emit_code(keyword, code.data);
    outcome o = capture(run_code(subh[j], code.data, NULL));
    free(code.data);
    rstatus st = check_exc(&o, X_NONE, X_NONE, clauses, "recv_nowait() in a sub");
    outcome_clear(&o);
    if (st == RS_OK && pop) {
        ops_model_pop(&M.chans[rec]);
    }
    return st;
}

/* A shareable fixed value for a blocking op: non-shareable ones map to b'spam'. */
static int
blocking_value(uint8_t byte)
{
    int v = byte % OPS_FIXED_VALUES;
    if (!ops_values[v].shareable || (cpython_mode && ops_values[v].bigint)) {
        v = 12;
    }
    return v;
}

static rstatus
op_block_recv(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    if (!slot->held[M_RECV]) {
        return RS_OK;
    }
    int rec = slot->rec;
    char call[32], clauses[160], name[32];
    snprintf(call, sizeof call, "r%d.recv()", k);
    snprintf(name, sizeof name, "got%d", cur_op);

    /* Cases that must not wait at all. */
    xclass want = X_NONE;
    int immediate = 1;
    ops_item head = {0, -1, 0};
    if (!ops_model_slot_exists(&M, k)) {
        want = X_NOTFOUND;
        snprintf(clauses, sizeof clauses, "CH-RECV-4 EXC-10 %s", gone_clauses(rec));
    }
    else if (M.chans[rec].qlen > 0) {
        head = M.chans[rec].queue[0];
        snprintf(clauses, sizeof clauses, "CH-RECV-1 %s %s", item_clauses(head),
                 alive_clauses(rec));
    }
    else {
        immediate = 0;
    }
    if (immediate) {
        if (want == X_NONE) {
            emit("do\n    %s = %s\n", name, call);
            emit_item_check(name, head);
        }
        else {
            emit_raises(want, call);
        }
        outcome o = capture(PyObject_CallMethod(ends[k][M_RECV], "recv", NULL));
        rstatus st = check_exc(&o, want, X_NONE, clauses, call);
        if (st == RS_OK && want == X_NONE && !item_equals(head, o.obj)) {
            char got[600];
            describe_outcome(&o, got, sizeof got);
            st = diverge(clauses, 0, 0, "%s %s, expected the head of the queue", call, got);
        }
        outcome_clear(&o);
        if (st == RS_OK && want == X_NONE) {
            ops_model_pop(&M.chans[rec]);
        }
        return st;
    }

    /* Blocking: the helper thread does the other half, through an end built
     * from the id, also when no SendChannel exists (CH-RECV-5); act 2 first
     * drops main's, the last one (CH-RECV-6). */
    const char *no_sender = ops_model_refs(&M, rec, M_SEND) == 0 ? "CH-RECV-5 " : "";
    int act = op->b % 3;
    if (act == 2 && !(slot->held[M_SEND] && ops_model_refs(&M, rec, M_SEND) == 1)) {
        act = 0;
    }
    if (cpython_mode) {
        act = 1; /* 3.11: send() sleeps 2 s */
    }
    int v = blocking_value(op->c);
    job j = {0};
    j.chan_id = M.chans[rec].id;
    j.value = values[v];
    scn_features |= 1 | 8;
    int t = thread_counter++;
    if (act == 2) {
        j.kind = J_SEND_NOWAIT;
        j.drop = &ends[k][M_SEND];
        snprintf(clauses, sizeof clauses, "CH-RECV-6 CH-SENDNW-2 CH-SENDNW-3 THR-3 %s",
                 item_clauses((ops_item){v, -1, 0}));
        /* The scenario blocks a thread instead of main and drops the sender
         * once that thread is `blocked` (no sleep): still blocked after it. */
        emit("thread t%d\n    %s = %s\n", t, name, call);
        emit("blocked t%d\n", t);
        emit("do\n    del s%d\n", k);
        emit("blocked t%d\n", t);
        emit("do\n    interpreters.SendChannel(cid%d).send_nowait(%s)\n", rec, ops_values[v].expr);
        emit("join t%d\n", t);
        emit_item_check(name, (ops_item){v, -1, 0});
    }
    else if (act == 1) {
        j.kind = J_SEND_NOWAIT;
        snprintf(clauses, sizeof clauses, "%sCH-RECV-2 CH-SENDNW-2 CH-SENDNW-3 THR-3 %s", no_sender,
                 item_clauses((ops_item){v, -1, 0}));
        /* As the harness: True or False, whether or not the receiver was
         * already waiting when send_nowait() ran. */
        emit("thread t%d\n    %s = %s\n", t, name, call);
        emit("blocked t%d\n", t);
        emit("do\n    res%d = interpreters.SendChannel(cid%d).send_nowait(%s)\n", t, rec,
             ops_values[v].expr);
        emit("join t%d\n", t);
        emit("expect res%d\n    => True\n    => False\n", t);
        emit_item_check(name, (ops_item){v, -1, 0});
    }
    else {
        j.kind = J_SEND;
        snprintf(clauses, sizeof clauses, "%sCH-RECV-2 CH-SEND-3 CH-SEND-4 THR-3 %s", no_sender,
                 item_clauses((ops_item){v, -1, 0}));
        emit("thread t%d\n    interpreters.SendChannel(cid%d).send(%s)\n", t, rec,
             ops_values[v].expr);
        emit("do\n    %s = %s\n", name, call);
        emit("join t%d\n", t);
        emit_item_check(name, (ops_item){v, -1, 0});
    }
    threads_start();
    watchdog_arm("a recv() with a helper thread sending");
    PyObject *receiver = Py_NewRef(ends[k][M_RECV]); /* ours while the helper may clear slots */
    helper_submit(&j);
    outcome o = capture(PyObject_CallMethod(receiver, "recv", NULL));
    helper_wait();
    watchdog_disarm();
    Py_DECREF(receiver);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && want == X_NONE && !item_equals((ops_item){v, -1, 0}, o.obj)) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        st = diverge(clauses, 0, 0, "%s %s, expected %s from the helper", call, got,
                     ops_values[v].expr);
    }
    if (st == RS_OK) {
        outcome h = {j.ret, j.exc};
        char got[600];
        if (j.exc != NULL) {
            describe_outcome(&h, got, sizeof got);
            st = diverge(clauses, 1, 0, "the helper's half %s", got);
        }
        else if (act == 0 && j.ret != Py_None) {
            describe_outcome(&h, got, sizeof got);
            st = diverge("CH-SEND-3", 0, 0, "the helper's send() %s, expected None", got);
        }
        else if (act != 0 && j.ret != Py_True && j.ret != Py_False) {
            describe_outcome(&h, got, sizeof got);
            st = diverge("CH-SENDNW-2 CH-SENDNW-3", 0, 0,
                         "the helper's send_nowait() %s, expected a bool", got);
        }
    }
    outcome_clear(&o);
    job_clear(&j);
    if (act == 2) {
        slot->held[M_SEND] = 0;
        slot->rebuilt[M_SEND] = 0;
        ops_model_collect(&M);
    }
    return st;
}

static rstatus
op_block_send(const ops_op *op)
{
    int k = op->a % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    PyObject *obj;
    int v = pick_value(op->c, &obj);
    if (!slot->held[M_SEND] || v < 0) {
        return RS_OK;
    }
    if (cpython_mode) {
        /* 3.11's send() queues, sleeps 2 s and returns (CH-SEND-2). */
        int i = allowed_index("CH-SEND-2");
        if (i >= 0) {
            allowed_hits[i]++;
        }
        n_skipped_ops++;
        return RS_OK;
    }
    int rec = slot->rec;
    int shareable = ops_value_is_end(v) || ops_values[v].shareable;
    char expr[64], call[96], clauses[200];
    value_expr(v, expr, sizeof expr);
    snprintf(call, sizeof call, "s%d.send(%s)", k, expr);
    xclass want = X_NONE, alt = X_NONE;
    int immediate = 1;
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
        immediate = 0;
    }
    if (immediate) {
        emit_raises_either(want, alt, call);
        outcome o = capture(fuzz_call1(ends[k][M_SEND], "send", obj));
        rstatus st = check_exc(&o, want, alt, clauses, call);
        outcome_clear(&o);
        return st;
    }

    /* Blocking: the helper receives through an end built from the id, also
     * when no RecvChannel exists (CH-SEND-6); act 1 first drops main's, the
     * last one (CH-SEND-7).  That needs main's to be the only one, and not
     * the object being sent: the call's argument keeps that one alive. */
    const char *no_receiver = ops_model_refs(&M, rec, M_RECV) == 0 ? "CH-SEND-6 " : "";
    int act = op->b % 2;
    if (act == 1 &&
        (!slot->held[M_RECV] || ops_model_refs(&M, rec, M_RECV) != 1 || obj == ends[k][M_RECV])) {
        act = 0;
    }
    job j = {0};
    j.chan_id = M.chans[rec].id;
    scn_features |= 1 | 8;
    int t = thread_counter++;
    ops_chan *ch = &M.chans[rec];
    int n = ch->qlen;
    j.kind = J_RECV_N;
    j.n = n + 1;
    char receive[160];
    snprintf(receive, sizeof receive,
             "    _r = interpreters.RecvChannel(cid%d)\n"
             "    got%d = [_r.recv() for _ in range(%d)]\n    del _r\n",
             rec, cur_op, n + 1);
    if (act == 1) {
        j.drop = &ends[k][M_RECV];
        snprintf(clauses, sizeof clauses, "CH-SEND-7 CH-SEND-1 CH-SEND-3 THR-3 %s",
                 item_clauses(item_for(v)));
        /* As for recv(): the thread blocks, main drops the receiver once it
         * is `blocked`, the thread is still blocked, and a receiver built
         * from the id gets everything queued, the thread's object last. */
        emit("thread t%d\n    %s\n", t, call);
        emit("blocked t%d\n", t);
        emit("do\n    del r%d\n", k);
        emit("blocked t%d\n", t);
        emit("do\n%s", receive);
    }
    else {
        snprintf(clauses, sizeof clauses, "%sCH-SEND-2 CH-SEND-1 CH-SEND-3 THR-3 %s", no_receiver,
                 item_clauses(item_for(v)));
        emit("thread t%d\n%s", t, receive);
        emit("do\n    %s\n", call);
    }
    emit("join t%d\n", t);
    for (int i = 0; i <= n; i++) {
        char name[32];
        snprintf(name, sizeof name, "got%d[%d]", cur_op, i);
        emit_item_check(name, i < n ? ch->queue[i] : item_for(v));
    }
    emit("do\n    del got%d\n", cur_op);
    threads_start();
    watchdog_arm("a send() with a helper thread receiving");
    Py_INCREF(obj); /* ours while the helper may clear slots */
    PyObject *sender = Py_NewRef(ends[k][M_SEND]);
    helper_submit(&j);
    outcome o = capture(fuzz_call1(sender, "send", obj));
    helper_wait();
    watchdog_disarm();
    Py_DECREF(sender);
    Py_DECREF(obj);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && want == X_NONE && o.obj != Py_None) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        st = diverge("CH-SEND-3", 0, 0, "%s %s, expected None", call, got);
    }
    if (st == RS_OK && j.exc != NULL) {
        outcome h = {j.ret, j.exc};
        char got[600];
        describe_outcome(&h, got, sizeof got);
        st = diverge(clauses, 1, 0, "the helper's recv() %s", got);
    }
    if (st == RS_OK) {
        for (int i = 0; i <= n && st == RS_OK; i++) {
            ops_item want_item = i < n ? ch->queue[i] : item_for(v);
            if (i >= j.nres || !item_equals(want_item, j.results[i])) {
                outcome h = {i < j.nres ? j.results[i] : NULL, NULL};
                char got[600];
                describe_outcome(&h, got, sizeof got);
                st = diverge("CH-RECV-1 CH-SEND-1", 0, 0,
                             "the helper's recv() #%d got %s, not queue item %d", i, got, i);
            }
        }
    }
    outcome_clear(&o);
    job_clear(&j);
    if (st == RS_OK) {
        ch->qlen = 0;
        if (act == 1) {
            slot->held[M_RECV] = 0;
            slot->rebuilt[M_RECV] = 0;
            ops_model_collect(&M);
        }
    }
    return st;
}

static rstatus
op_is_shareable(const ops_op *op)
{
    PyObject *obj;
    int v = pick_value(op->a, &obj);
    if (v < 0) {
        return RS_OK;
    }
    int shareable = ops_value_is_end(v) || ops_values[v].shareable;
    char expr[64], call[96];
    value_expr(v, expr, sizeof expr);
    snprintf(call, sizeof call, "interpreters.is_shareable(%s)", expr);
    emit("expect %s\n    => %s\n", call, shareable ? "True" : "False");
    const char *clauses = shareable ? (ops_value_is_end(v) ? "SHARE-1 SHARE-3 SHARE-11"
                                                           : "SHARE-1 SHARE-3")
                                    : "SHARE-2 SHARE-3";
    outcome o = capture(fuzz_call1(mod, "is_shareable", obj));
    rstatus st = check_exc(&o, X_NONE, X_NONE, clauses, call);
    if (st == RS_OK && o.obj != (shareable ? Py_True : Py_False)) {
        char got[600];
        describe_outcome(&o, got, sizeof got);
        st = diverge(clauses, 0, 0, "%s %s, expected %s", call, got, shareable ? "True" : "False");
    }
    outcome_clear(&o);
    return st;
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static rstatus
op_list_all(void)
{
    int64_t want[OPS_SUBS + 1];
    int n = 0;
    want[n++] = 0;
    sbuf names = {0};
    sb_add(&names, "0");
    for (int j = 0; j < OPS_SUBS; j++) {
        if (M.subs[j].state == M_ALIVE) {
            want[n++] = M.subs[j].id;
            sb_add(&names, ", iid%d", sub_ord[j]);
        }
    }
    qsort(want, (size_t)n, sizeof want[0], cmp_i64);
    emit("expect sorted(int(i.id) for i in interpreters.list_all())\n    => sorted([%s])\n",
         names.data);
    free(names.data);
    outcome o = capture(call0("list_all"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-LIST-1 FN-LIST-2", "list_all()");
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    int64_t got[64];
    Py_ssize_t m = PyList_Check(o.obj) ? PyList_GET_SIZE(o.obj) : -1;
    int bad = m != n;
    for (Py_ssize_t i = 0; !bad && i < m; i++) {
        PyObject *h = PyList_GET_ITEM(o.obj, i);
        bad = !isinst(h, T_Interp) || get_id(h, &got[i]) < 0;
    }
    int sorted = 1;
    for (Py_ssize_t i = 1; !bad && i < m; i++) {
        sorted &= got[i - 1] < got[i];
    }
    if (!bad) {
        qsort(got, (size_t)m, sizeof got[0], cmp_i64);
        bad = memcmp(got, want, (size_t)n * sizeof want[0]) != 0;
    }
    if (bad) {
        char d[600];
        describe_outcome(&o, d, sizeof d);
        outcome_clear(&o);
        return diverge("FN-LIST-1 FN-LIST-2", 0, 0, "list_all() %s; expected %d interpreters", d,
                       n);
    }
    outcome_clear(&o);
    if (!sorted) {
        return diverge("FN-LIST-3", 0, 0, "list_all() not in ascending id order");
    }
    note_clauses("FN-LIST-3");
    return RS_OK;
}

static rstatus
op_list_channels(void)
{
    int64_t want[OPS_MAX_CHANNELS];
    int n = 0;
    sbuf names = {0};
    for (int rec = 0; rec < M.nchans; rec++) {
        if (M.chans[rec].exists) {
            want[n++] = M.chans[rec].id;
            sb_add(&names, "%scid%d", names.len ? ", " : "", rec);
        }
    }
    emit(
        "expect sorted(int(r.id) for r, s in interpreters.list_all_channels())\n    => sorted([%s])\n",
        names.data ? names.data : "");
    free(names.data);
    outcome o = capture(call0("list_all_channels"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-CHLIST-1 FN-CHLIST-2", "list_all_channels()");
    if (st != RS_OK) {
        outcome_clear(&o);
        return st;
    }
    int64_t got[64];
    Py_ssize_t m = PyList_Check(o.obj) ? PyList_GET_SIZE(o.obj) : -1;
    int shape_bad = m < 0 || m > 64;
    for (Py_ssize_t i = 0; !shape_bad && i < m; i++) {
        PyObject *pair = PyList_GET_ITEM(o.obj, i);
        int64_t sid;
        shape_bad = !PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
                    !isinst(PyTuple_GET_ITEM(pair, 0), T_Recv) ||
                    !isinst(PyTuple_GET_ITEM(pair, 1), T_Send) ||
                    get_id(PyTuple_GET_ITEM(pair, 0), &got[i]) < 0 ||
                    get_id(PyTuple_GET_ITEM(pair, 1), &sid) < 0 || sid != got[i];
    }
    char d[600];
    describe_outcome(&o, d, sizeof d);
    outcome_clear(&o);
    if (shape_bad) {
        return diverge("FN-CHLIST-1", 0, 0, "list_all_channels() %s: not a list of (r, s)", d);
    }
    qsort(got, (size_t)m, sizeof got[0], cmp_i64);
    if (m != n || memcmp(got, want, (size_t)n * sizeof want[0]) != 0) {
        /* Attribute: a listed channel the model destroyed (LIFE-CH-2), or a
         * live one missing (why it should live: alive_clauses). */
        char clauses[160] = "FN-CHLIST-2";
        for (Py_ssize_t i = 0; i < m; i++) {
            int known = 0;
            for (int rec = 0; rec < M.nchans; rec++) {
                known |= M.chans[rec].exists && M.chans[rec].id == got[i];
            }
            if (!known && strstr(clauses, "LIFE-CH-2") == NULL) {
                strcat(clauses, " LIFE-CH-2");
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
        return diverge(clauses, 0, 0, "list_all_channels() %s; expected %d channels", d, n);
    }
    return RS_OK;
}

static rstatus
op_get_current(void)
{
    emit("expect interpreters.get_current() == interpreters.get_main()\n    => True\n");
    emit("expect interpreters.get_current() == interpreters.get_main()\n    => True\n");
    outcome o = capture(call0("get_current"));
    rstatus st = check_exc(&o, X_NONE, X_NONE, "FN-GETCUR-1 INTERP-ID-1", "get_current()");
    if (st == RS_OK) {
        PyObject *main = main_handle();
        int eq = PyObject_RichCompareBool(o.obj, main, Py_EQ);
        int64_t id = -1;
        if (eq != 1 || get_id(o.obj, &id) < 0 || id != 0) {
            PyErr_Clear();
            char d[600];
            describe_outcome(&o, d, sizeof d);
            st = diverge("FN-GETCUR-1 INTERP-ID-1", 0, 0, "get_current() %s, expected main (id 0)",
                         d);
        }
        Py_DECREF(main);
    }
    outcome_clear(&o);
    return st;
}

static rstatus
op_is_running(const ops_op *op)
{
    int t = target_of(op->a);
    PyObject *handle;
    xclass want = X_NONE;
    PyObject *want_value = Py_False;
    const char *clauses;
    char call[64];
    if (t == OPS_SUBS) {
        handle = main_handle();
        want_value = Py_True;
        clauses = "INTERP-RUNNING-1 INTERP-RUNNING-2";
        snprintf(call, sizeof call, "interpreters.get_main().is_running()");
    }
    else {
        if (M.subs[t].state == M_EMPTY) {
            return RS_OK;
        }
        handle = Py_NewRef(subh[t]);
        snprintf(call, sizeof call, "i%d.is_running()", t);
        if (M.subs[t].state == M_CLOSED) {
            want = X_RUNTIME;
            clauses = "INTERP-RUNNING-8 EXC-8";
        }
        else {
            clauses = "INTERP-RUNNING-1 INTERP-RUNNING-4 INTERP-RUNNING-6";
        }
    }
    if (want == X_NONE) {
        emit("expect %s\n    => %s\n", call, want_value == Py_True ? "True" : "False");
    }
    else {
        emit_raises(want, call);
    }
    outcome o = capture(PyObject_CallMethod(handle, "is_running", NULL));
    Py_DECREF(handle);
    rstatus st = check_exc(&o, want, X_NONE, clauses, call);
    if (st == RS_OK && want == X_NONE && o.obj != want_value) {
        char d[600];
        describe_outcome(&o, d, sizeof d);
        st = diverge(clauses, 0, 0, "%s %s, expected %s", call, d,
                     want_value == Py_True ? "True" : "False");
    }
    outcome_clear(&o);
    return st;
}

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
    emit("do\n"
         "    try:\n"
         "        _h = interpreters.%s(-1)\n"
         "    except ValueError:\n"
         "        pass\n"
         "    else:\n"
         "        try:\n"
         "            _h.%s()\n"
         "        except (ValueError, %s):\n"
         "            pass\n"
         "        else:\n"
         "            raise AssertionError('%s(-1).%s() returned')\n"
         "        del _h\n",
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

static rstatus
op_misc(const ops_op *op)
{
    int j = op->b % OPS_SUBS;
    int k = op->c % OPS_SLOTS;
    ops_slot *slot = &M.slots[k];
    char call[160];
    switch ((ops_misc)(op->a % MISC_COUNT)) {
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
    case MISC_INTERP_IDENTITY: {
        /* Live ids only: for a closed one, construction may raise (INTERP-OBJ-14). */
        if (M.subs[j].state != M_ALIVE) {
            return RS_OK;
        }
        emit(
            "expect (interpreters.Interpreter(iid%d) == i%d, interpreters.Interpreter(iid%d) != i%d,"
            " hash(interpreters.Interpreter(iid%d)) == hash(i%d))\n    => (True, False, True)\n",
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
    case MISC_END_IDENTITY: {
        /* Existing channels only: for a destroyed one, construction may raise (CH-END-13). */
        if (!ops_model_slot_exists(&M, k)) {
            return RS_OK;
        }
        int rec = slot->rec;
        emit("expect (interpreters.RecvChannel(cid%d) == interpreters.RecvChannel(cid%d),"
             " interpreters.RecvChannel(cid%d) == interpreters.SendChannel(cid%d),"
             " hash(interpreters.RecvChannel(cid%d)) == hash(interpreters.RecvChannel(cid%d)))\n"
             "    => (True, False, True)\n",
             rec, rec, rec, rec, rec, rec);
        PyObject *id = PyLong_FromLongLong(M.chans[rec].id);
        PyObject *r1 = id ? PyObject_CallOneArg(T_Recv, id) : NULL;
        PyObject *r2 = r1 ? PyObject_CallOneArg(T_Recv, id) : NULL;
        PyObject *s1 = r2 ? PyObject_CallOneArg(T_Send, id) : NULL;
        int ok = s1 != NULL && PyObject_RichCompareBool(r1, r2, Py_EQ) == 1 &&
                 PyObject_RichCompareBool(r1, s1, Py_EQ) == 0 &&
                 PyObject_Hash(r1) == PyObject_Hash(r2);
        Py_XDECREF(s1);
        Py_XDECREF(r2);
        Py_XDECREF(r1);
        Py_XDECREF(id);
        return misc_expect_true(ok, "CH-END-1 CH-END-8 CH-END-10",
                                "RecvChannel(n) == RecvChannel(n) != SendChannel(n), hashes");
    }
    case MISC_RUN_BYTES: {
        if (M.subs[j].state != M_ALIVE) {
            return RS_OK;
        }
        snprintf(call, sizeof call, "i%d.run(b'pass')", j);
        PyObject *src = PyBytes_FromString("pass");
        PyObject *res = src ? fuzz_call1(subh[j], "run", src) : NULL;
        Py_XDECREF(src);
        return misc_expect_raise(res, X_TYPE, X_NONE, 0, "INTERP-RUN-7 ARG-7", call);
    }
    case MISC_RUN_LIST:
    case MISC_RUN_SWAPPED: {
        if (M.subs[j].state != M_ALIVE || !slot->held[M_RECV] || !slot->held[M_SEND]) {
            return RS_OK;
        }
        int swapped = (op->a % MISC_COUNT) == MISC_RUN_SWAPPED;
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
    case MISC_IS_RUNNING_ARG: {
        /* On a closed sub, RuntimeError is allowed too (INTERP-RUNNING-8,
         * ARG-8). */
        if (M.subs[j].state == M_EMPTY) {
            return RS_OK;
        }
        int closed = M.subs[j].state == M_CLOSED;
        snprintf(call, sizeof call, "i%d.is_running(1)", j);
        return misc_expect_raise(PyObject_CallMethod(subh[j], "is_running", "(i)", 1), X_TYPE,
                                 closed ? X_RUNTIME : X_NONE, 0,
                                 closed ? "ARG-2 ARG-8 INTERP-RUNNING-8 EXC-8" : "ARG-2", call);
    }
    case MISC_INTERP_HUGE: {
        /* IMPL INTERP-OBJ-5: (a) an unknown id (RuntimeError on use) or (b)
         * OverflowError, at construction or at first use. */
        emit("do\n"
             "    try:\n"
             "        _h = interpreters.Interpreter(2**70)\n"
             "    except OverflowError:\n"
             "        pass\n"
             "    else:\n"
             "        try:\n"
             "            _h.is_running()\n"
             "        except (RuntimeError, OverflowError) as _e:\n"
             "            assert not isinstance(_e, (interpreters.RunFailedError,\n"
             "                                       interpreters.ChannelError)), _e\n"
             "        else:\n"
             "            raise AssertionError('Interpreter(2**70).is_running() returned')\n"
             "        del _h\n");
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
    case MISC_COUNT:
        break;
    }
    return RS_OK;
}

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
        if (M.subs[j].state != M_ALIVE) {
            continue;
        }
        if (M.subs[j].bind[0] >= 0 || M.subs[j].bind[1] >= 0) {
            char keyword[32];
            snprintf(keyword, sizeof keyword, "run i%d", j);
            emit_code(keyword, "channels = None\n");
            outcome o = capture(run_code(subh[j], "channels = None\n", NULL));
            if (check_exc(&o, X_NONE, X_NONE, "INTERP-RUN-1", "clean-up run()") != RS_OK) {
                outcome_clear(&o);
                cleanup_best_effort();
                return;
            }
            outcome_clear(&o);
            M.subs[j].bind[0] = M.subs[j].bind[1] = -1;
            ops_model_collect(&M);
        }
        emit("do\n    i%d.close()\n", j);
        outcome o = capture(PyObject_CallMethod(subh[j], "close", NULL));
        if (check_exc(&o, X_NONE, X_NONE, "INTERP-CLOSE-1", "clean-up close()") != RS_OK) {
            outcome_clear(&o);
            cleanup_best_effort();
            return;
        }
        outcome_clear(&o);
        M.subs[j].state = M_CLOSED;
    }
    ops_model_collect(&M);
    if (op_list_all() != RS_OK || op_list_channels() != RS_OK) {
        cleanup_best_effort();
    }
}

/* ---- start-up ----------------------------------------------------------------------- */

static void
load_allowlist(void)
{
    const char *path = getenv("OPS_EXPECTATIONS");
    char buf[1200];
    if (path == NULL || path[0] == '\0') {
        snprintf(buf, sizeof buf, "%s/conformance/expectations/cpython-3.11.txt",
                 INTERPCHECK_SOURCE_DIR);
        path = buf;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "ops: cannot read the expectation file %s: %s\n", path, strerror(errno));
        abort();
    }
    char line[8192];
    while (fgets(line, sizeof line, f) != NULL) {
        char id[512], outcome_name[32], clause[64];
        if (line[0] == '#' || sscanf(line, "%511s %31s %63s", id, outcome_name, clause) != 3) {
            continue;
        }
        if (allowed_index(clause) < 0 && n_allowed < MAX_ALLOWED) {
            allowed[n_allowed++] = strdup(clause);
        }
    }
    fclose(f);
    fprintf(stderr, "ops: CPython mode, %d clauses explained by %s\n", n_allowed, path);
}

static void
at_exit(void)
{
    threads_stop();
    if (cpython_mode) {
        fprintf(stderr,
                "ops: CPython mode summary: %lu inputs, %lu stopped early, %lu ops skipped\n",
                n_inputs, n_stopped, n_skipped_ops);
        for (int i = 0; i < n_allowed; i++) {
            if (allowed_hits[i] > 0) {
                fprintf(stderr, "ops:   explained difference %-20s %lu (stopped the input: %lu)\n",
                        allowed[i], allowed_hits[i], allowed_stops[i]);
            }
        }
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

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *impl = getenv("OPS_IMPL");
    cpython_mode = impl != NULL && strcmp(impl, "cpython") == 0;
    max_creates = fuzz_env_long("OPS_MAX_CREATES", 2);
    deadline_seconds = (double)fuzz_env_long("OPS_DEADLINE", 10);
    print_programs = fuzz_env_long("OPS_PRINT", 0) != 0;
    scn_path = getenv("OPS_SCN");
    scn_origin = getenv("OPS_SCN_ORIGIN");
    if (scn_path != NULL && scn_path[0] == '\0') {
        scn_path = NULL;
    }

    fuzz_python_init();
    PyObject *fallback = NULL;
    if (cpython_mode) {
        mod = fuzz_import("test.support.interpreters");
        fallback = fuzz_import("_xxsubinterpreters");
        sub_prefix = "import test.support.interpreters as interpreters\n";
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
    fuzz_python_at_exit(at_exit);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mod == NULL) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    n_inputs++;
    nprog = ops_decode(data, size, prog, OPS_MAX_OPS);
    ops_model_init(&M);
    thread_counter = 0;
    scn_features = 0;
    sb_reset(&scn);
    sb_reset(&scn_clauses);
    scn_n_steps = scn_noted = 0;
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
            allowed_stops[last_explained]++;
            stopped = 1;
            break;
        }
    }
    if (stopped) {
        cleanup_best_effort();
    }
    else {
        if (scn_path != NULL) {
            write_scenario("ops fuzzer program: the model's expectations for each step hold",
                           scn_clauses.data ? scn_clauses.data : "MOD-1", 0);
        }
        cleanup_checked();
    }
    for (int j = 0; j < OPS_SUBS; j++) {
        Py_CLEAR(subh[j]);
    }
    if (PyErr_Occurred()) {
        PyErr_Print();
        report_and_abort("the clean-up left a Python exception set", "MOD-1");
    }
    return 0;
}

/*
 * ops_glue.c: the model and the implementation side by side (see ops.h):
 * calling the implementation, the exception classes the model speaks of,
 * comparing an outcome with the model's expectation, and what a
 * disagreement is: a finding (interpref), or a difference the expectation
 * file explains (OPS_IMPL=cpython).
 *
 * Global state: the CPython-mode clause table and counters.
 */
#include "ops.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef INTERPCHECK_SOURCE_DIR
#define INTERPCHECK_SOURCE_DIR "."
#endif

const char *const xnames[] = {
    [X_NONE] = "(no exception)",
    [X_RUNTIME] = "RuntimeError",
    [X_RUNFAILED] = "interpreters.RunFailedError",
    [X_NOTFOUND] = "interpreters.ChannelNotFoundError",
    [X_VALUE] = "ValueError",
    [X_TYPE] = "TypeError",
    [X_OVERFLOW] = "OverflowError",
    [X_REFUSED] = "Exception (neither RunFailedError nor ChannelError)",
};

int
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

int
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
    case X_REFUSED:
        return isinst(exc, PyExc_Exception) && !isinst(exc, E_RunFailed) &&
               !isinst(exc, E_ChannelError);
    }
    return 0;
}

/* ---- findings and divergences -------------------------------------------------- */

const char *
cur_op_name(void)
{
    if (cur_op < 0) {
        return "pool set-up";
    }
    return cur_op < nprog ? ops_name(prog[cur_op].kind) : "clean-up";
}

void
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
unsigned long n_skipped_ops;

int
allowed_index(const char *clause)
{
    for (int i = 0; i < n_allowed; i++) {
        if (strcmp(allowed[i], clause) == 0) {
            return i;
        }
    }
    return -1;
}

/*
 * The implementation disagrees with the model.  interpref: a finding.
 * CPython mode: explained if one of `clauses` is in the expectation file;
 * then go on as the outcome allows (RS_SKIP: it raised where the model
 * expected success, so nothing happened: skip the op's effects; RS_STOP: it
 * succeeded where the model expected an exception, so the states differ:
 * stop this input; RS_OK: same shape, different value).
 */
rstatus
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
                 "its expectation file, cpython-3.%d.txt)",
                 message, clauses, PY_MINOR_VERSION);
        report_and_abort(full, clauses);
    }
    report_and_abort(message, clauses);
}

/* ---- calling the implementation ---------------------------------------------- */

outcome
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

void
outcome_clear(outcome *o)
{
    Py_CLEAR(o->obj);
    Py_CLEAR(o->exc);
}

void
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
rstatus
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
int
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

PyObject *
call0(const char *name)
{
    return PyObject_CallMethod(mod, name, NULL);
}

PyObject *
main_handle(void)
{
    PyObject *h = call0("get_main");
    if (h == NULL) {
        fuzz_fatal_python("get_main()");
    }
    return h;
}

PyObject *
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
PyObject *
value_object(int v)
{
    if (!ops_value_is_end(v)) {
        return values[v];
    }
    return ends[ops_value_end_slot(v)][ops_value_end_dir(v)];
}

/* The implementation's SHARE-2 choice per fixed value (choose_shareable()). */
static signed char shareable_choice[OPS_FIXED_VALUES];

void
choose_shareable(void)
{
    for (int v = 0; v < OPS_FIXED_VALUES; v++) {
        shareable_choice[v] = (signed char)ops_values[v].shareable;
        if (ops_values[v].shareable || ops_values[v].bigint) {
            continue; /* SHARE-1, or SHARE-7 (checked as such) */
        }
        /* A raising is_shareable() is SHARE-3's finding, made by
         * op_is_shareable(); here it counts as False. */
        PyObject *r = fuzz_call1(mod, "is_shareable", values[v]);
        shareable_choice[v] = r == Py_True;
        Py_XDECREF(r);
        PyErr_Clear();
        if (shareable_choice[v]) {
            fprintf(stderr, "ops: SHARE-2: the implementation shares %s\n", ops_values[v].expr);
        }
    }
}

int
value_shareable(int v)
{
    return ops_value_is_end(v) || shareable_choice[v];
}

/* Python source for value v (in main's scenario namespace). */
void
value_expr(int v, char *buf, size_t size)
{
    if (!ops_value_is_end(v)) {
        snprintf(buf, size, "%s", ops_values[v].expr);
    }
    else {
        snprintf(buf, size, "%s%d", ops_value_end_dir(v) ? "s" : "r", ops_value_end_slot(v));
    }
}

ops_item
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
const char *
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
int
item_equals(ops_item item, PyObject *got)
{
    if (item.value < 0) {
        PyObject *type = item.end_dir == M_RECV ? T_Recv : T_Send;
        int64_t id;
        return (PyObject *)Py_TYPE(got) == type && get_id(got, &id) == 0 &&
               id == M.chans[item.end_rec].id;
    }
    return fuzz_same_value(got, values[item.value]);
}

/*
 * Clauses to attribute a lifetime difference to.  gone_clauses: the model
 * says the channel is destroyed (so the implementation kept it: LIFE-CH-2).
 * alive_clauses: the model says it exists (so the implementation lost it:
 * LIFE-CH-1, and LIFE-CH-3 / LIFE-CH-4 when only a rebuilt end or an end in a
 * sub keeps it).  Returns a static buffer.
 */
void
queue_value(int rec, int v)
{
    ops_item item = item_for(v);
    ops_model_push(&M.chans[rec], item);
    if (item.value < 0) {
        M.chans[item.end_rec].end_queued = 1;
    }
}

/* LIFE-CH-5 too when ends of the channel were queued: an implementation
 * whose queued ends keep their channel alive differs here. */
const char *
gone_clauses(int rec)
{
    return rec >= 0 && M.chans[rec].end_queued ? "LIFE-CH-2 LIFE-CH-5" : "LIFE-CH-2";
}

const char *
alive_clauses(int rec)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "LIFE-CH-1%s%s",
             rec >= 0 && ops_model_rebuilt_matters(&M, rec) ? " LIFE-CH-3" : "",
             rec >= 0 && ops_model_sub_holds(&M, rec) ? " LIFE-CH-4" : "");
    return buf;
}

/* ---- helpers the ops share ------------------------------------------------------ */

rstatus
check_call(PyObject *result, xclass want, xclass alt, const char *clauses, const char *what)
{
    outcome o = capture(result);
    rstatus st = check_exc(&o, want, alt, clauses, what);
    outcome_clear(&o);
    return st;
}

rstatus
diverge_outcome(const char *clauses, int impl_raised, int model_raised, const char *what,
                const outcome *o, const char *suffix)
{
    char got[600];
    describe_outcome(o, got, sizeof got);
    return diverge(clauses, impl_raised, model_raised, "%s %s%s", what, got, suffix);
}

int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int
target_of(uint8_t a)
{
    return a % (OPS_SUBS + 1); /* OPS_SUBS: main */
}

/* The value for a send, or -1 when there is none to send. */
int
pick_value(uint8_t byte, PyObject **obj)
{
    int v = ops_value_index(byte);
    *obj = value_object(v);
    return *obj != NULL ? v : -1;
}

int
pick_send(uint8_t slot_byte, uint8_t value_byte, int *k, PyObject **obj)
{
    *k = slot_byte % OPS_SLOTS;
    int v = pick_value(value_byte, obj);
    return M.slots[*k].held[M_SEND] ? v : -1;
}

/* ---- CPython mode: the expectation file ------------------------------------------ */

void
allowed_hit(const char *clause)
{
    int i = allowed_index(clause);
    if (i >= 0) {
        allowed_hits[i]++;
    }
}

void
allowed_note_stop(void)
{
    allowed_stops[last_explained]++;
}

void
load_allowlist(void)
{
    const char *path = getenv("OPS_EXPECTATIONS");
    char buf[1200];
    if (path == NULL || path[0] == '\0') {
        snprintf(buf, sizeof buf, "%s/conformance/expectations/cpython-3.%d.txt",
                 INTERPCHECK_SOURCE_DIR, PY_MINOR_VERSION);
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

void
allowed_summary(unsigned long n_inputs, unsigned long n_stopped)
{
    fprintf(stderr, "ops: CPython mode summary: %lu inputs, %lu stopped early, %lu ops skipped\n",
            n_inputs, n_stopped, n_skipped_ops);
    for (int i = 0; i < n_allowed; i++) {
        if (allowed_hits[i] > 0) {
            fprintf(stderr, "ops:   explained difference %-20s %lu (stopped the input: %lu)\n",
                    allowed[i], allowed_hits[i], allowed_stops[i]);
        }
    }
}

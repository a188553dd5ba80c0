/*
 * protocol.h: the report protocol between a child running executor.py and
 * the runner, and the raw outcome of one scenario.
 *
 * A report is lines of text: "interpcheck-report 1", then "python VERSION",
 * "step INDEX LINE" as each step starts, "field NAME TEXT" (message,
 * expected, actual, traceback; backslash escapes, "\n" a newline),
 * "verdict WORD INDEX LINE" and "end".  A report cut short (a child that
 * died or was killed) is incomplete: the last step started is kept.
 * Plain C, no Python and no processes.
 */
#ifndef INTERPCHECK_PROTOCOL_H
#define INTERPCHECK_PROTOCOL_H

#include <stddef.h>

typedef enum {
    PROTO_PASS,
    PROTO_FAIL,
    PROTO_ERROR, /* the scenario or the harness is broken */
    PROTO_SKIP,
    PROTO_TIMEOUT,
    PROTO_CRASH,
} proto_verdict;

const char *proto_verdict_name(proto_verdict verdict);
/* The verdict a name spells ("PASS" ... "CRASH"): 0, or -1 for no such name. */
int proto_verdict_from_name(const char *word, proto_verdict *verdict);
/* FAIL, TIMEOUT and CRASH: the outcomes that are charged to a step. */
int proto_is_failure(proto_verdict verdict);

typedef struct {
    proto_verdict verdict;
    int step_index;     /* the deciding step, or the last one started; -1: none */
    unsigned step_line; /* its line in the scenario file; 0: none */
    char *message;      /* malloc'd, or NULL */
    char *expected;
    char *actual;
    char *traceback;
    char *output;    /* what the child wrote to stdout and stderr */
    char python[32]; /* the version the executor reported, or "" */
    double seconds;
} proto_outcome;

/* Free the details and zero *o. */
void proto_outcome_clear(proto_outcome *o);

/* Parse a whole report into *o (zeroed by the caller); 1 if it was
 * complete, 0 if not.  A field that cannot be allocated stays NULL. */
int proto_parse_report(const char *text, proto_outcome *o);

/* One line (without its '\n'): 1 and *index, *line if it is a "step" line. */
int proto_step_line(const char *line, int *index, unsigned *number);

#endif /* INTERPCHECK_PROTOCOL_H */

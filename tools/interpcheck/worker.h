/*
 * worker.h: running scenarios in child processes, several at once, with a
 * deadline each; turning what each child reported (or failed to report)
 * into an outcome.
 *
 * A child is either a fork of the runner's embedded Python (in-process mode,
 * pyhost.h) or a process of another Python running executor.py (--python).
 * Either way it speaks the report protocol of executor.py; a child that
 * dies, is killed at its deadline or stops reporting mid-way gets CRASH or
 * TIMEOUT, with the last step it had started, never PASS.
 */
#ifndef INTERPCHECK_WORKER_H
#define INTERPCHECK_WORKER_H

#include <stddef.h>

typedef enum {
    RAW_PASS,
    RAW_FAIL,
    RAW_ERROR, /* the scenario or the harness is broken */
    RAW_SKIP,
    RAW_TIMEOUT,
    RAW_CRASH,
} raw_verdict;

const char *raw_verdict_name(raw_verdict verdict);

typedef struct {
    raw_verdict verdict;
    int step_index;     /* the deciding step, or the last one started; -1: none */
    unsigned step_line; /* its line in the scenario file; 0: none */
    char *message;      /* malloc'd, or NULL */
    char *expected;
    char *actual;
    char *traceback;
    char *output;    /* what the child wrote to stdout and stderr */
    char python[32]; /* the version the executor reported, or "" */
    double seconds;
} outcome;

void outcome_clear(outcome *o);

typedef struct {
    const char *json; /* the scenario, for the executor */
    double deadline;  /* seconds before the child is killed */
} job;

typedef struct {
    int parallel;     /* children at once (-j) */
    const char *impl; /* module name of the implementation */
    double time_scale;
    /* Out-of-process mode when python_cmd is set: `sh -c 'exec CMD "$@"'`
     * runs `CMD -S -s EXECUTOR --impl IMPL --time-scale F` with PYTHONPATH. */
    const char *python_cmd;
    const char *executor_path;
    const char *pythonpath;
    /* Called as each step starts (for --trace) and as each job ends. */
    void (*on_step)(size_t job, int index, unsigned line, void *ctx);
    void (*on_done)(size_t job, outcome *o, void *ctx);
    void *ctx;
} worker_config;

/* Run every job; 0 when all ran, -1 if interrupted (Ctrl-C) or a child could
 * not be started (message on stderr). */
int worker_run(const worker_config *config, const job *jobs, size_t n_jobs);

/* Parse a report (executor.py protocol) into *o; 1 if it was complete. */
int worker_parse_report(const char *text, outcome *o);

#endif /* INTERPCHECK_WORKER_H */

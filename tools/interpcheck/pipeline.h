/*
 * pipeline.h: one run of the suite against one implementation, in order:
 * parse and plan (plan.h), execute, judge (expect.h), report (report.h).
 *
 * Execution is behind pipe_executor, a table of functions: the pipeline
 * neither starts processes nor knows Python (worker.c and pyhost.c do, on
 * the other side of the interface).  Progress goes to pipe_progress, whose
 * hooks see each scenario after the pipeline has judged it.
 */
#ifndef INTERPCHECK_PIPELINE_H
#define INTERPCHECK_PIPELINE_H

#include <stdio.h>

#include "error.h"
#include "expect.h"
#include "plan.h"
#include "protocol.h"
#include "report.h"

/* Children at once (-j): at most this many. */
#define PIPE_MAX_PARALLEL 64

/* One scenario for the executor. */
typedef struct {
    const char *json; /* the scenario, for executor.py (scenario_json.h) */
    double deadline;  /* seconds before the child is killed */
    /* Seconds each step (and the start-up before the first) may take before
     * the child is killed; 0: only `deadline` holds. */
    double step_deadline;
} pipe_job;

/* What an executor reports while it runs jobs. */
typedef struct {
    void (*on_step)(size_t job, int index, unsigned line, void *ctx);
    /* A job ended; the callee takes over *o's details (and zeroes *o). */
    void (*on_done)(size_t job, proto_outcome *o, void *ctx);
    void *ctx;
} pipe_events;

typedef struct {
    /* Get ready (start an embedded Python): 0, or -1 with err.  May be NULL. */
    int (*start)(void *self, ic_error *err);
    /* Run every job, reporting through events: 0 when all ran, -1 with err
     * (interrupted, a child that cannot be started). */
    int (*run)(void *self, const pipe_job *jobs, size_t n, const pipe_events *events,
               ic_error *err);
    /* Undo start.  May be NULL; called only after a successful start. */
    void (*stop)(void *self);
    /* The Python version known before any report, or "".  May be NULL. */
    const char *(*python_version)(void *self);
    void *self;
} pipe_executor;

/* Hooks for the reporter on the terminal; every one may be NULL. */
typedef struct {
    /* After parsing and planning (the CLI prints the parse errors). */
    void (*planned)(const plan_set *p, void *ctx);
    /* A step of a running scenario started (--trace). */
    void (*step)(const rpt_result *r, int index, unsigned line, void *ctx);
    /* A scenario not run (SKIP in the expectation file), judged. */
    void (*skipped)(const rpt_result *r, void *ctx);
    /* A scenario ran and was judged; `done` of `total` have. */
    void (*judged)(const rpt_result *r, size_t done, size_t total, void *ctx);
    /* Execution is over (before the summary). */
    void (*executed)(void *ctx);
    void *ctx;
} pipe_progress;

/* The --jsonl file while a run writes it, one line per scenario as each
 * is judged (pipe_run opens it; NULL in a pipe_config: write at the end).
 * pipe_report closes it and writes the file again whole, in plan order;
 * a run cut short leaves what was streamed. */
typedef struct {
    FILE *file;
    int started; /* the run line is out */
    int failed;  /* a write failed: its errno */
} pipe_stream;

typedef struct {
    /* Selection. */
    const char *root; /* ids are relative to it */
    const char *spec; /* SPEC.md: every cited clause must be one of its (NULL: no check) */
    const char **paths;
    size_t n_paths;
    const plan_filter *filter;
    /* Judgement: the expectation file (NULL: none); used entries are marked. */
    expect_file *expect;
    double time_scale;
    /* Reports: the human summary, or TAP, on `out`; files (NULL: none). */
    FILE *out;
    int tap;
    const char *junit, *jsonl, *markdown;
    pipe_stream *stream; /* set by pipe_run when jsonl is; NULL otherwise */
} pipe_config;

typedef enum {
    PIPE_MATCH = 0,   /* every outcome matches the expectations */
    PIPE_DEVIATE = 1, /* some deviate */
    PIPE_BROKEN = 2,  /* the input or the harness is broken (err says why, if it can) */
} pipe_status;

/* Parse and plan (then progress->planned): 0, or -1 with err (a missing
 * path, memory). */
int pipe_plan(const pipe_config *config, const pipe_progress *progress, plan_set *p, ic_error *err);

/*
 * Execute the plan and judge each outcome into results[p->n] (zeroed by the
 * caller; free with pipe_free_results).  info->python_version is filled
 * from the first report that names one, if it is empty.  0, or -1 with err
 * when the run could not be carried out.
 */
int pipe_execute(const pipe_config *config, const plan_set *p, const pipe_executor *exec,
                 const pipe_progress *progress, rpt_run_info *info, rpt_result *results,
                 ic_error *err);

/* Every report file (junit, jsonl, markdown) can be made, checked before a
 * run rather than found out after it (pipe_run does): 0, or -1 with err
 * ("cannot write PATH: REASON").  A file this makes is removed again. */
int pipe_check_outputs(const pipe_config *config, ic_error *err);

/* The summary (or TAP) on config->out and the report files; *t gets the
 * tally.  0, or -1 with err for a file that cannot be written. */
int pipe_report(const pipe_config *config, const rpt_run_info *info, const rpt_result *results,
                size_t n, rpt_tally *t, ic_error *err);

void pipe_free_results(rpt_result *results, size_t n);

typedef struct {
    int executed;        /* the executor started: the run got as far as executing */
    size_t parse_errors; /* files that did not parse (they make the run PIPE_BROKEN) */
} pipe_summary;

/*
 * The whole pipeline: plan, start the executor, execute, judge, report,
 * stop.  A plan that selects nothing is an error, unless some file did not
 * parse or the filter takes a shard.  err says why when it has a message
 * (it may have none: a scenario judged ERROR, a file that did not parse).
 */
pipe_status pipe_run(const pipe_config *config, const pipe_executor *exec,
                     const pipe_progress *progress, rpt_run_info *info, pipe_summary *summary,
                     ic_error *err);

#endif /* INTERPCHECK_PIPELINE_H */

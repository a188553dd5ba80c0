/*
 * worker.h: process supervision.  Runs the pipeline's jobs in child
 * processes, several at once, each with a deadline; reads what each child
 * reported (protocol.h) and turns a child that died, was killed at its
 * deadline or stopped reporting mid-way into CRASH or TIMEOUT, with the
 * last step it had started, never PASS.
 *
 * A child is either a fork of the runner's embedded Python (in-process mode,
 * pyhost.h) or a process of another Python running executor.py (--python).
 */
#ifndef INTERPCHECK_WORKER_H
#define INTERPCHECK_WORKER_H

#include <stddef.h>

#include "error.h"
#include "pipeline.h"

typedef struct {
    int parallel;     /* children at once (-j), 1 to PIPE_MAX_PARALLEL */
    const char *impl; /* module name of the implementation */
    double time_scale;
    /* Out-of-process mode when python_cmd is set: `sh -c 'exec CMD "$@"'`
     * runs `CMD -S -s EXECUTOR --impl IMPL --time-scale F` with PYTHONPATH. */
    const char *python_cmd;
    const char *executor_path;
    const char *pythonpath;
} wrk_config;

/*
 * Run every job, reporting each step and each outcome through `events`:
 * 0 when all ran, -1 with err if interrupted (Ctrl-C: IC_ERR_INTERRUPTED)
 * or a child could not be started; the running children are killed then.
 */
int wrk_run(const wrk_config *config, const pipe_job *jobs, size_t n_jobs,
            const pipe_events *events, ic_error *err);

#endif /* INTERPCHECK_WORKER_H */

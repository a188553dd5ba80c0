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
#include "scenario.h"

/* The deadline of a probe (wrk_probe), before --time-scale above 1: a
 * short scenario's. */
#define WRK_PROBE_SECONDS SCN_DEADLINE_SHORT_SECONDS

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
 * Check, before a run, that the implementation can be run at all, once
 * instead of once per scenario: with --python, that `CMD -S -s EXECUTOR
 * --version` answers as the executor does; then, in a child like any
 * scenario's (a fork in process, CMD otherwise), that the implementation
 * imports, within WRK_PROBE_SECONDS.  The runner's own process never
 * imports it.  0, or -1 with one message in err (IC_ERR_PYTHON) naming
 * what failed: the import's exception, the signal that killed the child,
 * the deadline, the last line the child printed.
 */
int wrk_probe(const wrk_config *config, ic_error *err);

/*
 * Run every job, reporting each step and each outcome through `events`:
 * 0 when all ran, -1 with err if interrupted (Ctrl-C: IC_ERR_INTERRUPTED)
 * or a child could not be started; the running children are killed then.
 * Each child leads a process group, killed whole once the child has exited
 * or at its deadline (after SIGUSR1 asked it for its Python stacks, which
 * become a TIMEOUT's traceback); see worker.c.
 */
int wrk_run(const wrk_config *config, const pipe_job *jobs, size_t n_jobs,
            const pipe_events *events, ic_error *err);

#endif /* INTERPCHECK_WORKER_H */

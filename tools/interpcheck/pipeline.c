/*
 * pipeline.c: parse -> plan -> execute -> judge -> report (see pipeline.h).
 *
 * The pipeline owns the plan and the results of a run; the executor owns
 * its processes.  An outcome the executor hands over is judged here, in
 * on_done, before any progress hook sees it.  No global state.
 */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coverage.h"

#include "scenario_json.h"

/* State of one execution, for the executor's callbacks. */
typedef struct {
    const pipe_config *config;
    rpt_result *results;
    const size_t *job_result; /* job index -> index in results */
    const pipe_progress *progress;
    rpt_run_info *info;
    size_t done, total;
} run_state;

int
pipe_plan(const pipe_config *config, const pipe_progress *progress, plan_set *p, ic_error *err)
{
    if (plan_build(config->root, config->paths, config->n_paths, config->filter, p, err) < 0) {
        return -1;
    }
    if (config->spec != NULL && cov_check_cited(config->spec, p, err) < 0) {
        plan_free(p);
        return -1;
    }
    if (progress->planned != NULL) {
        progress->planned(p, progress->ctx);
    }
    return 0;
}

/* r's line in the streamed JSON lines, after the run line. */
static void
stream_result(const pipe_config *config, const rpt_run_info *info, const rpt_result *r)
{
    pipe_stream *st = config->stream;
    if (st == NULL || st->failed) {
        return;
    }
    if (!st->started && rpt_jsonl_run(st->file, info) < 0) {
        st->failed = errno ? errno : EIO;
    }
    st->started = 1;
    if (r != NULL && !st->failed && rpt_jsonl_result(st->file, info, r) < 0) {
        st->failed = errno ? errno : EIO;
    }
}

static double
deadline_of(const scn_scenario *s, double scale)
{
    /* An upper bound: a --time-scale below 1 never shortens it (FORMAT.md 8). */
    return (s->timeout == SCN_TIMEOUT_LONG ? SCN_DEADLINE_LONG_SECONDS
                                           : SCN_DEADLINE_SHORT_SECONDS) *
           (scale > 1.0 ? scale : 1.0);
}

/* Judge r->o: the clause it is charged to, then the verdict. */
static void
judge_result(rpt_result *r)
{
    rpt_charge(r);
    int must_fail = r->item->scenario->verdict == SCN_VERDICT_FAIL;
    r->v = expect_judge(r->o.verdict, r->clause, r->entry, must_fail, r->why_text,
                        sizeof r->why_text);
    r->why = r->why_text[0] != '\0' ? r->why_text : NULL;
    r->done = 1;
}

static void
on_step(size_t job, int index, unsigned line, void *ctx)
{
    run_state *st = ctx;
    if (st->progress->step != NULL) {
        st->progress->step(&st->results[st->job_result[job]], index, line, st->progress->ctx);
    }
}

static void
on_done(size_t job, proto_outcome *o, void *ctx)
{
    run_state *st = ctx;
    rpt_result *r = &st->results[st->job_result[job]];
    if (o->python[0] != '\0' && st->info->python_version[0] == '\0') {
        snprintf(st->info->python_version, sizeof st->info->python_version, "%s", o->python);
    }
    r->o = *o;
    memset(o, 0, sizeof *o); /* the result owns the details now */
    judge_result(r);
    stream_result(st->config, st->info, r);
    st->done++;
    if (st->progress->judged != NULL) {
        st->progress->judged(r, st->done, st->total, st->progress->ctx);
    }
}

/*
 * results[i] for every item; a scenario its expectation entry skips is
 * judged at once, every other one becomes a job.  0, or -1 with err.
 */
static int
make_jobs(const pipe_config *config, const plan_set *p, const pipe_progress *progress,
          const rpt_run_info *info, rpt_result *results, pipe_job *jobs, size_t *job_result,
          size_t *n_jobs, ic_error *err)
{
    *n_jobs = 0;
    for (size_t i = 0; i < p->n; i++) {
        rpt_result *r = &results[i];
        r->item = &p->items[i];
        expect_entry *entry = expect_find(config->expect, r->item->id);
        r->entry = entry;
        if (entry != NULL) {
            entry->used = 1;
        }
        if (entry != NULL && entry->outcomes == (1u << PROTO_SKIP)) {
            r->o.verdict = PROTO_SKIP;
            r->o.step_index = -1;
            r->v = EXPECT_SKIP;
            r->done = 1;
            stream_result(config, info, r);
            if (progress->skipped != NULL) {
                progress->skipped(r, progress->ctx);
            }
            continue;
        }
        char *json = scnjson_encode(r->item->scenario, r->item->id, r->item->path);
        if (json == NULL) {
            return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
        }
        jobs[*n_jobs] =
            (pipe_job){.json = json,
                       .deadline = deadline_of(r->item->scenario, config->time_scale),
                       .step_deadline = SCN_STEP_DEADLINE_SECONDS *
                                        (config->time_scale > 1.0 ? config->time_scale : 1.0)};
        job_result[(*n_jobs)++] = i;
    }
    return 0;
}

int
pipe_execute(const pipe_config *config, const plan_set *p, const pipe_executor *exec,
             const pipe_progress *progress, rpt_run_info *info, rpt_result *results, ic_error *err)
{
    pipe_job *jobs = calloc(p->n ? p->n : 1, sizeof *jobs);
    size_t *job_result = calloc(p->n ? p->n : 1, sizeof *job_result);
    size_t n_jobs = 0;
    int status = -1;
    if (jobs == NULL || job_result == NULL) {
        ic_error_set(err, IC_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (make_jobs(config, p, progress, info, results, jobs, job_result, &n_jobs, err) < 0) {
        goto done;
    }
    run_state state = {.config = config,
                       .results = results,
                       .job_result = job_result,
                       .progress = progress,
                       .info = info,
                       .total = n_jobs};
    pipe_events events = {.on_step = on_step, .on_done = on_done, .ctx = &state};
    status = exec->run(exec->self, jobs, n_jobs, &events, err);
    if (progress->executed != NULL) {
        progress->executed(progress->ctx);
    }
done:
    for (size_t k = 0; jobs != NULL && k < n_jobs; k++) {
        free((char *)jobs[k].json);
    }
    free(jobs);
    free(job_result);
    return status;
}

void
pipe_free_results(rpt_result *results, size_t n)
{
    for (size_t i = 0; results != NULL && i < n; i++) {
        proto_outcome_clear(&results[i].o);
    }
    free(results);
}

/* One report file: 0, or -1 with err. */
static int
write_file(const char *path, const pipe_config *config, const rpt_run_info *info,
           const rpt_result *results, size_t n, const rpt_tally *t, ic_error *err)
{
    FILE *f = fopen(path, "w");
    int status = f ? 0 : -1;
    if (status == 0 && path == config->junit) {
        status = rpt_junit(f, info, results, n);
    }
    else if (status == 0 && path == config->jsonl) {
        status = rpt_jsonl(f, info, results, n);
    }
    else if (status == 0) {
        status = rpt_markdown(f, info, results, n, t);
    }
    if (f == NULL || fclose(f) != 0 || status < 0) {
        return ic_error_set(err, IC_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    return 0;
}

int
pipe_report(const pipe_config *config, const rpt_run_info *info, const rpt_result *results,
            size_t n, rpt_tally *t, ic_error *err)
{
    rpt_tally_results(results, n, t);
    if (config->tap) {
        rpt_tap(config->out, info, results, n);
    }
    else {
        rpt_human_summary(config->out, info, t, results, n);
    }
    if (config->stream != NULL && config->stream->file != NULL) {
        /* Streamed as the scenarios ended; now written again whole, in plan order. */
        int failed = config->stream->failed;
        if (fclose(config->stream->file) != 0 && !failed) {
            failed = errno;
        }
        config->stream->file = NULL;
        if (failed) {
            return ic_error_set(err, IC_ERR_IO, "cannot write %s: %s", config->jsonl,
                                strerror(failed));
        }
    }
    const char *files[] = {config->junit, config->jsonl, config->markdown};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (files[i] != NULL && write_file(files[i], config, info, results, n, t, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Execute, judge and report a plan the executor has started for. */
static pipe_status
execute_and_report(const pipe_config *config, const plan_set *p, const pipe_executor *exec,
                   const pipe_progress *progress, rpt_run_info *info, ic_error *err)
{
    rpt_result *results = calloc(p->n ? p->n : 1, sizeof *results);
    pipe_status status = PIPE_BROKEN;
    rpt_tally t;
    if (results == NULL) {
        ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    else if (pipe_execute(config, p, exec, progress, info, results, err) == 0) {
        int written = pipe_report(config, info, results, p->n, &t, err);
        status = t.deviating > 0 ? PIPE_DEVIATE : PIPE_MATCH;
        if (written < 0 || t.counts[EXPECT_ERROR] > 0) {
            status = PIPE_BROKEN;
        }
    }
    pipe_free_results(results, p->n);
    return status;
}

/* execute_and_report, with the --jsonl file written as the scenarios end. */
static pipe_status
streamed_run(const pipe_config *config, const plan_set *p, const pipe_executor *exec,
             const pipe_progress *progress, rpt_run_info *info, ic_error *err)
{
    if (config->jsonl == NULL || config->stream != NULL) {
        return execute_and_report(config, p, exec, progress, info, err);
    }
    pipe_stream stream = {.file = fopen(config->jsonl, "w")};
    if (stream.file == NULL) {
        ic_error_set(err, IC_ERR_IO, "cannot write %s: %s", config->jsonl, strerror(errno));
        return PIPE_BROKEN;
    }
    pipe_config streamed = *config;
    streamed.stream = &stream;
    pipe_status status = execute_and_report(&streamed, p, exec, progress, info, err);
    if (stream.file != NULL) { /* not reported: what ran stays, up to where it stopped */
        fclose(stream.file);
    }
    return status;
}

int
pipe_check_outputs(const pipe_config *config, ic_error *err)
{
    const char *files[] = {config->junit, config->jsonl, config->markdown};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (files[i] == NULL) {
            continue;
        }
        int made = 1, fd = open(files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST) {
            made = 0;
            fd = open(files[i], O_WRONLY | O_CLOEXEC);
        }
        if (fd < 0) {
            return ic_error_set(err, IC_ERR_IO, "cannot write %s: %s", files[i], strerror(errno));
        }
        close(fd);
        if (made) {
            unlink(files[i]);
        }
    }
    return 0;
}

pipe_status
pipe_run(const pipe_config *config, const pipe_executor *exec, const pipe_progress *progress,
         rpt_run_info *info, pipe_summary *summary, ic_error *err)
{
    plan_set p;
    *summary = (pipe_summary){0};
    ic_error_clear(err);
    if (pipe_check_outputs(config, err) < 0 || pipe_plan(config, progress, &p, err) < 0) {
        return PIPE_BROKEN;
    }
    pipe_status status = PIPE_BROKEN;
    /* A mistyped --filter must not pass in CI as "0 passed".  An empty
     * shard is normal (more shards than scenarios), and a parse error is
     * reported on its own. */
    if (p.n == 0 && p.parse_errors == 0 && config->filter->shards == 0) {
        ic_error_set(err, IC_ERR_USAGE,
                     "no scenario selected: the paths and filters given match none (see "
                     "`interpcheck list` with the same arguments)");
        goto done;
    }
    if (exec->start != NULL && exec->start(exec->self, err) < 0) {
        goto done;
    }
    summary->executed = 1;
    summary->parse_errors = p.parse_errors;
    const char *version = exec->python_version ? exec->python_version(exec->self) : "";
    snprintf(info->python_version, sizeof info->python_version, "%s", version);
    status = streamed_run(config, &p, exec, progress, info, err);
    if (exec->stop != NULL) {
        exec->stop(exec->self);
    }
    if (summary->parse_errors > 0) {
        status = PIPE_BROKEN;
    }
done:
    plan_free(&p);
    return status;
}

/*
 * cmd_run.c: `interpcheck run` and `interpcheck list`, and what `diff`
 * shares with run (see commands.h): the host of one implementation behind
 * the pipeline's executor interface, the terminal progress, provenance.
 * The subcommands are the edge of the error convention: they print.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pyhost.h"
#include "strbuf.h"

/* The Python this runner embeds, as a program, for scenarios that start a
 * fresh Python (`subprocess`); they find interpref in the built or installed
 * module's folder (layout.h), which is on their path. */
#ifndef INTERPCHECK_PYTHON_EXECUTABLE
#define INTERPCHECK_PYTHON_EXECUTABLE "python3"
#endif

void
cmd_print_error(const ic_error *err)
{
    fprintf(stderr, "interpcheck: %s\n", err->message);
}

/* ---- the host of one implementation -------------------------------------- */

/* The module search path for the executor: --path folders, the executor's,
 * the adapters', and in process the interpref module's (layout.h). */
static char *
search_path(const cli_options *o, int in_process)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < o->n_extra_paths; i++) {
        sb_printf(&sb, "%s:", o->extra_paths[i]);
    }
    const char *executor = o->layout.executor;
    const char *slash = strrchr(executor, '/');
    sb_append(&sb, executor, slash ? (size_t)(slash - executor) : 0);
    if (o->layout.adapters != NULL) {
        sb_printf(&sb, ":%s", o->layout.adapters);
    }
    if (in_process && o->layout.module_dir != NULL) {
        sb_printf(&sb, ":%s", o->layout.module_dir);
    }
    return sb_finish(&sb);
}

int
cmd_host_init(cmd_host *h, const cli_options *o, const char *impl, const char *python_cmd,
              ic_error *err)
{
    memset(h, 0, sizeof *h);
    h->options = o;
    h->in_process = python_cmd == NULL;
    if (o->layout.executor == NULL) {
        return ic_error_set(err, IC_ERR_INPUT,
                            "no executor.py beside %s, nor with this runner's data", o->root);
    }
    h->pythonpath = search_path(o, h->in_process);
    h->executor = strdup(o->layout.executor);
    h->wrk = (wrk_config){.parallel = o->parallel,
                          .impl = impl,
                          .time_scale = o->time_scale,
                          .python_cmd = python_cmd,
                          .executor_path = h->executor,
                          .pythonpath = h->pythonpath};
    if (h->pythonpath == NULL || h->executor == NULL) {
        cmd_host_free(h);
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* Looks like layout_free() (layout.c), with the exit above it: each frees
 * its own fields; kept apart on purpose. */
void
cmd_host_free(cmd_host *h)
{
    free(h->pythonpath);
    free(h->executor);
    h->pythonpath = h->executor = NULL;
}

static int
host_start(void *self, ic_error *err)
{
    cmd_host *h = self;
    if (h->in_process && !h->started) {
        if (pyhost_start(h->pythonpath, INTERPCHECK_PYTHON_EXECUTABLE, err) < 0) {
            return -1;
        }
        h->started = 1;
    }
    /* Once, before any scenario: a --python that does not run, an
     * implementation that does not import (worker.h). */
    return wrk_probe(&h->wrk, err);
}

static int
host_run(void *self, const pipe_job *jobs, size_t n, const pipe_events *events, ic_error *err)
{
    cmd_host *h = self;
    return wrk_run(&h->wrk, jobs, n, events, err);
}

static void
host_stop(void *self)
{
    cmd_host *h = self;
    if (h->started) {
        pyhost_stop();
        h->started = 0;
    }
}

static const char *
host_python_version(void *self)
{
    cmd_host *h = self;
    return h->in_process ? pyhost_python_version() : "";
}

pipe_executor
cmd_host_executor(cmd_host *h)
{
    return (pipe_executor){host_start, host_run, host_stop, host_python_version, h};
}

/* ---- the terminal ---------------------------------------------------------- */

/* The human report lists every scenario, not only deviations (--trace
 * shows each one's output under its name). */
static int
lists_all(const cli_options *o)
{
    return o->verbose || o->trace;
}

static void
term_planned(const plan_set *p, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < p->parse_errors; i++) {
        fprintf(stderr, "%s\n", p->errors[i]);
    }
}

static void
term_step(const rpt_result *r, int index, unsigned line, void *ctx)
{
    cmd_term *t = ctx;
    if (t->options->trace) {
        fprintf(stderr, "  %s:%u: step %d\n", r->item->path, line, index + 1);
    }
}

static void
term_skipped(const rpt_result *r, void *ctx)
{
    cmd_term *t = ctx;
    if (!t->quiet) {
        rpt_human_result(stdout, t->info, r, lists_all(t->options));
    }
}

static void
term_judged(const rpt_result *r, size_t done, size_t total, void *ctx)
{
    cmd_term *t = ctx;
    if (t->progress) {
        fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, total, r->item->id);
    }
    if (t->live.on) {
        cmd_live_line(&t->live, r, done, total);
    }
    if (t->quiet) {
        return;
    }
    int deviates = !expect_verdict_matches(r->v);
    if (t->progress && (deviates || lists_all(t->options))) {
        fprintf(stderr, "\r\033[K");
    }
    rpt_human_result(stdout, t->info, r, lists_all(t->options));
    if (t->options->trace && !deviates) {
        rpt_human_output(stdout, r->o.output); /* a deviation's report has it already */
    }
    fflush(stdout);
}

static void
term_executed(void *ctx)
{
    cmd_term *t = ctx;
    if (t->progress) {
        fprintf(stderr, "\r\033[K");
    }
}

pipe_progress
cmd_term_progress(cmd_term *t)
{
    return (pipe_progress){term_planned, term_step, term_skipped, term_judged, term_executed, t};
}

/* ---- provenance ------------------------------------------------------------ */

char *
cmd_joined_command(int argc, char **argv)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < argc; i++) {
        sb_puts(&sb, i ? " " : "");
        sb_shell_word(&sb, argv[i]);
    }
    return sb_finish(&sb);
}

/* What a rerun of one scenario needs: everything that changes how it runs,
 * and what its id is relative to (--root), but no selection. */
static char *
rerun_prefix(const cli_options *o)
{
    strbuf sb;
    sb_init(&sb);
    sb_shell_word(&sb, o->argv[0]);
    sb_puts(&sb, " --impl ");
    sb_shell_word(&sb, o->impl);
    const char *valued[][2] = {{" --python ", o->python_cmd},
                               {" --expect ", o->expect_path},
                               {" --spec ", o->spec_given ? o->spec : NULL},
                               {" --root ", o->root_given ? o->root : NULL}};
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++) {
        if (valued[i][1] != NULL) {
            sb_puts(&sb, valued[i][0]);
            sb_shell_word(&sb, valued[i][1]);
        }
    }
    for (size_t i = 0; i < o->n_extra_paths; i++) {
        sb_puts(&sb, " --path ");
        sb_shell_word(&sb, o->extra_paths[i]);
    }
    if (o->time_scale != 1.0) {
        sb_printf(&sb, " --time-scale %g", o->time_scale);
    }
    for (size_t i = 0; i < o->n_paths && !o->whole_suite; i++) {
        sb_puts(&sb, " ");
        sb_shell_word(&sb, o->paths[i]);
    }
    return sb_finish(&sb);
}

void
cmd_fill_info(rpt_run_info *info, const char *label, const char *command, const char *rerun)
{
    memset(info, 0, sizeof *info);
    info->impl = label;
    info->python = info->python_version;
    info->runner_version = CLI_VERSION_TEXT;
    info->command_line = command;
    info->rerun_prefix = rerun;
    time_t t = time(NULL);
    struct tm utc;
    strftime(info->date, sizeof info->date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &utc));
}

pipe_config
cmd_pipe_config(const cli_options *o, const plan_filter *filter)
{
    return (pipe_config){.root = o->root,
                         .spec = o->spec,
                         .paths = o->paths,
                         .n_paths = o->n_paths,
                         .filter = filter,
                         .time_scale = o->time_scale,
                         .out = stdout,
                         .tap = o->tap,
                         .junit = o->junit,
                         .jsonl = o->jsonl,
                         .markdown = o->markdown};
}

/* ---- run ------------------------------------------------------------------- */

/* A stale entry (no such scenario) can only be told on an unfiltered run:
 * 1 if there is one (each printed), else 0. */
static int
stale_entries(const cli_options *o, const expect_file *expect)
{
    int stale = 0;
    for (size_t i = 0; i < expect->n && !o->filtered && o->whole_suite; i++) {
        if (!expect->entries[i].used) {
            fprintf(stderr, "%s:%u: no scenario %s in this suite (stale entry)\n", expect->path,
                    expect->entries[i].line, expect->entries[i].id);
            stale = 1;
        }
    }
    return stale;
}

/* The pipeline over the host, with the terminal as its progress. */
static int
run_pipeline(const cli_options *o, expect_file *expect, cmd_host *host, ic_error *err)
{
    char *command = cmd_joined_command(o->argc, o->argv);
    char *rerun = rerun_prefix(o);
    rpt_run_info info;
    cmd_fill_info(&info, o->label ? o->label : o->impl, command ? command : o->argv[0],
                  rerun ? rerun : o->argv[0]);
    info.suite_root = o->root;
    cmd_meta meta;
    cmd_fill_meta(&info, o, &meta);
    cmd_term term = {.options = o,
                     .info = &info,
                     .quiet = o->tap,
                     .progress = !o->tap && !o->trace && isatty(STDERR_FILENO)};
    term.live = cmd_live_start(!o->tap && !o->trace && !term.progress);
    pipe_progress progress = cmd_term_progress(&term);
    pipe_executor exec = cmd_host_executor(host);
    pipe_config config = cmd_pipe_config(o, &o->filter);
    config.expect = expect;
    pipe_summary summary;
    int status = (int)pipe_run(&config, &exec, &progress, &info, &summary, err);
    if (err->message[0] != '\0') {
        cmd_print_error(err);
    }
    if (summary.executed && stale_entries(o, expect)) {
        status = 2;
    }
    if (summary.parse_errors > 0) {
        fprintf(stderr, "interpcheck: %zu scenario file(s) did not parse\n", summary.parse_errors);
    }
    free(command);
    free(rerun);
    return status;
}

int
cmd_run(const cli_options *o)
{
    expect_file expect = {0};
    cmd_host host = {0};
    ic_error err = {0};
    int status = 2;
    if (o->expect_path != NULL && expect_load(o->expect_path, &expect, &err) < 0) {
        cmd_print_error(&err);
        goto done;
    }
    if (cmd_host_init(&host, o, o->impl, o->python_cmd, &err) < 0) {
        cmd_print_error(&err);
        goto done;
    }
    status = o->repeat > 1 ? cmd_repeat(o, &expect, &host) : run_pipeline(o, &expect, &host, &err);
done:
    cmd_host_free(&host);
    expect_free(&expect);
    return status;
}

/* ---- list ------------------------------------------------------------------ */

int
cmd_list(const cli_options *o)
{
    plan_set p;
    ic_error err = {0};
    if (plan_build(o->root, o->paths, o->n_paths, &o->filter, &p, &err) < 0) {
        cmd_print_error(&err);
        return 2;
    }
    term_planned(&p, NULL);
    for (size_t i = 0; i < p.n; i++) {
        const scn_scenario *s = p.items[i].scenario;
        printf("%s  %s ", p.items[i].id, scn_level_name(s->level));
        for (size_t k = 0; k < s->n_clauses; k++) {
            printf(" %s", s->clauses[k]); /* two spaces before the first: columns */
        }
        printf("\n");
    }
    int status = p.parse_errors > 0 ? 2 : 0;
    plan_free(&p);
    return status;
}

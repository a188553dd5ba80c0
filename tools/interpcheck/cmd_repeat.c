/*
 * cmd_repeat.c: `interpcheck run --repeat N` (WPT's --verify): the plan
 * runs N times on one started host, then each scenario whose verdicts
 * differ between the runs is listed with its verdict counts, and a total.
 * The reports (summary, --junit, --jsonl, --markdown) are the first run's.
 * Exit status: 1 if any scenario's verdicts differ, else as a plain run.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 if scenario i's verdict is not the same in every run. */
static int
flaky(rpt_result *const *runs, int n_runs, size_t i)
{
    /* A run that could not start has no results to compare. */
    for (int k = 0; k < n_runs; k++) {
        if (runs[k] == NULL) {
            return 0;
        }
    }
    for (int k = 1; k < n_runs; k++) {
        if (runs[k][i].v != runs[0][i].v) {
            return 1;
        }
    }
    return 0;
}

/* One line per flaky scenario, then the total; the number of flaky ones. */
static size_t
print_flaky(const plan_set *p, rpt_result *const *runs, int n_runs, int tap)
{
    const char *lead = tap ? "# " : ""; /* TAP on stdout: comments */
    size_t n_flaky = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!flaky(runs, n_runs, i)) {
            continue;
        }
        size_t counts[EXPECT_ERROR + 1] = {0};
        for (int k = 0; k < n_runs; k++) {
            counts[runs[k][i].v]++;
        }
        printf("%sFLAKY   %s:", lead, p->items[i].id);
        for (int v = EXPECT_PASS; v <= EXPECT_ERROR; v++) {
            if (counts[v] > 0) {
                printf(" %s %zu", expect_verdict_name((expect_verdict)v), counts[v]);
            }
        }
        printf(" (of %d runs)\n", n_runs);
        n_flaky++;
    }
    printf("%sinterpcheck: --repeat %d: %zu of %zu scenarios flaky (verdicts differ between "
           "runs)\n",
           lead, n_runs, n_flaky, p->n);
    return n_flaky;
}

/* Run k of the plan into runs[k]: 0, or -1 with err. */
static int
run_once(const cli_options *o, const pipe_config *config, const plan_set *p, cmd_host *host,
         rpt_run_info *info, rpt_result **runs, int k, ic_error *err)
{
    runs[k] = calloc(p->n ? p->n : 1, sizeof *runs[k]);
    if (runs[k] == NULL) {
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    cmd_term term = {.options = o, .info = info, .quiet = 1};
    term.live = cmd_live_start(!isatty(STDERR_FILENO));
    pipe_progress progress = cmd_term_progress(&term);
    progress.planned = NULL;
    pipe_executor exec = cmd_host_executor(host);
    fprintf(stderr, "interpcheck: --repeat: run %d of %d\n", k + 1, o->repeat);
    return pipe_execute(config, p, &exec, &progress, info, runs[k], err);
}

/* Every run, the first one's reports and the flaky list: the exit status. */
static int
repeat_runs(const cli_options *o, const pipe_config *config, const plan_set *p, cmd_host *host,
            rpt_run_info *info, rpt_result **runs, ic_error *err)
{
    pipe_executor exec = cmd_host_executor(host);
    if (exec.start(exec.self, err) < 0) {
        return 2;
    }
    const char *version = exec.python_version(exec.self);
    snprintf(info->python_version, sizeof info->python_version, "%s", version);
    int status = 0;
    for (int k = 0; k < o->repeat && status == 0; k++) {
        status = run_once(o, config, p, host, info, runs, k, err);
    }
    exec.stop(exec.self);
    if (status < 0) {
        return 2;
    }
    rpt_tally t;
    if (pipe_report(config, info, runs[0], p->n, &t, err) < 0) {
        return 2;
    }
    size_t n_flaky = print_flaky(p, runs, o->repeat, o->tap);
    if (t.counts[EXPECT_ERROR] > 0 || p->parse_errors > 0) {
        return 2;
    }
    return n_flaky > 0 || t.deviating > 0 ? 1 : 0;
}

int
cmd_repeat(const cli_options *o, expect_file *expect, cmd_host *host)
{
    ic_error err = {0};
    char *command = cmd_joined_command(o->argc, o->argv);
    rpt_run_info info;
    cmd_fill_info(&info, o->label ? o->label : o->impl, command ? command : o->argv[0], o->argv[0]);
    info.suite_root = o->root;
    cmd_meta meta;
    cmd_fill_meta(&info, o, &meta);
    pipe_config config = cmd_pipe_config(o, &o->filter);
    config.expect = expect;
    pipe_progress planned = {0};
    plan_set p;
    int status = 2;
    rpt_result **runs = calloc((size_t)o->repeat, sizeof(rpt_result *));
    if (runs == NULL) {
        ic_error_set(&err, IC_ERR_NOMEM, "out of memory");
    }
    else if (pipe_check_outputs(&config, &err) == 0 &&
             pipe_plan(&config, &planned, &p, &err) == 0) {
        for (size_t i = 0; i < p.parse_errors; i++) {
            fprintf(stderr, "%s\n", p.errors[i]);
        }
        status = repeat_runs(o, &config, &p, host, &info, runs, &err);
        for (int k = 0; k < o->repeat; k++) {
            pipe_free_results(runs[k], p.n);
        }
        plan_free(&p);
    }
    if (err.message[0] != '\0') {
        cmd_print_error(&err);
    }
    free(runs);
    free(command);
    return status;
}

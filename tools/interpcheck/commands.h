/*
 * commands.h: the subcommands of `interpcheck`, each returning the exit
 * status (0 all outcomes match, 1 some deviate, 2 broken input) after
 * printing its own errors: they are the edge of the error convention
 * (error.h).  cmd_run.c holds run and list and what diff shares with run
 * (the executor host, the terminal progress, provenance); cmd_diff.c and
 * cmd_coverage.c one subcommand each.
 */
#ifndef INTERPCHECK_COMMANDS_H
#define INTERPCHECK_COMMANDS_H

#include "cli.h"
#include "pipeline.h"
#include "report.h"
#include "worker.h"

int cmd_run(const cli_options *o);
int cmd_list(const cli_options *o);
int cmd_coverage(const cli_options *o);
int cmd_diff(const cli_options *o);

/* "interpcheck: MESSAGE" on stderr. */
void cmd_print_error(const ic_error *err);

/* Selection of the plan from the options. */
pipe_config cmd_pipe_config(const cli_options *o, const plan_filter *filter);

/* One implementation behind the pipeline's executor interface: worker.c's
 * children, and in-process mode's embedded Python (pyhost.c). */
typedef struct {
    wrk_config wrk;
    const cli_options *options;
    char *pythonpath, *executor;
    int in_process, started;
} cmd_host;

/* 0, or -1 with err (memory). */
int cmd_host_init(cmd_host *h, const cli_options *o, const char *impl, const char *python_cmd,
                  ic_error *err);
pipe_executor cmd_host_executor(cmd_host *h);
void cmd_host_free(cmd_host *h);

/* Live progress for logs (stderr not a terminal): a line at most every
 * `interval` seconds as scenarios end (CMD_LIVE_SECONDS, or the
 * environment's INTERPCHECK_PROGRESS_SECONDS; 0: every scenario), and
 * one for the last when an earlier one was printed (a run shorter than
 * the interval prints none). */
#define CMD_LIVE_SECONDS 10
typedef struct {
    int on, interval, printed;
    double started, last;
    size_t counts[EXPECT_ERROR + 1];
} cmd_live;
int cmd_live_interval(void);
/* The clock starts now; `on`: print at all. */
cmd_live cmd_live_start(int on);
void cmd_live_line(cmd_live *l, const rpt_result *r, size_t done, size_t total);

/* The terminal as the pipeline's progress: trace lines, the per-scenario
 * human report, the progress line on a terminal. */
typedef struct {
    const cli_options *options;
    const rpt_run_info *info;
    int quiet;     /* no per-scenario report (TAP, diff) */
    int progress;  /* the [done/total] line on stderr */
    cmd_live live; /* or, off a terminal, the live lines */
} cmd_term;

pipe_progress cmd_term_progress(cmd_term *t);

/* Provenance of a run: the label, the command, the date. */
void cmd_fill_info(rpt_run_info *info, const char *label, const char *command, const char *rerun);
/* What the JSON lines' run line says (rpt_run_info points into it). */
typedef struct {
    char suite[80];
    char shard[32];
    char strip_root[4096];
} cmd_meta;
void cmd_fill_meta(rpt_run_info *info, const cli_options *o, cmd_meta *m);
/* The commit of root's suite/ and SPEC.md, "-dirty" if they changed; "unknown"
 * outside a git checkout. */
void cmd_suite_version(const char *root, char *buf, size_t size);

/* `interpcheck run --repeat N` (cmd_repeat.c) and `interpcheck merge` (cmd_merge.c). */
/* --repeat: o->repeat runs of the plan on one started host, then the
 * scenarios whose verdicts differ; exit status as cmd_run, 1 if any differs. */
int cmd_repeat(const cli_options *o, expect_file *expect, cmd_host *host);
int cmd_merge(const cli_options *o);

/* argv as one shell command (malloc'd, or NULL). */
char *cmd_joined_command(int argc, char **argv);

#endif /* INTERPCHECK_COMMANDS_H */

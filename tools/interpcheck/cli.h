/*
 * cli.h: the command line of `interpcheck`: the subcommand, the options and
 * the paths.  One table in cli.c lists every option; getopt_long's table,
 * `--help` and `--list-options` are all made from it.
 */
#ifndef INTERPCHECK_CLI_H
#define INTERPCHECK_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "layout.h"
#include "plan.h"

#define CLI_VERSION_TEXT "interpcheck 0.1"

/* Bounds of the numeric options. */
#define CLI_MAX_TIME_SCALE 1000.0
#define CLI_MAX_REPEAT 100
/* Default -j: scenarios mostly wait (queues, sleeps, deadlines), so a CPU
 * keeps several busy; capped by PIPE_MAX_PARALLEL. */
#define CLI_PARALLEL_PER_CPU 4

typedef struct {
    const char *command; /* "run", "list", "coverage", "diff" or "merge" */
    const char *impl, *python_cmd, *label, *expect_path, *root, *spec;
    const char *junit, *jsonl, *markdown;
    int parallel, trace, verbose, tap;
    int repeat;      /* --repeat N: runs of each scenario (1: no flake check) */
    int filtered;    /* some selection option was given */
    int whole_suite; /* no PATH: the suite */
    int root_given;  /* --root was given */
    int spec_given;  /* --spec was given */
    double time_scale;
    plan_filter filter;
    const char **paths;
    size_t n_paths;
    const char **targets;
    size_t n_targets;
    const char **extra_paths;
    size_t n_extra_paths;
    int argc; /* the command line as given, for reports */
    char **argv;
    ic_layout layout; /* the data's folders (layout.h): defaults of root, spec, the suite */
} cli_options;

typedef enum {
    CLI_RUN,          /* *o is filled: run o->command */
    CLI_HELP,         /* -h or --help anywhere: print cli_usage() */
    CLI_VERSION,      /* --version */
    CLI_LIST_OPTIONS, /* --list-options: print cli_list_options() */
    CLI_ERROR,        /* err says what is wrong (IC_ERR_USAGE, IC_ERR_NOMEM) */
} cli_action;

/* Parse argv into *o (free it with cli_free(), whatever the action). */
cli_action cli_parse(int argc, char **argv, cli_options *o, ic_error *err);
void cli_free(cli_options *o);

/* -j's default: CLI_PARALLEL_PER_CPU x the online CPUs, at most PIPE_MAX_PARALLEL. */
int cli_default_parallel(void);

/* The help text. */
void cli_usage(FILE *out);
/* Every option's spellings, one a line, each followed by its value's name
 * when it takes one ("--impl NAME", "-j N", "--trace"): for scripts. */
void cli_list_options(FILE *out);

#endif /* INTERPCHECK_CLI_H */

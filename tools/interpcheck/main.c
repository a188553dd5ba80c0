/*
 * main.c: the `interpcheck` command: check an implementation of the
 * subinterpreters API against the conformance suite.
 *
 *     interpcheck [run] [options] [PATH...]   run scenarios (default: the suite)
 *     interpcheck list [filters] [PATH...]    list the selected scenarios
 *     interpcheck coverage [PATH...]          SPEC clauses no scenario cites
 *     interpcheck diff --target L=IMPL[@CMD]... [PATH...]
 *                                             disagreements between implementations
 *
 * Exit status: 0 when every outcome matches the expectations, 1 when some
 * deviate, 2 when the harness or its input is broken (a scenario that does
 * not parse, a bad expectation file, an implementation that cannot even be
 * imported, a scenario judged ERROR).  `interpcheck --help` says the rest.
 *
 * This file only dispatches: the command line is cli.c's, the subcommands
 * are cmd_*.c's.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*command)(const cli_options *o);
    } commands[] = {{"run", cmd_run},
                    {"list", cmd_list},
                    {"coverage", cmd_coverage},
                    {"diff", cmd_diff},
                    {"merge", cmd_merge}};
    cli_options o;
    ic_error err = {0};
    int status = 2;
    switch (cli_parse(argc, argv, &o, &err)) {
    case CLI_HELP:
        cli_usage(stdout);
        status = 0;
        break;
    case CLI_VERSION:
        printf("%s\n", CLI_VERSION_TEXT);
        status = 0;
        break;
    case CLI_LIST_OPTIONS:
        cli_list_options(stdout);
        status = 0;
        break;
    case CLI_ERROR:
        fprintf(stderr, "interpcheck: %s\n(try interpcheck --help)\n", err.message);
        break;
    case CLI_RUN:
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
            if (strcmp(o.command, commands[i].name) == 0) {
                status = commands[i].command(&o);
            }
        }
        break;
    }
    cli_free(&o);
    return status;
}

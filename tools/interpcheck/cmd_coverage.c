/*
 * cmd_coverage.c: `interpcheck coverage`: SPEC.md's clauses against the
 * clauses the scenarios cite (coverage.h), over every scenario of the
 * paths: the selection options do not apply.  The edge of the error
 * convention: it prints.
 */
#include "commands.h"

#include <stdio.h>

#include "coverage.h"

int
cmd_coverage(const cli_options *o)
{
    plan_filter none = {0};
    pipe_config config = cmd_pipe_config(o, &none);
    config.spec = NULL; /* undefined ids are this report's to list, not parse errors */
    cmd_term term = {.options = o};
    pipe_progress progress = cmd_term_progress(&term);
    ic_error err = {0};
    plan_set p;
    if (pipe_plan(&config, &progress, &p, &err) < 0) {
        cmd_print_error(&err);
        return 2;
    }
    cov_status status = cov_report(stdout, o->spec, &p, &err);
    if (err.message[0] != '\0') {
        cmd_print_error(&err);
    }
    if (p.parse_errors > 0) {
        status = COV_BROKEN;
    }
    plan_free(&p);
    return (int)status;
}

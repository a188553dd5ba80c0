/*
 * cmd_diff.c: `interpcheck diff`: the same plan run on two or more
 * implementations (--target LABEL=IMPL[@PYTHONCMD]), and the scenarios whose
 * outcomes disagree, grouped by clause.  Only the raw outcomes are compared:
 * no expectation file.  The edge of the error convention: it prints.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyhost.h"

/* One --target, split: its label, module and Python command. */
typedef struct {
    char *spec; /* malloc'd: LABEL\0IMPL[\0PYTHONCMD] */
    const char *label, *impl, *python_cmd;
    rpt_result *results; /* one a scenario of the plan */
} diff_target;

/* Split `text`: 0, or -1 with err. */
static int
parse_target(const char *text, diff_target *t, ic_error *err)
{
    t->spec = strdup(text);
    char *eq = t->spec ? strchr(t->spec, '=') : NULL;
    if (eq == NULL || eq == t->spec || eq[1] == '\0') {
        return ic_error_set(err, IC_ERR_USAGE, "--target takes LABEL=IMPL[@PYTHONCMD], not '%s'",
                            text);
    }
    *eq = '\0';
    char *at = strchr(eq + 1, '@');
    if (at != NULL) {
        *at = '\0';
    }
    t->label = t->spec;
    t->impl = eq + 1;
    t->python_cmd = at ? at + 1 : NULL;
    return 0;
}

/* Run the plan on one target into t->results: 0, or -1 with err. */
static int
run_target(const cli_options *o, const plan_set *p, diff_target *t, cmd_host *host,
           const char *command, ic_error *err)
{
    t->results = calloc(p->n ? p->n : 1, sizeof *t->results);
    if (t->results == NULL) {
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    rpt_run_info info;
    cmd_fill_info(&info, t->label, command, o->argv[0]);
    snprintf(info.python_version, sizeof info.python_version, "%s",
             t->python_cmd ? "" : pyhost_python_version());
    cmd_term term = {.options = o, .info = &info, .quiet = 1};
    pipe_progress progress = cmd_term_progress(&term);
    progress.planned = NULL;
    pipe_executor exec = cmd_host_executor(host);
    pipe_config config = cmd_pipe_config(o, &o->filter);
    return pipe_execute(&config, p, &exec, &progress, &info, t->results, err);
}

/* Every target in turn; the embedded Python starts for the first
 * in-process one.  0, or -1 with err. */
static int
run_targets(const cli_options *o, const plan_set *p, diff_target *targets, cmd_host *python,
            ic_error *err)
{
    char *command = cmd_joined_command(o->argc, o->argv);
    int status = 0;
    for (size_t t = 0; t < o->n_targets && status == 0; t++) {
        diff_target *tg = &targets[t];
        cmd_host host;
        status = parse_target(o->targets[t], tg, err);
        if (status == 0 && tg->python_cmd == NULL && !python->started) {
            status = cmd_host_init(python, o, tg->impl, NULL, err);
            pipe_executor exec = cmd_host_executor(python);
            status = status == 0 ? exec.start(exec.self, err) : -1;
        }
        if (status < 0 || cmd_host_init(&host, o, tg->impl, tg->python_cmd, err) < 0) {
            status = -1;
            break;
        }
        /* Each target's --python and import, before its first scenario (worker.h). */
        status = wrk_probe(&host.wrk, err);
        if (status < 0) {
            cmd_host_free(&host);
            break;
        }
        status = run_target(o, p, tg, &host, command ? command : o->argv[0], err);
        cmd_host_free(&host);
        if (status < 0) {
            cmd_print_error(err); /* before the line below, as it happened */
            ic_error_clear(err);
        }
        fprintf(stderr, "interpcheck: ran %zu scenarios on %s\n", p->n, tg->label);
    }
    free(command);
    return status;
}

/* 1 if the targets' outcomes of scenario i differ. */
static int
differ(const diff_target *targets, size_t n_targets, size_t i)
{
    for (size_t t = 1; t < n_targets; t++) {
        if (targets[t].results[i].o.verdict != targets[0].results[i].o.verdict) {
            return 1;
        }
    }
    return 0;
}

static int
cites(const scn_scenario *s, const char *clause)
{
    for (size_t k = 0; k < s->n_clauses; k++) {
        if (strcmp(s->clauses[k], clause) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The scenarios from `first` on that cite `clause` and disagree, under it. */
static void
print_clause(const plan_set *p, const diff_target *targets, size_t n_targets, size_t first,
             const char *clause)
{
    int header = 0;
    for (size_t j = first; j < p->n; j++) {
        if (!cites(p->items[j].scenario, clause) || !differ(targets, n_targets, j)) {
            continue;
        }
        if (!header) {
            printf("%s\n", clause);
            header = 1;
        }
        printf("  %s\n", p->items[j].id);
        for (size_t t = 0; t < n_targets; t++) {
            const proto_outcome *oc = &targets[t].results[j].o;
            printf("    %-12s %-7s %s\n", targets[t].label, proto_verdict_name(oc->verdict),
                   oc->message ? oc->message : "");
        }
    }
}

/* Each clause once, in the order scenarios first cite it; 1 if some disagree. */
static int
print_disagreements(const plan_set *p, const diff_target *targets, size_t n_targets)
{
    size_t disagreements = 0;
    for (size_t i = 0; i < p->n; i++) {
        disagreements += (size_t)differ(targets, n_targets, i);
    }
    for (size_t i = 0; i < p->n; i++) {
        const scn_scenario *s = p->items[i].scenario;
        for (size_t c = 0; c < s->n_clauses; c++) {
            int seen = 0;
            for (size_t k = 0; k < i && !seen; k++) {
                seen = cites(p->items[k].scenario, s->clauses[c]);
            }
            for (size_t k = 0; k < c && !seen; k++) {
                seen = strcmp(s->clauses[k], s->clauses[c]) == 0;
            }
            if (!seen) {
                print_clause(p, targets, n_targets, i, s->clauses[c]);
            }
        }
    }
    printf("\ninterpcheck diff: %zu of %zu scenarios disagree across %zu implementations\n",
           disagreements, p->n, n_targets);
    return disagreements > 0 ? 1 : 0;
}

int
cmd_diff(const cli_options *o)
{
    if (o->n_targets < 2) {
        fprintf(stderr, "interpcheck: diff needs two or more --target LABEL=IMPL[@PYTHONCMD]\n");
        return 2;
    }
    ic_error err = {0};
    plan_set p;
    cmd_term term = {.options = o};
    pipe_progress progress = cmd_term_progress(&term);
    pipe_config config = cmd_pipe_config(o, &o->filter);
    if (pipe_plan(&config, &progress, &p, &err) < 0) {
        cmd_print_error(&err);
        return 2;
    }
    diff_target *targets = calloc(o->n_targets, sizeof *targets);
    cmd_host python = {0};
    int status = 2;
    if (targets == NULL) {
        ic_error_set(&err, IC_ERR_NOMEM, "out of memory");
    }
    else if (run_targets(o, &p, targets, &python, &err) == 0) {
        status = print_disagreements(&p, targets, o->n_targets);
    }
    if (status == 2 && err.message[0] != '\0') {
        cmd_print_error(&err);
    }
    for (size_t t = 0; targets != NULL && t < o->n_targets; t++) {
        pipe_free_results(targets[t].results, p.n);
        free(targets[t].spec);
    }
    free(targets);
    pipe_executor exec = cmd_host_executor(&python);
    exec.stop(exec.self);
    cmd_host_free(&python);
    plan_free(&p);
    return status;
}

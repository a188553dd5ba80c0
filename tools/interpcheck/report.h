/*
 * report.h: what a run found, written for people and for machines: the
 * human summary, TAP, JUnit XML, JSON lines and Markdown.
 */
#ifndef INTERPCHECK_REPORT_H
#define INTERPCHECK_REPORT_H

#include <stdio.h>

#include "expect.h"
#include "plan.h"
#include "worker.h"

typedef struct {
    const planned *item;
    verdict v;
    outcome o;       /* the raw outcome and its details */
    const char *why; /* judge()'s explanation (points at why_text), or NULL */
    char why_text[384];
    const expectation *entry; /* the expectation-file entry, or NULL */
    /* For a failure (FAIL, TIMEOUT, CRASH: raw_is_failure): the clause it
     * is charged to (the scenario's string), or NULL with setup_failed set
     * when the deciding step checks nothing (FORMAT.md, section 7). */
    const char *clause;
    int setup_failed;
    int done;
} result;

/* FAIL, TIMEOUT and CRASH: the outcomes that are charged to a step. */
int raw_is_failure(raw_verdict v);

/* Fill r->clause and r->setup_failed from r->o and the scenario. */
void result_charge(result *r);

/* What one scenario's outcome says about one of its clauses. */
typedef enum { CLAUSE_PASSED, CLAUSE_FAILED, CLAUSE_NOT_REACHED } clause_state;
clause_state result_clause_state(const result *r, const char *clause);

/* A distinct failing clause of a run and the scenarios it stopped;
 * clause NULL stands for the set-up failures. */
typedef struct {
    const char *clause;
    size_t scenarios;
} root_cause;

/* The root causes of a run, most scenarios first (set-up failures last);
 * malloc'd (NULL with *n 0 when there is none, or out of memory). */
root_cause *report_root_causes(const result *results, size_t n, size_t *n_causes);

typedef struct {
    const char *impl;        /* the implementation's label */
    const char *python;      /* points at python_version */
    char python_version[32]; /* "3.11.2", as the scenarios' Python reported it */
    const char *runner_version;
    const char *suite_root;
    const char *command_line; /* the exact command, for provenance */
    char date[32];            /* UTC, ISO 8601 */
    const char *rerun_prefix; /* the command that reruns one scenario, up to --filter */
} run_info;

typedef struct {
    size_t counts[V_ERROR + 1];
    size_t matching, deviating;
} tally;

void report_tally(const result *results, size_t n, tally *t);

/* The failure details of one result, as the human report prints them. */
void report_human_result(FILE *out, const run_info *info, const result *r, int verbose);
/* A child's output, indented under its result (shortened if long; nothing if empty). */
void report_human_output(FILE *out, const char *output);
void report_human_summary(FILE *out, const run_info *info, const tally *t, const result *results,
                          size_t n);
int report_tap(FILE *out, const run_info *info, const result *results, size_t n);
int report_junit(FILE *out, const run_info *info, const result *results, size_t n);
int report_jsonl(FILE *out, const run_info *info, const result *results, size_t n);
int report_markdown(FILE *out, const run_info *info, const result *results, size_t n,
                    const tally *t);

#endif /* INTERPCHECK_REPORT_H */

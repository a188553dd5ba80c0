/*
 * report.h: what a run found, written for people and for machines: the
 * human summary, TAP, JUnit XML, JSON lines and Markdown.
 */
#ifndef INTERPCHECK_REPORT_H
#define INTERPCHECK_REPORT_H

#include <stdio.h>

#include "expect.h"
#include "plan.h"
#include "protocol.h"

typedef struct {
    const plan_item *item;
    expect_verdict v;
    proto_outcome o; /* the raw outcome and its details */
    const char *why; /* expect_judge()'s explanation (points at why_text), or NULL */
    char why_text[384];
    const expect_entry *entry; /* the expectation-file entry, or NULL */
    /* For a failure (FAIL, TIMEOUT, CRASH: proto_is_failure): the clause it
     * is charged to (the scenario's string), or NULL with setup_failed set
     * when the deciding step checks nothing (FORMAT.md, section 7). */
    const char *clause;
    int setup_failed;
    int done;
} rpt_result;

/* Fill r->clause and r->setup_failed from r->o and the scenario. */
void rpt_charge(rpt_result *r);

/* What one scenario's outcome says about one of its clauses. */
typedef enum { RPT_CLAUSE_PASSED, RPT_CLAUSE_FAILED, RPT_CLAUSE_NOT_REACHED } rpt_clause_state;
rpt_clause_state rpt_clause_state_of(const rpt_result *r, const char *clause);

/* A distinct failing clause of a run and the scenarios it stopped;
 * clause NULL stands for the set-up failures. */
typedef struct {
    const char *clause;
    size_t scenarios;
} rpt_root_cause;

/* The root causes of a run, most scenarios first (set-up failures last);
 * malloc'd (NULL with *n 0 when there is none, or out of memory). */
rpt_root_cause *rpt_root_causes(const rpt_result *results, size_t n, size_t *n_causes);

typedef struct {
    const char *impl;        /* the implementation's label */
    const char *python;      /* points at python_version */
    char python_version[32]; /* "3.11.2", as the scenarios' Python reported it */
    const char *runner_version;
    const char *suite_root;
    const char *command_line; /* the exact command, for provenance */
    char date[32];            /* UTC, ISO 8601 */
    const char *rerun_prefix; /* the command that reruns one scenario, up to --filter */
    /* For the JSON lines' opening {"type":"run"} line (NULL: unknown). */
    const char *suite_version; /* the suite's commit (`git describe`), or "unknown" */
    const char *shard;         /* "I/N" ("1/1": not sharded) */
    const char **options;      /* the command line after the program, as given */
    int n_options;
    /* Written reports name files relative to this folder (the checkout or
     * the install prefix), and $HOME as "~": no machine's paths in them. */
    const char *strip_root;
} rpt_run_info;

typedef struct {
    size_t counts[EXPECT_ERROR + 1];
    size_t matching, deviating;
} rpt_tally;

void rpt_tally_results(const rpt_result *results, size_t n, rpt_tally *t);

/* The failure details of one result, as the human report prints them. */
void rpt_human_result(FILE *out, const rpt_run_info *info, const rpt_result *r, int verbose);
/* A child's output, indented under its result (shortened if long; nothing if empty). */
void rpt_human_output(FILE *out, const char *output);
void rpt_human_summary(FILE *out, const rpt_run_info *info, const rpt_tally *t,
                       const rpt_result *results, size_t n);
int rpt_tap(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n);
int rpt_junit(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n);
/* JSON lines: the run line, then one object per result: the raw outcome
 * ("outcome", "message", "expected", "actual", "traceback"), the verdict and,
 * when judged against an expectation file, "judged" (why the verdict differs
 * from the outcome) and "expectation" (the entry's reason). */
int rpt_jsonl(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n);
/* The opening line alone: {"type":"run","suite":...,"runner":...}. */
int rpt_jsonl_run(FILE *out, const rpt_run_info *info);
/* One result's line (streamed as each scenario finishes). */
int rpt_jsonl_result(FILE *out, const rpt_run_info *info, const rpt_result *r);
/* text with info->strip_root's "ROOT/" removed and "$HOME/" as "~/"
 * (malloc'd, NULL if out of memory; NULL text gives NULL). */
char *rpt_scrub(const rpt_run_info *info, const char *text);
int rpt_markdown(FILE *out, const rpt_run_info *info, const rpt_result *results, size_t n,
                 const rpt_tally *t);

#endif /* INTERPCHECK_REPORT_H */

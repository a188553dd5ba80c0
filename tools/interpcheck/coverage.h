/*
 * coverage.h: clause coverage of the suite: which SPEC.md clauses no
 * scenario cites, and which cited ids SPEC.md does not have.
 */
#ifndef INTERPCHECK_COVERAGE_H
#define INTERPCHECK_COVERAGE_H

#include <stdio.h>

#include "error.h"
#include "plan.h"

typedef enum {
    COV_COMPLETE = 0,  /* every MUST and SHOULD clause is cited */
    COV_UNCOVERED = 1, /* some are not */
    COV_BROKEN = 2,    /* SPEC.md cannot be read (err), or a scenario cites an
                          id that SPEC.md does not define (in the report) */
} cov_status;

/*
 * Before a run: every scenario of *p that cites a clause id SPEC.md (at
 * spec_path) does not define becomes an error of its file
 * ("path:line:column: unknown clause 'ID' ...", plan_reject) and leaves
 * the plan.  0, or -1 with err (SPEC.md cannot be read, memory).
 */
int cov_check_cited(const char *spec_path, plan_set *p, ic_error *err);

/* Print the report to `out`. */
cov_status cov_report(FILE *out, const char *spec_path, const plan_set *p, ic_error *err);

#endif /* INTERPCHECK_COVERAGE_H */

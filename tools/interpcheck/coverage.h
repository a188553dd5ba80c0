/*
 * coverage.h: clause coverage of the suite: which SPEC.md clauses no
 * scenario cites, and which cited ids SPEC.md does not have.
 */
#ifndef INTERPCHECK_COVERAGE_H
#define INTERPCHECK_COVERAGE_H

#include <stdio.h>

#include "plan.h"

/*
 * Print the report.  Returns 0 when every MUST and SHOULD clause is cited by
 * at least one scenario, 1 when some are not, 2 when SPEC.md cannot be read
 * or a scenario cites an id that SPEC.md does not define.
 */
int coverage_report(FILE *out, const char *spec_path, const plan *p);

#endif /* INTERPCHECK_COVERAGE_H */

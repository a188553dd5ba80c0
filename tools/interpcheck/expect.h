/*
 * expect.h: per-implementation expectation files, and the judgement of a
 * raw outcome against them.
 *
 * An expectation file (conformance/expectations/<label>.txt) lists, one per
 * line, the scenarios an implementation is known not to pass:
 *
 *     SCENARIO-ID  OUTCOME  CLAUSE-ID  | observed: WHAT HAPPENS | reason: WHY
 *
 * OUTCOME is FAIL, TIMEOUT or CRASH (the scenario runs and must end exactly
 * so: XFAIL), several of them joined by '|' for an implementation whose
 * failure is itself nondeterministic (say FAIL|TIMEOUT: it must end in one
 * of them), or SKIP (not run: for hangs and crashes that would take the
 * machine down with them).  CLAUSE-ID is the clause the failure is charged
 * to (conformance/FORMAT.md, section 7: the clause of the step that
 * decided it), or `-` for a set-up failure (charged to no clause).  Every
 * field is required.  Strict: a scenario listed as FAIL that passes is
 * XPASS, a deviation, so stale entries break the run; one that fails as
 * listed but is charged to another clause is a deviation too (it stopped
 * at another check than the entry explains); an entry naming no scenario of
 * the suite is an input error.
 */
#ifndef INTERPCHECK_EXPECT_H
#define INTERPCHECK_EXPECT_H

#include <stddef.h>

#include "worker.h"

typedef enum {
    V_PASS,
    V_FAIL,
    V_XFAIL,
    V_XPASS,
    V_SKIP,
    V_TIMEOUT,
    V_CRASH,
    V_ERROR,
} verdict;

const char *verdict_name(verdict v);
/* PASS, XFAIL and SKIP agree with the expectations; nothing else does. */
int verdict_matches(verdict v);

typedef struct {
    char *id;
    unsigned outcomes;     /* bits (1 << raw_verdict): FAIL, TIMEOUT, CRASH, or SKIP alone */
    char outcome_text[32]; /* as written, e.g. "FAIL|TIMEOUT" */
    char *clause;          /* the charged clause, "-" for a set-up failure */
    char *observed;
    char *reason;
    unsigned line;
    int used; /* matched a scenario of this run */
} expectation;

typedef struct {
    char *path;
    expectation *entries;
    size_t n;
} expectations;

/* Load a file; -1 with "path:line: message" in err on any malformed line. */
int expectations_load(const char *path, expectations *out, char *err, size_t err_size);
void expectations_free(expectations *e);
expectation *expectations_find(expectations *e, const char *id);

/* The CLAUSE column's spelling for a set-up failure. */
#define EXPECT_SETUP_CLAUSE "-"

/*
 * The verdict for `raw`, charged to `clause` (NULL: a set-up failure, or
 * an outcome that is no failure), given the entry for the scenario (or
 * NULL) and whether the scenario is a harness self-test that must fail.
 * `why` (why_size bytes, at least 1) gets an explanation when the verdict
 * needs one, else "".
 */
verdict judge(raw_verdict raw, const char *clause, const expectation *entry, int must_fail,
              char *why, size_t why_size);

#endif /* INTERPCHECK_EXPECT_H */

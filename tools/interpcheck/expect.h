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
 * of them), PASS among them for one that fails only in some runs (say
 * PASS|CRASH: a pass is PASS, a crash charged to the entry's clause XFAIL;
 * PASS alone is refused), or SKIP (not run: for hangs and crashes that would take the
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

#include "error.h"
#include "protocol.h"

typedef enum {
    EXPECT_PASS,
    EXPECT_FAIL,
    EXPECT_XFAIL,
    EXPECT_XPASS,
    EXPECT_SKIP,
    EXPECT_TIMEOUT,
    EXPECT_CRASH,
    EXPECT_ERROR,
} expect_verdict;

const char *expect_verdict_name(expect_verdict v);
/* PASS, XFAIL and SKIP agree with the expectations; nothing else does. */
int expect_verdict_matches(expect_verdict v);

typedef struct {
    char *id;
    unsigned outcomes;     /* bits (1 << proto_verdict): FAIL, TIMEOUT, CRASH, or SKIP alone */
    char outcome_text[32]; /* as written, e.g. "FAIL|TIMEOUT" */
    char *clause;          /* the charged clause, "-" for a set-up failure */
    char *observed;
    char *reason;
    unsigned line;
    int used; /* matched a scenario of this run */
} expect_entry;

typedef struct {
    char *path;
    expect_entry *entries;
    size_t n;
} expect_file;

/* Load a file: 0, or -1 with "path:line: message" in err on the first
 * malformed line (or "path: ..." when it cannot be read). */
int expect_load(const char *path, expect_file *out, ic_error *err);
void expect_free(expect_file *e);
expect_entry *expect_find(expect_file *e, const char *id);

/* The CLAUSE column's spelling for a set-up failure. */
#define EXPECT_SETUP_CLAUSE "-"

/*
 * The verdict for `raw`, charged to `clause` (NULL: a set-up failure, or
 * an outcome that is no failure), given the entry for the scenario (or
 * NULL) and whether the scenario is a harness self-test that must fail.
 * `why` (why_size bytes, at least 1) gets an explanation when the verdict
 * needs one, else "".
 */
expect_verdict expect_judge(proto_verdict raw, const char *clause, const expect_entry *entry,
                            int must_fail, char *why, size_t why_size);

#endif /* INTERPCHECK_EXPECT_H */

/*
 * scenario.h: the interpcheck scenario format (conformance/FORMAT.md) as a
 * C model, with a parser, a canonical printer and structural equality.
 *
 * Plain C11 and no Python: the runner parses scenarios before any Python
 * exists, and the fuzzer runs the parser millions of times.  No global state:
 * everything a parse produces hangs off one scn_scenario, freed by scn_free(),
 * and every allocation goes through the scn_allocator the caller passes (so a
 * test can fail the N-th allocation).
 */
#ifndef INTERPCHECK_SCENARIO_H
#define INTERPCHECK_SCENARIO_H

#include <stddef.h>

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of the format: a longer file or line is rejected, never truncated. */
#define SCN_MAX_FILE_BYTES ((size_t)1024 * 1024)
#define SCN_MAX_LINE_BYTES ((size_t)4096)

/*
 * Time, in seconds before the runner's --time-scale: the one place the C
 * side writes it.  The time classes (FORMAT.md section 8) are applied by
 * the step executor, which cannot include this file: executor.py keeps a
 * copy (SHORT_SECONDS, LONG_SECONDS) that must stay equal to these.  The
 * deadlines are the runner's: a child still running after its scenario's
 * deadline (by its `timeout:` class) is killed and judged TIMEOUT; a
 * --time-scale below 1 never shortens them.
 */
#define SCN_SHORT_SECONDS 0.2
#define SCN_LONG_SECONDS 30.0
#define SCN_DEADLINE_SHORT_SECONDS 20.0
#define SCN_DEADLINE_LONG_SECONDS 120.0
/* And each step's own (the start-up before the first step counts as one): the
 * long time class (join, eventually()) plus 5 s, so that a step that waits
 * that long fails with its own message first.  It matters in `timeout: long`
 * scenarios, whose overall 120 s would otherwise be how long a hanging step
 * takes to be found. */
#define SCN_STEP_DEADLINE_SECONDS (SCN_LONG_SECONDS + 5.0)

typedef enum scn_level {
    SCN_LEVEL_MUST,
    SCN_LEVEL_SHOULD,
    SCN_LEVEL_MAY,
    SCN_LEVEL_IMPL
} scn_level;

typedef enum scn_timeout {
    SCN_TIMEOUT_SHORT, /* the default */
    SCN_TIMEOUT_LONG
} scn_timeout;

typedef enum scn_verdict {
    SCN_VERDICT_PASS, /* the default: every step must pass */
    SCN_VERDICT_FAIL  /* harness self-test: some step must fail */
} scn_verdict;

/* Features, as bits of scn_scenario.features (a set: order is not kept). */
enum {
    SCN_FEATURE_THREADS = 1u << 0,
    SCN_FEATURE_SUBINTERPRETER = 1u << 1,
    SCN_FEATURE_ISOLATED = 1u << 2,
    SCN_FEATURE_CHANNELS = 1u << 3,
    SCN_FEATURE_SIGNALS = 1u << 4,
    SCN_FEATURE_SUBPROCESS = 1u << 5
};
#define SCN_FEATURE_COUNT 6

typedef enum scn_step_kind {
    SCN_STEP_DO,      /* do [raises ...] + code */
    SCN_STEP_EXPECT,  /* expect EXPR + "=> VALUE" lines */
    SCN_STEP_RUN,     /* run TARGET [channels EXPR] [raises ...] + code */
    SCN_STEP_THREAD,  /* thread NAME + code */
    SCN_STEP_BLOCKED, /* blocked NAME */
    SCN_STEP_JOIN     /* join NAME [raises ...] */
} scn_step_kind;

/*
 * One step.  Fields a kind does not use are NULL / 0.  Strings are UTF-8,
 * NUL-terminated, owned by the scenario.  Line numbers are 1-based lines of
 * the parsed text; scn_equal() ignores them.
 */
typedef struct scn_step {
    scn_step_kind kind;
    unsigned line; /* line of the step keyword */

    /* The `@CLAUSE-ID` written after the keyword (one of the header's
     * clauses), or NULL.  Never set on a `thread` step.  scn_step_clause()
     * gives the clause the step is charged to when it fails. */
    char *clause;

    char *name;     /* thread, blocked, join: the thread name */
    char *target;   /* run: the namespace name bound to an Interpreter */
    char *channels; /* run: the `channels` expression, or NULL */
    char *expr;     /* expect: the expression */

    /* do, run, thread: the body with its 4-space indentation removed; every
     * line ends in '\n'; never empty.  Interior blank lines are kept as empty
     * lines, so code line k is line code_line + k - 1 of the file. */
    char *code;
    unsigned code_line;

    /* do, run, join: the expected exception (a dotted name), or NULL for
     * "must not raise"; `matching` is the regex with `\/` already turned
     * into `/`, or NULL. */
    char *raises;
    char *matching;

    /* expect: the allowed values (at least one), with their lines. */
    char **outcomes;
    unsigned *outcome_lines;
    size_t n_outcomes;
} scn_step;

/*
 * Allocation hooks (allocator.h): malloc_fn returns NULL to report failure;
 * free_fn is never called with NULL.  ctx is passed through untouched.
 */
typedef ic_allocator scn_allocator;

typedef struct scn_scenario {
    /* Header. */
    char **clauses; /* clause ids in file order, at least one */
    size_t n_clauses;
    scn_level level;
    unsigned features; /* SCN_FEATURE_* bits */
    scn_timeout timeout;
    scn_verdict verdict;
    char *description; /* never NULL or empty */
    char *origin;      /* NULL when absent */

    /* Steps in file order, at least one. */
    scn_step *steps;
    size_t n_steps;

    /* Private: how to free this scenario. */
    scn_allocator alloc;
} scn_scenario;

/*
 * A parse error.  line and column are 1-based and point at the offending
 * character (column counts characters, not bytes); line 0 means the error
 * is not about a place in the text (I/O error, out of memory).
 */
typedef struct scn_error {
    char path[1024]; /* the path given for messages (truncated if longer) */
    unsigned line;
    unsigned column;
    char message[256];
} scn_error;

/*
 * Parse `size` bytes of `text` (need not be NUL-terminated).  `path` is only
 * used in messages (NULL: "<input>").  On success returns 0 and stores a new
 * scenario in *out; on failure returns -1, leaves *out NULL and fills *err
 * (err may be NULL).  "out of memory" is reported like any other error.
 */
int scn_parse(const char *path, const char *text, size_t size, scn_scenario **out, scn_error *err);

/* scn_parse() with allocation hooks (NULL: malloc and free). */
int scn_parse_with(const char *path, const char *text, size_t size, const scn_allocator *alloc,
                   scn_scenario **out, scn_error *err);

/* Read and parse a file.  Open/read failures are errors with line 0. */
int scn_parse_file(const char *path, scn_scenario **out, scn_error *err);
int scn_parse_file_with(const char *path, const scn_allocator *alloc, scn_scenario **out,
                        scn_error *err);

/* Free a scenario and everything it owns; NULL is allowed. */
void scn_free(scn_scenario *scenario);

/* Free every step and clause of `scenario` and leave none (n_steps and
 * n_clauses 0); the rest of the header stays.  For code that builds
 * scenarios itself (fuzz/common/scn_build.h) and starts a new body. */
void scn_clear_steps(scn_scenario *scenario);

/*
 * The scenario in canonical text form (FORMAT.md, "Canonical form"); NUL-
 * terminated.  scn_print() returns malloc'd memory (free() it);
 * scn_print_with() allocates with `alloc` (NULL: malloc).  NULL on failure.
 */
char *scn_print(const scn_scenario *scenario);
char *scn_print_with(const scn_scenario *scenario, const scn_allocator *alloc);

/*
 * The clause a failure of `step` is charged to (FORMAT.md, section 7):
 * its explicit `@CLAUSE-ID`; else, for a checking step (expect, blocked,
 * join, and do/run with `raises`), the header's first clause; else NULL: a
 * set-up step (do/run without `raises`, thread) checks nothing, and its
 * failure is a set-up failure charged to no clause.  The string belongs to
 * the scenario.
 */
const char *scn_step_clause(const scn_scenario *scenario, const scn_step *step);

/* 1 if a and b are structurally equal (line numbers ignored), else 0. */
int scn_equal(const scn_scenario *a, const scn_scenario *b);

/* "path:line:column: message" (or "path: message" when line is 0) into buf;
 * returns what snprintf returns. */
int scn_format_error(const scn_error *err, char *buf, size_t size);

/* Spellings used in the format; NULL for an out-of-range value. */
const char *scn_level_name(scn_level level);
const char *scn_timeout_name(scn_timeout timeout);
const char *scn_verdict_name(scn_verdict verdict);
const char *scn_step_kind_name(scn_step_kind kind);
const char *scn_feature_name(unsigned feature_bit);

#ifdef __cplusplus
}
#endif

#endif /* INTERPCHECK_SCENARIO_H */

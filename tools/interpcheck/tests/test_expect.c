/*
 * test_expect.c: expectation files and judgement (expect.c), without Python:
 * the program links only interpcheck_core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"

static char *
write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_expect_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void
test_load_entries_and_find(void **unused)
{
    (void)unused;
    char *path = write_temp(
        "# comment\n\n"
        "suite/a  FAIL  CH-SEND-1  | observed: returns None | reason: seed says\n"
        "suite/b  FAIL|TIMEOUT  CH-RECV-5 | observed: hangs | reason: polls\n"
        "suite/c  SKIP  INTERP-CLOSE-10  | observed: hangs | reason: known hang\n");
    expect_file e;
    ic_error err;
    assert_int_equal(expect_load(path, &e, &err), 0);
    assert_int_equal(e.n, 3);
    expect_entry *b = expect_find(&e, "suite/b");
    assert_non_null(b);
    assert_int_equal(b->outcomes, (1u << PROTO_FAIL) | (1u << PROTO_TIMEOUT));
    assert_string_equal(b->clause, "CH-RECV-5");
    assert_string_equal(b->observed, "hangs");
    assert_string_equal(b->reason, "polls");
    assert_int_equal(b->line, 4);
    assert_null(expect_find(&e, "suite/none"));
    expect_free(&e);
    remove(path);
}

static void
expect_load_error(const char *text, const char *fragment)
{
    char *path = write_temp(text);
    expect_file e;
    ic_error err = {0};
    assert_int_equal(expect_load(path, &e, &err), -1);
    assert_int_equal(err.code, IC_ERR_INPUT);
    if (strstr(err.message, fragment) == NULL) {
        fail_msg("error '%s' lacks '%s'", err.message, fragment);
    }
    remove(path);
}

static void
test_malformed_files_are_rejected_with_line(void **unused)
{
    (void)unused;
    expect_load_error("suite/a FAIL\n", ":1: expected 'SCENARIO-ID OUTCOME CLAUSE");
    expect_load_error("\nsuite/a XFAIL A-1 | observed: x | reason: y\n",
                      ":2: unknown outcome 'XFAIL'");
    expect_load_error("suite/a FAIL A-1 | observed: x\n", ":1: every entry needs");
    expect_load_error("suite/a FAIL A-1 | observed:  | reason: y\n", ":1: every entry needs");
    expect_load_error("suite/a FAIL A-1 | reason: y | observed: x\n", ":1: every entry needs");
    expect_load_error("suite/a SKIP|FAIL A-1 | observed: x | reason: y\n", "cannot be combined");
    expect_load_error("suite/a PASS A-1 | observed: x | reason: y\n", ":1: PASS alone");
    expect_load_error("suite/a PASS|SKIP A-1 | observed: x | reason: y\n", "cannot be combined");
    expect_load_error("suite/a FAIL A-1 | observed: x | reason: y\n"
                      "suite/a CRASH A-1 | observed: x | reason: y\n",
                      ":2: suite/a is listed twice (first on line 1)");
    expect_file e;
    ic_error err;
    assert_int_equal(expect_load("/nonexistent/file", &e, &err), -1);
    assert_non_null(strstr(err.message, "cannot open"));
}

/* expect_judge() with a fresh explanation buffer; the buffer is static (tests run in one thread). */
static char why[256];
#define J(raw, clause, entry, must_fail) \
    expect_judge(raw, clause, entry, must_fail, why, sizeof why)

static void
test_judge(void **unused)
{
    (void)unused;
    expect_entry fail = {.outcomes = 1u << PROTO_FAIL, .outcome_text = "FAIL", .clause = "A-1"};
    expect_entry either = {.outcomes = (1u << PROTO_FAIL) | (1u << PROTO_TIMEOUT),
                           .outcome_text = "FAIL|TIMEOUT",
                           .clause = "B-2"};
    expect_entry setup = {.outcomes = 1u << PROTO_CRASH, .outcome_text = "CRASH", .clause = "-"};
    assert_int_equal(J(PROTO_PASS, NULL, NULL, 0), EXPECT_PASS);
    assert_string_equal(why, "");
    assert_int_equal(J(PROTO_FAIL, "A-1", NULL, 0), EXPECT_FAIL);
    assert_string_equal(why, "");
    assert_int_equal(J(PROTO_TIMEOUT, NULL, NULL, 0), EXPECT_TIMEOUT);
    assert_int_equal(J(PROTO_CRASH, "A-1", NULL, 0), EXPECT_CRASH);
    assert_int_equal(J(PROTO_ERROR, NULL, NULL, 0), EXPECT_ERROR);
    assert_int_equal(J(PROTO_SKIP, NULL, NULL, 0), EXPECT_SKIP);
    assert_int_equal(J(PROTO_FAIL, "A-1", &fail, 0), EXPECT_XFAIL);
    assert_string_equal(why, "");
    assert_int_equal(J(PROTO_PASS, NULL, &fail, 0), EXPECT_XPASS);
    assert_string_equal(why,
                        "expected to fail per the expectation file, but passed (stale entry?)");
    /* A crash is never the failure an entry expects. */
    assert_int_equal(J(PROTO_CRASH, "A-1", &fail, 0), EXPECT_CRASH);
    assert_string_equal(why, "the expectation file names a different outcome");
    assert_int_equal(J(PROTO_TIMEOUT, "B-2", &either, 0), EXPECT_XFAIL);
    /* An intermittent entry: a pass is PASS, its failure XFAIL, another failure deviates. */
    expect_entry sometimes = {.outcomes = (1u << PROTO_PASS) | (1u << PROTO_CRASH),
                              .outcome_text = "PASS|CRASH",
                              .clause = "D-4"};
    assert_int_equal(J(PROTO_PASS, NULL, &sometimes, 0), EXPECT_PASS);
    assert_string_equal(why, "");
    assert_int_equal(J(PROTO_CRASH, "D-4", &sometimes, 0), EXPECT_XFAIL);
    assert_int_equal(J(PROTO_FAIL, "D-4", &sometimes, 0), EXPECT_FAIL);
    assert_string_equal(why, "the expectation file names a different outcome");
    /* The right outcome charged to another clause, or to none, deviates. */
    assert_int_equal(J(PROTO_FAIL, "C-3", &fail, 0), EXPECT_FAIL);
    assert_string_equal(why, "expected FAIL charged to A-1, got FAIL charged to C-3");
    assert_int_equal(J(PROTO_TIMEOUT, "A-1", &either, 0), EXPECT_TIMEOUT);
    assert_string_equal(why, "expected FAIL|TIMEOUT charged to B-2, got TIMEOUT charged to A-1");
    assert_int_equal(J(PROTO_FAIL, NULL, &fail, 0), EXPECT_FAIL);
    assert_string_equal(why, "expected FAIL charged to A-1, got FAIL in a set-up step (charged "
                             "to no clause)");
    /* `-` is a set-up failure. */
    assert_int_equal(J(PROTO_CRASH, NULL, &setup, 0), EXPECT_XFAIL);
    assert_int_equal(J(PROTO_CRASH, "A-1", &setup, 0), EXPECT_CRASH);
    assert_string_equal(why, "expected CRASH in a set-up step (charged to no clause), got CRASH "
                             "charged to A-1");
    /* Self-tests must fail; passing means the harness is broken. */
    assert_int_equal(J(PROTO_FAIL, "A-1", NULL, 1), EXPECT_PASS);
    assert_int_equal(J(PROTO_PASS, NULL, NULL, 1), EXPECT_FAIL);
    assert_string_equal(why, "this self-test scenario must fail, but it passed: the harness is "
                             "broken");
    assert_int_equal(J(PROTO_CRASH, NULL, NULL, 1), EXPECT_CRASH);
    assert_true(expect_verdict_matches(EXPECT_PASS) && expect_verdict_matches(EXPECT_XFAIL) &&
                expect_verdict_matches(EXPECT_SKIP));
    assert_false(expect_verdict_matches(EXPECT_XPASS) || expect_verdict_matches(EXPECT_FAIL) ||
                 expect_verdict_matches(EXPECT_ERROR));
    assert_string_equal(expect_verdict_name(EXPECT_XPASS), "XPASS");
    assert_string_equal(proto_verdict_name(PROTO_CRASH), "CRASH");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_entries_and_find),
        cmocka_unit_test(test_malformed_files_are_rejected_with_line),
        cmocka_unit_test(test_judge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_expect.c: expectation files (expect.c) and the report protocol parser
 * (worker_parse_report), without Python.
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
#include "worker.h"

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
    expectations e;
    char err[512];
    assert_int_equal(expectations_load(path, &e, err, sizeof err), 0);
    assert_int_equal(e.n, 3);
    expectation *b = expectations_find(&e, "suite/b");
    assert_non_null(b);
    assert_int_equal(b->outcomes, (1u << RAW_FAIL) | (1u << RAW_TIMEOUT));
    assert_string_equal(b->clause, "CH-RECV-5");
    assert_string_equal(b->observed, "hangs");
    assert_string_equal(b->reason, "polls");
    assert_int_equal(b->line, 4);
    assert_null(expectations_find(&e, "suite/none"));
    expectations_free(&e);
    remove(path);
}

static void
expect_load_error(const char *text, const char *fragment)
{
    char *path = write_temp(text);
    expectations e;
    char err[512] = "";
    assert_int_equal(expectations_load(path, &e, err, sizeof err), -1);
    if (strstr(err, fragment) == NULL) {
        fail_msg("error '%s' lacks '%s'", err, fragment);
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
    expect_load_error("suite/a FAIL A-1 | observed: x | reason: y\n"
                      "suite/a CRASH A-1 | observed: x | reason: y\n",
                      ":2: suite/a is listed twice (first on line 1)");
    expectations e;
    char err[512];
    assert_int_equal(expectations_load("/nonexistent/file", &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
}

/* judge() with a fresh explanation buffer; the buffer is static (tests run in one thread). */
static char why[256];
#define J(raw, clause, entry, must_fail) judge(raw, clause, entry, must_fail, why, sizeof why)

static void
test_judge(void **unused)
{
    (void)unused;
    expectation fail = {.outcomes = 1u << RAW_FAIL, .outcome_text = "FAIL", .clause = "A-1"};
    expectation either = {.outcomes = (1u << RAW_FAIL) | (1u << RAW_TIMEOUT),
                          .outcome_text = "FAIL|TIMEOUT",
                          .clause = "B-2"};
    expectation setup = {.outcomes = 1u << RAW_CRASH, .outcome_text = "CRASH", .clause = "-"};
    assert_int_equal(J(RAW_PASS, NULL, NULL, 0), V_PASS);
    assert_string_equal(why, "");
    assert_int_equal(J(RAW_FAIL, "A-1", NULL, 0), V_FAIL);
    assert_string_equal(why, "");
    assert_int_equal(J(RAW_TIMEOUT, NULL, NULL, 0), V_TIMEOUT);
    assert_int_equal(J(RAW_CRASH, "A-1", NULL, 0), V_CRASH);
    assert_int_equal(J(RAW_ERROR, NULL, NULL, 0), V_ERROR);
    assert_int_equal(J(RAW_SKIP, NULL, NULL, 0), V_SKIP);
    assert_int_equal(J(RAW_FAIL, "A-1", &fail, 0), V_XFAIL);
    assert_string_equal(why, "");
    assert_int_equal(J(RAW_PASS, NULL, &fail, 0), V_XPASS);
    assert_string_equal(why,
                        "expected to fail per the expectation file, but passed (stale entry?)");
    /* A crash is never the failure an entry expects. */
    assert_int_equal(J(RAW_CRASH, "A-1", &fail, 0), V_CRASH);
    assert_string_equal(why, "the expectation file names a different outcome");
    assert_int_equal(J(RAW_TIMEOUT, "B-2", &either, 0), V_XFAIL);
    /* The right outcome charged to another clause, or to none, deviates. */
    assert_int_equal(J(RAW_FAIL, "C-3", &fail, 0), V_FAIL);
    assert_string_equal(why, "expected FAIL charged to A-1, got FAIL charged to C-3");
    assert_int_equal(J(RAW_TIMEOUT, "A-1", &either, 0), V_TIMEOUT);
    assert_string_equal(why, "expected FAIL|TIMEOUT charged to B-2, got TIMEOUT charged to A-1");
    assert_int_equal(J(RAW_FAIL, NULL, &fail, 0), V_FAIL);
    assert_string_equal(why, "expected FAIL charged to A-1, got FAIL in a set-up step (charged "
                             "to no clause)");
    /* `-` is a set-up failure. */
    assert_int_equal(J(RAW_CRASH, NULL, &setup, 0), V_XFAIL);
    assert_int_equal(J(RAW_CRASH, "A-1", &setup, 0), V_CRASH);
    assert_string_equal(why, "expected CRASH in a set-up step (charged to no clause), got CRASH "
                             "charged to A-1");
    /* Self-tests must fail; passing means the harness is broken. */
    assert_int_equal(J(RAW_FAIL, "A-1", NULL, 1), V_PASS);
    assert_int_equal(J(RAW_PASS, NULL, NULL, 1), V_FAIL);
    assert_string_equal(why, "this self-test scenario must fail, but it passed: the harness is "
                             "broken");
    assert_int_equal(J(RAW_CRASH, NULL, NULL, 1), V_CRASH);
    assert_true(verdict_matches(V_PASS) && verdict_matches(V_XFAIL) && verdict_matches(V_SKIP));
    assert_false(verdict_matches(V_XPASS) || verdict_matches(V_FAIL) || verdict_matches(V_ERROR));
    assert_string_equal(verdict_name(V_XPASS), "XPASS");
    assert_string_equal(raw_verdict_name(RAW_CRASH), "CRASH");
}

static void
test_parse_report(void **unused)
{
    (void)unused;
    outcome o;
    memset(&o, 0, sizeof o);
    const char *full = "interpcheck-report 1\npython 3.14.10\nstep 0 5\nstep 1 9\n"
                       "field message a\\nb \\\\ c\nfield expected 1\nfield actual 2\n"
                       "field traceback T\nfield unknown x\nverdict FAIL 1 9\nend\n";
    assert_int_equal(worker_parse_report(full, &o), 1);
    assert_int_equal(o.verdict, RAW_FAIL);
    assert_int_equal(o.step_index, 1);
    assert_int_equal(o.step_line, 9);
    assert_string_equal(o.message, "a\nb \\ c");
    assert_string_equal(o.expected, "1");
    assert_string_equal(o.actual, "2");
    assert_string_equal(o.traceback, "T");
    assert_string_equal(o.python, "3.14.10");
    outcome_clear(&o);
    /* Cut short: the last started step is kept, the report is incomplete. */
    assert_int_equal(worker_parse_report("interpcheck-report 1\nstep 0 5\nstep 1 9\nverd", &o), 0);
    assert_int_equal(o.step_index, 1);
    outcome_clear(&o);
    assert_int_equal(worker_parse_report("garbage\nverdict PASS -1 0\nend\n", &o), 0);
    outcome_clear(&o);
    assert_int_equal(worker_parse_report("interpcheck-report 1\nverdict MAYBE 0 1\nend\n", &o), 0);
    outcome_clear(&o);
    assert_int_equal(worker_parse_report("interpcheck-report 1\nend\n", &o), 0);
    outcome_clear(&o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_entries_and_find),
        cmocka_unit_test(test_malformed_files_are_rejected_with_line),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_parse_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

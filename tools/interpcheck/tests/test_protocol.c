/*
 * test_protocol.c: the report protocol's parser (protocol.c), without
 * Python or processes: the program links only interpcheck_core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol.h"

static void
test_parse_report(void **unused)
{
    (void)unused;
    proto_outcome o;
    memset(&o, 0, sizeof o);
    const char *full = "interpcheck-report 1\npython 3.14.10\nstep 0 5\nstep 1 9\n"
                       "field message a\\nb \\\\ c\nfield expected 1\nfield actual 2\n"
                       "field traceback T\nfield unknown x\nverdict FAIL 1 9\nend\n";
    assert_int_equal(proto_parse_report(full, &o), 1);
    assert_int_equal(o.verdict, PROTO_FAIL);
    assert_int_equal(o.step_index, 1);
    assert_int_equal(o.step_line, 9);
    assert_string_equal(o.message, "a\nb \\ c");
    assert_string_equal(o.expected, "1");
    assert_string_equal(o.actual, "2");
    assert_string_equal(o.traceback, "T");
    assert_string_equal(o.python, "3.14.10");
    proto_outcome_clear(&o);
    /* Cut short: the last started step is kept, the report is incomplete. */
    assert_int_equal(proto_parse_report("interpcheck-report 1\nstep 0 5\nstep 1 9\nverd", &o), 0);
    assert_int_equal(o.step_index, 1);
    proto_outcome_clear(&o);
    assert_int_equal(proto_parse_report("garbage\nverdict PASS -1 0\nend\n", &o), 0);
    proto_outcome_clear(&o);
    assert_int_equal(proto_parse_report("interpcheck-report 1\nverdict MAYBE 0 1\nend\n", &o), 0);
    proto_outcome_clear(&o);
    assert_int_equal(proto_parse_report("interpcheck-report 1\nend\n", &o), 0);
    proto_outcome_clear(&o);
}

static void
test_step_lines_and_names(void **unused)
{
    (void)unused;
    int index = 0;
    unsigned line = 0;
    assert_true(proto_step_line("step 3 17\n", &index, &line));
    assert_int_equal(index, 3);
    assert_int_equal(line, 17);
    assert_false(proto_step_line("verdict PASS -1 0", &index, &line));
    assert_false(proto_step_line("step x", &index, &line));
    assert_string_equal(proto_verdict_name(PROTO_TIMEOUT), "TIMEOUT");
    assert_string_equal(proto_verdict_name((proto_verdict)42), "?");
    for (int v = PROTO_PASS; v <= PROTO_CRASH; v++) {
        proto_verdict back = PROTO_PASS;
        assert_int_equal(proto_verdict_from_name(proto_verdict_name((proto_verdict)v), &back), 0);
        assert_int_equal(back, v);
    }
    proto_verdict unchanged = PROTO_SKIP;
    assert_int_equal(proto_verdict_from_name("pass", &unchanged), -1);
    assert_int_equal(unchanged, PROTO_SKIP);
    assert_true(proto_is_failure(PROTO_FAIL) && proto_is_failure(PROTO_TIMEOUT) &&
                proto_is_failure(PROTO_CRASH));
    assert_false(proto_is_failure(PROTO_PASS) || proto_is_failure(PROTO_ERROR) ||
                 proto_is_failure(PROTO_SKIP));
}

static void
test_every_verdict_word(void **unused)
{
    (void)unused;
    static const char *const words[] = {"PASS", "FAIL", "ERROR", "SKIP", "TIMEOUT"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "interpcheck-report 1\nverdict %s 2 7\nend\n", words[i]);
        proto_outcome o;
        memset(&o, 0, sizeof o);
        assert_int_equal(proto_parse_report(text, &o), 1);
        assert_string_equal(proto_verdict_name(o.verdict), words[i]);
        assert_int_equal(o.step_index, 2);
        assert_int_equal(o.step_line, 7);
        proto_outcome_clear(&o);
    }
    /* CRASH is the runner's word, never a child's. */
    proto_outcome o;
    memset(&o, 0, sizeof o);
    assert_int_equal(proto_parse_report("interpcheck-report 1\nverdict CRASH 0 1\nend\n", &o), 0);
    proto_outcome_clear(&o);
}

static const struct CMUnitTest protocol_tests[] = {
    cmocka_unit_test(test_parse_report),
    cmocka_unit_test(test_step_lines_and_names),
    cmocka_unit_test(test_every_verdict_word),
};

int
main(void)
{
    return cmocka_run_group_tests(protocol_tests, NULL, NULL);
}

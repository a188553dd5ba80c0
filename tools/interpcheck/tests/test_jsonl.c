/*
 * test_jsonl.c: reading back the runner's JSON lines (jsonl.c), and the
 * round trip with the writer (report.c's rpt_jsonl_run): what `merge`
 * relies on.  Links only interpcheck_core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonl.h"
#include "report.h"

static void
test_values(void **unused)
{
    (void)unused;
    jl_object o;
    ic_error err = {0};
    const char *line = "{\"id\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"step\":-1,"
                       "\"seconds\":0.25,\"ok\":true,\"no\":false,\"none\":null,"
                       "\"list\":[\"x\",\"y\"],\"empty\":[]}\n";
    assert_int_equal(jl_parse(line, &o, &err), 0);
    assert_string_equal(jl_string(&o, "id"), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
    assert_true(jl_number(&o, "step", 0) == -1);
    assert_true(jl_number(&o, "seconds", 0) == 0.25);
    assert_true(jl_number(&o, "ok", 0) == 1);
    assert_true(jl_number(&o, "no", 1) == 0);
    assert_int_equal(jl_get(&o, "none")->kind, JL_NULL);
    assert_null(jl_string(&o, "none"));
    assert_int_equal(jl_get(&o, "list")->n_items, 2);
    assert_string_equal(jl_get(&o, "list")->items[1], "y");
    assert_int_equal(jl_get(&o, "empty")->n_items, 0);
    assert_null(jl_get(&o, "missing"));
    jl_free(&o);
}

static void
test_errors(void **unused)
{
    (void)unused;
    static const char *const bad[] = {
        "",      "[1]",        "{\"a\":}",    "{\"a\":1,}",      "{\"a\":\"x}",       "{\"a\":1} x",
        "{a:1}", "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jl_object o;
        ic_error err = {0};
        assert_int_equal(jl_parse(bad[i], &o, &err), -1);
        assert_int_equal(err.code, IC_ERR_INPUT);
        assert_non_null(strstr(err.message, "column "));
        jl_free(&o);
    }
}

/* The writer's run line reads back: what merge compares. */
static void
test_run_line_round_trip(void **unused)
{
    (void)unused;
    const char *options[] = {"--shard", "2/3", "we\"ird"};
    rpt_run_info info = {.impl = "interpref",
                         .runner_version = "interpcheck 0.1",
                         .suite_version = "abc1234-dirty",
                         .shard = "2/3",
                         .options = options,
                         .n_options = 3,
                         .date = "2026-01-01T00:00:00Z"};
    snprintf(info.python_version, sizeof info.python_version, "3.11.2");
    info.python = info.python_version;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_int_equal(rpt_jsonl_run(f, &info), 0);
    fclose(f);
    jl_object o;
    ic_error err = {0};
    assert_int_equal(jl_parse(text, &o, &err), 0);
    assert_string_equal(jl_string(&o, "type"), "run");
    assert_string_equal(jl_string(&o, "suite"), "abc1234-dirty");
    assert_string_equal(jl_string(&o, "shard"), "2/3");
    assert_string_equal(jl_string(&o, "python"), "3.11.2");
    assert_string_equal(jl_get(&o, "options")->items[2], "we\"ird");
    jl_free(&o);
    free(text);
}

/* Written reports drop the checkout's root (only at a path boundary) and $HOME. */
static void
test_scrub(void **unused)
{
    (void)unused;
    rpt_run_info info = {.strip_root = "/work/main"};
    setenv("HOME", "/root", 1);
    char *s = rpt_scrub(&info, "/work/main/conformance/x.scn /work/mainly /root/.pyenv/bin");
    assert_string_equal(s, "conformance/x.scn /work/mainly ~/.pyenv/bin");
    free(s);
    assert_null(rpt_scrub(&info, NULL));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_values),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_run_line_round_trip),
    cmocka_unit_test(test_scrub),
};

int
main(void)
{
    return cmocka_run_group_tests(tests, NULL, NULL);
}

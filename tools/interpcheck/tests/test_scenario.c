/*
 * test_scenario.c: the scenario parser, printer and equality (scenario.h)
 * against conformance/FORMAT.md.
 *
 * Usage: test_scenario DATA_DIR [FORMAT_MD], where DATA_DIR holds
 *   valid/NAME.scn    scenarios that must parse and survive the round trip;
 *                    each is already in canonical form unless
 *   canonical/NAME.scn gives the canonical form of valid/NAME.scn;
 *   invalid/NAME.scn  scenarios whose first line reads
 *                    "# expect-error: LINE:COLUMN: MESSAGE".
 * Most error rules are checked inline (table `error_cases`), with the exact
 * line and column of each message.  FORMAT_MD (conformance/FORMAT.md): every
 * ```scn block in it must parse and be in canonical form, so the reference
 * cannot drift from the parser.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

static const char *data_dir = ".";
static const char *format_md = NULL; /* conformance/FORMAT.md, when given */

/* ---- helpers -------------------------------------------------------------------- */

/* A valid header: lines 1-3, blank line 4, so steps start on line 5. */
#define H "clauses: A-1\nlevel: MUST\ndescription: d\n\n"

static char *
read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf) {
        buf = calloc(1, 1);
        assert_non_null(buf);
    }
    buf[len] = '\0';
    *size = len;
    return buf;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted *.scn names of data_dir/sub; NULL-terminated, free with free_list. */
static char **
list_scn(const char *sub)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", data_dir, sub);
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **names = calloc(1, sizeof *names);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".scn") == 0) {
            names = realloc(names, (n + 2) * sizeof *names);
            assert_non_null(names);
            names[n] = malloc(strlen(dir) + len + 2);
            assert_non_null(names[n]);
            sprintf(names[n], "%s/%s", dir, e->d_name);
            names[++n] = NULL;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    return names;
}

static void
free_list(char **names)
{
    for (size_t i = 0; names[i]; i++) {
        free(names[i]);
    }
    free(names);
}

static scn_scenario *
parse_ok(const char *text)
{
    scn_scenario *s = NULL;
    scn_error err;
    if (scn_parse("t.scn", text, strlen(text), &s, &err) != 0) {
        char msg[2048];
        scn_format_error(&err, msg, sizeof msg);
        fail_msg("unexpected parse error: %s\n--- text:\n%s", msg, text);
    }
    assert_non_null(s);
    return s;
}

/* Parse text[0..size); 1 if it fails with exactly "t.scn:<expected>", else
 * 0 after printing the difference. */
static int
error_matches(const char *text, size_t size, const char *expected)
{
    scn_scenario *s = (scn_scenario *)&s; /* must be reset to NULL */
    scn_error err;
    char got[2048], want[2048];
    int rc = scn_parse("t.scn", text, size, &s, &err);
    if (rc != -1 || s != NULL) {
        print_error("accepted, want error %s\n--- text:\n%.*s\n", expected,
                    (int)(size < 2000 ? size : 2000), text);
        scn_free(rc == 0 ? s : NULL);
        return 0;
    }
    scn_format_error(&err, got, sizeof got);
    snprintf(want, sizeof want, "t.scn:%s", expected);
    if (strcmp(got, want) != 0) {
        print_error("wrong error\n  want: %s\n  got:  %s\n--- text:\n%.*s\n", want, got,
                    (int)(size < 2000 ? size : 2000), text);
        return 0;
    }
    return 1;
}

static void
check_error_n(const char *text, size_t size, const char *expected)
{
    assert_true(error_matches(text, size, expected));
}

static void
check_error(const char *text, const char *expected)
{
    check_error_n(text, strlen(text), expected);
}

/* parse(print(s)) == s and print is a fixed point; returns print(s). */
static char *
check_round_trip(const scn_scenario *s)
{
    char *printed = scn_print(s);
    assert_non_null(printed);
    scn_scenario *again = parse_ok(printed);
    if (!scn_equal(s, again)) {
        fail_msg("parse(print(x)) differs from x; printed:\n%s", printed);
    }
    char *printed2 = scn_print(again);
    assert_non_null(printed2);
    assert_string_equal(printed, printed2);
    free(printed2);
    scn_free(again);
    return printed;
}

/* ---- a counting allocator for fault injection ------------------------------------- */

typedef struct counting {
    long fail_at; /* index of the allocation to fail, -1: none */
    int sticky;   /* also fail every allocation after it */
    long count;   /* allocations attempted */
    long live;    /* blocks not yet freed */
} counting;

static void *
counting_malloc(size_t size, void *ctx)
{
    counting *c = ctx;
    long index = c->count++;
    if (c->fail_at >= 0 && (index == c->fail_at || (c->sticky && index > c->fail_at))) {
        return NULL;
    }
    void *p = malloc(size);
    if (p) {
        c->live++;
    }
    return p;
}

static void
counting_free(void *ptr, void *ctx)
{
    counting *c = ctx;
    assert_non_null(ptr); /* the hooks promise never to pass NULL */
    c->live--;
    free(ptr);
}

/* ---- valid samples ------------------------------------------------------------- */

/* Call check() on every *.scn of data_dir/sub; how many there were. */
static size_t
for_each_sample(const char *sub, void (*check)(const char *path))
{
    char **names = list_scn(sub);
    size_t count = 0;
    for (; names[count]; count++) {
        check(names[count]);
    }
    free_list(names);
    return count;
}

/* A valid sample parses and prints as its canonical form: the file itself,
 * or its twin in canonical/. */
static void
check_valid_sample(const char *path)
{
    scn_scenario *s = NULL;
    scn_error err;
    if (scn_parse_file(path, &s, &err) != 0) {
        char msg[2048];
        scn_format_error(&err, msg, sizeof msg);
        fail_msg("%s", msg);
    }
    char *printed = check_round_trip(s);
    char canon[4096];
    snprintf(canon, sizeof canon, "%s/canonical/%s", data_dir, strrchr(path, '/') + 1);
    FILE *f = fopen(canon, "rb");
    size_t size;
    char *want;
    if (f) {
        fclose(f);
        want = read_all(canon, &size);
    }
    else {
        want = read_all(path, &size);
    }
    if (strcmp(printed, want) != 0) {
        fail_msg("%s: canonical form differs; printed:\n%s", path, printed);
    }
    free(want);
    free(printed);
    scn_free(s);
}

static void
test_valid_samples_round_trip(void **state)
{
    (void)state;
    assert_true(for_each_sample("valid", check_valid_sample) >= 5);
}

static scn_scenario *
parse_sample(const char *name)
{
    char path[4096];
    scn_scenario *s = NULL;
    scn_error err;
    snprintf(path, sizeof path, "%s/valid/%s", data_dir, name);
    assert_int_equal(scn_parse_file(path, &s, &err), 0);
    return s;
}

/* A string field: `expected`, or NULL for an absent one. */
static void
assert_field(const char *actual, const char *expected)
{
    if (expected == NULL) {
        assert_null(actual);
    }
    else {
        assert_string_equal(actual, expected);
    }
}

/* One field of one step, as a test expects it (value NULL: absent). */
typedef enum { F_RAISES, F_MATCHING, F_CHANNELS, F_NAME } step_field;
typedef struct {
    size_t step;
    step_field field;
    const char *value;
} field_check;

static void
assert_fields(const scn_scenario *s, const field_check *checks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_true(checks[i].step < s->n_steps);
        const scn_step *st = &s->steps[checks[i].step];
        const char *const fields[] = {st->raises, st->matching, st->channels, st->name};
        assert_field(fields[checks[i].field], checks[i].value);
    }
}
#define ASSERT_FIELDS(s, checks) assert_fields((s), (checks), sizeof(checks) / sizeof((checks)[0]))

/* A `run` step with these fields (NULL: absent). */
static void
assert_run_step(const scn_step *st, const char *target, const char *channels, const char *raises,
                const char *matching)
{
    assert_int_equal(st->kind, SCN_STEP_RUN);
    assert_field(st->target, target);
    assert_field(st->channels, channels);
    assert_field(st->raises, raises);
    assert_field(st->matching, matching);
}

static void
test_sample_blocking_recv(void **state)
{
    (void)state;
    scn_scenario *s = parse_sample("recv_blocks_until_send.scn");
    assert_int_equal(s->n_clauses, 3);
    assert_string_equal(s->clauses[0], "CH-RECV-2");
    assert_string_equal(s->clauses[2], "THR-3");
    assert_int_equal(s->level, SCN_LEVEL_MUST);
    assert_int_equal(s->features, SCN_FEATURE_THREADS | SCN_FEATURE_CHANNELS);
    assert_int_equal(s->timeout, SCN_TIMEOUT_SHORT);
    assert_int_equal(s->verdict, SCN_VERDICT_PASS);
    assert_null(s->origin);

    static const scn_step_kind kinds[] = {SCN_STEP_DO,     SCN_STEP_THREAD, SCN_STEP_BLOCKED,
                                          SCN_STEP_EXPECT, SCN_STEP_JOIN,   SCN_STEP_EXPECT};
    assert_int_equal(s->n_steps, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(s->steps[i].kind, kinds[i]);
    }
    const scn_step *st = &s->steps[1];
    assert_string_equal(st->name, "receiver");
    assert_string_equal(st->code, "got = r.recv()\n");
    assert_int_equal(st->line, 9);
    assert_int_equal(st->code_line, 10);
    assert_string_equal(s->steps[2].name, "receiver");
    assert_null(s->steps[2].code);
    st = &s->steps[3];
    assert_string_equal(st->expr, "s.send_nowait(b\"spam\")");
    assert_int_equal(st->n_outcomes, 1);
    assert_string_equal(st->outcomes[0], "True");
    assert_int_equal(st->outcome_lines[0], 15);
    assert_null(s->steps[4].raises);

    /* Clauses: explicit ones as written, the first clause for checking
     * steps without one, none for set-up steps. */
    static const char *const charged[] = {NULL,          NULL,    "CH-RECV-2",
                                          "CH-SENDNW-2", "THR-3", "CH-RECV-2"};
    for (size_t i = 0; i < 6; i++) {
        assert_field(scn_step_clause(s, &s->steps[i]), charged[i]);
    }
    assert_null(s->steps[2].clause); /* implied, not written */
    assert_string_equal(s->steps[3].clause, "CH-SENDNW-2");
    assert_string_equal(s->steps[4].clause, "THR-3");
    scn_free(s);
}

static void
test_sample_run_failed(void **state)
{
    (void)state;
    scn_scenario *s = parse_sample("run_failed.scn");
    const scn_step *st = &s->steps[1];
    assert_run_step(st, "interp", NULL, "interpreters.RunFailedError", NULL);
    assert_null(st->clause);
    assert_string_equal(scn_step_clause(s, st), "INTERP-FAIL-1"); /* run raises: checking */
    /* Deeper indentation and the interior blank line are code. */
    assert_string_equal(st->code, "def divide(a, b):\n    return a / b\n\ndivide(1, 0)\n");
    assert_int_equal(st->code_line, 10);
    st = &s->steps[2];
    assert_string_equal(st->clause, "INTERP-FAIL-3");
    assert_string_equal(st->target, "interp");
    assert_string_equal(st->matching, "ZeroDivisionError");
    assert_string_equal(s->steps[3].clause, "INTERP-FAIL-6");
    assert_string_equal(s->steps[3].expr, "interp.is_running()");
    /* A run without raises is a checking step only because of its @ID. */
    assert_null(s->steps[4].raises);
    assert_string_equal(scn_step_clause(s, &s->steps[4]), "INTERP-FAIL-6");
    assert_null(scn_step_clause(s, &s->steps[5]));
    scn_free(s);
}

static void
test_sample_outcome_set_and_selftest(void **state)
{
    (void)state;
    scn_scenario *s = parse_sample("recv_nowait_race.scn");
    assert_int_equal(s->timeout, SCN_TIMEOUT_LONG);
    const scn_step *st = &s->steps[3];
    assert_int_equal(st->kind, SCN_STEP_EXPECT);
    assert_int_equal(st->n_outcomes, 2);
    assert_string_equal(st->outcomes[0], "None");
    assert_string_equal(st->outcomes[1], "42");
    assert_int_equal(st->outcome_lines[1], 18);
    scn_free(s);

    s = parse_sample("selftest_must_fail.scn");
    assert_int_equal(s->verdict, SCN_VERDICT_FAIL);
    assert_int_equal(s->level, SCN_LEVEL_IMPL);
    assert_int_equal(s->features, 0);
    assert_string_equal(s->origin, "harness self-test; a runner that reports PASS here is broken");
    assert_int_equal(s->steps[2].kind, SCN_STEP_JOIN);
    assert_string_equal(s->steps[2].raises, "ValueError");
    assert_null(s->steps[2].matching);
    scn_free(s);
}

static void
test_sample_channels_and_messy(void **state)
{
    (void)state;
    scn_scenario *s = parse_sample("run_channels.scn");
    assert_run_step(&s->steps[5], "interp", "(None, s2)", "interpreters.RunFailedError",
                    "AttributeError|NoneType/recv");
    assert_string_equal(s->steps[6].raises, "RuntimeError");
    scn_free(s);

    s = parse_sample("messy.scn");
    assert_string_equal(s->origin, "hand-written for the parser tests");
    assert_int_equal(s->level, SCN_LEVEL_SHOULD);
    assert_int_equal(s->n_clauses, 2);
    assert_string_equal(s->clauses[1], "CH-RECV-1");
    /* Whitespace-only lines inside a body become empty lines. */
    assert_string_equal(s->steps[0].code, "r, s = interpreters.create_channel()\n"
                                          "# a Python comment stays code\n\n\nsent = []\n");
    assert_string_equal(s->steps[1].code, "s.send(\"a/b\")\n\nsent.append(True)\n");
    assert_string_equal(s->steps[3].expr, "r.recv()");
    assert_string_equal(s->steps[3].clause, "CH-RECV-1"); /* spaces around @ID dropped */
    assert_int_equal(s->steps[3].n_outcomes, 2);
    assert_string_equal(s->steps[3].outcomes[1], "\"a/b\"");
    assert_string_equal(s->steps[5].matching, "a/b|c\\\\d");
    scn_free(s);
}

/* ---- valid details, inline ------------------------------------------------------ */

static void
test_header_rules(void **state)
{
    (void)state;
    /* Comments and blank lines before the first key; keys in any order;
     * several spaces between tokens; every optional key. */
    scn_scenario *s = parse_ok("# comment\n\n#\n"
                               "verdict: FAIL\ntimeout: long\n# inside the header\n"
                               "features: signals  isolated subinterpreter\n"
                               "description:   free text: with colons, \ttabs and ümlauts  \n"
                               "origin: fuzz/crash-1234 (libFuzzer)\n"
                               "level: MAY\nclauses: AB-1  X9-Y-Z0 \n\n"
                               "do raises E\n    pass\nexpect @X9-Y-Z0 1\n    => 1\n");
    assert_int_equal(s->verdict, SCN_VERDICT_FAIL);
    assert_int_equal(s->timeout, SCN_TIMEOUT_LONG);
    assert_int_equal(s->features,
                     SCN_FEATURE_SIGNALS | SCN_FEATURE_ISOLATED | SCN_FEATURE_SUBINTERPRETER);
    assert_string_equal(s->description, "free text: with colons, \ttabs and ümlauts");
    assert_string_equal(s->origin, "fuzz/crash-1234 (libFuzzer)");
    assert_int_equal(s->level, SCN_LEVEL_MAY);
    assert_int_equal(s->n_clauses, 2);
    assert_string_equal(s->clauses[1], "X9-Y-Z0");
    char *printed = check_round_trip(s);
    /* Fixed key order, features in vocabulary order, defaults left out. */
    assert_string_equal(printed,
                        "description: free text: with colons, \ttabs and ümlauts\n"
                        "clauses: AB-1 X9-Y-Z0\nlevel: MAY\n"
                        "features: subinterpreter isolated signals\n"
                        "timeout: long\nverdict: FAIL\norigin: fuzz/crash-1234 (libFuzzer)\n"
                        "\ndo raises E\n    pass\n\nexpect @X9-Y-Z0 1\n    => 1\n");
    free(printed);
    scn_free(s);

    /* Explicit defaults equal omitted ones. */
    scn_scenario *a = parse_ok(H "do @A-1\n    pass\n");
    scn_scenario *b = parse_ok("timeout: short\nverdict: PASS\n" H "do @A-1\n    pass\n");
    assert_true(scn_equal(a, b));
    assert_int_equal(a->level, SCN_LEVEL_MUST);
    scn_free(a);
    scn_free(b);

    /* Every level. */
    static const char *levels[] = {"MUST", "SHOULD", "MAY", "IMPL"};
    for (int i = 0; i < 4; i++) {
        char text[256];
        snprintf(text, sizeof text, "clauses: A-1\nlevel: %s\ndescription: d\n\ndo @A-1\n    x\n",
                 levels[i]);
        s = parse_ok(text);
        assert_int_equal(s->level, i);
        scn_free(s);
    }
}

static void
test_body_rules(void **state)
{
    (void)state;
    /* Leading blank lines of a body are dropped, deeper indentation is kept,
     * interior blank (or whitespace-only) lines become empty lines, trailing
     * blank lines are dropped, a comment at column 1 ends the body, an
     * indented '#' line is code, a tab after the indentation is code. */
    scn_scenario *s = parse_ok(H "do\n\n    for i in range(3):\n        x = i\t# tab\n   \n\n"
                                 "    y = '\t'\n\n\n# comment ends the body\n\n"
                                 "do @A-1\n    z = 1\n    # indented: code\n");
    assert_int_equal(s->n_steps, 2);
    assert_string_equal(s->steps[0].code, "for i in range(3):\n    x = i\t# tab\n\n\ny = '\t'\n");
    assert_int_equal(s->steps[0].line, 5);
    assert_int_equal(s->steps[0].code_line, 7);
    assert_string_equal(s->steps[1].code, "z = 1\n# indented: code\n");
    assert_int_equal(s->steps[1].code_line, 17);
    char *printed = check_round_trip(s);
    assert_string_equal(printed, "description: d\nclauses: A-1\nlevel: MUST\n\n"
                                 "do\n    for i in range(3):\n        x = i\t# tab\n\n\n"
                                 "    y = '\t'\n\ndo @A-1\n    z = 1\n    # indented: code\n");
    free(printed);
    scn_free(s);

    /* No trailing newline at the end of the file. */
    s = parse_ok(H "do @A-1\n    x = 1");
    assert_string_equal(s->steps[0].code, "x = 1\n");
    scn_free(s);
    s = parse_ok(H "thread t\n    pass\njoin t");
    assert_string_equal(s->steps[1].name, "t");
    scn_free(s);

    /* Steps need no blank line between them; trailing spaces on keyword lines go. */
    s = parse_ok(H "do   \n    a = 1\ndo\n    b = 2\nexpect a + b  \n    =>   3   \n");
    assert_int_equal(s->n_steps, 3);
    assert_null(s->steps[0].raises);
    assert_string_equal(s->steps[2].expr, "a + b");
    assert_string_equal(s->steps[2].outcomes[0], "3");
    scn_free(s);
}

static void
test_do_raises_and_regex(void **state)
{
    (void)state;
    scn_scenario *s = parse_ok(
        H "do raises TypeError\n    len(1)\n\n"
          "do raises interpreters.ChannelEmptyError matching /empty/\n    x\n\n"
          "do raises a.b_c.D9 matching /\\/x\\\\\\/y\\d \\\\/\n    x\n\n"
          "do raises E matching / spaces  inside /\n    x\n\n"
          "do raises E matching /raises matching \\//\n    x\n");
    /* raises and matching of each step; \/ is a slash, other backslash
     * pairs stay, so \\ then \/ is \\ and / */
    static const char *const expected[][2] = {{"TypeError", NULL},
                                              {"interpreters.ChannelEmptyError", "empty"},
                                              {"a.b_c.D9", "/x\\\\/y\\d \\\\"},
                                              {"E", " spaces  inside "},
                                              {"E", "raises matching /"}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        assert_field(s->steps[i].raises, expected[i][0]);
        assert_field(s->steps[i].matching, expected[i][1]);
    }
    char *printed = check_round_trip(s);
    assert_non_null(strstr(printed, "do raises a.b_c.D9 matching /\\/x\\\\\\/y\\d \\\\/\n"));
    free(printed);
    scn_free(s);
}

static void
test_run_forms(void **state)
{
    (void)state;
    scn_scenario *s = parse_ok(
        H "run i\n    x = 1\n\n"
          "run i channels (r, s)\n    x\n\n"
          "run i channels pair raises interpreters.RunFailedError\n    x\n\n"
          "run i channels f(\"a raises b\", [c, ' raises ']) raises E matching /x/\n    x\n\n"
          "run i channels {'k': (r, None)}   raises   E\n    x\n\n"
          "run i raises E matching /boom/\n    raise E\n\n"
          "run i channels '''it's raises''' raises E\n    x\n\n"
          "run i channels x_raises  \n    x\n");
    /* target, channels, raises and matching of each step */
    static const char *const expected[][4] = {{"i", NULL, NULL, NULL},
                                              {"i", "(r, s)", NULL, NULL},
                                              {"i", "pair", "interpreters.RunFailedError", NULL},
                                              {"i", "f(\"a raises b\", [c, ' raises '])", "E", "x"},
                                              {"i", "{'k': (r, None)}", "E", NULL},
                                              {"i", NULL, "E", "boom"},
                                              {"i", "'''it's raises'''", "E", NULL},
                                              {"i", "x_raises", NULL, NULL}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const char *const *e = expected[i];
        assert_run_step(&s->steps[i], e[0], e[1], e[2], e[3]);
    }
    free(check_round_trip(s));
    scn_free(s);
}

static void
test_threads_and_expect(void **state)
{
    (void)state;
    scn_scenario *s = parse_ok(H "thread a\n    pass\n"
                                 "thread b_2\n    raise KeyError\n"
                                 "blocked a\nblocked a\n"
                                 "join b_2 raises KeyError matching /x/\n"
                                 "expect f(\n    => 1\n\n    =>2\n    => (1, \"=>\")\n"
                                 "join a\n");
    assert_int_equal(s->n_steps, 7);
    assert_string_equal(s->steps[1].name, "b_2");
    assert_int_equal(s->steps[4].kind, SCN_STEP_JOIN);
    assert_string_equal(s->steps[4].matching, "x");
    const scn_step *e = &s->steps[5];
    assert_string_equal(e->expr, "f("); /* not checked: Python's business */
    assert_int_equal(e->n_outcomes, 3);
    assert_string_equal(e->outcomes[1], "2");
    assert_string_equal(e->outcomes[2], "(1, \"=>\")");
    assert_int_equal(e->outcome_lines[0], 13);
    assert_int_equal(e->outcome_lines[1], 15);
    free(check_round_trip(s));
    scn_free(s);

    /* Many outcomes (array growth). */
    char text[8192] = H "expect x\n";
    for (int i = 0; i < 50; i++) {
        char line[32];
        snprintf(line, sizeof line, "    => %d\n", i);
        strcat(text, line);
    }
    s = parse_ok(text);
    assert_int_equal(s->steps[0].n_outcomes, 50);
    assert_string_equal(s->steps[0].outcomes[49], "49");
    assert_int_equal(s->steps[0].outcome_lines[49], 55);
    free(check_round_trip(s));
    scn_free(s);
}

static void
test_step_clauses(void **state)
{
    (void)state;
    /* Every step kind with and without @CLAUSE-ID; spaces around the id
     * are free, the canonical form has one space on each side. */
    scn_scenario *s = parse_ok("clauses: A-1 B-2 C-3\nlevel: MUST\ndescription: d\n\n"
                               "do\n    a\n"          /* 0: set-up */
                               "do   @B-2\n    b\n"   /* 1 */
                               "do raises E\n    c\n" /* 2: default */
                               "do @C-3  raises E matching /x/\n    d\n"
                               "expect e\n    => 1\n"           /* 4: default */
                               "expect @A-1 f\n    => 1\n"      /* 5: explicit default */
                               "run i\n    g\n"                 /* 6: set-up */
                               "run @B-2 i channels c\n    h\n" /* 7 */
                               "run i raises E\n    j\n"        /* 8: default */
                               "run @C-3 i channels c raises E\n    k\n"
                               "thread t\n    l\n" /* 10: never */
                               "blocked t\n"       /* 11: default */
                               "blocked @B-2 t\n"
                               "thread u\n    m\n"
                               "join t\n" /* 14: default */
                               "join @C-3   u raises E\n");
    static const char *const written[] = {NULL, "B-2", NULL, "C-3", NULL,  "A-1", NULL, "B-2",
                                          NULL, "C-3", NULL, NULL,  "B-2", NULL,  NULL, "C-3"};
    static const char *const charged[] = {NULL,  "B-2", "A-1", "C-3", "A-1", "A-1", NULL,  "B-2",
                                          "A-1", "C-3", NULL,  "A-1", "B-2", NULL,  "A-1", "C-3"};
    assert_int_equal(s->n_steps, 16);
    for (size_t i = 0; i < 16; i++) {
        assert_field(s->steps[i].clause, written[i]);
        assert_field(scn_step_clause(s, &s->steps[i]), charged[i]);
    }
    /* The other fields are parsed as without the id. */
    static const field_check checks[] = {
        {3, F_RAISES, "E"}, {3, F_MATCHING, "x"}, {7, F_CHANNELS, "c"}, {9, F_CHANNELS, "c"},
        {9, F_RAISES, "E"}, {15, F_NAME, "u"},    {15, F_RAISES, "E"},
    };
    ASSERT_FIELDS(s, checks);
    char *printed = check_round_trip(s);
    assert_non_null(strstr(printed, "\ndo @B-2\n    b\n"));
    assert_non_null(strstr(printed, "\ndo @C-3 raises E matching /x/\n"));
    assert_non_null(strstr(printed, "\nexpect e\n"));
    assert_non_null(strstr(printed, "\nexpect @A-1 f\n"));
    assert_non_null(strstr(printed, "\nrun @C-3 i channels c raises E\n"));
    assert_non_null(strstr(printed, "\nblocked @B-2 t\n"));
    assert_non_null(strstr(printed, "\njoin @C-3 u raises E\n"));
    free(printed);
    scn_free(s);

    /* A step with no clause while the header has none (a model built by
     * hand, not by the parser) is charged to nothing. */
    scn_step bare = {.kind = SCN_STEP_EXPECT};
    scn_scenario empty = {0};
    assert_null(scn_step_clause(&empty, &bare));
}

static void
test_utf8_accepted(void **state)
{
    (void)state;
    scn_scenario *s = parse_ok("clauses: A-1\nlevel: MUST\ndescription: 日本語 ü € 😀\n\n"
                               "do @A-1\n    s = 'ÿ\U0010FFFF'\n");
    assert_string_equal(s->description, "日本語 ü € 😀");
    scn_free(s);
}

static void
test_size_limits(void **state)
{
    (void)state;
    size_t cap = SCN_MAX_FILE_BYTES + 64;
    char *buf = malloc(cap);
    assert_non_null(buf);

    /* A line of exactly 4096 bytes is fine; 4097 is not. */
    size_t n = (size_t)sprintf(buf, H "do @A-1\n    x = '");
    size_t start = n - 9; /* the body line starts at "    x = '" */
    while (n - start < SCN_MAX_LINE_BYTES - 1) {
        buf[n++] = 'a';
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    assert_int_equal(n - start, SCN_MAX_LINE_BYTES);
    scn_free(parse_ok(buf));
    memmove(buf + start + 9, buf + start + 8, n - start - 8);
    buf[++n] = '\0';
    check_error(buf, "6:4097: line longer than 4096 bytes");
    /* A two-byte character whose second byte would be byte 4097. */
    buf[start + SCN_MAX_LINE_BYTES - 1] = (char)0xC3;
    buf[start + SCN_MAX_LINE_BYTES] = (char)0xA9;
    check_error(buf, "6:4096: line longer than 4096 bytes");

    /* A file of exactly 1 MiB is fine (padded with comment lines)... */
    n = (size_t)sprintf(buf, H "do @A-1\n    pass\n");
    while (n < SCN_MAX_FILE_BYTES) {
        size_t room = SCN_MAX_FILE_BYTES - n;
        size_t len = room > 100 ? 100 : room; /* len bytes including '\n' */
        buf[n] = '#';
        memset(buf + n + 1, 'c', len - 1);
        buf[n + len - 1] = '\n';
        n += len;
    }
    scn_scenario *s = NULL;
    scn_error err;
    assert_int_equal(scn_parse("t.scn", buf, n, &s, &err), 0);
    scn_free(s);
    /* ...one byte more is not; the error points at the first byte too many. */
    buf[n++] = 'x';
    unsigned line = 1, col = 1;
    for (size_t i = 0; i < SCN_MAX_FILE_BYTES; i++) {
        if (buf[i] == '\n') {
            line++;
            col = 1;
        }
        else {
            col++;
        }
    }
    char want[128];
    snprintf(want, sizeof want, "%u:%u: file larger than 1048576 bytes (1 MiB)", line, col);
    check_error_n(buf, n, want);
    free(buf);
}

/* ---- errors ---------------------------------------------------------------------- */

typedef struct error_case {
    const char *text;
    const char *error; /* "LINE:COLUMN: message" */
} error_case;

static const error_case error_cases[] = {
    /* Lexical. */
    {"clauses: A-1\r\n", "1:13: CRLF line ending"},
    {H "do\n    x = 1\r\n", "6:10: CRLF line ending"},
    {"clauses: A\rB\n", "1:11: carriage return inside a line"},
    {H "do\n    x = 1\r", "6:10: carriage return inside a line"},
    {H "do\n\tx = 1\n", "6:1: tab in indentation"},
    {H "do\n    \tx = 1\n", "6:5: tab in indentation"},
    {H "do\n    x = 1\n  \t\n", "7:3: tab in indentation"},
    {"\tclauses: A-1\n", "1:1: tab in indentation"},
    {"description: caf\xC3\n", "1:17: invalid UTF-8"},
    {"description: \xC3\xA9\xFF\n", "1:15: invalid UTF-8"},
    {"description: \xC0\xAF\n", "1:14: invalid UTF-8"},         /* overlong '/' */
    {"description: \xE0\x80\xAF\n", "1:14: invalid UTF-8"},     /* overlong */
    {"description: \xED\xA0\x80\n", "1:14: invalid UTF-8"},     /* surrogate */
    {"description: \xF4\x90\x80\x80\n", "1:14: invalid UTF-8"}, /* > U+10FFFF */
    {"description: \x80\n", "1:14: invalid UTF-8"},             /* lone continuation */
    {"description: \xF0\x9F\x98\n", "1:14: invalid UTF-8"},     /* truncated */
    {"description: \xE2\x82(\n", "1:14: invalid UTF-8"},        /* bad 3rd byte */
    {"\xEF\xBB\xBF"
     "clauses: A-1\n",
     "1:1: byte order mark (save the file as UTF-8 without BOM)"},

    /* Header. */
    {"", "1:1: missing required header key 'clauses'"},
    {"# only a comment\n", "2:1: missing required header key 'clauses'"},
    {"level: MUST\n", "2:1: missing required header key 'clauses'"},
    {"clauses: A-1\ndescription: d\n\ndo\n    x\n", "3:1: missing required header key 'level'"},
    {"clauses: A-1\nlevel: MUST\n\ndo\n    x\n", "3:1: missing required header key 'description'"},
    {"clauses: A-1\nlevel: MUST", "2:12: missing required header key 'description'"},
    {"clauses: A-1\nclauses: B-1\n", "2:1: duplicate header key 'clauses'"},
    {"description: a\ndescription: a\n", "2:1: duplicate header key 'description'"},
    {"foo: bar\n", "1:1: unknown header key 'foo'"},
    {"Level: MUST\n", "1:1: unknown header key 'Level'"},
    {"clauses A-1\n", "1:8: expected ':' after header key 'clauses'"},
    {"clauses\n", "1:8: expected ':' after header key 'clauses'"},
    {"=x\n", "1:1: expected a 'key: value' header line"},
    {"\xC3\xBC: x\n", "1:1: expected a 'key: value' header line"},
    {" clauses: A-1\n", "1:2: indented line in the header"},
    {"clauses:\n", "1:9: empty value for header key 'clauses'"},
    {"origin:    \n", "1:12: empty value for header key 'origin'"},
    {"description:\n", "1:13: empty value for header key 'description'"},
    {"clauses: A-1 a-2\n", "1:14: malformed clause id 'a-2' (expected e.g. CH-SEND-3)"},
    {"clauses: A1\n", "1:10: malformed clause id 'A1' (expected e.g. CH-SEND-3)"},
    {"clauses: A-\n", "1:10: malformed clause id 'A-' (expected e.g. CH-SEND-3)"},
    {"clauses: -A\n", "1:10: malformed clause id '-A' (expected e.g. CH-SEND-3)"},
    {"clauses: A--1\n", "1:10: malformed clause id 'A--1' (expected e.g. CH-SEND-3)"},
    {"clauses: 1-A\n", "1:10: malformed clause id '1-A' (expected e.g. CH-SEND-3)"},
    {"clauses: A-1,B-2\n", "1:10: malformed clause id 'A-1,B-2' (expected e.g. CH-SEND-3)"},
    {"clauses: A-1 B-2 A-1\n", "1:18: duplicate clause id 'A-1'"},
    {"level: must\n", "1:8: unknown level 'must' (expected MUST, SHOULD, MAY or IMPL)"},
    {"level: MUST SHOULD\n",
     "1:8: unknown level 'MUST SHOULD' (expected MUST, SHOULD, MAY or IMPL)"},
    {"level: M\xC3\x9CST\n",
     "1:8: unknown level 'M\xC3\x9CST' (expected MUST, SHOULD, MAY or IMPL)"},
    {"features: threads gpu\n",
     "1:19: unknown feature 'gpu' (expected threads, subinterpreter, isolated, channels, "
     "signals or subprocess)"},
    {"features: threads channels threads\n", "1:28: duplicate feature 'threads'"},
    {"timeout: medium\n", "1:10: unknown timeout class 'medium' (expected short or long)"},
    {"verdict: XFAIL\n", "1:10: unknown verdict 'XFAIL' (expected PASS or FAIL)"},
    {"clauses: A-1\nlevel: MUST\ndescription: d\ndo\n    x\n",
     "4:1: missing blank line between the header and the steps"},
    {"clauses: A-1\nlevel: MUST\ndescription: d\nexpect 1\n",
     "4:1: missing blank line between the header and the steps"},
    {H "origin: x\n", "5:1: header key 'origin' after the header's blank line"},
    {"description: an unknown key with a very long name follows\n"
     "averyveryveryveryveryveryverylongkey: x\n",
     "2:1: unknown header key 'averyveryveryveryveryver...'"},

    /* Steps in general. */
    {H, "5:1: scenario has no steps"},
    {H "# just a comment\n", "6:1: scenario has no steps"},
    {H "frobnicate x\n", "5:1: unknown step keyword 'frobnicate' (expected do, expect, run, "
                         "thread, blocked or join)"},
    {H "Do\n    x\n", "5:1: unknown step keyword 'Do' (expected do, expect, run, thread, "
                      "blocked or join)"},
    {H "    x\n", "5:5: indented line outside a step body"},
    {H "do\n    x\n# c\n    y\n", "8:5: indented line outside a step body"},
    {H "do\n  x = 1\n", "6:3: body line indented by 2 spaces (expected 4)"},
    {H "do\n x\n", "6:2: body line indented by 1 space (expected 4)"},
    {H "do\n    x\n   y\n", "7:4: body line indented by 3 spaces (expected 4)"},

    /* do */
    {H "do\n", "5:1: 'do' step requires a body indented by 4 spaces"},
    {H "do\n\n\ndo\n    x\n", "5:1: 'do' step requires a body indented by 4 spaces"},
    {H "do\n# only a comment\n", "5:1: 'do' step requires a body indented by 4 spaces"},
    {H "do x\n    y\n", "5:4: unexpected 'x' after 'do' (expected 'raises' or end of line)"},
    {H "do raises\n    x\n", "5:10: expected an exception name after 'raises'"},
    {H "do raises   \n    x\n", "5:13: expected an exception name after 'raises'"},
    {H "do raises 1Error\n", "5:11: malformed exception name '1Error' (expected a dotted "
                             "Python name)"},
    {H "do raises a..b\n", "5:11: malformed exception name 'a..b' (expected a dotted Python "
                           "name)"},
    {H "do raises a.\n", "5:11: malformed exception name 'a.' (expected a dotted Python name)"},
    {H "do raises .a\n", "5:11: malformed exception name '.a' (expected a dotted Python name)"},
    {H "do raises E(1)\n", "5:11: malformed exception name 'E(1)' (expected a dotted Python "
                           "name)"},
    {H "do raises E foo\n", "5:13: unexpected 'foo' after the exception name (expected "
                            "'matching' or end of line)"},
    {H "do raises E matching\n", "5:21: expected /REGEX/ after 'matching'"},
    {H "do raises E matching abc/\n", "5:22: expected '/' to start the regex after 'matching'"},
    {H "do raises E matching /abc\n", "5:22: unterminated regex (no closing '/')"},
    {H "do raises E matching /ab\\/\n", "5:22: unterminated regex (no closing '/')"},
    {H "do raises E matching /ab\\\n", "5:22: unterminated regex (no closing '/')"},
    {H "do raises E matching //\n", "5:22: empty regex"},
    {H "do raises E matching /a/ x\n", "5:26: unexpected 'x' after the regex"},
    {H "do raises E matching /a//\n", "5:25: unexpected '/' after the regex"},
    {H "do matching /a/\n", "5:4: unexpected 'matching' after 'do' (expected 'raises' or end "
                            "of line)"},

    /* expect */
    {H "expect\n", "5:7: expected an expression after 'expect'"},
    {H "expect   \n", "5:10: expected an expression after 'expect'"},
    {H "expect x\n", "5:1: 'expect' step requires at least one '=> VALUE' line"},
    {H "expect x\n\n\n", "5:1: 'expect' step requires at least one '=> VALUE' line"},
    {H "expect x\n    y\n", "6:5: expected '=> VALUE' indented by 4 spaces in an 'expect' step"},
    {H "expect x\n    = > 1\n",
     "6:5: expected '=> VALUE' indented by 4 spaces in an 'expect' step"},
    {H "expect x\n        => 1\n",
     "6:9: expected '=> VALUE' indented by 4 spaces in an 'expect' step"},
    {H "expect x\n    =>\n", "6:7: expected a value after '=>'"},
    {H "expect x\n    =>   \n", "6:10: expected a value after '=>'"},
    {H "expect x\n  => 1\n", "6:3: body line indented by 2 spaces (expected 4)"},
    {H "expect x\n    => 1\n    y\n",
     "7:5: expected '=> VALUE' indented by 4 spaces in an 'expect' step"},

    /* run */
    {H "run\n", "5:4: expected an interpreter name after 'run'"},
    {H "run 1i\n", "5:5: malformed interpreter name '1i' (expected a Python identifier)"},
    {H "run a.b\n", "5:5: malformed interpreter name 'a.b' (expected a Python identifier)"},
    {H "run i foo\n", "5:7: unexpected 'foo' after the interpreter name (expected 'channels', "
                      "'raises' or end of line)"},
    {H "run i channels\n", "5:15: expected an expression after 'channels'"},
    {H "run i channels   \n", "5:18: expected an expression after 'channels'"},
    {H "run i channels raises E\n", "5:16: expected an expression after 'channels'"},
    {H "run i channels x raises\n", "5:24: expected an exception name after 'raises'"},
    {H "run i channels x raises E foo\n", "5:27: unexpected 'foo' after the exception name "
                                          "(expected 'matching' or end of line)"},
    {H "run i\n", "5:1: 'run' step requires a body indented by 4 spaces"},
    {H "run i raises\n", "5:13: expected an exception name after 'raises'"},
    {H "run i raises E matching /x\n    x\n", "5:25: unterminated regex (no closing '/')"},

    /* threads */
    {H "thread\n", "5:7: expected a thread name after 'thread'"},
    {H "thread 9\n", "5:8: malformed thread name '9' (expected a Python identifier)"},
    {H "thread t x\n", "5:10: unexpected 'x' after the thread name"},
    {H "thread t\n", "5:1: 'thread' step requires a body indented by 4 spaces"},
    {H "thread t\n    x\n", "5:8: thread t is never joined"},
    {H "thread t\n    x\nthread u\n    y\n", "5:8: thread t is never joined"},
    {H "thread t\n    x\nthread u\n    y\njoin t\n", "7:8: thread u is never joined"},
    {H "thread t\n    x\nthread t\n    y\njoin t\n", "7:8: thread t is already started (line 5)"},
    {H "thread t\n    x\njoin t\nthread t\n    y\njoin t\n",
     "8:8: thread t is already started (line 5)"},
    {H "blocked t\n", "5:9: thread t is not started before this step"},
    {H "join t\n", "5:6: thread t is not started before this step"},
    {H "join t\nthread t\n    x\n", "5:6: thread t is not started before this step"},
    {H "thread t\n    x\njoin T\n", "7:6: thread T is not started before this step"},
    {H "thread t\n    x\njoin t\nblocked t\n", "8:9: thread t is already joined"},
    {H "thread t\n    x\njoin t\njoin t\n", "8:6: thread t is already joined"},
    {H "thread t\n    x\nblocked t\n    y\njoin t\n", "8:5: 'blocked' step takes no body"},
    {H "thread t\n    x\nblocked t\n\n        y\njoin t\n", "9:9: 'blocked' step takes no body"},
    {H "thread t\n    x\njoin t\n  y\n", "8:3: 'join' step takes no body"},
    {H "thread t\n    x\nblocked\n", "7:8: expected a thread name after 'blocked'"},
    {H "thread t\n    x\nblocked t x\n", "7:11: unexpected 'x' after the thread name"},
    {H "thread t\n    x\nblocked t raises E\n", "7:11: unexpected 'raises' after the thread name"},
    {H "thread t\n    x\njoin t x\n", "7:8: unexpected 'x' after the thread name (expected "
                                      "'raises' or end of line)"},
    {H "thread t\n    x\njoin t raises\n", "7:14: expected an exception name after 'raises'"},
    {H "thread t\n    x\njoin t raises E matching /\n",
     "7:26: unterminated regex (no closing '/')"},

    /* @CLAUSE-ID after the keyword. */
    {H "expect @B-1 x\n    => 1\n", "5:9: clause B-1 is not in the header's clauses"},
    {H "join @A-1 t\n", "5:11: thread t is not started before this step"},
    {H "do @\n    x\n", "5:5: expected a clause id after '@'"},
    {H "do @ raises E\n    x\n", "5:5: expected a clause id after '@'"},
    {H "do @a-1\n    x\n", "5:5: malformed clause id 'a-1' (expected e.g. CH-SEND-3)"},
    {H "do @A-1,\n    x\n", "5:5: malformed clause id 'A-1,' (expected e.g. CH-SEND-3)"},
    {H "do @@A-1\n    x\n", "5:5: malformed clause id '@A-1' (expected e.g. CH-SEND-3)"},
    {H "do @\xC3\x84-1\n    x\n",
     "5:5: malformed clause id '\xC3\x84-1' (expected e.g. CH-SEND-3)"},
    {H "do@A-1\n    x\n", "5:1: unknown step keyword 'do@A-1' (expected do, expect, run, "
                          "thread, blocked or join)"},
    {H "thread @A-1 t\n    x\njoin t\n",
     "5:8: a 'thread' step checks no clause (put '@CLAUSE-ID' on its 'join')"},
    {H "thread @B-1 t\n    x\njoin t\n",
     "5:8: a 'thread' step checks no clause (put '@CLAUSE-ID' on its 'join')"},
    {H "expect @A-1\n", "5:12: expected an expression after 'expect'"},
    {H "expect @A-1    \n", "5:16: expected an expression after 'expect'"},
    {H "run @A-1\n", "5:9: expected an interpreter name after 'run'"},
    {H "run @A-1 i @A-1\n    x\n", "5:12: unexpected '@A-1' after the interpreter name "
                                   "(expected 'channels', 'raises' or end of line)"},
    {H "thread t\n    x\nblocked @A-1\njoin t\n", "7:13: expected a thread name after 'blocked'"},
    {H "thread t\n    x\njoin t @A-1\n", "7:8: unexpected '@A-1' after the thread name "
                                         "(expected 'raises' or end of line)"},
    {H "do raises E @A-1\n    x\n", "5:13: unexpected '@A-1' after the exception name "
                                    "(expected 'matching' or end of line)"},
    /* Every header clause is checked by some step, found at the end of the
     * file and reported at the clause's id on the `clauses:` line. */
    {H "do\n    x\n", "1:10: clause A-1 is checked by no step"},
    {H "run i\n    x\nthread t\n    y\n", "7:8: thread t is never joined"},
    {H "run i\n    x\n", "1:10: clause A-1 is checked by no step"},
    {"clauses: A-1  B-2\nlevel: MUST\ndescription: d\n\nexpect x\n    => 1\n",
     "1:15: clause B-2 is checked by no step"},
    {"clauses: A-1 B-2\nlevel: MUST\ndescription: d\n\nexpect @B-2 x\n    => 1\n",
     "1:10: clause A-1 is checked by no step"},
    {"clauses: A-1 B-2 C-3\nlevel: MUST\ndescription: d\n\nexpect @A-1 x\n    => 1\n",
     "1:14: clause B-2 is checked by no step"},
    {"# c\nlevel: MUST\nclauses:   X-1\ndescription: d\n\ndo\n    x\n",
     "3:12: clause X-1 is checked by no step"},

    /* First problem in file order wins. */
    {H "frob\n\tx\n", "5:1: unknown step keyword 'frob' (expected do, expect, run, thread, "
                      "blocked or join)"},
    {H "do\n\tx\nfrob\n", "6:1: tab in indentation"},
    {H "thread t\n    x\nfrob\n", "7:1: unknown step keyword 'frob' (expected do, expect, "
                                  "run, thread, blocked or join)"},
};

static void
test_error_cases(void **state)
{
    (void)state;
    /* Report every mismatch, not just the first. */
    size_t bad = 0;
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const char *t = error_cases[i].text;
        bad += !error_matches(t, strlen(t), error_cases[i].error);
    }
    assert_int_equal(bad, 0);
}

static void
test_nul_bytes(void **state)
{
    (void)state;
    static const char a[] = H "do\n    x = '\0'\n";
    check_error_n(a, sizeof a - 1, "6:10: NUL byte");
    static const char b[] = "\0";
    check_error_n(b, 1, "1:1: NUL byte");
    static const char c[] = "clauses: A-1\nlevel: MUST\ndescription: d\n\n\0\n";
    check_error_n(c, sizeof c - 1, "5:1: NUL byte");
    /* The first problem in file order wins, also against a later NUL. */
    static const char d[] = H "do\n    x\0\nfrob\n";
    check_error_n(d, sizeof d - 1, "6:6: NUL byte");
    static const char e[] = H "frob\n\0\n";
    check_error_n(e, sizeof e - 1,
                  "5:1: unknown step keyword 'frob' (expected do, expect, "
                  "run, thread, blocked or join)");
}

/* An invalid file is rejected with the error its first line names. */
static void
check_invalid_file(const char *path)
{
    size_t size;
    char *text = read_all(path, &size);
    static const char tag[] = "# expect-error: ";
    assert_true(strncmp(text, tag, sizeof tag - 1) == 0);
    char want[2048];
    const char *nl = strchr(text, '\n');
    assert_non_null(nl);
    snprintf(want, sizeof want, "%s:%.*s", path, (int)(nl - text - (sizeof tag - 1)),
             text + sizeof tag - 1);
    free(text);

    scn_scenario *s = NULL;
    scn_error err;
    char got[2048];
    assert_int_equal(scn_parse_file(path, &s, &err), -1);
    assert_null(s);
    scn_format_error(&err, got, sizeof got);
    assert_string_equal(got, want);
}

static void
test_invalid_files(void **state)
{
    (void)state;
    assert_true(for_each_sample("invalid", check_invalid_file) >= 10);
}

static void
test_file_errors(void **state)
{
    (void)state;
    scn_scenario *s = NULL;
    scn_error err;
    char got[2048], path[4096];
    assert_int_equal(scn_parse_file("/nonexistent/dir/x.scn", &s, &err), -1);
    assert_null(s);
    assert_int_equal(err.line, 0);
    scn_format_error(&err, got, sizeof got);
    assert_string_equal(got, "/nonexistent/dir/x.scn: cannot open: No such file or directory");

    snprintf(path, sizeof path, "%s/valid", data_dir);
    assert_int_equal(scn_parse_file(path, &s, &err), -1);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.message, "read error: Is a directory");

    /* NULL text is the empty text; NULL scenario frees nothing. */
    assert_int_equal(scn_parse("t.scn", NULL, 0, &s, &err), -1);
    assert_string_equal(err.message, "missing required header key 'clauses'");
    assert_int_equal(scn_parse("t.scn", NULL, 5, &s, &err), -1);
    assert_string_equal(err.message, "no text");
    scn_free(NULL);
    assert_int_equal(scn_parse_file("/nonexistent", &s, NULL), -1);

    /* err may be NULL; path NULL is "<input>". */
    assert_int_equal(scn_parse(NULL, "x", 1, &s, NULL), -1);
    assert_int_equal(scn_parse(NULL, "x", 1, &s, &err), -1);
    scn_format_error(&err, got, sizeof got);
    assert_string_equal(got, "<input>:1:2: expected ':' after header key 'x'");
}

/* ---- allocation failures ------------------------------------------------------------ */

/* Fail allocation N for N = 0, 1, ... until the parse succeeds. */
static void
alloc_walk(const char *text, size_t size, int sticky)
{
    for (long n = 0;; n++) {
        counting c = {n, sticky, 0, 0};
        scn_allocator a = {counting_malloc, counting_free, &c};
        scn_scenario *s = (scn_scenario *)&c;
        scn_error err;
        int rc = scn_parse_with("t.scn", text, size, &a, &s, &err);
        if (rc == 0) {
            assert_true(c.count <= n); /* succeeded without reaching the failure */
            scn_free(s);
            assert_int_equal(c.live, 0);
            return;
        }
        assert_int_equal(rc, -1);
        assert_null(s);
        assert_string_equal(err.message, "out of memory");
        assert_int_equal(err.line, 0);
        assert_int_equal(c.live, 0);
        assert_true(n < 1000000);
    }
}

static void
test_alloc_failures(void **state)
{
    (void)state;
    char **names = list_scn("valid");
    for (size_t i = 0; names[i]; i++) {
        size_t size;
        char *text = read_all(names[i], &size);
        alloc_walk(text, size, 0);
        alloc_walk(text, size, 1);

        /* The printer: every failure is a clean NULL. */
        scn_scenario *s = parse_ok(text);
        for (long n = 0;; n++) {
            counting c = {n, 0, 0, 0};
            scn_allocator a = {counting_malloc, counting_free, &c};
            char *out = scn_print_with(s, &a);
            if (out) {
                char *plain = scn_print(s);
                assert_string_equal(out, plain);
                free(plain);
                counting_free(out, &c);
                assert_int_equal(c.live, 0);
                break;
            }
            assert_int_equal(c.live, 0);
        }
        scn_free(s);

        /* scn_parse_file_with uses the hooks too (file buffer included). */
        for (long n = 0;; n++) {
            counting c = {n, 0, 0, 0};
            scn_allocator a = {counting_malloc, counting_free, &c};
            scn_error err;
            if (scn_parse_file_with(names[i], &a, &s, &err) == 0) {
                scn_free(s);
                assert_int_equal(c.live, 0);
                break;
            }
            assert_string_equal(err.message, "out of memory");
            assert_int_equal(c.live, 0);
        }
        free(text);
    }
    free_list(names);

    /* Also on paths that end in a syntax error: no leak either way. */
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const char *t = error_cases[i].text;
        for (long n = 0;; n++) {
            counting c = {n, 0, 0, 0};
            scn_allocator a = {counting_malloc, counting_free, &c};
            scn_scenario *s = NULL;
            scn_error err;
            assert_int_equal(scn_parse_with("t.scn", t, strlen(t), &a, &s, &err), -1);
            assert_int_equal(c.live, 0);
            if (strcmp(err.message, "out of memory") != 0) {
                break;
            }
        }
    }
}

/* ---- equality ----------------------------------------------------------------------- */

static const char equal_base[] =
    "clauses: A-1 B-2\nlevel: MUST\nfeatures: threads\ndescription: d\norigin: o\n\n"
    "do raises E matching /m/\n    x\n"
    "expect @A-1 e\n    => 1\n    => 2\n"
    "run i channels c raises R\n    y\n"
    "thread t\n    z\nblocked @B-2 t\njoin t raises J\n";
static const char equal_head[] =
    "clauses: A-1 B-2\nlevel: MUST\nfeatures: threads\ndescription: d\norigin: o\n\n";
static const char equal_steps[] = "do raises E matching /m/\n    x\n"
                                  "expect @A-1 e\n    => 1\n    => 2\n"
                                  "run i channels c raises R\n    y\n"
                                  "thread t\n    z\nblocked @B-2 t\njoin t raises J\n";

/* Parse "<prefix><x>[<suffix>]" and "<prefix><y>[<suffix>]": they must differ, both ways. */
static void
assert_differ(const char *prefix, const char *x, const char *y, const char *suffix,
              const char *what, size_t i)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s%s", prefix, x, suffix);
    scn_scenario *b = parse_ok(text);
    snprintf(text, sizeof text, "%s%s%s", prefix, y, suffix);
    scn_scenario *c = parse_ok(text);
    if (scn_equal(b, c) || scn_equal(c, b)) {
        fail_msg("%s %zu compares equal", what, i);
    }
    scn_free(b);
    scn_free(c);
}

static void
test_equal_ignores_positions(void **state)
{
    (void)state;
    scn_scenario *a = parse_ok(equal_base);
    /* Positions do not matter: comments and blank lines moved around. */
    scn_scenario *b = parse_ok("# c\n\nclauses: A-1 B-2\nlevel: MUST\nfeatures: threads\n"
                               "description: d\norigin: o\n\n\n\n"
                               "do raises E matching /m/\n\n    x\n\n\n"
                               "expect   @A-1   e\n    => 1\n\n    => 2\n"
                               "# c\nrun i channels c raises R\n    y\n"
                               "thread t\n    z\nblocked  @B-2 t\n\njoin t raises J\n");
    assert_true(scn_equal(a, b));
    assert_true(scn_equal(a, a));
    assert_false(scn_equal(a, NULL));
    assert_true(scn_equal(NULL, NULL));
    scn_free(b);
    /* Fewer clauses (so one step fewer checks the one left out). */
    b = parse_ok("clauses: A-1\nlevel: MUST\nfeatures: threads\ndescription: d\norigin: o\n\n"
                 "do raises E matching /m/\n    x\nexpect @A-1 e\n    => 1\n    => 2\n"
                 "run i channels c raises R\n    y\nthread t\n    z\nblocked t\njoin t raises J\n");
    assert_false(scn_equal(a, b) || scn_equal(b, a));
    scn_free(b);
    scn_free(a);
}

static void
test_equal_header_and_first_step(void **state)
{
    (void)state;
    /* Each variant differs from the base in exactly one structural detail.
     * (A different number of clauses needs different steps too, since each
     * is checked by some step: see test_equal_ignores_positions.) */
    static const char *const variants[] = {
        "clauses: B-2 A-1\nlevel: MUST\nfeatures: threads\ndescription: d\norigin: o\n\n",
        "clauses: A-1 B-2\nlevel: MAY\nfeatures: threads\ndescription: d\norigin: o\n\n",
        "clauses: A-1 B-2\nlevel: MUST\nfeatures: channels\ndescription: d\norigin: o\n\n",
        "clauses: A-1 B-2\nlevel: MUST\nfeatures: threads\ndescription: e\norigin: o\n\n",
        "clauses: A-1 B-2\nlevel: MUST\nfeatures: threads\ndescription: d\n\n",
        "clauses: A-1 B-2\nlevel: MUST\nfeatures: threads\ndescription: d\norigin: o\n"
        "timeout: long\n\n",
        "clauses: A-1 B-2\nlevel: MUST\nfeatures: threads\ndescription: d\norigin: o\n"
        "verdict: FAIL\n\n",
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        assert_differ("", equal_head, variants[i], equal_steps, "header variant", i);
    }
    static const char *const step_variants[] = {
        /* An explicit clause differs from the implied one, even when equal:
         * it is what the author wrote, and the printer keeps it. */
        "do @A-1 raises E matching /m/\n    x\n",
        "do @B-2 raises E matching /m/\n    x\n",
        "do raises E\n    x\n",
        "do raises F matching /m/\n    x\n",
        "do raises E matching /n/\n    x\n",
        "do raises E matching /m/\n    x2\n",
        "do raises E matching /m/\n    x\n\n    x\n",
        "do raises E matching /m/\n        x\n",
    };
    const char *rest = strstr(equal_steps, "expect");
    /* As large as equal_steps itself, so the copy of its head cannot be cut. */
    char first[256];
    assert_true((size_t)(rest - equal_steps) < sizeof first);
    snprintf(first, sizeof first, "%.*s", (int)(rest - equal_steps), equal_steps);
    for (size_t i = 0; i < sizeof step_variants / sizeof step_variants[0]; i++) {
        assert_differ(equal_head, first, step_variants[i], rest, "step variant", i);
    }
}

static void
test_equal_other_steps(void **state)
{
    (void)state;
    /* Other steps: outcomes, channels, names, step count. */
    static const char *const tails[] = {
        "expect e\n    => 1\n",
        "expect e\n    => 2\n    => 1\n",
        "expect f\n    => 1\n    => 2\n",
    };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        assert_differ(H, "expect e\n    => 1\n    => 2\n", tails[i], "", "tail", i);
    }
    static const char *const pairs[][2] = {
        {"run @A-1 i\n    y\n", "run @A-1 j\n    y\n"},
        {"run @A-1 i\n    y\n", "run @A-1 i channels c\n    y\n"},
        {"run @A-1 i channels c\n    y\n", "run @A-1 i channels d\n    y\n"},
        {"run @A-1 i\n    y\n", "do @A-1\n    y\n"},
        {"expect e\n    => 1\n", "expect @A-1 e\n    => 1\n"},
        {"do raises E\n    y\n", "do @A-1 raises E\n    y\n"},
        {"thread t\n    y\njoin t\n", "thread t\n    y\njoin @A-1 t\n"},
        {"thread t\n    y\njoin t\n", "thread u\n    y\njoin u\n"},
        {"thread t\n    y\njoin t\n", "thread t\n    y\nblocked t\njoin t\n"},
        {"thread t\n    y\njoin t\n", "thread t\n    y\njoin t raises E\n"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        assert_differ(H, pairs[i][0], pairs[i][1], "", "pair", i);
    }
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(scn_level_name(SCN_LEVEL_IMPL), "IMPL");
    assert_null(scn_level_name((scn_level)9));
    assert_string_equal(scn_timeout_name(SCN_TIMEOUT_LONG), "long");
    assert_string_equal(scn_verdict_name(SCN_VERDICT_FAIL), "FAIL");
    assert_string_equal(scn_step_kind_name(SCN_STEP_BLOCKED), "blocked");
    assert_null(scn_step_kind_name((scn_step_kind)6));
    assert_string_equal(scn_feature_name(SCN_FEATURE_SUBINTERPRETER), "subinterpreter");
    assert_string_equal(scn_feature_name(SCN_FEATURE_SIGNALS), "signals");
    assert_null(scn_feature_name(SCN_FEATURE_THREADS | SCN_FEATURE_CHANNELS));
    assert_null(scn_feature_name(0));
}

/* ---- mutations: never crash, and whatever parses round-trips ----------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char mutation_bytes[] = " \n\t\r#/\\=>:\"'()[]{}.-_aZ9\x00\xC3\x80\xFF";
static const char *const mutation_pieces[] = {
    " raises E",
    " matching /x/",
    " channels (a, b)",
    "thread T\n    x\n",
    "join T\n",
    "blocked T\n",
    "    ",
    "\n\n",
    "expect x\n    => 1\n",
    "do\n",
    "run i\n    y\n",
    "# c\n",
    "features: threads\n",
    "level: MAY\n",
    "\\/",
    "'''",
    "=> ",
    " @CH-RECV-2",
    " @A-1",
    "do @CH-SEND-2\n    x\n",
};
#define MUTATION_CAP (1 << 16)

/* One to three random edits of buf[0..n) (capacity MUTATION_CAP); the new length. */
static size_t
mutate(char *buf, size_t n)
{
    for (int m = 1 + (int)(rng() % 3); m > 0; m--) {
        size_t at = n ? rng() % n : 0;
        switch (rng() % 4) {
        case 0: /* replace a byte */
            if (n) {
                buf[at] = mutation_bytes[rng() % (sizeof mutation_bytes - 1)];
            }
            break;
        case 1: { /* delete a range */
            size_t len = rng() % 8;
            if (at + len > n) {
                len = n - at;
            }
            memmove(buf + at, buf + at + len, n - at - len);
            n -= len;
            break;
        }
        default: { /* insert a piece, preferably at a line start */
            const char *p =
                mutation_pieces[rng() % (sizeof mutation_pieces / sizeof mutation_pieces[0])];
            size_t len = strlen(p);
            if (rng() % 2) {
                while (at > 0 && buf[at - 1] != '\n') {
                    at--;
                }
            }
            if (n + len < MUTATION_CAP) {
                memmove(buf + at + len, buf + at, n - at);
                for (size_t j = 0; j < len; j++) {
                    buf[at + j] = p[j];
                }
                n += len;
            }
            break;
        }
        }
    }
    return n;
}

/* Parse a mutant: a scenario that round-trips, or an error with a place. 1 if it parsed. */
static int
parse_mutant(const char *buf, size_t n)
{
    scn_scenario *s = NULL;
    scn_error err;
    if (scn_parse("m.scn", buf, n, &s, &err) == 0) {
        free(check_round_trip(s));
        scn_free(s);
        return 1;
    }
    assert_null(s);
    assert_true(err.line > 0);
    assert_true(err.column > 0);
    assert_true(err.message[0] != '\0');
    return 0;
}

static void
test_mutations(void **state)
{
    (void)state;
    char **names = list_scn("valid");
    size_t n_names = 0;
    while (names[n_names]) {
        n_names++;
    }
    char *texts[64];
    size_t sizes[64];
    assert_true(n_names > 0 && n_names <= 64);
    if (n_names == 0) { /* for the analyzer: assert_true is not noreturn */
        return;
    }
    for (size_t i = 0; i < n_names; i++) {
        texts[i] = read_all(names[i], &sizes[i]);
    }
    size_t parsed = 0, rejected = 0;
    char *buf = malloc(MUTATION_CAP);
    assert_non_null(buf);
    for (int iter = 0; iter < 20000; iter++) {
        size_t k = rng() % n_names;
        memcpy(buf, texts[k], sizes[k]);
        if (parse_mutant(buf, mutate(buf, sizes[k]))) {
            parsed++;
        }
        else {
            rejected++;
        }
    }
    /* The mix must exercise both outcomes to mean anything. */
    assert_true(parsed > 500);
    assert_true(rejected > 500);
    free(buf);
    for (size_t i = 0; i < n_names; i++) {
        free(texts[i]);
    }
    free_list(names);
}

static void
test_format_md_examples(void **state)
{
    (void)state;
    if (!format_md) {
        skip();
    }
    size_t size, count = 0;
    char *doc = read_all(format_md, &size);
    static const char open[] = "```scn\n";
    for (char *p = strstr(doc, open); p; p = strstr(p, open)) {
        p += sizeof open - 1;
        char *end = strstr(p, "\n```");
        assert_non_null(end);
        end[1] = '\0'; /* the block, with its last '\n' */
        scn_scenario *s = parse_ok(p);
        char *printed = check_round_trip(s);
        if (strcmp(printed, p) != 0) {
            fail_msg("FORMAT.md example %zu is not in canonical form; canonical:\n%s", count,
                     printed);
        }
        free(printed);
        scn_free(s);
        count++;
        p = end + 2;
    }
    assert_true(count >= 4);
    free(doc);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        data_dir = argv[1];
    }
    if (argc > 2) {
        format_md = argv[2];
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_samples_round_trip),
        cmocka_unit_test(test_sample_blocking_recv),
        cmocka_unit_test(test_sample_run_failed),
        cmocka_unit_test(test_sample_outcome_set_and_selftest),
        cmocka_unit_test(test_sample_channels_and_messy),
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_body_rules),
        cmocka_unit_test(test_do_raises_and_regex),
        cmocka_unit_test(test_run_forms),
        cmocka_unit_test(test_threads_and_expect),
        cmocka_unit_test(test_step_clauses),
        cmocka_unit_test(test_utf8_accepted),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_error_cases),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_invalid_files),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_equal_ignores_positions),
        cmocka_unit_test(test_equal_header_and_first_step),
        cmocka_unit_test(test_equal_other_steps),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_format_md_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

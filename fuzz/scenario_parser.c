/*
 * scenario_parser.c: fuzz harness for the scenario parser and printer
 * (tools/interpcheck/scenario.c, conformance/FORMAT.md).
 *
 * Input: any bytes, parsed as a scenario file.  Properties checked, each a
 * finding (abort) when violated:
 *
 *   1. scn_parse() returns, and never leaks: every allocation it makes goes
 *      through a counting allocator, and after scn_free() (or a failed parse)
 *      nothing is left.  LeakSanitizer checks the same from outside.
 *   2. A rejected input gets a positioned message (FORMAT.md section 11):
 *      a non-empty message, line >= 1 and column >= 1 (line 0 is only for
 *      "out of memory"), and scn_format_error() renders it.
 *   3. An accepted input round-trips (FORMAT.md section 10): text1 =
 *      scn_print(parse(input)) parses again, to a scenario scn_equal() to the
 *      first, and printing that gives text1 byte for byte.
 *   4. Allocation failure is clean: the same input parsed (and printed) with
 *      an allocator that fails at one allocation, chosen from a hash of the
 *      input among the allocations a normal parse makes, fails with "out of
 *      memory" and leaks nothing.
 *
 * No Python.  Global state: the counting allocator's counters (reset for
 * every parse).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv1a.h"
#include "scenario.h"

/* ---- a counting allocator that can fail the N-th call ----------------- */

typedef struct {
    long calls;   /* malloc calls so far */
    long live;    /* allocated and not yet freed */
    long fail_at; /* fail the call with this index (0-based); -1: never */
} counting;

static void *
counting_malloc(size_t size, void *ctx)
{
    counting *c = ctx;
    long index = c->calls++;
    if (index == c->fail_at) {
        return NULL;
    }
    void *p = malloc(size ? size : 1);
    if (p != NULL) {
        c->live++;
    }
    return p;
}

static void
counting_free(void *ptr, void *ctx)
{
    counting *c = ctx;
    c->live--;
    free(ptr);
}

static scn_allocator
allocator_for(counting *c, long fail_at)
{
    c->calls = 0;
    c->live = 0;
    c->fail_at = fail_at;
    scn_allocator a = {counting_malloc, counting_free, c};
    return a;
}

static void
finding(const char *what, const scn_error *err, const char *text)
{
    char where[1600] = "";
    if (err != NULL) {
        scn_format_error(err, where, sizeof where);
    }
    fprintf(stderr, "\n==== interpcheck fuzz finding (scenario_parser) ====\n%s\n%s\n", what,
            where);
    if (text != NULL) {
        fprintf(stderr, "---- text ----\n%s\n--------------\n", text);
    }
    fflush(stderr);
    abort();
}

static void
check_error(const scn_error *err)
{
    if (err->message[0] == '\0') {
        finding("rejected input without an error message", err, NULL);
    }
    if (err->line == 0 && strcmp(err->message, "out of memory") != 0) {
        finding("error without a position (line 0) that is not 'out of memory'", err, NULL);
    }
    if (err->line > 0 && err->column == 0) {
        finding("error with line but column 0", err, NULL);
    }
    char buf[1600];
    int n = scn_format_error(err, buf, sizeof buf);
    if (n <= 0 || strstr(buf, err->message) == NULL) {
        finding("scn_format_error() does not render the message", err, NULL);
    }
}

/* Parse, print, re-parse, re-print; returns the number of allocations of
 * the first parse (for the allocation-failure pass), or -1 if rejected. */
static long
round_trip(const uint8_t *data, size_t size)
{
    counting c;
    scn_allocator alloc = allocator_for(&c, -1);
    scn_scenario *first = NULL;
    scn_error err;
    if (scn_parse_with("<fuzz>", (const char *)data, size, &alloc, &first, &err) != 0) {
        if (first != NULL) {
            finding("failed parse left a scenario in *out", &err, NULL);
        }
        if (c.live != 0) {
            finding("failed parse leaked allocations", &err, NULL);
        }
        check_error(&err);
        return -1;
    }
    long parse_calls = c.calls;
    if (first == NULL || first->n_steps == 0 || first->n_clauses == 0 ||
        first->description == NULL) {
        finding("accepted input gave an incomplete scenario", NULL, NULL);
    }
    if (!scn_equal(first, first)) {
        finding("scn_equal() is not reflexive", NULL, NULL);
    }

    char *text1 = scn_print(first);
    if (text1 == NULL) {
        finding("scn_print() failed on an accepted scenario", NULL, NULL);
    }
    scn_scenario *second = NULL;
    if (scn_parse("<printed>", text1, strlen(text1), &second, &err) != 0) {
        finding("printed text of an accepted scenario does not parse", &err, text1);
    }
    if (!scn_equal(first, second) || !scn_equal(second, first)) {
        finding("printed text parses to a different scenario", NULL, text1);
    }
    char *text2 = scn_print(second);
    if (text2 == NULL || strcmp(text1, text2) != 0) {
        fprintf(stderr, "---- second print ----\n%s\n", text2 ? text2 : "(NULL)");
        finding("printing is not idempotent: print(parse(print(x))) != print(x)", NULL, text1);
    }
    free(text2);
    free(text1);
    scn_free(second);

    /* Printing through the allocator, failing at a hashed call, must fail
     * cleanly too. */
    counting pc;
    scn_allocator palloc = allocator_for(&pc, -1);
    char *text3 = scn_print_with(first, &palloc);
    long print_calls = pc.calls;
    if (text3 != NULL) {
        palloc.free_fn(text3, palloc.ctx);
    }
    if (pc.live != 0) {
        finding("scn_print_with() leaked allocations", NULL, NULL);
    }
    if (print_calls > 0) {
        palloc = allocator_for(&pc, (long)(fuzz_fnv1a(data, size) % (uint64_t)print_calls));
        char *text4 = scn_print_with(first, &palloc);
        if (text4 != NULL) {
            finding("scn_print_with() succeeded although an allocation failed", NULL, NULL);
        }
        if (pc.live != 0) {
            finding("scn_print_with() leaked after an allocation failure", NULL, NULL);
        }
    }

    scn_free(first);
    if (c.live != 0) {
        finding("scn_free() left allocations behind", NULL, NULL);
    }
    return parse_calls;
}

static void
failing_parse(const uint8_t *data, size_t size, long calls)
{
    counting c;
    long k = (long)((fuzz_fnv1a(data, size) >> 7) % (uint64_t)calls);
    scn_allocator alloc = allocator_for(&c, k);
    scn_scenario *s = NULL;
    scn_error err;
    int rc = scn_parse_with("<fuzz>", (const char *)data, size, &alloc, &s, &err);
    if (rc == 0) {
        scn_free(s);
        finding("scn_parse_with() succeeded although an allocation failed", NULL, NULL);
    }
    if (strcmp(err.message, "out of memory") != 0 || err.line != 0) {
        finding("failed allocation not reported as 'out of memory' without a position", &err, NULL);
    }
    if (c.live != 0) {
        finding("scn_parse_with() leaked after an allocation failure", &err, NULL);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The format's own limit is 1 MiB; beyond it is just a slower "too large". */
    if (size > SCN_MAX_FILE_BYTES + 16) {
        return 0;
    }
    long calls = round_trip(data, size);
    if (calls > 0) {
        failing_parse(data, size, calls);
    }
    return 0;
}

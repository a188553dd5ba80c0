/*
 * expect.c: expectation files and judgement (see expect.h).
 */
#include "expect.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
expect_verdict_name(expect_verdict v)
{
    static const char *names[] = {"PASS", "FAIL",    "XFAIL", "XPASS",
                                  "SKIP", "TIMEOUT", "CRASH", "ERROR"};
    return v <= EXPECT_ERROR ? names[v] : "?";
}

int
expect_verdict_matches(expect_verdict v)
{
    return v == EXPECT_PASS || v == EXPECT_XFAIL || v == EXPECT_SKIP;
}

static char *
trimmed(const char *start, const char *end)
{
    while (start < end && isspace((unsigned char)*start)) {
        start++;
    }
    while (end > start && isspace((unsigned char)end[-1])) {
        end--;
    }
    char *copy = malloc((size_t)(end - start) + 1);
    if (copy != NULL) {
        memcpy(copy, start, (size_t)(end - start));
        copy[end - start] = '\0';
    }
    return copy;
}

/* "KEY: value" out of one |-separated field; NULL if the key is not there. */
static char *
keyed(const char *start, const char *end, const char *key)
{
    char *field = trimmed(start, end);
    size_t klen = strlen(key);
    char *value = NULL;
    if (field != NULL && strncmp(field, key, klen) == 0 && field[klen] == ':') {
        value = trimmed(field + klen + 1, field + strlen(field));
        if (value != NULL && value[0] == '\0') {
            free(value);
            value = NULL;
        }
    }
    free(field);
    return value;
}

static void
free_entry(expect_entry *entry)
{
    free(entry->id);
    free(entry->clause);
    free(entry->observed);
    free(entry->reason);
}

/* OUTCOME, the words joined by '|', into e->outcomes and e->outcome_text:
 * 0, or -1 with err. */
static int
parse_outcomes(char *outcome, expect_entry *e, ic_error *err, const char *path, unsigned number)
{
    snprintf(e->outcome_text, sizeof e->outcome_text, "%s", outcome);
    char *save = NULL;
    for (char *word = strtok_r(outcome, "|", &save); word != NULL;
         word = strtok_r(NULL, "|", &save)) {
        proto_verdict verdict;
        if (proto_verdict_from_name(word, &verdict) < 0 || verdict == PROTO_ERROR) {
            return ic_error_set(err, IC_ERR_INPUT,
                                "%s:%u: unknown outcome '%s' (FAIL, TIMEOUT, CRASH, several"
                                " of them joined by '|', PASS among them, or SKIP)",
                                path, number, word);
        }
        e->outcomes |= 1u << verdict;
    }
    /* PASS only beside a failure: an intermittent deviation (WPT's list of
     * expected statuses); a scenario that always passes has no entry. */
    if (e->outcomes == (1u << PROTO_PASS)) {
        return ic_error_set(err, IC_ERR_INPUT,
                            "%s:%u: PASS alone is no expectation (an entry lists how the scenario"
                            " fails; PASS may only join them)",
                            path, number);
    }
    /* SKIP alone: a scenario is either run or not. */
    if ((e->outcomes & (1u << PROTO_SKIP)) && e->outcomes != (1u << PROTO_SKIP)) {
        return ic_error_set(err, IC_ERR_INPUT, "%s:%u: SKIP cannot be combined with other outcomes",
                            path, number);
    }
    return 0;
}

/* One entry: 0, or -1 with "path:line: message" in err (and *e empty). */
static int
parse_line(char *line, unsigned number, expect_entry *e, ic_error *err, const char *path)
{
    char id[512], outcome[32], clause[128];
    int used = 0;
    memset(e, 0, sizeof *e);
    e->line = number;
    if (sscanf(line, "%511s %31s %127s %n", id, outcome, clause, &used) != 3) {
        return ic_error_set(err, IC_ERR_INPUT,
                            "%s:%u: expected 'SCENARIO-ID OUTCOME CLAUSE | observed: ... |"
                            " reason: ...'",
                            path, number);
    }
    if (parse_outcomes(outcome, e, err, path, number) < 0) {
        return -1;
    }
    const char *rest = line + used;
    const char *bar1 = *rest == '|' ? rest : NULL;
    const char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (bar2 != NULL) {
        e->observed = keyed(bar1 + 1, bar2, "observed");
        e->reason = keyed(bar2 + 1, bar2 + strlen(bar2), "reason");
    }
    if (e->observed == NULL || e->reason == NULL) {
        ic_error_set(err, IC_ERR_INPUT, "%s:%u: every entry needs '| observed: ... | reason: ...'",
                     path, number);
        goto fail;
    }
    e->id = strdup(id);
    e->clause = strdup(clause);
    if (e->id == NULL || e->clause == NULL) {
        ic_error_set(err, IC_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    return 0;
fail:
    free_entry(e);
    memset(e, 0, sizeof *e);
    return -1;
}

int
expect_load(const char *path, expect_file *out, ic_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        ic_error_set(err, IC_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    out->path = strdup(path);
    char line[4096];
    unsigned number = 0;
    int status = 0;
    if (out->path == NULL) {
        ic_error_set(err, IC_ERR_NOMEM, "%s: out of memory", path);
        status = -1;
    }
    while (status == 0 && fgets(line, sizeof line, f) != NULL) {
        number++;
        line[strcspn(line, "\n")] = '\0';
        const char *p = line;
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (*p == '\0' || *p == '#') {
            continue;
        }
        expect_entry *grown = realloc(out->entries, (out->n + 1) * sizeof *grown);
        if (grown == NULL) {
            ic_error_set(err, IC_ERR_NOMEM, "%s: out of memory", path);
            status = -1;
            break;
        }
        out->entries = grown;
        status = parse_line(line, number, &out->entries[out->n], err, path);
        if (status == 0) {
            for (size_t i = 0; i < out->n; i++) {
                if (strcmp(out->entries[i].id, out->entries[out->n].id) == 0) {
                    ic_error_set(err, IC_ERR_INPUT, "%s:%u: %s is listed twice (first on line %u)",
                                 path, number, out->entries[i].id, out->entries[i].line);
                    status = -1;
                }
            }
            out->n++;
        }
    }
    fclose(f);
    if (status < 0) {
        expect_free(out);
    }
    return status;
}

void
expect_free(expect_file *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free_entry(&e->entries[i]);
    }
    free(e->entries);
    free(e->path);
    memset(e, 0, sizeof *e);
}

expect_entry *
expect_find(expect_file *e, const char *id)
{
    for (size_t i = 0; e != NULL && i < e->n; i++) {
        if (strcmp(e->entries[i].id, id) == 0) {
            return &e->entries[i];
        }
    }
    return NULL;
}

/* "charged to X", or what a set-up failure is, for messages. */
static void
charged_text(char *buf, size_t size, const char *clause)
{
    if (clause == NULL || strcmp(clause, EXPECT_SETUP_CLAUSE) == 0) {
        snprintf(buf, size, "in a set-up step (charged to no clause)");
    }
    else {
        snprintf(buf, size, "charged to %s", clause);
    }
}

expect_verdict
expect_judge(proto_verdict raw, const char *clause, const expect_entry *entry, int must_fail,
             char *why, size_t why_size)
{
    why[0] = '\0';
    if (must_fail) {
        /* A harness self-test: it exists to fail; passing means the harness is broken. */
        if (raw == PROTO_FAIL) {
            return EXPECT_PASS;
        }
        if (raw == PROTO_PASS) {
            snprintf(why, why_size,
                     "this self-test scenario must fail, but it passed: the harness is broken");
            return EXPECT_FAIL;
        }
    }
    if (entry != NULL && raw == PROTO_PASS && (entry->outcomes & (1u << PROTO_PASS))) {
        return EXPECT_PASS; /* an intermittent entry, PASS among its outcomes */
    }
    if (entry != NULL && entry->outcomes != (1u << PROTO_SKIP)) {
        if (entry->outcomes & (1u << raw)) {
            /* The outcome alone is not enough: an entry explains one
             * deviation, and a failure charged to another clause stopped at
             * another check, which the entry does not explain (say, a
             * regression earlier in the scenario). */
            int setup = clause == NULL;
            if (setup ? strcmp(entry->clause, EXPECT_SETUP_CLAUSE) == 0
                      : strcmp(entry->clause, clause) == 0) {
                return EXPECT_XFAIL;
            }
            char expected[160], got[160];
            charged_text(expected, sizeof expected, entry->clause);
            charged_text(got, sizeof got, clause);
            snprintf(why, why_size, "expected %s %s, got %s %s", entry->outcome_text, expected,
                     proto_verdict_name(raw), got);
        }
        else if (raw == PROTO_PASS) {
            snprintf(why, why_size,
                     "expected to fail per the expectation file, but passed (stale entry?)");
            return EXPECT_XPASS;
        }
        else {
            snprintf(why, why_size, "the expectation file names a different outcome");
        }
    }
    switch (raw) {
    case PROTO_PASS:
        return EXPECT_PASS;
    case PROTO_FAIL:
        return EXPECT_FAIL;
    case PROTO_SKIP:
        return EXPECT_SKIP;
    case PROTO_TIMEOUT:
        return EXPECT_TIMEOUT;
    case PROTO_CRASH:
        return EXPECT_CRASH;
    case PROTO_ERROR:
    default:
        return EXPECT_ERROR;
    }
}

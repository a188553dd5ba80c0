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
verdict_name(verdict v)
{
    static const char *names[] = {"PASS", "FAIL",    "XFAIL", "XPASS",
                                  "SKIP", "TIMEOUT", "CRASH", "ERROR"};
    return v <= V_ERROR ? names[v] : "?";
}

int
verdict_matches(verdict v)
{
    return v == V_PASS || v == V_XFAIL || v == V_SKIP;
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

static int
parse_line(char *line, unsigned number, expectation *e, char *err, size_t err_size,
           const char *path)
{
    char id[512], outcome[32], clause[128];
    int used = 0;
    memset(e, 0, sizeof *e);
    e->line = number;
    if (sscanf(line, "%511s %31s %127s %n", id, outcome, clause, &used) != 3) {
        snprintf(err, err_size,
                 "%s:%u: expected 'SCENARIO-ID OUTCOME CLAUSE | observed: ... |"
                 " reason: ...'",
                 path, number);
        return -1;
    }
    /* OUTCOME: one of FAIL, TIMEOUT, CRASH, several joined by '|', or SKIP alone. */
    snprintf(e->outcome_text, sizeof e->outcome_text, "%s", outcome);
    char *save = NULL;
    for (char *word = strtok_r(outcome, "|", &save); word != NULL;
         word = strtok_r(NULL, "|", &save)) {
        raw_verdict v;
        if (strcmp(word, "FAIL") == 0) {
            v = RAW_FAIL;
        }
        else if (strcmp(word, "TIMEOUT") == 0) {
            v = RAW_TIMEOUT;
        }
        else if (strcmp(word, "CRASH") == 0) {
            v = RAW_CRASH;
        }
        else if (strcmp(word, "SKIP") == 0) {
            v = RAW_SKIP;
        }
        else {
            snprintf(err, err_size,
                     "%s:%u: unknown outcome '%s' (FAIL, TIMEOUT, CRASH, several"
                     " of them joined by '|', or SKIP)",
                     path, number, word);
            return -1;
        }
        e->outcomes |= 1u << v;
    }
    if ((e->outcomes & (1u << RAW_SKIP)) && e->outcomes != (1u << RAW_SKIP)) {
        snprintf(err, err_size, "%s:%u: SKIP cannot be combined with other outcomes", path, number);
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
        free(e->observed);
        free(e->reason);
        snprintf(err, err_size, "%s:%u: every entry needs '| observed: ... | reason: ...'", path,
                 number);
        return -1;
    }
    e->id = strdup(id);
    e->clause = strdup(clause);
    if (e->id == NULL || e->clause == NULL) {
        snprintf(err, err_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

int
expectations_load(const char *path, expectations *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    out->path = strdup(path);
    char line[4096];
    unsigned number = 0;
    int status = out->path ? 0 : -1;
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
        expectation *grown = realloc(out->entries, (out->n + 1) * sizeof *grown);
        if (grown == NULL) {
            snprintf(err, err_size, "%s: out of memory", path);
            status = -1;
            break;
        }
        out->entries = grown;
        status = parse_line(line, number, &out->entries[out->n], err, err_size, path);
        if (status == 0) {
            for (size_t i = 0; i < out->n; i++) {
                if (strcmp(out->entries[i].id, out->entries[out->n].id) == 0) {
                    snprintf(err, err_size, "%s:%u: %s is listed twice (first on line %u)", path,
                             number, out->entries[i].id, out->entries[i].line);
                    status = -1;
                }
            }
            out->n++;
        }
    }
    fclose(f);
    if (status < 0) {
        expectations_free(out);
    }
    return status;
}

void
expectations_free(expectations *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->entries[i].id);
        free(e->entries[i].clause);
        free(e->entries[i].observed);
        free(e->entries[i].reason);
    }
    free(e->entries);
    free(e->path);
    memset(e, 0, sizeof *e);
}

expectation *
expectations_find(expectations *e, const char *id)
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

verdict
judge(raw_verdict raw, const char *clause, const expectation *entry, int must_fail, char *why,
      size_t why_size)
{
    why[0] = '\0';
    if (must_fail) {
        /* A harness self-test: it exists to fail; passing means the harness is broken. */
        if (raw == RAW_FAIL) {
            return V_PASS;
        }
        if (raw == RAW_PASS) {
            snprintf(why, why_size,
                     "this self-test scenario must fail, but it passed: the harness is broken");
            return V_FAIL;
        }
    }
    if (entry != NULL && entry->outcomes != (1u << RAW_SKIP)) {
        if (entry->outcomes & (1u << raw)) {
            /* The outcome alone is not enough: an entry explains one
             * deviation, and a failure charged to another clause stopped at
             * another check, which the entry does not explain (say, a
             * regression earlier in the scenario). */
            int setup = clause == NULL;
            if (setup ? strcmp(entry->clause, EXPECT_SETUP_CLAUSE) == 0
                      : strcmp(entry->clause, clause) == 0) {
                return V_XFAIL;
            }
            char expected[160], got[160];
            charged_text(expected, sizeof expected, entry->clause);
            charged_text(got, sizeof got, clause);
            snprintf(why, why_size, "expected %s %s, got %s %s", entry->outcome_text, expected,
                     raw_verdict_name(raw), got);
        }
        else if (raw == RAW_PASS) {
            snprintf(why, why_size,
                     "expected to fail per the expectation file, but passed (stale entry?)");
            return V_XPASS;
        }
        else {
            snprintf(why, why_size, "the expectation file names a different outcome");
        }
    }
    switch (raw) {
    case RAW_PASS:
        return V_PASS;
    case RAW_FAIL:
        return V_FAIL;
    case RAW_SKIP:
        return V_SKIP;
    case RAW_TIMEOUT:
        return V_TIMEOUT;
    case RAW_CRASH:
        return V_CRASH;
    case RAW_ERROR:
    default:
        return V_ERROR;
    }
}

/*
 * coverage.c: SPEC.md clauses against the clauses scenarios cite.  A clause
 * is a line matching SPEC.md section 0.2's expression
 * ^- \*\*([A-Z][A-Z0-9-]*)\*\* \((MUST|SHOULD|MAY|IMPL)\): (.+)$
 * Before a run, every cited id must be one (cov_check_cited); the
 * coverage report lists what is not cited.  No global state.
 */
#include "coverage.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[64];
    char level[8];
    size_t cited;
} clause;

static int
parse_clause(const char *line, clause *c)
{
    if (strncmp(line, "- **", 4) != 0) {
        return 0;
    }
    const char *id = line + 4, *end = strstr(id, "** (");
    size_t len = end ? (size_t)(end - id) : 0;
    if (len == 0 || len >= sizeof c->id || !isupper((unsigned char)id[0])) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isupper((unsigned char)id[i]) && !isdigit((unsigned char)id[i]) && id[i] != '-') {
            return 0;
        }
    }
    const char *level = end + 4, *close = strstr(level, "): ");
    size_t llen = close ? (size_t)(close - level) : 0;
    if (llen == 0 || llen >= sizeof c->level || close[3] == '\0' || close[3] == '\n') {
        return 0; /* (.+)$: a statement after ": " */
    }
    memcpy(c->id, id, len);
    c->id[len] = '\0';
    memcpy(c->level, level, llen);
    c->level[llen] = '\0';
    c->cited = 0;
    return strcmp(c->level, "MUST") == 0 || strcmp(c->level, "SHOULD") == 0 ||
           strcmp(c->level, "MAY") == 0 || strcmp(c->level, "IMPL") == 0;
}

/* The clauses SPEC.md defines, in its order: 0, or -1 with err. */
static int
read_clauses(const char *spec_path, clause **out, size_t *n, ic_error *err)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(spec_path, "r");
    if (f == NULL) {
        return ic_error_set(err, IC_ERR_INPUT, "%s: %s", spec_path, strerror(errno));
    }
    clause *clauses = NULL;
    char line[8192];
    int status = 0;
    while (status == 0 && fgets(line, sizeof line, f) != NULL) {
        clause c;
        if (!parse_clause(line, &c)) {
            continue;
        }
        clause *grown = realloc(clauses, (*n + 1) * sizeof *grown);
        if (grown == NULL) {
            ic_error_set(err, IC_ERR_NOMEM, "out of memory");
            status = -1;
            break;
        }
        clauses = grown;
        clauses[(*n)++] = c;
    }
    fclose(f);
    if (status < 0) {
        free(clauses);
        clauses = NULL;
        *n = 0;
    }
    *out = clauses;
    return status;
}

cov_status
cov_report(FILE *out, const char *spec_path, const plan_set *p, ic_error *err)
{
    clause *clauses = NULL;
    size_t n = 0;
    if (read_clauses(spec_path, &clauses, &n, err) < 0) {
        return COV_BROKEN;
    }
    cov_status status = COV_COMPLETE;
    for (size_t i = 0; i < p->n && status == COV_COMPLETE; i++) {
        const scn_scenario *s = p->items[i].scenario;
        /* A self-test (verdict: FAIL) proves the harness, not the clause. */
        int proves = s->verdict == SCN_VERDICT_PASS;
        for (size_t k = 0; k < s->n_clauses; k++) {
            size_t j = 0;
            while (j < n && strcmp(clauses[j].id, s->clauses[k]) != 0) {
                j++;
            }
            if (j == n) {
                fprintf(out, "%s: cites %s, which %s does not define\n", p->items[i].path,
                        s->clauses[k], spec_path);
                status = COV_BROKEN;
            }
            else if (proves) {
                clauses[j].cited++;
            }
        }
    }
    size_t required = 0, uncovered = 0, covered_any = 0;
    for (size_t j = 0; j < n; j++) {
        int needs = strcmp(clauses[j].level, "MUST") == 0 ||
                    strcmp(clauses[j].level, "SHOULD") == 0;
        required += needs;
        covered_any += clauses[j].cited > 0;
        if (needs && clauses[j].cited == 0) {
            fprintf(out, "uncovered %-6s %s\n", clauses[j].level, clauses[j].id);
            uncovered++;
        }
    }
    fprintf(out,
            "clauses: %zu (MUST/SHOULD %zu), cited by the %zu scenarios: %zu; "
            "MUST/SHOULD not cited: %zu\n",
            n, required, p->n, covered_any, uncovered);
    if (status == COV_COMPLETE && uncovered > 0) {
        status = COV_UNCOVERED;
    }
    free(clauses);
    return status;
}

/* Where `id` is written in the `clauses:` line of the file at `path`:
 * *line and *column (1-based), or 0 and 0 when it cannot be found. */
static void
clause_place(const char *path, const char *id, unsigned *line, unsigned *column)
{
    *line = *column = 0;
    FILE *f = fopen(path, "r");
    char text[SCN_MAX_LINE_BYTES + 2];
    size_t len = strlen(id);
    for (unsigned number = 1; f != NULL && fgets(text, sizeof text, f) != NULL; number++) {
        if (strncmp(text, "clauses:", 8) != 0) {
            continue;
        }
        for (const char *at = strstr(text, id); at != NULL; at = strstr(at + 1, id)) {
            int starts = at[-1] == ' ' || at[-1] == ':' || at[-1] == '\t';
            int ends = at[len] == '\0' || isspace((unsigned char)at[len]);
            if (starts && ends) {
                *line = number;
                *column = (unsigned)(at - text) + 1; /* ids and "clauses:" are ASCII */
                break;
            }
        }
        break;
    }
    if (f != NULL) {
        fclose(f);
    }
}

/* The first clause scenario s cites that `clauses` lacks, or NULL. */
static const char *
undefined_clause(const scn_scenario *s, const clause *clauses, size_t n)
{
    for (size_t k = 0; k < s->n_clauses; k++) {
        size_t j = 0;
        while (j < n && strcmp(clauses[j].id, s->clauses[k]) != 0) {
            j++;
        }
        if (j == n) {
            return s->clauses[k];
        }
    }
    return NULL;
}

int
cov_check_cited(const char *spec_path, plan_set *p, ic_error *err)
{
    clause *clauses = NULL;
    size_t n = 0;
    if (read_clauses(spec_path, &clauses, &n, err) < 0) {
        return -1;
    }
    int status = 0;
    for (size_t i = 0; i < p->n && status == 0;) {
        const char *id = undefined_clause(p->items[i].scenario, clauses, n);
        if (id == NULL) {
            i++;
            continue;
        }
        unsigned line, column;
        clause_place(p->items[i].path, id, &line, &column);
        char message[1600];
        snprintf(message, sizeof message,
                 "%s:%u:%u: unknown clause '%s' (%s defines no such clause)", p->items[i].path,
                 line, column, id, spec_path);
        status = plan_reject(p, i, message, err);
    }
    free(clauses);
    return status;
}

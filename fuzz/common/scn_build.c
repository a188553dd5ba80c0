/*
 * scn_build.c: building, printing and checking the scenarios the fuzz
 * harnesses write (see scn_build.h).  Text is formatted with the runner's
 * strbuf (tools/interpcheck/strbuf.h).
 *
 * No global state.
 */
#include "scn_build.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static void *
xmalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "fuzz: out of memory building a scenario\n");
        abort();
    }
    return p;
}

static void *
xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size);
    if (p == NULL) {
        fprintf(stderr, "fuzz: out of memory building a scenario\n");
        abort();
    }
    return p;
}

/* The finished text of `sb`, or abort. */
static char *
finish(strbuf *sb)
{
    char *text = sb_finish(sb);
    if (text == NULL) {
        fprintf(stderr, "fuzz: out of memory building a scenario\n");
        abort();
    }
    return text;
}

char *
scnb_vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *text = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    if (n > 0) {
        vsnprintf(text, (size_t)n + 1, fmt, ap);
    }
    return text;
}

void
scnb_set(char **field, const char *fmt, ...)
{
    free(*field);
    *field = NULL;
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        *field = scnb_vformat(fmt, ap);
        va_end(ap);
    }
}

void
scnb_set_opt(char **field, const char *text)
{
    free(*field);
    *field = NULL;
    if (text != NULL) {
        scnb_set(field, "%s", text);
    }
}

scn_scenario *
scnb_new(const char *description)
{
    scn_scenario *s = xmalloc(sizeof *s);
    s->alloc = ic_std_allocator;
    s->level = SCN_LEVEL_MUST;
    scnb_set(&s->description, "%s", description);
    return s;
}

int
scnb_has_clause(const scn_scenario *s, const char *clause)
{
    for (size_t i = 0; i < s->n_clauses; i++) {
        if (strcmp(s->clauses[i], clause) == 0) {
            return 1;
        }
    }
    return 0;
}

void
scnb_add_clause(scn_scenario *s, const char *clause)
{
    if (clause == NULL || clause[0] == '\0' || scnb_has_clause(s, clause)) {
        return;
    }
    s->clauses = xrealloc(s->clauses, (s->n_clauses + 1) * sizeof s->clauses[0]);
    s->clauses[s->n_clauses] = NULL;
    scnb_set(&s->clauses[s->n_clauses++], "%s", clause);
}

scn_step *
scnb_step(scn_scenario *s, scn_step_kind kind)
{
    s->steps = xrealloc(s->steps, (s->n_steps + 1) * sizeof s->steps[0]);
    scn_step *st = &s->steps[s->n_steps++];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    return st;
}

/* A copy of `code` that ends in a newline. */
static char *
body(const char *code)
{
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, code);
    if (sb.len == 0 || sb.data[sb.len - 1] != '\n') {
        sb_puts(&sb, "\n");
    }
    return finish(&sb);
}

scn_step *
scnb_do(scn_scenario *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *code = scnb_vformat(fmt, ap);
    va_end(ap);
    scn_step *st = scnb_step(s, SCN_STEP_DO);
    st->code = body(code);
    free(code);
    return st;
}

scn_step *
scnb_run(scn_scenario *s, const char *target, const char *channels, const char *code)
{
    scn_step *st = scnb_step(s, SCN_STEP_RUN);
    scnb_set(&st->target, "%s", target);
    if (channels != NULL) {
        scnb_set(&st->channels, "%s", channels);
    }
    st->code = body(code);
    return st;
}

scn_step *
scnb_thread(scn_scenario *s, const char *name, const char *code)
{
    scn_step *st = scnb_step(s, SCN_STEP_THREAD);
    scnb_set(&st->name, "%s", name);
    st->code = body(code);
    return st;
}

void
scnb_outcome(scn_step *st, const char *outcome)
{
    st->outcomes = xrealloc(st->outcomes, (st->n_outcomes + 1) * sizeof st->outcomes[0]);
    st->outcome_lines = xrealloc(st->outcome_lines,
                                 (st->n_outcomes + 1) * sizeof st->outcome_lines[0]);
    st->outcomes[st->n_outcomes] = NULL;
    st->outcome_lines[st->n_outcomes] = 0;
    scnb_set(&st->outcomes[st->n_outcomes++], "%s", outcome);
}

scn_step *
scnb_expect(scn_scenario *s, const char *outcome, const char *fmt, ...)
{
    scn_step *st = scnb_step(s, SCN_STEP_EXPECT);
    va_list ap;
    va_start(ap, fmt);
    st->expr = scnb_vformat(fmt, ap);
    va_end(ap);
    scnb_outcome(st, outcome);
    return st;
}

scn_step *
scnb_name_step(scn_scenario *s, scn_step_kind kind, const char *name)
{
    scn_step *st = scnb_step(s, kind);
    scnb_set(&st->name, "%s", name);
    return st;
}

int
scnb_step_checks(const scn_step *st)
{
    switch (st->kind) {
    case SCN_STEP_EXPECT:
    case SCN_STEP_BLOCKED:
    case SCN_STEP_JOIN:
        return 1;
    case SCN_STEP_DO:
    case SCN_STEP_RUN:
        return st->raises != NULL;
    case SCN_STEP_THREAD:
        break;
    }
    return 0;
}

char *
scnb_print_checked(const scn_scenario *s, char *msg, size_t size)
{
    char *text = scn_print(s);
    if (text == NULL) {
        snprintf(msg, size, "scn_print() failed");
        return NULL;
    }
    scn_scenario *back = NULL;
    scn_error err;
    if (scn_parse("<emitted>", text, strlen(text), &back, &err) < 0) {
        scn_format_error(&err, msg, size);
        free(text);
        return NULL;
    }
    int equal = scn_equal(s, back);
    scn_free(back);
    if (!equal) {
        snprintf(msg, size, "the scenario parsed back differs from the one built");
        free(text);
        return NULL;
    }
    return text;
}

int
scnb_write(const scn_scenario *s, const char *path, const char *who)
{
    char msg[1400];
    char *text = scnb_print_checked(s, msg, sizeof msg);
    if (text == NULL) {
        char *raw = scn_print(s);
        fprintf(stderr, "%s: harness error: emitted scenario does not parse back: %s\n%s\n", who,
                msg, raw ? raw : "(no text)");
        free(raw);
        abort();
    }
    FILE *f = fopen(path, "w");
    int failed = f == NULL || fputs(text, f) < 0;
    if (f != NULL && fclose(f) != 0) {
        failed = 1;
    }
    if (failed) {
        fprintf(stderr, "%s: cannot write %s: %s\n", who, path, strerror(errno));
        free(text);
        return -1;
    }
    free(text);
    fprintf(stderr, "%s: scenario written to %s\n", who, path);
    return 0;
}

/*
 * ops_emit.c: the `ops` program as a scenario (OPS_SCN; see ops.h).
 *
 * The steps are built as a scn_scenario while the ops run, with the model's
 * expectations (never the implementation's results).  A failing step is
 * charged to the clause it checks (FORMAT.md 5.6), so each check the
 * harness makes (note_clauses) gives the step(s) emitted for it since the
 * previous check the first clause it names; the `@CLAUSE-ID`s and the
 * header are settled when the scenario is written, once it is known which
 * clauses the steps check.  fuzz/common/scn_build.c prints it with
 * scn_print(), and parses it back before writing it.
 *
 * Global state: the configuration, the scenario being built and the clause
 * of each of its steps.
 */
#include "ops.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scn_build.h"
#include "strbuf.h"

#define EMIT_MAX_STEPS 4096
#define CLAUSE_LEN 48

static const char *scn_path;
static const char *scn_origin;
static scn_scenario *scn;                            /* NULL unless OPS_SCN is set */
static char step_clause[EMIT_MAX_STEPS][CLAUSE_LEN]; /* per step, "" for none */
static size_t noted;                                 /* steps before the last check */
static int thread_counter;
static size_t setup_steps; /* the first steps, set-up only (emit_mark_setup) */
static strbuf checked;     /* clauses checked, space separated, once each */

void
emit_configure(const char *path, const char *origin)
{
    scn_path = path != NULL && path[0] != '\0' ? path : NULL;
    scn_origin = origin;
    if (scn_path != NULL && scn == NULL) {
        scn = scnb_new("ops fuzzer program");
        sb_init(&checked);
    }
}

int
emit_enabled(void)
{
    return scn != NULL;
}

void
emit_reset(void)
{
    thread_counter = 0;
    noted = 0;
    setup_steps = 0;
    if (scn != NULL) {
        scn_clear_steps(scn);
        scn->features = 0;
        sb_free(&checked);
    }
}

void
emit_mark_setup(void)
{
    if (scn != NULL) {
        noted = setup_steps = scn->n_steps;
    }
}

void
emit_features(unsigned bits)
{
    if (scn != NULL) {
        scn->features |= bits;
    }
}

int
emit_thread_number(void)
{
    return thread_counter++;
}

/* A new step, or NULL when not emitting (or past the cap). */
static scn_step *
new_step(scn_step_kind kind)
{
    if (scn == NULL || scn->n_steps >= EMIT_MAX_STEPS) {
        return NULL;
    }
    step_clause[scn->n_steps][0] = '\0';
    return scnb_step(scn, kind);
}

void
emit_do(const char *fmt, ...)
{
    scn_step *st = new_step(SCN_STEP_DO);
    if (st == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *code = scnb_vformat(fmt, ap);
    va_end(ap);
    scnb_set(&st->code, "%s%s", code, code[0] && code[strlen(code) - 1] == '\n' ? "" : "\n");
    free(code);
}

void
emit_raises(xclass x, const char *call)
{
    if (x == X_REFUSED) {
        emit_do("try:\n"
                "    %s\n"
                "except (interpreters.RunFailedError, interpreters.ChannelError):\n"
                "    raise\n"
                "except Exception:\n"
                "    pass\n"
                "else:\n"
                "    raise AssertionError('no exception')\n",
                call);
        return;
    }
    scn_step *st = new_step(SCN_STEP_DO);
    if (st != NULL) {
        scnb_set(&st->raises, "%s", xnames[x]);
        scnb_set(&st->code, "%s\n", call);
    }
}

/* `call` must raise `want` or, when `alt` is not X_NONE, `alt` (SPEC ARG-8:
 * a call to which two error conditions apply may raise either). */
void
emit_raises_either(xclass want, xclass alt, const char *call)
{
    if (alt == X_NONE || alt == want || alt == X_REFUSED) {
        emit_raises(alt == X_REFUSED ? alt : want, call); /* X_REFUSED takes in the other */
        return;
    }
    emit_do("try:\n"
            "    %s\n"
            "except (%s, %s):\n"
            "    pass\n"
            "else:\n"
            "    raise AssertionError('no %s or %s')\n",
            call, xnames[want], xnames[alt], xnames[want], xnames[alt]);
}

void
emit_expect(const char *outcome, const char *fmt, ...)
{
    scn_step *st = new_step(SCN_STEP_EXPECT);
    if (st == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    st->expr = scnb_vformat(fmt, ap);
    va_end(ap);
    scnb_outcome(st, outcome);
}

void
emit_expect_sorted(const char *expr, const char *names)
{
    char outcome[256];
    snprintf(outcome, sizeof outcome, "sorted([%s])", names != NULL ? names : "");
    emit_expect(outcome, "%s", expr);
}

void
emit_also(const char *outcome)
{
    if (scn != NULL && scn->n_steps > 0 && scn->steps[scn->n_steps - 1].kind == SCN_STEP_EXPECT) {
        scnb_outcome(&scn->steps[scn->n_steps - 1], outcome);
    }
}

void
emit_run(int sub, const char *channels, xclass raises, const char *match, const char *code)
{
    scn_step *st = new_step(SCN_STEP_RUN);
    if (st == NULL) {
        return;
    }
    scnb_set(&st->target, "i%d", sub);
    scnb_set_opt(&st->channels, channels);
    if (raises != X_NONE) {
        scnb_set(&st->raises, "%s", xnames[raises]);
        scnb_set_opt(&st->matching, match);
    }
    scnb_set(&st->code, "%s", code);
}

void
emit_thread(int t, const char *fmt, ...)
{
    scn_step *st = new_step(SCN_STEP_THREAD);
    if (st == NULL) {
        return;
    }
    scnb_set(&st->name, "t%d", t);
    va_list ap;
    va_start(ap, fmt);
    st->code = scnb_vformat(fmt, ap);
    va_end(ap);
}

void
emit_blocked(int t)
{
    scn_step *st = new_step(SCN_STEP_BLOCKED);
    if (st != NULL) {
        scnb_set(&st->name, "t%d", t);
    }
}

void
emit_join(int t)
{
    scn_step *st = new_step(SCN_STEP_JOIN);
    if (st != NULL) {
        scnb_set(&st->name, "t%d", t);
    }
}

/* Scenario check that `name` (a variable) holds the queued item. */
void
emit_item_check(const char *name, ops_item item)
{
    if (item.value >= 0) {
        emit_expect(ops_values[item.value].expr, "%s", name);
        return;
    }
    /* The received end is dropped at once, as the harness does: it must not
     * keep its channel alive for later steps. */
    emit_expect("True", "type(%s) is interpreters.%s and %s.id == cid%d", name,
                item.end_dir == M_RECV ? "RecvChannel" : "SendChannel", name, item.end_rec);
    if (strchr(name, '[') == NULL) {
        emit_do("del %s\n", name);
    }
}

/* ---- clauses ------------------------------------------------------------------- */

/*
 * A check of `clauses` (the first is the one a failure is about): the
 * steps emitted since the last check are what it checks.  The checking
 * ones among them get the clause; when there is none (a plain `do` whose
 * call must succeed), the last one does, which makes it a check.  Set-up
 * steps around it stay set-up.
 */
static void
assign_clause(const char *first)
{
    size_t n = scn->n_steps;
    int any = 0;
    for (size_t i = noted; i < n; i++) {
        if (scnb_step_checks(&scn->steps[i]) && step_clause[i][0] == '\0') {
            snprintf(step_clause[i], CLAUSE_LEN, "%s", first);
            any = 1;
        }
    }
    for (size_t i = n; !any && i > noted; i--) {
        if (scn->steps[i - 1].kind != SCN_STEP_THREAD && step_clause[i - 1][0] == '\0') {
            snprintf(step_clause[i - 1], CLAUSE_LEN, "%s", first);
            any = 1;
        }
    }
    noted = n;
}

/* 1 if the space-separated `list` holds `word`. */
static int
has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p != NULL && (p = strstr(p, word)) != NULL; p += n) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
            return 1;
        }
    }
    return 0;
}

void
note_clauses(const char *clauses)
{
    char first[CLAUSE_LEN];
    if (scn == NULL || sscanf(clauses, "%47s", first) != 1) {
        return;
    }
    assign_clause(first);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", clauses);
    for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        if (!has_word(checked.data, tok) && checked.len < 1500) {
            sb_printf(&checked, "%s%s", checked.len ? " " : "", tok);
        }
    }
}

/* The last step that checks something, or has a clause, before the first
 * one charged to `dflt`; the number of steps when `dflt` is charged already
 * or there is none. */
static size_t
finding_step(const char *dflt)
{
    size_t n = scn->n_steps, i = 0, last = n;
    while (i < n && strcmp(step_clause[i], dflt) != 0) {
        if (scnb_step_checks(&scn->steps[i]) || step_clause[i][0] != '\0') {
            last = i;
        }
        i++;
    }
    if (i < n) {
        return n;
    }
    for (size_t k = n; last == n && k > 0; k--) {
        if (scn->steps[k - 1].kind != SCN_STEP_THREAD) {
            last = k - 1;
        }
    }
    return last;
}

/*
 * The default clause (the header's first): for a finding, the finding's
 * first clause, charged to the step that failed (the last check emitted);
 * else the first clause a step checks; MOD-1, made checked, when none is.
 */
static void
choose_default(const char *clauses, int finding, char dflt[CLAUSE_LEN])
{
    dflt[0] = '\0';
    if (finding && sscanf(clauses, "%47s", dflt) == 1) {
        size_t i = finding_step(dflt);
        if (i < scn->n_steps) {
            memcpy(step_clause[i], dflt, CLAUSE_LEN);
        }
    }
    int any_checking = 0;
    for (size_t i = 0; i < scn->n_steps; i++) {
        if (dflt[0] == '\0' && step_clause[i][0] != '\0') {
            memcpy(dflt, step_clause[i], CLAUSE_LEN);
        }
        any_checking |= scnb_step_checks(&scn->steps[i]) || step_clause[i][0] != '\0';
    }
    if (dflt[0] != '\0') {
        return;
    }
    snprintf(dflt, CLAUSE_LEN, "MOD-1");
    for (size_t k = scn->n_steps; !any_checking && k > 0; k--) {
        if (scn->steps[k - 1].kind != SCN_STEP_THREAD) {
            snprintf(step_clause[k - 1], CLAUSE_LEN, "MOD-1");
            any_checking = 1;
        }
    }
}

/*
 * The header lists exactly the clauses the steps check (FORMAT.md rejects
 * one that no step checks), the default first; a step gets `@ID` unless it
 * checks the default clause by its kind alone (a plain do/run needs its id
 * even then: without one it would be a set-up step).
 */
static void
settle_clauses(const char *dflt)
{
    scnb_add_clause(scn, dflt);
    for (size_t i = 0; i < scn->n_steps; i++) {
        scn_step *st = &scn->steps[i];
        scnb_add_clause(scn, step_clause[i]);
        int implied = scnb_step_checks(st) && strcmp(step_clause[i], dflt) == 0;
        scnb_set_opt(&st->clause, step_clause[i][0] != '\0' && !implied ? step_clause[i] : NULL);
    }
}

void
write_scenario(const char *description, const char *clauses, int finding)
{
    if (scn == NULL || scn->n_steps <= setup_steps) {
        return; /* nothing but the pool's set-up: a program of no op */
    }
    char dflt[CLAUSE_LEN];
    choose_default(clauses, finding, dflt);
    settle_clauses(dflt);
    scnb_set(&scn->description, "%s", description);
    scnb_set_opt(&scn->origin, scn_origin);
    scnb_write(scn, scn_path, "ops");
}

void
write_end_scenario(void)
{
    write_scenario("ops fuzzer program: the model's expectations for each step hold",
                   checked.data ? checked.data : "MOD-1", 0);
}

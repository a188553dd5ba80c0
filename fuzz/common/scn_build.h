/*
 * scn_build.h: how the fuzz harnesses write scenarios.  A harness builds a
 * scn_scenario (tools/interpcheck/scenario.h) step by step, and scn_build
 * prints it with the runner's canonical printer scn_print(), parses the text
 * back with scn_parse() and requires a scenario equal (scn_equal()) to the
 * one built, before the file is written: a harness never writes a scenario
 * the runner would reject or read differently.
 *
 * Plain C, no Python.  Every string is copied (malloc); the scenario is
 * freed with scn_free().  Out of memory aborts: a harness cannot go on.
 */
#ifndef INTERPCHECK_FUZZ_SCN_BUILD_H
#define INTERPCHECK_FUZZ_SCN_BUILD_H

#include <stdarg.h>
#include <stddef.h>

#include "scenario.h"

/* A new scenario: the given description, level MUST, no clause, no step. */
scn_scenario *scnb_new(const char *description);

/* To drop every step and clause and keep the header: scn_clear_steps()
 * (scenario.h). */

/* Set a string field (description, origin, a step's name, ...) to a copy of
 * the printf-style text; NULL fmt sets NULL. */
void scnb_set(char **field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The printf-style text in new memory (free() it). */
char *scnb_vformat(const char *fmt, va_list ap);

/* Set a string field to a copy of `text`, or NULL when text is NULL. */
void scnb_set_opt(char **field, const char *text);

/* Add `clause` to the header unless it is there. */
void scnb_add_clause(scn_scenario *s, const char *clause);

/* 1 if the header lists `clause`. */
int scnb_has_clause(const scn_scenario *s, const char *clause);

/* Append a step of `kind` with every field NULL; the pointer stays valid
 * until the next scnb_step(). */
scn_step *scnb_step(scn_scenario *s, scn_step_kind kind);

/* Steps with a body: `code` is the unindented source; a missing final
 * newline is added.  printf-style. */
scn_step *scnb_do(scn_scenario *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
scn_step *scnb_run(scn_scenario *s, const char *target, const char *channels, const char *code);
scn_step *scnb_thread(scn_scenario *s, const char *name, const char *code);

/* `expect EXPR` with one outcome (more with scnb_outcome()). */
scn_step *scnb_expect(scn_scenario *s, const char *outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void scnb_outcome(scn_step *st, const char *outcome);

/* `blocked NAME`, `join NAME`. */
scn_step *scnb_name_step(scn_scenario *s, scn_step_kind kind, const char *name);

/* 1 for a step that checks something by its kind alone (expect, blocked,
 * join, do/run with raises), 0 for a set-up step. */
int scnb_step_checks(const scn_step *st);

/*
 * Print `s` canonically, parse the text back and compare: the text, or NULL
 * with the reason in msg (the parser's message, or "differs").  The caller
 * frees the text.
 */
char *scnb_print_checked(const scn_scenario *s, char *msg, size_t size);

/*
 * scnb_print_checked(), then write the text to `path`.  A scenario that
 * does not print, parse back or compare equal is a harness bug: `who`
 * names the harness in the message, and the process aborts.  -1 when the
 * file cannot be written (reported on stderr), else 0.
 */
int scnb_write(const scn_scenario *s, const char *path, const char *who);

#endif /* INTERPCHECK_FUZZ_SCN_BUILD_H */

/*
 * jsonl.h: reading back the runner's JSON lines (report.c writes them):
 * one flat object a line, whose values are strings, numbers, true, false,
 * null or arrays of strings.  Enough for `interpcheck merge`; not a general
 * JSON parser (nested objects are refused).  Plain C, core library.
 */
#ifndef INTERPCHECK_JSONL_H
#define INTERPCHECK_JSONL_H

#include <stddef.h>

#include "error.h"

typedef enum { JL_NULL, JL_BOOL, JL_NUMBER, JL_STRING, JL_ARRAY } jl_kind;

typedef struct {
    char *key;
    jl_kind kind;
    char *text;    /* JL_STRING: the decoded string (UTF-8) */
    double number; /* JL_NUMBER; JL_BOOL: 0 or 1 */
    char **items;  /* JL_ARRAY: its strings */
    size_t n_items;
} jl_value;

typedef struct {
    jl_value *values;
    size_t n;
} jl_object;

/* Parse one line into *out (free with jl_free): 0, or -1 with err
 * (IC_ERR_INPUT: "column C: what"; IC_ERR_NOMEM). */
int jl_parse(const char *line, jl_object *out, ic_error *err);
void jl_free(jl_object *o);

/* The value of `key`, or NULL. */
const jl_value *jl_get(const jl_object *o, const char *key);
/* Its string, or NULL when absent or not a string. */
const char *jl_string(const jl_object *o, const char *key);
/* Its number, or `fallback`. */
double jl_number(const jl_object *o, const char *key, double fallback);

#endif /* INTERPCHECK_JSONL_H */

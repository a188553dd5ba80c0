/*
 * plan.h: which scenarios a run covers: find the files, parse them, filter
 * by id, clause, feature and level, and take one shard.
 */
#ifndef INTERPCHECK_PLAN_H
#define INTERPCHECK_PLAN_H

#include <stddef.h>

#include "error.h"
#include "scenario.h"

typedef struct {
    char *path; /* as found */
    char *id;   /* path relative to the suite root, without .scn */
    scn_scenario *scenario;
} plan_item;

typedef struct {
    const char **globs; /* --filter: id globs (any) */
    size_t n_globs;
    const char **clauses; /* --clause: clause-id globs (any clause of the scenario) */
    size_t n_clauses;
    unsigned features;      /* --feature: the scenario needs all of these (SCN_FEATURE_*) */
    unsigned without;       /* --without-feature: skip scenarios that need any of these */
    int levels;             /* --level: bit (1 << scn_level); 0 = all */
    unsigned shard, shards; /* --shard i/n: 1-based; shards 0 = no sharding */
} plan_filter;

typedef struct {
    plan_item *items;
    size_t n;
    size_t parse_errors; /* files that did not parse */
    char **errors;       /* their messages, "path:line:column: message" */
} plan_set;

/*
 * Find every *.scn under `paths` (files or folders, searched recursively,
 * sorted by path), parse them and keep those the filter selects.  Ids are
 * relative to `root` (the conformance folder).  Returns 0, or -1 with err
 * for I/O errors, missing paths and memory; files that do not parse are
 * left out, their messages in out->errors for the caller to print.
 */
int plan_build(const char *root, const char **paths, size_t n_paths, const plan_filter *filter,
               plan_set *out, ic_error *err);
void plan_free(plan_set *p);

/* Turn item i into an error of the file (`message`, "path:line:column:
 * ..."): it leaves p->items and counts as a file that did not parse.  0,
 * or -1 with err (memory; the item is then kept). */
int plan_reject(plan_set *p, size_t i, const char *message, ic_error *err);

/* Parse "i/n" for --shard. */
int plan_parse_shard(const char *text, unsigned *shard, unsigned *shards);
/* A feature name -> SCN_FEATURE_* bit, 0 if unknown. */
unsigned plan_feature_bit(const char *name);

#endif /* INTERPCHECK_PLAN_H */

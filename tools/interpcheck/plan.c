/*
 * plan.c: discovery, parsing and selection of scenarios (see plan.h).
 */
#include "plan.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char **paths;
    size_t n, cap;
} path_list;

/* Append a copy of `path`: 0, or -1 with err. */
static int
push(path_list *list, const char *path, ic_error *err)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        char **grown = realloc(list->paths, cap * sizeof *grown);
        if (grown == NULL) {
            return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
        }
        list->paths = grown;
        list->cap = cap;
    }
    list->paths[list->n] = strdup(path);
    if (list->paths[list->n++] == NULL) {
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int
ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), k = strlen(suffix);
    return n >= k && strcmp(text + n - k, suffix) == 0;
}

/* Every *.scn at or under `path` into `list`: 0, or -1 with err. */
static int
walk(const char *path, path_list *list, ic_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        return ic_error_set(err, IC_ERR_INPUT, "%s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return push(list, path, err);
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        return ic_error_set(err, IC_ERR_INPUT, "%s: %s", path, strerror(errno));
    }
    int status = 0;
    struct dirent *entry;
    while (status == 0 && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        char *child;
        if (asprintf(&child, "%s/%s", path, entry->d_name) < 0) {
            ic_error_set(err, IC_ERR_NOMEM, "out of memory");
            status = -1;
            break;
        }
        struct stat cst;
        if (stat(child, &cst) == 0 && S_ISDIR(cst.st_mode)) {
            status = walk(child, list, err);
        }
        else if (ends_with(child, ".scn")) {
            status = push(list, child, err);
        }
        free(child);
    }
    closedir(dir);
    return status;
}

static int
compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "conformance/suite/x/y.scn" under root "conformance" -> "suite/x/y". */
static char *
make_id(const char *root, const char *path)
{
    char *real_root = realpath(root, NULL), *real_path = realpath(path, NULL);
    const char *rel = path;
    if (real_root != NULL && real_path != NULL) {
        size_t n = strlen(real_root);
        if (strncmp(real_path, real_root, n) == 0 && real_path[n] == '/') {
            rel = real_path + n + 1;
        }
    }
    char *id = strdup(rel);
    if (id != NULL && ends_with(id, ".scn")) {
        id[strlen(id) - 4] = '\0';
    }
    free(real_root);
    free(real_path);
    return id;
}

static int
any_glob(const char **globs, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++) {
        if (fnmatch(globs[i], text, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
selected(const plan_filter *f, const char *id, const scn_scenario *s)
{
    if (f->n_globs > 0 && !any_glob(f->globs, f->n_globs, id)) {
        return 0;
    }
    if (f->n_clauses > 0) {
        int hit = 0;
        for (size_t i = 0; i < s->n_clauses && !hit; i++) {
            hit = any_glob(f->clauses, f->n_clauses, s->clauses[i]);
        }
        if (!hit) {
            return 0;
        }
    }
    if ((s->features & f->features) != f->features || (s->features & f->without) != 0) {
        return 0;
    }
    return f->levels == 0 || (f->levels & (1 << s->level)) != 0;
}

void
plan_free(plan_set *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].path);
        free(p->items[i].id);
        scn_free(p->items[i].scenario);
    }
    free(p->items);
    for (size_t i = 0; i < p->parse_errors; i++) {
        free(p->errors[i]);
    }
    free(p->errors);
    memset(p, 0, sizeof *p);
}

/* One more file that did not parse, with its message: 0, or -1 with err. */
static int
add_error(plan_set *p, const char *message, ic_error *err)
{
    char **grown = realloc(p->errors, (p->parse_errors + 1) * sizeof *grown);
    char *copy = grown ? strdup(message) : NULL;
    if (grown != NULL) {
        p->errors = grown;
    }
    if (copy == NULL) {
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    p->errors[p->parse_errors++] = copy;
    return 0;
}

int
plan_reject(plan_set *p, size_t i, const char *message, ic_error *err)
{
    if (add_error(p, message, err) < 0) {
        return -1;
    }
    free(p->items[i].path);
    free(p->items[i].id);
    scn_free(p->items[i].scenario);
    memmove(&p->items[i], &p->items[i + 1], (p->n - i - 1) * sizeof p->items[0]);
    p->n--;
    return 0;
}

/* Parse list->paths[i] into *s; a parse error is added to out->errors (1). */
static int
parse_one(const char *path, scn_scenario **s, plan_set *out, ic_error *err)
{
    scn_error perr;
    if (scn_parse_file(path, s, &perr) == 0) {
        return 0;
    }
    char text[1600];
    scn_format_error(&perr, text, sizeof text);
    return add_error(out, text, err) < 0 ? -1 : 1;
}

/* Parse and select the sorted `list` into out->items: 0, or -1 with err. */
static int
select_items(const path_list *list, const char *root, const plan_filter *filter, plan_set *out,
             ic_error *err)
{
    size_t index = 0;
    for (size_t i = 0; i < list->n; i++) {
        scn_scenario *s = NULL;
        int parsed = parse_one(list->paths[i], &s, out, err);
        if (parsed != 0) {
            if (parsed < 0) {
                return -1;
            }
            continue;
        }
        char *id = make_id(root, list->paths[i]);
        int keep = id != NULL && selected(filter, id, s);
        if (keep && filter->shards > 0) {
            /* Shards interleave the selected scenarios: every one counts. */
            keep = index++ % filter->shards == filter->shard - 1;
        }
        if (!keep) {
            free(id);
            scn_free(s);
            continue;
        }
        out->items[out->n++] = (plan_item){.path = strdup(list->paths[i]), .id = id, .scenario = s};
    }
    return 0;
}

int
plan_build(const char *root, const char **paths, size_t n_paths, const plan_filter *filter,
           plan_set *out, ic_error *err)
{
    memset(out, 0, sizeof *out);
    path_list list = {0};
    int status = 0;
    for (size_t i = 0; i < n_paths && status == 0; i++) {
        status = walk(paths[i], &list, err);
    }
    if (status == 0 && list.n > 0) {
        qsort(list.paths, list.n, sizeof *list.paths, compare_paths);
        out->items = calloc(list.n, sizeof *out->items);
        if (out->items == NULL) {
            ic_error_set(err, IC_ERR_NOMEM, "out of memory");
            status = -1;
        }
    }
    if (status == 0) {
        status = select_items(&list, root, filter, out, err);
    }
    for (size_t i = 0; i < list.n; i++) {
        free(list.paths[i]);
    }
    free(list.paths);
    if (status < 0) {
        plan_free(out);
    }
    return status;
}

int
plan_parse_shard(const char *text, unsigned *shard, unsigned *shards)
{
    char extra;
    if (sscanf(text, "%u/%u%c", shard, shards, &extra) != 2 || *shards == 0 || *shard == 0 ||
        *shard > *shards) {
        return -1;
    }
    return 0;
}

unsigned
plan_feature_bit(const char *name)
{
    for (unsigned i = 0; i < SCN_FEATURE_COUNT; i++) {
        const char *known = scn_feature_name(1u << i);
        if (known != NULL && strcmp(known, name) == 0) {
            return 1u << i;
        }
    }
    return 0;
}

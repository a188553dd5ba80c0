/*
 * cmd_merge.c: `interpcheck merge FILE.jsonl...`: the --jsonl outputs of
 * the shards of one run (--shard I/N) as one set of reports: the human
 * summary, and --jsonl, --junit, --markdown through the usual reporters.
 *
 * Refused (exit 2, every problem named): a file without its run line, a
 * shard missing from 1..N or given twice, shards of different suite
 * versions, implementations or shard counts, a scenario in two files, and
 * a scenario the runs' selection takes from the suite but no file has
 * (checked when the runs named no PATH: the suite is planned again with
 * their options, without --shard).  The edge of the error convention.
 */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "strbuf.h"

/* Scenarios named one by one in a refusal; the rest are counted. */
#define MERGE_LISTED 10

typedef struct {
    const char *file;
    jl_object run;
    unsigned shard, shards;
} merge_shard;

typedef struct {
    jl_object obj;
    const char *file;
    const plan_item *item;
} merge_record;

typedef struct {
    merge_shard *shards;
    size_t n_shards;
    merge_record *records;
    size_t n_records;
    int problems;
} merge_set;

static void problem(merge_set *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "interpcheck: merge: MESSAGE" on stderr, counted. */
static void
problem(merge_set *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("interpcheck: merge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    m->problems++;
}

/* One line of `file` (line number `number`) into the set: 0, or -1 (printed). */
static int
take_line(merge_set *m, merge_shard *sh, const char *line, size_t number)
{
    jl_object obj;
    ic_error err = {0};
    if (jl_parse(line, &obj, &err) < 0) {
        fprintf(stderr, "interpcheck: merge: %s:%zu: %s\n", sh->file, number, err.message);
        jl_free(&obj);
        return -1;
    }
    const char *type = jl_string(&obj, "type");
    if (type != NULL && strcmp(type, "run") == 0 && sh->run.n == 0) {
        sh->run = obj;
        const char *shard = jl_string(&obj, "shard");
        if (shard == NULL || plan_parse_shard(shard, &sh->shard, &sh->shards) < 0) {
            fprintf(stderr, "interpcheck: merge: %s:%zu: no shard I/N in the run line\n", sh->file,
                    number);
            return -1;
        }
        return 0;
    }
    if (sh->run.n == 0 || jl_string(&obj, "id") == NULL) {
        fprintf(stderr, "interpcheck: merge: %s:%zu: %s\n", sh->file, number,
                sh->run.n == 0 ? "no {\"type\":\"run\"} line first (an older runner's report?)"
                               : "a line without an id");
        jl_free(&obj);
        return -1;
    }
    merge_record *grown = realloc(m->records, (m->n_records + 1) * sizeof *grown);
    if (grown == NULL) {
        jl_free(&obj);
        fprintf(stderr, "interpcheck: out of memory\n");
        return -1;
    }
    m->records = grown;
    m->records[m->n_records++] = (merge_record){.obj = obj, .file = sh->file};
    return 0;
}

/* Every file's lines: 0, or -1 (printed). */
static int
read_files(const cli_options *o, merge_set *m)
{
    m->shards = calloc(o->n_paths, sizeof *m->shards);
    if (m->shards == NULL) {
        fprintf(stderr, "interpcheck: out of memory\n");
        return -1;
    }
    int status = 0;
    for (size_t i = 0; i < o->n_paths && status == 0; i++) {
        merge_shard *sh = &m->shards[m->n_shards++];
        sh->file = o->paths[i];
        FILE *f = fopen(sh->file, "r");
        if (f == NULL) {
            perror(sh->file);
            return -1;
        }
        char *line = NULL;
        size_t cap = 0, number = 0;
        while (status == 0 && getline(&line, &cap, f) >= 0) {
            number++;
            if (line[strspn(line, " \t\r\n")] != '\0') {
                status = take_line(m, sh, line, number);
            }
        }
        free(line);
        fclose(f);
        if (status == 0 && sh->run.n == 0) {
            fprintf(stderr, "interpcheck: merge: %s: empty (no run line)\n", sh->file);
            status = -1;
        }
    }
    return status;
}

static int
same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Every shard against the first: suite, implementation, runner, N. */
static void
check_runs(merge_set *m)
{
    static const char *const keys[] = {"suite", "impl", "runner"};
    static const char *const names[] = {"suite versions", "implementations", "runner versions"};
    const merge_shard *first = &m->shards[0];
    for (size_t i = 1; i < m->n_shards; i++) {
        const merge_shard *sh = &m->shards[i];
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const char *a = jl_string(&first->run, keys[k]), *b = jl_string(&sh->run, keys[k]);
            if (!same(a, b)) {
                problem(m, "mixed %s: %s has %s '%s', %s has '%s'", names[k], first->file, keys[k],
                        a ? a : "", sh->file, b ? b : "");
            }
        }
        if (sh->shards != first->shards) {
            problem(m, "mixed shard counts: %s is one of %u shards, %s one of %u", first->file,
                    first->shards, sh->file, sh->shards);
        }
    }
}

/* Shards 1..N each exactly once. */
static void
check_shards(merge_set *m)
{
    unsigned n = m->shards[0].shards;
    for (unsigned s = 1; s <= n; s++) {
        const char *seen = NULL;
        char name[32];
        snprintf(name, sizeof name, "%u/%u", s, n);
        for (size_t i = 0; i < m->n_shards; i++) {
            if (m->shards[i].shard != s || m->shards[i].shards != n) {
                continue;
            }
            if (seen != NULL) {
                problem(m, "shard %s given twice: %s and %s", name, seen, m->shards[i].file);
            }
            seen = m->shards[i].file;
        }
        if (seen == NULL) {
            problem(m, "shard %s missing (no file has it)", name);
        }
    }
}

static int
by_id(const void *a, const void *b)
{
    const merge_record *x = a, *y = b;
    return strcmp(jl_string(&x->obj, "id"), jl_string(&y->obj, "id"));
}

/* Sort the records by id; a scenario in two files is a problem. */
static void
check_duplicates(merge_set *m)
{
    if (m->n_records > 1) {
        qsort(m->records, m->n_records, sizeof *m->records, by_id);
    }
    size_t twice = 0;
    for (size_t i = 1; i < m->n_records; i++) {
        if (by_id(&m->records[i - 1], &m->records[i]) != 0) {
            continue;
        }
        if (++twice <= MERGE_LISTED) {
            problem(m, "scenario %s given twice: in %s and %s", jl_string(&m->records[i].obj, "id"),
                    m->records[i - 1].file, m->records[i].file);
        }
    }
    if (twice > MERGE_LISTED) {
        problem(m, "... and %zu more scenarios given twice", twice - MERGE_LISTED);
    }
}

static merge_record *
find_record(merge_set *m, const char *id)
{
    jl_value key_value = {.key = "id", .kind = JL_STRING, .text = (char *)id};
    merge_record key = {.obj = {.values = &key_value, .n = 1}};
    return m->n_records ? bsearch(&key, m->records, m->n_records, sizeof key, by_id) : NULL;
}

/* The runs' own options (their run line), parsed again: 0 with *run, or -1
 * when they cannot be (then only the shard set says what is complete). */
static int
runs_options(const merge_set *m, char ***argv, cli_options *run)
{
    const jl_value *v = jl_get(&m->shards[0].run, "options");
    if (v == NULL || v->kind != JL_ARRAY) {
        return -1;
    }
    *argv = calloc(v->n_items + 2, sizeof **argv);
    if (*argv == NULL) {
        return -1;
    }
    (*argv)[0] = "interpcheck";
    for (size_t i = 0; i < v->n_items; i++) {
        (*argv)[i + 1] = v->items[i];
    }
    ic_error err = {0};
    if (cli_parse((int)v->n_items + 1, *argv, run, &err) != CLI_RUN) {
        cli_free(run);
        return -1;
    }
    return 0;
}

/* Every scenario the runs selected from the suite is in some file. */
static void
check_missing(merge_set *m)
{
    char **argv = NULL;
    cli_options run;
    if (runs_options(m, &argv, &run) < 0) {
        fprintf(stderr, "interpcheck: merge: note: the runs' options cannot be read again: "
                        "completeness checked by the shard set only\n");
        free(argv);
        return;
    }
    plan_filter filter = run.filter;
    filter.shard = filter.shards = 0;
    plan_set p;
    ic_error err = {0};
    if (run.whole_suite && plan_build(run.root, run.paths, run.n_paths, &filter, &p, &err) == 0) {
        size_t missing = 0;
        for (size_t i = 0; i < p.n; i++) {
            if (find_record(m, p.items[i].id) == NULL && ++missing <= MERGE_LISTED) {
                problem(m, "scenario %s missing: the runs' selection takes it, no file has it",
                        p.items[i].id);
            }
        }
        if (missing > MERGE_LISTED) {
            problem(m, "... and %zu more scenarios missing", missing - MERGE_LISTED);
        }
        plan_free(&p);
    }
    cli_free(&run);
    free(argv);
}

/* The scenario files of the records, planned: 0, or -1 (printed). */
static int
plan_records(const cli_options *o, merge_set *m, plan_set *p)
{
    const char **paths = calloc(m->n_records ? m->n_records : 1, sizeof *paths);
    int status = paths ? 0 : -1;
    for (size_t i = 0; i < m->n_records && status == 0; i++) {
        strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, "%s/%s.scn", o->root, jl_string(&m->records[i].obj, "id"));
        paths[i] = sb_finish(&sb);
        status = paths[i] ? 0 : -1;
    }
    plan_filter none = {0};
    ic_error err = {0};
    if (status == 0 && plan_build(o->root, paths, m->n_records, &none, p, &err) < 0) {
        fprintf(stderr, "interpcheck: merge: %s (the scenarios are read from the suite)\n",
                err.message);
        status = -1;
    }
    else if (status == 0 && p->parse_errors > 0) {
        fprintf(stderr, "interpcheck: merge: %s\n", p->errors[0]);
        plan_free(p);
        status = -1;
    }
    for (size_t i = 0; paths != NULL && i < m->n_records; i++) {
        free((char *)paths[i]);
    }
    free(paths);
    return status;
}

static char *
dup_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

/* r from its record: the raw outcome, the verdict, the charged clause. */
static void
fill_result(rpt_result *r, const plan_item *item, const jl_object *rec)
{
    r->item = item;
    const char *verdict = jl_string(rec, "verdict");
    for (int v = EXPECT_PASS; v <= EXPECT_ERROR; v++) {
        if (verdict != NULL && strcmp(verdict, expect_verdict_name((expect_verdict)v)) == 0) {
            r->v = (expect_verdict)v;
        }
    }
    const char *outcome = jl_string(rec, "outcome");
    if (outcome == NULL || proto_verdict_from_name(outcome, &r->o.verdict) < 0) {
        r->o.verdict = PROTO_ERROR;
    }
    r->o.step_index = (int)jl_number(rec, "step", -1);
    r->o.step_line = (unsigned)jl_number(rec, "line", 0);
    r->o.seconds = jl_number(rec, "seconds", 0);
    r->o.message = dup_or_null(jl_string(rec, "message"));
    r->o.expected = dup_or_null(jl_string(rec, "expected"));
    r->o.actual = dup_or_null(jl_string(rec, "actual"));
    r->o.traceback = dup_or_null(jl_string(rec, "traceback"));
    snprintf(r->o.python, sizeof r->o.python, "%s",
             jl_string(rec, "python") ? jl_string(rec, "python") : "");
    rpt_charge(r);
    r->done = 1;
}

/* The merged reports: the exit status (0, 1 deviations, 2 broken). */
static int
report_merged(const cli_options *o, merge_set *m, const plan_set *p)
{
    rpt_result *results = calloc(p->n ? p->n : 1, sizeof *results);
    if (results == NULL) {
        fprintf(stderr, "interpcheck: out of memory\n");
        return 2;
    }
    const jl_object *run = &m->shards[0].run;
    char *command = cmd_joined_command(o->argc, o->argv);
    rpt_run_info info;
    cmd_fill_info(&info, jl_string(run, "impl"), command ? command : o->argv[0], "interpcheck");
    snprintf(info.python_version, sizeof info.python_version, "%s",
             jl_string(run, "python") ? jl_string(run, "python") : "");
    cmd_meta meta;
    cmd_fill_meta(&info, o, &meta);
    info.suite_version = jl_string(run, "suite");
    info.runner_version = jl_string(run, "runner") ? jl_string(run, "runner") : CLI_VERSION_TEXT;
    for (size_t i = 0; i < p->n; i++) {
        const merge_record *rec = find_record(m, p->items[i].id);
        if (rec == NULL) { /* plan_records planned exactly the records' files */
            fprintf(stderr, "interpcheck: merge: %s: no record\n", p->items[i].id);
            pipe_free_results(results, p->n);
            free(command);
            return 2;
        }
        fill_result(&results[i], &p->items[i], &rec->obj);
        if (info.python_version[0] == '\0') {
            snprintf(info.python_version, sizeof info.python_version, "%s", results[i].o.python);
        }
        rpt_human_result(stdout, &info, &results[i], o->verbose);
    }
    pipe_config config = cmd_pipe_config(o, &o->filter);
    rpt_tally t;
    ic_error err = {0};
    int status = pipe_report(&config, &info, results, p->n, &t, &err) < 0 ? 2
                 : t.counts[EXPECT_ERROR] > 0                             ? 2
                 : t.deviating > 0                                        ? 1
                                                                          : 0;
    if (err.message[0] != '\0') {
        cmd_print_error(&err);
    }
    fprintf(stderr, "interpcheck: merged %zu shard file(s), %zu scenarios\n", m->n_shards, p->n);
    pipe_free_results(results, p->n);
    free(command);
    return status;
}

static void
merge_free(merge_set *m)
{
    for (size_t i = 0; i < m->n_shards; i++) {
        jl_free(&m->shards[i].run);
    }
    for (size_t i = 0; i < m->n_records; i++) {
        jl_free(&m->records[i].obj);
    }
    free(m->shards);
    free(m->records);
}

int
cmd_merge(const cli_options *o)
{
    if (o->whole_suite) {
        fprintf(stderr, "interpcheck: merge needs the JSON-lines files of the shards "
                        "(interpcheck merge FILE.jsonl...)\n");
        return 2;
    }
    /* As for a run: an output file that cannot be written is said before
     * any shard is read, not after the merge. */
    pipe_config config = cmd_pipe_config(o, &o->filter);
    ic_error err = {0};
    if (pipe_check_outputs(&config, &err) < 0) {
        fprintf(stderr, "interpcheck: %s\n", err.message);
        return 2;
    }
    merge_set m = {0};
    plan_set p;
    int status = 2;
    if (read_files(o, &m) == 0) {
        check_runs(&m);
        check_shards(&m);
        check_duplicates(&m);
        if (m.problems == 0) {
            check_missing(&m);
        }
        if (m.problems > 0) {
            fprintf(stderr, "interpcheck: merge: refused (%d problem%s)\n", m.problems,
                    m.problems == 1 ? "" : "s");
        }
        else if (plan_records(o, &m, &p) == 0) {
            status = report_merged(o, &m, &p);
            plan_free(&p);
        }
    }
    merge_free(&m);
    return status;
}

/*
 * main.c: the `interpcheck` command: check an implementation of the
 * subinterpreters API against the conformance suite.
 *
 *     interpcheck [run] [options] [PATH...]   run scenarios (default: the suite)
 *     interpcheck list [filters] [PATH...]    list the selected scenarios
 *     interpcheck coverage [PATH...]          SPEC clauses no scenario cites
 *     interpcheck diff --target L=IMPL[@CMD]... [PATH...]
 *                                             disagreements between implementations
 *
 * Exit status: 0 when every outcome matches the expectations, 1 when some
 * deviate, 2 when the harness or its input is broken (a scenario that does
 * not parse, a bad expectation file, an implementation that cannot even be
 * imported, a scenario judged ERROR).  `interpcheck --help` says the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coverage.h"
#include "expect.h"
#include "plan.h"
#include "pyhost.h"
#include "report.h"
#include "scenario_json.h"
#include "strbuf.h"
#include "worker.h"

#ifndef INTERPCHECK_SOURCE_DIR
#define INTERPCHECK_SOURCE_DIR "."
#endif
/* The Python this runner embeds, as a program, and the folder of the built
 * interpref module, for scenarios that start a fresh Python (`subprocess`). */
#ifndef INTERPCHECK_PYTHON_EXECUTABLE
#define INTERPCHECK_PYTHON_EXECUTABLE "python3"
#endif
#ifndef INTERPCHECK_MODULE_DIR
#define INTERPCHECK_MODULE_DIR "."
#endif
#define RUNNER_VERSION "interpcheck 0.1"

/* Scenario deadlines in seconds, before --time-scale (FORMAT.md). */
#define DEADLINE_SHORT 20.0
#define DEADLINE_LONG 120.0

static const char usage_text[] =
    "usage: interpcheck [run|list|coverage|diff] [options] [PATH...]\n"
    "\n"
    "PATH: scenario files or folders (default: the suite, conformance/suite).\n"
    "\n"
    "Implementation:\n"
    "  --impl NAME          module implementing the API (default: interpref, built in);\n"
    "                       adapters: cpython311, cpython313, cpython314\n"
    "  --python CMD         run each scenario in another Python: `CMD -S -s executor.py`\n"
    "                       (CMD may be several words, e.g. 'tools/cpython-chroot run sid\n"
    "                       python3.14'); default: in this process's embedded Python\n"
    "  --label NAME         name of the implementation in reports (default: IMPL)\n"
    "  --path DIR           also search DIR for the implementation's modules (repeatable)\n"
    "  --expect FILE        expectation file (XFAIL/SKIP entries, see expect.h)\n"
    "\n"
    "Selection:\n"
    "  --filter GLOB        scenario ids matching GLOB (repeatable; any)\n"
    "  --clause GLOB        scenarios citing a clause matching GLOB (repeatable; any)\n"
    "  --feature F          scenarios that need feature F (repeatable; all)\n"
    "  --without-feature F  leave out scenarios that need F (repeatable)\n"
    "  --level L            MUST, SHOULD, MAY or IMPL (repeatable; any)\n"
    "  --shard I/N          the I-th of N interleaved parts (1-based)\n"
    "\n"
    "Running and reporting:\n"
    "  -j N                 scenarios in parallel (default 1)\n"
    "  --time-scale F       multiply the time classes and deadlines by F (default 1;\n"
    "                       below 1, only the short class: FORMAT.md 8)\n"
    "  --trace              print each step as it starts; list every scenario, with its output\n"
    "  -v, --verbose        list every scenario, not only deviations\n"
    "  --tap                TAP 13 on standard output instead of the human report\n"
    "  --junit FILE         also write JUnit XML\n"
    "  --jsonl FILE         also write one JSON object per scenario\n"
    "  --markdown FILE      also write a Markdown table\n"
    "  --root DIR           the conformance folder (ids are relative to it)\n"
    "\n"
    "diff: --target LABEL=IMPL[@PYTHONCMD] (two or more) instead of --impl/--python.\n"
    "coverage: --spec FILE (default conformance/SPEC.md).\n"
    "\n"
    "Exit status: 0 all outcomes match expectations, 1 some deviate, 2 broken input.\n";

typedef struct {
    const char *impl, *python_cmd, *label, *expect_path, *root, *spec;
    const char *junit, *jsonl, *markdown;
    int parallel, trace, verbose, tap, filtered, whole_suite, root_given;
    double time_scale;
    plan_filter filter;
    const char **paths;
    size_t n_paths;
    const char **targets;
    size_t n_targets;
    const char **extra_paths;
    size_t n_extra_paths;
} options;

/* The module search path for the executor: --path folders, the executor's, the adapters'. */
static char *
search_path(const options *o)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < o->n_extra_paths; i++) {
        sb_printf(&sb, "%s:", o->extra_paths[i]);
    }
    sb_printf(&sb, "%s/tools/interpcheck:%s/conformance/adapters", INTERPCHECK_SOURCE_DIR,
              INTERPCHECK_SOURCE_DIR);
    if (o->python_cmd == NULL) {
        sb_printf(&sb, ":%s", INTERPCHECK_MODULE_DIR);
    }
    return sb_finish(&sb);
}

/* `word` for a POSIX shell: as it is when that is safe, else in single quotes. */
static void
shell_word(strbuf *sb, const char *word)
{
    if (word[0] != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_@%+=:,./-") == strlen(word)) {
        sb_puts(sb, word);
        return;
    }
    sb_puts(sb, "'");
    for (const char *p = word; *p; p++) {
        if (*p == '\'') {
            sb_puts(sb, "'\\''");
        }
        else {
            sb_append(sb, p, 1);
        }
    }
    sb_puts(sb, "'");
}

static char *
joined_command(int argc, char **argv)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < argc; i++) {
        sb_puts(&sb, i ? " " : "");
        shell_word(&sb, argv[i]);
    }
    return sb_finish(&sb);
}

static int
append(const char ***list, size_t *n, const char *value)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (grown == NULL) {
        return -1;
    }
    grown[(*n)++] = value;
    *list = grown;
    return 0;
}

static int
bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "interpcheck: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(try interpcheck --help)\n");
    return -1;
}

static int
parse_options(int argc, char **argv, int first, options *o)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const with_value[] = {
            "--impl",   "--python", "--label",  "--path",       "--expect",
            "--root",   "--spec",   "--junit",  "--jsonl",      "--markdown",
            "--filter", "--clause", "--target", "--feature",    "--without-feature",
            "--level",  "--shard",  "-j",       "--time-scale", NULL};
        for (int k = 0; with_value[k] != NULL; k++) {
            if (strcmp(a, with_value[k]) == 0 && value == NULL) {
                return bad("%s needs a value", a);
            }
        }
#define TAKES(name) (strcmp(a, name) == 0)
        if (TAKES("--impl")) {
            o->impl = argv[++i];
        }
        else if (TAKES("--python")) {
            o->python_cmd = argv[++i];
        }
        else if (TAKES("--label")) {
            o->label = argv[++i];
        }
        else if (TAKES("--expect")) {
            o->expect_path = argv[++i];
        }
        else if (TAKES("--root")) {
            o->root = argv[++i];
            o->root_given = 1;
        }
        else if (TAKES("--spec")) {
            o->spec = argv[++i];
        }
        else if (TAKES("--junit")) {
            o->junit = argv[++i];
        }
        else if (TAKES("--jsonl")) {
            o->jsonl = argv[++i];
        }
        else if (TAKES("--markdown")) {
            o->markdown = argv[++i];
        }
        else if (TAKES("--filter")) {
            o->filtered = 1;
            if (append(&o->filter.globs, &o->filter.n_globs, argv[++i]) < 0) {
                return -1;
            }
        }
        else if (TAKES("--clause")) {
            o->filtered = 1;
            if (append(&o->filter.clauses, &o->filter.n_clauses, argv[++i]) < 0) {
                return -1;
            }
        }
        else if (TAKES("--path")) {
            if (append(&o->extra_paths, &o->n_extra_paths, argv[++i]) < 0) {
                return -1;
            }
        }
        else if (TAKES("--target")) {
            if (append(&o->targets, &o->n_targets, argv[++i]) < 0) {
                return -1;
            }
        }
        else if (TAKES("--feature") || TAKES("--without-feature")) {
            unsigned bit = plan_feature_bit(argv[++i]);
            if (bit == 0) {
                return bad("unknown feature '%s'", argv[i]);
            }
            o->filtered = 1;
            *(strcmp(a, "--feature") == 0 ? &o->filter.features : &o->filter.without) |= bit;
        }
        else if (TAKES("--level")) {
            const char *names[] = {"MUST", "SHOULD", "MAY", "IMPL"};
            int found = -1;
            for (int k = 0; k < 4; k++) {
                if (strcmp(argv[i + 1], names[k]) == 0) {
                    found = k;
                }
            }
            if (found < 0) {
                return bad("unknown level '%s' (MUST, SHOULD, MAY or IMPL)", argv[i + 1]);
            }
            i++;
            o->filtered = 1;
            o->filter.levels |= 1 << found;
        }
        else if (TAKES("--shard")) {
            if (plan_parse_shard(argv[++i], &o->filter.shard, &o->filter.shards) < 0) {
                return bad("--shard takes I/N with 1 <= I <= N, not '%s'", argv[i]);
            }
            o->filtered = 1;
        }
        else if (strncmp(a, "-j", 2) == 0) {
            /* -j N and -jN */
            const char *number = a[2] != '\0' ? a + 2 : argv[++i];
            char *end;
            long n = strtol(number, &end, 10);
            if (*end != '\0' || n < 1 || n > 64) {
                return bad("-j takes a number from 1 to 64, not '%s'", number);
            }
            o->parallel = (int)n;
        }
        else if (TAKES("--time-scale")) {
            char *end;
            o->time_scale = strtod(argv[++i], &end);
            if (*end != '\0' || !(o->time_scale > 0 && o->time_scale <= 1000)) {
                return bad("--time-scale takes a number above 0 and at most 1000, not '%s'",
                           argv[i]);
            }
        }
        else if (strcmp(a, "--trace") == 0) {
            o->trace = 1;
        }
        else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        }
        else if (strcmp(a, "--tap") == 0) {
            o->tap = 1;
        }
        else if (a[0] == '-' && a[1] != '\0') {
            return bad("unknown option '%s'", a);
        }
        else if (append(&o->paths, &o->n_paths, a) < 0) {
            return -1;
        }
#undef TAKES
    }
    return 0;
}

/* ---- running one implementation ----------------------------------------- */

typedef struct {
    result *results;
    const size_t *job_result; /* job index -> index in results */
    const options *o;
    const run_info *info;
    size_t done, total;
    int progress;
    char *python_version; /* filled from the first report that names it */
} run_ctx;

/* The human report lists every scenario, not only deviations (--trace
 * shows each one's output under its name). */
static int
lists_all(const options *o)
{
    return o->verbose || o->trace;
}

static void
on_step(size_t job, int index, unsigned line, void *ctx)
{
    run_ctx *c = ctx;
    if (c->o->trace) {
        fprintf(stderr, "  %s:%u: step %d\n", c->results[c->job_result[job]].item->path, line,
                index + 1);
    }
}

static void
on_done(size_t job, outcome *o, void *ctx)
{
    run_ctx *c = ctx;
    result *r = &c->results[c->job_result[job]];
    if (o->python[0] != '\0' && c->python_version[0] == '\0') {
        snprintf(c->python_version, sizeof o->python, "%s", o->python);
    }
    r->o = *o;
    memset(o, 0, sizeof *o); /* the result owns the details now */
    result_charge(r);
    r->v = judge(r->o.verdict, r->clause, r->entry, r->item->scenario->verdict == SCN_VERDICT_FAIL,
                 r->why_text, sizeof r->why_text);
    r->why = r->why_text[0] != '\0' ? r->why_text : NULL;
    r->done = 1;
    c->done++;
    if (c->progress) {
        fprintf(stderr, "\r\033[K[%zu/%zu] %s", c->done, c->total, r->item->id);
    }
    if (c->o->tap) {
        return;
    }
    if (c->progress && (!verdict_matches(r->v) || lists_all(c->o))) {
        fprintf(stderr, "\r\033[K");
    }
    report_human_result(stdout, c->info, r, lists_all(c->o));
    if (c->o->trace && verdict_matches(r->v)) {
        report_human_output(stdout, r->o.output); /* a deviation's report has it already */
    }
    fflush(stdout);
}

static double
deadline_of(const scn_scenario *s, double scale)
{
    /* An upper bound: a --time-scale below 1 never shortens it (FORMAT.md 8). */
    return (s->timeout == SCN_TIMEOUT_LONG ? DEADLINE_LONG : DEADLINE_SHORT) *
           (scale > 1.0 ? scale : 1.0);
}

/*
 * Run `p` against one implementation; fills results[] (caller frees them with
 * free_results).  Returns 0, or -1 if the run could not be carried out.
 */
static int
run_plan(const options *o, const plan *p, expectations *expect, run_info *info, result *results)
{
    job *jobs = calloc(p->n ? p->n : 1, sizeof *jobs);
    if (jobs == NULL) {
        return -1;
    }
    int status = 0;
    size_t n_jobs = 0;
    size_t *job_result = calloc(p->n ? p->n : 1, sizeof *job_result);
    for (size_t i = 0; i < p->n && job_result != NULL; i++) {
        result *r = &results[i];
        r->item = &p->items[i];
        expectation *entry = expectations_find(expect, r->item->id);
        r->entry = entry;
        if (entry != NULL) {
            entry->used = 1;
            if (r->entry->outcomes == (1u << RAW_SKIP)) {
                r->o.verdict = RAW_SKIP;
                r->o.step_index = -1;
                r->v = V_SKIP;
                r->done = 1;
                if (!o->tap) {
                    report_human_result(stdout, info, r, lists_all(o));
                }
                continue;
            }
        }
        char *json = scenario_to_json(r->item->scenario, r->item->id, r->item->path);
        if (json == NULL) {
            status = -1;
            break;
        }
        jobs[n_jobs] = (job){.json = json,
                             .deadline = deadline_of(r->item->scenario, o->time_scale)};
        job_result[n_jobs++] = i;
    }
    if (job_result == NULL) {
        status = -1;
    }
    if (status == 0) {
        char *pythonpath = search_path(o);
        char *executor = NULL;
        if (asprintf(&executor, "%s/tools/interpcheck/executor.py", INTERPCHECK_SOURCE_DIR) < 0) {
            executor = NULL;
        }
        run_ctx ctx = {.results = results,
                       .job_result = job_result,
                       .o = o,
                       .info = info,
                       .total = n_jobs,
                       .python_version = info->python_version,
                       .progress = !o->tap && !o->trace && isatty(STDERR_FILENO)};
        worker_config config = {
            .parallel = o->parallel,
            .impl = o->impl,
            .time_scale = o->time_scale,
            .python_cmd = o->python_cmd,
            .executor_path = executor,
            .pythonpath = pythonpath,
            .on_step = on_step,
            .on_done = on_done,
            .ctx = &ctx,
        };
        if (pythonpath == NULL || executor == NULL || worker_run(&config, jobs, n_jobs) < 0) {
            status = -1;
        }
        if (ctx.progress) {
            fprintf(stderr, "\r\033[K");
        }
        free(pythonpath);
        free(executor);
    }
    for (size_t k = 0; k < n_jobs; k++) {
        free((char *)jobs[k].json);
    }
    free(jobs);
    free(job_result);
    return status;
}

static void
free_results(result *results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        outcome_clear(&results[i].o);
    }
    free(results);
}

static int
write_report(const char *path, int (*writer)(FILE *, const run_info *, const result *, size_t),
             const run_info *info, const result *results, size_t n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || writer(f, info, results, n) < 0 || fclose(f) != 0) {
        fprintf(stderr, "interpcheck: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int
write_markdown(const char *path, const run_info *info, const result *results, size_t n,
               const tally *t)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || report_markdown(f, info, results, n, t) < 0 || fclose(f) != 0) {
        fprintf(stderr, "interpcheck: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void
fill_info(run_info *info, const options *o, const char *command, const char *rerun)
{
    info->impl = o->label ? o->label : o->impl;
    info->python = info->python_version;
    snprintf(info->python_version, sizeof info->python_version, "%s",
             o->python_cmd ? "" : pyhost_python_version());
    info->runner_version = RUNNER_VERSION;
    info->suite_root = o->root;
    info->command_line = command;
    info->rerun_prefix = rerun;
    time_t t = time(NULL);
    struct tm utc;
    strftime(info->date, sizeof info->date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &utc));
}

static int
start_python(const options *o)
{
    if (o->python_cmd != NULL) {
        return 0;
    }
    char err[1024];
    char *path = search_path(o);
    if (path == NULL ||
        pyhost_start(path, o->impl, INTERPCHECK_PYTHON_EXECUTABLE, err, sizeof err) < 0) {
        fprintf(stderr, "interpcheck: %s\n", path ? err : "out of memory");
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

static int
command_run(options *o, int argc, char **argv)
{
    expectations expect = {0};
    char err[1024];
    if (o->expect_path != NULL && expectations_load(o->expect_path, &expect, err, sizeof err) < 0) {
        fprintf(stderr, "interpcheck: %s\n", err);
        return 2;
    }
    plan p;
    if (plan_build(o->root, o->paths, o->n_paths, &o->filter, &p) < 0) {
        expectations_free(&expect);
        return 2;
    }
    /* A mistyped --filter must not pass in CI as "0 passed".  An empty
     * shard is normal (more shards than scenarios), and a parse error is
     * reported on its own below. */
    if (p.n == 0 && p.parse_errors == 0 && o->filter.shards == 0) {
        fprintf(stderr, "interpcheck: no scenario selected: the paths and filters given match "
                        "none (see `interpcheck list` with the same arguments)\n");
        plan_free(&p);
        expectations_free(&expect);
        return 2;
    }
    if (start_python(o) < 0) {
        plan_free(&p);
        expectations_free(&expect);
        return 2;
    }
    char *command = joined_command(argc, argv);
    /* What a rerun of one scenario needs: everything that changes how it
     * runs, and what its id is relative to (--root), but no selection. */
    strbuf rerun;
    sb_init(&rerun);
    shell_word(&rerun, argv[0]);
    sb_puts(&rerun, " --impl ");
    shell_word(&rerun, o->impl);
    const char *valued[][2] = {{" --python ", o->python_cmd},
                               {" --expect ", o->expect_path},
                               {" --root ", o->root_given ? o->root : NULL}};
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++) {
        if (valued[i][1] != NULL) {
            sb_puts(&rerun, valued[i][0]);
            shell_word(&rerun, valued[i][1]);
        }
    }
    for (size_t i = 0; i < o->n_extra_paths; i++) {
        sb_puts(&rerun, " --path ");
        shell_word(&rerun, o->extra_paths[i]);
    }
    if (o->time_scale != 1.0) {
        sb_printf(&rerun, " --time-scale %g", o->time_scale);
    }
    for (size_t i = 0; i < o->n_paths && !o->whole_suite; i++) {
        sb_puts(&rerun, " ");
        shell_word(&rerun, o->paths[i]);
    }
    char *rerun_prefix = sb_finish(&rerun);
    run_info info;
    fill_info(&info, o, command ? command : argv[0], rerun_prefix ? rerun_prefix : argv[0]);
    result *results = calloc(p.n ? p.n : 1, sizeof *results);
    int exit_code = 0;
    if (results == NULL || run_plan(o, &p, &expect, &info, results) < 0) {
        exit_code = 2;
    }
    else {
        tally t;
        report_tally(results, p.n, &t);
        if (o->tap) {
            report_tap(stdout, &info, results, p.n);
        }
        else {
            report_human_summary(stdout, &info, &t, results, p.n);
        }
        if ((o->junit && write_report(o->junit, report_junit, &info, results, p.n) < 0) ||
            (o->jsonl && write_report(o->jsonl, report_jsonl, &info, results, p.n) < 0) ||
            (o->markdown && write_markdown(o->markdown, &info, results, p.n, &t) < 0)) {
            exit_code = 2;
        }
        if (t.deviating > 0 && exit_code == 0) {
            exit_code = 1;
        }
        if (t.counts[V_ERROR] > 0) {
            exit_code = 2;
        }
    }
    /* A stale entry (no such scenario) can only be told on an unfiltered run. */
    for (size_t i = 0; i < expect.n && !o->filtered && o->whole_suite; i++) {
        if (!expect.entries[i].used) {
            fprintf(stderr, "%s:%u: no scenario %s in this suite (stale entry)\n", expect.path,
                    expect.entries[i].line, expect.entries[i].id);
            exit_code = 2;
        }
    }
    if (p.parse_errors > 0) {
        fprintf(stderr, "interpcheck: %zu scenario file(s) did not parse\n", p.parse_errors);
        exit_code = 2;
    }
    free_results(results, p.n);
    free(command);
    free(rerun_prefix);
    plan_free(&p);
    expectations_free(&expect);
    if (o->python_cmd == NULL) {
        pyhost_stop();
    }
    return exit_code;
}

static int
command_list(options *o)
{
    plan p;
    if (plan_build(o->root, o->paths, o->n_paths, &o->filter, &p) < 0) {
        return 2;
    }
    for (size_t i = 0; i < p.n; i++) {
        const scn_scenario *s = p.items[i].scenario;
        printf("%s  %s ", p.items[i].id, scn_level_name(s->level));
        for (size_t k = 0; k < s->n_clauses; k++) {
            printf(" %s", s->clauses[k]); /* two spaces before the first: columns */
        }
        printf("\n");
    }
    int status = p.parse_errors > 0 ? 2 : 0;
    plan_free(&p);
    return status;
}

static int
command_coverage(options *o)
{
    plan_filter none = {0};
    plan p;
    if (plan_build(o->root, o->paths, o->n_paths, &none, &p) < 0) {
        return 2;
    }
    int status = coverage_report(stdout, o->spec, &p);
    if (p.parse_errors > 0) {
        status = 2;
    }
    plan_free(&p);
    return status;
}

/* ---- diff ------------------------------------------------------------------ */

static int
command_diff(options *o, int argc, char **argv)
{
    if (o->n_targets < 2) {
        fprintf(stderr, "interpcheck: diff needs two or more --target LABEL=IMPL[@PYTHONCMD]\n");
        return 2;
    }
    plan p;
    if (plan_build(o->root, o->paths, o->n_paths, &o->filter, &p) < 0) {
        return 2;
    }
    size_t n_targets = o->n_targets;
    result **all = calloc(n_targets, sizeof *all);
    char **labels = calloc(n_targets, sizeof *labels);
    int status = all && labels ? 0 : 2, python_started = 0;
    char *command = joined_command(argc, argv);
    for (size_t t = 0; t < n_targets && status == 0; t++) {
        char *spec = strdup(o->targets[t]);
        char *eq = spec ? strchr(spec, '=') : NULL;
        if (eq == NULL || eq == spec || eq[1] == '\0') {
            fprintf(stderr, "interpcheck: --target takes LABEL=IMPL[@PYTHONCMD], not '%s'\n",
                    o->targets[t]);
            free(spec);
            status = 2;
            break;
        }
        *eq = '\0';
        char *at = strchr(eq + 1, '@');
        if (at != NULL) {
            *at = '\0';
        }
        options target = *o;
        target.label = spec;
        target.impl = eq + 1;
        target.python_cmd = at ? at + 1 : NULL;
        target.tap = 1; /* no per-scenario human output while collecting */
        if (target.python_cmd == NULL && !python_started) {
            if (start_python(&target) < 0) {
                free(spec);
                status = 2;
                break;
            }
            python_started = 1;
        }
        labels[t] = spec;
        all[t] = calloc(p.n ? p.n : 1, sizeof **all);
        run_info info;
        fill_info(&info, &target, command ? command : argv[0], argv[0]);
        if (all[t] == NULL || run_plan(&target, &p, NULL, &info, all[t]) < 0) {
            status = 2;
        }
        fprintf(stderr, "interpcheck: ran %zu scenarios on %s\n", p.n, spec);
    }
    size_t disagreements = 0;
    /* Grouped by clause: each clause lists the scenarios whose outcomes differ. */
    for (size_t i = 0; i < p.n && status == 0; i++) {
        int differ = 0;
        for (size_t t = 1; t < n_targets; t++) {
            differ |= all[t][i].o.verdict != all[0][i].o.verdict;
        }
        if (differ) {
            disagreements++;
        }
    }
    if (status == 0) {
        const char **seen = NULL;
        size_t n_seen = 0;
        for (size_t i = 0; i < p.n; i++) {
            const scn_scenario *s = p.items[i].scenario;
            for (size_t c = 0; c < s->n_clauses; c++) {
                const char *clause = s->clauses[c];
                int known = 0;
                for (size_t k = 0; k < n_seen; k++) {
                    known |= strcmp(seen[k], clause) == 0;
                }
                if (known || append(&seen, &n_seen, clause) < 0) {
                    continue;
                }
                int header = 0;
                for (size_t j = i; j < p.n; j++) {
                    const scn_scenario *sj = p.items[j].scenario;
                    int cites = 0, differ = 0;
                    for (size_t k = 0; k < sj->n_clauses; k++) {
                        cites |= strcmp(sj->clauses[k], clause) == 0;
                    }
                    for (size_t t = 1; t < n_targets; t++) {
                        differ |= all[t][j].o.verdict != all[0][j].o.verdict;
                    }
                    if (!cites || !differ) {
                        continue;
                    }
                    if (!header) {
                        printf("%s\n", clause);
                        header = 1;
                    }
                    printf("  %s\n", p.items[j].id);
                    for (size_t t = 0; t < n_targets; t++) {
                        const outcome *oc = &all[t][j].o;
                        printf("    %-12s %-7s %s\n", labels[t], raw_verdict_name(oc->verdict),
                               oc->message ? oc->message : "");
                    }
                }
            }
        }
        free(seen);
        printf("\ninterpcheck diff: %zu of %zu scenarios disagree across %zu implementations\n",
               disagreements, p.n, n_targets);
        status = disagreements > 0 ? 1 : 0;
    }
    for (size_t t = 0; t < n_targets; t++) {
        if (all != NULL && all[t] != NULL) {
            free_results(all[t], p.n);
        }
        if (labels != NULL) {
            free(labels[t]);
        }
    }
    free(all);
    free(labels);
    free(command);
    plan_free(&p);
    if (python_started) {
        pyhost_stop();
    }
    return status;
}

int
main(int argc, char **argv)
{
    options o = {.impl = "interpref",
                 .parallel = 1,
                 .time_scale = 1.0,
                 .root = INTERPCHECK_SOURCE_DIR "/conformance",
                 .spec = INTERPCHECK_SOURCE_DIR "/conformance/SPEC.md"};
    const char *command = "run";
    int first = 1;
    if (argc > 1 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "list") == 0 ||
                     strcmp(argv[1], "coverage") == 0 || strcmp(argv[1], "diff") == 0)) {
        command = argv[1];
        first = 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s\n", RUNNER_VERSION);
            return 0;
        }
    }
    int status;
    if (parse_options(argc, argv, first, &o) < 0) {
        status = 2;
    }
    else {
        if (o.n_paths == 0) {
            static const char *default_path = INTERPCHECK_SOURCE_DIR "/conformance/suite";
            append(&o.paths, &o.n_paths, default_path);
            o.whole_suite = 1;
        }
        if (strcmp(command, "list") == 0) {
            status = command_list(&o);
        }
        else if (strcmp(command, "coverage") == 0) {
            status = command_coverage(&o);
        }
        else if (strcmp(command, "diff") == 0) {
            status = command_diff(&o, argc, argv);
        }
        else {
            status = command_run(&o, argc, argv);
        }
    }
    free(o.filter.globs);
    free(o.filter.clauses);
    free(o.paths);
    free(o.targets);
    free(o.extra_paths);
    return status;
}
